import type { TorrentSnapshot, UserSnapshot } from 'src/lookup/lookup.types';

export interface CreditFactors {
  uploadFactor: number;
  downloadFactor: number;
}

/**
 * CONTRACT §4: credited upload = delta × user × torrent upload multipliers; credited download likewise,
 * and nothing at all on a freeleech torrent or under GLOBAL_FREELEECH. The store floors delta × factor.
 */
export function creditFactors(user: UserSnapshot, torrent: TorrentSnapshot, globalFreeleech: boolean): CreditFactors {
  return {
    uploadFactor: user.uploadMultiplier * torrent.uploadMultiplier,
    downloadFactor: globalFreeleech || torrent.freeleech ? 0 : user.downloadMultiplier * torrent.downloadMultiplier,
  };
}
