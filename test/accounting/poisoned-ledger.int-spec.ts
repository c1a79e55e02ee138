import { Cluster, Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { PeerStore } from 'src/peers/peer-store';
import type { PendingLedger } from 'src/peers/memory/pending-ledger';
import { RedisKeys } from 'src/peers/redis/redis-keys';
import { announceUrl, peerId } from 'test/support/announce-url';
import { Answer } from 'test/support/bencode-answer';
import { PEER_STORE_ENVS, stopTestCluster, testCluster } from 'test/support/peer-store-envs';
import { createTestApp, type TestApp } from 'test/support/test-app';
import { createTempDatabase, type TempDatabase } from 'test/support/postgres-database';
import { waitFor } from 'test/support/wait-for';

/** The bound under test: small, so that what one announce may credit is easy to reason about. */
const RATE = 1_000_000;
/** More pairs than the ~1,030 that overflowed a bigint before announces were bounded (issue 19 §1). */
const PAIRS = 1100;
const MAX_EXACT = Number.MAX_SAFE_INTEGER;

afterAll(async () => {
  await stopTestCluster();
}, 30_000);

describe.each(PEER_STORE_ENVS)('no announce or pending account can halt accounting, $name peer store', (store) => {
  let database: TempDatabase;
  let storeEnv: Record<string, string>;
  const apps: TestApp[] = [];

  beforeAll(async () => {
    if (store.name === 'redis cluster') {
      await testCluster();
    }
    database = await createTempDatabase('poison');
    storeEnv = store.env();
  }, 60_000);

  afterAll(async () => {
    for (const app of apps.splice(0)) {
      await app.close();
    }
    await database.drop();
  });

  async function start(): Promise<TestApp> {
    const app = await createTestApp(
      { ...storeEnv, MAX_TRANSFER_RATE: `${RATE}`, FLUSH_INTERVAL_MS: '100' },
      { database },
    );
    apps.push(app);
    return app;
  }

  async function register(t: TestApp, id: number, multiplier = 1) {
    const user = (await t.api('POST', '/api/users', { id, uploadMultiplier: multiplier })).body;
    const infoHash = randomBytes(20);
    await t.api('POST', '/api/torrents', { infoHash: infoHash.toString('hex'), uploadMultiplier: multiplier });
    const peer = peerId();
    /** Through `via` when the app that registered the user has been restarted since. */
    const announce = async (uploaded: number, via = t) => {
      const { body } = await via.get(announceUrl(user.passkey, { infoHash, peerId: peer, uploaded, left: 10 }));
      expect(new Answer(body).failure).toBeUndefined();
    };
    return { id, infoHash: infoHash.toString('hex'), announce };
  }

  async function userWhen(t: TestApp, id: number, ready: (user: any) => boolean) {
    return waitFor(
      async () => {
        const { body } = await t.api('GET', `/api/users/${id}`);
        return ready(body) ? body : undefined;
      },
      { description: `user ${id} to be flushed`, timeoutMs: 10_000, intervalMs: 50 },
    );
  }

  it('bounds what alternating uploaded=0 and 2^53-1 announces credit, at 100 × 100 multipliers', async () => {
    const t = await start();
    const attacker = await register(t, 1, 100);
    const bystander = await register(t, 2);
    await attacker.announce(0);
    const started = Date.now();
    for (let i = 0; i < PAIRS; i++) {
      await attacker.announce(MAX_EXACT);
      await attacker.announce(0);
    }
    const seconds = (Date.now() - started) / 1000;
    await bystander.announce(0);
    await bystander.announce(777);

    // The bystander's accounting still reaches PostgreSQL, and so does the attacker's, bounded.
    await userWhen(t, bystander.id, (u) => u.uploaded === 777);
    const attacked = await userWhen(t, attacker.id, (u) => u.rawUploaded >= PAIRS * RATE);
    // Each jump credits RATE × the time since the previous announce, at least a second's worth.
    expect(attacked.rawUploaded).toBeLessThanOrEqual(RATE * (PAIRS + seconds + 1));
    expect(attacked.uploaded).toBe(attacked.rawUploaded * 100 * 100);
    const metrics = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/^tracker_flush_failures_total 0$/m);
    await t.close();
    apps.splice(apps.indexOf(t), 1);
  }, 120_000);

  it('quarantines a pending account PostgreSQL refuses, writes the rest of its batch and every later one', async () => {
    // A poisoned account as an older build could leave it: a sum past 2^63. On Redis it is there before the
    // tracker (re)starts; in memory it is recorded in the running one.
    const poisonedBefore = store.name !== 'memory';
    const setupApp = await start();
    const victim = await register(setupApp, 11);
    const healthy = await register(setupApp, 12);
    if (poisonedBefore) {
      await setupApp.close();
      apps.splice(apps.indexOf(setupApp), 1);
      await poisonRedisLedger(storeEnv, victim.id, victim.infoHash, 2 ** 64);
      await poisonRedisLedger(storeEnv, healthy.id, healthy.infoHash, 4242);
    } else {
      const ledger = setupApp.app.get<PeerStore, { ledger: PendingLedger }>(PeerStore).ledger;
      const now = Date.now();
      ledger.record(victim.id, victim.infoHash, '127.0.0.1', now, false, 2 ** 64, 0, 2 ** 64, 0, 0);
      ledger.record(healthy.id, healthy.infoHash, '127.0.0.1', now, false, 4242, 0, 4242, 0, 0);
    }
    const app = poisonedBefore ? await start() : setupApp;

    await userWhen(app, healthy.id, (u) => u.uploaded === 4242);
    const rows = await waitFor(
      async () => {
        const found: { user_id: number; info_hash: string; error: string }[] = await app.app
          .get(DataSource)
          .query(`SELECT user_id, info_hash, error FROM quarantined_accounts`);
        return found.length > 0 ? found : undefined;
      },
      { description: 'the poisoned account to be quarantined', timeoutMs: 10_000, intervalMs: 50 },
    );
    expect(rows).toEqual([
      { user_id: victim.id, info_hash: victim.infoHash, error: expect.stringMatching(/range|bigint/) },
    ]);
    expect((await app.api('GET', `/api/users/${victim.id}`)).body.uploaded).toBe(0);

    // Later accounting flows: the victim's own next credit included.
    await victim.announce(0, app);
    await victim.announce(55, app);
    await userWhen(app, victim.id, (u) => u.uploaded === 55);
    const metrics = (await app.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/^tracker_flush_quarantined_accounts_total 1$/m);
  }, 60_000);
});

/** Writes a pending account straight into a swarm's ledger on Redis (layout: redis-keys.ts, redis-peer.codec.ts). */
async function poisonRedisLedger(env: Record<string, string>, userId: number, infoHash: string, uploaded: number) {
  const client = env.REDIS_CLUSTER_NODES
    ? new Cluster(
        env.REDIS_CLUSTER_NODES.split(',').map((node) => ({ host: '127.0.0.1', port: Number(node.split(':')[1]) })),
      )
    : new Redis(env.REDIS_URL);
  try {
    const keys = new RedisKeys(env.REDIS_KEY_PREFIX);
    const field = Buffer.alloc(4);
    field.writeUInt32BE(userId);
    const now = Date.now();
    const account = Buffer.alloc(64);
    [uploaded, 0, uploaded, 0, 0, -1, now, now].forEach((value, i) => account.writeDoubleBE(value, i * 8));
    await client.hset(keys.swarm(infoHash).ledger, field, Buffer.concat([account, Buffer.from('127.0.0.1')]));
    await client.sadd(keys.dirty, infoHash);
  } finally {
    client.disconnect();
  }
}
