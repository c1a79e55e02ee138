'use strict';
// Measurement of the targets: a warm-up each, then rounds in which every target gets one wrk run in turn, so a
// change of the machine's speed during the bench (a shared 2-core VM drifts by tens of percent over minutes) hits
// every target alike and the ratios to the ceiling stay fair. The rounds of a target are then added up.
const fixtures = require('./fixtures');
const proc = require('./processes');
const { runWrk } = require('./wrk');

function loadOf(options, target) {
  return {
    url: target.url,
    connections: options.connections,
    threads: options.threads,
    pool: target.pool,
    peers: options.peers,
    close: options.close,
  };
}

/** Share of the bench's peers that must be in their swarms before the rounds start (see warmUp). */
const JOINED_BEFORE_ROUNDS = 0.98;
/** A warm-up extended this many times at most (10 s each); a row that still lags says so in the log. */
const MAX_EXTRA_WARMUPS = 12;

/**
 * The warm-up, then 10 s more at a time until nearly every peer has joined (`target.peersNow`, trackers only): a peer
 * that joins during the rounds costs more than a re-announce, so a build slower at warming up would otherwise pay for
 * more joins in its rounds than the one it is compared with.
 */
async function warmUp(options, target) {
  await runWrk({ ...loadOf(options, target), seconds: options.warmup });
  if (!target.peersNow || options.peers === 0) {
    return;
  }
  for (let extra = 0; extra < MAX_EXTRA_WARMUPS; extra++) {
    const joined = await target.peersNow();
    if (joined >= JOINED_BEFORE_ROUNDS * options.peers) {
      return;
    }
    console.log(`   ${joined} of ${options.peers} peers joined: 10 s more`);
    await runWrk({ ...loadOf(options, target), seconds: 10 });
  }
  console.log(`   ${await target.peersNow()} of ${options.peers} peers joined after the longest warm-up`);
}

/**
 * CPU seconds so far of each of the server's processes, by part: node, its PostgreSQL backends (listed afresh each
 * time: the pool closes idle connections while other targets are measured) and redis-server.
 */
async function serverCpu(target) {
  const pids = {
    node: [target.pids.node],
    pg: target.pids.database ? await fixtures.backendPids(target.pids.database) : [],
    redis: target.pids.redis ? [target.pids.redis] : [],
  };
  const sample = {};
  for (const [part, list] of Object.entries(pids)) {
    sample[part] = proc.cpuSample(list);
  }
  return sample;
}

/** CPU used between two samples, by part; a process that started in between counts from zero. */
function cpuBetween(start, end) {
  const used = {};
  for (const [part, pids] of Object.entries(end)) {
    used[part] = proc.cpuSecondsSince(start[part], pids);
  }
  return used;
}

/**
 * The tracker's own event-loop and GC figures from its /metrics (prom-client's default metrics): GC seconds so far
 * by kind, and the event-loop lag p99 and max since the previous scrape (prom-client resets them on every scrape).
 */
async function loopStats(metricsUrl) {
  const text = await (await fetch(metricsUrl)).text();
  const value = (pattern) => Number(pattern.exec(text)?.[1] ?? NaN);
  const gc = {};
  for (const kind of ['minor', 'major', 'incremental']) {
    gc[kind] = value(new RegExp(`^nodejs_gc_duration_seconds_sum\\{kind="${kind}"\\} (\\S+)`, 'm'));
  }
  return {
    gc,
    lagP99: value(/^nodejs_eventloop_lag_p99_seconds (\S+)/m),
    lagMax: value(/^nodejs_eventloop_lag_max_seconds (\S+)/m),
  };
}

/**
 * One measured wrk run with the CPU time of the server (node, its PostgreSQL backends, redis-server), wrk and the
 * whole machine around it. With `profile`, SIGWINCH brackets the run for profiler-preload.js. With a Redis client,
 * also the Redis commands sent during the run (INFO commandstats). For a tracker, also its event-loop lag and GC
 * time during the run: what a p99 above the ceiling's is made of.
 */
async function measureRound(options, target, profile) {
  const machine = () => ({ at: Date.now(), wrk: proc.reapedChildrenCpuSeconds(), machine: proc.machineBusySeconds() });
  const toggleProfiler = () => profile && process.kill(target.pids.node, 'SIGWINCH');
  toggleProfiler();
  const loopBefore = target.metricsUrl && (await loopStats(target.metricsUrl));
  const commandsBefore = target.redis && (await fixtures.redisCommandStats(target.redis));
  const serverStart = await serverCpu(target);
  const kernelStart = proc.processKernelSide(target.pids.node);
  const threadsStart = proc.threadCpuSeconds(target.pids.node);
  const start = machine();
  const result = await runWrk({ ...loadOf(options, target), seconds: options.duration });
  const end = machine();
  const kernelEnd = proc.processKernelSide(target.pids.node);
  const threadsEnd = proc.threadCpuSeconds(target.pids.node);
  const serverEnd = await serverCpu(target);
  toggleProfiler();
  const loopAfter = target.metricsUrl && (await loopStats(target.metricsUrl));
  const commandsAfter = target.redis && (await fixtures.redisCommandStats(target.redis));
  const used = (key) => (start[key] === null || end[key] === null ? null : end[key] - start[key]);
  return {
    result,
    wall: (end.at - start.at) / 1000,
    parts: cpuBetween(serverStart, serverEnd),
    nodeKernel:
      kernelStart && kernelEnd
        ? {
            systemSeconds: kernelEnd.systemSeconds - kernelStart.systemSeconds,
            syscalls: kernelEnd.syscalls - kernelStart.syscalls,
          }
        : null,
    nodeThreads:
      threadsStart && threadsEnd
        ? { main: threadsEnd.main - threadsStart.main, others: threadsEnd.others - threadsStart.others }
        : null,
    wrk: used('wrk'),
    machine: used('machine'),
    commands: target.redis ? commandDeltas(commandsBefore, commandsAfter) : null,
    loop: loopAfter ? loopBetween(loopBefore, loopAfter) : null,
  };
}

