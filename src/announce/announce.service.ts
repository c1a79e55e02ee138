import { Inject, Injectable } from '@nestjs/common';
import { AnnounceFailure, FailureCode } from 'src/announce/protocol/announce-failure';
import type { AnnounceContext, ScrapeContext } from 'src/announce/announce-lookup.step';
import type { AnnounceOutcome, ScrapeOutcome } from 'src/announce/announce-outcome';
import { TRACKER_CONFIG, type TrackerConfig } from 'src/config/tracker.config';
import type { TallyCount } from 'src/metrics/tally-metrics';
import { TrackerMetrics } from 'src/metrics/tracker-metrics';
import { PeerStore } from 'src/peers/peer-store';
import {
  PendingLedgerFullError,
  STORE_POLICIES,
  type AnnounceResult,
  type StoreRefusal,
  type StoreRule,
} from 'src/peers/peer-store.types';

/**
 * Announce and scrape once the user and torrent are known and the policy steps have passed: the PeerStore. Returns
 * what to answer, never bytes: encoding is the transport's.
 */
@Injectable()
export class AnnounceService {
  /** The would-refuse counters of the store rules in observe mode (POLICY_MODES), bound once. */
  private readonly observedCounts: Partial<Record<StoreRule, TallyCount>> = {};

  constructor(
    @Inject(TRACKER_CONFIG) private readonly config: TrackerConfig,
    private readonly peers: PeerStore,
    private readonly metrics: TrackerMetrics,
  ) {
    for (const [rule, name] of Object.entries(STORE_POLICIES) as [StoreRule, string][]) {
      if (config.policyModes.get(name) === 'observe') {
        this.observedCounts[rule] = metrics.policyWouldRefuse(name);
      }
    }
  }

  async announce(context: AnnounceContext): Promise<AnnounceOutcome> {
    const { user, torrent, request, address, startedAt, credit, flags } = context;
    const stopped = request.event === 'stopped';
    const numwant = stopped ? 0 : Math.min(request.numwant ?? this.config.numwantDefault, this.config.numwantMax);
    let result: AnnounceResult;
    try {
      result = await this.peers.announce({
        infoHash: torrent.infoHash,
        userId: user.id,
        peerId: request.peerId,
        ip: address.ip,
        ipBytes: address.bytes,
        port: request.port,
        uploaded: request.uploaded,
        downloaded: request.downloaded,
        left: request.left,
        event: request.event,
        numwant,
        wantPeerIds: !request.compact && !request.noPeerId,
        now: Date.now(),
        uploadFactor: credit.uploadFactor,
        downloadFactor: credit.downloadFactor,
        policyFlags: flags,
        downloadSlots: user.downloadSlots,
      });
    } catch (error) {
      busyAtLedgerBound(error);
    }
    if (result.refused) {
      throw this.storeRefusal(result.refused);
    }
    if (result.wouldRefuse !== undefined) {
      this.observed(result.wouldRefuse, context);
    }
    const warning = context.warning;
    this.metrics.succeeded('announce', secondsSince(startedAt));
    return {
      kind: 'announce',
      interval: this.config.announceInterval,
      minInterval: this.config.minInterval,
      complete: result.complete,
      incomplete: result.incomplete,
      downloaded: torrent.completed,
      peers: result.peers,
      warning: result.tooSoonByMs === undefined ? warning : this.tooSoonWarning(result.tooSoonByMs, warning),
    };
  }

  /**
   * Store rules in observe mode would have refused this announce, which went through: counted per rule, and shown in
   * the staff's announce log as a pipeline step in observe mode is (the last one named).
   */
  private observed(refusals: readonly StoreRefusal[], context: AnnounceContext): void {
    for (const refusal of refusals) {
      const name = STORE_POLICIES[refusal.rule];
      const count = this.observedCounts[refusal.rule];
      if (count !== undefined) {
        count.value++;
      }
      context.wouldRefuse = this.storeRefusal(refusal);
      context.actedBy = name;
    }
  }

  /** The sentence for a rule the store enforced (nothing was changed). */
  private storeRefusal(refused: StoreRefusal): AnnounceFailure {
    const failure = this.storeFailure(refused);
    failure.policy = STORE_POLICIES[refused.rule];
    return failure;
  }

  private storeFailure(refused: StoreRefusal): AnnounceFailure {
    switch (refused.rule) {
      case 'peer-limit':
        return new AnnounceFailure(
          FailureCode.PeerLimit,
          `You already have ${refused.limit} clients on this torrent, the most allowed; stop one of them first.`,
        );
      case 'download-slots':
        return new AnnounceFailure(
          FailureCode.DownloadSlots,
          `You are downloading ${refused.limit} torrents, the most your account allows; finish or stop one first.`,
        );
      case 'pacing': {
        // BEP 31's `retry in` is in minutes (AnnounceFailure): the seconds are in the sentence.
        const seconds = Math.ceil(refused.retryInMs / 1000);
        return new AnnounceFailure(
          FailureCode.TooSoon,
          `Announced too soon: the minimum interval is ${this.config.minInterval} seconds; retry in ${seconds} seconds.`,
          Math.ceil(seconds / 60),
        );
      }
      default:
        throw new Error(`Unknown store refusal: ${String(refused satisfies never)}`);
    }
  }

  /** Lenient pacing: the announce counted, but the client is told why it got no peers. */
  private tooSoonWarning(tooSoonByMs: number, warning: string | undefined): string {
    const seconds = Math.ceil(tooSoonByMs / 1000);
    const sentence =
      `Announced ${seconds} seconds before the minimum interval of ${this.config.minInterval} seconds was over; ` +
      'no peers were sent this time.';
    return warning === undefined ? sentence : `${warning} ${sentence}`;
  }

  async scrape({ torrents, startedAt }: ScrapeContext): Promise<ScrapeOutcome> {
    const counts = await this.peers.scrape(torrents.map(({ snapshot }) => snapshot.infoHash));
    const files = torrents.map(({ snapshot, rawInfoHash }) => {
      const swarm = counts.get(snapshot.infoHash) ?? { complete: 0, incomplete: 0 };
      return { rawInfoHash, complete: swarm.complete, incomplete: swarm.incomplete, downloaded: snapshot.completed };
    });
    this.metrics.succeeded('scrape', secondsSince(startedAt));
    return { kind: 'scrape', files, minRequestInterval: this.config.minInterval };
  }
}

/** At the ledger's bound nothing was changed: a temporary failure, so the client comes back later. */
function busyAtLedgerBound(error: unknown): never {
  if (error instanceof PendingLedgerFullError) {
    throw new AnnounceFailure(FailureCode.Unavailable, 'The tracker is busy; try again in a few minutes.', 5);
  }
  throw error;
}

function secondsSince(start: number): number {
  return (performance.now() - start) / 1000;
}
