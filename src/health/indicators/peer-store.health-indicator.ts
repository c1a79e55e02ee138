import { Inject, Injectable } from '@nestjs/common';
import { TRACKER_CONFIG, type TrackerConfig } from 'src/config/tracker.config';
import { HealthIndicator } from 'src/health/health-indicator';
import { PeerStore } from 'src/peers/peer-store';

/** Every announce goes through the peer store: without it the instance is not ready. */
@Injectable()
export class PeerStoreHealthIndicator extends HealthIndicator {
  readonly name: string;
  readonly whenDown = 'unready';
  override readonly core = true;

  constructor(
    @Inject(TRACKER_CONFIG) config: TrackerConfig,
    private readonly peers: PeerStore,
  ) {
    super();
    this.name = config.peerStore === 'memory' ? 'peer store' : 'redis';
  }

  check(): Promise<void> {
    return this.peers.ping();
  }
}
