import type { LoggedOutcome, LoggedRequest } from 'src/diagnostics/announce-log-entry.util';
import type { AnnounceEvent } from 'src/peers/peer-store.types';

/**
 * The Redis announce log's entries, as bytes: written straight into the flush's buffer on the announce path, so that
 * an entry is no string kept alive until the flush (a JSON string per entry cost the Redis store 5–9 µs of Node an
 * announce, most of it in the garbage collector: scripts/bench/README.md). ~87 bytes an answered entry.
 *
 * Layout: version (1), time (f64), family | HAS_REQUEST (1), `retry in` (f64), then with a request its info hash
 * (20), event (1), peer_id prefix (10), port (u16), uploaded, downloaded, left (f64 each), then the texts result,
 * sentence, warning, policy and wouldRefuse, each a u16 byte length (NULL_TEXT for null) and its UTF-8 bytes.
 * The first byte is never `[`, which starts the JSON entries of earlier builds.
 */
export const BINARY_LOG_VERSION = 1;

const HAS_REQUEST = 0x80;
const NO_RETRY = -1;
const RETRY_NEVER = -2;
const NULL_TEXT = 0xffff;
const MAX_TEXT_BYTES = 0xfffe;
const PEER_ID_PREFIX = 10;
const EVENTS: readonly AnnounceEvent[] = ['none', 'started', 'completed', 'stopped', 'paused'];
const FIXED_BYTES = 1 + 8 + 1 + 8;
const REQUEST_BYTES = 20 + 1 + PEER_ID_PREFIX + 2 + 3 * 8;

export interface BinaryLogEntry {
  time: number;
  request: LoggedRequest | null;
  outcome: LoggedOutcome;
}

/** Bytes an entry takes at most: what the writer must have room for. */
export function maxBinaryLogEntryBytes(outcome: LoggedOutcome): number {
  // A UTF-16 code unit takes at most 3 bytes of UTF-8.
  const texts =
    3 *
    (outcome.result.length +
      (outcome.sentence?.length ?? 0) +
      (outcome.warning?.length ?? 0) +
      (outcome.policy?.length ?? 0) +
      (outcome.wouldRefuse?.length ?? 0));
  return FIXED_BYTES + REQUEST_BYTES + 5 * 2 + texts;
}

/** Writes the entry at `at` (room: maxBinaryLogEntryBytes); returns where it ends. */
export function writeBinaryLogEntry(
  out: Buffer,
  at: number,
  time: number,
  request: LoggedRequest | null,
  outcome: LoggedOutcome,
): number {
  const family = outcome.family === null ? 0 : outcome.family === 'ipv4' ? 4 : 6;
  const retryIn = outcome.retryIn;
  out[at] = BINARY_LOG_VERSION;
  out.writeDoubleBE(time, at + 1);
  out[at + 9] = request === null ? family : family | HAS_REQUEST;
  out.writeDoubleBE(retryIn === null ? NO_RETRY : retryIn === 'never' ? RETRY_NEVER : retryIn, at + 10);
  let end = at + FIXED_BYTES;
  if (request !== null) {
    out.write(request.infoHash, end, 20, 'hex');
    out[end + 20] = EVENTS.indexOf(request.event);
    const prefix = Math.min(PEER_ID_PREFIX, request.peerId.length);
    for (let i = 0; i < PEER_ID_PREFIX; i++) {
      out[end + 21 + i] = i < prefix ? request.peerId[i] : 0;
    }
    out.writeUInt16BE(request.port, end + 31);
    out.writeDoubleBE(request.uploaded, end + 33);
    out.writeDoubleBE(request.downloaded, end + 41);
    out.writeDoubleBE(request.left, end + 49);
    end += REQUEST_BYTES;
  }
  end = writeText(out, end, outcome.result);
  end = writeText(out, end, outcome.sentence);
  end = writeText(out, end, outcome.warning);
  end = writeText(out, end, outcome.policy);
  return writeText(out, end, outcome.wouldRefuse);
}

function writeText(out: Buffer, at: number, text: string | null): number {
  if (text === null) {
    out.writeUInt16BE(NULL_TEXT, at);
    return at + 2;
  }
  // Whole characters only: a text beyond MAX_TEXT_BYTES (none of the tracker's own) is cut at one.
  const length = text.length === 0 ? 0 : out.write(text, at + 2, Math.min(MAX_TEXT_BYTES, text.length * 3), 'utf8');
  out.writeUInt16BE(length, at);
  return at + 2 + length;
}

/** Null for bytes that are not such an entry (another version, or cut short). */
export function readBinaryLogEntry(bytes: Buffer): BinaryLogEntry | null {
  if (bytes.length < FIXED_BYTES || bytes[0] !== BINARY_LOG_VERSION) {
    return null;
  }
  const flags = bytes[9];
  const family = flags & ~HAS_REQUEST;
  const retryIn = bytes.readDoubleBE(10);
  let at = FIXED_BYTES;
  let request: LoggedRequest | null = null;
  if ((flags & HAS_REQUEST) !== 0) {
    if (bytes.length < at + REQUEST_BYTES || EVENTS[bytes[at + 20]] === undefined) {
      return null;
    }
    request = {
      infoHash: bytes.toString('hex', at, at + 20),
      event: EVENTS[bytes[at + 20]],
      peerId: Buffer.from(bytes.subarray(at + 21, at + 21 + PEER_ID_PREFIX)),
      port: bytes.readUInt16BE(at + 31),
      uploaded: bytes.readDoubleBE(at + 33),
      downloaded: bytes.readDoubleBE(at + 41),
      left: bytes.readDoubleBE(at + 49),
    };
    at += REQUEST_BYTES;
  }
  const texts: (string | null)[] = [];
  for (let i = 0; i < 5; i++) {
    if (bytes.length < at + 2) {
      return null;
    }
    const length = bytes.readUInt16BE(at);
    at += 2;
    if (length === NULL_TEXT) {
      texts.push(null);
      continue;
    }
    if (bytes.length < at + length) {
      return null;
    }
    texts.push(bytes.toString('utf8', at, at + length));
    at += length;
  }
  if (texts[0] === null) {
    return null;
  }
  return {
    time: bytes.readDoubleBE(1),
    request,
    outcome: {
      result: texts[0],
      sentence: texts[1],
      retryIn: retryIn === NO_RETRY ? null : retryIn === RETRY_NEVER ? 'never' : retryIn,
      warning: texts[2],
      policy: texts[3],
      wouldRefuse: texts[4],
      family: family === 0 ? null : family === 4 ? 'ipv4' : 'ipv6',
    },
  };
}
