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
  let nextUserId = 1;

  async function newUser(): Promise<string> {
    return (await t.api('POST', '/api/users', { id: nextUserId++ })).body.passkey;
  }

  async function newTorrent(): Promise<Buffer> {
    const infoHash = randomBytes(20);
    await t.api('POST', '/api/torrents', { infoHash: infoHash.toString('hex') });
    return infoHash;
  }

  async function announce(passkey: string, params: AnnounceParams): Promise<Answer> {
    return new Answer((await t.get(announceUrl(passkey, params))).body);
  }

  beforeAll(async () => {
    if (store.name === 'redis cluster') {
      await testCluster();
    }
    t = await createTestApp({ ...store.env(), MAX_PEERS_PER_USER_TORRENT: '2' });
  }, 60_000);

  afterAll(async () => {
    await t?.close();
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
});
