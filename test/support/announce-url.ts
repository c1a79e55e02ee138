import { randomBytes } from 'node:crypto';

/** Every byte as %XX, the way ctorrent sends binary fields. */
export function percentEncode(bytes: Buffer): string {
  let out = '';
  for (const byte of bytes) {
    out += `%${byte.toString(16).padStart(2, '0').toUpperCase()}`;
  }
  return out;
}

export interface AnnounceParams {
  infoHash: Buffer;
  peerId: Buffer;
  port?: number | string;
  uploaded?: number | string;
  downloaded?: number | string;
  left?: number | string;
  event?: string;
  numwant?: number;
  compact?: 0 | 1;
  noPeerId?: boolean;
  /** Raw extra query text, appended as is. */
  extra?: string;
}

export function announceUrl(passkey: string, params: AnnounceParams): string {
  const parts = [
    `info_hash=${percentEncode(params.infoHash)}`,
    `peer_id=${percentEncode(params.peerId)}`,
    `port=${params.port ?? 6881}`,
    `uploaded=${params.uploaded ?? 0}`,
    `downloaded=${params.downloaded ?? 0}`,
    `left=${params.left ?? 0}`,
  ];
  if (params.event !== undefined) {
    parts.push(`event=${params.event}`);
  }
  if (params.numwant !== undefined) {
    parts.push(`numwant=${params.numwant}`);
  }
  if (params.compact !== undefined) {
    parts.push(`compact=${params.compact}`);
  }
  if (params.noPeerId) {
    parts.push('no_peer_id=1');
  }
  if (params.extra) {
    parts.push(params.extra);
  }
  return `/${passkey}/announce?${parts.join('&')}`;
}

export function scrapeUrl(passkey: string, infoHashes: Buffer[]): string {
  return `/${passkey}/scrape?${infoHashes.map((hash) => `info_hash=${percentEncode(hash)}`).join('&')}`;
}

/** A peer_id like a real client's: an Azureus-style prefix, then random bytes. */
export function peerId(prefix = '-qB4520-'): Buffer {
  return Buffer.concat([Buffer.from(prefix, 'latin1'), randomBytes(20 - prefix.length)]);
}
