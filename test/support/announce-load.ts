import { randomBytes, randomInt } from 'node:crypto';
import { Agent, request } from 'node:http';
import type { AdminClient } from 'test/support/admin-client';
import { announceUrl, peerId } from 'test/support/announce-url';
import { Answer } from 'test/support/bencode-answer';
import { sleep } from 'test/support/wait-for';

/**
 * Announce load for the loss tests: many peers announcing growing running totals over keep-alive connections,
 * with a record of what the tracker acknowledged, so that the credited totals can be checked against it.
 *
 * What an announce came to:
 * - `acked`: a bencoded success answer. Its totals were applied.
 * - `failed`: a bencoded `failure reason`. CONTRACT §2: a failed announce changes nothing.
 * - `closing`: Fastify's 503 while the server closes; answered before any handler ran, so not applied.
 * - `refused`: the connection could not be opened; never sent.
 * - `unknown`: sent, but no answer (reset, hang-up, timeout, anything else): it may or may not have been applied.
 *
 * Clients send running totals, so whatever was applied telescopes: a peer's credit is the totals of its last
 * applied announce minus its baseline. That is at least the last acked totals and at most those of the last
 * `unknown` announce sent after it (totals only grow).
 */
export type Outcome = 'acked' | 'failed' | 'closing' | 'refused' | 'unknown';

export interface Totals {
  uploaded: number;
  downloaded: number;
}

export interface LoadUser {
  id: number;
  passkey: string;
  uploadMultiplier: number;
}

export interface LoadPeer {
  user: LoadUser;
  infoHash: Buffer;
  peerId: Buffer;
  port: number;
  seeder: boolean;
  /** Totals of the last announce sent (the next one adds to them). */
  sent: Totals;
  /** Totals of the baseline announce (its first, acked, event=started); null before it. */
  baseline: Totals | null;
  /** Totals of the last acked announce. */
  lastAcked: Totals | null;
  /** Totals of the last `unknown` announce sent after lastAcked, if any. */
  unknownAfterAck: Totals | null;
}

export interface LoadFixture {
  users: LoadUser[];
  /** 40 hex, lowercase. */
  infoHashes: string[];
  peers: LoadPeer[];
}

export interface FixtureOptions {
  users: number;
  torrents: number;
  /** User ids are firstUserId, firstUserId + 1, ... */
  firstUserId?: number;
  /** uploadMultiplier of the first user (the others have 1), to check that credit scaling survives. */
  firstUserUploadMultiplier?: number;
}

/**
 * Registers users and torrents through the admin API and makes one peer per (user, torrent), with a fixed peer_id,
 * random starting totals (so that crediting a baseline would show), about a third of them seeders.
 */
export async function registerFixture(admin: AdminClient, options: FixtureOptions): Promise<LoadFixture> {
  const firstUserId = options.firstUserId ?? 1;
  const users: LoadUser[] = [];
  for (let i = 0; i < options.users; i++) {
    const uploadMultiplier = i === 0 ? (options.firstUserUploadMultiplier ?? 1) : 1;
    const created = await admin.createUser({ id: firstUserId + i, uploadMultiplier });
    users.push({ id: created.id, passkey: created.passkey, uploadMultiplier });
  }
  const hashes: Buffer[] = [];
  for (let i = 0; i < options.torrents; i++) {
    const infoHash = randomBytes(20);
    await admin.createTorrent({ infoHash: infoHash.toString('hex') });
    hashes.push(infoHash);
  }
  const peers: LoadPeer[] = [];
  for (const user of users) {
    for (const infoHash of hashes) {
      peers.push({
        user,
        infoHash,
        peerId: peerId(),
        port: randomInt(20000, 60000),
        seeder: randomInt(3) === 0,
        sent: { uploaded: randomInt(0, 2 ** 30), downloaded: randomInt(0, 2 ** 30) },
        baseline: null,
        lastAcked: null,
        unknownAfterAck: null,
      });
    }
  }
  return { users, infoHashes: hashes.map((h) => h.toString('hex')), peers };
}

