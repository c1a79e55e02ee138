import fc from 'fast-check';
import {
  decodeUdpRequest,
  encodeAnnounceResponse,
  encodeConnectResponse,
  encodeErrorResponse,
  encodeScrapeResponse,
  MAX_UDP_SCRAPE_HASHES,
  PROTOCOL_ID,
  UdpAction,
  type UdpAnnounceRequest,
} from 'src/announce/udp/udp-packet.codec';

function connectPacket(transactionId = 7, protocolId = PROTOCOL_ID): Buffer {
  const packet = Buffer.alloc(16);
  packet.writeBigUInt64BE(protocolId, 0);
  packet.writeUInt32BE(0, 8);
  packet.writeUInt32BE(transactionId, 12);
  return packet;
}

function announcePacket(
  fields: { event?: number; numWant?: number; port?: number } = {},
  options: Buffer = Buffer.alloc(0),
) {
  const packet = Buffer.alloc(98);
  Buffer.from('0123456789abcdef', 'hex').copy(packet, 0);
  packet.writeUInt32BE(1, 8);
  packet.writeUInt32BE(0xdeadbeef, 12);
  packet.fill(0xaa, 16, 36);
  packet.write('-qB4520-kpE-BqAwwR7F', 36, 'latin1');
  packet.writeBigUInt64BE(1000n, 56);
  packet.writeBigUInt64BE(2000n, 64);
  packet.writeBigUInt64BE(3000n, 72);
  packet.writeUInt32BE(fields.event ?? 2, 80);
  packet.writeUInt32BE(0x7f000001, 84);
  packet.writeInt32BE(fields.numWant ?? -1, 92);
  packet.writeUInt16BE(fields.port ?? 6881, 96);
  return Buffer.concat([packet, options]);
}

/** BEP 41 URL data split into options of at most `chunk` bytes. */
function urlDataOptions(text: string, chunk = 255): Buffer {
  const parts: Buffer[] = [];
  for (let at = 0; at < text.length; at += chunk) {
    const piece = Buffer.from(text.slice(at, at + chunk), 'latin1');
    parts.push(Buffer.from([2, piece.length]), piece);
  }
  return Buffer.concat(parts);
}

