/**
 * A readable client tag from a peer_id: the Azureus-style `-qB4520-` prefix when there is one,
 * else the leading printable characters (e.g. `A2-1-36-0-` for aria2, `M7-2-1--` for mainline).
 */
export function clientOf(peerId: Buffer): string {
  const azureus = peerId.toString('latin1', 0, 8);
  if (/^-[A-Za-z0-9~]{2}[A-Za-z0-9.]{4}-$/.test(azureus)) {
    return azureus;
  }
  let end = 0;
  while (end < peerId.length && peerId[end] >= 0x21 && peerId[end] <= 0x7e) {
    end++;
  }
  return peerId.toString('latin1', 0, Math.min(end, 10));
}
