import type { FastifyError, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import type { RequestListener } from 'node:http';
import { encodeFailureAnswer } from 'src/announce/http/failure-answer.util';
import { parseQueryString } from 'src/announce/http/query-string-parser.util';
import { clientAddressReader, TrackerHttpServer } from 'src/announce/http/tracker-http-server';
import { trackerRoute } from 'src/announce/protocol/tracker-route.util';
import { AnnounceFailure } from 'src/announce/protocol/announce-failure';
import type { TrackerConfig } from 'src/config/tracker.config';

/** How often request and head timeouts are checked (Node's connectionsCheckingInterval, and the tracker reader's). */
const TIMEOUT_CHECK_MS = 1_000;

/**
 * What the Fastify adapter needs from the HTTP transport, the one thing bootstrap.ts takes from announce: the app's
 * HTTP server, which answers announce and scrape ahead of Fastify (HttpTrackerAdapter plugs the core in), the query
 * parser that leaves their binary queries alone, and the bencoded answer to a tracker path Fastify cannot decode.
 */
export function httpTrackerServerOptions(config: TrackerConfig) {
  return {
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
    routerOptions: { querystringParser: parseQueryString },
    frameworkErrors: badUrlAnswerer(config),
  };
}

/**
 * A path Fastify cannot decode never reaches a route. A GET of a tracker path never gets here (TrackerHttpServer
 * answers `/%ZZ/announce` itself); another method on one still gets a bencoded failure with HTTP 200, any other path
 * the admin API's JSON 400 (AdminErrorFilter's shape).
 */
function badUrlAnswerer(config: TrackerConfig) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply): void => {
    if (trackerRoute(request.url)) {
      const failure = AnnounceFailure.malformedUrl();
      const intervals = { interval: config.announceInterval, minInterval: config.minInterval };
      void reply
        .code(200)
        .header('content-type', 'text/plain')
        .send(encodeFailureAnswer({ sentence: failure.reason }, intervals));
      return;
    }
    // The admin API's error shape (AdminErrorFilter): only /api and unknown paths get here.
    void reply.code(400).send({ statusCode: 400, code: 'INVALID_URL', message: error.message });
  };
}
