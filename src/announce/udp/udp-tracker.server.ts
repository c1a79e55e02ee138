import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { AnnounceFailure } from 'src/announce/protocol/announce-failure';
import type { AnnounceRequest } from 'src/announce/protocol/announce-request';
import { trackerRoute } from 'src/announce/protocol/tracker-route.util';
import { TrackerCore } from 'src/announce/tracker-core.service';
import { udpAnnounceRequest } from 'src/announce/udp/udp-announce-request.util';
import { UdpConnectionIds } from 'src/announce/udp/udp-connection-ids';
import {
  decodeUdpRequest,
  encodeAnnounceResponse,
  encodeConnectResponse,
  encodeErrorResponse,
  encodeScrapeResponse,
  UdpAction,
  type UdpAnnounceRequest,
  type UdpScrapeRequest,
} from 'src/announce/udp/udp-packet.codec';
import { UdpRateLimiter } from 'src/announce/udp/udp-rate-limiter';
import { TRACKER_CONFIG, type TrackerConfig } from 'src/config/tracker.config';
import { TrackerMetrics } from 'src/metrics/tracker-metrics';

/** An answer with peers stays within this, so it never needs IP fragmentation (IPv4: 196 peers; IPv6: 65). */
const MAX_ANSWER_BYTES = 1200;
/** Addresses whose last announce's passkey is kept for their scrapes (a BEP 15 scrape carries no URL data). */
const SCRAPE_KEYS = 100_000;
/** How long shutdown waits for announces in flight before the final flush. */
const DRAIN_MS = 2_000;

/**
 * The UDP transport of announce and scrape (BEP 15, the passkey in BEP 41 URL data): one socket on HOST:UDP_PORT,
 * every datagram decoded (udp-packet.codec), checked (rate limit, connection ID) and handed to the same TrackerCore as
 * HTTP. The peer's address is always the datagram's source. Only a connect is answered to an address that has not
 * proven itself, with 16 bytes for 16; errors to such addresses are never longer than what they sent.
 */
