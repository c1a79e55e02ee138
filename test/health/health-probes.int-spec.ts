import { randomBytes } from 'node:crypto';
import { announceUrl, peerId } from 'test/support/announce-url';
import { Answer } from 'test/support/bencode-answer';
import { freeListenPort } from 'test/support/free-port';
import { ManagedProcess } from 'test/support/managed-process';
import { startScratchPostgres, type ScratchPostgres } from 'test/support/scratch-postgres';
import { createTestApp, type TestApp } from 'test/support/test-app';
import { waitFor } from 'test/support/wait-for';

async function probe(t: TestApp, url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await t.app.inject({ method: 'GET', url });
  return { status: response.statusCode, body: JSON.parse(response.body) as Record<string, unknown> };
}

describe('health probes for orchestrators', () => {
  describe('with PostgreSQL stopped under a running tracker', () => {
    let postgres: ScratchPostgres;
    let t: TestApp;

    beforeAll(async () => {
      postgres = await startScratchPostgres();
      const url = await postgres.createDatabase('health');
      t = await createTestApp({ DATABASE_URL: url }, { database: { name: 'health', url, drop: async () => {} } });
    }, 90_000);

    afterAll(async () => {
      if (!postgres.running) {
        await postgres.start();
      }
      await t?.close();
      await postgres.remove();
    }, 60_000);

    it('answers live and ready with the version and uptime while everything is up', async () => {
      const live = await probe(t, '/health/live');
      expect(live).toEqual({
        status: 200,
        body: { status: 'ok', version: expect.any(String), uptime: expect.any(Number) },
      });
      expect(live.body.version).toMatch(/^\d+\.\d+\.\d+/);
      expect(await probe(t, '/health/ready')).toMatchObject({ status: 200, body: { status: 'ok' } });
      expect(await probe(t, '/health')).toEqual({ status: 200, body: { status: 'ok' } });
    });

    it('stays ready, degraded, while announces are served from the cache; /health says the database failed', async () => {
      const user = await t.api('POST', '/api/users', { id: 1 });
      const infoHash = randomBytes(20);
      await t.api('POST', '/api/torrents', { infoHash: infoHash.toString('hex') });
      const announce = async () => {
        const url = announceUrl(user.body.passkey, { infoHash, peerId: peerId(), left: 0 });
        return new Answer((await t.get(url)).body);
      };
      expect((await announce()).failure).toBeUndefined(); // the lookup cache now holds the user and the torrent

      await postgres.stop();
      expect(await probe(t, '/health/ready')).toMatchObject({
        status: 200,
        body: { status: 'degraded', degraded: ['database'], version: expect.any(String) },
      });
      expect(await probe(t, '/health/live')).toMatchObject({ status: 200, body: { status: 'ok' } });
      expect(await probe(t, '/health')).toEqual({ status: 503, body: { status: 'unavailable', failed: ['database'] } });
      expect((await announce()).failure).toBeUndefined();

      await postgres.start();
      await waitFor(async () => ((await probe(t, '/health/ready')).body.status === 'ok' ? true : undefined), {
        description: 'ready again once PostgreSQL is back',
        timeoutMs: 20_000,
      });
    }, 60_000);
  });

  describe('with the Redis peer store stopped', () => {
    let redis: ManagedProcess;
    let port: number;
    let t: TestApp;

    const startRedis = async () => {
      redis = await ManagedProcess.start(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
        { name: 'redis-server' },
      );
    };

    beforeAll(async () => {
      port = await freeListenPort('127.0.0.1');
      await startRedis();
      t = await waitFor(
        () => createTestApp({ REDIS_URL: `redis://127.0.0.1:${port}`, REDIS_KEY_PREFIX: 'health-test:' }),
        { description: 'the tracker on a fresh redis-server', timeoutMs: 20_000, intervalMs: 300 },
      );
    }, 60_000);

    afterAll(async () => {
      try {
        if (!redis.running) {
          await startRedis();
          // Shut down on a reconnected client: a quit racing ioredis's reconnection can fail what it queued meanwhile.
          await waitFor(async () => ((await probe(t, '/health/ready')).status === 200 ? true : undefined), {
            description: 'ready again once Redis is back',
            timeoutMs: 20_000,
          });
        }
      } finally {
        await t?.close();
        await redis.stop();
      }
    }, 60_000);

    it('is not ready (503, naming redis) while the peer store is down, yet alive', async () => {
      expect(await probe(t, '/health/ready')).toMatchObject({ status: 200, body: { status: 'ok' } });
      await redis.stop();
      expect(await probe(t, '/health/ready')).toMatchObject({
        status: 503,
        body: { status: 'unavailable', failed: ['redis'], uptime: expect.any(Number) },
      });
      expect(await probe(t, '/health/live')).toMatchObject({ status: 200, body: { status: 'ok' } });
    }, 30_000);
  });
});
