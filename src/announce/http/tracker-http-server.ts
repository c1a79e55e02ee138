import proxyAddr from '@fastify/proxy-addr';
import { Logger } from '@nestjs/common';
import {
  Server,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerOptions,
  type ServerResponse,
} from 'node:http';
import type { Socket } from 'node:net';
import { trackerRoute } from 'src/announce/protocol/tracker-route.util';
import { TrackerConnection, type TrackerConnectionHost } from 'src/announce/http/tracker-connection';
import type { TrackerHttpRequest, TrackerRequestHandler } from 'src/announce/http/tracker-http-request';

/**
 * The app's HTTP server (Fastify's `serverFactory`). `GET /<passkey>/announce` and `GET /<passkey>/scrape` are
 * answered here, before Fastify; everything else (the admin API, metrics, health, docs) goes to Fastify.
 *
 * Why: Fastify's request and reply objects, its route lookup and the onRequest hooks that NestJS's adapter adds to
 * every route cost ~20% of a request with a fixed body on this project's 2-core box (6 interleaved wrk pairs:
 * 55 against 70 µs of server CPU a request, Node's own HTTP against a plain Fastify route under NestJS), and the
 * bench's ceiling is that very route. A BitTorrent request needs none of it: no body, no content negotiation,
 * one answer shape.
 *
 * A new connection starts as a TrackerConnection, which reads and answers plain tracker GETs itself and hands the
 * connection to Node's HTTP parser at its first request of any other kind. Requests that reach Node's parser
 * (a handed-over connection's, or all of them before the answerer is set) take the same route through `request`.
 */
export class TrackerHttpServer extends Server {
  private handler: TrackerRequestHandler | null = null;
  private closing = false;
  private readonly trackerConnections = new Set<TrackerConnection>();
  /** Closes tracker connections whose head takes too long, as Node's connectionsCheckingInterval does for its own. */
  private headTimer: NodeJS.Timeout | null = null;
  private readonly logger = new Logger('HttpServer');
  /** Connections closed at once because `maxConnections` were open (tracker_connections_refused_total). */
  refusedConnections = 0;
  private refusedSinceLog = 0;
  private lastRefusalLog = -Infinity;

  constructor(
    options: ServerOptions,
    fastifyHandler: (request: IncomingMessage, response: ServerResponse) => void,
    private readonly clientAddress: ClientAddressReader,
  ) {
    super(options, (request, response) => {
      if (!this.handler || request.method !== 'GET' || !this.serveTracker(request, response, this.handler)) {
        fastifyHandler(request, response);
      }
    });
    // Node's HTTP server reads a connection through its one 'connection' listener (emitting 'connection' is the
    // documented way to hand it a socket): it is called for the connections Node should read. Should Node ever
    // listen differently, every connection stays Node's.
    const nodeListeners = this.listeners('connection') as ((socket: Socket) => void)[];
    if (nodeListeners.length === 1) {
      const [readWithNode] = nodeListeners;
      this.removeListener('connection', readWithNode);
      const host = this.connectionHost(readWithNode);
      this.on('connection', (socket: Socket) => {
        if (this.handler) {
          this.trackerConnections.add(new TrackerConnection(socket, host));
        } else {
          readWithNode.call(this, socket);
        }
      });
    }
    this.on('drop', () => this.connectionRefused());
    this.on('listening', () => this.startHeadTimer(options.connectionsCheckingInterval ?? 30_000));
    this.on('close', () => this.stopHeadTimer());
  }

  /** At most one log line per REFUSAL_LOG_EVERY_MS, however many connections a flood brings. */
  private connectionRefused(): void {
    this.refusedConnections++;
    this.refusedSinceLog++;
    const now = performance.now();
    if (now - this.lastRefusalLog >= REFUSAL_LOG_EVERY_MS) {
      this.logger.warn(
        `Refused ${this.refusedSinceLog} connection(s): ${this.maxConnections} are open (MAX_CONNECTIONS)`,
      );
      this.lastRefusalLog = now;
      this.refusedSinceLog = 0;
    }
  }

