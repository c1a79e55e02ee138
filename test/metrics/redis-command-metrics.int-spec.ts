import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { TrackerMetrics } from 'src/metrics/tracker-metrics';

describe('Redis command metrics', () => {
  let metrics: TrackerMetrics;
  let redis: Redis;
  const key = `test:redis-metrics:${randomBytes(6).toString('hex')}`;

  beforeAll(() => {
    metrics = new TrackerMetrics();
    redis = new Redis('redis://127.0.0.1:6379', { enableAutoPipelining: true });
  });

  afterAll(async () => {
    await redis.del(key);
    await redis.quit();
    metrics.onModuleDestroy();
  });

  it('time every command by name and count the failed ones, autopipelined or not', async () => {
    await Promise.all([redis.set(key, 'not a number'), redis.get(key), redis.get(key)]);
    await expect(redis.incr(key)).rejects.toThrow(/not an integer/);

    const text = await metrics.registry.metrics();
    expect(text).toMatch(/^tracker_redis_command_duration_seconds_count\{command="set"\} [1-9]/m);
    expect(text).toMatch(/^tracker_redis_command_duration_seconds_count\{command="get"\} ([2-9]|\d\d+)/m);
    expect(text).toMatch(/^tracker_redis_command_errors_total\{command="incr"\} 1$/m);
    expect(text).not.toMatch(/^tracker_redis_command_errors_total\{command="get"\}/m);
  });

  it("time the store's Lua scripts: EVAL the first time on a connection, EVALSHA after", async () => {
    redis.defineCommand('metricsTestEcho', { numberOfKeys: 0, lua: `return '${randomBytes(6).toString('hex')}'` });
    const script = redis as unknown as { metricsTestEcho(): Promise<string> };
    await script.metricsTestEcho();
    await script.metricsTestEcho();

    const text = await metrics.registry.metrics();
    expect(text).toMatch(/^tracker_redis_command_duration_seconds_count\{command="eval"\} [1-9]/m);
    expect(text).toMatch(/^tracker_redis_command_duration_seconds_count\{command="evalsha"\} [1-9]/m);
    expect(text).not.toMatch(/^tracker_redis_command_errors_total\{command="evalsha"\}/m);
  });

  it('stop observing when the app closes', async () => {
    const other = new TrackerMetrics();
    other.onModuleDestroy();
    await redis.get(key);
    expect(await other.registry.metrics()).not.toMatch(/^tracker_redis_command_duration_seconds_count/m);
  });
});
