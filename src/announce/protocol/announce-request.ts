import type { AnnounceEvent } from 'src/peers/peer-store.types';

/** An announce, decoded by a transport, that passed every rule of CONTRACT §2. */
export interface AnnounceRequest {
  infoHash: string;
  peerId: Buffer;
  port: number;
  uploaded: number;
  downloaded: number;
  left: number;
  event: AnnounceEvent;
  compact: boolean;
  noPeerId: boolean;
  /** As sent, or null when absent or not a number (the service applies default and cap). */
  numwant: number | null;
}
