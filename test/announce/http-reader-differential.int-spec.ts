import fc from 'fast-check';
import { createServer, type IncomingMessage, type Server, type ServerOptions, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { MAX_HEAD_BYTES } from 'src/announce/http/request-head.util';
import { clientAddressReader, TrackerHttpServer } from 'src/announce/http/tracker-http-server';
import type { TrackerHttpRequest } from 'src/announce/http/tracker-http-request';
import { trackerRoute } from 'src/announce/protocol/tracker-route.util';

/**
 * Differential tests of the hand-written request reader (request-head.util.ts, tracker-connection.ts,
 * tracker-http-server.ts) against Node's own HTTP parser: the same bytes, on one connection, go to a
 * TrackerHttpServer and to a plain node:http server with the same options. Every request either server executes is
 * recorded (method, target, and what each side reads of its headers: the client address through X-Forwarded-For, the
 * User-Agent, the Authorization of an admin-style request, its body), and every answer is parsed off the wire. Both
 * must be the same: either the reader read each request exactly as Node would, or it handed the connection to Node.
 * In particular no request can reach the tracker path, or the admin side without its own Authorization header, by
 * being read at other boundaries than Node's.
 *
 * Answers are compared whole when Node's parser raised no error on either side. When it did, Node's own answers are
 * racy (the 400 may go out before or instead of the answer to a request the same bytes held), so then the errors
 * Node raised first must be the same, and the reader's answers must be those of the requests executed, or Node's 400.
 * Two errors are Node's alone, and expected of it only: data after a `Connection: close` request (Node answers 400,
 * the reader has closed the connection and reads no further) and a head cut off by the client's FIN (Node answers
 * 400, the reader closes); neither executes anything. A head Node can already tell is bad before it is complete
 * (a bare CR, a bad header name) is refused by Node at once and by the reader when the head is complete, or closed by
 * HEADERS_TIMEOUT_MS: the generated inputs end with a blank line, so that both see it complete.
 */

/** What a request looked like to the server that executed it. */
interface Executed {
  via: 'tracker' | 'other';
  method: string;
  url: string;
  ip?: string;
  userAgent?: string;
  authorization?: string;
  body?: string;
}

interface Answer {
  status: number;
  connection: string | undefined;
  body: string;
}

interface Outcome {
  executed: Executed[];
  answers: Answer[];
  /** The codes of the parse errors Node's parser raised (on the reader's side, after a hand-over), in order. */
  errors: string[];
}

/** Raised by Node where the reader closes instead (see the file's comment). */
const NODE_ONLY_ERRORS = new Set(['HPE_CLOSED_CONNECTION', 'HPE_INVALID_EOF_STATE']);

const OPTIONS: ServerOptions = {
  requireHostHeader: false,
  requestTimeout: 60_000,
  headersTimeout: 60_000,
  connectionsCheckingInterval: 60_000,
};
const KEEP_ALIVE_MS = 5_000;
const readAddress = clientAddressReader(true);

describe("the HTTP request reader against Node's parser", () => {
  let reader: TrackerHttpServer;
  let node: Server;
  let readerLog: Executed[] = [];
  let nodeLog: Executed[] = [];
  let readerErrors: string[] = [];
  let nodeErrors: string[] = [];

  beforeAll(async () => {
    reader = new TrackerHttpServer(OPTIONS, (request, response) => other(request, response, readerLog), readAddress);
    reader.handleTrackerRequestsWith({
      answer: (action, request) => Promise.resolve(answerTracker(request, readerLog)),
    });
    node = createServer(OPTIONS, (request, response) => {
      if (request.method === 'GET' && trackerRoute(request.url ?? '/')) {
        const body = answerTracker(
          {
            url: request.url!,
            passkey: null,
            ip: readAddress(request),
            userAgent: request.headers['user-agent'],
            startedAt: 0,
          },
          nodeLog,
        );
        response.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length }).end(body);
      } else {
        other(request, response, nodeLog);
      }
    });
    reader.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) =>
      clientError(error, socket, readerErrors),
    );
    node.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => clientError(error, socket, nodeErrors));
    for (const server of [reader, node]) {
      server.keepAliveTimeout = KEEP_ALIVE_MS;
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    }
  });

  afterAll(async () => {
    for (const server of [reader, node]) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  /** The bytes, cut into these pieces, on one connection to each server; then the client shuts its side. */
  async function both(chunks: Buffer[]): Promise<{ reader: Outcome; node: Outcome }> {
    readerLog = [];
    nodeLog = [];
    readerErrors = [];
    nodeErrors = [];
    const [readerAnswers, nodeAnswers] = await Promise.all([
      exchange((reader.address() as AddressInfo).port, chunks),
      exchange((node.address() as AddressInfo).port, chunks),
    ]);
    return {
      reader: { executed: readerLog, answers: readerAnswers, errors: readerErrors },
      node: { executed: nodeLog, answers: nodeAnswers, errors: nodeErrors },
    };
  }

  /** The comparison of the file's comment; returns the reader's outcome. */
  async function expectSame(chunks: Buffer[]): Promise<Outcome> {
    const { reader: fromReader, node: fromNode } = await both(chunks);
    const context = Buffer.concat(chunks).toString('latin1');
    expect({ context, executed: fromReader.executed }).toEqual({ context, executed: fromNode.executed });
    // The first: after it, how many more the rest of the bytes raise depends on how they were cut.
    const ownErrors = (errors: string[]) => errors.filter((code) => !NODE_ONLY_ERRORS.has(code)).slice(0, 1);
    expect({ context, errors: ownErrors(fromReader.errors) }).toEqual({ context, errors: ownErrors(fromNode.errors) });
    if (fromReader.errors.length === 0 && fromNode.errors.length === 0) {
      expect({ context, answers: fromReader.answers }).toEqual({ context, answers: fromNode.answers });
    } else {
      const bodies = new Set(fromReader.executed.map((executed) => JSON.stringify(executed)));
      for (const answer of fromReader.answers) {
        const known = answer.status === 200 ? bodies.has(answer.body) : answer.status === 400 || answer.status === 431;
        expect({ context, answer, known }).toEqual({ context, answer, known: true });
      }
    }
    return fromReader;
  }

  describe('a corpus of the cases that matter', () => {
    const tracker = (extra = '', version = '1.1') =>
      `GET /pk/announce?info_hash=%AA&peer_id=-qB4520-x HTTP/${version}\r\nHost: t\r\n${extra}\r\n`;

    it.each([
      ['plain pipelined tracker requests', tracker() + tracker('User-Agent: qBittorrent/4.5.2\r\n') + tracker()],
      ['HTTP/1.0, with and without keep-alive', tracker('', '1.0') + tracker('Connection: keep-alive\r\n', '1.0')],
      ['Connection: close in the middle', tracker() + tracker('Connection: close\r\n') + tracker()],
      [
        'HTTP/1.0 saying both keep-alive and close',
        tracker('Connection: keep-alive\r\nConnection: close\r\n', '1.0') + tracker(),
      ],
      [
        'an admin request between tracker requests',
        `${tracker()}GET /api/users HTTP/1.1\r\nAuthorization: Bearer a\r\n\r\n${tracker()}`,
      ],
      [
        'a body that holds a tracker request',
        `POST /api/users HTTP/1.1\r\nContent-Length: ${tracker().length}\r\n\r\n${tracker()}${tracker()}`,
      ],
      [
        'a tracker GET whose body holds an admin request without the token',
        `GET /pk/announce HTTP/1.1\r\nContent-Length: 40\r\n\r\nGET /api/users HTTP/1.1\r\nX: 0123456789\r\n\r\n${tracker()}`,
      ],
      [
        'a chunked body that holds requests',
        `POST /api/users HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n${tracker().length.toString(16)}\r\n${tracker()}\r\n0\r\n\r\n${tracker()}`,
      ],
      ['Content-Length: 0 twice', tracker('Content-Length: 0\r\nContent-Length: 0\r\n') + tracker()],
      [
        'Content-Length and Transfer-Encoding',
        tracker('Content-Length: 0\r\nTransfer-Encoding: chunked\r\n') + '0\r\n\r\n' + tracker(),
      ],
      ['Transfer-Encoding: identity', tracker('Transfer-Encoding: identity\r\n') + tracker()],
      ['Content-Length with spaces and signs', tracker('Content-Length: +0\r\n') + tracker('Content-Length:  0 \r\n')],
      ['an obs-folded header', tracker('User-Agent: qBittorrent\r\n /4.5.2\r\n') + tracker()],
      ['an obs-folded X-Forwarded-For', tracker('X-Forwarded-For: 1.2.3.4\r\n\t5.6.7.8\r\n')],
      ['bare LFs', 'GET /pk/announce HTTP/1.1\nHost: t\n\n' + tracker()],
      ['a bare LF after a request', `${tracker()}\nGET /pk/scrape HTTP/1.1\r\n\r\n`],
      ['a bare CR in a value', tracker('User-Agent: a\rb\r\n')],
      ['a NUL in the target', 'GET /pk/announce?x=\0 HTTP/1.1\r\n\r\n'],
      ['a NUL in a value', tracker('User-Agent: a\0b\r\n')],
      ['NBSP and tabs around values', tracker('X-Forwarded-For: \t1.2.3.4\xa0\r\nUser-Agent:\tqB \t\r\n')],
      ['two User-Agents', tracker('User-Agent: qBittorrent/4.5.2\r\nUser-Agent: Transmission/4.0.5\r\n')],
      ['X-Forwarded-For on two lines', tracker('X-Forwarded-For: 1.2.3.4\r\nx-forwarded-for: 10.0.0.1, 10.0.0.2\r\n')],
      ['an absolute-form target', 'GET http://t:6969/pk/announce?x=1 HTTP/1.1\r\n\r\n' + tracker()],
      ['an absolute-form target with odd host characters', 'GET http://t{|}"<>^`\\/pk/announce HTTP/1.1\r\n\r\n'],
      ['a fragment in the target', 'GET /pk/announce?x=1#frag HTTP/1.1\r\n\r\n' + tracker()],
      ['odd target characters', 'GET /pk/announce?x="<>\\^`{|} HTTP/1.1\r\n\r\n' + tracker()],
      ['a lowercase method and extra spaces', 'get /pk/announce HTTP/1.1\r\n\r\nGET  /pk/announce HTTP/1.1\r\n\r\n'],
      ['a space before the colon', tracker('Host : t\r\n')],
      ['leading empty lines', `\r\n\r\n${tracker()}`],
      ['an upgrade', tracker('Connection: Upgrade\r\nUpgrade: websocket\r\n')],
      ['an expectation', tracker('Expect: 100-continue\r\n') + tracker()],
      ['a head one byte under the limit', tracker(`X-Pad: ${'a'.repeat(MAX_HEAD_BYTES - tracker().length - 10)}\r\n`)],
      ['a head over the limit', tracker(`X-Pad: ${'a'.repeat(MAX_HEAD_BYTES)}\r\n`) + tracker()],
      ['a request cut off by the end of input', `${tracker()}GET /pk/announce HTTP/1.1\r\nHost`],
    ])('agrees on %s', async (_, text) => {
      await expectSame([Buffer.from(text, 'latin1')]);
    });

    it('agrees on requests sent a byte at a time', async () => {
      const text = Buffer.from(tracker('X-Forwarded-For: 1.2.3.4\r\n') + tracker(), 'latin1');
      const outcome = await expectSame([...text].map((byte) => Buffer.from([byte])));
      expect(outcome.executed).toHaveLength(2);
    });
  });

  it('agrees on generated heads: pipelines of tracker and admin requests, with every kind of oddity', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(requestText(), { minLength: 1, maxLength: 5 }),
        fc.array(fc.nat(), { maxLength: 4 }),
        async (requests, cuts) => {
          // Ended by a blank line, so that a head is never cut off by the FIN (compared in the corpus instead).
          await expectSame(cutAt(Buffer.from(`${requests.join('')}\r\n\r\n`, 'latin1'), cuts));
        },
      ),
      { numRuns: 500 },
    );
  });
});

