import type { AnnounceRequest } from 'src/announce/protocol/announce-request';
import type { PeerAddress } from 'src/announce/protocol/peer-address.util';
import type { TorrentSnapshot, UserSnapshot } from 'src/lookup/lookup.types';

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
