import { Injectable } from '@nestjs/common';
import { AccountingFlusher, FLUSH_FAILURES_BEFORE_ALARM } from 'src/accounting/accounting-flusher';
import { HealthIndicator } from 'src/health/health-indicator';

/**
 * A flush that keeps failing degrades readiness: announces are still answered and their accounting stays pending,
 * but nothing reaches PostgreSQL (issue 20).
 */
@Injectable()
export class AccountingHealthIndicator extends HealthIndicator {
  readonly name = 'accounting';
  readonly whenDown = 'degraded';

  constructor(private readonly flusher: AccountingFlusher) {
    super();
  }

  check(): Promise<void> {
    const { consecutiveFailures, lagSeconds } = this.flusher.status();
    if (consecutiveFailures >= FLUSH_FAILURES_BEFORE_ALARM) {
      return Promise.reject(
        new Error(`${consecutiveFailures} flushes failed in a row; ${Math.round(lagSeconds)} s since the last drain`),
      );
    }
    return Promise.resolve();
  }
}