/**
 * One request, usually a plausible one, often with one oddity that Node may or may not accept. No HEAD (its answer
 * has a length and no body, which parseAnswers does not follow) and no `Expect: 100-continue` (Node writes its
 * `100 Continue` amid a pipelined answer); the corpus has the latter.
 */
function requestText(): fc.Arbitrary<string> {
  const target = fc.oneof(
    fc.constantFrom(
      '/pk/announce',
      '/pk/scrape',
      '/announce',
      '/api/users',
      '/health',
      '/pk/announce/x',
      '/%41/announce',
    ),
    fc
      .tuple(
        fc.constantFrom('/pk/announce?', 'http://t:1/pk/announce?', 'HTTP://t/pk/scrape?'),
        fc.string({ maxLength: 12 }),
      )
      .map(([path, query]) => path + encodeURIComponent(query)),
    fc
      .tuple(fc.constantFrom('/pk/announce?x=', 'http://'), asciiBytes(6), fc.constantFrom('', '/pk/announce'))
      .map(([a, b, c]) => a + b + c),
  );
  const header = fc.oneof(
    fc.constantFrom(
      'Host: t',
      'User-Agent: qBittorrent/4.5.2',
      'User-Agent: Transmission/4.0.5',
      'X-Forwarded-For: 1.2.3.4',
      'x-forwarded-for: 10.0.0.1, 10.0.0.2',
      'Authorization: Bearer token',
      'Connection: close',
      'Connection: keep-alive',
      'Connection: Upgrade',
      'Content-Length: 0',
      'Content-Length: 5',
      'Content-Length: 00',
      'Transfer-Encoding: chunked',
      ' folded',
      '\tfolded',
      'Bad Name: x',
      'NoColon',
      ':empty-name',
    ),
    fc
      .tuple(fc.constantFrom('User-Agent', 'X-Forwarded-For', 'X-A', 'Content-Length'), asciiBytes(8))
      .map(([name, value]) => `${name}:${value}`),
  );
  const method = fc.oneof(
    { weight: 5, arbitrary: fc.constant('GET') },
    fc.constantFrom('POST', 'get', 'DELETE', 'GET ', 'PUT'),
  );
  const version = fc.oneof(
    { weight: 5, arbitrary: fc.constant('HTTP/1.1') },
    fc.constantFrom('HTTP/1.0', 'HTTP/2.0', 'http/1.1', 'HTTP/1.1 '),
  );
  const lineEnd = fc.oneof({ weight: 10, arbitrary: fc.constant('\r\n') }, fc.constantFrom('\n', '\r', '\r\r\n'));
  const body = fc.oneof(
    { weight: 3, arbitrary: fc.constant('') },
    fc.constantFrom('hello', '0\r\n\r\n', 'GET /pk/announce HTTP/1.1\r\n\r\n'),
  );
  return fc
    .tuple(method, target, version, fc.array(fc.tuple(header, lineEnd), { maxLength: 4 }), lineEnd, body)
    .map(
      ([m, t, v, headers, end, b]) =>
        `${m} ${t} ${v}\r\n${headers.map(([line, eol]) => line + eol).join('')}${end}${b}`,
    );
}

