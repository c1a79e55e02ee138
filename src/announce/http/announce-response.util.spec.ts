import { encodeAnnounceAnswer } from 'src/announce/http/announce-response.util';
import { toPeerAddress } from 'src/announce/protocol/peer-address.util';
import { bdecode } from 'src/bencode/bencode.util';

const v4 = Buffer.concat([toPeerAddress('10.0.0.1')!.bytes, Buffer.from([0x1a, 0xe1])]);
const v6 = Buffer.concat([toPeerAddress('2001:db8::1')!.bytes, Buffer.from([0x1a, 0xe2])]);
const idA = Buffer.alloc(20, 0x41);
const idB = Buffer.alloc(20, 0x42);
const counts = { interval: 1800, minInterval: 900, complete: 3, incomplete: 4, downloaded: 5 };

describe('announce answer encoding', () => {
  it('writes compact peers and peers6 with sorted keys', () => {
    const encoded = encodeAnnounceAnswer(
      { ...counts, peers: { compact4: v4, compact6: v6, ids4: null, ids6: null } },
      { compact: true, noPeerId: false },
    );
    const decoded = bdecode(encoded) as Map<string, unknown>;
    expect([...decoded.keys()]).toEqual([
      'complete',
      'downloaded',
      'incomplete',
      'interval',
      'min interval',
      'peers',
      'peers6',
    ]);
    expect(decoded.get('peers')).toEqual(v4);
    expect(decoded.get('peers6')).toEqual(v6);
    expect(decoded.get('complete')).toBe(3);
  });

  it('leaves peers6 out when no IPv6 peer is returned', () => {
    const encoded = encodeAnnounceAnswer(
      { ...counts, peers: { compact4: v4, compact6: Buffer.alloc(0), ids4: null, ids6: null } },
      { compact: true, noPeerId: false },
    );
    expect((bdecode(encoded) as Map<string, unknown>).has('peers6')).toBe(false);
  });

  it('writes non-compact peers as dicts, with peer ids unless no_peer_id', () => {
    const peers = { compact4: v4, compact6: v6, ids4: idA, ids6: idB };
    const withIds = bdecode(encodeAnnounceAnswer({ ...counts, peers }, { compact: false, noPeerId: false })) as Map<
      string,
      unknown
    >;
    const list = withIds.get('peers') as Map<string, unknown>[];
    expect(list.map((peer) => (peer.get('ip') as Buffer).toString())).toEqual(['10.0.0.1', '2001:db8::1']);
    expect(list.map((peer) => peer.get('port'))).toEqual([6881, 6882]);
    expect(list[1].get('peer id')).toEqual(idB);
    const withoutIds = bdecode(encodeAnnounceAnswer({ ...counts, peers }, { compact: false, noPeerId: true })) as Map<
      string,
      unknown
    >;
    expect((withoutIds.get('peers') as Map<string, unknown>[])[0].has('peer id')).toBe(false);
  });
  it('writes the warning message last, its length in UTF-8 bytes, compact or not', () => {
    for (const compact of [true, false]) {
      const encoded = encodeAnnounceAnswer(
        {
          ...counts,
          peers: { compact4: v4, compact6: v6, ids4: idA, ids6: idB },
          warning: 'Ratio low: seed more — merci',
        },
        { compact, noPeerId: false },
      );
      const decoded = bdecode(encoded) as Map<string, unknown>;
      expect([...decoded.keys()].slice(-2)).toEqual([compact ? 'peers6' : 'peers', 'warning message']);
      expect(Buffer.from(decoded.get('warning message') as Buffer).toString('utf8')).toBe(
        'Ratio low: seed more — merci',
      );
    }
  });
});

describe('peer address', () => {
  it('unwraps IPv4-mapped IPv6 to IPv4', () => {
    expect(toPeerAddress('::ffff:127.0.0.2')).toEqual({ ip: '127.0.0.2', bytes: Buffer.from([127, 0, 0, 2]) });
  });

  it('packs IPv6 into 16 bytes', () => {
    expect(toPeerAddress('::1')!.bytes.toString('hex')).toBe('00000000000000000000000000000001');
    expect(toPeerAddress('2001:db8::8a2e:370:7334')!.bytes.toString('hex')).toBe('20010db80000000000008a2e03707334');
  });

  it('refuses what is not an address', () => {
    expect(toPeerAddress('localhost')).toBeNull();
  });
});
