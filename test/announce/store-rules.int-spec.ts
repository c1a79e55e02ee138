import { randomBytes } from 'node:crypto';
import { announceUrl, peerId, type AnnounceParams } from 'test/support/announce-url';
import { Answer } from 'test/support/bencode-answer';
import { PEER_STORE_ENVS, stopTestCluster, testCluster } from 'test/support/peer-store-envs';
import { createTestApp, type TestApp } from 'test/support/test-app';

/**
 * The store's rules as a client meets them (issue 15), on every peer store: the sentences, and what a refused
 * announce leaves behind. Each rule's store-level behaviour is in test/peers/contract/rules.contract.ts.
 */
describe.each(PEER_STORE_ENVS)('store rules through the tracker on the $name peer store', (store) => {
  let t: TestApp;
  let strict: TestApp;
  let nextUserId = 1;

  async function newUser(app = t): Promise<string> {
    return (await app.api('POST', '/api/users', { id: nextUserId++ })).body.passkey;
  }

  async function newTorrent(app = t): Promise<Buffer> {
    const infoHash = randomBytes(20);
    await app.api('POST', '/api/torrents', { infoHash: infoHash.toString('hex') });
    return infoHash;
  }

  async function announce(passkey: string, params: AnnounceParams, app = t): Promise<Answer> {
    return new Answer((await app.get(announceUrl(passkey, params))).body);
  }

  beforeAll(async () => {
    if (store.name === 'redis cluster') {
      await testCluster();
    }
    t = await createTestApp({ ...store.env(), MAX_PEERS_PER_USER_TORRENT: '2', ANNOUNCE_PACING: 'lenient' });
    strict = await createTestApp({ ...store.env(), ANNOUNCE_PACING: 'strict', MIN_INTERVAL: '600' });
  }, 60_000);

  afterAll(async () => {
    await t?.close();
    await strict?.close();
    await stopTestCluster();
  }, 30_000);

  it('refuses a third client of one user on one torrent with a sentence naming the limit', async () => {
    const [passkey, other] = [await newUser(), await newUser()];
    const infoHash = await newTorrent();
    for (const port of [7001, 7002]) {
      expect((await announce(passkey, { infoHash, peerId: peerId(), port, left: 0 })).failure).toBeUndefined();
    }
    const third = await announce(passkey, { infoHash, peerId: peerId(), port: 7003, left: 0 });
    expect(third.failure).toBe('You already have 2 clients on this torrent, the most allowed; stop one of them first.');
    expect(third.int('min interval')).toBeDefined();
    const seen = await announce(other, { infoHash, peerId: peerId(), port: 7004, left: 5 });
    expect(seen.int('complete')).toBe(2);
    expect(seen.peerPorts.sort()).toEqual([7001, 7002]);
  });

  it('lenient pacing: a re-announce within MIN_INTERVAL counts, with a warning and no peers', async () => {
    const [seeder, leecher] = [await newUser(), await newUser()];
    const infoHash = await newTorrent();
    const id = peerId();
    await announce(seeder, { infoHash, peerId: peerId(), port: 7101, left: 0 });
    const first = await announce(leecher, { infoHash, peerId: id, port: 7102, left: 5 });
    expect(first.peerPorts).toEqual([7101]);
    const soon = await announce(leecher, { infoHash, peerId: id, port: 7102, left: 5, uploaded: 1000 });
    expect(soon.failure).toBeUndefined();
    expect(text(soon, 'warning message')).toMatch(
      /^Announced \d+ seconds before the minimum interval of 900 seconds was over; no peers were sent this time\.$/,
    );
    expect([soon.int('complete'), soon.int('incomplete')]).toEqual([1, 1]);
    expect(soon.peers).toEqual([]);
    // An exact duplicate (same totals, within seconds) is answered from the swarm as it is, with its peers.
    const duplicate = await announce(leecher, { infoHash, peerId: id, port: 7102, left: 5, uploaded: 1000 });
    expect(text(duplicate, 'warning message')).toBeUndefined();
    expect(duplicate.peerPorts).toEqual([7101]);
  });

  it('strict pacing: refused with retry in, and the refused totals are credited by the next announce', async () => {
    const passkey = await newUser(strict);
    const infoHash = await newTorrent(strict);
    const id = peerId();
    await announce(passkey, { infoHash, peerId: id, left: 5, event: 'started' }, strict);
    const soon = await announce(passkey, { infoHash, peerId: id, left: 5, uploaded: 4096 }, strict);
    expect(soon.failure).toMatch(/^Announced too soon: the minimum interval is 600 seconds; retry in \d+ seconds\.$/);
    // BEP 31's retry in, in minutes here: 600 s less the few ms since the previous announce.
    expect(soon.int('retry in')).toBe(10);
    // `completed` always passes, and carries the refused announce's upload with its own.
    const done = await announce(passkey, { infoHash, peerId: id, left: 0, uploaded: 8192, event: 'completed' }, strict);
    expect(done.failure).toBeUndefined();
    const user = await waitForUploaded(strict, 8192);
    expect(user).toBe(8192);
  });

  async function waitForUploaded(app: TestApp, bytes: number): Promise<number> {
    for (let i = 0; i < 100; i++) {
      const users = (await app.api('GET', '/api/users?limit=1000')).body.items as { uploaded: number }[];
      const found = users.find((u) => u.uploaded === bytes);
      if (found) {
        return found.uploaded;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return -1;
  }
});

function text(answer: Answer, key: string): string | undefined {
  return (answer.dict.get(key) as Buffer | undefined)?.toString();
}
