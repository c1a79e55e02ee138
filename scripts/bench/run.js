'use strict';
// `npm run bench`: loads the real tracker with realistic announces (wrk + announce.lua) on the memory store and on
// the Redis store, beside a bare NestJS + Fastify route as the framework's ceiling, all in one run on 127.0.0.1,
// and prints announces/s, p50/p99, failures and server CPU per announce against the targets of issue 3.
// See README.md for the options and how to read the table.
const { randomBytes } = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { summarizeProfile } = require('./lib/cpu-profile');
const fixtures = require('./lib/fixtures');
const { combineRounds, measureRound, warmUp } = require('./lib/measure');
const { compareRounds, describeComparison } = require('./lib/paired-rounds');
const proc = require('./lib/processes');
const { printReport } = require('./lib/report');
const {
  ENTRY,
  NODE_FLAGS,
  ROOT,
  ensureBuild,
  ensureWrk,
  installed,
  parseOptions,
  printHeader,
} = require('./lib/setup');

const CEILING = path.join(__dirname, 'ceiling-server.js');
const PROFILER = path.join(__dirname, 'lib', 'profiler-preload.js');

/**
 * --rules: issue 15's rules all on in the modes that refuse nothing (`<store>+rules`), or all off (`<store>`): the
 * peer limit and download slots observed, lenient pacing, cheat flags observed, the announce log and abuse bans on.
 * Both with MIN_INTERVAL=1: the bench's peers announce again every few seconds, where real clients wait the interval,
 * so with the default 900 s lenient pacing would answer every announce without peers, which is not a tracker's day.
 */
const RULES_ON = {
  MIN_INTERVAL: '1',
  MAX_PEERS_PER_USER_TORRENT: '3',
  ANNOUNCE_PACING: 'lenient',
  CHEAT_POLICY: 'observe',
  MAX_UPLOAD_RATE: '1000000000',
  ANNOUNCE_LOG_SIZE: '50',
  POLICY_MODES: 'PeerLimit:observe,DownloadSlots:observe',
};
const RULES_OFF = {
  MIN_INTERVAL: '1',
  MAX_PEERS_PER_USER_TORRENT: '0',
  ANNOUNCE_PACING: 'off',
  CHEAT_POLICY: 'off',
  ANNOUNCE_LOG_SIZE: '0',
};

const options = parseOptions(process.argv.slice(2));
const cleanups = [];

process.on('SIGINT', () => {
  console.error('\ninterrupted: stopping servers and cleaning up');
  proc.killAll();
  void cleanUp().finally(() => process.exit(130));
});

main()
  .then((code) => cleanUp().then(() => process.exit(code)))
  .catch(async (error) => {
    console.error(`bench failed: ${error.stack || error}`);
    proc.killAll();
    await cleanUp();
    process.exit(1);
  });

