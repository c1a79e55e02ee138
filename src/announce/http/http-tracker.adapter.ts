import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Refusal, ScrapeOutcome } from 'src/announce/announce-outcome';
import { decodeInfoHash, parseAnnounceRequest } from 'src/announce/http/announce-query.util';
import { encodeAnnounceAnswer } from 'src/announce/http/announce-response.util';
import { encodeFailureAnswer } from 'src/announce/http/failure-answer.util';
import { queryOf, splitQuery } from 'src/announce/http/raw-query.util';
import type { TrackerHttpRequest, TrackerRequestHandler } from 'src/announce/http/tracker-http-request';
import { TrackerHttpServer } from 'src/announce/http/tracker-http-server';
import { trackerRoute } from 'src/announce/protocol/tracker-route.util';
import { AnnounceFailure } from 'src/announce/protocol/announce-failure';
import type { AnnounceRequest } from 'src/announce/protocol/announce-request';
import { TrackerCore } from 'src/announce/tracker-core.service';
import { bencode, type BencodeValue } from 'src/bencode/bencode.util';
import { TRACKER_CONFIG, type TrackerConfig } from 'src/config/tracker.config';
import { TrackerMetrics, type TrackerAction } from 'src/metrics/tracker-metrics';

/**
 * The HTTP transport of announce and scrape (CONTRACT §2-§3): the app's HTTP server (tracker-http-server.ts) reads
 * `GET /<passkey>/announce` and `/scrape` ahead of Fastify and calls `answer`, which decodes the raw query byte by
 * byte, calls the transport-neutral TrackerCore, and bencodes its outcome. The admin API stays on Nest controllers.
 *
 * The same paths are also real Fastify routes calling the same `answer`: the slow path, which Fastify's `inject`
 * (Nest's `app.inject`, light-my-request) and Fastify hooks reach, and which serves every request when the app runs on
 * a plain FastifyAdapter (Test.createTestingModule without httpTrackerServerOptions). On the socket of an app built by
 * bootstrap.ts the TrackerHttpServer answers them first (the fast path), so the routes never see a client's request.
 */
@Injectable()
export class HttpTrackerAdapter implements OnModuleInit, TrackerRequestHandler {
  private readonly logger = new Logger(HttpTrackerAdapter.name);

  constructor(
    @Inject(TRACKER_CONFIG) private readonly config: TrackerConfig,
    private readonly adapterHost: HttpAdapterHost,
    private readonly core: TrackerCore,
    private readonly metrics: TrackerMetrics,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    for (const action of ['announce', 'scrape'] as const) {
      const handler = (request: FastifyRequest, reply: FastifyReply) => this.answerRoute(action, request, reply);
      fastify.get(`/:passkey/${action}`, handler);
      fastify.get(`/${action}`, handler);
    }
    const server = fastify.server;
    if (!(server instanceof TrackerHttpServer)) {
      this.logger.warn(
        'Not on the TrackerHttpServer (httpTrackerServerOptions): announce and scrape take Fastify routes',
      );
      return;
    }
    server.handleTrackerRequestsWith(this);
    this.metrics.counter(
      'tracker_connections_refused_total',
      'Connections closed at once because MAX_CONNECTIONS were open',
      () => server.refusedConnections,
    );
    fastify.addHook('preClose', (done) => {
      server.beginClosing();
      done();
    });
  }

  /** The bencoded answer: a success, or a `failure reason` (HTTP 200 either way). Never rejects. */
  async answer(action: TrackerAction, request: TrackerHttpRequest): Promise<Buffer> {
    const query = splitQuery(queryOf(request.url));
    if (action === 'announce') {
      const decoded = decode(() => parseAnnounceRequest(query));
      const outcome = await this.core.announce({
        passkey: request.passkey,
        request: decoded,
        ip: request.ip,
        userAgent: request.userAgent,
        startedAt: request.startedAt,
      });
      if (outcome.kind === 'refusal') {
        return this.refused(outcome);
      }
      // The core refuses every announce whose decoding failed, so this one decoded.
      return encodeAnnounceAnswer(outcome, decoded as AnnounceRequest);
    }
    const infoHashes = decode(() => (query.get('info_hash') ?? []).map((raw) => decodeInfoHash(raw)));
    const outcome = await this.core.scrape({
      passkey: request.passkey,
      infoHashes,
      ip: request.ip,
      startedAt: request.startedAt,
    });
    return outcome.kind === 'refusal' ? this.refused(outcome) : encodeScrape(outcome);
  }

  /** The Fastify routes' handler: the same request, read from Fastify's, answered by `answer` with the same bytes. */
  private async answerRoute(action: TrackerAction, request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const startedAt = performance.now();
    const url = request.raw.url ?? request.url;
    const passkey = trackerRoute(url)?.passkey;
    const userAgent = request.headers['user-agent'];
    const body = await this.answer(action, { url, passkey, ip: request.ip, userAgent, startedAt });
    await reply.code(200).header('content-type', 'text/plain').send(body);
  }

  private refused(refusal: Refusal): Buffer {
    return encodeFailureAnswer(refusal, {
      interval: this.config.announceInterval,
      minInterval: this.config.minInterval,
    });
  }
}

/** What the decoder returned, or the refusal it threw (the core checks the passkey before reporting it). */
function decode<T>(decoder: () => T): T | AnnounceFailure {
  try {
    return decoder();
  } catch (error) {
    if (error instanceof AnnounceFailure) {
      return error;
    }
    throw error;
  }
}

function encodeScrape({ files, minRequestInterval }: ScrapeOutcome): Buffer {
  const dictionary: Record<string, BencodeValue> = {};
  for (const { rawInfoHash, complete, downloaded, incomplete } of files) {
    // Keys are the 20 raw bytes; latin1 keeps one char per byte through the encoder.
    dictionary[rawInfoHash.toString('latin1')] = { complete, downloaded, incomplete };
  }
  return bencode({ files: dictionary, flags: { min_request_interval: minRequestInterval } });
}