describe('UDP packet codec (BEP 15, BEP 41)', () => {
  it('reads a connect and answers it with 16 bytes', () => {
    expect(decodeUdpRequest(connectPacket(42))).toEqual({ action: UdpAction.Connect, transactionId: 42 });
    const answer = encodeConnectResponse(42, Buffer.from('0102030405060708', 'hex'));
    expect(answer.toString('hex')).toBe('000000000000002a0102030405060708');
  });

  it('refuses a connect without the protocol id', () => {
    expect(decodeUdpRequest(connectPacket(42, 1n))).toMatchObject({ action: 'malformed', transactionId: 42 });
  });

  it('reads every announce field and ignores the IP field', () => {
    const request = decodeUdpRequest(announcePacket({ event: 3, numWant: 30, port: 51413 })) as UdpAnnounceRequest;
    expect(request).toMatchObject({
      action: UdpAction.Announce,
      transactionId: 0xdeadbeef,
      downloaded: 1000n,
      left: 2000n,
      uploaded: 3000n,
      event: 3,
      numWant: 30,
      port: 51413,
      urlData: null,
    });
    expect(request.connectionId.toString('hex')).toBe('0123456789abcdef');
    expect(request.infoHash.toString('hex')).toBe('aa'.repeat(20));
    expect(request.peerId.toString('latin1')).toBe('-qB4520-kpE-BqAwwR7F');
    expect(Object.keys(request)).not.toContain('ip');
  });

  it('joins URL data across several options, skipping NOPs, up to EndOfOptions', () => {
    const path = `/${'a'.repeat(32)}/announce?foo=bar`;
    const options = Buffer.concat([
      Buffer.from([1, 1]),
      urlDataOptions(path, 10),
      Buffer.from([0]),
      urlDataOptions('/ignored'),
    ]);
    expect((decodeUdpRequest(announcePacket({}, options)) as UdpAnnounceRequest).urlData).toBe(path);
  });

  it('reads libtorrent’s form: URL data in one option, no EndOfOptions', () => {
    const options = urlDataOptions('/0123456789abcdef0123456789abcdef/announce');
    expect((decodeUdpRequest(announcePacket({}, options)) as UdpAnnounceRequest).urlData).toBe(
      '/0123456789abcdef0123456789abcdef/announce',
    );
  });

  it('skips an unknown option by its length', () => {
    const options = Buffer.concat([Buffer.from([9, 3, 1, 2, 3]), urlDataOptions('/x/announce')]);
    expect((decodeUdpRequest(announcePacket({}, options)) as UdpAnnounceRequest).urlData).toBe('/x/announce');
  });

  it.each([
    ['a URL data option past the end', Buffer.from([2, 10, 0x2f])],
    ['an option type with no length', Buffer.from([2])],
    ['URL data over 1024 bytes', urlDataOptions('/'.repeat(1100))],
  ])('refuses %s', (_, options) => {
    expect(decodeUdpRequest(announcePacket({}, options))).toMatchObject({
      action: 'malformed',
      transactionId: 0xdeadbeef,
    });
  });

  it('reads a scrape of several hashes and refuses partial or too many hashes', () => {
    const head = Buffer.alloc(16);
    head.writeUInt32BE(2, 8);
    head.writeUInt32BE(5, 12);
    const hashes = Buffer.alloc(60, 0x11);
    expect(decodeUdpRequest(Buffer.concat([head, hashes]))).toMatchObject({
      action: UdpAction.Scrape,
      transactionId: 5,
    });
    expect(decodeUdpRequest(Buffer.concat([head, hashes.subarray(0, 59)]))).toMatchObject({ action: 'malformed' });
    expect(decodeUdpRequest(head)).toMatchObject({ action: 'malformed' });
    const tooMany = Buffer.alloc(20 * (MAX_UDP_SCRAPE_HASHES + 1));
    expect(decodeUdpRequest(Buffer.concat([head, tooMany]))).toMatchObject({ action: 'malformed' });
  });

  it('drops what is too short to carry a transaction id', () => {
    expect(decodeUdpRequest(Buffer.alloc(15))).toEqual({
      action: 'malformed',
      transactionId: null,
      reason: 'Packet too short.',
    });
  });

  it('encodes announce and scrape answers', () => {
    const peers = Buffer.from('7f0000011ae1', 'hex');
    const announce = encodeAnnounceResponse(9, { interval: 1800, leechers: 2, seeders: 3, peers });
    expect(announce.toString('hex')).toBe('0000000100000009' + '00000708' + '00000002' + '00000003' + '7f0000011ae1');
    const scrape = encodeScrapeResponse(9, [{ seeders: 1, completed: 2, leechers: 3 }]);
    expect(scrape.toString('hex')).toBe('0000000200000009' + '000000010000000200000003');
  });

  it('cuts an error to the size of the request it answers', () => {
    const full = encodeErrorResponse(1, 'Connection ID expired.')!;
    expect(full.readUInt32BE(0)).toBe(3);
    expect(full.subarray(8).toString()).toBe('Connection ID expired.');
    expect(encodeErrorResponse(1, 'Connection ID expired.', 16)!.length).toBe(16);
    expect(encodeErrorResponse(1, 'x', 7)).toBeNull();
  });

  describe('fuzzed', () => {
    it('never throws on any bytes, and names a transaction id exactly when there are 16 bytes', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 1500 }), (bytes) => {
          const decoded = decodeUdpRequest(Buffer.from(bytes));
          if (bytes.length < 16) {
            expect(decoded).toMatchObject({ action: 'malformed', transactionId: null });
          } else {
            expect(decoded.transactionId).toBe(Buffer.from(bytes).readUInt32BE(12));
          }
        }),
        { numRuns: 5000 },
      );
    });

    it('never throws on an announce followed by any option bytes; URL data is bounded', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 1400 }), (options) => {
          const decoded = decodeUdpRequest(announcePacket({}, Buffer.from(options)));
          if (decoded.action === UdpAction.Announce) {
            expect((decoded.urlData ?? '').length).toBeLessThanOrEqual(1024);
          } else {
            expect(decoded.action).toBe('malformed');
          }
        }),
        { numRuns: 5000 },
      );
    });

    it('gives back the URL data, however it is split into options and padded with NOPs', () => {
      fc.assert(
        fc.property(
          fc.string({ minLength: 1, maxLength: 600 }).map((text) => Buffer.from(text, 'utf8').toString('latin1')),
          fc.integer({ min: 1, max: 255 }),
          fc.nat({ max: 5 }),
          (text, chunk, nops) => {
            const url = text.slice(0, 1024);
            const options = Buffer.concat([Buffer.alloc(nops, 1), urlDataOptions(url, chunk), Buffer.from([0])]);
            const decoded = decodeUdpRequest(announcePacket({}, options)) as UdpAnnounceRequest;
            expect(decoded.urlData).toBe(url);
          },
        ),
      );
    });

    it('round-trips announce answers of any counts and peers', () => {
      fc.assert(
        fc.property(
          fc.nat(),
          fc.nat(),
          fc.nat(),
          fc.uint8Array({ maxLength: 200 * 6 }),
          (interval, leechers, seeders, peers) => {
            const answer = encodeAnnounceResponse(1, { interval, leechers, seeders, peers: Buffer.from(peers) });
            expect(answer.length).toBe(20 + peers.length);
            expect([answer.readUInt32BE(8), answer.readUInt32BE(12), answer.readUInt32BE(16)]).toEqual([
              interval,
              leechers,
              seeders,
            ]);
            expect(answer.subarray(20)).toEqual(Buffer.from(peers));
          },
        ),
      );
    });
  });
});
