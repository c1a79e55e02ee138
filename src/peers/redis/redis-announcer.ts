import type { Cluster, Redis } from 'ioredis';
import {
  DUPLICATE_WINDOW_MS,
  type AnnouncePacing,
  type AnnounceResult,
  type CheatPolicy,
  type PeerAnnounce,
  type PeerStoreRules,
  type StoreRefusal,
} from 'src/peers/peer-store.types';
import { AnnounceCommand } from 'src/peers/redis/announce-command';
import type { AnnounceSideWrites } from 'src/peers/redis/announce-side-writes';
import { type KeptSwarm, KeptSwarms } from 'src/peers/redis/kept-swarms';
import {
  type AnnounceReply,
  encodeAnnounceNumbers,
  encodeMember,
  EVENT_CODES,
  packSampledPeers,
  VERDICT_DUPLICATE,
  VERDICT_NEEDS_SLOT,
  VERDICT_PEER_LIMIT,
  VERDICT_PEER_LIMIT_OBSERVED,
  VERDICT_SLOTS_REFUSED,
  VERDICT_TOO_SOON_OBSERVED,
  VERDICT_TOO_SOON_REFUSED,
  VERDICT_TOO_SOON_WARNED,
} from 'src/peers/redis/redis-peer.codec';
import type { RedisPeerCounters } from 'src/peers/redis/redis-peer-counters';
import type { RedisKeys } from 'src/peers/redis/redis-keys';
import type { RedisScripts } from 'src/peers/redis/redis-scripts';
import {
  type RedisDownloadSlots,
  SLOTS_CHECKED_IN_SCRIPT,
  SLOTS_FULL,
  SLOTS_REFUSED,
  SLOTS_UNUSED,
} from 'src/peers/redis/redis-download-slots';

/** The parts of a RedisPeerStore an announce uses, and its settings. */
export interface RedisAnnouncerParts {
  client: Redis | Cluster;
  keys: RedisKeys;
  scripts: RedisScripts;
  counters: RedisPeerCounters;
  sideWrites: AnnounceSideWrites;
  downloadSlots: RedisDownloadSlots;
  rules: PeerStoreRules;
  ttlMs: number;
  maxTransferRate: number;
  keptSwarmsBytes: number;
}

/** Extra members sampled so that the announcing user's own peers, filtered out here, rarely leave the answer short. */
const OWN_PEER_SLACK = 2;

/**
 * One announce on Redis, for RedisPeerStore (its doc has the keys).
 *
 * One EVALSHA of announce.lua.ts (on a single Redis one call carries a poll phase's announces): it reads the
 * peer's baseline, credits deltas and seed time, moves the peer, adds to the ledger, prunes at most 2 expired members
 * per set, counts live peers (ZCOUNT from now - TTL), and samples a window at a random offset among the live ranks
 * (ZRANGE, not ZRANDMEMBER) that Node filters (the user's own peers) and packs. A swarm small enough to come whole
 * is kept by the instance (kept-swarms.ts): while the script finds its version unchanged, it skips the census and
 * the sample, which took redis-server's CPU per announce in the bench from 50.7 to 28–34 µs once the peers had all
 * joined. A peer silent for longer than the TTL counts as gone even before it is pruned: its next announce is a first
 * one. Only on rare transitions does the store send one more command to another slot: the dirty mark when the ledger
 * went from empty to non-empty, and the per-user index on a new peer or its periodic refresh (redis-user-index.ts).
 *
 * Download slots (redis-download-slots.ts) go in two phases around the script, so that a live leecher's announce
 * waits for nothing more.
 */
export class RedisAnnouncer {
  private readonly keys: RedisKeys;
  private readonly rules: PeerStoreRules;
  private readonly ttlMs: number;
  private readonly maxTransferRate: number;
  private readonly counters: RedisPeerCounters;
  private readonly sideWrites: AnnounceSideWrites;
  private readonly downloadSlots: RedisDownloadSlots;
  private readonly announceCommand: AnnounceCommand;
  private readonly keptSwarms: KeptSwarms;
  /** The announce script's code of the rules it checks in observe mode (announce.lua.ts). */
  private readonly observeCode: number;

  constructor(parts: RedisAnnouncerParts) {
    this.keys = parts.keys;
    this.rules = parts.rules;
    this.ttlMs = parts.ttlMs;
    this.maxTransferRate = parts.maxTransferRate;
    this.counters = parts.counters;
    this.sideWrites = parts.sideWrites;
    this.downloadSlots = parts.downloadSlots;
    this.announceCommand = new AnnounceCommand(parts.client, parts.scripts);
    this.keptSwarms = new KeptSwarms(parts.keptSwarmsBytes);
    const observed = this.rules.observed;
    this.observeCode =
      (observed.includes('peer-limit') ? 1 : 0) +
      (observed.includes('pacing') ? 2 : 0) +
      (observed.includes('download-slots') ? 4 : 0);
  }

