import { randomBytes } from 'node:crypto';
import { Clock } from 'src/common/clock';
import { announceUrl, peerId } from 'test/support/announce-url';
import { Answer } from 'test/support/bencode-answer';
import type { TestApp } from 'test/support/test-app';
import { waitFor } from 'test/support/wait-for';

/** The test clock: every instance's Clock answers `clock.now`, which a test moves by hand. */
export class TestClock {
  now = Date.parse('2031-03-01T12:00:00.000Z');

  control(app: TestApp): void {
    jest.spyOn(app.app.get(Clock), 'now').mockImplementation(() => this.now);
  }

  iso(offsetMs = 0): string {
    return new Date(this.now + offsetMs).toISOString();
  }
}

export interface Credited {
  uploaded: number;
  downloaded: number;
  rawUploaded: number;
  rawDownloaded: number;
}

let nextUserId = 1;

/** Users and torrents of a test, with one peer per (user, torrent) that announces running totals. */
export class PromotionFixture {
  private readonly totals = new Map<string, { peerId: Buffer; uploaded: number; downloaded: number }>();

  constructor(private readonly t: TestApp) {}

  async user(fields: Record<string, unknown> = {}): Promise<{ id: number; passkey: string }> {
    const { status, body } = await this.t.api('POST', '/api/users', { id: nextUserId++, ...fields });
    expect(status).toBe(201);
    return body;
  }

  async torrent(fields: Record<string, unknown> = {}): Promise<string> {
    const infoHash = randomBytes(20).toString('hex');
    expect((await this.t.api('POST', '/api/torrents', { infoHash, ...fields })).status).toBe(201);
    return infoHash;
  }

  async promote(body: Record<string, unknown>): Promise<{ id: number; [key: string]: unknown }> {
    const { status, body: created } = await this.t.api('POST', '/api/promotions', body);
    expect({ status, created }).toMatchObject({ status: 201 });
    return created;
  }

  /** Sets the baseline of the pair's peer (nothing credited). */
  async join(user: { passkey: string }, infoHash: string, on: TestApp = this.t): Promise<void> {
    const key = `${user.passkey}:${infoHash}`;
    const peer = { peerId: peerId(), uploaded: 0, downloaded: 0 };
    this.totals.set(key, peer);
    await this.announce(on, user.passkey, infoHash, peer);
  }

  /** Moves `uploaded`/`downloaded` raw bytes on the pair (joined before), answered without failure. */
  async transfer(
    user: { passkey: string },
    infoHash: string,
    uploaded: number,
    downloaded: number,
    on: TestApp = this.t,
  ): Promise<void> {
    const peer = this.totals.get(`${user.passkey}:${infoHash}`)!;
    peer.uploaded += uploaded;
    peer.downloaded += downloaded;
    await this.announce(on, user.passkey, infoHash, peer);
  }

  /** The failure reason of an announce of the pair, if any. */
  async failure(user: { passkey: string }, infoHash: string): Promise<string | undefined> {
    const url = announceUrl(user.passkey, { infoHash: Buffer.from(infoHash, 'hex'), peerId: peerId(), left: 1 });
    return new Answer((await this.t.get(url)).body).failure;
  }

  /** The user's totals once the flush has written `rawUploaded` raw upload bytes in all. */
  async flushed(userId: number, rawUploaded: number): Promise<Credited> {
    return waitFor(
      async () => {
        const { body } = await this.t.api('GET', `/api/users/${userId}`);
        return body.rawUploaded >= rawUploaded ? pick(body) : undefined;
      },
      { description: `user ${userId} flushed`, timeoutMs: 5000, intervalMs: 50 },
    );
  }

  async history(userId: number, infoHash: string): Promise<Credited> {
    const rows = (await this.t.api('GET', `/api/users/${userId}/torrents`)).body as (Credited & { infoHash: string })[];
    return pick(rows.find((row) => row.infoHash === infoHash)!);
  }

  private async announce(
    on: TestApp,
    passkey: string,
    infoHash: string,
    peer: { peerId: Buffer; uploaded: number; downloaded: number },
  ): Promise<void> {
    const url = announceUrl(passkey, {
      infoHash: Buffer.from(infoHash, 'hex'),
      peerId: peer.peerId,
      uploaded: peer.uploaded,
      downloaded: peer.downloaded,
      left: 1 << 30,
    });
    expect(new Answer((await on.get(url)).body).failure).toBeUndefined();
  }
}

function pick(row: Credited): Credited {
  return {
    uploaded: row.uploaded,
    downloaded: row.downloaded,
    rawUploaded: row.rawUploaded,
    rawDownloaded: row.rawDownloaded,
  };
}
