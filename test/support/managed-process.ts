import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

/** Keep the tail of a process's output: enough to diagnose a failure, bounded so a chatty client cannot eat memory. */
const LOG_LIMIT = 256 * 1024;

/** Every child still alive, so that a crashing or interrupted jest worker does not leave clients behind. */
const living = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) {
    return;
  }
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of living) {
      child.kill('SIGKILL');
    }
  });
}

export interface ManagedProcessOptions extends Pick<SpawnOptions, 'cwd' | 'env'> {
  /** A short label for diagnostics, e.g. `aria2 seeder`. */
  name: string;
}

/**
 * A child process whose output is captured and whose end is awaitable and bounded: `stop()` sends a signal,
 * waits, then SIGKILLs. Use it for every long-running process a test starts.
 */
export class ManagedProcess {
  readonly name: string;
  readonly pid: number;
  /** Resolves with the exit code (null when ended by a signal) once the process is gone. */
  readonly exited: Promise<number | null>;
  private output = '';
  private exitCode: number | null | undefined;
  private readonly child: ChildProcess;

  private constructor(child: ChildProcess, name: string) {
    this.child = child;
    this.name = name;
    this.pid = child.pid ?? -1;
    this.exited = new Promise((resolve) => {
      child.once('exit', (code) => {
        this.exitCode = code;
        living.delete(child);
        resolve(code);
      });
    });
    const append = (chunk: Buffer): void => {
      this.output += chunk.toString('utf8');
      if (this.output.length > LOG_LIMIT) {
        this.output = this.output.slice(-LOG_LIMIT);
      }
    };
    child.stdout?.on('data', append);
    child.stderr?.on('data', append);
    // A failed kill() is reported as an 'error' event; unhandled, it would crash the test process.
    child.on('error', (error) => append(Buffer.from(`\n[${name}: ${error.message}]\n`)));
  }

  /** Spawns `command args`; rejects if the executable cannot be started at all. */
  static async start(command: string, args: string[], options: ManagedProcessOptions): Promise<ManagedProcess> {
    installExitHook();
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (error) => reject(new Error(`${options.name}: cannot start ${command}: ${error.message}`)));
    });
    living.add(child);
    return new ManagedProcess(child, options.name);
  }

  get running(): boolean {
    return this.exitCode === undefined;
  }

  logs(): string {
    return this.output;
  }

  signal(signal: NodeJS.Signals): void {
    if (this.running) {
      this.child.kill(signal);
    }
  }

  /** Sends `signal`, waits up to `timeoutMs` for a graceful exit, then SIGKILLs. Resolves with the exit code. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 15_000): Promise<number | null> {
    if (!this.running) {
      return this.exitCode ?? null;
    }
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** SIGKILL and wait for the process to be reaped. */
  async kill(): Promise<void> {
    this.signal('SIGKILL');
    await this.exited;
  }
}
