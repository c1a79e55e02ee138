/**
 * Bencoding (BEP 3). The npm `bencode` package is ESM with an import-only export map, which a CommonJS build
 * cannot require, and the announce path encodes its answer by hand anyway (compact-response.util.ts).
 */
export type BencodeValue = number | string | Buffer | BencodeValue[] | { [key: string]: BencodeValue };

/** Dictionary keys are sorted as raw bytes, as the spec requires. Numbers must be integers. */
export function bencode(value: BencodeValue): Buffer {
  const parts: Buffer[] = [];
  write(value, parts);
  return Buffer.concat(parts);
}

function write(value: BencodeValue, parts: Buffer[]): void {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) {
      throw new TypeError(`bencode: ${value} is not a safe integer`);
    }
    parts.push(Buffer.from(`i${value}e`, 'latin1'));
  } else if (typeof value === 'string' || Buffer.isBuffer(value)) {
    const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
    parts.push(Buffer.from(`${bytes.length}:`, 'latin1'), bytes);
  } else if (Array.isArray(value)) {
    parts.push(Buffer.from('l'));
    value.forEach((item) => write(item, parts));
    parts.push(Buffer.from('e'));
  } else {
    parts.push(Buffer.from('d'));
    const keys = Object.keys(value).sort((a, b) => Buffer.compare(Buffer.from(a, 'latin1'), Buffer.from(b, 'latin1')));
    for (const key of keys) {
      write(Buffer.from(key, 'latin1'), parts);
      write(value[key], parts);
    }
    parts.push(Buffer.from('e'));
  }
}

export type DecodedValue = number | Buffer | DecodedValue[] | Map<string, DecodedValue>;

/**
 * Strict decoder, for tests and tools: dictionary keys come back as latin1 strings (one char per byte),
 * strings as Buffers. Throws on anything malformed or trailing.
 */
export function bdecode(data: Buffer): DecodedValue {
  const [value, end] = read(data, 0);
  if (end !== data.length) {
    throw new SyntaxError(`bdecode: trailing data at ${end}`);
  }
  return value;
}

function read(data: Buffer, at: number): [DecodedValue, number] {
  const type = data[at];
  if (type === 0x69) {
    const end = data.indexOf(0x65, at);
    const text = data.toString('latin1', at + 1, end);
    if (end === -1 || !/^(0|-?[1-9]\d*)$/.test(text)) {
      throw new SyntaxError(`bdecode: bad integer at ${at}`);
    }
    return [Number(text), end + 1];
  }
  if (type === 0x6c || type === 0x64) {
    const items: DecodedValue[] = [];
    const dict = new Map<string, DecodedValue>();
    let cursor = at + 1;
    while (data[cursor] !== 0x65) {
      if (cursor >= data.length) {
        throw new SyntaxError('bdecode: unterminated container');
      }
      if (type === 0x6c) {
        const [item, next] = read(data, cursor);
        items.push(item);
        cursor = next;
      } else {
        const [key, afterKey] = read(data, cursor);
        if (!Buffer.isBuffer(key)) {
          throw new SyntaxError(`bdecode: dictionary key at ${cursor} is not a string`);
        }
        const [item, next] = read(data, afterKey);
        dict.set(key.toString('latin1'), item);
        cursor = next;
      }
    }
    return [type === 0x6c ? items : dict, cursor + 1];
  }
  const colon = data.indexOf(0x3a, at);
  const lengthText = data.toString('latin1', at, colon);
  if (colon === -1 || !/^\d+$/.test(lengthText)) {
    throw new SyntaxError(`bdecode: bad string length at ${at}`);
  }
  const end = colon + 1 + Number(lengthText);
  if (end > data.length) {
    throw new SyntaxError(`bdecode: string at ${at} runs past the end`);
  }
  return [data.subarray(colon + 1, end), end];
}
