import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AnnounceFailureFilter } from 'src/announce/announce-failure.filter';
import { AnnounceService } from 'src/announce/announce.service';
import { LookupInterceptor } from 'src/announce/lookup.interceptor';
import { AnnounceFailure, FailureCode } from 'src/announce/protocol/announce-failure';
import { CheckPhaseBatch } from 'src/common/check-phase-batch';
import type { TrackerAction } from 'src/metrics/tracker-metrics';

/**
 * The BitTorrent side, `GET /<passkey>/announce` and `GET /<passkey>/scrape` (CONTRACT §2-§3), mounted as plain
 * Fastify routes. Nest's router context (guards, filters, interceptors, parameter decorators) cost a third of a
 * request: measured on this project's 2-core box with a fixed body, 92 µs of CPU a request through a Nest
 * controller against 58-70 µs through Fastify alone. The pipeline is Nest's, spelled out in `serve`: the lookup
 * interceptor, the handler, the failure filter. The admin API stays on Nest controllers.
 *
 * Requests are handled a poll phase at a time (CheckPhaseBatch): in one bench with interleaved rounds, the memory
 * store answered 0.43x of the ceiling with requests handled one by one, 0.52x with them handled together.
 */
@Injectable()
export class AnnounceRoutes implements OnModuleInit {
  private readonly batch = new CheckPhaseBatch();

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly lookup: LookupInterceptor,
    private readonly announces: AnnounceService,
    private readonly failures: AnnounceFailureFilter,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.get(
      '/:passkey/announce',
      this.batched('announce', (request, at) => this.announce(request, at)),
    );
    fastify.get(
      '/:passkey/scrape',
      this.batched('scrape', (request, at) => this.scrape(request, at)),
    );
    // A torrent made without the passkey in its announce URL.
    const missingPasskey = () =>
      Promise.reject(
        new AnnounceFailure(FailureCode.BadPasskey, 'Missing passkey: download the torrent again from the site.'),
      );
    fastify.get('/announce', (_request, reply) => this.serve(reply, 'announce', missingPasskey()));
    fastify.get('/scrape', (_request, reply) => this.serve(reply, 'scrape', missingPasskey()));
  }

  /** A route handler that times the request from its arrival and handles it with the rest of its poll phase. */
  private batched(action: TrackerAction, handle: (request: FastifyRequest, startedAt: number) => Promise<Buffer>) {
    return (request: FastifyRequest, reply: FastifyReply): void => {
      const startedAt = performance.now();
      this.serve(
        reply,
        action,
        this.batch.run(() => handle(request, startedAt)),
      );
    };
  }

  private async announce(request: FastifyRequest, startedAt: number): Promise<Buffer> {
    const context = await this.lookup.announce(request, startedAt);
    return this.announces.announce(context);
  }

  private async scrape(request: FastifyRequest, startedAt: number): Promise<Buffer> {
    const context = await this.lookup.scrape(request, startedAt);
    return this.announces.scrape(context);
  }

  /**
   * Sends the answer, or the failure filter's; either way HTTP 200 and bencoded. Neither callback may throw: a
   * promise callback that throws is an unhandled rejection, which ends the process.
   */
  private serve(reply: FastifyReply, action: TrackerAction, answer: Promise<Buffer>): void {
    answer.then(
      (body) => this.send(reply, () => body),
      (error: unknown) => this.send(reply, () => this.failures.catch(error, action)),
    );
  }

  private send(reply: FastifyReply, body: () => Buffer): void {
    try {
      reply.header('content-type', 'text/plain').send(body());
    } catch (unexpected) {
      // Only a bug (in the failure filter, say) gets here: Fastify answers 500 and logs it.
      reply.send(unexpected);
    }
  }
}
