import type { PromotionTokens, PromotionWindows } from 'src/lookup/promotion-windows';

/** What announce and scrape need of a user; cached, so it holds plain data only. */
export interface UserSnapshot {
  id: number;
  enabled: boolean;
  canLeech: boolean;
  uploadMultiplier: number;
  downloadMultiplier: number;
  /** The most torrents the user may leech at once; null: no limit. */
  downloadSlots: number | null;
  /** The user's own promotions not over when loaded; null when none (the lookup cache always sets both). */
  promotions?: PromotionWindows | null;
  /** The user's tokens (user × torrent promotions) not over when loaded; null when none. */
  tokens?: PromotionTokens | null;
  /** The user's promotion stamp when they were read (0: none): a reload keeps them while it is unchanged. */
  promotionsStamp?: number;
  /**
   * The earliest end among them (null: none ends; not Infinity, which every snapshot would hold boxed): from then on
   * a reload reads them again, dropping it.
   */
  promotionsUntil?: number | null;
}

export interface TorrentSnapshot {
  infoHash: string;
  deleted: boolean;
  freeleech: boolean;
  uploadMultiplier: number;
  downloadMultiplier: number;
  /** Snatch count as of the last load. */
  completed: number;
  /** The torrent's promotions (torrent scope) not over when loaded; null when none. */
  promotions?: PromotionWindows | null;
}

/** What changed, so that every instance drops the matching cache entries. */
export type Invalidation =
  | { kind: 'passkey'; passkey: string }
  | { kind: 'torrent'; infoHash: string }
  /** Bulk admin writes: many entries in one message. */
  | { kind: 'passkeys'; passkeys: string[] }
  | { kind: 'torrents'; infoHashes: string[] }
  /** New snatch counts by info hash: cached torrents take them in place, so they stay cached. */
  | { kind: 'snatches'; counts: [infoHash: string, completed: number][] }
  | { kind: 'clients' }
  /** Site-wide promotions changed. */
  | { kind: 'promotions' }
  | { kind: 'all' };
