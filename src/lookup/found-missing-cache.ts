import { LRUCache } from 'lru-cache';

/** Cached "not found": a flood of bad passkeys or hashes is answered from memory, never from PostgreSQL. */
export const MISSING = Symbol('missing');

export interface Cached<T> {
  value: T | typeof MISSING;
  loadedAt: number;
}

/**
 * An LRU of lookups whose "not found" entries live apart from the found ones, each bounded on its own: a flood of
 * distinct unknown keys evicts other unknown keys, never the users and torrents that real announces need (issue 19).
 */
export class FoundMissingCache<T> {
  private readonly found: LRUCache<string, Cached<T>>;
  private readonly missing: LRUCache<string, Cached<T>>;

  constructor(maxFound: number, maxMissing: number) {
    this.found = new LRUCache({ max: maxFound });
    this.missing = new LRUCache({ max: maxMissing });
  }

  get(key: string): Cached<T> | undefined {
    return this.found.get(key) ?? this.missing.get(key);
  }

  /** A found entry, without touching its recency. */
  peekFound(key: string): Cached<T> | undefined {
    return this.found.peek(key);
  }

  set(key: string, entry: Cached<T>): void {
    if (entry.value === MISSING) {
      this.found.delete(key);
      this.missing.set(key, entry);
    } else {
      this.missing.delete(key);
      this.found.set(key, entry);
    }
  }

  delete(key: string): void {
    this.found.delete(key);
    this.missing.delete(key);
  }

  clear(): void {
    this.found.clear();
    this.missing.clear();
  }
}
