import { ANNOUNCE_REPLY_HEADER } from 'src/peers/redis/announce.lua';
import { decodeAnnounceReplies, decodePeer, encodeMember, packSampledPeers } from 'src/peers/redis/redis-peer.codec';

const peerId = (n: number) => Buffer.from(`-qB4650-${n.toString().padStart(12, '0')}`, 'latin1');
const v4 = (userId: number, n: number) => encodeMember(userId, peerId(n), Buffer.from([10, 0, 0, n]), 6000 + n);
const v6 = (userId: number, n: number) => {
  const ip = Buffer.alloc(16);
  ip.writeUInt16BE(0x2001, 0);
  ip[15] = n;
  return encodeMember(userId, peerId(n), ip, 7000 + n);
};

describe('encodeMember', () => {
  it('lays out user id, peer id, address, port and the address length', () => {
    const member = encodeMember(0x01020304, peerId(1), Buffer.from([192, 0, 2, 7]), 6881);
    expect(member.readUInt32BE(0)).toBe(0x01020304);
    expect(member.subarray(4, 24)).toEqual(peerId(1));
    expect([...member.subarray(24)]).toEqual([192, 0, 2, 7, 6881 >> 8, 6881 & 255, 6]);
    expect(v6(1, 1)).toHaveLength(24 + 18 + 1);
    expect(v6(1, 1)[42]).toBe(18);
  });

  it('refuses a user id that does not fit 32 bits', () => {
    expect(() => encodeMember(2 ** 32, peerId(1), Buffer.alloc(4), 1)).toThrow(RangeError);
  });
});

/** A dual-stack member as the announce script writes it: IPv4 endpoint, its time, IPv6 endpoint, its time, 40. */
const dual = (userId: number, n: number, seen: { seen4: number; seen6: number }) => {
  const times = Buffer.alloc(16);
  times.writeDoubleBE(seen.seen4, 0);
  times.writeDoubleBE(seen.seen6, 8);
  const four = v4(userId, n);
  return Buffer.concat([
    four.subarray(0, 30),
    times.subarray(0, 8),
    compact(v6(userId, n)),
    times.subarray(8),
    Buffer.from([40]),
  ]);
};

/** A window as the announce script returns it: its members concatenated. */
const window = (...members: Buffer[]) => Buffer.concat(members);
const compact = (member: Buffer) => member.subarray(24, member.length - 1);

describe('packSampledPeers', () => {
  it("keeps seeders first, leaves out the announcing user's peers and stops at numwant", () => {
    // Members are taken from the end of each window.
    const peers = packSampledPeers(1, [window(v4(2, 2), v4(1, 1)), window(v4(5, 5), v6(4, 4), v4(3, 3))], 3, false);
    expect(peers.compact4).toEqual(Buffer.concat([compact(v4(2, 2)), compact(v4(3, 3))]));
    expect(peers.compact6).toEqual(compact(v6(4, 4)));
    expect(peers.ids4).toBeNull();
    expect(peers.ids6).toBeNull();
  });

  it('gives peer ids in the same order when asked', () => {
    const peers = packSampledPeers(9, [window(v4(3, 3), v4(2, 2), v6(1, 1))], 50, true);
    expect(peers.ids4).toEqual(Buffer.concat([peerId(2), peerId(3)]));
    expect(peers.ids6).toEqual(peerId(1));
  });

  it('tells IPv6 members from IPv4 by their length byte, whatever their address holds', () => {
    const ip = Buffer.alloc(16, 6);
    const member = encodeMember(2, peerId(7), ip, 0x0606);
    const peers = packSampledPeers(1, [window(member, v4(3, 3))], 50, false);
    expect(peers.compact6).toEqual(compact(member));
    expect(peers.compact4).toEqual(compact(v4(3, 3)));
  });

  it("sends a dual-stack member once, by the requester's family's endpoint while that one is live", () => {
    const member = dual(2, 8, { seen4: 5000, seen6: 9000 });
    const windows = [window(member, v4(3, 3))];
    const asked4 = packSampledPeers(1, windows, 50, true, false, 4000);
    expect(asked4.compact4).toEqual(Buffer.concat([compact(v4(3, 3)), compact(v4(2, 8))]));
    expect(asked4.compact6).toEqual(Buffer.alloc(0));
    expect(asked4.ids4).toEqual(Buffer.concat([peerId(3), peerId(8)]));
    const asked6 = packSampledPeers(1, windows, 50, true, true, 4000);
    expect(asked6.compact6).toEqual(compact(v6(2, 8)));
    expect(asked6.ids6).toEqual(peerId(8));
    expect(asked6.compact4).toEqual(compact(v4(3, 3)));
    // Its IPv4 endpoint went silent: an IPv4 requester gets the live IPv6 one.
    expect(packSampledPeers(1, windows, 50, false, false, 6000).compact6).toEqual(compact(v6(2, 8)));
    // And the other way round.
    const quiet6 = dual(2, 8, { seen4: 9000, seen6: 5000 });
    expect(packSampledPeers(1, [quiet6], 50, false, true, 6000).compact4).toEqual(compact(v4(2, 8)));
  });

  it('refuses a window that does not split into members', () => {
    expect(() => packSampledPeers(1, [v4(2, 2).subarray(1)], 50, false)).toThrow(/Malformed/);
  });

  it('refuses a member whose length byte names no endpoint (6, 18 or 40), even when the bytes are there', () => {
    const member = Buffer.concat([v4(2, 2).subarray(0, -1), Buffer.from([0, 7])]);
    expect(() => packSampledPeers(1, [window(v4(3, 3), member)], 50, false)).toThrow(/Malformed/);
  });

  it('gives empty buffers when nothing was sampled', () => {
    const peers = packSampledPeers(1, [Buffer.alloc(0), Buffer.alloc(0)], 50, true);
    expect(peers).toEqual({
      compact4: Buffer.alloc(0),
      compact6: Buffer.alloc(0),
      ids4: Buffer.alloc(0),
      ids6: Buffer.alloc(0),
    });
  });
});

