const HEX = new Int8Array(256).fill(-1);
for (let i = 0; i < 10; i++) {
  HEX[0x30 + i] = i;
}
for (let i = 0; i < 6; i++) {
  HEX[0x41 + i] = 10 + i;
  HEX[0x61 + i] = 10 + i;
}

/**
 * Percent-decodes `text[start, end)` byte by byte, never as UTF-8: `%XX` (either case) is one byte, `+` is a
 * space, any other character is its own byte (clients leave `~ ( ) - . _` and letters unescaped).
 * Null when an escape is malformed or a character is not a single byte.
 */
export function decodeBytes(text: string, start = 0, end = text.length): Buffer | null {
  const out = Buffer.allocUnsafe(end - start);
  let length = 0;
  for (let i = start; i < end; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x25) {
      const high = i + 2 < end ? HEX[text.charCodeAt(i + 1) & 0xff] : -1;
      const low = high >= 0 ? HEX[text.charCodeAt(i + 2) & 0xff] : -1;
      if (low < 0 || text.charCodeAt(i + 1) > 0xff || text.charCodeAt(i + 2) > 0xff) {
        return null;
      }
      out[length++] = (high << 4) | low;
      i += 2;
    } else if (code === 0x2b) {
      out[length++] = 0x20;
    } else if (code > 0xff) {
      return null;
    } else {
      out[length++] = code;
    }
  }
  return out.subarray(0, length);
}

/** A query string split into raw (still percent-encoded) values; repeated keys keep every value in order. */
export type RawQuery = Map<string, string[]>;

/** Splits `a=1&b=%20&b=2` without decoding values, so that binary fields can be decoded as bytes later. */
export function splitQuery(query: string): RawQuery {
  const params: RawQuery = new Map();
  let start = 0;
  while (start <= query.length) {
    let end = query.indexOf('&', start);
    if (end === -1) {
      end = query.length;
    }
    if (end > start) {
      const equals = query.indexOf('=', start);
      const hasValue = equals !== -1 && equals < end;
      const rawKey = query.slice(start, hasValue ? equals : end);
      const key =
        rawKey.includes('%') || rawKey.includes('+') ? (decodeBytes(rawKey)?.toString('latin1') ?? rawKey) : rawKey;
      const value = hasValue ? query.slice(equals + 1, end) : '';
      const values = params.get(key);
      if (values) {
        values.push(value);
      } else {
        params.set(key, [value]);
      }
    }
    start = end + 1;
  }
  return params;
}

/** The query part of a raw request URL (`/pk/announce?a=1` → `a=1`). */
export function queryOf(url: string): string {
  const mark = url.indexOf('?');
  return mark === -1 ? '' : url.slice(mark + 1);
}
