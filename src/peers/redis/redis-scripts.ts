import type { Cluster, Redis } from 'ioredis';
import { ANNOUNCE_LUA } from 'src/peers/redis/announce.lua';
import {
  BATCH_ACK_LUA,
  BATCH_ADD_LUA,
  BATCH_RENEW_LUA,
  BATCH_SEAL_LUA,
  BATCH_TAKE_LUA,
} from 'src/peers/redis/batch.lua';
import { DOWNLOAD_SLOTS_LUA } from 'src/peers/redis/download-slots.lua';
import { CLAIM_LEDGERS_LUA } from 'src/peers/redis/ledger.lua';
import { REMOVE_PEERS_LUA, REMOVE_SWARM_LUA, SWARM_COUNTS_LUA } from 'src/peers/redis/swarm.lua';

type Arg = string | Buffer | number;

/** The methods ioredis adds for our scripts (`<name>Buffer` answers bulk strings as Buffers). */
interface ScriptCommands {
  /** The replies in one string (redis-peer.codec.ts decodes it). */
  peerStoreAnnounceBuffer(...args: Arg[]): Promise<Buffer>;
  peerStoreSwarmCounts(...args: Arg[]): Promise<[number, number]>;
  peerStoreRemovePeersBuffer(...args: Arg[]): Promise<Buffer[]>;
  peerStoreRemoveSwarmBuffer(...args: Arg[]): Promise<Buffer[]>;
  /** Takes the number of keys first: the number of swarms claimed varies. Never on a Cluster (see below). */
  peerStoreClaimLedgersBuffer(...args: Arg[]): Promise<(number | Buffer)[]>;
  /** The same script for one swarm: (ledger, batch part, deadline). */
  peerStoreClaimLedgerBuffer(...args: Arg[]): Promise<(number | Buffer)[]>;
  peerStoreBatchAdd(...args: Arg[]): Promise<number>;
  peerStoreBatchTake(...args: Arg[]): Promise<string | null>;
  peerStoreBatchRenew(...args: Arg[]): Promise<number>;
  peerStoreBatchSeal(...args: Arg[]): Promise<string[] | null>;
  peerStoreBatchAck(...args: Arg[]): Promise<number>;
  /** One user (a Cluster's path; a single Redis sends whole frames, redis-download-slots.ts): answers [answer]. */
  peerStoreDownloadSlot(...args: Arg[]): Promise<number[]>;
}

const DEFINITIONS: Record<string, { numberOfKeys?: number; lua: string }> = {
  peerStoreAnnounce: { numberOfKeys: 6, lua: ANNOUNCE_LUA },
  peerStoreSwarmCounts: { numberOfKeys: 2, lua: SWARM_COUNTS_LUA },
  peerStoreRemovePeers: { numberOfKeys: 4, lua: REMOVE_PEERS_LUA },
  peerStoreRemoveSwarm: { numberOfKeys: 5, lua: REMOVE_SWARM_LUA },
  peerStoreClaimLedgers: { lua: CLAIM_LEDGERS_LUA },
  peerStoreClaimLedger: { numberOfKeys: 2, lua: CLAIM_LEDGERS_LUA },
  peerStoreBatchAdd: { numberOfKeys: 2, lua: BATCH_ADD_LUA },
  peerStoreBatchTake: { numberOfKeys: 1, lua: BATCH_TAKE_LUA },
  peerStoreBatchRenew: { numberOfKeys: 1, lua: BATCH_RENEW_LUA },
  peerStoreBatchSeal: { numberOfKeys: 1, lua: BATCH_SEAL_LUA },
  peerStoreBatchAck: { numberOfKeys: 2, lua: BATCH_ACK_LUA },
  peerStoreDownloadSlot: { numberOfKeys: 1, lua: DOWNLOAD_SLOTS_LUA },
};

/**
 * The store's Lua scripts, registered with `defineCommand` (EVALSHA, falling back to EVAL after a NOSCRIPT, on a
 * single Redis and on every Cluster node alike), behind typed methods.
 *
 * On a Cluster every script has a fixed number of keys: ioredis's autopipelining routes a command by its first
 * argument, which for a script without `numberOfKeys` is the key count, not a key. The pipeline it then builds holds
 * keys of another node and is refused whole ("All keys in the pipeline should belong to the same slots allocation
 * group"), which once stopped every flush on a Cluster.
 */
export class RedisScripts {
  readonly run: ScriptCommands;

  constructor(client: Redis | Cluster) {
    for (const [name, definition] of Object.entries(DEFINITIONS)) {
      client.defineCommand(name, definition);
    }
    this.run = client as unknown as ScriptCommands;
  }
}
