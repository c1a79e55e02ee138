import { randomBytes } from 'node:crypto';
import { RedisTestCluster } from 'test/peers/redis-test-cluster';

export const REDIS_URL = 'redis://127.0.0.1:6379';

/** A peer store the whole tracker can run on, as the environment that selects it. */
export interface PeerStoreEnv {
  name: 'memory' | 'redis' | 'redis cluster';
  /** The variables that select the store; each call gets a key prefix of its own. */
  env(): Record<string, string>;
}

let cluster: RedisTestCluster | null = null;
let starting: Promise<RedisTestCluster> | null = null;

/**
 * The 3-master test cluster of this test file, started on first use (slots spread over the masters) and stopped by
 * `stopTestCluster()` in the file's afterAll.
 */
export async function testCluster(): Promise<RedisTestCluster> {
  starting ??= RedisTestCluster.start(3).then((started) => (cluster = started));
  return starting;
}

export async function stopTestCluster(): Promise<void> {
  const running = cluster;
  cluster = null;
  starting = null;
  await running?.stop();
}

function prefix(): string {
  return `test:${randomBytes(6).toString('hex')}:`;
}

/**
 * Every peer store accounting must be proven on: what runs on a single Redis also runs on the Cluster, where a
 * command or pipeline whose keys span slots is refused. Call `await testCluster()` in beforeAll before `env()` of
 * the Cluster.
 */
export const PEER_STORE_ENVS: PeerStoreEnv[] = [
  { name: 'memory', env: () => ({}) },
  { name: 'redis', env: () => ({ REDIS_URL, REDIS_KEY_PREFIX: prefix() }) },
  {
    name: 'redis cluster',
    env: () => {
      if (!cluster) {
        throw new Error('call testCluster() in beforeAll first');
      }
      return {
        REDIS_CLUSTER_NODES: cluster.ports.map((port) => `127.0.0.1:${port}`).join(','),
        REDIS_KEY_PREFIX: prefix(),
      };
    },
  },
];
