import { Logger } from '@nestjs/common';
import type { Cluster, Redis } from 'ioredis';
import type { PeerTotals } from 'src/peers/peer-store.types';
import type { RedisKeys } from 'src/peers/redis/redis-keys';

/** Where a peer is counted: its role and its last announce (ms). */
export interface CountedPeer {
  seeder: boolean;
  lastAnnounce: number;
}

/** Seconds of announces per counter hash; each hash expires 2 TTL after its last write. */
const WINDOW_SECONDS = 600;
const FLUSH_DELAY_MS = 1000;

/**
 * Tracker-wide live seeders and leechers, without an O(swarms) walk and without a key in every swarm's slot.
 * Every peer is counted +1 in the one-second bucket of its last announce, under its role: an announce moves it from
 * its previous bucket to the current one, a stop or removal takes it out. A peer that falls silent is never
 * decremented: its bucket simply drops out of the sum once older than the TTL, so lost updates (a crash before a
 * flush) heal themselves within one TTL. Totals at `now` sum the buckets from `now - TTL` on, so they are exact to
 * the second for this instance's announces and lag other instances by at most a flush (about a second).
 * Buckets live in hashes of 10 minutes of seconds (`{~}:n:<window>`, fields `s<second>` / `l<second>`), written by
 * batched HINCRBYs at most once a second per instance.
 */
export class RedisPeerCounters {
  private readonly logger = new Logger(RedisPeerCounters.name);
  /** Unflushed deltas: window → field → delta. */
  private pending = new Map<number, Map<string, number>>();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly client: Redis | Cluster,
    private readonly keys: RedisKeys,
    private readonly ttlMs: number,
  ) {}

  /** A peer moved from `before` (null: it was not counted) to `after` (null: it is gone). */
  move(before: CountedPeer | null, after: CountedPeer | null): void {
    if (before && after && before.seeder === after.seeder && second(before) === second(after)) {
      return;
    }
    if (before) {
      this.add(before, -1);
    }
    if (after) {
      this.add(after, 1);
    }
  }

  async totals(now: number): Promise<PeerTotals> {
    await this.flush();
    const from = Math.floor((now - this.ttlMs) / 1000);
    const windows: number[] = [];
    for (let w = Math.floor(from / WINDOW_SECONDS); w <= Math.floor(now / 1000 / WINDOW_SECONDS) + 1; w++) {
      windows.push(w);
    }
    const hashes = await Promise.all(windows.map((w) => this.client.hgetall(this.keys.counters(w))));
    let seeders = 0;
    let leechers = 0;
    for (const hash of hashes) {
      for (const [field, value] of Object.entries(hash)) {
        if (Number(field.slice(1)) >= from) {
          if (field[0] === 's') {
            seeders += Number(value);
          } else {
            leechers += Number(value);
          }
        }
      }
    }
    // A decrement whose increment was lost in a crash can leave a bucket below zero until it ages out.
    seeders = Math.max(0, seeders);
    leechers = Math.max(0, leechers);
    return { peers: seeders + leechers, seeders, leechers };
  }

  /** Writes the pending deltas now (totals() and shutdown call it; otherwise a timer does, a second after a change). */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.flushing = this.flushing.then(() => this.write());
    return this.flushing;
  }

  /** Last flush; no timer after this. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
  }

  private add(peer: CountedPeer, delta: number): void {
    const sec = second(peer);
    const window = Math.floor(sec / WINDOW_SECONDS);
    const field = `${peer.seeder ? 's' : 'l'}${sec}`;
    let fields = this.pending.get(window);
    if (!fields) {
      fields = new Map();
      this.pending.set(window, fields);
    }
    fields.set(field, (fields.get(field) ?? 0) + delta);
    if (!this.timer && !this.closed) {
      this.timer = setTimeout(() => void this.flush(), FLUSH_DELAY_MS);
      this.timer.unref();
    }
  }

  private async write(): Promise<void> {
    const batch = this.pending;
    if (batch.size === 0) {
      return;
    }
    this.pending = new Map();
    const pipeline = this.client.pipeline();
    const sent: Array<[field: string, delta: number] | null> = [];
    for (const [window, fields] of batch) {
      const key = this.keys.counters(window);
      for (const [field, delta] of fields) {
        if (delta !== 0) {
          pipeline.hincrby(key, field, delta);
          sent.push([field, delta]);
        }
      }
      pipeline.pexpire(key, 2 * this.ttlMs + WINDOW_SECONDS * 1000);
      sent.push(null);
    }
    let results: Array<[Error | null, unknown]>;
    try {
      results = (await pipeline.exec()) ?? [];
    } catch (error) {
      results = sent.map(() => [error as Error, null]);
    }
    // Failed deltas would heal within a TTL anyway; keeping them for the next flush spares the wait.
    let failed = 0;
    results.forEach(([error], i) => {
      const command = sent[i];
      if (error && command) {
        failed++;
        this.add({ seeder: command[0][0] === 's', lastAnnounce: Number(command[0].slice(1)) * 1000 }, command[1]);
      }
    });
    if (failed > 0) {
      this.logger.warn(`${failed} peer counter updates failed; retrying`);
    }
  }
}

function second(peer: CountedPeer): number {
  return Math.floor(peer.lastAnnounce / 1000);
}
