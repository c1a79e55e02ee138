import type { Socket } from 'node:net';
import { readRequestHead } from 'src/announce/http/request-head.util';
import { trackerRoute } from 'src/announce/protocol/tracker-route.util';
import type { TrackerRequestHandler } from 'src/announce/http/tracker-http-request';

/** What a connection needs from the server that accepted it. */
export interface TrackerConnectionHost {
  /** Set before any connection is read by a TrackerConnection. */
  readonly handler: TrackerRequestHandler;
  /** Shutdown began: answer with `Connection: close`, then close. */
  readonly closing: boolean;
  /** Idle connections are closed after this long, as Node's `keepAliveTimeout`. */
  readonly keepAliveTimeout: number;
  /** A request head still arriving after this long closes its connection, as Node's `headersTimeout`. */
  readonly headersTimeout: number;
  clientAddress(socket: Socket, forwardedFor: string | undefined): string | undefined;
  /** Gives the socket, and the bytes read from it but not answered, to Node's HTTP server for good. */
  handOver(socket: Socket, unread: Buffer | null): void;
  forget(connection: TrackerConnection): void;
}

/** Bytes a client may send ahead of the answer it waits for before its connection stops being read. */
const MAX_UNREAD_BYTES = 64 * 1024;

/**
 * One client connection, answered without Node's HTTP machinery while it sends only plain GETs of tracker paths
 * (request-head.util.ts). The first request of any other kind, an admin call through a reverse proxy's shared
 * connection say, hands the connection to Node's HTTP server, with the bytes not yet answered.
 *
 * Why: for a GET without a body, Node's IncomingMessage and ServerResponse are streams whose lifecycle (dump, end,
 * destroy, finish) takes ~15 scheduled callbacks a request. wrk against a fixed body on this project's 2-core box:
 * 17 µs of server CPU a request through node:http, 11 µs read and answered here. In `npm run bench` (interleaved
 * A/B), the memory store's Node CPU went from 65.8 to 52.2 µs an announce, the Redis store's from 87.0 to 71.7.
 *
 * Requests are answered one at a time and in order; a pipelined request waits in `unread` for the one before it.
 */
export class TrackerConnection {
  /** Bytes received and not yet answered: a chunk as received, or a view of `store` once pieces are joined. */
  private unread: Buffer | null = null;
  /** Where pieces of a request are joined, grown by doubling, so that a head sent in small pieces costs linear time. */
  private store: Buffer | null = null;
  /** Where `unread` starts in `store`; -1 when `unread` is a chunk as received. */
  private storeStart = -1;
  /** How much of `unread` readRequestHead has already found incomplete. */
  private scannedTo = 0;
  /** A request is being answered. */
  private busy = false;
  /** The client does not read its answers: neither read nor answer until 'drain'. */
  private blocked = false;
  /** The client shut down its side: answer what it sent, then close. */
  private ended = false;
  /** performance.now() when the first bytes of the request not yet complete arrived (or the connection opened). */
  private headStartedAt = performance.now();
  /** No request has been read yet: a connection that sends nothing is a head that takes too long, as in Node. */
  private awaitingFirst = true;

  private readonly onData = (chunk: Buffer) => this.received(chunk);
  private readonly onEnd = () => this.clientEnded();
  private readonly onTimeout = () => this.socket.destroy();
  private readonly onError = () => this.socket.destroy();
  private readonly onClose = () => this.host.forget(this);
  private readonly onDrain = () => this.drained();

  constructor(
    readonly socket: Socket,
    private readonly host: TrackerConnectionHost,
  ) {
    socket.setTimeout(host.keepAliveTimeout);
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('timeout', this.onTimeout);
    socket.on('error', this.onError);
    socket.on('close', this.onClose);
  }

  /** No request is being read or answered (what Node's closeIdleConnections closes). */
  get idle(): boolean {
    return !this.busy && !this.blocked && this.unread === null;
  }

  /**
   * Called by the server's timer: a request head still arriving after `headersTimeout` closes the connection,
   * whether or not another byte arrives (a head trickled a byte a minute would otherwise live for ever); so does a new
   * connection that has sent nothing yet, as Node's own check does. Between requests, `keepAliveTimeout` applies.
   */
  checkHeadTimeout(now: number): void {
    const { headersTimeout } = this.host;
    if (
      headersTimeout > 0 &&
      (this.unread !== null || this.awaitingFirst) &&
      !this.busy &&
      !this.blocked &&
      now - this.headStartedAt > headersTimeout
    ) {
      this.socket.destroy();
    }
  }

  private received(chunk: Buffer): void {
    if (!this.unread) {
      this.headStartedAt = performance.now();
      this.unread = chunk;
      this.storeStart = -1;
      this.scannedTo = 0;
    } else {
      this.unread = this.append(this.unread, chunk);
    }
    if (this.busy || this.blocked) {
      if (this.unread.length > MAX_UNREAD_BYTES) {
        this.socket.pause();
      }
      return;
    }
    this.answerNext();
  }