  private startHeadTimer(every: number): void {
    this.stopHeadTimer();
    this.headTimer = setInterval(() => {
      const now = performance.now();
      for (const connection of this.trackerConnections) {
        connection.checkHeadTimeout(now);
      }
    }, every).unref();
  }

  private stopHeadTimer(): void {
    if (this.headTimer) {
      clearInterval(this.headTimer);
      this.headTimer = null;
    }
  }

  /**
   * Takes over announce and scrape: HttpTrackerAdapter calls it at init, because this server exists before the app's
   * providers do (Fastify's serverFactory).
   */
  handleTrackerRequestsWith(handler: TrackerRequestHandler): void {
    this.handler = handler;
  }

  /** Shutdown began: answer what is in flight with `Connection: close`, so keep-alive clients let go. */
  beginClosing(): void {
    this.closing = true;
  }

  override closeIdleConnections(): void {
    super.closeIdleConnections();
    for (const connection of this.trackerConnections) {
      if (connection.idle) {
        connection.socket.destroy();
      }
    }
  }

  override closeAllConnections(): void {
    super.closeAllConnections();
    for (const connection of this.trackerConnections) {
      connection.socket.destroy();
    }
  }

  private connectionHost(readWithNode: (socket: Socket) => void): TrackerConnectionHost {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the host's getters read the server's state
    const server = this;
    return {
      get handler() {
        return server.handler!;
      },
      get closing() {
        return server.closing;
      },
      get keepAliveTimeout() {
        return server.keepAliveTimeout;
      },
      get headersTimeout() {
        return server.headersTimeout;
      },
      clientAddress: (socket, forwardedFor) =>
        server.clientAddress({
          socket,
          headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
        }),
      handOver: (socket, unread) => {
        if (unread) {
          socket.unshift(unread);
        }
        readWithNode.call(server, socket);
        if (socket.isPaused()) {
          socket.resume();
        }
      },
      forget: (connection) => server.trackerConnections.delete(connection),
    };
  }

  /** False when the path is not a tracker's, for Fastify to route. */
  private serveTracker(request: IncomingMessage, response: ServerResponse, handler: TrackerRequestHandler): boolean {
    const startedAt = performance.now();
    const url = request.url ?? '/';
    const route = trackerRoute(url);
    if (!route) {
      return false;
    }
    const tracker: TrackerHttpRequest = {
      url,
      passkey: route.passkey,
      ip: this.clientAddress(request),
      userAgent: request.headers['user-agent'],
      startedAt,
    };
    handler.answer(route.action, tracker).then(
      (body) => this.send(response, body),
      () => {
        // The answerer answers refusals itself; only a bug in it gets here.
        response.statusCode = 500;
        response.end();
      },
    );
    return true;
  }

  /** Never throws: it runs in a promise callback, where a throw would be an unhandled rejection, ending the process. */
  private send(response: ServerResponse, body: Buffer): void {
    try {
      const headers: Record<string, string | number> = { 'content-type': 'text/plain', 'content-length': body.length };
      if (this.closing) {
        headers.connection = 'close';
      }
      response.writeHead(200, headers).end(body);
    } catch (error) {
      response.destroy(error as Error);
    }
  }
}

const REFUSAL_LOG_EVERY_MS = 10_000;

/** What the client's address is read from: a request, or a TrackerConnection's socket and X-Forwarded-For. */
export interface ClientAddressSource {
  socket: { remoteAddress?: string };
  headers: IncomingHttpHeaders;
}

export type ClientAddressReader = (source: ClientAddressSource) => string | undefined;

/** The client's address as Fastify reads `request.ip` with the same `trustProxy` setting. */
export function clientAddressReader(trustProxy: boolean | string[]): ClientAddressReader {
  if (trustProxy === false) {
    return (source) => source.socket.remoteAddress;
  }
  const trusted = trustProxy === true ? () => true : proxyAddr.compile(trustProxy);
  return (source) => {
    const addresses = proxyAddr.all(source as IncomingMessage, trusted);
    return addresses[addresses.length - 1];
  };
}