  announce(a: PeerAnnounce): Promise<AnnounceResult> {
    // Not async: an async function that returns a promise settles through one more promise and job.
    return this.downloadSlots.apply(a) ? this.announceWithSlots(a) : this.announceInSwarm(a, SLOTS_UNUSED, undefined);
  }

  private async announceWithSlots(a: PeerAnnounce): Promise<AnnounceResult> {
    // Two phases: the script lets a live leecher through and turns a new leech back until a slot is taken for it.
    const checked = await this.announceInSwarm(a, SLOTS_CHECKED_IN_SCRIPT, undefined);
    if (checked !== NEEDS_SLOT) {
      return checked;
    }
    const slots = await this.downloadSlots.take(a);
    if (slots === SLOTS_REFUSED) {
      const refusal: StoreRefusal = { rule: 'download-slots', limit: a.downloadSlots! };
      if (!this.rules.observed.includes('download-slots')) {
        return refusedResult(refusal, a.wantPeerIds);
      }
      // Observed: the leech starts, and is listed among the user's leeches once applied, as a full user's
      // re-announce is, so that the slots count what the user really leeches.
      return this.announceInSwarm(a, SLOTS_FULL, [refusal]);
    }
    return this.announceInSwarm(a, slots, undefined);
  }

  /**
   * The announce script, and what download slots need done after it (redis-download-slots.ts): `slots` is where the
   * slot check stands (SLOTS_*). `wouldRefuse`: what observed rules checked before the script would have refused.
   * NEEDS_SLOT: the script turned back a new leech, with SLOTS_CHECKED_IN_SCRIPT only.
   */
  private announceInSwarm(
    a: PeerAnnounce,
    slots: typeof SLOTS_CHECKED_IN_SCRIPT,
    wouldRefuse: undefined,
  ): Promise<AnnounceResult | typeof NEEDS_SLOT>;
  private announceInSwarm(a: PeerAnnounce, slots: number, wouldRefuse?: StoreRefusal[]): Promise<AnnounceResult>;
  private async announceInSwarm(
    a: PeerAnnounce,
    slots: number,
    wouldRefuse: StoreRefusal[] | undefined,
  ): Promise<AnnounceResult | typeof NEEDS_SLOT> {
    const keys = this.keys.swarm(a.infoHash);
    const member = encodeMember(a.userId, a.peerId, a.ipBytes, a.port);
    const want = a.numwant > 0 ? a.numwant + OWN_PEER_SLACK : 0;
    const kept = want > 0 ? this.keptSwarms.usable(a.infoHash, a.now, want) : undefined;
    const leeching = this.downloadSlots.keptByScript(a) ? this.keys.leeching(a.userId) : '';
    const numbers = encodeAnnounceNumbers(
      [
        a.now,
        a.uploaded,
        a.downloaded,
        a.left,
        a.uploadFactor,
        a.downloadFactor,
        this.ttlMs,
        want,
        Math.floor(Math.random() * 0x1000000000000),
        kept?.version ?? 0,
        this.maxTransferRate,
        this.rules.maxPeersPerUserTorrent,
        PACING_CODES[this.rules.pacing],
        this.rules.minIntervalMs,
        DUPLICATE_WINDOW_MS,
        CHEAT_POLICY_CODES[this.rules.cheatPolicy],
        this.rules.maxUploadRate,
        this.observeCode,
        slots === SLOTS_CHECKED_IN_SCRIPT ? 1 : slots === SLOTS_FULL ? 2 : 0,
        kept?.incomplete ?? -1,
      ],
      leeching === ''
        ? undefined
        : { infoHash: a.infoHash, slots: a.downloadSlots!, refreshMs: this.downloadSlots.refreshMs },
    );
    // The routes hand announces over a poll phase at a time (CheckPhaseBatch): on a single Redis, a phase's
    // announces go in one script call (announce-command.ts).
    // Policies' flag kinds travel after the event code (`n,kind,kind`): rare, and no argument more per announce.
    const event =
      a.policyFlags && a.policyFlags.length > 0
        ? `${EVENT_CODES[a.event]},${a.policyFlags.join(',')}`
        : EVENT_CODES[a.event];
    let reply: AnnounceReply;
    try {
      reply = await this.announceCommand.run(keys, { member, ip: a.ip, numbers, event, leeching });
    } catch (error) {
      // The slot goes back; the script's error is the one to report.
      await this.downloadSlots.after(a, slots, false, false, 0)?.catch(() => undefined);
      throw error;
    }
    const { verdict, prevRole, indexDue, dirty } = reply;
    if (verdict === VERDICT_NEEDS_SLOT) {
      return NEEDS_SLOT;
    }
    const refused =
      verdict === VERDICT_PEER_LIMIT || verdict === VERDICT_TOO_SOON_REFUSED || verdict === VERDICT_SLOTS_REFUSED;
    if (typeof a.downloadSlots === 'number') {
      const slotsSettled = this.downloadSlots.after(a, slots, !refused, prevRole === 1, reply.prevLastAnnounce);
      if (slotsSettled !== undefined) {
        await slotsSettled;
      }
    }
    if (refused) {
      return refusedReply(verdict, reply.verdictDetail, a.wantPeerIds);
    }
    if (reply.slotsObserved) {
      (wouldRefuse ??= []).push({ rule: 'download-slots', limit: a.downloadSlots! });
    }
    if (verdict === VERDICT_PEER_LIMIT_OBSERVED) {
      (wouldRefuse ??= []).push({ rule: 'peer-limit', limit: reply.verdictDetail });
    } else if (verdict === VERDICT_TOO_SOON_OBSERVED) {
      (wouldRefuse ??= []).push({ rule: 'pacing', retryInMs: reply.verdictDetail });
    }
    if (verdict !== VERDICT_DUPLICATE) {
      this.counters.move(
        prevRole === 0 ? null : { seeder: prevRole === 2, lastAnnounce: reply.prevLastAnnounce },
        a.event === 'stopped' ? null : { seeder: a.left === 0, lastAnnounce: a.now },
      );
    }
    if (indexDue || dirty) {
      await this.sideWrites.add(a, { dirty, indexDue });
    }
    let swarm: Pick<KeptSwarm, 'complete' | 'incomplete' | 'seeders' | 'leechers'> = reply;
    if (reply.complete < 0 && kept) {
      swarm = kept;
    } else if (reply.version > 0) {
      const { complete, incomplete, seeders, leechers, version } = reply;
      this.keptSwarms.keep(a.infoHash, {
        complete,
        incomplete,
        seeders,
        leechers,
        version,
        liveUntil: reply.oldest + this.ttlMs,
      });
    }
    // A seeder gets leechers only; the script sends no seeders to one unless it sent the whole swarm.
    const samples = a.left === 0 ? [swarm.leechers] : [swarm.seeders, swarm.leechers];
    const requesterIpv6 = a.ipBytes.length === 16;
    const peers = packSampledPeers(a.userId, samples, a.numwant, a.wantPeerIds, requesterIpv6, a.now - this.ttlMs);
    const result: AnnounceResult = { complete: swarm.complete, incomplete: swarm.incomplete, peers };
    if (verdict === VERDICT_TOO_SOON_WARNED) {
      result.tooSoonByMs = reply.verdictDetail;
    }
    if (wouldRefuse !== undefined) {
      result.wouldRefuse = wouldRefuse;
    }
    return result;
  }
}

