/**
 * Gathers what is added during one tick and hands it over on process.nextTick, in calls of at most `maxPerCall`
 * items, in the order added: on a single Redis, the announces of a poll phase (CheckPhaseBatch) then share a script
 * call instead of paying one each.
 */
export class TickBatch<T> {
  private queued: T[] = [];

  constructor(
    private readonly maxPerCall: number,
    private readonly send: (items: T[]) => void,
  ) {}

  add(item: T): void {
    if (this.queued.length === 0) {
      process.nextTick(() => this.sendQueued());
    }
    this.queued.push(item);
  }

  private sendQueued(): void {
    const queued = this.queued;
    this.queued = [];
    for (let start = 0; start < queued.length; start += this.maxPerCall) {
      this.send(queued.slice(start, start + this.maxPerCall));
    }
  }
}
