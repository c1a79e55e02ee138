import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { APP_VERSION } from 'src/common/app-version';
import { observeRedisCommands } from 'src/metrics/redis-command-metrics';
import { TallyCounter, TallyHistogram, type TallyCount } from 'src/metrics/tally-metrics';
import type { PendingBacklog } from 'src/peers/peer-store.types';

export type TrackerAction = 'announce' | 'scrape';
export type LookupCache = 'user' | 'torrent';
/** What became of a UDP datagram before (or instead of) the core: announces and scrapes are counted as over HTTP. */
export type UdpPacketResult = 'connect' | 'request' | 'malformed' | 'bad_connection_id' | 'rate_limited';

/**
 * Every Prometheus metric of the tracker, in one registry. Series are bound once, so the announce path only pays
 * for an increment.
 */
@Injectable()
export class TrackerMetrics implements OnModuleDestroy {
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
  /** Cheat flags written to cheat_flags (counted once, when their batch commits), by kind. */
  readonly cheatFlags = new Counter({
    name: 'tracker_cheat_flags_total',
    help: 'Cheat flags recorded in the database, by kind',
    labelNames: ['kind'],
    registers: [this.registry],
  });
  /** Requests of the admin API, by route pattern (`unmatched` for a path under /api that is no route). */
  readonly adminRequests = new Counter({
    name: 'tracker_admin_requests_total',
    help: 'Admin API requests by method, route and HTTP status',
    labelNames: ['method', 'route', 'status'],
    registers: [this.registry],
  });
  private readonly wouldRefuse = new TallyCounter(
    'tracker_policy_would_refuse_total',
    'Announces a policy in observe mode (POLICY_MODES) would have refused, by policy',
    ['policy'],
    this.registry,
  );
  private readonly redisDuration = new TallyHistogram(
    'tracker_redis_command_duration_seconds',
    'Redis commands from write to reply, by command (each node of a Cluster counted)',
    ['command'],
    [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1, 0.5],
    this.registry,
  );
  private readonly redisErrors = new TallyCounter(
    'tracker_redis_command_errors_total',
    'Redis commands that failed (error reply, lost connection, timeout), by command',
    ['command'],
    this.registry,
  );
  private readonly udpPackets = new TallyCounter(
    'tracker_udp_packets_total',
    'UDP datagrams received, by what became of them (request: an announce or scrape handed to the core)',
    ['result'],
    this.registry,
  );
  private readonly stopObservingRedis = observeRedisCommands(this.redisDuration, this.redisErrors);
  private pendingBacklogReader: (() => Promise<PendingBacklog>) | null = null;
  private readinessReader: (() => Promise<boolean>) | null = null;

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
    new Gauge({
      name: 'tracker_build_info',
      help: 'Always 1; the running version is the label',
      labelNames: ['version'],
      registers: [this.registry],
    }).set({ version: APP_VERSION }, 1);
    // Read at each scrape from what another capability hands over (pendingBacklog, readiness).
    this.gaugeReadLater(
      'tracker_pending_accounts',
      'Accounting rows (user, torrent) pending, not yet written to PostgreSQL',
      async () => (await this.pendingBacklogReader?.())?.accounts,
    );
    this.gaugeReadLater(
      'tracker_pending_bytes',
      'Credited upload plus download pending, not yet written to PostgreSQL',
      async () => (await this.pendingBacklogReader?.())?.bytes,
    );
    this.gaugeReadLater('tracker_ready', '1 when this instance can serve announces, else 0', async () => {
      const ready = await this.readinessReader?.();
      return ready === undefined ? undefined : Number(ready);
    });
  }

  onModuleDestroy(): void {
    this.stopObservingRedis();
  }

  /** The health side's readiness (announces can be served), for tracker_ready. */
  readiness(read: () => Promise<boolean>): void {
    this.readinessReader = read;
  }

  /**
   * A gauge with no sample at all while `read` has nothing (its source is not wired): a 0 would claim an empty
   * backlog or an instance that is not ready. prom-client's own Gauge always prints one, hence a plain collector.
   */
  private gaugeReadLater(name: string, help: string, read: () => Promise<number | undefined>): void {
    this.registry.registerMetric({
      name,
      help,
      get: async () => {
        const value = await read();
        const values = value === undefined ? [] : [{ labels: {}, value }];
        return { name, help, type: 'gauge', aggregator: 'sum', values };
      },
    } as never);
  }

  /** The accounting side's reading of its pending backlog, for tracker_pending_accounts and tracker_pending_bytes. */
  pendingBacklog(read: () => Promise<PendingBacklog>): void {
    this.pendingBacklogReader = read;
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

  /** The would-refuse counter of one policy in observe mode; bound once at boot, so counting is `value++`. */
  policyWouldRefuse(policy: string): TallyCount {
    return this.wouldRefuse.labels(policy);
  }

  udpPacket(result: UdpPacketResult): void {
    this.udpPackets.labels(result).value++;
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