@Injectable()
export class UdpTrackerServer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(UdpTrackerServer.name);
  private socket: Socket | null = null;
  private connectionIds!: UdpConnectionIds;
  private limiter!: UdpRateLimiter;
  private readonly scrapeKeys = new Map<string, string>();
  private inFlight = 0;

  constructor(
    @Inject(TRACKER_CONFIG) private readonly config: TrackerConfig,
    private readonly core: TrackerCore,
    private readonly metrics: TrackerMetrics,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const udp = this.config.udp;
    if (udp === null) {
      return;
    }
    this.connectionIds = new UdpConnectionIds(this.secret(udp.secret));
    this.limiter = new UdpRateLimiter(udp.rateLimit, udp.rateWindowMs);
    const host = this.config.host;
    const socket = createSocket({ type: host.includes(':') ? 'udp6' : 'udp4', reuseAddr: false });
    socket.on('message', (packet, remote) => this.receive(packet, remote));
    socket.on('error', (error) => this.logger.error(`UDP socket: ${error.message}`));
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(udp.port, host, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    this.socket = socket;
    const { address, port } = socket.address();
    this.logger.log(`UDP tracker listening on ${address.includes(':') ? `[${address}]` : address}:${port}`);
  }

  /** Where the socket is bound; null when UDP is off. */
  address(): AddressInfo | null {
    return this.socket ? this.socket.address() : null;
  }

  async onModuleDestroy(): Promise<void> {
    const socket = this.socket;
    if (!socket) {
      return;
    }
    socket.removeAllListeners('message');
    // Announces in flight finish (and are answered) before the final flush runs.
    const deadline = Date.now() + DRAIN_MS;
    while (this.inFlight > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    this.socket = null;
    await new Promise<void>((resolve) => socket.close(() => resolve()));
  }

  /**
   * UDP_SECRET; else one derived from DATABASE_URL, which every instance of one deployment shares; else (the
   * embedded database: one instance) a random one.
   */
  private secret(configured: string | undefined): Buffer {
    if (configured !== undefined) {
      return Buffer.from(configured, 'utf8');
    }
    const multiInstance = this.config.peerStore !== 'memory';
    if (this.config.databaseUrl !== undefined) {
      if (multiInstance) {
        this.logger.warn(
          'UDP_SECRET is unset: UDP connection IDs are keyed by a secret derived from DATABASE_URL; instances ' +
            'whose DATABASE_URL differs refuse each other’s IDs. Set the same UDP_SECRET on every instance.',
        );
      }
      return createHash('sha256').update('udp-connection-ids\0').update(this.config.databaseUrl).digest();
    }
    if (multiInstance) {
      this.logger.warn(
        'UDP_SECRET is unset: this instance keys UDP connection IDs with its own random secret, so other instances ' +
          'refuse them. Set the same UDP_SECRET on every instance.',
      );
    }
    return randomBytes(32);
  }

  private receive(packet: Buffer, remote: RemoteInfo): void {
    const verdict = this.limiter.check(remote.address);
    if (verdict === 'drop') {
      this.metrics.udpPacket('rate_limited');
      return;
    }
    const request = decodeUdpRequest(packet);
    if (request.action === 'malformed') {
      this.metrics.udpPacket('malformed');
      if (request.transactionId !== null) {
        this.send(encodeErrorResponse(request.transactionId, request.reason, packet.length), remote);
      }
      return;
    }
    if (verdict === 'refuse') {
      this.metrics.udpPacket('rate_limited');
      this.send(encodeErrorResponse(request.transactionId, 'Too many packets.', packet.length), remote);
      return;
    }
    if (request.action === UdpAction.Connect) {
      this.metrics.udpPacket('connect');
      this.send(encodeConnectResponse(request.transactionId, this.connectionIds.issue(remote.address)), remote);
      return;
    }
    if (!this.connectionIds.accepts(remote.address, request.connectionId)) {
      this.metrics.udpPacket('bad_connection_id');
      this.send(encodeErrorResponse(request.transactionId, 'Connection ID expired.', packet.length), remote);
      return;
    }
    this.metrics.udpPacket('request');
    this.inFlight++;
    const answered =
      request.action === UdpAction.Announce ? this.announce(request, remote) : this.scrape(request, remote);
    answered
      .catch((error: unknown) =>
        this.logger.error(
          `UDP ${request.action === UdpAction.Announce ? 'announce' : 'scrape'} failed: ${String(error)}`,
        ),
      )
      .finally(() => this.inFlight--);
  }

  private async announce(packet: UdpAnnounceRequest, remote: RemoteInfo): Promise<void> {
    const startedAt = performance.now();
    const ipv6 = isIpv6Source(remote);
    const route = packet.urlData === null ? null : trackerRoute(packet.urlData);
    const passkey = route?.action === 'announce' ? route.passkey : null;
    let request: AnnounceRequest | AnnounceFailure;
    try {
      request = udpAnnounceRequest(packet, {
        maxPeers: Math.floor((MAX_ANSWER_BYTES - 20) / (ipv6 ? 18 : 6)),
        numwantDefault: this.config.numwantDefault,
      });
    } catch (error) {
      if (!(error instanceof AnnounceFailure)) {
        throw error;
      }
      request = error;
    }
    const outcome = await this.core.announce({ passkey, request, ip: remote.address, startedAt });
    if (outcome.kind === 'refusal') {
      this.send(encodeErrorResponse(packet.transactionId, outcome.sentence), remote);
      return;
    }
    if (passkey) {
      this.rememberScrapeKey(remote.address, passkey);
    }
    const peers = ipv6 ? outcome.peers.compact6 : outcome.peers.compact4;
    this.send(
      encodeAnnounceResponse(packet.transactionId, {
        interval: outcome.interval,
        leechers: outcome.incomplete,
        seeders: outcome.complete,
        peers,
      }),
      remote,
    );
  }

  /**
   * A BEP 15 scrape has no room for URL data, so it is answered with the passkey of the address's last announce
   * over UDP to this instance; without one it is refused as a scrape without a passkey is over HTTP.
   */
  private async scrape(packet: UdpScrapeRequest, remote: RemoteInfo): Promise<void> {
    const outcome = await this.core.scrape({
      passkey: this.scrapeKeys.get(remote.address) ?? null,
      infoHashes: packet.infoHashes,
      ip: remote.address,
      startedAt: performance.now(),
    });
    if (outcome.kind === 'refusal') {
      this.send(encodeErrorResponse(packet.transactionId, outcome.sentence), remote);
      return;
    }
    const known = new Map(outcome.files.map((file) => [file.rawInfoHash.toString('latin1'), file]));
    const entries = packet.infoHashes.map((hash) => {
      const file = known.get(hash.toString('latin1'));
      return file
        ? { seeders: file.complete, completed: file.downloaded, leechers: file.incomplete }
        : { seeders: 0, completed: 0, leechers: 0 };
    });
    this.send(encodeScrapeResponse(packet.transactionId, entries), remote);
  }

  private rememberScrapeKey(address: string, passkey: string): void {
    if (this.scrapeKeys.get(address) === passkey) {
      return;
    }
    if (this.scrapeKeys.size >= SCRAPE_KEYS) {
      this.scrapeKeys.clear();
    }
    this.scrapeKeys.set(address, passkey);
  }

  private send(answer: Buffer | null, remote: RemoteInfo): void {
    const socket = this.socket;
    if (answer === null || socket === null) {
      return;
    }
    // A send that fails (the peer's network is gone, the socket is closing) loses one answer; the client retries.
    socket.send(answer, remote.port, remote.address, () => undefined);
  }
}

/** A datagram from IPv6 proper; an IPv4 one on a dual-stack socket arrives as `::ffff:a.b.c.d`. */
function isIpv6Source(remote: RemoteInfo): boolean {
  return remote.family === 'IPv6' && !(remote.address.startsWith('::ffff:') && remote.address.includes('.'));
}
