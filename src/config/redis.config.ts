import { readFileSync } from 'node:fs';
import {
  InvalidConfigError,
  readBoolean,
  readHostPortList,
  readInt,
  readString,
  readUrl,
  redactUrl,
  type HostPort,
} from 'src/config/env-parsers.util';

type Env = Record<string, string | undefined>;

/** How the tracker reaches Redis: none (memory store), one server, a Sentinel-managed master, or a Cluster. */
export type RedisTopology = 'none' | 'single' | 'sentinel' | 'cluster';

/** Variables that only mean something when some Redis is configured: set without one, they are a mistake. */
const NEEDS_REDIS = [
  'REDIS_USERNAME',
  'REDIS_PASSWORD',
  'REDIS_TLS',
  'REDIS_TLS_CA_FILE',
  'REDIS_SENTINEL_NAME',
  'REDIS_SENTINEL_PASSWORD',
];

/**
 * The Redis part of the configuration: where Redis is (REDIS_CLUSTER_NODES, then REDIS_SENTINELS, then REDIS_URL),
 * how to authenticate and whether to use TLS. The CA file is read here, so that a missing file stops startup with
 * the variable's name.
 */
export function loadRedisConfig(env: Env) {
  const clusterNodes = readHostPortList(env, 'REDIS_CLUSTER_NODES');
  const sentinels = readHostPortList(env, 'REDIS_SENTINELS');
  const url = readUrl(env, 'REDIS_URL', ['redis:', 'rediss:']);
  const topology: RedisTopology = clusterNodes ? 'cluster' : sentinels ? 'sentinel' : url ? 'single' : 'none';
  if (topology === 'none') {
    const stray = NEEDS_REDIS.find((name) => readString(env, name) !== undefined);
    if (stray) {
      throw new InvalidConfigError(
        stray,
        'is set but no Redis is configured (REDIS_URL, REDIS_SENTINELS or REDIS_CLUSTER_NODES)',
        '…',
      );
    }
  }

  const sentinelName = readString(env, 'REDIS_SENTINEL_NAME');
  if (sentinels && sentinelName === undefined) {
    throw new InvalidConfigError('REDIS_SENTINEL_NAME', 'must name the master group the sentinels monitor', '');
  }
  if (!sentinels) {
    const stray = ['REDIS_SENTINEL_NAME', 'REDIS_SENTINEL_PASSWORD'].find(
      (name) => readString(env, name) !== undefined,
    );
    if (stray) {
      throw new InvalidConfigError(stray, 'needs REDIS_SENTINELS', '…');
    }
  }

  const password = readString(env, 'REDIS_PASSWORD');
  const urlHasPassword = topology === 'single' && new URL(url!).password !== '';
  if (password !== undefined && urlHasPassword) {
    throw new InvalidConfigError('REDIS_PASSWORD', 'is set and REDIS_URL has a password too: keep one', '***');
  }

  const tls = readTls(env, topology, url);
  return {
    topology,
    url,
    clusterNodes: clusterNodes ?? ([] as HostPort[]),
    sentinels: sentinels ?? ([] as HostPort[]),
    sentinelName: sentinelName ?? '',
    sentinelPassword: readString(env, 'REDIS_SENTINEL_PASSWORD'),
    /** ACL user; unset: the `default` user (requirepass). */
    username: readString(env, 'REDIS_USERNAME'),
    /** For every node: the server, the Sentinel-managed master, each Cluster node. A password in REDIS_URL also works. */
    password,
    /** null: plain TCP. Otherwise TLS, verifying the server against `ca` (PEM) or, without it, the system's CAs. */
    tls,
    /** Prefix of every key and channel, so that several trackers (or test runs) can share one Redis. */
    keyPrefix: readString(env, 'REDIS_KEY_PREFIX') ?? 'tracker:',
    /** Memory for small swarms' members kept between announces (kept-swarms.ts). */
    swarmCacheBytes: readInt(env, 'REDIS_SWARM_CACHE_MB', 64, 0, 65536) * 1024 * 1024,
  };
}

export type RedisConfig = ReturnType<typeof loadRedisConfig>;

/** TLS comes from a rediss:// REDIS_URL, or from REDIS_TLS=true for Sentinel and Cluster, which have no URL. */
function readTls(env: Env, topology: RedisTopology, url: string | undefined): { ca?: string } | null {
  const rediss = topology === 'single' && url!.startsWith('rediss:');
  const explicit = readString(env, 'REDIS_TLS') === undefined ? undefined : readBoolean(env, 'REDIS_TLS', false);
  if (topology === 'single' && explicit !== undefined && explicit !== rediss) {
    throw new InvalidConfigError(
      'REDIS_TLS',
      `contradicts REDIS_URL: use ${explicit ? 'rediss://' : 'redis://'} in REDIS_URL instead`,
      `${explicit}`,
    );
  }
  const enabled = rediss || explicit === true;
  if (enabled && topology === 'sentinel') {
    // ioredis would need TLS towards the sentinels and the data nodes separately; not built nor tested yet.
    throw new InvalidConfigError('REDIS_TLS', 'is not supported with REDIS_SENTINELS yet', 'true');
  }
  const caFile = readString(env, 'REDIS_TLS_CA_FILE');
  if (caFile !== undefined && !enabled) {
    throw new InvalidConfigError(
      'REDIS_TLS_CA_FILE',
      'needs TLS: a rediss:// REDIS_URL, or REDIS_TLS=true with REDIS_CLUSTER_NODES',
      caFile,
    );
  }
  if (!enabled) {
    return null;
  }
  return caFile === undefined ? {} : { ca: readCaFile(caFile) };
}

function readCaFile(path: string): string {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (error) {
    throw new InvalidConfigError('REDIS_TLS_CA_FILE', `cannot be read (${(error as Error).message})`, path);
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new InvalidConfigError('REDIS_TLS_CA_FILE', 'must be a PEM file of CA certificates', path);
  }
  return pem;
}

/** Where Redis is, for logs and errors: never a password. */
export function describeRedis(redis: RedisConfig): string {
  const list = (nodes: HostPort[]) => nodes.map((n) => `${n.host}:${n.port}`).join(',');
  switch (redis.topology) {
    case 'none':
      return 'no Redis';
    case 'single':
      return `REDIS_URL=${redactUrl(redis.url!)}`;
    case 'sentinel':
      return `REDIS_SENTINELS=${list(redis.sentinels)} (master ${redis.sentinelName})`;
    case 'cluster':
      return `REDIS_CLUSTER_NODES=${list(redis.clusterNodes)}`;
  }
}
