import type { PeerSlotTable } from 'src/peers/memory/peer-slot-table';
import type { PeerEndpoint } from 'src/peers/peer-store.types';

/** A slot's live endpoints, most recently seen first (README: dual-stack peers). */
export function liveEndpoints(s: PeerSlotTable, slot: number, liveSince: number): PeerEndpoint[] {
  const own: PeerEndpoint = {
    ip: s.ipText(slot),
    port: s.port[slot],
    family: s.isIpv6(slot) ? 'ipv6' : 'ipv4',
    lastSeen: s.endpointSeen(slot, s.isIpv6(slot)),
  };
  if (!s.isDual(slot)) {
    return [own];
  }
  const entry = s.second.entryOf(slot);
  const second: PeerEndpoint = {
    ip: s.secondIpText(slot),
    port: s.second.port[entry],
    family: s.isIpv6(slot) ? 'ipv4' : 'ipv6',
    lastSeen: s.second.seen[entry],
  };
  const live = [own, second].filter((e) => e.lastSeen >= liveSince).sort((x, y) => y.lastSeen - x.lastSeen);
  return live.length > 0 ? live : [own];
}
