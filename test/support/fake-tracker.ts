import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bencode, type BencodeValue } from 'src/bencode/bencode.util';

/** One announce as the stand-in tracker understood it. */
export interface FakeAnnounce {
  passkey: string;
  infoHash: string;
  peerId: string;
  event: string;
  ip: string;
  port: number;
  uploaded: number;
  downloaded: number;
  left: number;
  userAgent: string;
}

interface FakePeer {
  userId: number;
  ip: string;
  port: number;
  left: number;
  uploaded: number;
  downloaded: number;
}

interface FakeUser {
  passkey: string;
  uploaded: number;
  downloaded: number;
}

interface FakeTorrent {
  completed: number;
  snatchedBy: Map<number, string>;
  peers: Map<string, FakePeer>;
}

export interface FakeTracker {
  baseUrl: string;
  port: number;
  adminToken: string;
  /** Every announce received, in order, including failed ones (with the passkey as sent). */
  announces: FakeAnnounce[];
  stop(): Promise<void>;
  logs(): string;
}

/**
 * A stand-in for the real tracker, in process: the announce contract (passkey in the path, byte-wise info_hash
 * decoding, compact peers, events) and just enough of the admin API for the real-client test. It lets the client
 * harness be debugged on its own and serves as a comparison when the real tracker misbehaves.
 */
