/**
 * Promotions as the lookup cache holds them and announces evaluate them, packed so that millions cost little:
 * each promotion is 4 numbers in a Float64Array, [uploadFactor, downloadFactor, startsAt, endsAt] (epoch ms,
 * -Infinity / Infinity when open). A user's tokens (user × torrent) add their info hashes, sorted, as one string of
 * 40 characters each, searched by halving: no Map entry and no string per token.
 */
export type PromotionWindows = Float64Array;

export interface PromotionTokens {
  /** Sorted 40-character lowercase info hashes, concatenated; token i is characters 40i to 40i + 39. */
  readonly infoHashes: string;
  /** Token i's window at 4i. */
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
  const windows = new Float64Array(sorted.length * STRIDE);
  sorted.forEach((token, i) => writeWindow(windows, i, token));
  return { infoHashes: sorted.map((token) => token.infoHash!).join(''), windows };
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
  let low = 0;
  let high = tokens.windows.length / STRIDE;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compareAt(tokens.infoHashes, middle * HASH, infoHash) < 0) {
      low = middle + 1;
    } else {
      high = middle;
    }
  }
  return low < tokens.windows.length / STRIDE && compareAt(tokens.infoHashes, low * HASH, infoHash) === 0 ? low : -1;
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
    const count = tokens.windows.length / STRIDE;
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
