import { Inject, Injectable, Logger } from '@nestjs/common';
import { AnnounceFailure, FailureCode } from 'src/announce/protocol/announce-failure';
import { encodeFailureAnswer } from 'src/announce/protocol/failure-answer.util';
import { TRACKER_CONFIG, type TrackerConfig } from 'src/config/tracker.config';
import { TrackerMetrics, type TrackerAction } from 'src/metrics/tracker-metrics';

/**
 * Turns every error of announce and scrape into the body of an HTTP 200 with a bencoded `failure reason`
 * (CONTRACT §2): clients understand nothing else. Unexpected errors are logged (without the URL, which holds the
 * passkey) and answered generically with a hint to retry. AnnounceRoutes applies it to whatever its steps throw.
 */
@Injectable()
export class AnnounceFailureFilter {
  private readonly logger = new Logger(AnnounceFailureFilter.name);

  constructor(
    @Inject(TRACKER_CONFIG) private readonly config: TrackerConfig,
    private readonly metrics: TrackerMetrics,
  ) {}

  catch(exception: unknown, action: TrackerAction): Buffer {
    const failure = exception instanceof AnnounceFailure ? exception : this.unexpected(exception, action);
    this.metrics.failed(action, failure.code);
    return encodeFailureAnswer(failure, {
      interval: this.config.announceInterval,
      minInterval: this.config.minInterval,
    });
  }

  private unexpected(exception: unknown, action: TrackerAction): AnnounceFailure {
    const error = exception instanceof Error ? exception : new Error(String(exception));
    this.logger.error(`${action} failed: ${error.message}`, error.stack);
    return new AnnounceFailure(FailureCode.Unavailable, 'The tracker is temporarily unavailable.', 1);
  }
}
