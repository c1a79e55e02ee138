import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { DatabaseEndpoint } from 'src/storage/database-endpoint';
import { databaseEndpointProvider } from 'src/storage/database-endpoint.provider';
import { dataSourceOptions, ENTITIES } from 'src/storage/data-source-options';
import { runMigrationsLocked } from 'src/storage/migration-runner';
import { DatabaseHealthRepository } from 'src/storage/repositories/database-health.repository';
import { BulkTorrentsRepository } from 'src/storage/repositories/bulk-torrents.repository';
import { BulkUsersRepository } from 'src/storage/repositories/bulk-users.repository';
import { ChangeFeedRepository } from 'src/storage/repositories/change-feed.repository';
import { ClientBlocksRepository } from 'src/storage/repositories/client-blocks.repository';
import { ClientsRepository } from 'src/storage/repositories/clients.repository';
import { FlagsRepository } from 'src/storage/repositories/flags.repository';
import { HistoryRepository } from 'src/storage/repositories/history.repository';
import { LedgerRepository } from 'src/storage/repositories/ledger.repository';
import { PromotionsRepository } from 'src/storage/repositories/promotions.repository';
import { TorrentsRepository } from 'src/storage/repositories/torrents.repository';
import { UsersRepository } from 'src/storage/repositories/users.repository';

@Module({
  providers: [databaseEndpointProvider],
  exports: [DatabaseEndpoint],
})
class DatabaseEndpointModule {}

const REPOSITORIES = [
  UsersRepository,
  TorrentsRepository,
  HistoryRepository,
  ClientsRepository,
  ClientBlocksRepository,
  DatabaseHealthRepository,
  LedgerRepository,
  ChangeFeedRepository,
  BulkUsersRepository,
  BulkTorrentsRepository,
  FlagsRepository,
  PromotionsRepository,
];

/** PostgreSQL (or the embedded database), migrated at boot; the repositories are the only way in. */
@Module({
  imports: [
    DatabaseEndpointModule,
    TypeOrmModule.forRootAsync({
      imports: [DatabaseEndpointModule],
      inject: [DatabaseEndpoint],
      useFactory: (endpoint: DatabaseEndpoint) => dataSourceOptions(endpoint.url),
      dataSourceFactory: async (options?: DataSourceOptions) => {
        const dataSource = await new DataSource(options!).initialize();
        await runMigrationsLocked(dataSource);
        return dataSource;
      },
    }),
    TypeOrmModule.forFeature(ENTITIES),
  ],
  providers: REPOSITORIES,
  exports: [...REPOSITORIES, DatabaseEndpointModule],
})
export class StorageModule {}
