import proxyAddr from '@fastify/proxy-addr';
import { Server, type IncomingMessage, type ServerOptions, type ServerResponse } from 'node:http';
import type { TrackerAction } from 'src/metrics/tracker-metrics';

/** What announce and scrape read from an HTTP request. */
export interface TrackerHttpRequest {
  /** Path and query as sent, still percent-encoded (info_hash and peer_id are raw bytes). */
  url: string;
  /** The path's first segment, percent-decoded; null for `/announce` without one, undefined when not decodable. */
  passkey: string | null | undefined;
  /** The client's address, through the trusted proxies (TRUST_PROXY) as Fastify would read it. */
  ip: string | undefined;
  /** performance.now() when the request arrived. */
  startedAt: number;
}

/** Answers a tracker request with a bencoded body; the answerer turns every refusal into a bencoded failure. */
export type TrackerAnswerer = (action: TrackerAction, request: TrackerHttpRequest) => Promise<Buffer>;

/**
 * The app's HTTP server (Fastify's `serverFactory`). `GET /<passkey>/announce` and `GET /<passkey>/scrape` are
 * answered here, before Fastify; everything else (the admin API, metrics, health, docs) goes to Fastify.
 *
 * Why: Fastify's request and reply objects, its route lookup and the onRequest hooks that NestJS's adapter adds to
 * every route cost ~20% of a request with a fixed body on this project's 2-core box (6 interleaved wrk pairs:
 * 55 against 70 µs of server CPU a request, Node's own HTTP against a plain Fastify route under NestJS), and the
 * bench's ceiling is that very route. A BitTorrent request needs none of it: no body, no content negotiation,
 * one answer shape.
 */
export class TrackerHttpServer extends Server {
  private answer: TrackerAnswerer | null = null;
  private closing = false;

  constructor(
    options: ServerOptions,
    fastifyHandler: (request: IncomingMessage, response: ServerResponse) => void,
    private readonly clientAddress: (request: IncomingMessage) => string | undefined,
  ) {
    super(options, (request, response) => {
      if (!this.answer || request.method !== 'GET' || !this.serveTracker(request, response, this.answer)) {
        fastifyHandler(request, response);
      }
    });
  }

  /** Takes over announce and scrape (AnnounceRoutes, once the app's services exist). */
  answerTrackerRequests(answer: TrackerAnswerer): void {
    this.answer = answer;
  }

  /** Shutdown began: answer what is in flight with `Connection: close`, so keep-alive clients let go. */
  beginClosing(): void {
    this.closing = true;
  }

  /** False when the path is not a tracker's, for Fastify to route. */
  private serveTracker(request: IncomingMessage, response: ServerResponse, answer: TrackerAnswerer): boolean {
    const startedAt = performance.now();
    const url = request.url ?? '/';
    const route = trackerRoute(url);
    if (!route) {
      return false;
    }
    const tracker: TrackerHttpRequest = { url, passkey: route.passkey, ip: this.clientAddress(request), startedAt };
    answer(route.action, tracker).then(
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

/**
 * `/<passkey>/announce`, `/<passkey>/scrape`, and the same without a passkey (a torrent made without it); null for
 * any other path. The passkey is percent-decoded, as a router would; undefined when it cannot be.
 */
export function trackerRoute(url: string): { action: TrackerAction; passkey: string | null | undefined } | null {
  const queryAt = url.indexOf('?');
  const path = queryAt === -1 ? url : url.slice(0, queryAt);
  const action = path.endsWith('/announce') ? 'announce' : path.endsWith('/scrape') ? 'scrape' : null;
  if (!action || path.charCodeAt(0) !== 0x2f) {
    return null;
  }
  if (path.length === action.length + 1) {
    return { action, passkey: null };
  }
  const segment = path.slice(1, path.length - action.length - 1);
  if (segment.includes('/')) {
    return null;
  }
  return { action, passkey: segment.includes('%') ? decodeSegment(segment) : segment };
}

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** The client's address as Fastify reads `request.ip` with the same `trustProxy` setting. */
export function clientAddressReader(trustProxy: boolean | string[]): (request: IncomingMessage) => string | undefined {
  if (trustProxy === false) {
    return (request) => request.socket.remoteAddress;
  }
  const trusted = trustProxy === true ? () => true : proxyAddr.compile(trustProxy);
  return (request) => {
    const addresses = proxyAddr.all(request, trusted);
    return addresses[addresses.length - 1];
  };
}
