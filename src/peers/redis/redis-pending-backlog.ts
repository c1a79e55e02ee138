import type { Cluster, Redis } from 'ioredis';
import type { PendingAccount, PendingBacklog } from 'src/peers/peer-store.types';
import { decodeLedgerPart } from 'src/peers/redis/redis-ledger';
import type { RedisKeys } from 'src/peers/redis/redis-keys';
import { inChunks } from 'src/peers/redis/redis-scan.util';

/** Ledgers read per reading, open and claimed each; a larger backlog is read from a random sample and scaled up. */
const SAMPLED_LEDGERS = 2000;

interface LedgerSum {
  accounts: number;
  bytes: number;
}

/**
 * Reads the shared pending ledger for the backlog gauges: the swarms marked dirty (open ledgers) and the parts of
 * every batch claimed but not acknowledged, on any instance. Every instance reads the same backlog, so alert on its
 * max, not its sum. Cost is bounded: at most SAMPLED_LEDGERS HGETALLs of each kind per reading.
 */
export async function readPendingBacklog(client: Redis | Cluster, keys: RedisKeys): Promise<PendingBacklog> {
  const dirtyCount = await client.scard(keys.dirty);
  const dirty =
    dirtyCount <= SAMPLED_LEDGERS
      ? await client.smembers(keys.dirty)
      : await client.srandmember(keys.dirty, SAMPLED_LEDGERS);
  const open = await sumLedgers(
    client,
    dirty.map((infoHash) => ({ infoHash, key: keys.swarm(infoHash).ledger })),
  );

  const parts: { infoHash: string; key: string }[] = [];
  for (const batchId of await client.zrange(keys.batches, '0', '-1')) {
    for (const infoHash of await client.smembers(keys.manifest(batchId))) {
      if (infoHash !== '!') {
        parts.push({ infoHash, key: keys.batchPart(infoHash, batchId) });
      }
    }
  }
  const sampledParts = parts.length <= SAMPLED_LEDGERS ? parts : shuffled(parts).slice(0, SAMPLED_LEDGERS);
  const claimed = await sumLedgers(client, sampledParts);

  const openScale = dirty.length === 0 ? 0 : dirtyCount / dirty.length;
  const claimedScale = sampledParts.length === 0 ? 0 : parts.length / sampledParts.length;
  return {
    accounts: Math.round(open.accounts * openScale + claimed.accounts * claimedScale),
    bytes: Math.round(open.bytes * openScale + claimed.bytes * claimedScale),
    estimated: dirty.length < dirtyCount || sampledParts.length < parts.length,
  };
}

async function sumLedgers(client: Redis | Cluster, ledgers: { infoHash: string; key: string }[]): Promise<LedgerSum> {
  const sum: LedgerSum = { accounts: 0, bytes: 0 };
  await inChunks(ledgers, 200, async ({ infoHash, key }) => {
    const accounts: PendingAccount[] = [];
    decodeLedgerPart(infoHash, (await client.callBuffer('HGETALL', key)) as Buffer[], accounts, []);
    for (const account of accounts) {
      sum.accounts += 1;
      sum.bytes += account.uploaded + account.downloaded;
    }
  });
  return sum;
}

function shuffled<T>(items: T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}
