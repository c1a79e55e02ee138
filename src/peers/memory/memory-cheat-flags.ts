import { cheatSignals, uploadRateSince } from 'src/peers/cheat-signals.util';
import type { LivePeers } from 'src/peers/memory/live-peers';
import { NO_SLOT } from 'src/peers/memory/peer-slot-table';
import type { CheatFlag, PeerAnnounce, PeerStoreRules } from 'src/peers/peer-store.types';

const NO_FLAGS: readonly string[] = [];

/**
 * The memory store's cheat flags for an announce, read before it changes the peer (its previous state is the
 * evidence); null when none, which allocates nothing.
 */
export function memoryCheatFlags(
  peers: LivePeers,
  slot: number,
  a: PeerAnnounce,
  rawUploaded: number,
  rules: PeerStoreRules,
): CheatFlag[] | null {
  const s = peers.slots;
  const known = slot !== NO_SLOT && a.event !== 'started';
  const swarm = peers.swarms.get(a.infoHash);
  const leechers = swarm?.leechers.count ?? 0;
  const selfLeeching = slot !== NO_SLOT && !s.isSeeder(slot);
  // The common announce raises nothing: find that out without allocating (this runs on every announce).
  const completedEmpty = a.event === 'completed' && a.downloaded === 0;
  const policyFlags = a.policyFlags ?? NO_FLAGS;
  if (!completedEmpty && policyFlags.length === 0) {
    if (!known || rawUploaded <= 0) {
      return null;
    }
    const last = s.lastAnnounce[slot];
    const lonely = leechers - (selfLeeching ? 1 : 0) === 0 && (swarm?.lastLeecherLeftAt ?? 0) < last;
    const fast =
      rules.maxUploadRate > 0 && uploadRateSince(a.uploaded - s.uploaded[slot], a.now - last) > rules.maxUploadRate;
    if (!lonely && !fast) {
      return null;
    }
  }
  const previous = known
    ? { uploaded: s.uploaded[slot], downloaded: s.downloaded[slot], lastAnnounce: s.lastAnnounce[slot] }
    : null;
  const signals = cheatSignals({
    event: a.event,
    uploaded: a.uploaded,
    downloaded: a.downloaded,
    previous,
    rawUploaded,
    now: a.now,
    otherLeechers: leechers - (selfLeeching ? 1 : 0),
    lastLeecherLeftAt: swarm?.lastLeecherLeftAt ?? 0,
    maxUploadRate: rules.maxUploadRate,
  });
  const kinds: string[] | null = policyFlags.length > 0 ? [...(signals ?? []), ...policyFlags] : signals;
  if (!kinds) {
    return null;
  }
  const evidence = {
    announce: {
      peerId: a.peerId.toString('hex'),
      uploaded: a.uploaded,
      downloaded: a.downloaded,
      left: a.left,
      event: a.event,
    },
    previous: previous && { ...previous, left: s.left[slot] },
    swarm: { seeders: swarm?.seeders.count ?? 0, leechers },
    uploadRate: previous ? uploadRateSince(a.uploaded - previous.uploaded, a.now - previous.lastAnnounce) : 0,
    withheld: rules.cheatPolicy === 'withhold',
  };
  return kinds.map((kind) => ({ userId: a.userId, infoHash: a.infoHash, kind, announcedAt: a.now, evidence }));
}