describe('decodeAnnounceReplies', () => {
  /**
   * One reply as the announce script packs it: ten doubles, the members' lengths, whether download slots were observed
   * full, then the members or the error message.
   */
  const reply = (numbers: number[], seeders: Buffer, leechers: Buffer, slotsObserved = 0) => {
    const header = Buffer.alloc(ANNOUNCE_REPLY_HEADER);
    [...numbers, seeders.length, leechers.length, slotsObserved].forEach((n, i) => header.writeDoubleBE(n, i * 8));
    return Buffer.concat([header, seeders, leechers]);
  };

  it("splits a call's replies in order, and one that failed into an Error", () => {
    const [seeder, leecher] = [v4(2, 1), v4(3, 2)];
    const replies = decodeAnnounceReplies(
      Buffer.concat([
        reply([1, 1, 1, 0, 2, 1_700_000_000_123, 2 ** 40 + 3, 1_700_000_000_000, 0, 0], seeder, leecher),
        reply([-2, -2, 0, 0, 0, 0, 0, 0, 0, 0], Buffer.from('WRONGTYPE Operation'), Buffer.alloc(0)),
        reply([-1, -1, 0, 1, 1, 5, 7, 0, 1, 3], Buffer.alloc(0), Buffer.alloc(0), 1),
      ]),
    );
    expect(replies).toEqual([
      {
        complete: 1,
        incomplete: 1,
        indexDue: true,
        dirty: false,
        prevRole: 2,
        prevLastAnnounce: 1_700_000_000_123,
        version: 2 ** 40 + 3,
        oldest: 1_700_000_000_000,
        verdict: 0,
        verdictDetail: 0,
        slotsObserved: false,
        seeders: seeder,
        leechers: leecher,
      },
      new Error('WRONGTYPE Operation'),
      expect.objectContaining({
        complete: -1,
        dirty: true,
        prevRole: 1,
        version: 7,
        verdict: 1,
        verdictDetail: 3,
        slotsObserved: true,
      }),
    ]);
  });

  it('refuses a reply cut short', () => {
    const whole = reply([1, 0, 0, 0, 0, 0, 0, 0, 0, 0], v4(2, 1), Buffer.alloc(0));
    expect(() => decodeAnnounceReplies(whole.subarray(0, whole.length - 1))).toThrow('Truncated');
  });
});

describe('decodePeer', () => {
  it('reads a record the announce script wrote', () => {
    const member = v6(42, 5);
    const record = Buffer.alloc(33 + 19);
    record[0] = 1;
    record.writeDoubleBE(Number.MAX_SAFE_INTEGER, 1);
    record.writeDoubleBE(7, 9);
    record.writeDoubleBE(0, 17);
    record.writeDoubleBE(1_700_000_000_123, 25);
    member.copy(record, 33, 24);
    expect(decodePeer(member.subarray(0, 24), record, 0)).toEqual({
      userId: 42,
      peerId: peerId(5),
      ip: '2001::5',
      port: 7005,
      endpoints: [{ ip: '2001::5', port: 7005, family: 'ipv6', lastSeen: 1_700_000_000_123 }],
      seeder: true,
      uploaded: Number.MAX_SAFE_INTEGER,
      downloaded: 7,
      left: 0,
      lastAnnounce: 1_700_000_000_123,
    });
  });
});

describe('decodePeer of a dual-stack record', () => {
  it('lists its live endpoints, most recently seen first, and names the latest as ip and port', () => {
    const member = dual(42, 5, { seen4: 1000, seen6: 2000 });
    const record = Buffer.concat([Buffer.alloc(33), member.subarray(24)]);
    record.writeDoubleBE(2000, 25);
    const peer = decodePeer(member.subarray(0, 24), record, 500);
    expect(peer.endpoints).toEqual([
      { ip: '2001::5', port: 7005, family: 'ipv6', lastSeen: 2000 },
      { ip: '10.0.0.5', port: 6005, family: 'ipv4', lastSeen: 1000 },
    ]);
    expect([peer.ip, peer.port]).toEqual(['2001::5', 7005]);
    expect(decodePeer(member.subarray(0, 24), record, 1500).endpoints.map((e) => e.family)).toEqual(['ipv6']);
  });
});
