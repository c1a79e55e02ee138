import { Module } from '@nestjs/common';
import { AnnounceLookupStep } from 'src/announce/announce-lookup.step';
import { AnnounceService } from 'src/announce/announce.service';
import { TrackerCore } from 'src/announce/tracker-core.service';
import { LookupModule } from 'src/lookup/lookup.module';
import { PeersModule } from 'src/peers/peers.module';

/**
 * The transport-neutral core of announce and scrape. Transports (src/announce/http/, a later UDP one) import this
 * module and call TrackerCore. Reaches Redis and PostgreSQL only through the PeerStore and the LookupService.
 */
@Module({
  imports: [PeersModule, LookupModule],
  providers: [TrackerCore, AnnounceService, AnnounceLookupStep],
  exports: [TrackerCore],
})
export class AnnounceModule {}
