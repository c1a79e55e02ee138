import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { announceUrl, peerId } from 'test/support/announce-url';
import { Answer } from 'test/support/bencode-answer';
import { PEER_STORE_ENVS, stopTestCluster, testCluster } from 'test/support/peer-store-envs';
import { createTestApp, type TestApp } from 'test/support/test-app';
import { waitFor } from 'test/support/wait-for';

const USERS = 3;
/** Swarms per master: enough that a command routed to the wrong node cannot go unnoticed by chance. */
const SWARMS_PER_MASTER = 8;

/**
 * Guards every path of the tracker against commands or pipelines that span Cluster slots (issue 20): ioredis refuses
 * a pipeline whose keys live on different nodes, Redis refuses a multi-key command across slots (CROSSSLOT). Swarms
 * are spread over every master, every path runs once, and any refusal fails the test: as a failed request, as a
 * failed flush in the metrics, or as a warning or error in the log.
 */
describe('on a 3-master Redis Cluster, no path sends keys of several slots together', () => {
  let t: TestApp;
  let torrents: Buffer[];
  const logged: string[] = [];

  beforeAll(async () => {
    const cluster = await testCluster();
    expect(cluster.ports).toHaveLength(3);
    const client = cluster.client();
    torrents = await swarmsOnEveryMaster((key) => client.cluster('KEYSLOT', key));
    client.disconnect();
    const store = PEER_STORE_ENVS.find((candidate) => candidate.name === 'redis cluster')!;
    t = await createTestApp({ ...store.env(), FLUSH_INTERVAL_MS: '100' });
    for (const level of ['warn', 'error'] as const) {
      jest.spyOn(Logger.prototype, level).mockImplementation((message: unknown, ..._rest: unknown[]) => {
        logged.push(`${level}: ${String(message)}`);
      });
    }
  }, 60_000);

  afterAll(async () => {
    jest.restoreAllMocks();
    await t?.close();
    await stopTestCluster();
  }, 30_000);

  it('announces, scrapes, admin views, flushes, deletions and acknowledgements all succeed', async () => {
    const users: { id: number; passkey: string }[] = [];
    for (let id = 1; id <= USERS; id++) {
      users.push((await t.api('POST', '/api/users', { id })).body);
    }
    for (const infoHash of torrents) {
      expect((await t.api('POST', '/api/torrents', { infoHash: infoHash.toString('hex') })).status).toBe(201);
    }

    const peers = users.map(() => peerId());
    for (const round of [0, 1, 2]) {
      for (const [u, user] of users.entries()) {
        for (const infoHash of torrents) {
          const left = u === 0 ? 0 : 100;
          const event = round === 0 ? 'started' : round === 2 && u === 1 ? 'completed' : undefined;
          const answer = new Answer(
            (
              await t.get(
                announceUrl(user.passkey, {
                  infoHash,
                  peerId: peers[u],
                  uploaded: round * 1000,
                  downloaded: round * 10,
                  left: event === 'completed' ? 0 : left,
                  event,
                }),
              )
            ).body,
          );
          expect(answer.failure).toBeUndefined();
        }
      }
    }
    const scrape = await t.get(
      `/${users[0].passkey}/scrape?${torrents.map((h) => `info_hash=${escape(h.toString('latin1'))}`).join('&')}`,
    );
    expect(new Answer(scrape.body).failure).toBeUndefined();

    // Every user's two credited rounds of every swarm reach PostgreSQL: the claims, reads and acknowledgements of
    // swarms on all three masters went through.
    const expected = 2 * 1000 * torrents.length;
    for (const user of users) {
      await waitFor(
        async () => {
          const { body } = await t.api('GET', `/api/users/${user.id}`);
          return body.rawUploaded === expected ? body : undefined;
        },
        { description: `user ${user.id}'s upload of ${expected} to be flushed`, timeoutMs: 10_000, intervalMs: 100 },
      );
    }
    for (const infoHash of torrents.slice(0, 6)) {
      const hex = infoHash.toString('hex');
      const torrent = await t.api('GET', `/api/torrents/${hex}`);
      expect(torrent.status).toBe(200);
      expect(torrent.body.seeders.count + torrent.body.leechers.count).toBe(USERS);
      expect((await t.api('GET', `/api/torrents/${hex}/peers`)).body).toHaveLength(USERS);
    }
    expect((await t.api('GET', '/api/stats')).body.peers).toBe(USERS * torrents.length);
    expect((await t.api('GET', `/api/users/${users[2].id}/torrents`)).body).toHaveLength(torrents.length);

    expect((await t.api('DELETE', `/api/torrents/${torrents[0].toString('hex')}`)).status).toBe(204);
    expect((await t.api('DELETE', `/api/users/${users[2].id}`)).status).toBe(204);
    expect((await t.api('GET', '/api/stats')).body.peers).toBe((USERS - 1) * (torrents.length - 1));

    const metrics = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/^tracker_flush_failures_total 0$/m);
    expect(logged).toEqual([]);
  }, 60_000);
});

/** Random info hashes, SWARMS_PER_MASTER on each third of the slots (the test cluster's masters). */
async function swarmsOnEveryMaster(slotOf: (key: string) => Promise<number>): Promise<Buffer[]> {
  const perMaster = [0, 0, 0];
  const out: Buffer[] = [];
  while (out.length < 3 * SWARMS_PER_MASTER) {
    const infoHash = randomBytes(20);
    const master = Math.floor((await slotOf(`{${infoHash.toString('hex')}}`)) / Math.ceil(16384 / 3));
    if (perMaster[master] < SWARMS_PER_MASTER) {
      perMaster[master]++;
      out.push(infoHash);
    }
  }
  return out;
}