async function main() {
  ensureWrk();
  ensureBuild(options);
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracker-bench-'));
  cleanups.push(async () => (options.keep ? console.log(`kept ${workDir}`) : fs.rmSync(workDir, { recursive: true })));
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const resultsDir = path.join(ROOT, 'bench-results');
  const pool = fixtures.makePool(workDir, { torrents: options.torrents, users: options.users });
  const context = { workDir, pool, profileDir: path.join(resultsDir, `profiles-${stamp}`) };

  printHeader(options);
  // Every target runs side by side (idle while another is measured), so that their rounds can alternate.
  // With --baseline, each store is also run from the baseline's build, as `<store>@base`, in the same rounds.
  // With --promotions=N, each store also runs as `<store>+promotions` (N tokens and a site-wide event), same rounds.
  // With --rules, each store runs with the swarm-integrity rules off and as `<store>+rules` with every one on.
  const names = options.only.flatMap((name) =>
    name === 'ceiling'
      ? [name]
      : [
          name,
          ...(options.baseline ? [`${name}@base`] : []),
          ...(options.promotions > 0 ? [`${name}+promotions`] : []),
          ...(options.rules ? [`${name}+rules`] : []),
        ],
  );
  const rows = new Map(names.map((name) => [name, null]));
  const targets = [];
  for (const name of names) {
    console.log(`\n== ${name} ==`);
    try {
      const target = await startTarget(name, context);
      if (target.skipped) {
        rows.set(name, { store: name, status: 'skipped', error: target.skipped });
        continue;
      }
      console.log(`   warm-up ${options.warmup} s`);
      await warmUp(options, target);
      targets.push(target);
    } catch (error) {
      rows.set(name, { store: name, status: 'error', error: error.message });
      console.log(`   error: ${error.message}`);
    }
  }

  const rounds = new Map(targets.map((target) => [target, []]));
  for (let round = 1; round <= options.rounds; round++) {
    console.log(`\n== round ${round} of ${options.rounds}: ${options.duration} s each ==`);
    const measure = async (target) => {
      try {
        // With --profile, only the first round is profiled: one profile file per target.
        const measured = await measureRound(options, target, options.profile && round === 1);
        rounds.get(target).push(measured);
        console.log(`   ${target.name}: ${Math.round(measured.result.rps)} req/s`);
      } catch (error) {
        rows.set(target.name, { store: target.name, status: 'error', error: error.message });
        console.log(`   ${target.name}: error: ${error.message}`);
      }
    };
    // Every other round in the reverse order: a run lands in the tail of the one before it (its flush, its GC
    // after the load stops), so a fixed order would charge that to the same target every round.
    const active = targets.filter((target) => !rows.get(target.name)); // not failed in an earlier round
    for (const target of round % 2 === 1 ? active : [...active].reverse()) {
      await measure(target);
    }
  }
  for (const target of targets) {
    if (!rows.get(target.name)) {
      rows.set(target.name, await target.finish(combineRounds(rounds.get(target))));
    }
  }

  const summary = printReport([...rows.values()], options);
  printComparison([...rows.values()]);
  fs.mkdirSync(resultsDir, { recursive: true });
  const jsonFile = path.join(resultsDir, `bench-${stamp}.json`);
  const machine = { node: process.version, cpus: os.cpus().length, loadavg: os.loadavg(), host: os.hostname() };
  fs.writeFileSync(
    jsonFile,
    JSON.stringify({ at: new Date().toISOString(), options, machine, rows: [...rows.values()], summary }, null, 2),
  );
  console.log(`\nsaved ${path.relative(ROOT, jsonFile)}`);
  return summary.exitCode;
}

/**
 * Starts a target's server and makes it ready to measure. Returns what the measurement needs (url, pool, pids,
 * Redis client) and `finish(figures)`, which reads what it needs from the server, stops it and returns the row.
 */
async function startTarget(name, context) {
  if (name === 'ceiling') {
    return startCeiling(context);
  }
  const base = name.endsWith('@base');
  const build = base
    ? { name, entry: path.join(options.baseline, 'dist', 'src', 'main.js'), env: {}, blockEntries: 0 }
    : {
        name,
        entry: ENTRY,
        env: { ...rulesEnv(name, options), ...clientRulesEnv(options) },
        blockEntries: options.clientRules,
      };
  if (name.startsWith('redis')) {
    const redisUrl = options.redisUrl ?? (await startPrivateRedis(context.workDir));
    const { client, reason } = await fixtures.connectRedis(redisUrl);
    if (!client) {
      return { skipped: `no Redis at ${redisUrl} (${reason})` };
    }
    const prefix = `bench:${randomBytes(4).toString('hex')}:`;
    cleanups.push(async () => {
      const deleted = await fixtures.deleteRedisKeys(client, prefix);
      console.log(`   deleted ${deleted} Redis keys under ${prefix}`);
      client.disconnect();
    });
    console.log(
      `   Redis: ${redisUrl}${options.redisUrl ? ' (shared: its CPU and command counts include other clients)' : ' (private)'}`,
    );
    return startTracker(build, context, { REDIS_URL: redisUrl, REDIS_KEY_PREFIX: prefix }, client);
  }
  return startTracker(build, context, {}, null);
}

/** With --baseline, --promotions or --rules: each store against its baseline, or without them, same rounds. */
function printComparison(rows) {
  const ok = (store) => rows.find((row) => row.store === store && row.status === 'ok');
  const pairs = ['memory', 'redis'].flatMap((store) => [
    [store, `${store}@base`],
    [`${store}+promotions`, store],
    [`${store}+rules`, store],
  ]);
  for (const [name, other] of pairs) {
    const [candidate, base] = [ok(name), ok(other)];
    if (candidate && base) {
      const change = (a, b) => `${a >= b ? '+' : ''}${((100 * (a - b)) / b).toFixed(1)}%`;
      console.log(
        `A/B ${name} vs ${other}: ${Math.round(candidate.rps)} vs ${Math.round(base.rps)} req/s (${change(candidate.rps, base.rps)}), ` +
          `${candidate.cpu.usPerAnnounce.toFixed(1)} vs ${base.cpu.usPerAnnounce.toFixed(1)} µs/announce ` +
          `(${change(candidate.cpu.usPerAnnounce, base.cpu.usPerAnnounce)}); rounds ${candidate.roundRps.join('/')} ` +
          `vs ${base.roundRps.join('/')}`,
      );
      const paired = compareRounds(candidate.roundRps, base.roundRps);
      if (paired) {
        console.log(`    round by round: ${describeComparison(paired)}`);
      }
    }
  }
}

