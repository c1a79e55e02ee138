import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { AbuseModule } from 'src/abuse/abuse.module';
import { DiagnosticsModule } from 'src/diagnostics/diagnostics.module';
import { AnnounceLookupStep } from 'src/announce/announce-lookup.step';
import { AnnounceService } from 'src/announce/announce.service';
import { AnnouncePolicyPipeline } from 'src/announce/policy/announce-policy.pipeline';
import { ClientWhitelistPolicy } from 'src/announce/policy/client-whitelist.policy';
import { LeechPermissionPolicy } from 'src/announce/policy/leech-permission.policy';
import { TrackerCore } from 'src/announce/tracker-core.service';
import { LookupModule } from 'src/lookup/lookup.module';
import { PeersModule } from 'src/peers/peers.module';

/**
 * The transport-neutral core of announce and scrape. Transports (src/announce/http/, src/announce/udp/) import this
 * module and call TrackerCore. Any module adds an announce rule by declaring an `@AnnouncePolicy({ order })` provider
 * (src/announce/README.md). Reaches Redis and PostgreSQL only through the PeerStore and the LookupService.
 */
@Module({
  imports: [DiscoveryModule, PeersModule, LookupModule, AbuseModule, DiagnosticsModule],
  providers: [
    TrackerCore,
    AnnounceService,
    AnnounceLookupStep,
    AnnouncePolicyPipeline,
    LeechPermissionPolicy,
    ClientWhitelistPolicy,
  ],
  exports: [TrackerCore, AnnouncePolicyPipeline],
})
export class AnnounceModule {}
