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
});
