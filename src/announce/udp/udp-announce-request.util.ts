import { checkedCount, checkedPort, requestedNumwant, unknownEvent } from 'src/announce/protocol/announce-fields.util';
import type { AnnounceRequest } from 'src/announce/protocol/announce-request';
import type { UdpAnnounceRequest } from 'src/announce/udp/udp-packet.codec';
import type { AnnounceEvent } from 'src/peers/peer-store.types';

/** BEP 15's event numbers. */
const EVENTS: readonly AnnounceEvent[] = ['none', 'completed', 'started', 'stopped'];

/**
 * A UDP announce as the core's AnnounceRequest, under the rules the HTTP decoder applies (announce-fields.util);
 * throws the same AnnounceFailure for the same bad value. `maxPeers` is how many peers of the packet's family fit
 * one datagram: a larger numwant (or default, NUMWANT_DEFAULT) is lowered to it.
 */
export function udpAnnounceRequest(
  packet: UdpAnnounceRequest,
  { maxPeers, numwantDefault }: { maxPeers: number; numwantDefault: number },
): AnnounceRequest {
  const event = EVENTS[packet.event];
  if (event === undefined) {
    throw unknownEvent(String(packet.event));
  }
  const port = checkedPort(packet.port, event);
  return {
    infoHash: packet.infoHash.toString('hex'),
    // A copy: the store may keep it, and the packet's buffer should not live on through it.
    peerId: Buffer.from(packet.peerId),
    port,
    uploaded: checkedCount('uploaded', packet.uploaded),
    downloaded: checkedCount('downloaded', packet.downloaded),
    left: checkedCount('left', packet.left),
    event,
    compact: true,
    noPeerId: true,
    // -1 is BEP 15's "default".
    numwant: requestedNumwant(Math.min(packet.numWant < 0 ? numwantDefault : packet.numWant, maxPeers)),
  };
}
