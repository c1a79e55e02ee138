import { decodeBytes, type RawQuery } from 'src/announce/http/raw-query.util';
import { checkedCount, checkedPort, requestedNumwant, unknownEvent } from 'src/announce/protocol/announce-fields.util';
import { AnnounceFailure } from 'src/announce/protocol/announce-failure';
import type { AnnounceRequest } from 'src/announce/protocol/announce-request';
import type { AnnounceEvent } from 'src/peers/peer-store.types';

const EVENTS: Record<string, AnnounceEvent> = {
  '': 'none',
  empty: 'none',
  started: 'started',
  completed: 'completed',
  stopped: 'stopped',
  paused: 'paused',
};

/** Validates an announce query; throws AnnounceFailure naming the first bad field. `ip`/`ipv4`/`ipv6` are ignored. */
export function parseAnnounceRequest(query: RawQuery): AnnounceRequest {
  const infoHash = readBinary20(query, 'info_hash');
  const peerId = readBinary20(query, 'peer_id');
  const eventText = single(query, 'event');
  const event = eventText === undefined ? 'none' : EVENTS[eventText];
  if (event === undefined) {
    throw unknownEvent(eventText!);
  }
  const port = checkedPort(readCount(query, 'port'), event);
  const numwantText = single(query, 'numwant');
  const numwant = requestedNumwant(
    numwantText !== undefined && /^\d{1,9}$/.test(numwantText) ? Number(numwantText) : null,
  );
  return {
    infoHash: infoHash.toString('hex'),
    peerId,
    port,
    uploaded: readCount(query, 'uploaded'),
    downloaded: readCount(query, 'downloaded'),
    left: readCount(query, 'left'),
    event,
    compact: single(query, 'compact') !== '0',
    noPeerId: single(query, 'no_peer_id') === '1',
    numwant,
  };
}

/** Exactly 20 raw bytes, percent-decoded byte by byte. */
export function decodeInfoHash(raw: string | undefined, field = 'info_hash'): Buffer {
  const bytes = raw === undefined ? null : decodeBytes(raw);
  if (raw === undefined) {
    throw AnnounceFailure.badRequest(`Missing ${field}.`);
  }
  if (!bytes || bytes.length !== 20) {
    throw AnnounceFailure.badRequest(`Invalid ${field}: must be 20 bytes.`);
  }
  return bytes;
}

function readBinary20(query: RawQuery, field: string): Buffer {
  return decodeInfoHash(query.get(field)?.[0], field);
}

/** A decimal integer from 0 to 2^53-1: byte counts are exact up to there. */
function readCount(query: RawQuery, field: string): number {
  const text = single(query, field);
  if (text === undefined) {
    throw AnnounceFailure.badRequest(`Missing ${field}.`);
  }
  return checkedCount(field, /^\d{1,16}$/.test(text) ? Number(text) : null);
}

/** A text field's first value, percent-decoded (`event=%73topped` is `stopped`); binary fields use decodeInfoHash. */
function single(query: RawQuery, field: string): string | undefined {
  const raw = query.get(field)?.[0];
  if (raw === undefined || (raw.indexOf('%') === -1 && raw.indexOf('+') === -1)) {
    return raw;
  }
  // An undecodable escape stays as sent, which no rule accepts.
  return decodeBytes(raw)?.toString('latin1') ?? raw;
}
