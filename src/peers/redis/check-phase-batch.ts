/**
 * Issues commands together at the end of the event loop's poll phase, so that autopipelining sends every announce
 * of that phase in one write. ioredis flushes an autopipeline on process.nextTick, and Node runs the tick queue
 * after each socket's callback: an announce issued while its own HTTP request is handled went out in a write of its
 * own (a syscall each side, 5 µs of Node and more of Redis per announce on this project's box). setImmediate runs
 * after all of the phase's I/O callbacks; the delay is the rest of that phase.
 */
export class CheckPhaseBatch {
  private queued: Array<() => void> = [];

  /** Calls `issue` in the check phase and settles as its promise does. */
  run<T>(issue: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.queued.length === 0) {
        setImmediate(() => this.issueAll());
      }
      this.queued.push(() => {
        try {
          issue().then(resolve, reject);
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      });
    });
  }

  private issueAll(): void {
    const queued = this.queued;
    this.queued = [];
    for (const issue of queued) {
      issue();
    }
  }
}
