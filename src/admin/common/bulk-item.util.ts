import { MAX_SITE_ID } from 'src/admin/common/admin-params.dto';
import { AdminErrorCode } from 'src/admin/common/admin.exception';
import { MAX_DOWNLOAD_SLOTS } from 'src/admin/users/user.dto';
import type { TorrentUpsert } from 'src/storage/repositories/bulk-torrents.repository';

/** Most items of one bulk upsert; a 10,000-item body stays well under the 8 MiB body limit. */
export const MAX_BULK_ITEMS = 10_000;

/** Why one item of a bulk upsert was not written; the others are. */
export interface BulkFailure {
  index: number;
  code: AdminErrorCode;
  message: string;
}

export type UserItem = {
  id: number;
  passkey: string | null;
  enabled: boolean | null;
  canLeech: boolean | null;
  uploadMultiplier: number | null;
  downloadMultiplier: number | null;
  /** undefined: not given; null: no limit. */
  downloadSlots: number | null | undefined;
};

const USER_FIELDS = new Set([
  'id',
  'passkey',
  'enabled',
  'canLeech',
  'uploadMultiplier',
  'downloadMultiplier',
  'downloadSlots',
]);
const TORRENT_FIELDS = new Set(['infoHash', 'id', 'uploaderId', 'freeleech', 'uploadMultiplier', 'downloadMultiplier']);
const PASSKEY = /^[0-9A-Za-z]{32}$/;
const INFO_HASH = /^[0-9a-fA-F]{40}$/;

/**
 * The single-item routes' rules (CreateUserDto, CreateTorrentDto), checked by hand: class-validator costs about
 * 30 µs an item, a third of a 10,000-item upsert. A string is the failure message.
 */
export function readUserItem(value: unknown): UserItem | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'item must be an object';
  }
  const item = value as Record<string, unknown>;
  const unknown = Object.keys(item).find((key) => !USER_FIELDS.has(key));
  if (unknown !== undefined) {
    return `property ${unknown} should not exist`;
  }
  const id = siteId(item.id, 'id', false);
  if (typeof id === 'string') {
    return id;
  }
  if (item.passkey !== undefined && (typeof item.passkey !== 'string' || !PASSKEY.test(item.passkey))) {
    return 'passkey must be 32 characters of [0-9A-Za-z]';
  }
  const flags = [flag(item.enabled, 'enabled'), flag(item.canLeech, 'canLeech')];
  const multipliers = [
    multiplier(item.uploadMultiplier, 'uploadMultiplier'),
    multiplier(item.downloadMultiplier, 'downloadMultiplier'),
  ];
  const slots = downloadSlots(item.downloadSlots);
  const problem = [...flags, ...multipliers, slots].find((result) => typeof result === 'string');
  if (typeof problem === 'string') {
    return problem;
  }
  return {
    id: id!,
    downloadSlots: slots as number | null | undefined,
    passkey: item.passkey ?? null,
    enabled: flags[0] as boolean | null,
    canLeech: flags[1] as boolean | null,
    uploadMultiplier: multipliers[0] as number | null,
    downloadMultiplier: multipliers[1] as number | null,
  };
}

export function readTorrentItem(value: unknown): TorrentUpsert | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'item must be an object';
  }
  const item = value as Record<string, unknown>;
  const unknown = Object.keys(item).find((key) => !TORRENT_FIELDS.has(key));
  if (unknown !== undefined) {
    return `property ${unknown} should not exist`;
  }
  if (typeof item.infoHash !== 'string' || !INFO_HASH.test(item.infoHash)) {
    return 'infoHash must be 40 hexadecimal characters';
  }
  const id = siteId(item.id, 'id', true);
  const uploaderId = siteId(item.uploaderId, 'uploaderId', true);
  const freeleech = flag(item.freeleech, 'freeleech');
  const up = multiplier(item.uploadMultiplier, 'uploadMultiplier');
  const down = multiplier(item.downloadMultiplier, 'downloadMultiplier');
  const problem = [id, uploaderId, freeleech, up, down].find((result) => typeof result === 'string');
  if (typeof problem === 'string') {
    return problem;
  }
  return {
    infoHash: item.infoHash.toLowerCase(),
    siteId: id as number | null | undefined,
    uploaderId: uploaderId as number | null | undefined,
    freeleech: freeleech as boolean | null,
    uploadMultiplier: up as number | null,
    downloadMultiplier: down as number | null,
  };
}

/** undefined: absent; null: cleared (only where nullable); a string: the failure. */
function siteId(value: unknown, field: string, nullable: boolean): number | null | undefined | string {
  if (value === undefined) {
    return nullable ? undefined : `${field} must be a positive integer`;
  }
  if (value === null && nullable) {
    return null;
  }
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    return `${field} must be a positive integer`;
  }
  return value > MAX_SITE_ID ? `${field} must not exceed ${MAX_SITE_ID}` : value;
}

/** undefined: absent; null: no limit; a string: the failure (CreateUserDto's rule). */
function downloadSlots(value: unknown): number | null | undefined | string {
  if (value === undefined || value === null) {
    return value;
  }
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    return 'downloadSlots must be a non-negative integer or null';
  }
  return value > MAX_DOWNLOAD_SLOTS ? `downloadSlots must not exceed ${MAX_DOWNLOAD_SLOTS}` : value;
}

function flag(value: unknown, field: string): boolean | null | string {
  if (value === undefined) {
    return null;
  }
  return typeof value === 'boolean' ? value : `${field} must be a boolean value`;
}

function multiplier(value: unknown, field: string): number | null | string {
  if (value === undefined) {
    return null;
  }
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 100) {
    return `${field} must be a number from 0 to 100`;
  }
  return value;
}
