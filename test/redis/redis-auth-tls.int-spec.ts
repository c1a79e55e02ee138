import { rm } from 'node:fs/promises';
import { RedisTestCluster } from 'test/peers/redis-test-cluster';
import { makeTlsFiles, RedisTestServer, type TlsFiles } from 'test/redis/redis-test-server';
import { AdminClient } from 'test/support/admin-client';
import { AnnounceLoad, registerFixture } from 'test/support/announce-load';
import { createTempDatabase, type TempDatabase } from 'test/support/postgres-database';
import { startTracker, type TrackerProcess } from 'test/support/tracker-process';

/**
 * Issue 17, "Redis as production needs it": the compiled tracker against Redis servers this test starts, protected
 * by a password or serving TLS only, or a Cluster whose nodes require a password. Each tracker must serve announces
 * (the main connection) and admin writes (published to the invalidation bus's subscriber, which would fail startup
 * if it could not subscribe); a missing password or CA stops startup with the setting to fix.
 */

const ADMIN_TOKEN = 'redis-auth-test-admin-token-0123456';
const PASSWORD = 'correct horse battery staple';

let database: TempDatabase;
let tls: TlsFiles;
const servers: Array<{ stop(): Promise<void> }> = [];
const trackers: TrackerProcess[] = [];
let nextUserId = 1;

beforeAll(async () => {
  database = await createTempDatabase('redis_auth');
  tls = await makeTlsFiles();
});

afterAll(async () => {
  await Promise.allSettled(trackers.map((tracker) => tracker.kill()));
  await Promise.allSettled(servers.map((server) => server.stop()));
  await database?.drop();
  if (tls) {
    await rm(tls.dir, { recursive: true, force: true });
  }
});

async function server(options: Parameters<typeof RedisTestServer.start>[0]): Promise<RedisTestServer> {
  const started = await RedisTestServer.start(options);
  servers.push(started);
  return started;
}

async function launch(env: Record<string, string>): Promise<TrackerProcess> {
  const tracker = await startTracker({ ADMIN_TOKEN, DATABASE_URL: database.url, ...env }, { readyTimeoutMs: 40_000 });
  trackers.push(tracker);
  return tracker;
}

/** The error startTracker throws when the tracker exits before it is healthy (it carries the tracker's logs). */
async function startupFailure(env: Record<string, string>): Promise<string> {
  try {
    const tracker = await launch(env);
    await tracker.kill();
    return 'the tracker started';
  } catch (error) {
    return (error as Error).message;
  }
}

/** Registers a user and a torrent, then announces every peer once: all must be acked. */
async function expectAnnouncesServed(tracker: TrackerProcess): Promise<void> {
  const fixture = await registerFixture(new AdminClient(tracker.baseUrl, ADMIN_TOKEN), {
    users: 2,
    torrents: 2,
    firstUserId: nextUserId,
  });
  nextUserId += 2;
  const load = new AnnounceLoad(fixture.peers, tracker.baseUrl, { concurrency: 2 });
  await load.baseline();
  await load.sweep();
  expect(load.counts).toMatchObject({ acked: 8, failed: 0, unknown: 0 });
}

