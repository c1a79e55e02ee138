import type { IncomingMessage } from 'node:http';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  clientAddressReader,
  TrackerHttpServer,
  trackerRoute,
  type TrackerAnswerer,
} from 'src/announce/tracker-http-server';

describe('trackerRoute', () => {
  it.each([
    ['/0123456789abcdef0123456789abcdef/announce?info_hash=x', 'announce', '0123456789abcdef0123456789abcdef'],
    ['/key/scrape', 'scrape', 'key'],
    ['/%6Bey/announce', 'announce', 'key'],
    ['/%ZZ/announce', 'announce', undefined],
    ['//announce', 'announce', ''],
    ['/announce?info_hash=x', 'announce', null],
    ['/scrape', 'scrape', null],
  ])('reads %s as %s with passkey %p', (url, action, passkey) => {
    expect(trackerRoute(url)).toEqual({ action, passkey });
  });

  it.each(['/api/users', '/metrics', '/a/b/announce', '/key/announce/', '/key/announces', 'announce', '/x?/announce'])(
    'leaves %s to Fastify',
    (url) => {
      expect(trackerRoute(url)).toBeNull();
    },
  );
});

describe('clientAddressReader', () => {
  const from = (remoteAddress: string, forwardedFor?: string) =>
    ({
      socket: { remoteAddress },
      connection: { remoteAddress },
      headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {},
    }) as unknown as IncomingMessage;

  it('reads the socket and ignores X-Forwarded-For without TRUST_PROXY', () => {
    expect(clientAddressReader(false)(from('10.0.0.9', '1.2.3.4'))).toBe('10.0.0.9');
  });

  it('takes the first forwarded address when every proxy is trusted', () => {
    expect(clientAddressReader(true)(from('10.0.0.9', '1.2.3.4, 10.0.0.8'))).toBe('1.2.3.4');
  });

  it('follows X-Forwarded-For only through the listed proxies', () => {
    const read = clientAddressReader(['10.0.0.0/8']);
    expect(read(from('10.0.0.9', '1.2.3.4, 10.0.0.8'))).toBe('1.2.3.4');
    expect(read(from('10.0.0.9', '1.2.3.4, 5.6.7.8'))).toBe('5.6.7.8');
    expect(read(from('192.168.1.1', '1.2.3.4'))).toBe('192.168.1.1');
  });
});

describe('TrackerHttpServer', () => {
  let server: TrackerHttpServer;
  let port: number;
  const seen: string[] = [];
  let answer: TrackerAnswerer;

  beforeAll(async () => {
    server = new TrackerHttpServer(
      {},
      (req, res) => {
        seen.push(`fastify ${req.method} ${req.url}`);
        res.writeHead(404).end();
      },
      clientAddressReader(false),
    );
    server.answerTrackerRequests((action, req) => answer(action, req));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(() => {
    seen.length = 0;
    answer = (action, req) => Promise.resolve(Buffer.from(`${action} ${req.passkey} ${req.ip}`));
  });

  function get(path: string, method = 'GET') {
    return new Promise<{ status: number; body: string; headers: Record<string, unknown> }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path, method }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString(), headers: res.headers }),
        );
      });
      req.on('error', reject);
      req.end();
    });
  }

  it('answers a GET of a tracker path itself, as text/plain with HTTP 200', async () => {
    const response = await get('/abc/announce?info_hash=x');
    expect(response).toMatchObject({ status: 200, body: 'announce abc 127.0.0.1' });
    expect(response.headers['content-type']).toBe('text/plain');
    expect(response.headers['content-length']).toBe(String('announce abc 127.0.0.1'.length));
    expect(seen).toEqual([]);
  });

  it('hands every other path and method to Fastify', async () => {
    await get('/api/users');
    await get('/abc/announce', 'POST');
    expect(seen).toEqual(['fastify GET /api/users', 'fastify POST /abc/announce']);
  });

  it('answers 500 only when the answerer itself fails', async () => {
    answer = () => Promise.reject(new Error('bug'));
    expect((await get('/abc/scrape')).status).toBe(500);
  });

  it('asks keep-alive clients to close once shutdown began', async () => {
    expect((await get('/abc/announce')).headers.connection).toBe('keep-alive');
    server.beginClosing();
    expect((await get('/abc/announce')).headers.connection).toBe('close');
  });
});
