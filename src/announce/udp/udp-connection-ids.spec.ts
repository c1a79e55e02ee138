import { CONNECTION_ID_WINDOW_MS, connectionIdFor, UdpConnectionIds } from 'src/announce/udp/udp-connection-ids';

const SECRET = Buffer.from('a shared secret of the instances');

describe('UDP connection IDs', () => {
  it('are accepted in their window and the next, then refused', () => {
    let now = 10 * CONNECTION_ID_WINDOW_MS + 5;
    const ids = new UdpConnectionIds(SECRET, () => now);
    const id = ids.issue('192.0.2.1');
    expect(ids.accepts('192.0.2.1', id)).toBe(true);
    now += CONNECTION_ID_WINDOW_MS;
    expect(ids.accepts('192.0.2.1', id)).toBe(true);
    now += CONNECTION_ID_WINDOW_MS;
    expect(ids.accepts('192.0.2.1', id)).toBe(false);
  });

  it('prove the address: another address, or a wrong length, is refused', () => {
    const ids = new UdpConnectionIds(SECRET);
    const id = ids.issue('192.0.2.1');
    expect(ids.accepts('192.0.2.2', id)).toBe(false);
    expect(ids.accepts('192.0.2.1', id.subarray(0, 7))).toBe(false);
  });

  it('are the same on every instance holding the secret, and differ under another secret', () => {
    const now = () => 123 * CONNECTION_ID_WINDOW_MS;
    const id = new UdpConnectionIds(SECRET, now).issue('2001:db8::1');
    expect(new UdpConnectionIds(SECRET, now).accepts('2001:db8::1', id)).toBe(true);
    expect(id).toEqual(connectionIdFor(SECRET, '2001:db8::1', 123));
    expect(new UdpConnectionIds(Buffer.from('another secret, another tracker'), now).accepts('2001:db8::1', id)).toBe(
      false,
    );
  });
});
