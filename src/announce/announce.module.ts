import { Module } from '@nestjs/common';
import { AnnounceFailureFilter } from 'src/announce/announce-failure.filter';
import { AnnounceRoutes } from 'src/announce/announce.routes';
import { AnnounceService } from 'src/announce/announce.service';
import { LookupInterceptor } from 'src/announce/lookup.interceptor';
import { LookupModule } from 'src/lookup/lookup.module';
import { PeersModule } from 'src/peers/peers.module';

/** Announce and scrape. Reaches Redis and PostgreSQL only through the PeerStore and the LookupService. */
@Module({
  imports: [PeersModule, LookupModule],
  providers: [AnnounceRoutes, AnnounceService, LookupInterceptor, AnnounceFailureFilter],
})
export class AnnounceModule {}
