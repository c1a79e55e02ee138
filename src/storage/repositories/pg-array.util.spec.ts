import { pgArray } from 'src/storage/repositories/pg-array.util';

describe('pgArray', () => {
  it('writes integers and nulls as they are', () => {
    expect(pgArray([1, 0, null, 2 ** 53 - 1])).toBe('{1,0,NULL,9007199254740991}');
  });

  it('writes hex, addresses and plain words unquoted', () => {
    expect(pgArray(['0a1b', '127.0.0.1', '2001:db8::1', 'fe80::1%eth0'])).toBe(
      '{0a1b,127.0.0.1,2001:db8::1,fe80::1%eth0}',
    );
  });

  it('quotes what PostgreSQL would misread, escaping quotes and backslashes', () => {
    expect(pgArray(['NULL', 'a b', 'a,b', '{x}', 'say "hi"', 'back\\slash', ''])).toBe(
      '{"NULL","a b","a,b","{x}","say \\"hi\\"","back\\\\slash",""}',
    );
  });

  it('writes an empty array', () => {
    expect(pgArray([])).toBe('{}');
  });
});
