'use strict';
// `npm run bench:udp`: BEP 15 announces (passkey in BEP 41 URL data) against the tracker's UDP transport (memory
// store) and against Debian's opentracker with UDP on and the bench's hashes whitelisted, side by side in one run,
// in alternating rounds. The load comes from worker threads, each with several sockets on their own 127.0.0.x
// addresses and a window of announces in flight per socket. Prints announces/s, server CPU per 1,000 announces and
// the ratio. See README.md.
const { randomBytes } = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { Worker } = require('node:worker_threads');
const dgram = require('node:dgram');
const fixtures = require('./lib/fixtures');
const proc = require('./lib/processes');
const { ENTRY, NODE_FLAGS, ROOT, ensureBuild, installed } = require('./lib/setup');

const WORKER = path.join(__dirname, 'lib', 'udp-load-worker.js');

const DEFAULTS = {
  rounds: 3,
  duration: 10,
  warmup: 3,
  workers: 2,
  sockets: 8,
  depth: 16,
  torrents: 1000,
  users: 50,
  peers: 20000,
  only: 'tracker,opentracker',
  build: false,
};

const options = parseOptions(process.argv.slice(2));
const cleanups = [];

process.on('SIGINT', () => {
  proc.killAll();
  void cleanUp().finally(() => process.exit(130));
});

main()
  .then((code) => cleanUp().then(() => process.exit(code)))
  .catch(async (error) => {
    console.error(`bench:udp failed: ${error.stack || error}`);
    proc.killAll();
    await cleanUp();
    process.exit(1);
  });

async function main() {
  ensureBuild(options);
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracker-bench-udp-'));
  cleanups.push(() => fs.rmSync(workDir, { recursive: true, force: true }));
  const pool = fixtures.makePool(workDir, { torrents: options.torrents, users: options.users });
  const peers = makePeers(pool, options.peers);
  const only = options.only.split(',');
  const targets = [];
  if (only.includes('tracker')) {
    targets.push(await startTracker(workDir, pool));
  }
  if (only.includes('opentracker')) {
    if (installed('opentracker')) {
      targets.push(await startOpentracker(workDir, pool));
    } else {
      console.log('opentracker is not installed (Debian: apt-get install opentracker): its row is skipped');
    }
  }
  console.log(
    `bench:udp: ${options.rounds} round(s) of ${options.duration} s per target (after ${options.warmup} s of warm-up), ` +
      `${options.workers} worker(s) x ${options.sockets} sockets x ${options.depth} in flight, ` +
      `${options.peers} peers over ${options.torrents} torrents, ${os.cpus().length} CPUs`,
  );
  const totals = new Map(
    targets.map((target) => [target.name, { announces: 0, errors: 0, refills: 0, cpu: 0, seconds: 0 }]),
  );
  for (let round = 1; round <= options.rounds; round++) {
    for (const target of targets) {
      const cpuBefore = proc.processCpuSeconds(target.server.pid);
      const result = await load(target, peers);
      const cpu = proc.processCpuSeconds(target.server.pid) - cpuBefore;
      const total = totals.get(target.name);
      total.announces += result.announces;
      total.errors += result.errors;
      total.refills += result.refills;
      total.cpu += cpu;
      total.seconds += options.duration;
      console.log(
        `  round ${round} ${target.name.padEnd(11)} ${Math.round(result.announces / options.duration)} announces/s` +
          (result.errors ? `, ${result.errors} error answers` : '') +
          (result.samples.length ? ` (${result.samples.join(' | ')})` : ''),
      );
    }
  }
  console.log('\ntarget       announces/s  error answers  stalled windows  server CPU s / 1k announces');
  const rates = {};
  for (const [name, total] of totals) {
    rates[name] = total.announces / total.seconds;
    const cpuPerK = total.announces ? (total.cpu / total.announces) * 1000 : NaN;
    console.log(
      `${name.padEnd(12)} ${String(Math.round(rates[name])).padStart(11)}  ${String(total.errors).padStart(13)}  ` +
        `${String(total.refills).padStart(15)}  ${cpuPerK.toFixed(3).padStart(27)}`,
    );
  }
  if (rates.tracker && rates.opentracker) {
    console.log(`\ntracker / opentracker: ${(rates.tracker / rates.opentracker).toFixed(2)}`);
  }
  for (const target of targets) {
    const stopped = await target.server.stop(10_000);
    if (target.name === 'tracker' && stopped !== 0) {
      console.log(`tracker exited with ${stopped} on SIGTERM:\n${target.server.logTail()}`);
      return 1;
    }
  }
  const failed = [...totals.entries()].some(([, total]) => total.announces === 0 || total.errors > 0);
  return failed ? 1 : 0;
}

/** Peer g: passkey g mod users, torrent (g div users) mod torrents (as announce.lua), a quarter of them seeders. */
function makePeers(pool, count) {
  const users = pool.accounts.length;
  return Array.from({ length: count }, (_, g) => ({
    passkey: pool.accounts[g % users].passkey,
    infoHash: pool.infoHashes[Math.floor(g / users) % pool.infoHashes.length],
    peerId: Buffer.concat([Buffer.from('-qB4650-'), randomBytes(12)]).toString('hex'),
    port: 1024 + (g % 60000),
    seeder: g % 4 === 0,
  }));
}

