import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';

/** Any fixed number works; it only has to be the same on every instance. */
const MIGRATION_LOCK_KEY = 7_469_696_969;

/**
 * Runs pending migrations while holding a PostgreSQL advisory lock, so instances that start together
 * migrate one after the other and the later ones find nothing to do.
 */
export async function runMigrationsLocked(dataSource: DataSource): Promise<void> {
  const logger = new Logger('Migrations');
  const lockRunner = dataSource.createQueryRunner();
  await lockRunner.connect();
  try {
    await lockRunner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    for (const migration of applied) {
      logger.log(`Applied migration ${migration.name}`);
    }
  } finally {
    await lockRunner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await lockRunner.release();
  }
}
