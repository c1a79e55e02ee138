import { LRUCache } from 'lru-cache';

export interface FailedLookupLimits {
  /** Failed lookups (unknown passkey or info hash) an address may make per window; 0 turns the limit off. */
  maxFailures: number;
  windowMs: number;
  /** Addresses tracked at once; the least recent are forgotten first. */
  maxAddresses?: number;
}

interface AddressRecord {
  windowStart: number;
  failures: number;
  /** 0 while not refused. */
  refusedUntil: number;
}

/**
 * Counts an address's announces and scrapes with unknown passkeys or info hashes. Past `maxFailures` within a window,
 * the address is refused until the window after it ends, without any lookup: guessing passkeys, or scraping random
 * hashes, then costs PostgreSQL nothing (issue 19 §5). Per instance.
 */
export class FailedLookupLimiter {
  private readonly records: LRUCache<string, AddressRecord>;

  constructor(private readonly limits: FailedLookupLimits) {
    this.records = new LRUCache({ max: limits.maxAddresses ?? 100_000 });
  }

  /** Milliseconds the address is still refused for, or 0. */
  refusedFor(address: string, now: number): number {
    if (this.limits.maxFailures === 0) {
      return 0;
    }
    const record = this.records.get(address);
    return record && record.refusedUntil > now ? record.refusedUntil - now : 0;
  }

  recordFailure(address: string, now: number): void {
    if (this.limits.maxFailures === 0) {
      return;
    }
    let record = this.records.get(address);
    if (!record || now - record.windowStart >= this.limits.windowMs) {
      record = { windowStart: now, failures: 0, refusedUntil: record?.refusedUntil ?? 0 };
      this.records.set(address, record);
    }
    record.failures++;
    if (record.failures > this.limits.maxFailures) {
      record.refusedUntil = now + this.limits.windowMs;
    }
  }

  /** Lifts a refusal (staff, or a test). */
  forget(address: string): void {
    this.records.delete(address);
  }
}