async function startTracker(workDir, pool) {
  const database = await fixtures.createDatabase('bench_udp');
  cleanups.push(() => database.drop());
  const httpPort = await proc.freePort();
  const udpPort = await freeUdpPort();
  const adminToken = randomBytes(16).toString('hex');
  const server = proc.startServer('tracker', process.execPath, [...NODE_FLAGS, ENTRY], {
    cwd: ROOT,
    logFile: path.join(workDir, 'tracker.log'),
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      PORT: String(httpPort),
      UDP_PORT: String(udpPort),
      // One machine sends everything: the per-address limit would measure itself.
      UDP_RATE_LIMIT: '0',
      DATABASE_URL: database.url,
      ADMIN_TOKEN: adminToken,
    },
  });
  const baseUrl = `http://127.0.0.1:${httpPort}`;
  await fixtures.waitForOk(`${baseUrl}/health`, server, 60_000);
  await fixtures.registerPool(baseUrl, adminToken, pool);
  return { name: 'tracker', server, port: udpPort };
}

/** Debian's opentracker (built with a whitelist): UDP on 127.0.0.1, the pool's hashes admitted, chrooted in its dir. */
async function startOpentracker(workDir, pool) {
  const dir = path.join(workDir, 'opentracker');
  fs.mkdirSync(dir, { mode: 0o755 });
  fs.chmodSync(workDir, 0o755);
  const udpPort = await freeUdpPort();
  const tcpPort = await proc.freePort();
  fs.writeFileSync(path.join(dir, 'whitelist.txt'), pool.infoHashes.join('\n') + '\n', { mode: 0o644 });
  fs.writeFileSync(
    path.join(dir, 'opentracker.conf'),
    [
      `listen.tcp 127.0.0.1:${tcpPort}`,
      `listen.udp 127.0.0.1:${udpPort}`,
      'access.whitelist /whitelist.txt',
      `tracker.rootdir ${dir}`,
      'tracker.user nobody',
      '',
    ].join('\n'),
  );
  const server = proc.startServer('opentracker', 'opentracker', ['-f', path.join(dir, 'opentracker.conf')], {
    cwd: dir,
    logFile: path.join(workDir, 'opentracker.log'),
    env: { PATH: process.env.PATH },
  });
  // Ready once it answers a UDP connect.
  const deadline = Date.now() + 10_000;
  while (!(await answersConnect(udpPort))) {
    if (!server.running || Date.now() > deadline) {
      throw new Error(`opentracker did not answer on UDP ${udpPort}:\n${server.logTail()}`);
    }
  }
  return { name: 'opentracker', server, port: udpPort };
}

function answersConnect(port) {
  return new Promise((resolve) => {
    const socket = dgram.createSocket('udp4');
    const packet = Buffer.alloc(16);
    packet.writeBigUInt64BE(0x41727101980n, 0);
    const timer = setTimeout(() => {
      socket.close();
      resolve(false);
    }, 300);
    socket.on('message', () => {
      clearTimeout(timer);
      socket.close();
      resolve(true);
    });
    socket.send(packet, port, '127.0.0.1');
  });
}

/** One measured run against `target`: every worker's sockets, warm-up, then `duration` seconds counted. */
async function load(target, peers) {
  const perWorker = Math.ceil(peers.length / options.workers);
  const results = await Promise.all(
    Array.from({ length: options.workers }, (_, w) => {
      const sourceAddresses = Array.from({ length: options.sockets }, (__, s) => `127.0.${10 + w}.${1 + s}`);
      const worker = new Worker(WORKER, {
        workerData: {
          host: '127.0.0.1',
          port: target.port,
          sourceAddresses,
          depth: options.depth,
          peers: peers.slice(w * perWorker, (w + 1) * perWorker),
          warmupMs: options.warmup * 1000,
          durationMs: options.duration * 1000,
        },
      });
      return new Promise((resolve, reject) => {
        const samples = [];
        worker.on('message', (message) => {
          if (message.errorSample) {
            samples.push(message.errorSample);
          } else if (message.done) {
            resolve({ ...message.done, samples });
            void worker.terminate();
          } else if (message.failed) {
            reject(new Error(message.failed));
          }
        });
        worker.on('error', reject);
      });
    }),
  );
  return results.reduce(
    (sum, r) => ({
      announces: sum.announces + r.announces,
      errors: sum.errors + r.errors,
      refills: sum.refills + r.refills,
      samples: [...sum.samples, ...r.samples].slice(0, 3),
    }),
    { announces: 0, errors: 0, refills: 0, samples: [] },
  );
}

function freeUdpPort() {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket('udp4');
    socket.on('error', reject);
    socket.bind(0, '127.0.0.1', () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}

function parseOptions(argv) {
  const parsed = { ...DEFAULTS };
  for (const arg of argv) {
    const match = /^--([a-z]+)(?:=(.*))?$/.exec(arg);
    if (!match || !(match[1] in DEFAULTS)) {
      console.error(
        `unknown option ${arg}; options: ${Object.keys(DEFAULTS)
          .map((k) => `--${k}`)
          .join(' ')}`,
      );
      process.exit(2);
    }
    const [, name, value] = match;
    parsed[name] =
      typeof DEFAULTS[name] === 'number' ? Number(value) : typeof DEFAULTS[name] === 'boolean' ? true : value;
  }
  return parsed;
}

async function cleanUp() {
  for (const cleanup of cleanups.reverse()) {
    try {
      await cleanup();
    } catch (error) {
      console.error(`cleanup: ${error.message}`);
    }
  }
}
