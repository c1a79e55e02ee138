import type { TrackerAction } from 'src/metrics/tracker-metrics';

/** What announce and scrape read from an HTTP request. */
export interface TrackerHttpRequest {
  /** Path and query as sent, still percent-encoded (info_hash and peer_id are raw bytes). */
  url: string;
  /** The path's first segment, percent-decoded; null for `/announce` without one, undefined when not decodable. */
  passkey: string | null | undefined;
  /** The client's address, through the trusted proxies (TRUST_PROXY) as Fastify would read it. */
  ip: string | undefined;
  /** The User-Agent header (the first, as Node keeps it); undefined when absent. */
  userAgent: string | undefined;
  /** performance.now() when the request arrived. */
  startedAt: number;
}

/**
 * What answers the tracker requests the HTTP server reads (HttpTrackerAdapter implements it): a bencoded body for
 * every request, refusals included. An interface rather than a callback, so that a reader following `answer` from the
 * socket finds its one implementation.
 */
export interface TrackerRequestHandler {
  answer(action: TrackerAction, request: TrackerHttpRequest): Promise<Buffer>;
}
