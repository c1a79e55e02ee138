/**
 * Promotions as the lookup cache holds them and announces evaluate them, packed so that millions cost little:
 * each promotion is 4 numbers in a Float64Array, [uploadFactor, downloadFactor, startsAt, endsAt] (epoch ms,
 * -Infinity / Infinity when open). A user's tokens (user × torrent) add their info hashes, sorted, as one string of
 * 40 characters each, and the first 32 bits of each after the windows, which the search halves (the string is
 * compared only where those bits match): no Map entry, no string and no object per token.
 */
export type PromotionWindows = Float64Array;

export interface PromotionTokens {
  /** Sorted 40-character lowercase info hashes, concatenated; token i is characters 40i to 40i + 39. */
  readonly infoHashes: string;
  /** Token i's window at 4i; after the n windows, token i's first 8 hex digits as a number at 4n + i. */
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
  const windows = new Float64Array(count * (STRIDE + 1));
  sorted.forEach((token, i) => {
    writeWindow(windows, i, token);
    windows[count * STRIDE + i] = prefixOf(token.infoHash!);
  });
  return { infoHashes: sorted.map((token) => token.infoHash!).join(''), windows };
}

/** The first 8 hex digits of a lowercase info hash, as a number. */
function prefixOf(infoHash: string): number {
  let value = 0;
  for (let i = 0; i < 8; i++) {
    const code = infoHash.charCodeAt(i);
    value = value * 16 + (code <= 57 ? code - 48 : code - 87);
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
  const count = tokens.infoHashes.length / HASH;
  const prefixes = count * STRIDE;
  const prefix = prefixOf(infoHash);
  let low = 0;
  let high = count;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (windows[prefixes + middle] < prefix) {
      low = middle + 1;
    } else {
      high = middle;
    }
  }
  // Among the tokens sharing the prefix (almost always one or none), the first whose whole hash is not smaller.
  while (low < count && windows[prefixes + low] === prefix) {
    const order = compareAt(tokens.infoHashes, low * HASH, infoHash);
    if (order === 0) {
      return low;
    }
    if (order > 0) {
      return -1;
    }
    low++;
  }
  return -1;
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