export interface LoadOptions {
  /** Announcers running at once; each owns a fixed share of the peers, so a peer never has two in flight. */
  concurrency: number;
  /** Per-request bound; a request that hits it is `unknown`. */
  requestTimeoutMs?: number;
  /** Largest per-announce growth of each total, in bytes. */
  maxStep?: number;
}

export type OutcomeCounts = Record<Outcome, number>;

interface AnnounceResult {
  outcome: Outcome;
  detail?: string;
}

const FASTIFY_CLOSING_BODY = '{"error":"Service Unavailable","message":"Service Unavailable","statusCode":503}';

/** Drives announces for a fixture's peers against one tracker URL at a time (set again after a restart). */
export class AnnounceLoad {
  readonly counts: OutcomeCounts = { acked: 0, failed: 0, closing: 0, refused: 0, unknown: 0 };
  /** Raw bytes of every acked delta, summed: what the tracker acknowledged. */
  readonly ackedBytes: Totals = { uploaded: 0, downloaded: 0 };
  /** A few failure reasons and unknown errors, for diagnostics. */
  readonly samples: string[] = [];
  private agent: Agent | null = null;
  private workers: Promise<void>[] = [];
  private running = false;
  private inFlightNow = 0;

  constructor(
    private readonly peers: LoadPeer[],
    private baseUrl: string,
    private readonly options: LoadOptions,
  ) {}

  /** Points the load at another tracker (a restart lands on a new port). Only while stopped. */
  retarget(baseUrl: string): void {
    if (this.running) {
      throw new Error('retarget() while the load runs');
    }
    this.baseUrl = baseUrl;
  }

  get inFlight(): number {
    return this.inFlightNow;
  }

  get sent(): number {
    return Object.values(this.counts).reduce((sum, n) => sum + n, 0) - this.counts.refused;
  }

  /** Every peer's first announce (event=started), which only sets its baseline; each must be acked. */
  async baseline(): Promise<void> {
    this.openAgent();
    try {
      await this.runWorkers(async (peer) => {
        const result = await this.announce(peer, 'started');
        if (result.outcome !== 'acked') {
          throw new Error(`baseline announce was ${result.outcome}: ${result.detail ?? ''}`);
        }
      });
    } finally {
      this.closeAgent();
    }
  }

  /** One more regular announce per peer, each of which must be acked: afterwards every peer ends on an acked one. */
  async sweep(): Promise<void> {
    this.openAgent();
    try {
      await this.runWorkers(async (peer) => {
        const result = await this.announce(peer);
        if (result.outcome !== 'acked') {
          throw new Error(`sweep announce was ${result.outcome}: ${result.detail ?? ''}`);
        }
      });
    } finally {
      this.closeAgent();
    }
  }

  /** Starts the announcers; they loop over their peers until stop(). */
  start(): void {
    if (this.running) {
      throw new Error('the load is already running');
    }
    this.running = true;
    this.openAgent();
    const width = this.options.concurrency;
    this.workers = [];
    for (let w = 0; w < width; w++) {
      const own = this.peers.filter((_, i) => i % width === w);
      this.workers.push(
        (async () => {
          for (let round = 0; this.running; round++) {
            const result = await this.announce(own[round % own.length]);
            if (result.outcome === 'refused' || result.outcome === 'closing') {
              await sleep(20); // the tracker is down: do not spin
            }
          }
        })(),
      );
    }
  }

