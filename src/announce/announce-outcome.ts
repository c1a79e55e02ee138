import type { AnnounceFailure, FailureCode } from 'src/announce/protocol/announce-failure';
import type { AnnounceRequest } from 'src/announce/protocol/announce-request';
import type { SelectedPeers } from 'src/peers/peer-store.types';

/**
 * What a transport hands the core: what it decoded, as it decoded it. A decoding failure is handed over too, so
 * that the passkey is checked first whatever else is wrong, as the contract's order of refusals has always been.
 */
export interface AnnounceInput {
  /** The passkey as the transport read it; null when the client sent none, undefined when it was not decodable. */
  passkey: string | null | undefined;
  request: AnnounceRequest | AnnounceFailure;
  /** The client's address (through trusted proxies), as text. */
  ip: string | undefined;
  /** The client's User-Agent, where the transport has one (HTTP); UDP has none. */
  userAgent?: string;
  /** performance.now() when the request arrived, for the latency histogram. */
  startedAt: number;
}

export interface ScrapeInput {
  passkey: string | null | undefined;
  /** The requested info hashes, 20 raw bytes each. */
  infoHashes: Buffer[] | AnnounceFailure;
  ip: string | undefined;
  startedAt: number;
}

/** A refused announce or scrape: nothing was changed. `retryIn` is BEP 31's hint in minutes, or 'never'. */
export interface Refusal {
  kind: 'refusal';
  code: FailureCode;
  sentence: string;
  retryIn?: number | 'never';
}

export interface AnnounceOutcome {
  kind: 'announce';
  interval: number;
  minInterval: number;
  /** Seeders and leechers in the swarm now. */
  complete: number;
  incomplete: number;
  /** The torrent's snatch count. */
  downloaded: number;
  peers: SelectedPeers;
  warning?: string;
}

export interface ScrapeOutcome {
  kind: 'scrape';
  /** Known, live torrents among the requested hashes. */
  files: { rawInfoHash: Buffer; complete: number; incomplete: number; downloaded: number }[];
  minRequestInterval: number;
}
