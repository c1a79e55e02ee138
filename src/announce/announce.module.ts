import { Module } from '@nestjs/common';
import { AnnounceController } from 'src/announce/announce.controller';
import { AnnounceService } from 'src/announce/announce.service';
import { LookupGuard } from 'src/announce/lookup.guard';
import { LookupModule } from 'src/lookup/lookup.module';
import { PeersModule } from 'src/peers/peers.module';

/** Announce and scrape. Reaches Redis and PostgreSQL only through the PeerStore and the LookupService. */
@Module({
  imports: [PeersModule, LookupModule],
  controllers: [AnnounceController],
  providers: [AnnounceService, LookupGuard],
})
export class AnnounceModule {}
