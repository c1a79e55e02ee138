/**
 * A bencode decoder for tests that also reports where each top-level value sits in the input (a .torrent's info_hash
 * is the sha1 of those raw bytes). Byte strings stay Buffers, dictionary keys are read as latin1. Encoding: src/bencode.
 */
export type BValue = number | Buffer | BValue[] | { [key: string]: BValue };

export interface Decoded {
  value: BValue;
  /** Raw byte ranges of the values of top-level dictionary keys, e.g. `spans.info` for a .torrent. */
  spans: Record<string, [number, number]>;
}

export function bdecode(data: Buffer): Decoded {
  const spans: Record<string, [number, number]> = {};
  let pos = 0;
  const fail = (what: string): never => {
    throw new Error(`bdecode: ${what} at byte ${pos}`);
  };
  const read = (depth: number): BValue => {
    const c = data[pos];
    if (c === 0x69 /* i */) {
      const end = data.indexOf(0x65, pos);
      if (end < 0) {
        fail('unterminated integer');
      }
      const n = Number(data.toString('latin1', pos + 1, end));
      pos = end + 1;
      return n;
    }
    if (c === 0x6c /* l */) {
      pos++;
      const list: BValue[] = [];
      while (data[pos] !== 0x65) {
        list.push(read(depth + 1));
      }
      pos++;
      return list;
    }
    if (c === 0x64 /* d */) {
      pos++;
      const dict: { [key: string]: BValue } = {};
      while (data[pos] !== 0x65) {
        const key = read(depth + 1);
        if (!Buffer.isBuffer(key)) {
          return fail('non-string dictionary key');
        }
        const start = pos;
        dict[key.toString('latin1')] = read(depth + 1);
        if (depth === 0) {
          spans[key.toString('latin1')] = [start, pos];
        }
      }
      pos++;
      return dict;
    }
    if (c !== undefined && c >= 0x30 && c <= 0x39) {
      const colon = data.indexOf(0x3a, pos);
      if (colon < 0) {
        fail('unterminated string length');
      }
      const length = Number(data.toString('latin1', pos, colon));
      const start = colon + 1;
      if (start + length > data.length) {
        fail('string past the end');
      }
      pos = start + length;
      return data.subarray(start, pos);
    }
    return fail(`unexpected byte ${c}`);
  };
  const value = read(0);
  if (pos !== data.length) {
    fail('trailing data');
  }
  return { value, spans };
}