export async function startFakeTracker(host = '127.0.0.1'): Promise<FakeTracker> {
  const adminToken = randomBytes(16).toString('hex');
  const users = new Map<number, FakeUser>();
  const passkeys = new Map<string, number>();
  const torrents = new Map<string, FakeTorrent>();
  const announces: FakeAnnounce[] = [];
  const log: string[] = [];

  const swarmSide = (torrent: FakeTorrent, seeding: boolean) => {
    const ids = [...torrent.peers.values()].filter((p) => (p.left === 0) === seeding).map((p) => p.userId);
    return { count: ids.length, users: [...new Set(ids)] };
  };
  const torrentJson = (infoHash: string, torrent: FakeTorrent) => ({
    infoHash,
    completed: torrent.completed,
    seeders: swarmSide(torrent, true),
    leechers: swarmSide(torrent, false),
  });

  const announce = (req: IncomingMessage, passkey: string, rawQuery: string): BencodeValue => {
    const query = parseRawQuery(rawQuery);
    const infoHash = query.get('info_hash');
    const peerId = query.get('peer_id');
    const entry: FakeAnnounce = {
      passkey,
      infoHash: infoHash?.toString('hex') ?? '',
      peerId: peerId?.toString('hex') ?? '',
      event: query.get('event')?.toString('latin1') ?? '',
      ip: (req.socket.remoteAddress ?? '').replace(/^::ffff:/, ''),
      port: Number(query.get('port')?.toString('latin1')),
      uploaded: Number(query.get('uploaded')?.toString('latin1')),
      downloaded: Number(query.get('downloaded')?.toString('latin1')),
      left: Number(query.get('left')?.toString('latin1')),
      userAgent: req.headers['user-agent'] ?? '',
    };
    announces.push(entry);
    const userId = passkeys.get(passkey);
    const torrent = torrents.get(entry.infoHash);
    if (userId === undefined) {
      return { 'failure reason': Buffer.from('Unknown passkey.'), interval: 60 };
    }
    if (infoHash?.length !== 20 || peerId?.length !== 20 || !Number.isInteger(entry.port)) {
      return { 'failure reason': Buffer.from('Malformed announce.'), interval: 60 };
    }
    if (torrent === undefined) {
      return { 'failure reason': Buffer.from('Unregistered torrent.'), interval: 60 };
    }
    const key = `${userId}:${entry.peerId}`;
    const previous = torrent.peers.get(key);
    const user = users.get(userId);
    // Running totals: credit the growth since the peer's last announce; `started` only sets the baseline.
    if (previous && user && entry.event !== 'started') {
      user.uploaded += Math.max(0, entry.uploaded - previous.uploaded);
      user.downloaded += Math.max(0, entry.downloaded - previous.downloaded);
    }
    if (entry.event === 'stopped') {
      torrent.peers.delete(key);
    } else {
      const { ip, port, left, uploaded, downloaded } = entry;
      torrent.peers.set(key, { userId, ip, port, left, uploaded, downloaded });
    }
    if (entry.event === 'completed' && !torrent.snatchedBy.has(userId)) {
      torrent.snatchedBy.set(userId, new Date().toISOString());
      torrent.completed++;
    }
    const seeding = entry.left === 0;
    const others = entry.event === 'stopped' ? [] : [...torrent.peers.entries()].filter(([k]) => k !== key);
    const compact = others
      .map(([, p]) => p)
      .filter((p) => !seeding || p.left > 0)
      .filter((p) => /^\d+\.\d+\.\d+\.\d+$/.test(p.ip))
      .map((p) => Buffer.from([...p.ip.split('.').map(Number), p.port >> 8, p.port & 0xff]));
    const side = torrentJson(entry.infoHash, torrent);
    return {
      interval: 30,
      'min interval': 5,
      complete: side.seeders.count,
      incomplete: side.leechers.count,
      downloaded: torrent.completed,
      peers: Buffer.concat(compact),
    };
  };

  const admin = async (req: IncomingMessage, path: string): Promise<[number, unknown]> => {
    if (req.headers.authorization !== `Bearer ${adminToken}`) {
      return [401, { message: 'Unauthorized' }];
    }
    const body = req.method === 'POST' ? (JSON.parse((await readBody(req)).toString('utf8') || '{}') as never) : {};
    let m: RegExpMatchArray | null;
    if (req.method === 'POST' && path === '/api/users') {
      const { id, passkey = randomPasskey() } = body as { id: number; passkey?: string };
      users.set(id, { passkey, uploaded: 0, downloaded: 0 });
      passkeys.set(passkey, id);
      return [201, { id, passkey, enabled: true, canLeech: true }];
    }
    if (req.method === 'POST' && path === '/api/torrents') {
      const infoHash = (body as { infoHash: string }).infoHash.toLowerCase();
      const torrent: FakeTorrent = { completed: 0, snatchedBy: new Map(), peers: new Map() };
      torrents.set(infoHash, torrent);
      return [201, torrentJson(infoHash, torrent)];
    }
    if (req.method === 'GET' && (m = /^\/api\/torrents\/([0-9a-fA-F]{40})$/.exec(path))) {
      const torrent = torrents.get(m[1].toLowerCase());
      return torrent ? [200, torrentJson(m[1].toLowerCase(), torrent)] : [404, { message: 'Not Found' }];
    }
    if (req.method === 'GET' && (m = /^\/api\/users\/(\d+)$/.exec(path))) {
      const user = users.get(Number(m[1]));
      return user ? [200, { id: Number(m[1]), ...user }] : [404, { message: 'Not Found' }];
    }
    if (req.method === 'GET' && (m = /^\/api\/users\/(\d+)\/torrents$/.exec(path))) {
      const id = Number(m[1]);
      const history = [...torrents.entries()]
        .filter(([, t]) => t.snatchedBy.has(id) || [...t.peers.values()].some((p) => p.userId === id))
        .map(([infoHash, t]) => ({ infoHash, completedAt: t.snatchedBy.get(id) ?? null }));
      return [200, history];
    }
    return [404, { message: 'Not Found' }];
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    log.push(`${req.method} ${path} from ${req.socket.remoteAddress}`);
    const announceMatch = /^\/([0-9A-Za-z]{32})\/announce$/.exec(path);
    if (req.method === 'GET' && announceMatch) {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(bencode(announce(req, announceMatch[1], q < 0 ? '' : url.slice(q + 1))));
      return;
    }
    const [status, json] =
      path === '/health' ? [200, { status: 'ok' }] : path.startsWith('/api/') ? await admin(req, path) : [404, {}];
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(json));
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log.push(`error: ${String(error)}`);
      res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    baseUrl: `http://${host}:${port}`,
    port,
    adminToken,
    announces,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
    logs: () => log.join('\n'),
  };
}

function randomPasskey(): string {
  const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  return [...randomBytes(32)].map((b) => alphabet[b % alphabet.length]).join('');
}

/** Decodes `a=b&c=d` byte by byte: `%XX` is one byte, anything else its latin1 byte (never UTF-8). */
function parseRawQuery(raw: string): Map<string, Buffer> {
  const result = new Map<string, Buffer>();
  for (const pair of raw.split('&')) {
    const eq = pair.indexOf('=');
    if (eq > 0) {
      result.set(pair.slice(0, eq), percentDecode(pair.slice(eq + 1)));
    }
  }
  return result;
}

function percentDecode(text: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const hex = text[i] === '%' ? text.slice(i + 1, i + 3) : '';
    if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(text[i] === '+' ? 0x20 : text.charCodeAt(i) & 0xff);
    }
  }
  return Buffer.from(bytes);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
