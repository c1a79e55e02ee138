import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadTrackerConfigFromProcess } from 'src/config/tracker.config';
import { dataSourceOptions } from 'src/storage/data-source-options';

/**
 * For the TypeORM CLI only (`npm run migration:generate|run|revert`); the server runs migrations itself at boot.
 * Needs DATABASE_URL: the CLI does not start the embedded database.
 */
const { databaseUrl } = loadTrackerConfigFromProcess();
if (!databaseUrl) {
  throw new Error('DATABASE_URL must be set for migration commands');
}

export default new DataSource(dataSourceOptions(databaseUrl));
