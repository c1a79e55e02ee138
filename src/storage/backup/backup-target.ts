import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { loadTrackerConfigFromProcess } from 'src/config/tracker.config';
import { dataSourceOptions } from 'src/storage/data-source-options';
import { EmbeddedPostgresServer } from 'src/storage/embedded/embedded-postgres.server';
import { runMigrationsLocked } from 'src/storage/migration-runner';

export interface BackupTarget {
  url: string;
  /** Stops the embedded server if this tool started it. */
  close(): Promise<void>;
}

/**
 * The database the tracker would use with the same environment: DATABASE_URL; else the embedded database under
 * DATA_DIR, at its stable address when a tracker runs on it, or started here for the time of the command.
 */
export async function openBackupTarget(): Promise<BackupTarget> {
  const config = loadTrackerConfigFromProcess();
  if (config.databaseUrl) {
    return { url: config.databaseUrl, close: async () => {} };
  }
  const running = EmbeddedPostgresServer.urlOfRunning(config.dataDir);
  if (running) {
    return { url: running, close: async () => {} };
  }
  const server = await EmbeddedPostgresServer.start({
    dataDir: config.dataDir,
    logger: new Logger('EmbeddedDatabase'),
  });
  return { url: server.url, close: () => server.stop() };
}

/** The same migrations as at the tracker's startup, so that a restore lands in the schema the backup came from. */
export async function migrate(url: string): Promise<void> {
  const dataSource = await new DataSource(dataSourceOptions(url)).initialize();
  try {
    await runMigrationsLocked(dataSource);
  } finally {
    await dataSource.destroy();
  }
}
