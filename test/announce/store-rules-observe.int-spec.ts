import { randomBytes } from 'node:crypto';
import { announceUrl, peerId, type AnnounceParams } from 'test/support/announce-url';
import { Answer } from 'test/support/bencode-answer';
import { PEER_STORE_ENVS, stopTestCluster, testCluster } from 'test/support/peer-store-envs';
import { createTestApp, type TestApp } from 'test/support/test-app';

/** The rules below, one app observing all three, the other enforcing them as ever. */
const RULES = { MAX_PEERS_PER_USER_TORRENT: '1', ANNOUNCE_PACING: 'strict', MIN_INTERVAL: '600' };
const OBSERVE_ALL = 'PeerLimit:observe, DownloadSlots:observe, AnnouncePacing:observe';

interface LogEntry {
  outcome: string;
  code: string | null;
  policy: string | null;
  wouldRefuse: string | null;
  port: number | null;
}

/**
 * Issue 15, dry run for the peer store's own rules: named in POLICY_MODES, a rule the store would refuse by lets the
 * announce through, counts it in tracker_policy_would_refuse_total{policy} and shows it in the staff's announce log;
 * without POLICY_MODES it refuses as before. On every peer store.
 */
describe.each(PEER_STORE_ENVS)('store rules in observe mode on the $name peer store', (store) => {
  let observing: TestApp;
  let enforcing: TestApp;
  let nextUserId = 1;

  beforeAll(async () => {
    if (store.name === 'redis cluster') {
      await testCluster();
    }
    observing = await createTestApp({ ...store.env(), ...RULES, POLICY_MODES: OBSERVE_ALL });
    enforcing = await createTestApp({ ...store.env(), ...RULES }, { database: observing.database });
  }, 60_000);

  afterAll(async () => {
    await enforcing?.close();
    await observing?.close();
    await stopTestCluster();
  }, 30_000);

  async function newUser(app: TestApp, body: object = {}): Promise<{ id: number; passkey: string }> {
    return (await app.api('POST', '/api/users', { id: nextUserId++, ...body })).body;
  }

  async function newTorrent(app: TestApp): Promise<Buffer> {
    const infoHash = randomBytes(20);
    await app.api('POST', '/api/torrents', { infoHash: infoHash.toString('hex') });
    return infoHash;
  }

  async function announce(app: TestApp, passkey: string, params: AnnounceParams): Promise<Answer> {
    return new Answer((await app.get(announceUrl(passkey, params))).body);
  }

  async function wouldRefuse(app: TestApp, policy: string): Promise<number> {
    const metrics = (await app.app.inject({ method: 'GET', url: '/metrics' })).body;
    const line = new RegExp(`^tracker_policy_would_refuse_total\\{policy="${policy}"\\} (\\d+)$`, 'm');
    return Number(line.exec(metrics)?.[1] ?? 0);
  }

  async function lastLogged(app: TestApp, userId: number): Promise<LogEntry> {
    return ((await app.api('GET', `/api/users/${userId}/announces`)).body as { items: LogEntry[] }).items[0];
  }

  /** Runs `scenario` on both apps: its last announce is the one the rule would refuse. */
  async function onBoth(scenario: (app: TestApp) => Promise<{ answer: Answer; userId: number }>) {
    return { observed: await scenario(observing), enforced: await scenario(enforcing) };
  }

  it('PeerLimit: a client beyond MAX_PEERS_PER_USER_TORRENT joins the swarm, counted and logged', async () => {
    const before = await wouldRefuse(observing, 'PeerLimit');
    const { observed, enforced } = await onBoth(async (app) => {
      const { id, passkey } = await newUser(app);
      const infoHash = await newTorrent(app);
      await announce(app, passkey, { infoHash, peerId: peerId(), port: 7001, left: 0 });
      return { answer: await announce(app, passkey, { infoHash, peerId: peerId(), port: 7002, left: 0 }), userId: id };
    });
    expect(observed.answer.failure).toBeUndefined();
    expect(observed.answer.int('complete')).toBe(2);
    expect(await wouldRefuse(observing, 'PeerLimit')).toBe(before + 1);
    expect(await lastLogged(observing, observed.userId)).toMatchObject({
      outcome: 'ok',
      policy: 'PeerLimit',
      wouldRefuse: 'peer_limit',
      port: 7002,
    });
    expect(enforced.answer.failure).toBe(
      'You already have 1 clients on this torrent, the most allowed; stop one of them first.',
    );
    expect(await wouldRefuse(enforcing, 'PeerLimit')).toBe(0);
    expect(await lastLogged(enforcing, enforced.userId)).toMatchObject({
      outcome: 'refused',
      code: 'peer_limit',
      policy: 'PeerLimit',
      wouldRefuse: null,
    });
  });

  it('DownloadSlots: a leech beyond the user’s slots starts, counted and logged', async () => {
    const before = await wouldRefuse(observing, 'DownloadSlots');
    const { observed, enforced } = await onBoth(async (app) => {
      const { id, passkey } = await newUser(app, { downloadSlots: 1 });
      const [first, second] = [await newTorrent(app), await newTorrent(app)];
      await announce(app, passkey, { infoHash: first, peerId: peerId(), left: 5, event: 'started' });
      const answer = await announce(app, passkey, { infoHash: second, peerId: peerId(), port: 7003, left: 5 });
      return { answer, userId: id };
    });
    expect(observed.answer.failure).toBeUndefined();
    expect(observed.answer.int('incomplete')).toBe(1);
    expect(await wouldRefuse(observing, 'DownloadSlots')).toBe(before + 1);
    const leeching = (await observing.api('GET', `/api/users/${observed.userId}`)).body.activeTorrents.leeching;
    expect(leeching).toHaveLength(2);
    expect(await lastLogged(observing, observed.userId)).toMatchObject({
      outcome: 'ok',
      policy: 'DownloadSlots',
      wouldRefuse: 'download_slots',
      port: 7003,
    });
    expect(enforced.answer.failure).toBe(
      'You are downloading 1 torrents, the most your account allows; finish or stop one first.',
    );
    expect(await wouldRefuse(enforcing, 'DownloadSlots')).toBe(0);
    expect(await lastLogged(enforcing, enforced.userId)).toMatchObject({ outcome: 'refused', code: 'download_slots' });
  });

  it('AnnouncePacing: a strict too-soon re-announce is answered with peers, counted and logged', async () => {
    const before = await wouldRefuse(observing, 'AnnouncePacing');
    const { observed, enforced } = await onBoth(async (app) => {
      const [seeder, leecher] = [await newUser(app), await newUser(app)];
      const infoHash = await newTorrent(app);
      await announce(app, seeder.passkey, { infoHash, peerId: peerId(), port: 7101, left: 0 });
      const id = peerId();
      await announce(app, leecher.passkey, { infoHash, peerId: id, port: 7102, left: 5, event: 'started' });
      const answer = await announce(app, leecher.passkey, { infoHash, peerId: id, port: 7102, left: 5, uploaded: 64 });
      return { answer, userId: leecher.id };
    });
    expect(observed.answer.failure).toBeUndefined();
    expect(observed.answer.peerPorts).toEqual([7101]);
    expect(observed.answer.dict.has('warning message')).toBe(false);
    expect(await wouldRefuse(observing, 'AnnouncePacing')).toBe(before + 1);
    expect(await lastLogged(observing, observed.userId)).toMatchObject({
      outcome: 'ok',
      policy: 'AnnouncePacing',
      wouldRefuse: 'too_soon',
      port: 7102,
    });
    expect(enforced.answer.failure).toMatch(/^Announced too soon: the minimum interval is 600 seconds/);
    expect(await wouldRefuse(enforcing, 'AnnouncePacing')).toBe(0);
    expect(await lastLogged(enforcing, enforced.userId)).toMatchObject({ outcome: 'refused', code: 'too_soon' });
  });
});
