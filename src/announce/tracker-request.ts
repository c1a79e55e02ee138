import type { FastifyRequest } from 'fastify';
import type { AnnounceRequest } from 'src/announce/protocol/announce-request';
import type { PeerAddress } from 'src/announce/protocol/peer-address.util';
import type { TorrentSnapshot, UserSnapshot } from 'src/lookup/lookup.types';
import type { TrackerAction } from 'src/metrics/tracker-metrics';

/** What the lookup guard attaches to an announce before the handler runs. */
export interface AnnounceContext {
  user: UserSnapshot;
  torrent: TorrentSnapshot;
  request: AnnounceRequest;
  address: PeerAddress;
  /** process.hrtime.bigint() when the lookup guard started, for the latency histogram. */
  startedAt: bigint;
}

/** What it attaches to a scrape: the user, and the known torrents among the requested hashes. */
export interface ScrapeContext {
  user: UserSnapshot;
  /** Known, live torrents by hex info hash, with their 20 raw bytes. */
  torrents: { snapshot: TorrentSnapshot; rawInfoHash: Buffer }[];
  startedAt: bigint;
}

export type TrackerRequest = FastifyRequest & { announce?: AnnounceContext; scrape?: ScrapeContext };

/** Whether a request is an announce or a scrape, from the route it matched. */
export function trackerActionOf(request: FastifyRequest): TrackerAction {
  return request.routeOptions.url?.endsWith('/scrape') ? 'scrape' : 'announce';
}
