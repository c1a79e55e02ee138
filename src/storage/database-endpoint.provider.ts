import { Logger, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { TRACKER_CONFIG, type TrackerConfig } from 'src/config/tracker.config';
import { DatabaseEndpoint } from 'src/storage/database-endpoint';
import { EmbeddedPostgresServer } from 'src/storage/embedded/embedded-postgres.server';

class ExternalDatabase extends DatabaseEndpoint {
  readonly embedded = false;
  constructor(readonly url: string) {
    super();
  }
  async stop(): Promise<void> {}
}

class EmbeddedDatabase extends DatabaseEndpoint implements OnApplicationShutdown {
  readonly embedded = true;
  constructor(
    private readonly server: EmbeddedPostgresServer,
    private readonly moduleRef: ModuleRef,
  ) {
    super();
  }
  get url(): string {
    return this.server.url;
  }
  async stop(): Promise<void> {
    await this.server.stop();
  }
  /** The DataSource must close before its server does; TypeORM's own hook then finds it closed. */
  async onApplicationShutdown(): Promise<void> {
    const dataSource = this.moduleRef.get(DataSource, { strict: false });
    if (dataSource.isInitialized) {
      await dataSource.destroy();
    }
    await this.stop();
  }
}

export const databaseEndpointProvider: Provider = {
  provide: DatabaseEndpoint,
  inject: [TRACKER_CONFIG, ModuleRef],
  useFactory: async (config: TrackerConfig, moduleRef: ModuleRef): Promise<DatabaseEndpoint> => {
    if (config.databaseUrl) {
      return new ExternalDatabase(config.databaseUrl);
    }
    const logger = new Logger('EmbeddedDatabase');
    // The server loads the embedded-postgres package itself, only now: deployments on PostgreSQL never need it.
    const server = await EmbeddedPostgresServer.start({ dataDir: config.dataDir, logger });
    return new EmbeddedDatabase(server, moduleRef);
  },
};
