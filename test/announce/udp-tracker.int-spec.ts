import { randomBytes } from 'node:crypto';
import { CONNECTION_ID_WINDOW_MS, connectionIdFor } from 'src/announce/udp/udp-connection-ids';
import { UdpTrackerServer } from 'src/announce/udp/udp-tracker.server';
import { announceUrl, peerId } from 'test/support/announce-url';
import { Answer } from 'test/support/bencode-answer';
import { PEER_STORE_ENVS, stopTestCluster, testCluster } from 'test/support/peer-store-envs';
import { createTestApp, type TestApp } from 'test/support/test-app';
import { announcePacket, connectPacket, UdpTrackerClient } from 'test/support/udp-tracker-client';
import { sleep, waitFor } from 'test/support/wait-for';

const UDP_SECRET = 'udp-secret-of-the-test-instances';

function udpPortOf(t: TestApp): number {
  const address = t.app.get(UdpTrackerServer).address();
  if (!address) {
    throw new Error('UDP is off');
  }
  return address.port;
}

async function metric(t: TestApp, series: string): Promise<number> {
  const text = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.split(' ')[1]);
}

afterAll(async () => {
  await stopTestCluster();
}, 30_000);

describe.each(PEER_STORE_ENVS)('UDP tracker (BEP 15, passkey in BEP 41 URL data) on the $name peer store', (store) => {
  let t: TestApp;
  let port: number;
  let v4: UdpTrackerClient;
  let nextUserId = 1;

  async function newUser(fields: Record<string, unknown> = {}): Promise<{ id: number; passkey: string }> {
    return (await t.api('POST', '/api/users', { id: nextUserId++, ...fields })).body;
  }

  async function newTorrent(): Promise<Buffer> {
    const infoHash = randomBytes(20);
    await t.api('POST', '/api/torrents', { infoHash: infoHash.toString('hex') });
    return infoHash;
  }

  beforeAll(async () => {
    if (store.name === 'redis cluster') {
      await testCluster();
    }
    // HOST=:: binds one dual-stack socket: IPv4 clients arrive as ::ffff:a.b.c.d, IPv6 ones as themselves.
    t = await createTestApp({ ...store.env(), HOST: '::', UDP_PORT: '0', UDP_SECRET, UDP_RATE_LIMIT: '10000' });
    port = udpPortOf(t);
    v4 = await UdpTrackerClient.open('127.0.0.1', port);
  }, 60_000);

  afterAll(async () => {
    await v4?.close();
    await t?.close();
  });

  it('connects, announces with the passkey in URL data, and hands peers of the packet’s family', async () => {
    const [seeder, leecher] = [await newUser(), await newUser()];
    const infoHash = await newTorrent();
    const connectionId = await v4.connect();
    expect(connectionId.length).toBe(8);

    const first = await v4.announce({
      connectionId,
      infoHash,
      peerId: peerId(),
      event: 2,
      port: 7001,
      left: 0n,
      urlData: `/${seeder.passkey}/announce`,
    });
    expect(first).toMatchObject({ action: 'announce', interval: 1800, seeders: 1, leechers: 0, peers: [] });

    // URL data split over several options, and an IP field that lies: the peer is the packet's source.
    const second = await v4.announce({
      connectionId,
      infoHash,
      peerId: peerId(),
      event: 2,
      port: 7002,
      left: 100n,
      ipField: 0x0a000001,
      urlData: `/${leecher.passkey}/announce`,
      urlChunk: 7,
    });
    expect(second).toMatchObject({ action: 'announce', seeders: 1, leechers: 1, peers: ['127.0.0.1:7001'] });

    const third = await newUser();
    const seen = await v4.announce({
      connectionId,
      infoHash,
      peerId: peerId(),
      port: 7003,
      left: 100n,
      urlData: `/${third.passkey}/announce`,
    });
    expect(seen.action === 'announce' && [...seen.peers].sort()).toEqual(['127.0.0.1:7001', '127.0.0.1:7002']);
  });

  it('scrapes with the passkey of the address’s last announce, in the request’s order', async () => {
    const user = await newUser();
    const infoHash = await newTorrent();
    const unknown = randomBytes(20);
    const connectionId = await v4.connect();
    await v4.announce({
      connectionId,
      infoHash,
      peerId: peerId(),
      port: 7010,
      left: 5n,
      event: 2,
      urlData: `/${user.passkey}/announce`,
    });
    const scrape = await v4.scrape(connectionId, [unknown, infoHash]);
    expect(scrape).toMatchObject({
      action: 'scrape',
      entries: [
        { seeders: 0, completed: 0, leechers: 0 },
        { seeders: 0, completed: 0, leechers: 1 },
      ],
    });
  });

  it('refuses a scrape from an address that never announced with a passkey', async () => {
    const stranger = await UdpTrackerClient.open('127.0.0.1', port, '127.0.0.9');
    try {
      const scrape = await stranger.scrape(await stranger.connect(), [randomBytes(20)]);
      expect(scrape).toMatchObject({ action: 'error', message: expect.stringMatching(/^Missing passkey/) });
    } finally {
      await stranger.close();
    }
  });

  it.each([
    ['no URL data', undefined, /^Missing passkey/],
    ['a path without a passkey', '/announce', /^Missing passkey/],
    ['a malformed passkey', '/not-a-passkey/announce', /^Invalid passkey/],
    ['an unknown passkey', `/${'Z'.repeat(32)}/announce`, /^Unknown passkey/],
  ])('answers %s with an error packet, never peers', async (_, urlData, message) => {
    const infoHash = await newTorrent();
    const owner = await newUser();
    const connectionId = await v4.connect();
    await v4.announce({
      connectionId,
      infoHash,
      peerId: peerId(),
      port: 7020,
      left: 0n,
      urlData: `/${owner.passkey}/announce`,
    });
    const answer = await v4.announce({ connectionId, infoHash, peerId: peerId(), port: 7021, left: 1n, urlData });
    expect(answer).toMatchObject({ action: 'error', message: expect.stringMatching(message) });
  });

  it('applies the policy pipeline as over HTTP: a user without canLeech is refused with the same sentence', async () => {
    const user = await newUser({ canLeech: false });
    const infoHash = await newTorrent();
    const http = new Answer(
      (await t.get(announceUrl(user.passkey, { infoHash, peerId: peerId(), port: 7060, left: 10 }))).body,
    );
    const udp = await v4.announce({
      connectionId: await v4.connect(),
      infoHash,
      peerId: peerId(),
      port: 7061,
      left: 10n,
      urlData: `/${user.passkey}/announce`,
    });
    expect(http.failure).toEqual(expect.any(String));
    expect(udp).toMatchObject({ action: 'error', message: http.failure });
  });

  it('refuses a bad field with the HTTP decoder’s sentence', async () => {
    const user = await newUser();
    const connectionId = await v4.connect();
    const answer = await v4.announce({
      connectionId,
      infoHash: await newTorrent(),
      peerId: peerId(),
      port: 0,
      urlData: `/${user.passkey}/announce`,
    });
    expect(answer).toMatchObject({ action: 'error', message: 'Invalid port: must be 1 to 65535.' });
  });

  it('accepts the previous window’s connection ID, refuses an expired or forged one with a small error', async () => {
    const user = await newUser();
    const infoHash = await newTorrent();
    // Not within 2 s of a window's end, so the server checks these IDs in the window they were made for.
    const leftInWindow = CONNECTION_ID_WINDOW_MS - (Date.now() % CONNECTION_ID_WINDOW_MS);
    if (leftInWindow < 2_000) {
      await sleep(leftInWindow + 50);
    }
    const window = Math.floor(Date.now() / CONNECTION_ID_WINDOW_MS);
    const secret = Buffer.from(UDP_SECRET);
    const params = { infoHash, peerId: peerId(), port: 7030, urlData: `/${user.passkey}/announce` };

    const previous = await v4.announce({
      ...params,
      connectionId: connectionIdFor(secret, '::ffff:127.0.0.1', window - 1),
    });
    expect(previous.action).toBe('announce');
    for (const connectionId of [connectionIdFor(secret, '::ffff:127.0.0.1', window - 2), randomBytes(8)]) {
      const packet = announcePacket({ ...params, connectionId });
      const answer = await v4.send(packet);
      expect(answer).toMatchObject({ action: 'error', message: 'Connection ID expired.' });
      expect(answer.bytes.length).toBeLessThanOrEqual(packet.length);
    }
    // Another address's ID proves nothing either.
    const other = connectionIdFor(secret, '::ffff:127.0.0.2', window);
    expect(await v4.announce({ ...params, connectionId: other })).toMatchObject({ action: 'error' });
  });

  it('serves IPv6 on ::1 with 18-byte peers, and IPv4 clients of the same torrent only 6-byte ones', async () => {
    const v6 = await UdpTrackerClient.open('::1', port);
    try {
      const [a, b] = [await newUser(), await newUser()];
      const infoHash = await newTorrent();
      const id6 = await v6.connect();
      await v6.announce({
        connectionId: id6,
        infoHash,
        peerId: peerId(),
        port: 7040,
        event: 2,
        urlData: `/${a.passkey}/announce`,
      });
      const second = await v6.announce({
        connectionId: id6,
        infoHash,
        peerId: peerId(),
        port: 7041,
        left: 9n,
        urlData: `/${b.passkey}/announce`,
      });
      expect(second).toMatchObject({
        action: 'announce',
        seeders: 1,
        leechers: 1,
        peers: ['[0:0:0:0:0:0:0:1]:7040'],
      });
      expect(second.bytes.length).toBe(20 + 18);

      const c = await newUser();
      const overV4 = await v4.announce({
        connectionId: await v4.connect(),
        infoHash,
        peerId: peerId(),
        port: 7042,
        left: 9n,
        urlData: `/${c.passkey}/announce`,
      });
      expect(overV4).toMatchObject({ action: 'announce', seeders: 1, leechers: 2, peers: [] });
    } finally {
      await v6.close();
    }
  });

  it('answers a malformed packet with an error no larger than it, and counts it', async () => {
    const before = await metric(t, 'tracker_udp_packets_total{result="malformed"}');
    const garbage = Buffer.alloc(20, 0x55);
    const answer = await v4.send(garbage);
    expect(answer.action).toBe('error');
    expect(answer.bytes.length).toBeLessThanOrEqual(garbage.length);
    v4.sendOnly(Buffer.alloc(5));
    await v4.connect();
    expect(await metric(t, 'tracker_udp_packets_total{result="malformed"}')).toBe(before + 2);
  });

  it('keeps a peer’s baseline when it moves between HTTP and UDP: totals credited exactly', async () => {
    const user = await newUser();
    const infoHash = await newTorrent();
    const id = peerId();
    const http = async (uploaded: number, event?: string) =>
      new Answer(
        (await t.get(announceUrl(user.passkey, { infoHash, peerId: id, port: 7050, uploaded, left: 0, event }))).body,
      );
    const udp = async (uploaded: bigint, event = 0) =>
      v4.announce({
        connectionId: await v4.connect(),
        infoHash,
        peerId: id,
        port: 7050,
        uploaded,
        event,
        urlData: `/${user.passkey}/announce`,
      });

    expect((await http(1_000, 'started')).failure).toBeUndefined(); // the baseline, not credited
    expect((await udp(5_000n)).action).toBe('announce'); // +4,000
    expect((await http(12_000)).failure).toBeUndefined(); // +7,000
    expect((await udp(20_000n, 3)).action).toBe('announce'); // +8,000, stopped
    await waitFor(
      async () => {
        const { body } = await t.api('GET', `/api/users/${user.id}`);
        return body.uploaded === 19_000 ? body : undefined;
      },
      { description: 'uploaded = 19,000 in PostgreSQL', timeoutMs: 10_000, intervalMs: 100 },
    );
    // Nothing more arrives later: every delta was credited once.
    const { body } = await t.api('GET', `/api/users/${user.id}`);
    expect(body.uploaded).toBe(19_000);
  });
});

