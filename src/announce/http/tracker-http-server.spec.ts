import type { IncomingMessage } from 'node:http';
import { request } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { clientAddressReader, TrackerHttpServer } from 'src/announce/http/tracker-http-server';
import type { TrackerRequestHandler } from 'src/announce/http/tracker-http-request';

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
  let answer: TrackerRequestHandler['answer'];

  beforeAll(async () => {
    server = new TrackerHttpServer(
      { connectionsCheckingInterval: 20 },
      (req, res) => {
        seen.push(`fastify ${req.method} ${req.url}`);
        res.writeHead(404, { 'content-length': 0 }).end();
      },
      clientAddressReader(false),
    );
    server.handleTrackerRequestsWith({ answer: (action, req) => answer(action, req) });
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

  describe("on connections that send only tracker GETs, answered without Node's HTTP parser", () => {
    it('answers pipelined requests in order, however the bytes arrive', async () => {
      answer = async (action, req) => {
        // The first answer takes longest: the order must still be the requests'.
        await new Promise((resolve) => setTimeout(resolve, req.passkey === 'a' ? 30 : 0));
        return Buffer.from(`${action} ${req.passkey}`);
      };
      const requests =
        'GET /a/announce HTTP/1.1\r\nHost: t\r\n\r\nGET /b/scrape HTTP/1.1\r\n\r\nGET /c/announce?x=1 HTTP/1.1\r\n\r\n';
      const split = [requests.slice(0, 7), requests.slice(7, 40), requests.slice(40)];
      const responses = await exchange(split, 3);
      expect(responses.map((response) => response.body)).toEqual(['announce a', 'scrape b', 'announce c']);
      expect(responses[0].headers).toMatchObject({ 'content-type': 'text/plain', connection: 'keep-alive' });
      expect(responses[0].headers.date).toMatch(/ GMT$/);
      expect(seen).toEqual([]);
    });

    it.each([
      ['an HTTP/1.0 request', 'GET /k/announce HTTP/1.0\r\n\r\n'],
      ['Connection: close', 'GET /k/announce HTTP/1.1\r\nConnection: close\r\n\r\n'],
    ])('closes the connection after answering %s', async (_, request) => {
      const responses = await exchange([request], 2);
      expect(responses).toHaveLength(1);
      expect(responses[0].headers.connection).toBe('close');
    });

    it('lets go of a closed connection once its answer is out, without waiting for the client to close', async () => {
      const own = new TrackerHttpServer({}, () => undefined, clientAddressReader(false));
      own.handleTrackerRequestsWith({ answer: () => Promise.resolve(Buffer.from('d8:intervali1ee')) });
      await new Promise<void>((resolve) => own.listen(0, '127.0.0.1', resolve));
      const connections = () =>
        new Promise<number>((resolve, reject) =>
          own.getConnections((error, count) => (error ? reject(error) : resolve(count))),
        );
      const socket = connect({ port: (own.address() as AddressInfo).port, host: '127.0.0.1', allowHalfOpen: true });
      try {
        socket.resume().write('GET /k/announce HTTP/1.1\r\nConnection: close\r\n\r\n');
        await new Promise((resolve) => socket.once('end', resolve));
        // The server closes its socket just after sending its FIN.
        let open = await connections();
        for (let tries = 0; open > 0 && tries < 50; tries++) {
          await new Promise((resolve) => setTimeout(resolve, 10));
          open = await connections();
        }
        expect(open).toBe(0);
      } finally {
        socket.destroy();
        own.closeAllConnections();
        await new Promise((resolve) => own.close(resolve));
      }
    });

    it('answers a request whose client shut its side after sending it', async () => {
      const responses = await exchange(['GET /k/announce HTTP/1.1\r\n\r\n'], 2, { end: true });
      expect(responses.map((response) => response.body)).toEqual(['announce k 127.0.0.1']);
    });

    it('hands the connection to Node at its first other request, with the bytes not yet answered', async () => {
      const requests = [
        'GET /k/announce HTTP/1.1\r\n\r\n',
        'GET /api/users HTTP/1.1\r\nHost: t\r\n\r\nGET /k/scrape HTTP/1.1\r\nHost: t\r\n\r\n',
      ];
      const responses = await exchange(requests, 3);
      expect(responses.map((response) => [response.status, response.body])).toEqual([
        [200, 'announce k 127.0.0.1'],
        [404, ''],
        [200, 'scrape k 127.0.0.1'],
      ]);
      expect(seen).toEqual(['fastify GET /api/users']);
    });

    it('leaves a head too long for a tracker request to Node, which refuses it', async () => {
      const responses = await exchange([`GET /k/announce HTTP/1.1\r\nX-A: ${'a'.repeat(20_000)}\r\n\r\n`], 1);
      expect(responses[0].status).toBe(431);
    });

    it('reads the client address through trusted proxies', async () => {
      const proxied = new TrackerHttpServer({}, () => undefined, clientAddressReader(true));
      proxied.handleTrackerRequestsWith({ answer: (_, req) => Promise.resolve(Buffer.from(String(req.ip))) });
      await new Promise<void>((resolve) => proxied.listen(0, '127.0.0.1', resolve));
      try {
        const request = 'GET /k/announce HTTP/1.1\r\nX-Forwarded-For: 1.2.3.4\r\n\r\n';
        const responses = await exchange([request], 1, { port: (proxied.address() as AddressInfo).port });
        expect(responses[0].body).toBe('1.2.3.4');
      } finally {
        proxied.closeAllConnections();
        await new Promise((resolve) => proxied.close(resolve));
      }
    });

    it('closes a connection whose request head is still arriving after headersTimeout, with no further byte', async () => {
      server.headersTimeout = 50;
      try {
        const socket = connect(port, '127.0.0.1');
        const closed = new Promise((resolve) => socket.on('close', resolve));
        socket.write('GET /k/announce HTTP/1.1\r\n');
        await closed;
      } finally {
        server.headersTimeout = 60_000;
      }
    });

    it('closes a new connection that sends nothing within headersTimeout, long before keepAliveTimeout', async () => {
      server.headersTimeout = 50;
      server.keepAliveTimeout = 60_000;
      try {
        const socket = connect(port, '127.0.0.1');
        await new Promise((resolve) => socket.on('close', resolve));
      } finally {
        server.headersTimeout = 60_000;
        server.keepAliveTimeout = 5_000;
      }
    });

    it('keeps a connection idle between requests until keepAliveTimeout, not headersTimeout', async () => {
      const socket = connect(port, '127.0.0.1');
      try {
        socket.write('GET /k/announce HTTP/1.1\r\n\r\n');
        await new Promise((resolve) => socket.once('data', resolve));
        server.headersTimeout = 20;
        // Several of the server's head checks (every 20 ms here) pass; the answered connection stays open.
        await new Promise((resolve) => setTimeout(resolve, 200));
        expect(socket.destroyed).toBe(false);
        socket.write('GET /k/scrape HTTP/1.1\r\n\r\n');
        expect(String(await new Promise((resolve) => socket.once('data', resolve)))).toContain('scrape k');
      } finally {
        server.headersTimeout = 60_000;
        socket.destroy();
      }
    });

    it('answers an absolute-form target as its path, on its own reader and on a handed-over connection', async () => {
      const requests = [
        'GET http://t:6969/k/announce?x=1 HTTP/1.1\r\n\r\n',
        'GET /api/users HTTP/1.1\r\nHost: t\r\n\r\nGET http://t/k/scrape HTTP/1.1\r\nHost: t\r\n\r\n',
      ];
      const responses = await exchange(requests, 3);
      expect(responses.map((response) => [response.status, response.body])).toEqual([
        [200, 'announce k 127.0.0.1'],
        [404, ''],
        [200, 'scrape k 127.0.0.1'],
      ]);
    });

    it.each([0x01, 0x7f, 0x0b])(
      'leaves a header value with control character %i to Node, which answers 400',
      async (code) => {
        const request = `GET /k/announce HTTP/1.1\r\nUser-Agent: a${String.fromCharCode(code)}b\r\n\r\n`;
        const responses = await exchange([request], 1);
        expect(responses.map((response) => response.status)).toEqual([400]);
        expect(seen).toEqual([]);
      },
    );

    it('stops reading and answering a client that does not read its answers, until it does', async () => {
      const own = new TrackerHttpServer({}, () => undefined, clientAddressReader(false));
      const body = Buffer.alloc(64 * 1024, 0x61);
      let answered = 0;
      own.handleTrackerRequestsWith({
        answer: () => {
          answered++;
          return Promise.resolve(body);
        },
      });
      const accepted = new Promise<Socket>((resolve) => own.once('connection', resolve));
      await new Promise<void>((resolve) => own.listen(0, '127.0.0.1', resolve));
      const client = connect({ port: (own.address() as AddressInfo).port, host: '127.0.0.1' });
      try {
        client.pause();
        const total = 1000;
        client.write('GET /k/announce HTTP/1.1\r\n\r\n'.repeat(total));
        const serverSide = await accepted;
        // Wait until the server stops answering (the kernel's buffers are full), at most a few seconds.
        let last = -1;
        for (let tries = 0; tries < 100 && answered !== last; tries++) {
          last = answered;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        expect(answered).toBeLessThan(total);
        expect(serverSide.writableLength).toBeLessThanOrEqual(2 * body.length);
        // Reading resumes the answers.
        let received = 0;
        const all = total * body.length;
        await new Promise<void>((resolve) => {
          client.on('data', (chunk: Buffer) => {
            received += chunk.length;
            if (received >= all) {
              resolve();
            }
          });
          client.resume();
        });
        expect(answered).toBe(total);
      } finally {
        client.destroy();
        own.closeAllConnections();
        await new Promise((resolve) => own.close(resolve));
      }
    });

    it('refuses connections beyond maxConnections, and counts them', async () => {
      const own = new TrackerHttpServer({}, () => undefined, clientAddressReader(false));
      own.handleTrackerRequestsWith({ answer: () => Promise.resolve(Buffer.from('ok')) });
      own.maxConnections = 1;
      await new Promise<void>((resolve) => own.listen(0, '127.0.0.1', resolve));
      const ownPort = (own.address() as AddressInfo).port;
      const accepted = new Promise((resolve) => own.once('connection', resolve));
      const first = connect(ownPort, '127.0.0.1');
      try {
        await accepted;
        // Closed at once: a reset or an end, and no answer either way.
        const refused = await exchange(['GET /k/announce HTTP/1.1\r\n\r\n'], 1, { port: ownPort }).catch(() => []);
        expect(refused).toEqual([]);
        expect(own.refusedConnections).toBe(1);
      } finally {
        first.destroy();
        own.closeAllConnections();
        await new Promise((resolve) => own.close(resolve));
      }
    });

    it('closes idle connections when asked, as Node closes its own', async () => {
      const socket = connect(port, '127.0.0.1');
      const closed = new Promise((resolve) => socket.on('close', resolve));
      socket.write('GET /k/announce HTTP/1.1\r\n\r\n');
      await new Promise((resolve) => socket.once('data', resolve));
      server.closeIdleConnections();
      await closed;
    });
  });

  // Last: the server stays closing.
  it('asks keep-alive clients to close once shutdown began', async () => {
    expect((await get('/abc/announce')).headers.connection).toBe('keep-alive');
    server.beginClosing();
    expect((await get('/abc/announce')).headers.connection).toBe('close');
  });

  interface RawResponse {
    status: number;
    headers: Record<string, string>;
    body: string;
  }

  /**
   * Writes `chunks` on one connection, a poll phase apart, and reads responses until `count` are complete or the
   * server closes the connection.
   */
  function exchange(
    chunks: string[],
    count: number,
    options: { end?: boolean; port?: number } = {},
  ): Promise<RawResponse[]> {
    return new Promise((resolve, reject) => {
      const socket = connect(options.port ?? port, '127.0.0.1');
      let received = Buffer.alloc(0);
      const finish = () => {
        socket.destroy();
        resolve(parseResponses(received));
      };
      socket.on('data', (data: Buffer) => {
        received = Buffer.concat([received, data]);
        if (parseResponses(received).length >= count) {
          finish();
        }
      });
      socket.on('close', finish);
      socket.on('error', reject);
      void (async () => {
        for (const chunk of chunks) {
          socket.write(chunk);
          await new Promise((resume) => setTimeout(resume, 5));
        }
        if (options.end) {
          socket.end();
        }
      })();
    });
  }

  function parseResponses(bytes: Buffer): RawResponse[] {
    const responses: RawResponse[] = [];
    let at = 0;
    for (;;) {
      const headEnd = bytes.indexOf('\r\n\r\n', at);
      if (headEnd === -1) {
        return responses;
      }
      const [statusLine, ...lines] = bytes.toString('latin1', at, headEnd).split('\r\n');
      const headers = Object.fromEntries(
        lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
      );
      const length = Number(headers['content-length'] ?? 0);
      if (bytes.length < headEnd + 4 + length) {
        return responses;
      }
      const body = bytes.toString('latin1', headEnd + 4, headEnd + 4 + length);
      responses.push({ status: Number(statusLine.split(' ')[1]), headers, body });
      at = headEnd + 4 + length;
    }
  }
});
