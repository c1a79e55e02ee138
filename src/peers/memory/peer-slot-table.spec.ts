import { NO_SLOT, PeerSlotTable } from 'src/peers/memory/peer-slot-table';

const ip4 = Buffer.from([192, 0, 2, 7]);
const ip6 = Buffer.from('20010db8000000000000000000000009', 'hex');

describe('PeerSlotTable', () => {
  it('keeps every column of existing slots when it grows', () => {
    const slots = new PeerSlotTable(16);
    for (let i = 0; i < 100; i++) {
      const s = slots.allocate();
      slots.userId[s] = i;
      slots.uploaded[s] = 2 ** 52 + i;
      slots.writePeerId(s, Buffer.alloc(20, i));
      slots.writeIp(s, i % 2 ? ip6 : ip4);
      slots.port[s] = 1000 + i;
      slots.setSeeder(s, i % 3 === 0);
    }
    expect(slots.capacity).toBeGreaterThanOrEqual(100);
    for (let s = 0; s < 100; s++) {
      expect(slots.userId[s]).toBe(s);
      expect(slots.uploaded[s]).toBe(2 ** 52 + s);
      expect(slots.peerIdEquals(s, Buffer.alloc(20, s))).toBe(true);
      expect(slots.ipText(s)).toBe(s % 2 ? '2001:db8::9' : '192.0.2.7');
      expect(slots.port[s]).toBe(1000 + s);
      expect(slots.isSeeder(s)).toBe(s % 3 === 0);
    }
  });

  it('reuses freed slots before new ones', () => {
    const slots = new PeerSlotTable(16);
    const a = slots.allocate();
    const b = slots.allocate();
    slots.free(a);
    expect(slots.allocate()).toBe(a);
    expect(slots.allocate()).not.toBe(b);
    expect(slots.size).toBe(3);
    expect(NO_SLOT).toBe(-1);
  });

  it('moves a peer between IPv4 and IPv6 without leaking IPv6 entries', () => {
    const slots = new PeerSlotTable(16);
    const s = slots.allocate();
    slots.writeIp(s, ip6);
    const entry = slots.ip[s];
    slots.writeIp(s, ip4);
    expect(slots.isIpv6(s)).toBe(false);
    expect(slots.ipText(s)).toBe('192.0.2.7');
    slots.writeIp(s, ip6);
    expect(slots.ip[s]).toBe(entry);
    slots.free(s);
    const t = slots.allocate();
    expect(slots.isIpv6(t)).toBe(false);
    slots.writeIp(t, ip6);
    expect(slots.ip[t]).toBe(entry);
  });

  it('packs compact addresses with a big-endian port', () => {
    const slots = new PeerSlotTable(16);
    const a = slots.allocate();
    slots.writeIp(a, ip4);
    slots.port[a] = 6881;
    const b = slots.allocate();
    slots.writeIp(b, ip6);
    slots.port[b] = 51413;
    const out4 = Buffer.alloc(6);
    const out6 = Buffer.alloc(18);
    slots.writeCompact(a, out4, 0);
    slots.writeCompact(b, out6, 0);
    expect(out4.toString('hex')).toBe('c00002071ae1');
    expect(out6.toString('hex')).toBe('20010db8000000000000000000000009c8d5');
  });

  describe('dual-stack endpoints', () => {
    /** A live IPv4 peer last seen at 1000. */
    function ipv4Peer(slots: PeerSlotTable): number {
      const s = slots.allocate();
      slots.writeIp(s, ip4);
      slots.port[s] = 6881;
      slots.lastAnnounce[s] = 1000;
      return s;
    }

    it('keeps an announce over the other family beside the endpoint it has, each with its own time', () => {
      const slots = new PeerSlotTable(16);
      const s = ipv4Peer(slots);
      slots.writeEndpoint(s, ip6, 51413, 2000, 0);
      slots.lastAnnounce[s] = 2000;
      expect(slots.isDual(s)).toBe(true);
      expect([slots.ipText(s), slots.port[s], slots.endpointSeen(s, false)]).toEqual(['192.0.2.7', 6881, 1000]);
      expect([slots.secondIpText(s), slots.endpointSeen(s, true)]).toEqual(['2001:db8::9', 2000]);
      // Over its own family again: only that endpoint moves.
      slots.writeEndpoint(s, Buffer.from([192, 0, 2, 8]), 6882, 3000, 0);
      expect([slots.ipText(s), slots.port[s], slots.endpointSeen(s, false)]).toEqual(['192.0.2.8', 6882, 3000]);
      expect([slots.secondIpText(s), slots.endpointSeen(s, true)]).toEqual(['2001:db8::9', 2000]);
    });

    it('sends a requester its own family while live, else the live endpoint', () => {
      const slots = new PeerSlotTable(16);
      const s = ipv4Peer(slots);
      slots.writeEndpoint(s, ip6, 51413, 2000, 0);
      expect(slots.usesSecond(s, true, 500)).toBe(true);
      expect(slots.usesSecond(s, false, 500)).toBe(false);
      // The IPv4 endpoint (1000) is silent at 1500: both get the IPv6 one.
      expect(slots.usesSecond(s, false, 1500)).toBe(true);
      const out = Buffer.alloc(18);
      slots.writeSecondCompact(s, out, 0);
      expect(out.toString('hex')).toBe('20010db8000000000000000000000009c8d5');
    });

    it('drops a silent endpoint as the other announces, without leaking IPv6 entries', () => {
      const slots = new PeerSlotTable(16);
      const s = ipv4Peer(slots);
      slots.writeEndpoint(s, ip6, 51413, 2000, 0);
      const entry = slots.second.ip[slots.second.entryOf(s)];
      // IPv6 silent (2000 < 2500) when IPv4 announces: single-stack IPv4 again, its IPv6 entry free.
      slots.writeEndpoint(s, ip4, 6881, 5000, 2500);
      expect([slots.isDual(s), slots.isIpv6(s), slots.second.size]).toEqual([false, false, 0]);
      expect(slots.ipv6.allocate()).toBe(entry);
    });

    it('promotes the live endpoint when the one in the slot went silent', () => {
      const slots = new PeerSlotTable(16);
      const s = ipv4Peer(slots);
      slots.writeEndpoint(s, ip6, 51413, 2000, 0);
      // IPv4 silent (1000 < 1500) when IPv6 announces: single-stack IPv6.
      slots.writeEndpoint(s, ip6, 51414, 3000, 1500);
      expect([slots.isDual(s), slots.isIpv6(s), slots.ipText(s), slots.port[s]]).toEqual([
        false,
        true,
        '2001:db8::9',
        51414,
      ]);
      expect(slots.endpointSeen(s, false)).toBe(-Infinity);
      slots.free(s);
      expect(slots.second.size).toBe(0);
    });

    it('keeps every second endpoint when the side table grows, and reuses freed entries', () => {
      const slots = new PeerSlotTable(16);
      const peers = Array.from({ length: 100 }, () => ipv4Peer(slots));
      peers.forEach((s, i) => slots.writeEndpoint(s, ip6, 7000 + i, 2000 + i, 0));
      peers.forEach((s, i) => {
        expect([slots.secondIpText(s), slots.second.port[slots.second.entryOf(s)]]).toEqual(['2001:db8::9', 7000 + i]);
        expect(slots.endpointSeen(s, true)).toBe(2000 + i);
      });
      const freed = slots.second.entryOf(peers[42]);
      slots.free(peers[42]);
      const again = ipv4Peer(slots);
      slots.writeEndpoint(again, ip6, 1, 3000, 0);
      expect(slots.second.entryOf(again)).toBe(freed);
      expect(slots.second.size).toBe(100);
    });

    it('frees both endpoints with the slot', () => {
      const slots = new PeerSlotTable(16);
      const s = slots.allocate();
      slots.writeIp(s, ip6);
      slots.lastAnnounce[s] = 1000;
      slots.writeEndpoint(s, ip4, 6881, 2000, 0);
      expect([slots.isIpv6(s), slots.secondIpText(s)]).toEqual([true, '192.0.2.7']);
      const entry = slots.ip[s];
      slots.free(s);
      expect(slots.second.size).toBe(0);
      expect(slots.isDual(slots.allocate())).toBe(false);
      expect(slots.ipv6.allocate()).toBe(entry);
    });
  });
});