function loopBetween(before, after) {
  const gcMs = (kind) => (after.gc[kind] - before.gc[kind]) * 1000;
  return {
    gcMs: { minor: gcMs('minor'), major: gcMs('major'), incremental: gcMs('incremental') },
    lagP99Ms: after.lagP99 * 1000,
    lagMaxMs: after.lagMax * 1000,
  };
}

/** Event-loop lag (median of the rounds' p99, worst max) and GC milliseconds per second of run, by kind. */
function combineLoops(rounds, wall) {
  if (rounds.some((r) => !r.loop)) {
    return undefined;
  }
  const gcPerSecond = (kind) => rounds.reduce((total, r) => total + r.loop.gcMs[kind], 0) / wall;
  return {
    lagP99Ms: median(rounds.map((r) => r.loop.lagP99Ms)),
    lagMaxMs: Math.max(...rounds.map((r) => r.loop.lagMaxMs)),
    gcMsPerSecond: {
      minor: gcPerSecond('minor'),
      major: gcPerSecond('major'),
      incremental: gcPerSecond('incremental'),
    },
  };
}

/**
 * A target's rounds added up: throughput and CPU per announce over all of them; latency percentiles as the median
 * of the rounds' (wrk reports percentiles, which cannot be merged exactly), the worst round's p99 beside it.
 */
function combineRounds(rounds) {
  const sum = (pick) => rounds.reduce((total, round) => total + pick(round), 0);
  const requests = sum((r) => r.result.requests);
  const seconds = sum((r) => r.result.seconds);
  const wall = sum((r) => r.wall);
  const parts = {};
  for (const part of Object.keys(rounds[0].parts)) {
    parts[part] = (sum((r) => r.parts[part] ?? 0) * 1e6) / requests;
  }
  const server = Object.keys(rounds[0].parts).reduce((total, part) => total + sum((r) => r.parts[part] ?? 0), 0);
  const anyNull = (key) => rounds.some((r) => r[key] === null);
  const wrk = anyNull('wrk') ? null : sum((r) => r.wrk);
  const machine = anyNull('machine') ? null : sum((r) => r.machine);
  const figure = (key) => median(rounds.map((r) => r.result[key]));
  return {
    status: 'ok',
    rounds: rounds.length,
    requests,
    rps: requests / seconds,
    roundRps: rounds.map((r) => Math.round(r.result.rps)),
    p50: figure('p50_ms'),
    p90: figure('p90_ms'),
    p99: figure('p99_ms'),
    worstP99: Math.max(...rounds.map((r) => r.result.p99_ms)),
    p999: figure('p999_ms'),
    max: Math.max(...rounds.map((r) => r.result.max_ms)),
    failures: sum((r) => r.result.failures + r.result.bad_body),
    non2xx: sum((r) => r.result.non200),
    socketErrors: sum(
      (r) => r.result.errors_connect + r.result.errors_read + r.result.errors_write + r.result.errors_timeout,
    ),
    samples:
      rounds
        .map((r) => r.result.samples)
        .filter(Boolean)
        .join('\n') || undefined,
    redisCommands: rounds[0].commands ? commandsPerAnnounce(rounds, requests) : undefined,
    loop: combineLoops(rounds, wall),
    nodeKernel: rounds.some((r) => !r.nodeKernel)
      ? undefined
      : {
          systemUsPerAnnounce: (sum((r) => r.nodeKernel.systemSeconds) * 1e6) / requests,
          syscallsPerAnnounce: sum((r) => r.nodeKernel.syscalls) / requests,
        },
    nodeThreads: rounds.some((r) => !r.nodeThreads)
      ? undefined
      : {
          mainUsPerAnnounce: (sum((r) => r.nodeThreads.main) * 1e6) / requests,
          othersUsPerAnnounce: (sum((r) => r.nodeThreads.others) * 1e6) / requests,
        },
    cpu: {
      serverPercent: (100 * server) / wall,
      usPerAnnounce: (server * 1e6) / requests,
      /** µs per announce by process: node, and for the tracker pg (its database backends) and redis. */
      parts,
      wrkPercent: wrk === null ? null : (100 * wrk) / wall,
      // Clamped: /proc tick rounding can make it a little negative on an idle machine.
      otherPercent: machine === null ? null : Math.max(0, (100 * (machine - server - (wrk ?? 0))) / wall),
    },
  };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function commandDeltas(before, after) {
  const deltas = new Map();
  for (const [command, { calls, usec }] of after) {
    const previous = before.get(command) ?? { calls: 0, usec: 0 };
    deltas.set(command, { calls: calls - previous.calls, usec: usec - previous.usec });
  }
  return deltas;
}

/** Redis commands sent per announce over all rounds, with Redis's own time per call, busiest first. */
function commandsPerAnnounce(rounds, requests) {
  const totals = new Map();
  for (const { commands } of rounds) {
    for (const [command, { calls, usec }] of commands) {
      const total = totals.get(command) ?? { calls: 0, usec: 0 };
      totals.set(command, { calls: total.calls + calls, usec: total.usec + usec });
    }
  }
  const rows = [];
  for (const [command, { calls, usec }] of totals) {
    if (calls / requests >= 0.01) {
      rows.push({ command, perAnnounce: calls / requests, usPerCall: usec / calls });
    }
  }
  return rows.sort((a, b) => b.perAnnounce * b.usPerCall - a.perAnnounce * a.usPerCall);
}

module.exports = { warmUp, measureRound, combineRounds, median };
