import type { DataSourceOptions } from 'typeorm';
import { ClientBlockEntity } from 'src/storage/entities/client-block.entity';
import { ClientRuleEntity } from 'src/storage/entities/client-rule.entity';
import { HistoryEntity } from 'src/storage/entities/history.entity';
import { TorrentEntity } from 'src/storage/entities/torrent.entity';
import { UserEntity } from 'src/storage/entities/user.entity';
import { MIGRATIONS } from 'src/storage/migrations';

export const ENTITIES = [UserEntity, TorrentEntity, HistoryEntity, ClientRuleEntity, ClientBlockEntity];

/** One definition for the server and the migration CLI. Schema changes only ever come from migrations. */
export function dataSourceOptions(url: string): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    extra: { max: 10, connectionTimeoutMillis: 5000 },
  };
}
