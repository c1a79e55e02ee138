/** CONTRACT §4: deltas count only when neither running total went down; otherwise the baseline just resets. */
export function totalsMovedForward(baseUploaded: number, baseDownloaded: number, uploaded: number, downloaded: number) {
  return uploaded >= baseUploaded && downloaded >= baseDownloaded;
}

/** The default of MAX_TRANSFER_RATE: 100 Gbit/s, more than any one peer moves. */
export const DEFAULT_MAX_TRANSFER_RATE = 12_500_000_000;
/** The shortest time a transfer is measured over, so that two announces in one second still credit a burst. */
const MIN_TRANSFER_WINDOW_MS = 1000;

/**
 * A raw delta cut to what a peer can plausibly have moved since its previous announce: `bytesPerSecond` over the
 * time between them, at least a second. Nothing a client reports then makes a sum overflow (issue 19).
 */
export function plausibleDelta(rawDelta: number, elapsedMs: number, bytesPerSecond: number): number {
  return Math.min(rawDelta, Math.floor((bytesPerSecond * Math.max(elapsedMs, MIN_TRANSFER_WINDOW_MS)) / 1000));
}

/** Credited bytes for a raw delta: whole bytes, rounded down, and never past what a double holds exactly. */
export function creditedBytes(rawDelta: number, factor: number): number {
  return Math.min(Math.floor(rawDelta * factor), Number.MAX_SAFE_INTEGER);
}

/** Pending sums saturate at 2^53-1 instead of losing exactness (the database saturates its own columns). */
export function saturatingSum(a: number, b: number): number {
  return Math.min(a + b, Number.MAX_SAFE_INTEGER);
}

/**
 * Seed time (ms) earned by a re-announce: the time since the previous announce, if the peer was seeding then and
 * the gap is at most the peer TTL (a longer gap means the peer was gone in between).
 */
export function seedTimeSince(wasSeeder: boolean, previousAnnounce: number, now: number, peerTtlMs: number): number {
  const elapsed = now - previousAnnounce;
  return wasSeeder && elapsed > 0 && elapsed <= peerTtlMs ? elapsed : 0;
}
