'use strict';
// One target's measurement: a warm-up wrk run, then the measured run, with the CPU time of every process around it.
const fixtures = require('./fixtures');
const proc = require('./processes');
const { runWrk } = require('./wrk');

/**
 * A warm-up run, then the measured run with the CPU time of the server (`pids.node`, the PostgreSQL backends of
 * `pids.database`, `pids.redis`), wrk and the whole machine around it. With --profile, SIGWINCH brackets the measured
 * run for profiler-preload.js. With a Redis client, also the commands per announce from INFO commandstats.
 */
async function measure(options, url, pool, pids, redisClient = null) {
  const load = { url, connections: options.connections, threads: options.threads, pool, close: options.close };
  console.log(`   warm-up ${options.warmup} s`);
  await runWrk({ ...load, seconds: options.warmup });
  // The server's processes: node, and for the tracker its PostgreSQL backends and (redis store) redis-server.
  const serverPids = { node: [pids.node], pg: pids.database ? await fixtures.backendPids(pids.database) : [] };
  if (pids.redis) {
    serverPids.redis = [pids.redis];
  }
  const cpu = () => {
    const sample = { at: Date.now(), wrk: proc.reapedChildrenCpuSeconds(), machine: proc.machineBusySeconds() };
    for (const [part, list] of Object.entries(serverPids)) {
      sample[part] = list.map((pid) => proc.processCpuSeconds(pid) ?? 0).reduce((a, b) => a + b, 0);
    }
    return sample;
  };
  console.log(`   measuring ${options.duration} s at ${options.connections} connections`);
  const toggleProfiler = () => options.profile && process.kill(pids.node, 'SIGWINCH');
  toggleProfiler();
  const commandsBefore = redisClient && (await fixtures.redisCommandStats(redisClient));
  const start = cpu();
  const result = await runWrk({ ...load, seconds: options.duration });
  const end = cpu();
  toggleProfiler();
  const commandsAfter = redisClient && (await fixtures.redisCommandStats(redisClient));
  const wall = (end.at - start.at) / 1000;
  const used = (key) => (start[key] === null || end[key] === null ? null : end[key] - start[key]);
  const parts = {};
  for (const part of Object.keys(serverPids)) {
    parts[part] = (used(part) * 1e6) / result.requests;
  }
  const server = Object.keys(serverPids).reduce((sum, part) => sum + used(part), 0);
  const [wrk, machine] = [used('wrk'), used('machine')];
  return {
    status: 'ok',
    requests: result.requests,
    rps: result.rps,
    p50: result.p50_ms,
    p90: result.p90_ms,
    p99: result.p99_ms,
    p999: result.p999_ms,
    max: result.max_ms,
    failures: result.failures + result.bad_body,
    non2xx: result.non200,
    socketErrors: result.errors_connect + result.errors_read + result.errors_write + result.errors_timeout,
    samples: result.samples || undefined,
    redisCommands: redisClient ? commandsPerAnnounce(commandsBefore, commandsAfter, result.requests) : undefined,
    cpu: {
      serverPercent: (100 * server) / wall,
      usPerAnnounce: (server * 1e6) / result.requests,
      /** µs per announce by process: node, and for the tracker pg (its database backends) and redis. */
      parts,
      wrkPercent: wrk === null ? null : (100 * wrk) / wall,
      // Clamped: /proc tick rounding can make it a little negative on an idle machine.
      otherPercent: machine === null ? null : Math.max(0, (100 * (machine - server - (wrk ?? 0))) / wall),
    },
  };
}

/** Redis commands sent per announce during the measured run, with Redis's own time per call, busiest first. */
function commandsPerAnnounce(before, after, requests) {
  const rows = [];
  for (const [command, { calls, usec }] of after) {
    const previous = before.get(command) ?? { calls: 0, usec: 0 };
    const delta = calls - previous.calls;
    if (delta / requests >= 0.01) {
      rows.push({ command, perAnnounce: delta / requests, usPerCall: (usec - previous.usec) / delta });
    }
  }
  return rows.sort((a, b) => b.perAnnounce * b.usPerCall - a.perAnnounce * a.usPerCall);
}

module.exports = { measure };