const NO_MEMBERS = Buffer.alloc(0);
/** The announce script's answer to a new leech of a user with download slots: take a slot, then announce again. */
const NEEDS_SLOT = Symbol('needs a download slot');

/** The answer to an announce the script turned away (nothing was changed). */
function refusedReply(verdict: number, detail: number, wantPeerIds: boolean): AnnounceResult {
  const refusal: StoreRefusal =
    verdict === VERDICT_PEER_LIMIT
      ? { rule: 'peer-limit', limit: detail }
      : verdict === VERDICT_SLOTS_REFUSED
        ? { rule: 'download-slots', limit: detail }
        : { rule: 'pacing', retryInMs: detail };
  return refusedResult(refusal, wantPeerIds);
}

function refusedResult(refused: StoreRefusal, wantPeerIds: boolean): AnnounceResult {
  const ids = wantPeerIds ? NO_MEMBERS : null;
  return {
    complete: 0,
    incomplete: 0,
    peers: { compact4: NO_MEMBERS, compact6: NO_MEMBERS, ids4: ids, ids6: ids },
    refused,
  };
}

/** ANNOUNCE_PACING as the announce script's number. */
const PACING_CODES: Record<AnnouncePacing, number> = { off: 0, lenient: 1, strict: 2 };
/** CHEAT_POLICY as the announce script's number. */
const CHEAT_POLICY_CODES: Record<CheatPolicy, number> = { off: 0, observe: 1, withhold: 2 };
