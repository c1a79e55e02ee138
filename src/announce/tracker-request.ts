import type { AnnounceRequest } from 'src/announce/protocol/announce-request';
import type { PeerAddress } from 'src/announce/protocol/peer-address.util';
import type { TorrentSnapshot, UserSnapshot } from 'src/lookup/lookup.types';
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

/** What the lookup interceptor hands the announce handler. */
export interface AnnounceContext {
  user: UserSnapshot;
  torrent: TorrentSnapshot;
  request: AnnounceRequest;
  address: PeerAddress;
  /** performance.now() when the request reached its route, for the latency histogram. */
  startedAt: number;
}

/** What it hands the scrape handler: the user, and the known torrents among the requested hashes. */
export interface ScrapeContext {
  user: UserSnapshot;
  /** Known, live torrents by hex info hash, with their 20 raw bytes. */
  torrents: { snapshot: TorrentSnapshot; rawInfoHash: Buffer }[];
  startedAt: number;
}