/** Any bytes 0-127, controls included (written so for fast-check 3 and 4 alike). */
function asciiBytes(maxLength: number): fc.Arbitrary<string> {
  return fc.array(fc.integer({ min: 0, max: 127 }), { maxLength }).map((codes) => String.fromCharCode(...codes));
}

/** The bytes cut at these offsets (modulo the length). */
function cutAt(bytes: Buffer, cuts: number[]): Buffer[] {
  const offsets = [...new Set(cuts.map((cut) => cut % bytes.length))].filter((at) => at > 0).sort((a, b) => a - b);
  const pieces: Buffer[] = [];
  let from = 0;
  for (const at of offsets) {
    pieces.push(bytes.subarray(from, at));
    from = at;
  }
  pieces.push(bytes.subarray(from));
  return pieces;
}

function answerTracker(request: TrackerHttpRequest, log: Executed[]): Buffer {
  const executed: Executed = { via: 'tracker', method: 'GET', url: request.url, ip: request.ip };
  if (request.userAgent !== undefined) {
    executed.userAgent = request.userAgent;
  }
  log.push(executed);
  return Buffer.from(JSON.stringify(executed));
}

/** Everything but a tracker GET: read the body, record it with its Authorization, answer at once. */
function other(request: IncomingMessage, response: ServerResponse, log: Executed[]): void {
  const executed: Executed = { via: 'other', method: request.method!, url: request.url! };
  if (request.headers.authorization !== undefined) {
    executed.authorization = request.headers.authorization;
  }
  log.push(executed);
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    executed.body = Buffer.concat(chunks).toString('latin1');
    const body = Buffer.from(JSON.stringify(executed));
    response.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length }).end(body);
  });
}

