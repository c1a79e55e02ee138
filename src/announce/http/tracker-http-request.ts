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

/** Answers a tracker request with a bencoded body; the answerer turns every refusal into a bencoded failure. */
export type TrackerAnswerer = (action: TrackerAction, request: TrackerHttpRequest) => Promise<Buffer>;