async function startCeiling({ workDir, pool, profileDir }) {
  const port = await proc.freePort();
  const profile = profiling(profileDir, 'ceiling');
  const server = proc.startServer('ceiling', process.execPath, [...profile.args, CEILING], {
    cwd: workDir,
    env: { PATH: process.env.PATH, HOST: '127.0.0.1', PORT: String(port), NODE_ENV: 'production', ...profile.env },
    logFile: path.join(workDir, 'ceiling.log'),
  });
  cleanups.push(() => server.stop());
  const url = `http://127.0.0.1:${port}`;
  await fixtures.waitForOk(`${url}/${pool.accounts[0].passkey}/announce`, server, 30_000);
  return {
    name: 'ceiling',
    url,
    pool,
    pids: { node: server.pid },
    redis: null,
    finish: async (figures) => {
      const row = { store: 'ceiling', ...figures, profile: await profile.summary() };
      await server.stop();
      return row;
    },
  };
}

/**
 * A redis-server of our own on a free port, without persistence, so that its CPU time and INFO commandstats are
 * the tracker's alone (a shared Redis counts other clients too). Falls back to the usual local Redis when
 * redis-server is not installed.
 */
async function startPrivateRedis(workDir) {
  if (!installed('redis-server')) {
    return 'redis://127.0.0.1:6379';
  }
  const port = await proc.freePort();
  const server = proc.startServer(
    'redis-server',
    'redis-server',
    ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no', '--dir', workDir],
    { cwd: workDir, env: { PATH: process.env.PATH }, logFile: path.join(workDir, 'redis.log') },
  );
  cleanups.push(() => server.stop());
  const url = `redis://127.0.0.1:${port}`;
  for (let waited = 0; waited < 10_000; waited += 100) {
    const { client } = await fixtures.connectRedis(url);
    if (client) {
      client.disconnect();
      return url;
    }
    if (!server.running) {
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`redis-server on port ${port} did not start:\n${server.logTail()}`);
}

/** With --profile: the preload that profiles the measured run when measure() signals it, and its summary. */
function profiling(profileDir, name) {
  if (!options.profile) {
    return { args: [], env: {}, summary: async () => undefined };
  }
  fs.mkdirSync(profileDir, { recursive: true });
  const file = path.join(profileDir, `${name}.cpuprofile`);
  return {
    args: ['-r', PROFILER],
    env: { BENCH_PROFILE_FILE: file },
    summary: async () => {
      for (let waited = 0; !fs.existsSync(file) && waited < 15_000; waited += 100) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return fs.existsSync(file) ? { file: path.relative(ROOT, file), ...summarizeProfile(file) } : undefined;
    },
  };
}

function rulesEnv(name, { rules }) {
  if (!rules) {
    return {};
  }
  return name.endsWith('+rules') ? RULES_ON : RULES_OFF;
}

/** --client-rules: the User-Agent check on (the block-list entries are registered by startTracker). */
function clientRulesEnv({ env, clientRules }) {
  return clientRules > 0 ? { CLIENT_USER_AGENT_CHECK: 'on', ...env } : env;
}

async function startTracker(
  { name: store, entry, env: buildEnv, blockEntries },
  { workDir, profileDir, pool },
  extraEnv,
  redis,
) {
  const promoted = store.endsWith('+promotions');
  const database = await fixtures.createDatabase('bench');
  cleanups.push(() => database.drop());
  const port = await proc.freePort();
  const adminToken = randomBytes(24).toString('hex');
  const profile = profiling(profileDir, store);
  const server = proc.startServer(`tracker (${store})`, process.execPath, [...NODE_FLAGS, ...profile.args, entry], {
    // Not the repository: a .env there must not reconfigure the run.
    cwd: workDir,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: database.url,
      ADMIN_TOKEN: adminToken,
      LOG_LEVEL: 'warn',
      NODE_ENV: 'production',
      ...(process.env.BENCH_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS } : {}),
      ...buildEnv,
      ...extraEnv,
      ...profile.env,
    },
    logFile: path.join(workDir, `tracker-${store}.log`),
  });
  cleanups.push(() => server.stop());
  const url = `http://127.0.0.1:${port}`;
  await fixtures.waitForOk(`${url}/health`, server, 60_000);

  const registering = Date.now();
  await fixtures.registerPool(url, adminToken, pool);
  console.log(
    `   registered ${pool.accounts.length} users, ${pool.infoHashes.length} torrents in ${Date.now() - registering} ms`,
  );
  if (blockEntries > 0) {
    await fixtures.registerBlockList(url, adminToken, blockEntries);
    console.log(`   registered ${blockEntries} client block-list entries; CLIENT_USER_AGENT_CHECK=on`);
  }
  if (store.endsWith('+rules')) {
    // Download slots observed need a number to compare with: more than any bench user leeches, so none would refuse.
    const slotted = options.rules === 'tenth' ? pool.accounts.filter((_, i) => i % 10 === 0) : pool.accounts;
    await fixtures.setDownloadSlots(url, adminToken, slotted, 10_000);
    console.log(
      `   rules on: peer limit 3 and download slots (${slotted.length} users) observed, lenient pacing, cheat flags, ` +
        'announce log',
    );
  }
  if (promoted) {
    const seeding = Date.now();
    const seeded = await fixtures.seedPromotions(url, adminToken, database.url, pool, options.promotions);
    console.log(
      `   promotions: ${seeded.tokens} tokens (${seeded.perHolder} each for ${seeded.holders} users, ` +
        `${seeded.extraUsers} of them beyond the pool) and a site-wide event in ${Date.now() - seeding} ms`,
    );
  }
  const probe = await fixtures.probeAnnounce(url, pool);
  if (probe.status !== 200 || probe.body[0] !== 'd' || probe.body.includes('failure reason')) {
    throw new Error(
      `a single announce did not succeed: HTTP ${probe.status} ${JSON.stringify(probe.body.slice(0, 300))}`,
    );
  }

  const redisPid = redis ? (await fixtures.redisInfo(redis, 'server')).process_id : undefined;
  const before = { rss: proc.rssBytes(server.pid), redis: redis ? await redisUsedMemory(redis) : null };
  return {
    name: store,
    url,
    pool,
    pids: { node: server.pid, redis: redisPid, database: database.name },
    redis,
    metricsUrl: `${url}/metrics`,
    peersNow: async () => (await adminStats(url, adminToken)).peers,
    finish: (figures) => finishTracker(store, figures, { server, url, adminToken, redis, before, profile }),
  };
}

