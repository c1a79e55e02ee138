import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { APP_VERSION } from 'src/common/app-version';
import { TRACKER_CONFIG, type TrackerConfig } from 'src/config/tracker.config';
import { HealthIndicator } from 'src/health/health-indicator';
import { TrackerMetrics } from 'src/metrics/tracker-metrics';

/** A dependency that does not answer within this time counts as down. */
const PROBE_TIMEOUT_MS = 2000;

/** `GET /health` (CONTRACT §6): unchanged, the database and the peer store. */
export interface HealthReport {
  status: 'ok' | 'unavailable';
  failed?: string[];
}

export interface ProbeReport {
  status: 'ok' | 'degraded' | 'unavailable';
  version: string;
  /** Seconds since the process started. */
  uptime: number;
  /** Indicators that are down but leave announces served. */
  degraded?: string[];
  /** Indicators that are down and stop announces. */
  failed?: string[];
}

@Injectable()
export class HealthService implements OnModuleInit {
  private indicators: HealthIndicator[] = [];

  constructor(
    @Inject(TRACKER_CONFIG) private readonly config: TrackerConfig,
    private readonly discovery: DiscoveryService,
    private readonly metrics: TrackerMetrics,
  ) {}

  onModuleInit(): void {
    const found = this.discovery
      .getProviders()
      .map((wrapper) => wrapper.instance as unknown)
      .filter((instance): instance is HealthIndicator => instance instanceof HealthIndicator);
    this.indicators = [...new Set(found)];
    this.metrics.readiness(async () => (await this.ready()).status !== 'unavailable');
  }

  get metricsEnabled(): boolean {
    return this.config.metricsEnabled;
  }

  async check(): Promise<HealthReport> {
    const failed = await this.failing(this.indicators.filter((indicator) => indicator.core));
    return failed.length === 0 ? { status: 'ok' } : { status: 'unavailable', failed: failed.map((i) => i.name) };
  }

  /** Liveness: the process answers; nothing outside it is asked, so a database outage never restarts it. */
  live(): ProbeReport {
    return { status: 'ok', ...this.about() };
  }

  /** Readiness: can announces be served? Every indicator, each judged by its `whenDown`. */
  async ready(): Promise<ProbeReport> {
    const down = await this.failing(this.indicators);
    const failed = down.filter((indicator) => indicator.whenDown === 'unready').map((indicator) => indicator.name);
    const degraded = down.filter((indicator) => indicator.whenDown === 'degraded').map((indicator) => indicator.name);
    const status = failed.length > 0 ? 'unavailable' : degraded.length > 0 ? 'degraded' : 'ok';
    return {
      status,
      ...this.about(),
      ...(degraded.length > 0 ? { degraded } : {}),
      ...(failed.length > 0 ? { failed } : {}),
    };
  }

  private about(): { version: string; uptime: number } {
    return { version: APP_VERSION, uptime: Math.floor(process.uptime()) };
  }

  private async failing(indicators: HealthIndicator[]): Promise<HealthIndicator[]> {
    const results = await Promise.all(
      indicators.map(async (indicator) => ((await answers(indicator)) ? null : indicator)),
    );
    return results.filter((indicator): indicator is HealthIndicator => indicator !== null);
  }
}

async function answers(indicator: HealthIndicator): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timeout')), PROBE_TIMEOUT_MS);
  });
  try {
    await Promise.race([indicator.check(), timeout]);
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
