import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AdminAuthGuard } from 'src/admin/auth/admin-auth.guard';
import { AdminTokenService } from 'src/admin/auth/admin-token.service';
import { BansController } from 'src/admin/bans/bans.controller';
import { BansService } from 'src/admin/bans/bans.service';
import { BlockedClientsController } from 'src/admin/blocked-clients/blocked-clients.controller';
import { BlockedClientsService } from 'src/admin/blocked-clients/blocked-clients.service';
import { ChangesController } from 'src/admin/changes/changes.controller';
import { ChangesService } from 'src/admin/changes/changes.service';
import { ClientsController } from 'src/admin/clients/clients.controller';
import { ClientsService } from 'src/admin/clients/clients.service';
import { AdminErrorFilter } from 'src/admin/common/admin-error.filter';
import { UserAnnouncesController } from 'src/admin/diagnostics/user-announces.controller';
import { UserAnnouncesService } from 'src/admin/diagnostics/user-announces.service';
import { FlagsController } from 'src/admin/flags/flags.controller';
import { FlagsService } from 'src/admin/flags/flags.service';
import { PromotionsController } from 'src/admin/promotions/promotions.controller';
import { PromotionsService } from 'src/admin/promotions/promotions.service';
import { StatsController } from 'src/admin/stats/stats.controller';
import { StatsService } from 'src/admin/stats/stats.service';
import { TorrentsController } from 'src/admin/torrents/torrents.controller';
import { TorrentsBulkService } from 'src/admin/torrents/torrents-bulk.service';
import { TorrentsService } from 'src/admin/torrents/torrents.service';
import { UsersController } from 'src/admin/users/users.controller';
import { UsersBulkService } from 'src/admin/users/users-bulk.service';
import { UsersService } from 'src/admin/users/users.service';
import { AbuseModule } from 'src/abuse/abuse.module';
import { DiagnosticsModule } from 'src/diagnostics/diagnostics.module';
import { LookupModule } from 'src/lookup/lookup.module';
import { PeersModule } from 'src/peers/peers.module';
import { StorageModule } from 'src/storage/storage.module';

/** The REST API the site uses to manage users, torrents and the client whitelist and block list. Exports nothing. */
@Module({
  imports: [StorageModule, PeersModule, LookupModule, AbuseModule, DiagnosticsModule],
  controllers: [
    UsersController,
    TorrentsController,
    ClientsController,
    BlockedClientsController,
    StatsController,
    ChangesController,
    FlagsController,
    BansController,
    UserAnnouncesController,
    PromotionsController,
  ],
  providers: [
    { provide: APP_FILTER, useClass: AdminErrorFilter },
    AdminTokenService,
    AdminAuthGuard,
    UsersService,
    UsersBulkService,
    TorrentsService,
    TorrentsBulkService,
    ClientsService,
    BlockedClientsService,
    StatsService,
    ChangesService,
    FlagsService,
    BansService,
    UserAnnouncesService,
    PromotionsService,
  ],
})
export class AdminModule {}
