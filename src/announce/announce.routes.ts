import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { AnnounceFailureFilter } from 'src/announce/announce-failure.filter';
import { AnnounceService } from 'src/announce/announce.service';
import { LookupInterceptor } from 'src/announce/lookup.interceptor';
import { TrackerHttpServer } from 'src/announce/tracker-http-server';
import type { TrackerHttpRequest } from 'src/announce/tracker-request';
import { CheckPhaseBatch } from 'src/common/check-phase-batch';
import { TrackerMetrics, type TrackerAction } from 'src/metrics/tracker-metrics';

/**
 * The BitTorrent side, `GET /<passkey>/announce` and `GET /<passkey>/scrape` (CONTRACT §2-§3), answered by the
 * app's HTTP server ahead of Fastify (tracker-http-server.ts), and before that ahead of Nest's router context
 * (guards, filters, interceptors, parameter decorators), which cost a third of a request. The pipeline is Nest's,
 * spelled out in `answer`: the lookup interceptor, the handler, the failure filter. The admin API stays on Nest
 * controllers.
 *
 * Requests are handled a poll phase at a time (CheckPhaseBatch): in one bench with interleaved rounds, the memory
 * store answered 0.43x of the ceiling with requests handled one by one, 0.52x with them handled together.
 */
@Injectable()
export class AnnounceRoutes implements OnModuleInit {
  private readonly logger = new Logger(AnnounceRoutes.name);
  private readonly batch = new CheckPhaseBatch();

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly lookup: LookupInterceptor,
    private readonly announces: AnnounceService,
    private readonly failures: AnnounceFailureFilter,
    private readonly metrics: TrackerMetrics,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    const server = fastify.server;
    if (!(server instanceof TrackerHttpServer)) {
      throw new Error('Announce and scrape need the TrackerHttpServer (created in bootstrap.ts)');
    }
    server.answerTrackerRequests((action, request) => this.answer(action, request));
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

  /** The bencoded answer, or the failure filter's; never rejects unless the failure filter itself throws. */
  private async answer(action: TrackerAction, request: TrackerHttpRequest): Promise<Buffer> {
    try {
      return await this.batch.run(() => (action === 'announce' ? this.announce(request) : this.scrape(request)));
    } catch (error) {
      try {
        return this.failures.catch(error, action);
      } catch (unexpected) {
        this.logger.error(`The failure filter failed: ${String(unexpected)}`);
        throw unexpected;
      }
    }
  }

  private async announce(request: TrackerHttpRequest): Promise<Buffer> {
    const context = await this.lookup.announce(request);
    return this.announces.announce(context);
  }

  private async scrape(request: TrackerHttpRequest): Promise<Buffer> {
    const context = await this.lookup.scrape(request);
    return this.announces.scrape(context);
  }
}
