'use strict';
// What `npm run bench` needs before it starts: its options, wrk, and a build of the tracker.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..', '..');
const ENTRY = path.join(ROOT, 'dist', 'src', 'main.js');
/** The V8 flags `npm start` gives the tracker (package.json), so that the bench measures what operators run. */
const NODE_FLAGS = startFlags();
const TARGETS = ['ceiling', 'memory', 'redis'];
/** The block-list entries fixtures.registerBlockList can make that block none of announce.lua's peers. */
const MAX_CLIENT_RULES = 280;

function startFlags() {
  const start = require(path.join(ROOT, 'package.json')).scripts.start;
  // `exec` makes node npm's own process, so that signals reach it (README, "Shutdown").
  const match = /^(?:exec )?node((?: --\S+)*) dist\/src\/main\.js$/.exec(start);
  if (!match) {
    throw new Error(`package.json's start script is not "[exec] node [--flags] dist/src/main.js": ${start}`);
  }
  return match[1].split(' ').filter(Boolean);
}

function parseOptions(argv) {
  const parsed = {
    duration: 10,
    rounds: 3,
    warmup: 30,
    connections: 64,
    threads: 2,
    torrents: 5000,
    users: 50,
    peers: 100_000,
    only: TARGETS,
    redisUrl: process.env.BENCH_REDIS_URL || undefined,
    profile: false,
    build: false,
    close: false,
    keep: false,
    /** A checkout with a build of another commit: its trackers are measured too, interleaved (A/B). */
    baseline: undefined,
    /** Extra environment of this build's trackers (not the baseline's): `--env=NAME=value`, repeatable. */
    env: {},
    /** `--client-rules=N`: this build's trackers get N client block-list entries and CLIENT_USER_AGENT_CHECK=on. */
    clientRules: 0,
    /** With N > 0: each store also runs as `<store>+promotions`, holding N tokens and a site-wide event (A/B). */
    promotions: 0,
    /**
     * `all` or `tenth`: each store also runs as `<store>+rules`, with issue 15's rules on (lenient/observe) and download
     * slots for every user or one in ten, and itself with them off.
     */
    rules: undefined,
  };
  for (const arg of argv) {
    const [key, value] = arg.replace(/^--/, '').split('=');
    if (key === 'baseline' && value) {
      parsed.baseline = path.resolve(value);
      if (!fs.existsSync(path.join(parsed.baseline, 'dist', 'src', 'main.js'))) {
        usage(`${parsed.baseline}/dist/src/main.js is missing: build the baseline first`);
      }
    } else if (key === 'env' && value) {
      const assignment = arg.slice(arg.indexOf('=') + 1);
      parsed.env[assignment.slice(0, assignment.indexOf('='))] = assignment.slice(assignment.indexOf('=') + 1);
    } else if (key === 'rules' && (value === undefined || value === 'tenth')) {
      parsed.rules = value ?? 'all';
    } else if (['profile', 'build', 'close', 'keep'].includes(key) && value === undefined) {
      parsed[key] = true;
    } else if (key === 'only' && value) {
      parsed.only = value.split(',');
      const unknown = parsed.only.filter((name) => !TARGETS.includes(name));
      if (unknown.length > 0) {
        usage(`unknown target ${unknown.join(', ')}`);
      }
    } else if (key === 'client-rules' && /^\d*$/.test(value ?? '')) {
      parsed.clientRules = value ? Math.min(Number(value), MAX_CLIENT_RULES) : 100;
    } else if (key === 'redis-url' && value) {
      parsed.redisUrl = value;
    } else if (
      (['duration', 'rounds', 'warmup', 'connections', 'threads', 'torrents', 'users'].includes(key) &&
        Number(value) > 0) ||
      (['peers', 'promotions'].includes(key) && /^\d+$/.test(value ?? ''))
    ) {
      parsed[key] = Math.floor(Number(value));
    } else {
      usage(`unknown option ${arg}`);
    }
  }
  return parsed;
}

function usage(problem) {
  console.error(`${problem}
usage: npm run bench -- [--only=ceiling,memory,redis] [--rounds=3] [--duration=10] [--warmup=30] [--connections=64]
                        [--threads=2]
                        [--torrents=5000] [--users=50] [--peers=100000 (0: a new peer every announce)] [--redis-url=redis://…] [--profile] [--build]
                        [--close] [--keep] [--baseline=<checkout with dist/>] [--env=NAME=value]
                        [--client-rules[=100] (block-list entries, at most ${MAX_CLIENT_RULES}, and the User-Agent check)]
                        [--promotions=<tokens, e.g. 1000000>] [--rules[=tenth]]`);
  process.exit(2);
}

function printHeader(options) {
  const wrkVersion = safe(() => execFileSync('wrk', ['-v'], { encoding: 'utf8' }));
  console.log(
    `tracker bench: ${options.torrents} torrents, ${options.users} users, ` +
      (options.peers > 0 ? `${options.peers} peers announcing again and again` : 'a new random peer every announce') +
      `, wrk -t${options.threads} -c${options.connections}, ` +
      `${options.warmup} s warm-up, then ${options.rounds} interleaved rounds of ${options.duration} s per store` +
      (options.close ? ', Connection: close' : ', keep-alive'),
  );
  console.log(
    `node ${process.version}, ${os.cpus().length} CPUs, load average ${os
      .loadavg()
      .map((n) => n.toFixed(2))
      .join(' ')}` + (wrkVersion ? `, ${wrkVersion.split('\n')[0].split(' [')[0]}` : ''),
  );
}

function ensureWrk() {
  if (installed('wrk')) {
    return;
  }
  if (process.getuid?.() === 0 && fs.existsSync('/usr/bin/apt-get')) {
    console.log('wrk is missing: apt-get install -y wrk');
    execFileSync('apt-get', ['install', '-y', '-q', 'wrk'], { stdio: 'inherit', timeout: 180_000 });
    return;
  }
  throw new Error('wrk is not installed (Debian: apt-get install wrk)');
}

/** Builds when dist/ is missing; a stale build is only reported (others may be using it), unless --build. */
function ensureBuild(options) {
  if (!fs.existsSync(ENTRY) || options.build) {
    console.log('building: npx nest build');
    execFileSync('npx', ['nest', 'build'], { cwd: ROOT, stdio: 'inherit' });
    return;
  }
  const builtAt = fs.statSync(ENTRY).mtimeMs;
  const newest = (dir) =>
    fs.readdirSync(dir, { withFileTypes: true }).reduce((latest, entry) => {
      const full = path.join(dir, entry.name);
      return Math.max(latest, entry.isDirectory() ? newest(full) : fs.statSync(full).mtimeMs);
    }, 0);
  if (newest(path.join(ROOT, 'src')) > builtAt) {
    console.log('note: src/ is newer than dist/: this measures the last build (pass --build to rebuild first)');
  }
}

function safe(fn) {
  try {
    return fn();
  } catch (error) {
    return error.stdout ? String(error.stdout) : '';
  }
}

/** Whether a command is on the PATH. */
function installed(command) {
  return safe(() => execFileSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' })).trim() !== '';
}

module.exports = { ROOT, ENTRY, NODE_FLAGS, TARGETS, parseOptions, printHeader, ensureWrk, ensureBuild, installed };