  /** `unread` followed by `chunk`, copied into `store` (grown by doubling), so each byte is copied O(1) times. */
  private append(unread: Buffer, chunk: Buffer): Buffer {
    const length = unread.length + chunk.length;
    const store = this.store;
    if (store !== null && this.storeStart >= 0 && this.storeStart + length <= store.length) {
      chunk.copy(store, this.storeStart + unread.length);
      return store.subarray(this.storeStart, this.storeStart + length);
    }
    const grown = Buffer.allocUnsafeSlow(Math.max(2 * length, 1024));
    unread.copy(grown, 0);
    chunk.copy(grown, unread.length);
    this.store = grown;
    this.storeStart = 0;
    return grown.subarray(0, length);
  }

  private answerNext(): void {
    const unread = this.unread;
    if (!unread || this.socket.destroyed || this.blocked) {
      return;
    }
    const head = readRequestHead(unread, 0, this.scannedTo);
    if (head.kind === 'incomplete') {
      // The server's timer closes a head that takes longer than headersTimeout (checkHeadTimeout).
      this.scannedTo = unread.length;
      return;
    }
    const route = head.kind === 'plain' ? trackerRoute(head.target) : null;
    if (head.kind === 'other' || !route) {
      this.handOver();
      return;
    }
    const startedAt = performance.now();
    this.awaitingFirst = false;
    this.unread = head.end < unread.length ? unread.subarray(head.end) : null;
    this.scannedTo = 0;
    if (this.unread === null) {
      this.store = null;
    } else if (this.storeStart >= 0) {
      this.storeStart += head.end;
    }
    this.headStartedAt = startedAt;
    this.busy = true;
    if (this.socket.isPaused() && (this.unread?.length ?? 0) <= MAX_UNREAD_BYTES) {
      this.socket.resume();
    }
    const request = {
      url: head.target,
      passkey: route.passkey,
      ip: this.host.clientAddress(this.socket, head.forwardedFor),
      userAgent: head.userAgent,
      startedAt,
    };
    this.host.handler.answer(route.action, request).then(
      (body) => this.respond(head.keepAlive, 200, body),
      // The answerer answers refusals itself; only a bug in it gets here.
      () => this.respond(false, 500, EMPTY),
    );
  }

  private respond(keepAlive: boolean, status: 200 | 500, body: Buffer): void {
    this.busy = false;
    if (!this.socket.writable) {
      return; // closed or reset while the answer was being made
    }
    const open = keepAlive && !this.host.closing && !this.ended;
    const flushed = this.socket.write(encodeResponse(status, body, open ? this.host.keepAliveTimeout : 0));
    if (open) {
      // Write backpressure: a client that pipelines non-compact announces and never reads its answers would grow the
      // server's memory without bound (26x amplification, issue 19.3); Node's parser pauses such a socket too.
      if (!flushed) {
        this.block();
      } else {
        this.answerNext();
      }
    } else {
      // As Node's HTTP server: close once the answer is out, without waiting for the client's FIN.
      this.socket.end(() => this.socket.destroy());
    }
  }

  /** Stop reading and answering until the client has read what it was sent. */
  private block(): void {
    this.blocked = true;
    this.socket.pause();
    this.socket.once('drain', this.onDrain);
  }

  private drained(): void {
    this.blocked = false;
    this.headStartedAt = performance.now();
    if ((this.unread?.length ?? 0) <= MAX_UNREAD_BYTES) {
      this.socket.resume();
    }
    this.answerNext();
  }

  private clientEnded(): void {
    this.ended = true;
    // Ending a socket twice costs an error object and its stack trace (~12 µs, a fifth of an announce).
    if (!this.busy && !this.socket.writableEnded) {
      this.socket.end();
    }
  }

  private handOver(): void {
    const { socket } = this;
    socket.off('data', this.onData);
    socket.off('end', this.onEnd);
    socket.off('timeout', this.onTimeout);
    socket.off('error', this.onError);
    socket.off('close', this.onClose);
    socket.off('drain', this.onDrain);
    socket.setTimeout(0);
    this.host.forget(this);
    this.host.handOver(socket, this.unread);
    this.unread = null;
  }
}

const EMPTY = Buffer.alloc(0);
const STATUS_LINES = { 200: 'HTTP/1.1 200 OK', 500: 'HTTP/1.1 500 Internal Server Error' };

/** Status line, headers as Node's HTTP server writes them, and body, in one buffer for one write. */
function encodeResponse(status: 200 | 500, body: Buffer, keepAliveMs: number): Buffer {
  const connection =
    keepAliveMs > 0
      ? `Connection: keep-alive\r\nKeep-Alive: timeout=${Math.floor(keepAliveMs / 1000)}`
      : 'Connection: close';
  const head =
    `${STATUS_LINES[status]}\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\n` +
    `Date: ${httpDate()}\r\n${connection}\r\n\r\n`;
  const response = Buffer.allocUnsafe(head.length + body.length);
  response.write(head, 0, 'latin1');
  body.copy(response, head.length);
  return response;
}

let dateSecond = 0;
let dateText = '';

/** The Date header, formatted once a second. */
function httpDate(): string {
  const now = Date.now();
  const second = Math.floor(now / 1000);
  if (second !== dateSecond) {
    dateSecond = second;
    dateText = new Date(now).toUTCString();
  }
  return dateText;
}