  /** Stops the announcers and waits until none is in flight. */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.workers);
    this.workers = [];
    this.closeAgent();
  }

  /** What each user must have been credited, from what was acked and what got no answer. */
  expectations(): Map<number, UserExpectation> {
    const byUser = new Map<number, UserExpectation>();
    for (const peer of this.peers) {
      if (!peer.baseline || !peer.lastAcked) {
        throw new Error(`peer of user ${peer.user.id} never got its baseline acked`);
      }
      const expected = byUser.get(peer.user.id) ?? {
        userId: peer.user.id,
        uploadMultiplier: peer.user.uploadMultiplier,
        rawUploaded: { min: 0, max: 0 },
        rawDownloaded: { min: 0, max: 0 },
        peersWithUnknown: 0,
      };
      const upper = peer.unknownAfterAck ?? peer.lastAcked;
      expected.rawUploaded.min += peer.lastAcked.uploaded - peer.baseline.uploaded;
      expected.rawUploaded.max += upper.uploaded - peer.baseline.uploaded;
      expected.rawDownloaded.min += peer.lastAcked.downloaded - peer.baseline.downloaded;
      expected.rawDownloaded.max += upper.downloaded - peer.baseline.downloaded;
      if (peer.unknownAfterAck) {
        expected.peersWithUnknown++;
      }
      byUser.set(peer.user.id, expected);
    }
    return byUser;
  }

  private async runWorkers(task: (peer: LoadPeer) => Promise<void>): Promise<void> {
    const width = this.options.concurrency;
    await Promise.all(
      Array.from({ length: width }, async (_, w) => {
        for (let i = w; i < this.peers.length; i += width) {
          await task(this.peers[i]);
        }
      }),
    );
  }

  private async announce(peer: LoadPeer, event?: 'started'): Promise<AnnounceResult> {
    const maxStep = this.options.maxStep ?? 2 ** 20;
    const totals: Totals =
      event === 'started'
        ? { ...peer.sent }
        : {
            uploaded: peer.sent.uploaded + randomInt(1, maxStep),
            downloaded: peer.sent.downloaded + randomInt(maxStep),
          };
    peer.sent = totals;
    const path = announceUrl(peer.user.passkey, {
      infoHash: peer.infoHash,
      peerId: peer.peerId,
      port: peer.port,
      uploaded: totals.uploaded,
      downloaded: totals.downloaded,
      left: peer.seeder ? 0 : 2 ** 32,
      event,
      numwant: 10,
    });
    this.inFlightNow++;
    let result: AnnounceResult;
    try {
      result = await this.get(path);
    } finally {
      this.inFlightNow--;
    }
    this.counts[result.outcome]++;
    if ((result.outcome === 'failed' || result.outcome === 'unknown') && this.samples.length < 20) {
      this.samples.push(`${result.outcome}: ${result.detail ?? ''}`);
    }
    if (result.outcome === 'acked') {
      if (event === 'started') {
        peer.baseline = totals;
      } else if (peer.lastAcked) {
        this.ackedBytes.uploaded += totals.uploaded - peer.lastAcked.uploaded;
        this.ackedBytes.downloaded += totals.downloaded - peer.lastAcked.downloaded;
      }
      peer.lastAcked = totals;
      peer.unknownAfterAck = null;
    } else if (result.outcome === 'unknown') {
      peer.unknownAfterAck = totals;
    }
    return result;
  }

  private get(path: string): Promise<AnnounceResult> {
    const url = new URL(path, this.baseUrl);
    return new Promise((resolve) => {
      let connected = false;
      const req = request(
        url,
        { agent: this.agent ?? undefined, timeout: this.options.requestTimeoutMs ?? 15_000 },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', (error) => resolve({ outcome: 'unknown', detail: `response: ${error.message}` }));
          res.on('end', () => {
            const body = Buffer.concat(chunks);
            if (res.statusCode === 503 && body.toString() === FASTIFY_CLOSING_BODY) {
              resolve({ outcome: 'closing' });
              return;
            }
            if (res.statusCode !== 200) {
              resolve({ outcome: 'unknown', detail: `HTTP ${res.statusCode}: ${body.toString().slice(0, 200)}` });
              return;
            }
            try {
              const failure = new Answer(body).failure;
              resolve(failure === undefined ? { outcome: 'acked' } : { outcome: 'failed', detail: failure });
            } catch (error) {
              resolve({ outcome: 'unknown', detail: `undecodable answer: ${(error as Error).message}` });
            }
          });
        },
      );
      req.on('socket', (socket) => {
        if (socket.connecting) {
          socket.once('connect', () => {
            connected = true;
          });
        } else {
          // A reused keep-alive connection: it connected long ago, and a listener here would never fire nor go.
          connected = true;
        }
      });
      req.on('timeout', () => req.destroy(new Error('request timed out')));
      req.on('error', (error: NodeJS.ErrnoException) => {
        // Nothing was written before the connection opened: the tracker never saw this request.
        resolve(
          !connected && error.code === 'ECONNREFUSED'
            ? { outcome: 'refused' }
            : { outcome: 'unknown', detail: `${error.code ?? ''} ${error.message}` },
        );
      });
      req.end();
    });
  }

  private openAgent(): void {
    this.agent = new Agent({ keepAlive: true, maxSockets: this.options.concurrency });
  }

  private closeAgent(): void {
    this.agent?.destroy();
    this.agent = null;
  }
}

