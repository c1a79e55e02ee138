'use strict';
// Child processes of the benchmark (servers, wrk) and their CPU time, read from /proc.
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');

const CLOCK_TICKS = readClockTicks();
const live = new Set();

function readClockTicks() {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
}

/** A free TCP port on 127.0.0.1 (closed again at once; the server binds it a moment later). */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts a long-running server with its output appended to `logFile`. The returned handle knows whether the process
 * is still running, how it exited, and how to stop it by pid (SIGTERM, then SIGKILL after `timeoutMs`).
 */
function startServer(name, command, args, { env, cwd, logFile }) {
  const log = fs.openSync(logFile, 'a');
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', log, log] });
  fs.closeSync(log);
  const handle = {
    name,
    pid: child.pid,
    startedAt: Date.now(),
    running: true,
    exited: null,
    logFile,
    stop: (timeoutMs = 20_000) => stopChild(handle, timeoutMs),
    logTail: (lines = 30) => tail(logFile, lines),
  };
  handle.exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      handle.running = false;
      live.delete(handle);
      resolve(code ?? signal);
    });
    child.on('error', (error) => {
      handle.running = false;
      live.delete(handle);
      resolve(error.message);
    });
  });
  live.add(handle);
  return handle;
}

async function stopChild(handle, timeoutMs) {
  if (!handle.running) {
    return handle.exited;
  }
  process.kill(handle.pid, 'SIGTERM');
  const timer = setTimeout(() => handle.running && process.kill(handle.pid, 'SIGKILL'), timeoutMs);
  const result = await handle.exited;
  clearTimeout(timer);
  return result;
}

/** Kills whatever this script started and has not stopped yet (on errors and Ctrl-C). */
function killAll() {
  for (const handle of live) {
    try {
      process.kill(handle.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** Runs a command to completion, collecting its output. */
function run(command, args, { env, cwd, timeoutMs } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = timeoutMs ? setTimeout(() => child.kill('SIGKILL'), timeoutMs) : undefined;
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

function tail(file, lines) {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** CPU seconds (user + system, all threads) of a process; null when /proc does not show it. */
function processCpuSeconds(pid) {
  const fields = statFields(`/proc/${pid}/stat`);
  return fields ? (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS : null;
}

/** CPU seconds of each of these processes now: a sample for cpuSecondsSince. */
function cpuSample(pids) {
  return new Map(pids.map((pid) => [pid, processCpuSeconds(pid) ?? 0]));
}

/**
 * CPU seconds used between two samples of processes listed afresh for each (a pool opens and closes connections in
 * between): a process that started since counts from zero, and one that exited is left out rather than negative.
 */
function cpuSecondsSince(before, after) {
  let seconds = 0;
  for (const [pid, now] of after) {
    seconds += now - (before.get(pid) ?? 0);
  }
  return seconds;
}

/**
 * The tracker process's kernel side: system CPU seconds (all threads) and its read- and write-like system calls so
 * far (/proc/<pid>/io); null when /proc does not show them. Two builds' answers can cost the same user time and
 * differ in how many socket calls they make to Redis and PostgreSQL.
 */
function processKernelSide(pid) {
  const fields = statFields(`/proc/${pid}/stat`);
  let io;
  try {
    io = fs.readFileSync(`/proc/${pid}/io`, 'utf8');
  } catch {
    return null;
  }
  const count = (name) => Number(new RegExp(`^${name}: (\\d+)`, 'm').exec(io)?.[1] ?? NaN);
  return fields ? { systemSeconds: Number(fields[12]) / CLOCK_TICKS, syscalls: count('syscr') + count('syscw') } : null;
}

/**
 * Seconds a thread has run on a CPU, to the nanosecond (/proc/<pid>/task/<tid>/schedstat; the main thread's id is
 * the pid); null when /proc does not show it. /proc/<pid>/stat counts in 10 ms ticks, too coarse for a chunk of a
 * few thousand announces.
 */
function threadRunSeconds(pid, tid = pid) {
  try {
    return Number(fs.readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]) / 1e9;
  } catch {
    return null;
  }
}

/**
 * CPU seconds of a process's main thread (the thread whose id is the pid: Node's event loop) and of all its other
 * threads together (V8's GC and compiler workers, libuv's pool); null when /proc does not show them. Threads that
 * exited are gone from both, so take it over a run where the process keeps its threads.
 */
function threadCpuSeconds(pid) {
  let tids;
  try {
    tids = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return null;
  }
  let main = 0;
  let others = 0;
  for (const tid of tids) {
    const seconds = threadRunSeconds(pid, tid) ?? 0;
    if (Number(tid) === pid) {
      main = seconds;
    } else {
      others += seconds;
    }
  }
  return { main, others };
}

/** CPU seconds of this script's children that have exited and been reaped (wrk, once it has finished). */
function reapedChildrenCpuSeconds() {
  const fields = statFields('/proc/self/stat');
  return fields ? (Number(fields[13]) + Number(fields[14])) / CLOCK_TICKS : null;
}

/** Busy CPU seconds of the whole machine, summed over cores. */
function machineBusySeconds() {
  try {
    const [, ...values] = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
    const [user, nice, system, idle, iowait, irq, softirq, steal] = values.map(Number);
    void idle;
    void iowait;
    return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS;
  } catch {
    return null;
  }
}

/** Fields of a /proc stat line after the command name, which may contain spaces: index 0 is the state. */
function statFields(path) {
  try {
    const text = fs.readFileSync(path, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** Resident memory of a process in bytes. */
function rssBytes(pid) {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

module.exports = {
  freePort,
  startServer,
  killAll,
  run,
  processCpuSeconds,
  cpuSample,
  cpuSecondsSince,
  processKernelSide,
  threadCpuSeconds,
  threadRunSeconds,
  reapedChildrenCpuSeconds,
  machineBusySeconds,
  rssBytes,
};
