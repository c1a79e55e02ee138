/**
 * Runs work queued during one poll phase of the event loop together, in the check phase (setImmediate), in the
 * order it was queued. Node hands each socket's data to its own callback and runs the tick and microtask queues
 * after each one, so work started from a request handler runs between the parsing of one request and the next.
 * Deferred, the announces of a poll phase run back to back:
 * - their code and data stay in the CPU's caches between them, where the HTTP stack in between used to push
 *   them out: in the bench, the announce pipeline cost ~30 µs in the server against ~8 µs in-process;
 * - the Redis commands they issue go out in one write, because ioredis flushes its autopipeline on
 *   process.nextTick, which then runs once for all of them.
 * The delay is the rest of the poll phase.
 */
export class CheckPhaseBatch {
  private queued: Array<() => void> = [];

  /** Calls `work` in the check phase and settles as its promise does. */
  run<T>(work: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.queued.length === 0) {
        setImmediate(() => this.runAll());
      }
      this.queued.push(() => {
        try {
          work().then(resolve, reject);
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      });
    });
  }

  private runAll(): void {
    const queued = this.queued;
    this.queued = [];
    for (const work of queued) {
      work();
    }
  }
}
