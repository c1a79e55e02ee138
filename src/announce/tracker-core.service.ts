import { Injectable, Logger } from '@nestjs/common';
import { answeredOutcome, refusedOutcome } from 'src/announce/announce-log.util';
import { AnnounceLookupStep, type AnnounceContext } from 'src/announce/announce-lookup.step';
import type {
  AnnounceInput,
  AnnounceOutcome,
  Refusal,
  ScrapeInput,
  ScrapeOutcome,
} from 'src/announce/announce-outcome';
import { AnnounceService } from 'src/announce/announce.service';
import { AnnouncePolicyPipeline } from 'src/announce/policy/announce-policy.pipeline';
import { AnnounceFailure, FailureCode } from 'src/announce/protocol/announce-failure';
import { CheckPhaseBatch } from 'src/common/check-phase-batch';
import { AnnounceLog } from 'src/diagnostics/announce-log';
import { TrackerMetrics, type TrackerAction } from 'src/metrics/tracker-metrics';

/**
 * Announce and scrape for any transport: what the transport decoded goes in, an outcome comes out (peers and counts,
 * or a refusal), never bytes. The steps, in order: the lookup step (passkey, user, torrent, through the lookup
 * cache), the policy pipeline (the `@AnnouncePolicy` steps: canLeech, the client whitelist, any module's own), then
 * AnnounceService (the PeerStore). Scrape has the lookup step only. Every refusal, expected or not, becomes a Refusal here;
 * an unexpected error is logged and answered generically, so one bad request never takes the process down.
 * Every announce of a known user, answered or refused, goes to the staff's AnnounceLog (never the passkey), for
 * every transport; the log writes later, off the answer's path.
 *
 * Requests are handled a poll phase at a time (CheckPhaseBatch): in one bench with interleaved rounds, the memory
 * store answered 0.43x of the ceiling with requests handled one by one, 0.52x with them handled together.
 */
@Injectable()
export class TrackerCore {
  private readonly logger = new Logger(TrackerCore.name);
  private readonly batch = new CheckPhaseBatch();

  constructor(
    private readonly lookup: AnnounceLookupStep,
    private readonly policies: AnnouncePolicyPipeline,
    private readonly announces: AnnounceService,
    private readonly metrics: TrackerMetrics,
    private readonly log: AnnounceLog,
  ) {}

  /** Never rejects: every failure is a Refusal. */
  async announce(input: AnnounceInput): Promise<AnnounceOutcome | Refusal> {
    await this.batch.turn();
    let context: AnnounceContext | undefined;
    try {
      // The lookup step and the pipeline answer without a promise unless they must wait (a cache miss, a step).
      const found = this.lookup.announce(input);
      context = found instanceof Promise ? await found : found;
      const checked = this.policies.check(context);
      if (checked !== undefined) {
        await checked;
      }
      const outcome = await this.announces.announce(context);
      if (this.log.enabled) {
        this.log.record(context.user.id, Date.now(), context.request, answeredOutcome(context));
      }
      return outcome;
    } catch (error) {
      return this.refusedAnnounce(error, input, context);
    }
  }

  private refusedAnnounce(error: unknown, input: AnnounceInput, context: AnnounceContext | undefined): Refusal {
    const refusal = this.refusal(error, 'announce');
    try {
      const failure = error instanceof AnnounceFailure ? error : undefined;
      const userId = context?.user.id ?? failure?.userId;
      if (userId !== undefined && this.log.enabled) {
        // Steps and the store's rules name themselves; anything else past the lookup is the store's failing.
        const policy = failure?.policy ?? (context ? AnnounceService.name : undefined);
        const request = input.request instanceof AnnounceFailure ? null : input.request;
        this.log.record(userId, Date.now(), request, refusedOutcome(input, context, refusal, policy));
      }
    } catch (logError) {
      this.unexpected(logError, 'announce');
    }
    return refusal;
  }

  async scrape(input: ScrapeInput): Promise<ScrapeOutcome | Refusal> {
    await this.batch.turn();
    try {
      return await this.announces.scrape(await this.lookup.scrape(input));
    } catch (error) {
      return this.refusal(error, 'scrape');
    }
  }

  private refusal(error: unknown, action: TrackerAction): Refusal {
    const failure = error instanceof AnnounceFailure ? error : this.unexpected(error, action);
    this.metrics.failed(action, failure.code);
    return { kind: 'refusal', code: failure.code, sentence: failure.reason, retryIn: failure.retryIn };
  }

  /** Logged without the request, whose URL holds the passkey. */
  private unexpected(exception: unknown, action: TrackerAction): AnnounceFailure {
    const error = exception instanceof Error ? exception : new Error(String(exception));
    this.logger.error(`${action} failed: ${error.message}`, error.stack);
    return new AnnounceFailure(FailureCode.Unavailable, 'The tracker is temporarily unavailable.', 1);
  }
}
