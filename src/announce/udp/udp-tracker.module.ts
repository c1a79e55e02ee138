import { Module } from '@nestjs/common';
import { AnnounceModule } from 'src/announce/announce.module';
import { UdpTrackerServer } from 'src/announce/udp/udp-tracker.server';

/**
 * The UDP transport of announce and scrape (BEP 15 with BEP 41 URL data), beside src/announce/http/: its socket binds
 * HOST:UDP_PORT once the app has started, and closes before the final flush. Off when UDP_PORT is unset.
 */
@Module({
  imports: [AnnounceModule],
  providers: [UdpTrackerServer],
  exports: [UdpTrackerServer],
})
export class UdpTrackerModule {}
