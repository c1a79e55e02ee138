import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { Server } from 'node:http';
import { AdminListener } from 'src/admin-listener/admin-listener';
import { httpTrackerServerOptions } from 'src/announce/http/http-tracker-server.options';
import { AdminModule } from 'src/admin/admin.module';
import { packageVersion } from 'src/admin/common/package-version.util';
import { AppModule } from 'src/app.module';
import { APP_VERSION } from 'src/common/app-version';
import { loadTrackerConfig, loadTrackerConfigFromProcess, type TrackerConfig } from 'src/config/tracker.config';
import { createLogger } from 'src/logging/create-logger';

/** SIGTERM must finish within this: stop accepting, drain requests, flush stats, close stores. */
const SHUTDOWN_DEADLINE_MS = 10_000;
/**
 * How long requests in flight get to finish after SIGTERM. Connections still open then (a half-sent request, a
 * client that does not read) are closed, so the final flush runs well within the deadline (issue 19.2).
 */
const SHUTDOWN_GRACE_MS = 2_000;

export interface TrackerApp {
  app: NestFastifyApplication;
  config: TrackerConfig;
  /** Binds HOST:PORT and returns the address. */
  listen(): Promise<string>;
}

/**
 * Builds the whole tracker. `env` replaces the process environment (tests); the server passes nothing.
 */
export async function createTrackerApp(env?: Record<string, string | undefined>): Promise<TrackerApp> {
  const config = env ? loadTrackerConfig(env) : loadTrackerConfigFromProcess();
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(env), trackerFastifyAdapter(config), {
    logger: createLogger(config),
    abortOnError: false,
  });
  const adminListener = AdminListener.install(app, config);
  setUpOpenApi(app);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();

  return {
    app,
    config,
    listen: async () => {
      await app.listen(config.port, config.host);
      shutDownOnSignals(app);
      const address = await app.getUrl();
      new Logger('Tracker').log(
        `private-tracker ${APP_VERSION} listening on ${address} (peer store: ${config.peerStore})`,
      );
      await adminListener?.listen();
      return address;
    },
  };
}

/** The app's Fastify adapter; tests building the app with Test.createTestingModule use it too. */
export function trackerFastifyAdapter(config: TrackerConfig) {
  return new FastifyAdapter({
    trustProxy: config.trustProxy,
    // A bulk upsert of 10,000 items (PUT /api/users, /api/torrents) is up to about 3 MiB of JSON.
    bodyLimit: 8 * 1024 * 1024,
    keepAliveTimeout: 65_000,
    // Announce and scrape are answered by the HTTP transport's own server, ahead of Fastify.
    ...httpTrackerServerOptions(config),
  });
}

function setUpOpenApi(app: NestFastifyApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Tracker admin API')
      .setDescription('Users, torrents, the client whitelist and statistics, for the site (CONTRACT §5)')
      .setVersion(packageVersion())
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: undefined, description: 'ADMIN_TOKEN' })
      .build(),
    { include: [AdminModule] },
  );
  SwaggerModule.setup('api/docs', app, document);
}

/**
 * SIGTERM/SIGINT (CONTRACT §1): stop accepting and finish requests in flight (the HTTP server closes first; what is
 * still open after the grace period is closed), then Nest's hooks flush pending accounting (beforeApplicationShutdown) and close the stores
 * (onApplicationShutdown). Whatever happens, the process is gone by the deadline.
 */
function shutDownOnSignals(app: NestFastifyApplication): void {
  const logger = new Logger('Shutdown');
  let closing = false;
  const shutDown = async (signal: NodeJS.Signals) => {
    if (closing) {
      return;
    }
    closing = true;
    logger.log(`${signal} received: closing`);
    setTimeout(() => {
      logger.error(`Shutdown took longer than ${SHUTDOWN_DEADLINE_MS} ms; exiting`);
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    const server: Server = app.getHttpServer();
    const grace = setTimeout(() => {
      logger.warn(`Connections still open after ${SHUTDOWN_GRACE_MS} ms; closing them`);
      server.closeAllConnections();
    }, SHUTDOWN_GRACE_MS);
    try {
      await app.getHttpAdapter().close();
      clearTimeout(grace);
      await app.close();
      logger.log('Closed');
      process.exit(0);
    } catch (error) {
      logger.error(`Shutdown failed: ${(error as Error).message}`, (error as Error).stack);
      process.exit(1);
    }
  };
  for (const signal of SHUTDOWN_SIGNALS) {
    process.removeListener(signal, exitDuringStartup);
    process.on(signal, (received) => void shutDown(received));
  }
}

const SHUTDOWN_SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * For the server's entry point: until the tracker listens (when the graceful shutdown takes over), a signal exits at
 * once. Nothing is served or accounted yet; process.exit runs the 'exit' hooks, so the embedded PostgreSQL is asked
 * to shut down, where Node's default action for the signal would leave it running.
 */
export function exitOnSignalsUntilListening(): void {
  for (const signal of SHUTDOWN_SIGNALS) {
    process.once(signal, exitDuringStartup);
  }
}

function exitDuringStartup(signal: NodeJS.Signals): void {
  new Logger('Shutdown').log(`${signal} received while starting: exiting`);
  process.exit(0);
}
