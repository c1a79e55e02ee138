import { Module } from '@nestjs/common';
import { AnnounceModule } from 'src/announce/announce.module';
import { HttpTrackerAdapter } from 'src/announce/http/http-tracker.adapter';

/**
 * The HTTP transport of announce and scrape. Its server is made by httpTrackerServerOptions (Fastify needs it
 * before Nest exists); this module plugs it into the transport-neutral core once the core exists.
 */
@Module({
  imports: [AnnounceModule],
  providers: [HttpTrackerAdapter],
})
export class HttpTrackerModule {}
