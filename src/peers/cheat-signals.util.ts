import type { AnnounceEvent, StoreCheatFlagKind } from 'src/peers/peer-store.types';

/** What the store knows at an announce that the signals read; the Redis announce script computes the same. */
export interface CheatSignalInput {
  event: AnnounceEvent;
  uploaded: number;
  downloaded: number;
  /** The stored peer before this announce; null for a first one (or after `started`, which only sets a baseline). */
  previous: { uploaded: number; downloaded: number; lastAnnounce: number } | null;
  /** Upload credited by this announce, before any factor (0 when totals went backwards). */
  rawUploaded: number;
  now: number;
  /** Live leechers in the swarm other than this peer. */
  otherLeechers: number;
  /** When a leecher last left the swarm's leechers by completing or stopping (0: never seen). */
  lastLeecherLeftAt: number;
  /** MAX_UPLOAD_RATE in bytes a second; 0: not checked. */
  maxUploadRate: number;
}

/** Bytes a second uploaded since the previous announce, over at least a second, as plausibleDelta measures. */
export function uploadRateSince(uploadedDelta: number, elapsedMs: number): number {
  return Math.floor((uploadedDelta * 1000) / Math.max(elapsedMs, 1000));
}

/**
 * The store's cheat signals for one announce, or null for none (the common case allocates nothing):
 * - `completed_without_download`: `completed` with a downloaded total of 0;
 * - `upload_rate`: upload since the previous announce faster than MAX_UPLOAD_RATE;
 * - `upload_without_leechers`: upload credited while the swarm had no other leecher since the previous announce
 *   (none live now, and none left by completing or stopping after it).
 */
export function cheatSignals(input: CheatSignalInput): StoreCheatFlagKind[] | null {
  let kinds: StoreCheatFlagKind[] | null = null;
  if (input.event === 'completed' && input.downloaded === 0) {
    kinds = ['completed_without_download'];
  }
  const previous = input.previous;
  if (previous && input.rawUploaded > 0) {
    const rate = uploadRateSince(input.uploaded - previous.uploaded, input.now - previous.lastAnnounce);
    if (input.maxUploadRate > 0 && rate > input.maxUploadRate) {
      (kinds ??= []).push('upload_rate');
    }
    if (input.otherLeechers === 0 && input.lastLeecherLeftAt < previous.lastAnnounce) {
      (kinds ??= []).push('upload_without_leechers');
    }
  }
  return kinds;
}
