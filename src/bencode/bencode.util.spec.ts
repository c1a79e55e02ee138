import { bdecode, bencode } from 'src/bencode/bencode.util';

describe('bencode', () => {
  it('encodes dictionaries with keys sorted as bytes', () => {
    const encoded = bencode({ 'min interval': 900, interval: 1800, complete: 1, 'failure reason': 'no' });
    expect(encoded.toString('latin1')).toBe('d8:completei1e14:failure reason2:no8:intervali1800e12:min intervali900ee');
  });

  it('encodes binary strings by byte length and lists in order', () => {
    expect(bencode([Buffer.from([0xff, 0x00]), 'é', -3]).toString('latin1')).toBe('l2:\xff\x002:\xc3\xa9i-3ee');
  });

  it('refuses numbers that are not safe integers', () => {
    expect(() => bencode(1.5)).toThrow(TypeError);
  });

  it('decodes what it encodes', () => {
    const decoded = bdecode(bencode({ files: { a: { complete: 2 } }, list: [1, 'x'] })) as Map<string, unknown>;
    expect((decoded.get('files') as Map<string, Map<string, number>>).get('a')!.get('complete')).toBe(2);
    expect(decoded.get('list')).toEqual([1, Buffer.from('x')]);
  });

  it.each(['i01e', 'd1:ai1e', '3:ab', 'i1eextra', 'di1ei2ee'])('rejects the malformed %s', (text) => {
    expect(() => bdecode(Buffer.from(text, 'latin1'))).toThrow(SyntaxError);
  });
});