describe('Redis with a password', () => {
  it('serves with REDIS_PASSWORD', async () => {
    const redis = await server({ password: PASSWORD });
    const tracker = await launch({ REDIS_URL: redis.url, REDIS_PASSWORD: PASSWORD, REDIS_KEY_PREFIX: 'pw:' });
    await expectAnnouncesServed(tracker);
    await tracker.stop();
  }, 90_000);

  it('serves with the password in REDIS_URL', async () => {
    const redis = await server({ password: PASSWORD });
    const url = `redis://:${encodeURIComponent(PASSWORD)}@127.0.0.1:${redis.port}`;
    const tracker = await launch({ REDIS_URL: url });
    await expectAnnouncesServed(tracker);
    await tracker.stop();
  }, 90_000);

  it('refuses to start without the password, or with a wrong one, naming REDIS_PASSWORD', async () => {
    const redis = await server({ password: PASSWORD });
    const missing = await startupFailure({ REDIS_URL: redis.url });
    expect(missing).toMatch(/Cannot use Redis \(REDIS_URL=redis:\/\/127\.0\.0\.1:\d+\).*NOAUTH.*set REDIS_PASSWORD/);
    const wrong = await startupFailure({ REDIS_URL: redis.url, REDIS_PASSWORD: 'not it' });
    expect(wrong).toMatch(/Redis refused the credentials \(WRONGPASS.*set REDIS_PASSWORD/);
    expect(wrong).not.toContain('not it');
  }, 90_000);
});

describe('Redis over TLS', () => {
  it('serves over rediss:// with the CA in REDIS_TLS_CA_FILE', async () => {
    const redis = await server({ tls, password: PASSWORD });
    expect(redis.url).toMatch(/^rediss:/);
    const tracker = await launch({ REDIS_URL: redis.url, REDIS_PASSWORD: PASSWORD, REDIS_TLS_CA_FILE: tls.ca });
    await expectAnnouncesServed(tracker);
    await tracker.stop();
  }, 90_000);

  it('refuses to start when the certificate cannot be verified, naming REDIS_TLS_CA_FILE', async () => {
    const redis = await server({ tls });
    const message = await startupFailure({ REDIS_URL: redis.url });
    expect(message).toMatch(/TLS to Redis failed \(self-signed certificate in certificate chain\).*REDIS_TLS_CA_FILE/);
  }, 90_000);

  it('refuses to start on a CA file that does not exist, before connecting', async () => {
    const message = await startupFailure({ REDIS_URL: 'rediss://127.0.0.1:1', REDIS_TLS_CA_FILE: '/nonexistent.pem' });
    expect(message).toMatch(/Invalid configuration: REDIS_TLS_CA_FILE cannot be read/);
  }, 60_000);
});

describe('Redis Cluster with a password', () => {
  let cluster: RedisTestCluster;

  beforeAll(async () => {
    cluster = await RedisTestCluster.start(3, { password: PASSWORD });
    servers.push(cluster);
  }, 60_000);

  it('serves with REDIS_PASSWORD, given to every node', async () => {
    const nodes = cluster.ports.map((port) => `127.0.0.1:${port}`).join(',');
    const tracker = await launch({ REDIS_CLUSTER_NODES: nodes, REDIS_PASSWORD: PASSWORD, REDIS_KEY_PREFIX: 'cpw:' });
    await expectAnnouncesServed(tracker);
    await tracker.stop();
  }, 90_000);

  it('refuses to start without the password, naming REDIS_PASSWORD', async () => {
    const nodes = cluster.ports.map((port) => `127.0.0.1:${port}`).join(',');
    const message = await startupFailure({ REDIS_CLUSTER_NODES: nodes });
    expect(message).toMatch(/Cannot use Redis \(REDIS_CLUSTER_NODES=.*set REDIS_PASSWORD/);
  }, 90_000);
});

describe('Redis settings that can lose acknowledged accounting', () => {
  const warnings = (tracker: TrackerProcess) =>
    tracker
      .logs()
      .split('\n')
      .filter((line) => /maxmemory-policy|appendonly/.test(line));

  it('warns, naming the setting and why, when Redis can evict or has no AOF', async () => {
    const redis = await server({ args: ['--maxmemory-policy', 'allkeys-lru'] });
    const tracker = await launch({ REDIS_URL: redis.url });
    await tracker.stop();
    const lines = warnings(tracker).join('\n');
    expect(lines).toMatch(/Redis 127\.0\.0\.1:\d+: maxmemory-policy is allkeys-lru, so at maxmemory Redis evicts/);
    expect(lines).toMatch(/Redis 127\.0\.0\.1:\d+: appendonly is no \(no AOF\), so a Redis restart loses/);
  }, 60_000);

  it('says nothing with noeviction and AOF', async () => {
    const redis = await server({ args: ['--maxmemory-policy', 'noeviction', '--appendonly', 'yes'] });
    const tracker = await launch({ REDIS_URL: redis.url });
    await tracker.stop();
    expect(warnings(tracker)).toEqual([]);
  }, 60_000);

  it('starts and says what it could not check when CONFIG is disabled, as on managed Redis', async () => {
    const redis = await server({ args: ['--rename-command', 'CONFIG', '""'] });
    const tracker = await launch({ REDIS_URL: redis.url });
    await tracker.stop();
    expect(warnings(tracker).join('\n')).toMatch(
      /cannot read maxmemory-policy and appendonly \(.*unknown command.*\); make sure they are noeviction and yes/,
    );
  }, 60_000);
});
