/**
 * Reads the head of one HTTP/1.x request from the bytes a connection has received, for TrackerConnection.
 *
 * It recognises only the plain request every BitTorrent client sends: `GET <target> HTTP/1.1` (or 1.0), well-formed
 * header lines, no body, no upgrade. Anything else is `other`, for Node's HTTP server to take over, so that every
 * unusual case (bodies, folded headers, bad syntax and its 400, oversized heads and their 431) keeps Node's
 * handling. Being strict here costs nothing: a real client never sends those.
 */
export type RequestHead =
  | { kind: 'incomplete' }
  | { kind: 'other' }
  | {
      kind: 'plain';
      /** Path and query as sent; an absolute-form target (`http://host/path`) as sent too, as Node keeps it. */
      target: string;
      /** Whether the connection stays open after the answer (HTTP/1.1 unless `close`, 1.0 only with `keep-alive`). */
      keepAlive: boolean;
      /** X-Forwarded-For, its lines joined by ", " as Node joins them; undefined when absent. */
      forwardedFor: string | undefined;
      /** The first User-Agent line's value (Node keeps the first too); undefined when absent. */
      userAgent: string | undefined;
      /** Offset just past the head's blank line. */
      end: number;
    };

/** Node's default --max-http-header-size: a longer head goes to Node, which answers 431. */
export const MAX_HEAD_BYTES = 16 * 1024;

const HEAD_END = Buffer.from('\r\n\r\n');
const INCOMPLETE: RequestHead = { kind: 'incomplete' };
const OTHER: RequestHead = { kind: 'other' };
/**
 * Origin-form (`/path`) or absolute-form (`http://host/path`, RFC 9112 §3.2.2: a server must accept it). The host
 * takes only the characters Node's parser takes there (not `"#<>\\^\`{|}`, which it answers 400).
 */
const REQUEST_LINE =
  /^GET ((?:[Hh][Tt][Tt][Pp][Ss]?:\/\/[!$%&'()*+,\-.0-9:;=@A-Z[\]_a-z~]*)?\/[\x21-\x7e]*) HTTP\/1\.([01])$/;
/**
 * A header line: a token, a colon, then a value of tab, visible ASCII, space and obs-text only: Node's parser answers
 * 400 to any other control character, so a head with one goes to Node for that answer.
 */
const HEADER_LINE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+:[\t\x20-\x7e\x80-\xff]*$/;

/**
 * `scannedTo`: how far an earlier call on the same bytes found them incomplete, so that a head arriving in many small
 * pieces is searched once, not again from its start at each piece (linear, not quadratic, in the head's length).
 */
export function readRequestHead(buffer: Buffer, start: number, scannedTo = start): RequestHead {
  const blankLine = buffer.indexOf(HEAD_END, Math.max(start, scannedTo - (HEAD_END.length - 1)));
  if (blankLine === -1) {
    return unfinished(buffer, start, Math.max(start, scannedTo));
  }
  const end = blankLine + HEAD_END.length;
  if (end - start > MAX_HEAD_BYTES) {
    return OTHER;
  }
  const lines = buffer.toString('latin1', start, blankLine).split('\r\n');
  const request = REQUEST_LINE.exec(lines[0]);
  if (!request) {
    return OTHER;
  }
  let close = false;
  let keepAliveAsked = false;
  let forwardedFor: string | undefined;
  let userAgent: string | undefined;
  let contentLength = false;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (!HEADER_LINE.test(line)) {
      return OTHER;
    }
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).toLowerCase();
    if (name === 'connection') {
      for (const token of line.slice(colon + 1).split(',')) {
        const option = token.trim().toLowerCase();
        if (option === 'close') {
          close = true;
        } else if (option === 'keep-alive') {
          keepAliveAsked = true;
        } else if (option === 'upgrade') {
          return OTHER;
        }
      }
    } else if (name === 'x-forwarded-for') {
      const value = valueOf(line, colon);
      forwardedFor = forwardedFor === undefined ? value : `${forwardedFor}, ${value}`;
    } else if (name === 'user-agent') {
      userAgent ??= valueOf(line, colon);
    } else if (name === 'content-length') {
      // Node refuses a second Content-Length, even an equal one (400).
      if (contentLength || line.slice(colon + 1).trim() !== '0') {
        return OTHER;
      }
      contentLength = true;
    } else if (name === 'transfer-encoding' || name === 'upgrade' || name === 'expect') {
      return OTHER;
    }
  }
  // As Node's parser: HTTP/1.0 keeps the connection when asked to, even if `close` is also said.
  const keepAlive = request[2] === '1' ? !close : keepAliveAsked;
  return { kind: 'plain', target: request[1], keepAlive, forwardedFor, userAgent, end };
}

/** A header line's value without the spaces and tabs around it, as Node reads it (not String.trim's other spaces). */
function valueOf(line: string, colon: number): string {
  let from = colon + 1;
  let to = line.length;
  while (from < to && (line.charCodeAt(from) === 0x20 || line.charCodeAt(from) === 0x09)) {
    from++;
  }
  while (to > from && (line.charCodeAt(to - 1) === 0x20 || line.charCodeAt(to - 1) === 0x09)) {
    to--;
  }
  return line.slice(from, to);
}

/** A head still arriving, or one that will never be plain: too long, or with a bare LF or a bare CR. */
function unfinished(buffer: Buffer, start: number, from: number): RequestHead {
  if (buffer.length - start > MAX_HEAD_BYTES) {
    return OTHER;
  }
  for (let at = buffer.indexOf(0x0a, from); at !== -1; at = buffer.indexOf(0x0a, at + 1)) {
    if (at === start || buffer[at - 1] !== 0x0d) {
      return OTHER;
    }
  }
  // A bare CR too: Node refuses it at once (400), without waiting for the rest of the head.
  for (let at = buffer.indexOf(0x0d, Math.max(start, from - 1)); at !== -1; at = buffer.indexOf(0x0d, at + 1)) {
    if (at + 1 < buffer.length && buffer[at + 1] !== 0x0a) {
      return OTHER;
    }
  }
  return INCOMPLETE;
}
