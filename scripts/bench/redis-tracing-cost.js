'use strict';
// What the Redis command metrics (src/metrics/redis-command-metrics.ts) cost Node per command. They subscribe to
// ioredis's `ioredis:command` tracing channel, and while anything is subscribed ioredis builds a context for every
// command and wraps its promise (tracing.js): a cost paid whatever the subscriber does. This times the store's way of
// calling a script (EncodedScript, a poll phase's worth of calls at a time) with the metrics subscribed and not, in
// alternating blocks, and prints the median CPU per command of each. The channel is the process's: in
// `pipeline-cost.js --versus` the other build's commands are timed too, so that A/B charges this cost to both.
//   npm run build && node scripts/bench/redis-tracing-cost.js [commands per block=40000] [blocks=12]
// (Redis at REDIS_URL or 127.0.0.1:6379; the script it loads is `return 1`.)
const path = require('node:path');
const { Registry } = require('prom-client');
const { connectRedis } = require('./lib/fixtures');
const { median } = require('./lib/measure');

const dist = path.resolve(__dirname, '../../dist/src');
const { EncodedScript } = require(`${dist}/redis/encoded-script.js`);
const { observeRedisCommands } = require(`${dist}/metrics/redis-command-metrics.js`);
const { TallyCounter, TallyHistogram } = require(`${dist}/metrics/tally-metrics.js`);

const COMMANDS = Number(process.argv[2] ?? 40_000);
const BLOCKS = Number(process.argv[3] ?? 12);
const IN_FLIGHT = 14; // about what one poll phase sends in `npm run bench`

async function main() {
  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const { client, reason } = await connectRedis(url);
  if (!client) {
    throw new Error(`no Redis at ${url}: ${reason}`);
  }
  const script = new EncodedScript(client, 'return 1');
  const registry = new Registry();
  const duration = new TallyHistogram('duration', 'help', ['command'], [0.001, 0.01], registry);
  const errors = new TallyCounter('errors', 'help', ['command'], registry);
  const cpuPerCommand = async () => {
    const before = process.cpuUsage();
    let sent = 0;
    while (sent < COMMANDS) {
      const calls = Math.min(IN_FLIGHT, COMMANDS - sent);
      await Promise.all(Array.from({ length: calls }, () => script.call([], [])));
      sent += calls;
    }
    const spent = process.cpuUsage(before);
    return (spent.user + spent.system) / sent;
  };
  try {
    await cpuPerCommand(); // loads the script, lets V8 optimize
    const samples = { traced: [], untraced: [] };
    for (let block = 0; block < BLOCKS; block++) {
      const traced = block % 2 === 0;
      const stop = traced ? observeRedisCommands(duration, errors) : () => {};
      (traced ? samples.traced : samples.untraced).push(await cpuPerCommand());
      stop();
    }
    const [traced, untraced] = [median(samples.traced), median(samples.untraced)];
    console.log(
      `${traced.toFixed(2)} µs of Node CPU per command with the metrics subscribed, ${untraced.toFixed(2)} without: ` +
        `${(traced - untraced).toFixed(2)} µs (medians of ${samples.traced.length} and ${samples.untraced.length} blocks of ${COMMANDS})`,
    );
  } finally {
    client.disconnect();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
