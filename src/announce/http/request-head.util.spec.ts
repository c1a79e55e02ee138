import { MAX_HEAD_BYTES, readRequestHead } from 'src/announce/http/request-head.util';

const bytes = (text: string) => Buffer.from(text, 'latin1');

describe('readRequestHead', () => {
  it('reads a plain GET: target, keep-alive and where the head ends', () => {
    const head = 'GET /key/announce?info_hash=%12%AB~ HTTP/1.1\r\nHost: t\r\nUser-Agent: x/1\r\n\r\n';
    expect(readRequestHead(bytes(`${head}GET /next`), 0)).toEqual({
      kind: 'plain',
      target: '/key/announce?info_hash=%12%AB~',
      keepAlive: true,
      forwardedFor: undefined,
      userAgent: 'x/1',
      end: head.length,
    });
  });

  it('reads from an offset, for the next pipelined request', () => {
    const first = 'GET /a/announce HTTP/1.1\r\n\r\n';
    expect(readRequestHead(bytes(`${first}GET /b/scrape HTTP/1.1\r\n\r\n`), first.length)).toMatchObject({
      kind: 'plain',
      target: '/b/scrape',
    });
  });

  it.each([
    ['HTTP/1.1', '', true],
    ['HTTP/1.1', 'Connection: close\r\n', false],
    ['HTTP/1.1', 'connection: Keep-Alive, CLOSE\r\n', false],
    ['HTTP/1.0', '', false],
    ['HTTP/1.0', 'Connection: keep-alive\r\n', true],
    ['HTTP/1.0', 'Connection: keep-alive\r\nConnection: close\r\n', true],
  ])('keeps an %s connection with %p open: %p', (version, header, keepAlive) => {
    expect(readRequestHead(bytes(`GET /k/announce ${version}\r\n${header}\r\n`), 0)).toMatchObject({ keepAlive });
  });

  it('joins X-Forwarded-For lines as Node does', () => {
    const head = 'GET /k/announce HTTP/1.1\r\nX-Forwarded-For: 1.2.3.4\r\nx-forwarded-for:  10.0.0.1 \r\n\r\n';
    expect(readRequestHead(bytes(head), 0)).toMatchObject({ forwardedFor: '1.2.3.4, 10.0.0.1' });
  });

  it('keeps the first User-Agent, without the spaces and tabs around it, as Node does', () => {
    const head =
      'GET /k/announce HTTP/1.1\r\nuser-agent: \tqBittorrent/4.5.2 \r\nUser-Agent: Transmission/3.00\r\n\r\n';
    expect(readRequestHead(bytes(head), 0)).toMatchObject({ userAgent: 'qBittorrent/4.5.2' });
    expect(readRequestHead(bytes('GET /k/announce HTTP/1.1\r\nUser-Agent: a\xa0\r\n\r\n'), 0)).toMatchObject({
      userAgent: 'a\xa0',
    });
  });

  it('reads an absolute-form target (RFC 9112 §3.2.2) as sent, as Node does', () => {
    expect(readRequestHead(bytes('GET http://t:6969/k/announce?x=1 HTTP/1.1\r\n\r\n'), 0)).toMatchObject({
      kind: 'plain',
      target: 'http://t:6969/k/announce?x=1',
    });
  });

  it('accepts tab and obs-text in header values, as Node does', () => {
    expect(readRequestHead(bytes('GET /k/announce HTTP/1.1\r\nUser-Agent: a\tb\xe9\r\n\r\n'), 0)).toMatchObject({
      kind: 'plain',
    });
  });

  it('finds the end of a head sent a byte at a time, scanning only the new bytes', () => {
    const head = bytes('GET /k/announce HTTP/1.1\r\nHost: t\r\n\r\n');
    let scannedTo = 0;
    for (let length = 1; length < head.length; length++) {
      expect(readRequestHead(head.subarray(0, length), 0, scannedTo)).toEqual({ kind: 'incomplete' });
      scannedTo = length;
    }
    expect(readRequestHead(head, 0, scannedTo)).toMatchObject({ kind: 'plain', end: head.length });
  });

  it('leaves an unfinished head with a bare CR to Node at once, as Node refuses it before the head ends', () => {
    expect(readRequestHead(bytes('GET /k/announce HTTP/1.1\r\nUser-Agent: a\rb'), 0)).toEqual({ kind: 'other' });
    expect(readRequestHead(bytes('GET /k/announce HTTP/1.1\r\n\r\r\n'), 0, 27)).toEqual({ kind: 'other' });
    expect(readRequestHead(bytes('GET /k/announce HTTP/1.1\r'), 0)).toEqual({ kind: 'incomplete' });
  });

  it('still sees a bare LF that arrives in a later piece', () => {
    const text = bytes('GET /k/announce HTTP/1.1\nHost');
    expect(readRequestHead(text, 0, 10)).toEqual({ kind: 'other' });
  });

  it('accepts an empty body declared as such', () => {
    expect(readRequestHead(bytes('GET /k/announce HTTP/1.1\r\nContent-Length: 0\r\n\r\n'), 0)).toMatchObject({
      kind: 'plain',
    });
  });

  it.each(['', 'GET /k/announce HTTP/1.1\r\n', 'GET /k/announce HTTP/1.1\r\nHost: t\r\n\r'])(
    'waits for the rest of %p',
    (partial) => {
      expect(readRequestHead(bytes(partial), 0)).toEqual({ kind: 'incomplete' });
    },
  );

  it.each([
    ['another method', 'POST /k/announce HTTP/1.1\r\n\r\n'],
    ['HTTP/2 or 0.9', 'GET /k/announce HTTP/2.0\r\n\r\n'],
    ['a target that is neither a path nor an absolute URL', 'GET t/k/announce HTTP/1.1\r\n\r\n'],
    ['an absolute URL without a path', 'GET http://t HTTP/1.1\r\n\r\n'],
    ['an absolute URL whose host Node refuses', 'GET http://t{x}/k/announce HTTP/1.1\r\n\r\n'],
    ['two Content-Lengths, even of 0', 'GET /k/announce HTTP/1.1\r\nContent-Length: 0\r\nContent-Length: 0\r\n\r\n'],
    ['a control character in a header value', 'GET /k/announce HTTP/1.1\r\nX-A: a\x01b\r\n\r\n'],
    ['a DEL in a header value', 'GET /k/announce HTTP/1.1\r\nUser-Agent: a\x7f\r\n\r\n'],
    ['a NUL in a header value', 'GET /k/announce HTTP/1.1\r\nUser-Agent: a\x00\r\n\r\n'],
    ['a raw byte in the target', 'GET /k/announce?x=\xff HTTP/1.1\r\n\r\n'],
    ['a body', 'GET /k/announce HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello'],
    ['a chunked body', 'GET /k/announce HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'],
    ['an upgrade', 'GET /k/announce HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n'],
    ['an expectation', 'GET /k/announce HTTP/1.1\r\nExpect: 100-continue\r\n\r\n'],
    ['a folded header', 'GET /k/announce HTTP/1.1\r\nX-A: 1\r\n 2\r\n\r\n'],
    ['a header without a colon', 'GET /k/announce HTTP/1.1\r\nHost\r\n\r\n'],
    ['a space before the colon', 'GET /k/announce HTTP/1.1\r\nHost : t\r\n\r\n'],
    ['a bare LF inside a header', 'GET /k/announce HTTP/1.1\r\nX-A: 1\nX-B: 2\r\n\r\n'],
    ['lines ended by bare LFs', 'GET /k/announce HTTP/1.1\nHost: t\n'],
    ['a head longer than Node allows', `GET /k/announce HTTP/1.1\r\nX-A: ${'a'.repeat(MAX_HEAD_BYTES)}`],
  ])('leaves %s to Node', (_, text) => {
    expect(readRequestHead(bytes(text), 0)).toEqual({ kind: 'other' });
  });
});
