import type { AnnounceEvent } from 'src/peers/peer-store.types';

/** One announce as the staff's announce log keeps it. Never the passkey. */
export interface AnnounceLogEntry {
  /** Epoch milliseconds. */
  time: number;
  /** Null when the request's info_hash could not be read. */
  infoHash: string | null;
  event: AnnounceEvent | null;
  /** `ok`, or the refusal's failure code. */
  result: string;
  /** The refusal's sentence, as the client got it. */
  sentence: string | null;
  /** The refusal's `retry in`: minutes, or 'never'. */
  retryIn: number | 'never' | null;
  warning: string | null;
  /** The step that refused, or the last that warned or (in observe mode) would have refused. */
  policy: string | null;
  /** The failure code a policy in observe mode would have answered. */
  wouldRefuse: string | null;
  /** The peer_id's first 10 bytes, hex: enough for the client's name, never the whole id. */
  peerIdPrefix: string | null;
  family: 'ipv4' | 'ipv6' | null;
  port: number | null;
  uploaded: number | null;
  downloaded: number | null;
  left: number | null;
}

type Packed = [
  number,
  string | null,
  AnnounceEvent | null,
  string,
  string | null,
  number | 'never' | null,
  string | null,
  string | null,
  string | null,
  string | null,
  4 | 6 | null,
  number | null,
  number | null,
  number | null,
  number | null,
];

/** What the log keeps of the request (an AnnounceRequest is one): never the passkey, only the peer_id's start. */
export interface LoggedRequest {
  infoHash: string;
  event: AnnounceEvent;
  peerId: Buffer;
  port: number;
  uploaded: number;
  downloaded: number;
  left: number;
}

/** What happened to the announce: `result` is `ok` or the failure code. */
export interface LoggedOutcome {
  result: string;
  sentence: string | null;
  retryIn: number | 'never' | null;
  warning: string | null;
  policy: string | null;
  wouldRefuse: string | null;
  family: 'ipv4' | 'ipv6' | null;
}

/**
 * A compact JSON array (Packed): ~120 bytes an answered entry, ~220 a refused one, kept as one element of a Redis
 * list or a string in memory. Built by hand on the announce path: only free text goes through JSON.stringify (an
 * object built and stringified cost ~20x more). The info hash is hex and the event one of a fixed set.
 */
export function encodeLogEntry(time: number, request: LoggedRequest | null, outcome: LoggedOutcome): string {
  const family = outcome.family === null ? 'null' : outcome.family === 'ipv4' ? '4' : '6';
  const head = request === null ? `[${time},null,null,` : `[${time},"${request.infoHash}","${request.event}",`;
  const tail =
    request === null
      ? `null,${family},null,null,null,null]`
      : `"${request.peerId.toString('hex', 0, 10)}",${family},${request.port},${request.uploaded},` +
        `${request.downloaded},${request.left}]`;
  return (
    `${head}${JSON.stringify(outcome.result)},${text(outcome.sentence)},` +
    `${outcome.retryIn === null ? 'null' : JSON.stringify(outcome.retryIn)},${text(outcome.warning)},` +
    `${text(outcome.policy)},${text(outcome.wouldRefuse)},${tail}`
  );
}

function text(value: string | null): string {
  return value === null ? 'null' : JSON.stringify(value);
}

/** Null for an entry that is not one (written by another build): it is left out rather than failing the read. */
export function decodeLogEntry(text: string): AnnounceLogEntry | null {
  let packed: unknown;
  try {
    packed = JSON.parse(text);
  } catch {
    return null;
  }
  if (!Array.isArray(packed) || packed.length !== 15 || typeof packed[0] !== 'number') {
    return null;
  }
  const p = packed as Packed;
  return {
    time: p[0],
    infoHash: p[1],
    event: p[2],
    result: p[3],
    sentence: p[4],
    retryIn: p[5],
    warning: p[6],
    policy: p[7],
    wouldRefuse: p[8],
    peerIdPrefix: p[9],
    family: p[10] === null ? null : p[10] === 4 ? 'ipv4' : 'ipv6',
    port: p[11],
    uploaded: p[12],
    downloaded: p[13],
    left: p[14],
  };
}
