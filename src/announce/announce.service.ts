import { Inject, Injectable } from '@nestjs/common';
import { creditFactors } from 'src/announce/credit-factors.util';
import { AnnounceFailure, FailureCode } from 'src/announce/protocol/announce-failure';
import { encodeAnnounceAnswer } from 'src/announce/protocol/announce-response.util';
import type { AnnounceContext, ScrapeContext } from 'src/announce/tracker-request';
import { bencode, type BencodeValue } from 'src/bencode/bencode.util';
import { TRACKER_CONFIG, type TrackerConfig } from 'src/config/tracker.config';
import { LookupService } from 'src/lookup/lookup.service';
import { TrackerMetrics } from 'src/metrics/tracker-metrics';
import { PeerStore } from 'src/peers/peer-store';
import { PendingLedgerFullError, type AnnounceResult, type PeerAnnounce } from 'src/peers/peer-store.types';

/** The rules of announce and scrape (CONTRACT §2-§3) once the user and torrent are known. */
@Injectable()
export class AnnounceService {
  constructor(
    @Inject(TRACKER_CONFIG) private readonly config: TrackerConfig,
    private readonly peers: PeerStore,
    private readonly lookup: LookupService,
    private readonly metrics: TrackerMetrics,
  ) {}

  async announce({ user, torrent, request, address, startedAt }: AnnounceContext): Promise<Buffer> {
    if (request.left > 0 && !user.canLeech) {
      throw new AnnounceFailure(
        FailureCode.LeechNotAllowed,
        'You are not allowed to download. Seeding is still allowed.',
      );
    }
    const allowed = this.lookup.cachedClientAllowed(request.peerId, Date.now());
    if (!(allowed ?? (await this.lookup.clientAllowed(request.peerId)))) {
      throw new AnnounceFailure(FailureCode.ClientNotAllowed, 'Your client is not on the allowed list.');
    }
    const stopped = request.event === 'stopped';
    const numwant = stopped ? 0 : Math.min(request.numwant ?? this.config.numwantDefault, this.config.numwantMax);
    const result = await this.announceToStore({
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
      ...creditFactors(user, torrent, this.config.globalFreeleech),
    });
    const answer = encodeAnnounceAnswer({
      interval: this.config.announceInterval,
      minInterval: this.config.minInterval,
      complete: result.complete,
      incomplete: result.incomplete,
      downloaded: torrent.completed,
      peers: result.peers,
      compact: request.compact,
      noPeerId: request.noPeerId,
    });
    this.metrics.succeeded('announce', secondsSince(startedAt));
    return answer;
  }

  /** At the ledger's bound nothing was changed: a temporary failure, so the client comes back later. */
  private async announceToStore(announce: PeerAnnounce): Promise<AnnounceResult> {
    try {
      return await this.peers.announce(announce);
    } catch (error) {
      if (error instanceof PendingLedgerFullError) {
        throw new AnnounceFailure(FailureCode.Unavailable, 'The tracker is busy; try again in a few minutes.', 5);
      }
      throw error;
    }
  }

  async scrape({ torrents, startedAt }: ScrapeContext): Promise<Buffer> {
    const counts = await this.peers.scrape(torrents.map(({ snapshot }) => snapshot.infoHash));
    const files: Record<string, BencodeValue> = {};
    for (const { snapshot, rawInfoHash } of torrents) {
      const swarm = counts.get(snapshot.infoHash) ?? { complete: 0, incomplete: 0 };
      // Keys are the 20 raw bytes; latin1 keeps one char per byte through the encoder.
      files[rawInfoHash.toString('latin1')] = {
        complete: swarm.complete,
        downloaded: snapshot.completed,
        incomplete: swarm.incomplete,
      };
    }
    const answer = bencode({ files, flags: { min_request_interval: this.config.minInterval } });
    this.metrics.succeeded('scrape', secondsSince(startedAt));
    return answer;
  }
}

function secondsSince(start: number): number {
  return (performance.now() - start) / 1000;
}
