import { AnnounceFailure } from 'src/announce/protocol/announce-failure';
import type { AnnounceEvent } from 'src/peers/peer-store.types';

/**
 * CONTRACT §2's rules for an announce's fields, whatever transport read them: HTTP reads text (announce-query.util),
 * UDP reads binary (udp-packet.codec); both refuse the same values with the same sentences.
 */

/** A byte count: a whole number from 0 to 2^53-1 (exact up to there); `value` null when it was not a number. */
export function checkedCount(field: string, value: number | bigint | null): number {
  if (value === null || value < 0 || value > Number.MAX_SAFE_INTEGER) {
    throw AnnounceFailure.badRequest(`Invalid ${field}: must be a whole number from 0 to 2^53-1.`);
  }
  return Number(value);
}

/** 1 to 65535; 0 only with `stopped` (a client that never listened leaves). */
export function checkedPort(port: number, event: AnnounceEvent): number {
  if (port > 65535 || (port === 0 && event !== 'stopped')) {
    throw AnnounceFailure.badRequest('Invalid port: must be 1 to 65535.');
  }
  return port;
}

/** Unknown event names and numbers are refused, echoed safely (short, printable ASCII only). */
export function unknownEvent(sent: string): AnnounceFailure {
  return AnnounceFailure.badRequest(`Unknown event: ${sent.slice(0, 20).replace(/[^\x20-\x7e]/g, '?')}.`);
}

/** numwant as sent when it is a plausible count; null (the service's default) otherwise. */
export function requestedNumwant(value: number | null): number | null {
  return value !== null && Number.isInteger(value) && value >= 0 && value <= 999_999_999 ? value : null;
}
