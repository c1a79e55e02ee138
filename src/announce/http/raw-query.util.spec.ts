import { parseQueryString } from 'src/announce/http/query-string-parser.util';
import { decodeBytes, queryOf, splitQuery } from 'src/announce/http/raw-query.util';

describe('byte-wise query decoding', () => {
  it('decodes the BEP 3 example hash to its 20 bytes, whatever the escape case', () => {
    const expected = '123456789abcdef123456789abcdef123456789a';
    expect(decodeBytes('%124Vx%9A%BC%DE%F1%23Eg%89%AB%CD%EF%124Vx%9A')!.toString('hex')).toBe(expected);
    expect(decodeBytes('%124Vx%9a%bc%de%f1%23Eg%89%ab%cd%ef%124Vx%9a')!.toString('hex')).toBe(expected);
  });

  it('keeps bytes that happen to be valid UTF-8 as bytes', () => {
    expect(decodeBytes('%C3%A9'.repeat(10))).toEqual(Buffer.from('c3a9'.repeat(10), 'hex'));
  });

  it('takes unescaped ~ ( ) - and %2D alike', () => {
    expect(decodeBytes('-qB4520-Io0w1dtC94)U')!.toString('latin1')).toBe('-qB4520-Io0w1dtC94)U');
    expect(decodeBytes('%2DCD0303%2D')!.toString('latin1')).toBe('-CD0303-');
    expect(decodeBytes('~(')!.toString('latin1')).toBe('~(');
  });

  it.each(['%', '%4', '%G1', 'a%zz', 'é€'])('rejects the malformed %s', (text) => {
    expect(decodeBytes(text)).toBeNull();
  });
});

describe('query splitting', () => {
  it('keeps values raw and repeated keys in order', () => {
    const query = splitQuery('info_hash=%AA&info_hash=%BB&port=6881&flag&=x&&');
    expect(query.get('info_hash')).toEqual(['%AA', '%BB']);
    expect(query.get('port')).toEqual(['6881']);
    expect(query.get('flag')).toEqual(['']);
  });

  it('finds the query of a raw URL', () => {
    expect(queryOf('/pk/announce?a=1&b=2')).toBe('a=1&b=2');
    expect(queryOf('/pk/announce')).toBe('');
  });
});

describe("Fastify's query-string parser", () => {
  it('leaves BitTorrent queries to the byte-wise decoder and parses the rest', () => {
    expect(parseQueryString('info_hash=%12%34&peer_id=x')).toEqual({});
    expect(parseQueryString('a=1&b=x%20y')).toEqual({ a: '1', b: 'x y' });
  });
});
