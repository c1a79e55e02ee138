/**
 * Promotions as the lookup cache holds them and announces evaluate them, packed so that millions cost little:
 * each promotion is 4 numbers in a Float64Array, [uploadFactor, downloadFactor, startsAt, endsAt] (epoch ms,
 * -Infinity / Infinity when open). A user's tokens (user × torrent) add their info hashes, sorted, as one string of
 * 40 characters each, and after the windows an open-addressing hash table of those hashes: finding a token costs
 * one or two probes however many the user holds (a binary search among 20,000 tokens cost an announce microseconds
 * of cache misses). No Map entry, no string and no object per token.
 */
export type PromotionWindows = Float64Array;

export interface PromotionTokens {
  /** Sorted 40-character lowercase info hashes, concatenated; token i is characters 40i to 40i + 39. */
  readonly infoHashes: string;
  /**
   * Token i's window at 4i; after the n windows, the hash table: a power-of-two number of slots, each 0 (empty) or
   * 1 + the index of the first token on a hash, placed by its first and last 8 hex digits, linear probing.
   */
  readonly windows: PromotionWindows;
}

export interface PromotionWindowInput {
  infoHash?: string | null;
  uploadFactor: number;
  downloadFactor: number;
  startsAt: number | null;
  endsAt: number | null;
}

const STRIDE = 4;
const HASH = 40;

/** Nothing promoted: shared, never written. */
export const NO_PROMOTIONS: PromotionWindows = new Float64Array(0);

export function promotionWindows(promotions: readonly PromotionWindowInput[]): PromotionWindows {
  if (promotions.length === 0) {
    return NO_PROMOTIONS;
  }
  const windows = new Float64Array(promotions.length * STRIDE);
  promotions.forEach((promotion, i) => writeWindow(windows, i, promotion));
  return windows;
}

/** Tokens (each with its infoHash); null when there are none, so that announces test one field. */
export function promotionTokens(tokens: readonly PromotionWindowInput[]): PromotionTokens | null {
  if (tokens.length === 0) {
    return null;
  }
  const sorted = [...tokens].sort((a, b) => (a.infoHash! < b.infoHash! ? -1 : a.infoHash! > b.infoHash! ? 1 : 0));
  const count = sorted.length;
  // At most 2/3 full, so that a miss (the usual case: a token holder on another torrent) ends within a few probes.
  let slots = 2;
  while (slots < count * 1.5) {
    slots *= 2;
  }
  const windows = new Float64Array(count * STRIDE + slots);
  const table = count * STRIDE;
  sorted.forEach((token, i) => {
    writeWindow(windows, i, token);
    if (i === 0 || token.infoHash !== sorted[i - 1].infoHash) {
      let slot = slotOf(token.infoHash!, slots);
      while (windows[table + slot] !== 0) {
        slot = (slot + 1) & (slots - 1);
      }
      windows[table + slot] = i + 1;
    }
  });
  return { infoHashes: sorted.map((token) => token.infoHash!).join(''), windows };
}

/**
 * Where a hash's probing starts among `slots` (a power of two): its first and last 8 hex digits, mixed, so that
 * hashes sharing a prefix (or a suffix) still spread.
 */
function slotOf(infoHash: string, slots: number): number {
  let h = hexAt(infoHash, 0) ^ Math.imul(hexAt(infoHash, HASH - 8), 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  return (h ^ (h >>> 13)) & (slots - 1);
}

/** The 8 hex digits at `at` of a lowercase info hash, as a 32-bit integer. */
function hexAt(infoHash: string, at: number): number {
  let value = 0;
  for (let i = at; i < at + 8; i++) {
    const code = infoHash.charCodeAt(i);
    value = (value << 4) | (code <= 57 ? code - 48 : code - 87);
  }
  return value;
}

function writeWindow(windows: PromotionWindows, i: number, promotion: PromotionWindowInput): void {
  const at = i * STRIDE;
  windows[at] = promotion.uploadFactor;
  windows[at + 1] = promotion.downloadFactor;
  windows[at + 2] = promotion.startsAt ?? -Infinity;
  windows[at + 3] = promotion.endsAt ?? Infinity;
}

/** The index of the first token on `infoHash` (40 lowercase hex characters), or -1. */
export function firstToken(tokens: PromotionTokens, infoHash: string): number {
  const windows = tokens.windows;
  const table = (tokens.infoHashes.length / HASH) * STRIDE;
  const slots = windows.length - table;
  let slot = slotOf(infoHash, slots);
  for (;;) {
    const entry = windows[table + slot];
    if (entry === 0) {
      return -1;
    }
    // Another hash in this slot differs at once, almost always in its first character.
    if (compareAt(tokens.infoHashes, (entry - 1) * HASH, infoHash) === 0) {
      return entry - 1;
    }
    slot = (slot + 1) & (slots - 1);
  }
}

/** Compares the 40 characters at `at` with `infoHash`, without a substring. */
function compareAt(hashes: string, at: number, infoHash: string): number {
  for (let i = 0; i < HASH; i++) {
    const difference = hashes.charCodeAt(at + i) - infoHash.charCodeAt(i);
    if (difference !== 0) {
      return difference;
    }
  }
  return 0;
}

/**
 * The factors in force at an announce: the largest upload factor and the smallest download factor of every
 * promotion added whose window holds `now` (start inclusive, end exclusive). Reused across announces: no allocation.
 */
export class PromotionScan {
  upload = 1;
  download = 1;

  reset(): void {
    this.upload = 1;
    this.download = 1;
  }

  /** Every window in `windows`. */
  addAll(windows: PromotionWindows, now: number): void {
    this.addRange(windows, 0, windows.length / STRIDE, now);
  }

  /** The tokens of `tokens` on `infoHash`. */
  addTokens(tokens: PromotionTokens, infoHash: string, now: number): void {
    const first = firstToken(tokens, infoHash);
    if (first < 0) {
      return;
    }
    let end = first + 1;
    const count = tokens.infoHashes.length / HASH;
    while (end < count && compareAt(tokens.infoHashes, end * HASH, infoHash) === 0) {
      end++;
    }
    this.addRange(tokens.windows, first, end, now);
  }

  private addRange(windows: PromotionWindows, from: number, to: number, now: number): void {
    for (let i = from; i < to; i++) {
      const at = i * STRIDE;
      if (windows[at + 2] <= now && now < windows[at + 3]) {
        if (windows[at] > this.upload) {
          this.upload = windows[at];
        }
        if (windows[at + 1] < this.download) {
          this.download = windows[at + 1];
        }
      }
    }
  }
}
