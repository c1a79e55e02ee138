import { type ArgumentsHost, Catch, type ExceptionFilter, Inject, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AnnounceFailure, FailureCode } from 'src/announce/protocol/announce-failure';
import { trackerActionOf } from 'src/announce/tracker-request';
import { bencode, type BencodeValue } from 'src/bencode/bencode.util';
import { TRACKER_CONFIG, type TrackerConfig } from 'src/config/tracker.config';
import { TrackerMetrics } from 'src/metrics/tracker-metrics';

/**
 * Every error on announce and scrape becomes HTTP 200 with a bencoded `failure reason` (CONTRACT §2):
 * clients understand nothing else. Unexpected errors are logged (without the URL, which holds the passkey)
 * and answered generically with a hint to retry.
 */
@Catch()
export class AnnounceFailureFilter implements ExceptionFilter {
  private readonly logger = new Logger(AnnounceFailureFilter.name);

  constructor(
    @Inject(TRACKER_CONFIG) private readonly config: TrackerConfig,
    private readonly metrics: TrackerMetrics,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const failure = exception instanceof AnnounceFailure ? exception : this.unexpected(exception, request);
    const action = trackerActionOf(request);
    this.metrics.failed(action, failure.code);

    const body: Record<string, BencodeValue> = {
      'failure reason': failure.reason,
      interval: this.config.announceInterval,
      'min interval': this.config.minInterval,
    };
    if (failure.retryIn !== undefined) {
      body['retry in'] = failure.retryIn;
    }
    void http.getResponse<FastifyReply>().status(200).header('Content-Type', 'text/plain').send(bencode(body));
  }

  private unexpected(exception: unknown, request: FastifyRequest): AnnounceFailure {
    const error = exception instanceof Error ? exception : new Error(String(exception));
    this.logger.error(`${request.routeOptions.url ?? 'request'} failed: ${error.message}`, error.stack);
    return new AnnounceFailure(FailureCode.Unavailable, 'The tracker is temporarily unavailable.', 1);
  }
}
