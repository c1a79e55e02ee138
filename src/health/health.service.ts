import { Inject, Injectable } from '@nestjs/common';
import { TRACKER_CONFIG, type TrackerConfig } from 'src/config/tracker.config';
import { PeerStore } from 'src/peers/peer-store';
import { DatabaseHealthRepository } from 'src/storage/repositories/database-health.repository';

/** A dependency that does not answer within this time counts as down. */
const PROBE_TIMEOUT_MS = 2000;

export interface HealthReport {
  status: 'ok' | 'unavailable';
  failed?: string[];
}

@Injectable()
export class HealthService {
  constructor(
    @Inject(TRACKER_CONFIG) private readonly config: TrackerConfig,
    private readonly database: DatabaseHealthRepository,
    private readonly peers: PeerStore,
  ) {}

  get metricsEnabled(): boolean {
    return this.config.metricsEnabled;
  }

  async check(): Promise<HealthReport> {
    const probes: [string, () => Promise<void>][] = [
      ['database', () => this.database.ping()],
      [this.config.peerStore === 'memory' ? 'peer store' : 'redis', () => this.peers.ping()],
    ];
    const results = await Promise.all(probes.map(async ([name, probe]) => ((await answers(probe)) ? null : name)));
    const failed = results.filter((name): name is string => name !== null);
    return failed.length === 0 ? { status: 'ok' } : { status: 'unavailable', failed };
  }
}

async function answers(probe: () => Promise<void>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timeout')), PROBE_TIMEOUT_MS);
  });
  try {
    await Promise.race([probe(), timeout]);
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
