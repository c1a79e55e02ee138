import { randomBytes } from 'node:crypto';
import { RedisConnection } from 'src/redis/redis-connection';
import { deleteKeys } from 'test/peers/redis-store-behaviour';
import { announceUrl, peerId } from 'test/support/announce-url';
import { Answer } from 'test/support/bencode-answer';
import { PEER_STORE_ENVS, stopTestCluster, testCluster } from 'test/support/peer-store-envs';
import { createTestApp, type TestApp } from 'test/support/test-app';

afterAll(async () => {
  await stopTestCluster();
});

interface Entry {
  time: string;
  infoHash: string | null;
  event: string | null;
  outcome: string;
  code: string | null;
  sentence: string | null;
  retryIn: string | null;
  warning: string | null;
  policy: string | null;
  wouldRefuse: string | null;
  client: string | null;
  peerIdPrefix: string | null;
  family: string | null;
  port: number | null;
  uploaded: number | null;
  downloaded: number | null;
  left: number | null;
}

/** Issue 15, diagnostics for staff: GET /api/users/:id/announces, the user's last announces and why. */
describe.each(PEER_STORE_ENVS)('the announce log on the $name store', (store) => {
  const shared = store.name !== 'memory';
  let a: TestApp;
  let b: TestApp;
  let env: Record<string, string>;
  let passkey: string;
  const infoHash = randomBytes(20);
  const hex = infoHash.toString('hex');

  beforeAll(async () => {
    if (store.name === 'redis cluster') {
      await testCluster();
    }
    env = {
      ...store.env(),
      ANNOUNCE_LOG_SIZE: '5',
      POLICY_MODES: 'ClientWhitelistPolicy:observe',
      MAX_PEERS_PER_USER_TORRENT: '20',
    };
    a = await createTestApp(env);
    b = await createTestApp(env, { database: a.database });
    passkey = (await a.api('POST', '/api/users', { id: 1, canLeech: false })).body.passkey;
    await a.api('POST', '/api/users', { id: 2 });
    await a.api('POST', '/api/torrents', { infoHash: hex });
  }, 60_000);

  afterAll(async () => {
    if (shared) {
      await deleteKeys(a.app.get(RedisConnection).client, env.REDIS_KEY_PREFIX);
    }
    await b?.close();
    await a?.close();
  });

  async function entries(t: TestApp, query = ''): Promise<Entry[]> {
    const { status, body } = await t.api('GET', `/api/users/1/announces${query}`);
    expect(status).toBe(200);
    expect(JSON.stringify(body)).not.toContain(passkey);
    return (body as { items: Entry[] }).items;
  }

  it('keeps answered and refused announces, latest first, with the step that acted, and never the passkey', async () => {
    const seed = announceUrl(passkey, {
      infoHash,
      peerId: peerId('-qB4520-'),
      port: 6881,
      left: 0,
      uploaded: 1024,
      event: 'started',
    });
    expect(new Answer((await a.get(seed)).body).failure).toBeUndefined();
    const leech = announceUrl(passkey, { infoHash, peerId: peerId('-TR4050-'), port: 51413, left: 100 });
    expect(new Answer((await a.get(leech, '::1')).body).failure).toMatch(/not allowed to download/);
    const unknown = announceUrl(passkey, { infoHash: randomBytes(20), peerId: peerId(), left: 0 });
    expect(new Answer((await a.get(unknown)).body).failure).toMatch(/not registered/);
    // A whitelist in observe mode: answered, and logged with what it would have refused.
    await a.api('POST', '/api/clients', { prefix: '-TR', name: 'Transmission' });
    const observed = announceUrl(passkey, { infoHash, peerId: peerId('-qB4520-'), port: 6882, left: 0 });
    expect(new Answer((await a.get(observed)).body).failure).toBeUndefined();

    const [fourth, third, second, first] = await entries(a);
    expect(first).toEqual({
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      infoHash: hex,
      event: 'started',
      outcome: 'ok',
      code: null,
      sentence: null,
      retryIn: null,
      warning: null,
      policy: null,
      wouldRefuse: null,
      client: '-qB4520-',
      peerIdPrefix: expect.stringMatching(/^2d7142343532302d[0-9a-f]{4}$/),
      family: 'ipv4',
      port: 6881,
      uploaded: 1024,
      downloaded: 0,
      left: 0,
    });
    expect(second).toMatchObject({
      outcome: 'refused',
      code: 'leech_not_allowed',
      sentence: 'You are not allowed to download. Seeding is still allowed.',
      policy: 'LeechPermissionPolicy',
      client: '-TR4050-',
      family: 'ipv6',
      port: 51413,
      left: 100,
    });
    expect(third).toMatchObject({ outcome: 'refused', code: 'unknown_torrent', policy: 'AnnounceLookupStep' });
    expect(fourth).toMatchObject({
      outcome: 'ok',
      policy: 'ClientWhitelistPolicy',
      wouldRefuse: 'client_not_allowed',
      port: 6882,
    });
    await a.api('DELETE', '/api/clients/-TR');
  });

  it('filters by torrent, keeps ANNOUNCE_LOG_SIZE per user, and is per user', async () => {
    expect((await entries(a, `?infoHash=${hex.toUpperCase()}`)).map((entry) => entry.port)).toEqual([
      6882, 51413, 6881,
    ]);
    for (let port = 7000; port < 7004; port++) {
      await a.get(announceUrl(passkey, { infoHash, peerId: peerId(), port, left: 0 }));
    }
    const kept = await entries(a);
    expect(kept.map((entry) => entry.port)).toEqual([7003, 7002, 7001, 7000, 6882]);
    expect((await a.api('GET', '/api/users/2/announces')).body).toEqual({ items: [] });
  });

  it(shared ? 'is shared by every instance' : 'is per instance', async () => {
    await b.get(announceUrl(passkey, { infoHash, peerId: peerId(), port: 7100, left: 0 }));
    // Read on b first: an instance writes its entries to Redis within 100 ms, or before it answers a read.
    const seenByB = (await entries(b)).map((entry) => entry.port);
    expect(seenByB).toEqual(shared ? [7100, 7003, 7002, 7001, 7000] : [7100]);
    expect((await entries(a)).map((entry) => entry.port)[0]).toBe(shared ? 7100 : 7003);
  });

  it("keeps a disabled user's refusals, named for the lookup step", async () => {
    const other = await a.api('PATCH', '/api/users/2', { enabled: false });
    expect(other.status).toBe(200);
    const key = (other.body as { passkey: string }).passkey;
    const refused = await a.get(announceUrl(key, { infoHash, peerId: peerId(), left: 0 }));
    expect(new Answer(refused.body).failure).toBe('Your account is disabled.');
    const { body } = await a.api('GET', '/api/users/2/announces');
    expect((body as { items: Entry[] }).items).toEqual([
      expect.objectContaining({
        outcome: 'refused',
        code: 'disabled_user',
        policy: 'AnnounceLookupStep',
        infoHash: hex,
      }),
    ]);
    expect(JSON.stringify(body)).not.toContain(key);
  });

  it("names the peer store's own rules (the peer limit) as AnnounceService", async () => {
    const { passkey: key } = (await a.api('POST', '/api/users', { id: 3 })).body as { passkey: string };
    for (let i = 0; i < 20; i++) {
      await a.get(announceUrl(key, { infoHash, peerId: peerId(), port: 8000 + i, left: 0 }));
    }
    const refused = await a.get(announceUrl(key, { infoHash, peerId: peerId(), port: 8100, left: 0 }));
    expect(new Answer(refused.body).failure).toMatch(/clients on this torrent/);
    const { body } = await a.api('GET', '/api/users/3/announces');
    expect((body as { items: Entry[] }).items[0]).toMatchObject({
      outcome: 'refused',
      code: 'peer_limit',
      policy: 'PeerLimit',
      port: 8100,
    });
  });

  it('answers 404 for an unknown user and 400 for a bad info hash', async () => {
    expect((await a.api('GET', '/api/users/99/announces')).body).toMatchObject({
      statusCode: 404,
      code: 'USER_NOT_FOUND',
    });
    expect((await a.api('GET', '/api/users/1/announces?infoHash=xyz')).body).toMatchObject({
      statusCode: 400,
      code: 'VALIDATION_FAILED',
      field: 'infoHash',
    });
  });
});