export interface UserExpectation {
  userId: number;
  uploadMultiplier: number;
  /** Raw bytes the user must have been credited: exactly `min` when min = max. */
  rawUploaded: { min: number; max: number };
  rawDownloaded: { min: number; max: number };
  /** Peers whose last announce got no answer. */
  peersWithUnknown: number;
}

export interface CreditedTotals {
  uploaded: number;
  downloaded: number;
  rawUploaded: number;
  rawDownloaded: number;
}

/**
 * Compares what the database holds with the expectations; returns one line per discrepancy (none: all good).
 * Raw totals within [acked, acked + unknown] (exact when there is no unknown); credited = raw × multiplier
 * (multipliers are whole numbers here, so that holds exactly whatever the split into announces).
 */
export function creditProblems(actual: Map<number, CreditedTotals>, expected: Map<number, UserExpectation>): string[] {
  const problems: string[] = [];
  for (const [userId, want] of expected) {
    const got = actual.get(userId);
    if (!got) {
      problems.push(`user ${userId}: missing from the database`);
      continue;
    }
    const check = (name: string, value: number, range: { min: number; max: number }) => {
      if (value < range.min || value > range.max) {
        const wanted = range.min === range.max ? `${range.min}` : `${range.min}..${range.max}`;
        const off = value < range.min ? `lost ${range.min - value}` : `doubled ${value - range.max}`;
        problems.push(`user ${userId}: ${name} ${value}, expected ${wanted} (${off})`);
      }
    };
    check('rawUploaded', got.rawUploaded, want.rawUploaded);
    check('rawDownloaded', got.rawDownloaded, want.rawDownloaded);
    if (got.uploaded !== got.rawUploaded * want.uploadMultiplier) {
      problems.push(
        `user ${userId}: uploaded ${got.uploaded} ≠ rawUploaded ${got.rawUploaded} × ${want.uploadMultiplier}`,
      );
    }
    if (got.downloaded !== got.rawDownloaded) {
      problems.push(`user ${userId}: downloaded ${got.downloaded} ≠ rawDownloaded ${got.rawDownloaded}`);
    }
  }
  return problems;
}

/** Sums of the expectations, for the report. */
export function expectedSums(expected: Map<number, UserExpectation>): { min: Totals; max: Totals; unknown: number } {
  const sums = { min: { uploaded: 0, downloaded: 0 }, max: { uploaded: 0, downloaded: 0 }, unknown: 0 };
  for (const e of expected.values()) {
    sums.min.uploaded += e.rawUploaded.min;
    sums.min.downloaded += e.rawDownloaded.min;
    sums.max.uploaded += e.rawUploaded.max;
    sums.max.downloaded += e.rawDownloaded.max;
    sums.unknown += e.peersWithUnknown;
  }
  return sums;
}