describe('UDP abuse limits', () => {
  let t: TestApp;
  let port: number;

  beforeAll(async () => {
    t = await createTestApp({ HOST: '127.0.0.1', UDP_PORT: '0', UDP_RATE_LIMIT: '3', UDP_RATE_WINDOW: '3600' });
    port = udpPortOf(t);
  });

  afterAll(async () => {
    await t?.close();
  });

  it('refuses the first packet past the per-IP limit with an error, then drops that address’s packets', async () => {
    const flooder = await UdpTrackerClient.open('127.0.0.1', port, '127.0.0.3');
    const other = await UdpTrackerClient.open('127.0.0.1', port, '127.0.0.4');
    try {
      for (let i = 0; i < 3; i++) {
        expect((await flooder.send(connectPacket())).action).toBe('connect');
      }
      const refused = await flooder.send(connectPacket());
      expect(refused).toMatchObject({ action: 'error', message: expect.stringMatching(/^Too many/) });
      expect(refused.bytes.length).toBeLessThanOrEqual(16);
      flooder.sendOnly(connectPacket());
      // Another address is served; the dropped packet was counted and never answered.
      expect((await other.send(connectPacket())).action).toBe('connect');
      await waitFor(
        async () => ((await metric(t, 'tracker_udp_packets_total{result="rate_limited"}')) === 2 ? true : undefined),
        { description: 'two rate-limited packets', timeoutMs: 5_000, intervalMs: 50 },
      );
      expect(flooder.received.length).toBe(4);
    } finally {
      await flooder.close();
      await other.close();
    }
  });

  it('is off when UDP_PORT is unset', async () => {
    const off = await createTestApp({});
    try {
      expect(off.app.get(UdpTrackerServer).address()).toBeNull();
    } finally {
      await off.close();
    }
  });
});