/** Node's own answer to a bad request (recording its code), except where the file's comment says. */
function clientError(error: NodeJS.ErrnoException, socket: Socket, errors: string[]): void {
  errors.push(error.code ?? error.message);
  if (!socket.writable || NODE_ONLY_ERRORS.has(error.code ?? '')) {
    socket.destroy();
    return;
  }
  const status = error.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`);
}

/** Writes the pieces a poll phase apart, shuts the client's side, and parses every answer until the server closes. */
function exchange(port: number, chunks: Buffer[]): Promise<Answer[]> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    const guard = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no close within 10 s; received ${Buffer.concat(received).toString('latin1')}`));
    }, 10_000);
    socket.on('data', (data: Buffer) => received.push(data));
    socket.on('error', () => undefined); // a reset is a close; what arrived before it is compared
    socket.on('close', () => {
      clearTimeout(guard);
      resolve(parseAnswers(Buffer.concat(received)));
    });
    void (async () => {
      for (const chunk of chunks) {
        if (socket.destroyed) {
          return;
        }
        socket.write(chunk);
        await new Promise((resume) => setImmediate(resume));
      }
      socket.end();
    })();
  });
}

function parseAnswers(bytes: Buffer): Answer[] {
  const answers: Answer[] = [];
  let at = 0;
  for (;;) {
    const headEnd = bytes.indexOf('\r\n\r\n', at);
    if (headEnd === -1) {
      return answers;
    }
    const [statusLine, ...lines] = bytes.toString('latin1', at, headEnd).split('\r\n');
    const headers = new Map(
      lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
    );
    const status = Number(statusLine.split(' ')[1]);
    if (status === 100) {
      at = headEnd + 4;
      continue;
    }
    const length = Number(headers.get('content-length') ?? 0);
    answers.push({
      status,
      connection: headers.get('connection')?.toLowerCase(),
      body: bytes.toString('latin1', headEnd + 4, headEnd + 4 + length),
    });
    at = headEnd + 4 + length;
  }
}
