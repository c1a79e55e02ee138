import { Logger } from '@nestjs/common';
import type { Cluster, Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import type { CheatFlag, PendingAccount, PendingBatch } from 'src/peers/peer-store.types';
import { decodeCheatFlag, decodePendingAccount, isFlagField } from 'src/peers/redis/redis-ledger.codec';
import type { RedisKeys } from 'src/peers/redis/redis-keys';
import { inChunks, scanKeys } from 'src/peers/redis/redis-scan.util';
import { slotGroups } from 'src/peers/redis/slot-groups.util';
import type { RedisScripts } from 'src/peers/redis/redis-scripts';

export interface RedisLedgerOptions {
  /** How long a claimed batch stays with its claimer before another instance may take it over. */
  leaseMs: number;
  /** How often claiming also SCANs for ledgers missing from the dirty set (the first claim always does). */
  recoverEveryMs: number;
}

/** Swarms popped from the dirty set per round while building a batch. */
const SWARMS_PER_ROUND = 256;
/** Swarms claimed or deleted per command where keys of several swarms may go together (slot-groups.util.ts). */
const SWARMS_PER_COMMAND = 64;
/** Expired batches looked at per claim before building a new one. */
const TAKEOVERS_PER_CLAIM = 16;

/**
 * Hands the pending ledger over to the database in batches (see the protocol in redis-peer-store.ts).
 * Only `leaseMs`/`recoverEveryMs` scheduling reads the wall clock; lease deadlines are Redis TIME.
 */
export class RedisLedger {
  private readonly logger = new Logger(RedisLedger.name);
  /** Batches this instance handed out and that are not acknowledged yet: handed out again first, unchanged. */
  private readonly held = new Map<string, PendingBatch>();
  private nextRecovery = 0;
  /**
   * A dirty mark may be missing: at startup, after a reconnection (a failover promotes a replica that may hold
   * ledgers whose marks it never got, or that a claim had popped), or after a failed mark or claim. The next claim then
   * waits for the recovery scan, so such ledgers are written within a flush, and before a shutdown, not minutes later.
   */
  private recoverySoon = true;

  constructor(
    private readonly client: Redis | Cluster,
    private readonly keys: RedisKeys,
    private readonly scripts: RedisScripts,
    private readonly options: RedisLedgerOptions,
  ) {
    client.on('ready', () => {
      this.recoverySoon = true;
    });
  }

  /** The announce script saw these swarms' ledgers go from empty to non-empty. */
  async markDirty(infoHashes: string[]): Promise<void> {
    try {
      await this.client.sadd(this.keys.dirty, ...infoHashes);
    } catch (error) {
      this.recoverySoon = true;
      throw error;
    }
  }

  async claim(maxAccounts: number): Promise<PendingBatch | null> {
    try {
      return await this.claimOrBuild(maxAccounts);
    } catch (error) {
      this.recoverySoon = true; // a build may have popped dirty marks it never turned into a batch
      throw error;
    }
  }

  private async claimOrBuild(maxAccounts: number): Promise<PendingBatch | null> {
    for (const [id, batch] of this.held) {
      if ((await this.scripts.run.peerStoreBatchRenew(this.keys.batches, id, this.options.leaseMs)) === 1) {
        return batch;
      }
      this.held.delete(id); // taken over (and acknowledged) elsewhere after our lease ran out
    }
    for (let i = 0; i < TAKEOVERS_PER_CLAIM; i++) {
      const id = await this.scripts.run.peerStoreBatchTake(this.keys.batches, this.options.leaseMs);
      if (id === null) {
        break;
      }
      const batch = await this.takeOver(id);
      if (batch) {
        return this.hold(batch);
      }
      await this.ack(id);
    }
    if (this.recoverySoon || Date.now() >= this.nextRecovery) {
      const urgent = this.recoverySoon;
      this.recoverySoon = false;
      this.nextRecovery = Date.now() + this.options.recoverEveryMs;
      // An urgent one (see recoverySoon) is awaited, so the leftovers go out at once; the periodic ones walk the
      // keyspace in the background, so that they never hold up a flush.
      const recovery = this.recover().catch((error: unknown) => {
        this.recoverySoon = true;
        this.logger.warn(`Pending ledger recovery scan failed: ${String(error)}`);
      });
      if (urgent) {
        await recovery;
      }
    }
    return this.build(maxAccounts);
  }

  async ack(batchId: string): Promise<void> {
    this.held.delete(batchId);
    const manifest = this.keys.manifest(batchId);
    const hashes = (await this.client.smembers(manifest)).filter((h) => h !== '!');
    // At most 500 commands in flight, as before: on a Cluster every swarm is a command of its own.
    await inChunks(slotGroups(this.client, hashes, SWARMS_PER_COMMAND), 500, (group) =>
      this.client.del(...group.map((h) => this.keys.batchPart(h, batchId))),
    );
    // Parts first: a crash in between leaves a registered batch that a takeover finds empty and acknowledges.
    await this.scripts.run.peerStoreBatchAck(this.keys.batches, manifest, batchId);
  }

  /** Re-marks every swarm that has a ledger: repairs a crash between an announce and its dirty mark. */
  async recover(): Promise<void> {
    let found = 0;
    await scanKeys(this.client, this.keys.ledgerPattern, async (keys) => {
      const hashes = keys.map((k) => this.keys.infoHashOfLedger(k)).filter((h): h is string => h !== null);
      if (hashes.length > 0) {
        found += await this.client.sadd(this.keys.dirty, ...hashes);
      }
    });
    if (found > 0) {
      // After a crash between an announce and its dirty mark, or a claim in flight elsewhere (harmless: RENAMENX).
      this.logger.log(`Re-marked ${found} swarms with a pending ledger as dirty`);
    }
  }

  /** Moves dirty swarms' ledgers into a new batch until it holds about `maxAccounts` accounts. */
  private async build(maxAccounts: number): Promise<PendingBatch | null> {
    const id = randomUUID();
    const manifest = this.keys.manifest(id);
    const margin = Math.floor(this.options.leaseMs / 6);
    const accounts: PendingAccount[] = [];
    const flags: CheatFlag[] = [];
    let opened = false;
    // Swarms this build already tried. An announce after the move starts a new ledger and marks the swarm dirty
    // again; that ledger is for the next batch (this batch's part key is taken, so it would be refused forever).
    const tried = new Set<string>();
    while (accounts.length < maxAccounts) {
      const spopped = await this.client.spop(
        this.keys.dirty,
        Math.min(SWARMS_PER_ROUND, maxAccounts - accounts.length),
      );
      const popped = spopped.filter((infoHash) => !tried.has(infoHash));
      if (popped.length < spopped.length) {
        await this.client.sadd(this.keys.dirty, ...spopped.filter((infoHash) => tried.has(infoHash)));
      }
      if (popped.length === 0) {
        break;
      }
      popped.forEach((infoHash) => tried.add(infoHash));
      const deadline = await this.scripts.run.peerStoreBatchAdd(
        this.keys.batches,
        manifest,
        id,
        this.options.leaseMs,
        opened ? 0 : 1,
        ...popped,
      );
      if (deadline === 0) {
        // Sealed by an instance that took the batch over while we were slow: what we moved is its now.
        await this.client.sadd(this.keys.dirty, ...popped);
        break;
      }
      opened = true;
      const refused: string[] = [];
      await Promise.all(
        slotGroups(this.client, popped, SWARMS_PER_COMMAND).map(async (group) => {
          const keys = group.flatMap((infoHash) => [
            this.keys.swarm(infoHash).ledger,
            this.keys.batchPart(infoHash, id),
          ]);
          const reply =
            group.length === 1
              ? await this.scripts.run.peerStoreClaimLedgerBuffer(keys[0], keys[1], deadline - margin)
              : await this.scripts.run.peerStoreClaimLedgersBuffer(keys.length, ...keys, deadline - margin);
          let at = 0;
          for (const infoHash of group) {
            const status = reply[at] as number;
            const length = reply[at + 1] as number;
            if (status === -1) {
              refused.push(infoHash);
            }
            decodeLedgerPart(infoHash, reply.slice(at + 2, at + 2 + length) as Buffer[], accounts, flags);
            at += 2 + length;
          }
        }),
      );
      if (refused.length > 0) {
        await this.client.sadd(this.keys.dirty, ...refused);
      }
    }
    if (!opened) {
      return null;
    }
    if (accounts.length === 0 && flags.length === 0) {
      await this.ack(id);
      return null;
    }
    return this.hold({ id, accounts: sortAccounts(accounts), flags: sortFlags(flags) });
  }

  /** Reads a batch whose claimer went silent, after sealing it so that the claimer cannot add to it any more. */
  private async takeOver(id: string): Promise<PendingBatch | null> {
    const hashes = await this.scripts.run.peerStoreBatchSeal(this.keys.manifest(id));
    if (!hashes) {
      return null;
    }
    const accounts: PendingAccount[] = [];
    const flags: CheatFlag[] = [];
    await inChunks(
      hashes.filter((h) => h !== '!'),
      500,
      async (infoHash) =>
        decodeLedgerPart(
          infoHash,
          (await this.client.callBuffer('HGETALL', this.keys.batchPart(infoHash, id))) as Buffer[],
          accounts,
          flags,
        ),
    );
    return accounts.length + flags.length > 0
      ? { id, accounts: sortAccounts(accounts), flags: sortFlags(flags) }
      : null;
  }

  private hold(batch: PendingBatch): PendingBatch {
    this.held.set(batch.id, batch);
    return batch;
  }
}

/** A swarm's ledger (or its part of a batch): its accounts, and the cheat flags that ride with them. */
export function decodeLedgerPart(
  infoHash: string,
  pairs: Buffer[],
  accounts: PendingAccount[],
  flags: CheatFlag[],
): void {
  for (let i = 0; i + 1 < pairs.length; i += 2) {
    if (isFlagField(pairs[i])) {
      flags.push(decodeCheatFlag(infoHash, pairs[i], pairs[i + 1]));
    } else {
      accounts.push(decodePendingAccount(infoHash, pairs[i], pairs[i + 1]));
    }
  }
}

function sortFlags(flags: CheatFlag[]): CheatFlag[] {
  const key = (f: CheatFlag) => `${f.infoHash}:${f.userId}:${f.announcedAt}:${f.kind}:${f.evidence.announce.peerId}`;
  return flags.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** Whoever reads a batch (its claimer or a takeover) lists it in the same order. */
function sortAccounts(accounts: PendingAccount[]): PendingAccount[] {
  return accounts.sort((a, b) => (a.infoHash < b.infoHash ? -1 : a.infoHash > b.infoHash ? 1 : a.userId - b.userId));
}
