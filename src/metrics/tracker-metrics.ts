import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { TallyCounter, TallyHistogram } from 'src/metrics/tally-metrics';

export type TrackerAction = 'announce' | 'scrape';
export type LookupCache = 'user' | 'torrent';

/**
 * Every Prometheus metric of the tracker, in one registry. Series are bound once, so the announce path only pays
 * for an increment.
 */
@Injectable()
export class TrackerMetrics {
  readonly registry = new Registry();

  // Announce-path metrics count in plain numbers (see TallyMetric); the rest are prom-client's own.
  private readonly requests = new TallyCounter(
    'tracker_requests_total',
    'Announces and scrapes by result (ok, or the failure code)',
    ['action', 'result'],
    this.registry,
  );
  private readonly duration = new TallyHistogram(
    'tracker_request_duration_seconds',
    'Time to answer an announce or scrape, in the handler',
    ['action'],
    [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    this.registry,
  );
  private readonly lookups = new TallyCounter(
    'tracker_lookup_cache_total',
    'Passkey and info hash lookups by cache result',
    ['cache', 'result'],
    this.registry,
  );
  readonly flushBatchSize = new Histogram({
    name: 'tracker_flush_batch_accounts',
    help: 'Accounted (user, torrent) rows written per flush batch',
    buckets: [1, 10, 100, 1000, 5000, 20000, 100000],
    registers: [this.registry],
  });
  readonly flushFailures = new Counter({
    name: 'tracker_flush_failures_total',
    help: 'Flush attempts that failed (the batch is kept and retried)',
    registers: [this.registry],
  });
  readonly quarantinedAccounts = new Counter({
    name: 'tracker_flush_quarantined_accounts_total',
    help: 'Pending accounts PostgreSQL refused for their data, kept in quarantined_accounts instead of written',
    registers: [this.registry],
  });

  private readonly okAnnounce = this.requests.labels('announce', 'ok');
  private readonly okScrape = this.requests.labels('scrape', 'ok');
  private readonly announceDuration = this.duration.labels('announce');
  private readonly scrapeDuration = this.duration.labels('scrape');
  private readonly lookupCounters = {
    user: { hit: this.lookups.labels('user', 'hit'), miss: this.lookups.labels('user', 'miss') },
    torrent: { hit: this.lookups.labels('torrent', 'hit'), miss: this.lookups.labels('torrent', 'miss') },
  };

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  succeeded(action: TrackerAction, seconds: number): void {
    if (action === 'announce') {
      this.okAnnounce.value++;
      this.announceDuration.observe(seconds);
    } else {
      this.okScrape.value++;
      this.scrapeDuration.observe(seconds);
    }
  }

  failed(action: TrackerAction, code: string): void {
    this.requests.labels(action, code).value++;
  }

  lookup(cache: LookupCache, result: 'hit' | 'miss', count = 1): void {
    this.lookupCounters[cache][result].value += count;
  }

  /** A counter kept elsewhere (the HTTP server), read when Prometheus scrapes. */
  counter(name: string, help: string, read: () => number): void {
    new Counter({
      name,
      help,
      registers: [this.registry],
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  }

  /** Gauges whose value is read from elsewhere (the peer store) when Prometheus scrapes. */
  gauge(name: string, help: string, read: () => Promise<number>): void {
    new Gauge({
      name,
      help,
      registers: [this.registry],
      async collect() {
        this.set(await read());
      },
    });
  }
}
