/** CONTRACT §4: deltas count only when neither running total went down; otherwise the baseline just resets. */
export function totalsMovedForward(baseUploaded: number, baseDownloaded: number, uploaded: number, downloaded: number) {
  return uploaded >= baseUploaded && downloaded >= baseDownloaded;
}

/** Credited bytes for a raw delta: whole bytes, rounded down. */
export function creditedBytes(rawDelta: number, factor: number): number {
  return Math.floor(rawDelta * factor);
}

/**
 * Seed time (ms) earned by a re-announce: the time since the previous announce, if the peer was seeding then and
 * the gap is at most the peer TTL (a longer gap means the peer was gone in between).
 */
export function seedTimeSince(wasSeeder: boolean, previousAnnounce: number, now: number, peerTtlMs: number): number {
  const elapsed = now - previousAnnounce;
  return wasSeeder && elapsed > 0 && elapsed <= peerTtlMs ? elapsed : 0;
}
