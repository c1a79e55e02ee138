import { udpAnnounceRequest } from 'src/announce/udp/udp-announce-request.util';
import { UdpAction, type UdpAnnounceRequest } from 'src/announce/udp/udp-packet.codec';

const limits = { maxPeers: 65, numwantDefault: 50 };

function packet(fields: Partial<UdpAnnounceRequest> = {}): UdpAnnounceRequest {
  return {
    action: UdpAction.Announce,
    connectionId: Buffer.alloc(8),
    transactionId: 1,
    infoHash: Buffer.alloc(20, 0xab),
    peerId: Buffer.from('-qB4520-kpE-BqAwwR7F'),
    downloaded: 1n,
    left: 2n,
    uploaded: 3n,
    event: 0,
    numWant: -1,
    port: 6881,
    urlData: null,
    ...fields,
  };
}

describe('a UDP announce as the core’s request', () => {
  it('maps BEP 15’s events and fields', () => {
    expect(udpAnnounceRequest(packet({ event: 2 }), limits)).toMatchObject({
      infoHash: 'ab'.repeat(20),
      event: 'started',
      uploaded: 3,
      downloaded: 1,
      left: 2,
      port: 6881,
      compact: true,
      numwant: 50,
    });
    expect(udpAnnounceRequest(packet({ event: 1 }), limits).event).toBe('completed');
    expect(udpAnnounceRequest(packet({ event: 3, port: 0 }), limits).event).toBe('stopped');
  });

  it('keeps numwant within one datagram', () => {
    expect(udpAnnounceRequest(packet({ numWant: 500 }), limits).numwant).toBe(65);
    expect(udpAnnounceRequest(packet({ numWant: 10 }), limits).numwant).toBe(10);
    expect(udpAnnounceRequest(packet({ numWant: -1 }), { maxPeers: 20, numwantDefault: 50 }).numwant).toBe(20);
  });

  it.each([
    [{ event: 4 }, 'Unknown event: 4.'],
    [{ port: 0 }, 'Invalid port: must be 1 to 65535.'],
    [{ uploaded: 2n ** 53n }, 'Invalid uploaded: must be a whole number from 0 to 2^53-1.'],
    [{ left: 2n ** 64n - 1n }, 'Invalid left: must be a whole number from 0 to 2^53-1.'],
  ])('refuses %o with the HTTP decoder’s sentence', (fields, sentence) => {
    expect(() => udpAnnounceRequest(packet(fields), limits)).toThrow(sentence);
  });
});
