import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeRedis, loadRedisConfig } from 'src/config/redis.config';

const dir = mkdtempSync(join(tmpdir(), 'redis-config-'));
const caFile = join(dir, 'ca.pem');
writeFileSync(caFile, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
const notPem = join(dir, 'not.pem');
writeFileSync(notPem, 'hello');

describe('Redis configuration', () => {
  it('picks the Cluster, then Sentinel, then REDIS_URL', () => {
    const all = {
      REDIS_URL: 'redis://h:1',
      REDIS_SENTINELS: 'h:2',
      REDIS_SENTINEL_NAME: 'm',
      REDIS_CLUSTER_NODES: 'h:3',
    };
    expect(loadRedisConfig(all).topology).toBe('cluster');
    expect(loadRedisConfig({ ...all, REDIS_CLUSTER_NODES: '' }).topology).toBe('sentinel');
    expect(loadRedisConfig({ REDIS_URL: 'redis://h:1' }).topology).toBe('single');
    expect(loadRedisConfig({}).topology).toBe('none');
  });

  it('reads sentinels, their master name and password', () => {
    const redis = loadRedisConfig({
      REDIS_SENTINELS: '10.0.0.1:26379, 10.0.0.2:26379',
      REDIS_SENTINEL_NAME: 'tracker',
      REDIS_SENTINEL_PASSWORD: 'sp',
      REDIS_PASSWORD: 'dp',
    });
    expect(redis).toMatchObject({
      sentinels: [
        { host: '10.0.0.1', port: 26379 },
        { host: '10.0.0.2', port: 26379 },
      ],
      sentinelName: 'tracker',
      sentinelPassword: 'sp',
      password: 'dp',
      tls: null,
    });
    expect(describeRedis(redis)).toBe('REDIS_SENTINELS=10.0.0.1:26379,10.0.0.2:26379 (master tracker)');
  });

  it('turns TLS on for rediss:// and for REDIS_TLS=true, with the CA file read at startup', () => {
    expect(loadRedisConfig({ REDIS_URL: 'rediss://h:1' }).tls).toEqual({});
    expect(loadRedisConfig({ REDIS_URL: 'rediss://h:1', REDIS_TLS_CA_FILE: caFile }).tls?.ca).toContain('BEGIN');
    expect(loadRedisConfig({ REDIS_CLUSTER_NODES: 'h:1', REDIS_TLS: 'true', REDIS_TLS_CA_FILE: caFile }).tls).toEqual({
      ca: expect.stringContaining('BEGIN') as string,
    });
    expect(loadRedisConfig({ REDIS_CLUSTER_NODES: 'h:1' }).tls).toBeNull();
  });

  it.each([
    [{ REDIS_PASSWORD: 'p' }, /REDIS_PASSWORD is set but no Redis is configured/],
    [{ REDIS_SENTINELS: 'h:1' }, /REDIS_SENTINEL_NAME must name the master group/],
    [{ REDIS_URL: 'redis://h:1', REDIS_SENTINEL_NAME: 'm' }, /REDIS_SENTINEL_NAME needs REDIS_SENTINELS/],
    [{ REDIS_URL: 'redis://h:1', REDIS_SENTINEL_PASSWORD: 'p' }, /REDIS_SENTINEL_PASSWORD needs REDIS_SENTINELS/],
    [{ REDIS_SENTINELS: 'h', REDIS_SENTINEL_NAME: 'm' }, /REDIS_SENTINELS must be a comma-separated list/],
    [{ REDIS_URL: 'redis://:a@h:1', REDIS_PASSWORD: 'b' }, /REDIS_PASSWORD is set and REDIS_URL has a password/],
    [{ REDIS_URL: 'redis://h:1', REDIS_TLS: 'true' }, /REDIS_TLS contradicts REDIS_URL: use rediss:\/\//],
    [{ REDIS_URL: 'rediss://h:1', REDIS_TLS: 'false' }, /REDIS_TLS contradicts REDIS_URL: use redis:\/\//],
    [{ REDIS_URL: 'redis://h:1', REDIS_TLS_CA_FILE: caFile }, /REDIS_TLS_CA_FILE needs TLS/],
    [{ REDIS_URL: 'rediss://h:1', REDIS_TLS_CA_FILE: join(dir, 'missing') }, /REDIS_TLS_CA_FILE cannot be read/],
    [{ REDIS_URL: 'rediss://h:1', REDIS_TLS_CA_FILE: notPem }, /REDIS_TLS_CA_FILE must be a PEM file/],
    [{ REDIS_SENTINELS: 'h:1', REDIS_SENTINEL_NAME: 'm', REDIS_TLS: 'true' }, /REDIS_TLS is not supported with/],
    [{ REDIS_CLUSTER_NODES: 'h:1', REDIS_TLS: 'maybe' }, /REDIS_TLS must be true or false/],
  ])('rejects %j with a message naming the variable', (env, message) => {
    expect(() => loadRedisConfig(env)).toThrow(message);
  });

  it('never puts a password in an error or a description', () => {
    expect(() => loadRedisConfig({ REDIS_URL: 'redis://:secret@h:1', REDIS_PASSWORD: 'other' })).not.toThrow(
      /secret|other/,
    );
    expect(describeRedis(loadRedisConfig({ REDIS_URL: 'redis://u:secret@h:1' }))).toBe('REDIS_URL=redis://u:***@h:1');
  });
});
