import { randomBytes } from 'node:crypto';
import { createTrackerApp, type TrackerApp } from 'src/bootstrap';
import { PeerStore } from 'src/peers/peer-store';
import { announceUrl, peerId, type AnnounceParams } from 'test/support/announce-url';
import { Answer } from 'test/support/bencode-answer';
import { freePort } from 'test/support/free-port';
import { PEER_STORE_ENVS, stopTestCluster, testCluster } from 'test/support/peer-store-envs';
import { createTempDatabase, type TempDatabase } from 'test/support/postgres-database';
import { waitFor } from 'test/support/wait-for';

const TOKEN = 'test-admin-token-0123456789';

/**
 * Dual-stack peers through the real server (issue 15, README: dual-stack peers): HOST=:: binds one socket for both
 * families, and one client announces over TCP from 127.0.0.1 and from ::1, as Transmission 4.1 and libtorrent do.
 * The store-level rules (each endpoint expiring on its own, pacing per family) are in
 * test/peers/contract/dual-stack.contract.ts.
 */
describe.each(PEER_STORE_ENVS)('dual-stack peers through the server on both loopbacks, $name peer store', (store) => {
  let database: TempDatabase;
  let tracker: TrackerApp;
  let port = 0;

  async function api(method: 'GET' | 'POST', path: string, body?: unknown): Promise<any> {
    const response = await fetch(`http://127.0.0.1:${port}${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return response.json();
  }

  /** An announce over TCP from the loopback of one family. */
  async function announce(from: '127.0.0.1' | '::1', passkey: string, params: AnnounceParams): Promise<Answer> {
    const host = from === '::1' ? '[::1]' : from;
    const response = await fetch(`http://${host}:${port}${announceUrl(passkey, params)}`);
    return new Answer(Buffer.from(await response.arrayBuffer()));
  }

  beforeAll(async () => {
    if (store.name === 'redis cluster') {
      await testCluster();
    }
    database = await createTempDatabase('int');
    port = await freePort('::');
    tracker = await createTrackerApp({
      ...store.env(),
      DATABASE_URL: database.url,
      ADMIN_TOKEN: TOKEN,
      LOG_LEVEL: 'error',
      FLUSH_INTERVAL_MS: '100',
      ANNOUNCE_PACING: 'off',
      HOST: '::',
      PORT: String(port),
    });
    await tracker.listen();
  }, 60_000);

  afterAll(async () => {
    await tracker?.app.close();
    await database?.drop();
    await stopTestCluster();
  }, 30_000);

  it('keeps both endpoints, hands each to its family, credits one baseline once, and lists both', async () => {
    const [dual, other] = [await api('POST', '/api/users', { id: 1 }), await api('POST', '/api/users', { id: 2 })];
    const infoHash = randomBytes(20);
    const hex = infoHash.toString('hex');
    await api('POST', '/api/torrents', { infoHash: hex });
    const client = peerId('-TR4100-');
    const seed = (from: '127.0.0.1' | '::1', uploaded: number, event?: string) =>
      announce(from, dual.passkey, { infoHash, peerId: client, port: 51413, left: 0, uploaded, event });

    expect((await seed('127.0.0.1', 1000, 'started')).failure).toBeUndefined();
    const overIpv6 = await seed('::1', 1000, 'started');
    expect([overIpv6.int('complete'), overIpv6.int('incomplete')]).toEqual([1, 0]);

    // An IPv4 leecher gets the peer in `peers`, an IPv6 one (another client of the same user) in `peers6`.
    const leecher4 = await announce('127.0.0.1', other.passkey, { infoHash, peerId: peerId(), port: 6001, left: 9 });
    expect(leecher4.peers).toEqual(['127.0.0.1:51413']);
    expect(leecher4.dict.has('peers6')).toBe(false);
    const leecher6 = await announce('::1', other.passkey, { infoHash, peerId: peerId(), port: 6002, left: 9 });
    expect(leecher6.peers).toEqual([]);
    expect(peers6Of(leecher6)).toEqual([`${'0'.repeat(31)}1:51413`]);
    expect([leecher6.int('complete'), leecher6.int('incomplete')]).toEqual([1, 2]);

    // Non-compact answers choose the endpoint the same way.
    const dicts = await announce('::1', other.passkey, { infoHash, peerId: peerId(), port: 6004, left: 9, compact: 0 });
    expect(ipsOfDicts(dicts)).toEqual(['::1']);

    // Both families report the same running totals: 4000 bytes are credited, once.
    await seed('127.0.0.1', 5000);
    await seed('::1', 5000);
    const peerStore = tracker.app.get(PeerStore);
    await waitFor(async () => ((await peerStore.pendingBacklog()).accounts === 0 ? true : undefined), {
      description: 'the pending accounting flushed',
      timeoutMs: 20_000,
      intervalMs: 50,
    });
    expect((await api('GET', '/api/users/1')).uploaded).toBe(4000);

    const expected = [
      { ip: '::1', port: 51413, family: 'ipv6', lastSeen: expect.any(String) },
      { ip: '127.0.0.1', port: 51413, family: 'ipv4', lastSeen: expect.any(String) },
    ];
    const torrentPeers = (await api('GET', `/api/torrents/${hex}/peers`)) as { userId: number }[];
    expect(torrentPeers.filter((p) => p.userId === 1)).toEqual([
      expect.objectContaining({ ip: '::1', port: 51413, seeder: true, uploaded: 5000, endpoints: expected }),
    ]);
    const userPeers = await api('GET', '/api/users/1/peers');
    expect(userPeers.items).toEqual([expect.objectContaining({ infoHash: hex, ip: '::1', endpoints: expected })]);
    // The dual-stack seeder counts once beside user 2's three leechers.
    expect(await api('GET', '/api/stats')).toMatchObject({ peers: 4, seeders: 1, leechers: 3 });

    // `stopped` over either family removes the peer, both endpoints.
    await seed('127.0.0.1', 5000, 'stopped');
    const after = await announce('::1', other.passkey, { infoHash, peerId: peerId(), port: 6003, left: 9 });
    expect([after.int('complete'), peers6Of(after)]).toEqual([0, []]);
  });
});

/** Compact IPv6 peers as `hex:port`. */
function peers6Of(answer: Answer): string[] {
  const bytes = answer.dict.get('peers6') as Buffer | undefined;
  const out: string[] = [];
  for (let i = 0; bytes && i + 18 <= bytes.length; i += 18) {
    out.push(`${bytes.toString('hex', i, i + 16)}:${bytes.readUInt16BE(i + 16)}`);
  }
  return out;
}

/** The `ip` of each peer dict of a non-compact answer. */
function ipsOfDicts(answer: Answer): string[] {
  const peers = answer.dict.get('peers') as Map<string, unknown>[];
  return peers.map((peer) => (peer.get('ip') as Buffer).toString());
}
