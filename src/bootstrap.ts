import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { FastifyError, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import type { RequestListener, Server } from 'node:http';
import { AnnounceFailure } from 'src/announce/protocol/announce-failure';
import { encodeFailureAnswer } from 'src/announce/protocol/failure-answer.util';
import { clientAddressReader, TrackerHttpServer } from 'src/announce/tracker-http-server';
import { trackerRoute } from 'src/announce/protocol/tracker-route.util';
import { parseQueryString } from 'src/announce/protocol/query-string-parser.util';
import { AppModule } from 'src/app.module';
import { loadTrackerConfig, loadTrackerConfigFromProcess, type TrackerConfig } from 'src/config/tracker.config';
import { createLogger } from 'src/logging/create-logger';

/** SIGTERM must finish within this: stop accepting, drain requests, flush stats, close stores. */
const SHUTDOWN_DEADLINE_MS = 10_000;
/**
 * How long requests in flight get to finish after SIGTERM. Connections still open then (a half-sent request, a
 * client that does not read) are closed, so the final flush runs well within the deadline (issue 19.2).
 */
const SHUTDOWN_GRACE_MS = 2_000;
/** How often request and head timeouts are checked (Node's connectionsCheckingInterval, and the tracker reader's). */
const TIMEOUT_CHECK_MS = 1_000;

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
  const adapter = new FastifyAdapter({
    trustProxy: config.trustProxy,
    bodyLimit: 64 * 1024,
    // Announce and scrape are answered by the server itself, ahead of Fastify (AnnounceRoutes).
    serverFactory: (fastifyHandler: RequestListener, options: FastifyServerOptions) => {
      // ctorrent and other old clients speak HTTP/1.0 or send no Host header.
      const server = new TrackerHttpServer(
        {
          requireHostHeader: false,
          requestTimeout: config.http.requestTimeoutMs,
          headersTimeout: config.http.headersTimeoutMs,
          connectionsCheckingInterval: TIMEOUT_CHECK_MS,
        },
        fastifyHandler,
        clientAddressReader(config.trustProxy),
      );
      server.maxConnections = config.http.maxConnections;
      // What Fastify sets on a server it creates itself.
      server.keepAliveTimeout = options.keepAliveTimeout ?? 65_000;
      server.setTimeout(options.connectionTimeout ?? 0);
      return server;
    },
    keepAliveTimeout: 65_000,
    routerOptions: { querystringParser: parseQueryString },
    frameworkErrors: badUrlAnswerer(config),
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(env), adapter, {
    logger: createLogger(config),
    abortOnError: false,
  });
  setUpOpenApi(app);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();

  return {
    app,
    config,
    listen: async () => {
      await app.listen(config.port, config.host);
      const address = await app.getUrl();
      new Logger('Tracker').log(`Listening on ${address} (peer store: ${config.peerStore})`);
      shutDownOnSignals(app);
      return address;
    },
  };
}

/**
 * A path Fastify cannot decode never reaches a route. A GET of a tracker path never gets here (TrackerHttpServer
 * answers `/%ZZ/announce` itself); another method on one still gets a bencoded failure with HTTP 200, any other path
 * Fastify's JSON 400.
 */
function badUrlAnswerer(config: TrackerConfig) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply): void => {
    if (trackerRoute(request.url)) {
      const failure = AnnounceFailure.malformedUrl();
      const intervals = { interval: config.announceInterval, minInterval: config.minInterval };
      void reply.code(200).header('content-type', 'text/plain').send(encodeFailureAnswer(failure, intervals));
      return;
    }
    void reply.code(400).send({ statusCode: 400, error: 'Bad Request', message: error.message });
  };
}

function setUpOpenApi(app: NestFastifyApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Tracker admin API')
      .setDescription('Users, torrents, the client whitelist and statistics, for the site (CONTRACT §5)')
      .addBearerAuth()
      .build(),
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
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, (received) => void shutDown(received));
  }
}