/** After the rounds: peers and memory from the tracker, its profile, then a graceful stop (SIGTERM) and its log. */
async function finishTracker(store, figures, { server, url, adminToken, redis, before, profile }) {
  const stats = await adminStats(url, adminToken);
  const row = { store, ...figures, peers: stats.peers };
  const rss = proc.rssBytes(server.pid);
  row.rssMb = rss / 2 ** 20;
  if (stats.peers > 0) {
    row.bytesPerPeer = redis
      ? ((await redisUsedMemory(redis)) - before.redis) / stats.peers
      : (rss - before.rss) / stats.peers;
  }

  row.profile = await profile.summary();

  // Nest's shutdown hook closes everything, then re-raises the signal: dying of SIGTERM is the graceful end.
  const stopping = Date.now();
  const exit = await server.stop();
  row.shutdownMs = Date.now() - stopping;
  if (exit !== 0 && exit !== 'SIGTERM') {
    row.warning = `tracker exited with ${exit} after SIGTERM (not a graceful shutdown)`;
  }
  row.logWarnings = logWarnings(server.logFile);
  if (row.logWarnings.count > 0) {
    console.log(`   ${row.logWarnings.count} warning/error lines in the tracker's log`);
  }
  return row;
}

async function adminStats(url, adminToken) {
  return (await fetch(`${url}/api/stats`, { headers: { authorization: `Bearer ${adminToken}` } })).json();
}

/** Warning and error lines of a JSON log: how many, and the distinct messages (a few). */
function logWarnings(file) {
  const messages = new Map();
  let count = 0;
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    let entry;
    try {
      entry = JSON.parse(line);
    } catch {
      continue; // not JSON: a stack trace line or the like
    }
    if (entry.level >= 40) {
      count++;
      const message = `${entry.context ? `${entry.context}: ` : ''}${String(entry.msg).slice(0, 300)}`;
      messages.set(message, (messages.get(message) ?? 0) + 1);
    }
  }
  const distinct = [...messages.entries()].sort((a, b) => b[1] - a[1]).slice(0, 5);
  return { count, distinct: distinct.map(([message, times]) => ({ message, times })) };
}

async function redisUsedMemory(client) {
  return (await fixtures.redisInfo(client, 'memory')).used_memory;
}

async function cleanUp(downTo = 0) {
  while (cleanups.length > downTo) {
    try {
      await cleanups.pop()();
    } catch (error) {
      console.error(`cleanup: ${error.message}`);
    }
  }
}
