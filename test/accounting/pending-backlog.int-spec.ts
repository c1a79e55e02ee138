import { randomBytes } from 'node:crypto';
import { AccountingFlusher } from 'src/accounting/accounting-flusher';
import { PeerStore } from 'src/peers/peer-store';
import { TrackerMetrics } from 'src/metrics/tracker-metrics';
import { announceUrl, peerId } from 'test/support/announce-url';
import { Answer } from 'test/support/bencode-answer';
import { PEER_STORE_ENVS, stopTestCluster, testCluster } from 'test/support/peer-store-envs';
import { createTestApp, type TestApp } from 'test/support/test-app';

afterAll(async () => {
  await stopTestCluster();
}, 30_000);

/** A gauge's one sample in the text exposition, or undefined when it has none. */
async function gauge(t: TestApp, name: string): Promise<number | undefined> {
  const text = await t.app.get(TrackerMetrics).registry.metrics();
  const match = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  return match ? Number(match[1]) : undefined;
}

describe.each(PEER_STORE_ENVS)('pending accounting backlog gauges, $name peer store', (store) => {
  let t: TestApp;

  beforeAll(async () => {
    if (store.name === 'redis cluster') {
      await testCluster();
    }
    // No periodic flush: the test decides when the ledger is written.
    t = await createTestApp({ ...store.env(), FLUSH_INTERVAL_MS: '600000' });
  }, 60_000);

  afterAll(async () => {
    await t?.close();
  });

  it('count the (user, torrent) rows and credited bytes not yet written, claimed or not, and drop to 0 once written', async () => {
    const torrents = [randomBytes(20), randomBytes(20), randomBytes(20)];
    for (const infoHash of torrents) {
      await t.api('POST', '/api/torrents', { infoHash: infoHash.toString('hex') });
    }
    let expectedBytes = 0;
    for (const id of [1, 2]) {
      const { passkey } = (await t.api('POST', '/api/users', { id })).body;
      for (const [i, infoHash] of torrents.entries()) {
        const peer = peerId();
        for (const [uploaded, downloaded] of [
          [0, 0],
          [1000 * (i + 1), 300 * id],
        ]) {
          const { body } = await t.get(
            announceUrl(passkey, { infoHash, peerId: peer, uploaded, downloaded, left: 10 }),
          );
          expect(new Answer(body).failure).toBeUndefined();
        }
        expectedBytes += 1000 * (i + 1) + 300 * id;
      }
    }
    expect(await gauge(t, 'tracker_pending_accounts')).toBe(6);
    expect(await gauge(t, 'tracker_pending_bytes')).toBe(expectedBytes);

    // Claimed by a flush that has not written it yet: still pending.
    const peers = t.app.get(PeerStore);
    const batch = await peers.claimPending(4);
    expect(batch).not.toBeNull();
    expect(await peers.pendingBacklog()).toEqual({ accounts: 6, bytes: expectedBytes, estimated: false });
    await peers.ackPending(batch!.id); // as if written: it leaves the backlog
    const left = await peers.pendingBacklog();
    expect(left.accounts).toBe(6 - batch!.accounts.length);

    await t.app.get(AccountingFlusher).flushAll();
    expect(await gauge(t, 'tracker_pending_accounts')).toBe(0);
    expect(await gauge(t, 'tracker_pending_bytes')).toBe(0);
  });
});
