import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { LedgerRepository } from 'src/storage/repositories/ledger.repository';
import { announceUrl, peerId, type AnnounceParams } from 'test/support/announce-url';
import { Answer } from 'test/support/bencode-answer';
import { PEER_STORE_ENVS, stopTestCluster, testCluster } from 'test/support/peer-store-envs';
import { createTestApp, type TestApp } from 'test/support/test-app';
import { sleep, waitFor } from 'test/support/wait-for';

afterAll(async () => {
  await stopTestCluster();
}, 30_000);

describe.each(PEER_STORE_ENVS)('accounting on the $name peer store (CONTRACT §4)', (store) => {
  let t: TestApp;
  let nextUserId = 1;

  beforeAll(async () => {
    if (store.name === 'redis cluster') {
      await testCluster();
    }
    t = await createTestApp({ ...store.env(), FLUSH_INTERVAL_MS: '100', PEER_TTL: '60' });
  }, 60_000);

  afterAll(async () => {
    await t.close();
  });

  async function setup(user: Record<string, unknown> = {}, torrent: Record<string, unknown> = {}) {
    const created = (await t.api('POST', '/api/users', { id: nextUserId++, ...user })).body as {
      id: number;
      passkey: string;
    };
    const infoHash = randomBytes(20);
    await t.api('POST', '/api/torrents', { infoHash: infoHash.toString('hex'), ...torrent });
    const id = peerId();
    const announce = async (params: Partial<AnnounceParams>, ip = '127.0.0.1') => {
      const answer = new Answer(
        (await t.get(announceUrl(created.passkey, { infoHash, peerId: id, ...params }), ip)).body,
      );
      expect(answer.failure).toBeUndefined();
      return answer;
    };
    return { userId: created.id, infoHash: infoHash.toString('hex'), announce };
  }

  /** Waits (bounded) until the flusher has written what the probe expects. */
  async function userWhen(userId: number, ready: (user: any) => boolean) {
    return waitFor(
      async () => {
        const { body } = await t.api('GET', `/api/users/${userId}`);
        return ready(body) ? body : undefined;
      },
      { description: `user ${userId} to be flushed`, timeoutMs: 5000, intervalMs: 50 },
    );
  }

  async function historyOf(userId: number, infoHash: string) {
    return ((await t.api('GET', `/api/users/${userId}/torrents`)).body as any[]).find(
      (row) => row.infoHash === infoHash,
    );
  }

  it('credits nothing on the first announce, then the differences of the running totals', async () => {
    const { userId, announce } = await setup();
    await announce({ uploaded: 1000, downloaded: 500, left: 10, event: 'started' });
    await announce({ uploaded: 1600, downloaded: 900, left: 10 });
    const user = await userWhen(userId, (u) => u.uploaded > 0);
    expect(user).toMatchObject({ uploaded: 600, downloaded: 400, rawUploaded: 600, rawDownloaded: 400 });
  });

  it('applies user × torrent multipliers, rounding down, and keeps the raw totals', async () => {
    const { userId, announce } = await setup(
      { uploadMultiplier: 1.5, downloadMultiplier: 0.5 },
      { uploadMultiplier: 2, downloadMultiplier: 0.3 },
    );
    await announce({ uploaded: 0, downloaded: 0, left: 10 });
    await announce({ uploaded: 333, downloaded: 101, left: 10 });
    const user = await userWhen(userId, (u) => u.rawUploaded > 0);
    // 333 × 3 = 999; 101 × 0.15 = 15.15 → 15
    expect(user).toMatchObject({ uploaded: 999, downloaded: 15, rawUploaded: 333, rawDownloaded: 101 });
  });

  it('credits no download on a freeleech torrent, upload as usual', async () => {
    const { userId, announce } = await setup({}, { freeleech: true });
    await announce({ left: 10 });
    await announce({ uploaded: 70, downloaded: 4000, left: 10 });
    const user = await userWhen(userId, (u) => u.rawDownloaded > 0);
    expect(user).toMatchObject({ uploaded: 70, downloaded: 0, rawUploaded: 70, rawDownloaded: 4000 });
  });

  it('re-baselines without credit when a total goes down, and on started', async () => {
    const { userId, announce } = await setup();
    await announce({ uploaded: 1000, downloaded: 1000, left: 10 });
    await announce({ uploaded: 10, downloaded: 2000, left: 10 }); // upload went down: nothing, new baseline
    await announce({ uploaded: 30, downloaded: 2005, left: 10 }); // +20 / +5
    await announce({ uploaded: 9999, downloaded: 9999, left: 10, event: 'started' }); // baseline only
    await announce({ uploaded: 10000, downloaded: 10000, left: 10 }); // +1 / +1
    const user = await userWhen(userId, (u) => u.rawUploaded >= 21);
    expect(user).toMatchObject({ rawUploaded: 21, rawDownloaded: 6 });
  });

  it('credits a stopped announce, then forgets the peer', async () => {
    const { userId, infoHash, announce } = await setup();
    await announce({ uploaded: 0, left: 10 });
    await announce({ uploaded: 50, left: 10, event: 'stopped' });
    await userWhen(userId, (u) => u.rawUploaded === 50);
    expect((await t.api('GET', `/api/torrents/${infoHash}`)).body.leechers.count).toBe(0);
    // A new session starts from a new baseline: its first totals are not credited.
    await announce({ uploaded: 80, left: 10 });
    await announce({ uploaded: 90, left: 10 });
    expect((await userWhen(userId, (u) => u.rawUploaded > 50)).rawUploaded).toBe(60);
  });

  it('keeps totals exact near 2^53', async () => {
    const { userId, announce } = await setup();
    const big = 2 ** 53 - 1000;
    await announce({ uploaded: big, left: 10 });
    await announce({ uploaded: big + 999, left: 10 });
    expect((await userWhen(userId, (u) => u.rawUploaded > 0)).rawUploaded).toBe(999);
  });

  it('counts a snatch once per user and torrent, and answers it as downloaded', async () => {
    const { userId, infoHash, announce } = await setup();
    await announce({ left: 10, event: 'started' });
    await announce({ downloaded: 10, left: 0, event: 'completed' });
    await announce({ downloaded: 10, left: 0, event: 'completed' });
    const torrent = await waitFor(
      async () => {
        const { body } = await t.api('GET', `/api/torrents/${infoHash}`);
        return body.completed > 0 ? body : undefined;
      },
      { description: 'the snatch to be flushed', timeoutMs: 5000, intervalMs: 50 },
    );
    await sleep(300);
    expect((await t.api('GET', `/api/torrents/${infoHash}`)).body.completed).toBe(1);
    expect(torrent.seeders).toEqual({ count: 1, users: [userId] });
    const history = await historyOf(userId, infoHash);
    expect(Date.parse(history.completedAt)).toBeGreaterThan(Date.now() - 60_000);
    expect((await announce({ downloaded: 10, left: 0 })).int('downloaded')).toBe(1);
  });

  it("records history: totals, times, activity, seed time, and the user's last IP", async () => {
    const { userId, infoHash, announce } = await setup();
    const before = Date.now();
    await announce({ left: 0, uploaded: 0 }, '10.9.8.7');
    await sleep(1100);
    await announce({ left: 0, uploaded: 5 }, '10.9.8.6');
    const user = await userWhen(userId, (u) => u.rawUploaded === 5);
    expect(user.lastIp).toBe('10.9.8.6');
    expect(Date.parse(user.lastActive)).toBeGreaterThanOrEqual(before);
    expect(user.activeTorrents).toEqual({ seeding: [infoHash], leeching: [] });
    const history = await waitFor(
      async () => {
        const row = await historyOf(userId, infoHash);
        return row?.rawUploaded === 5 ? row : undefined;
      },
      { description: 'history', timeoutMs: 5000, intervalMs: 50 },
    );
    expect(history).toMatchObject({
      uploaded: 5,
      downloaded: 0,
      rawUploaded: 5,
      rawDownloaded: 0,
      completedAt: null,
      active: 'seeding',
    });
    expect(history.seedTime).toBe(1);
    expect(Date.parse(history.firstAnnounce)).toBeLessThan(Date.parse(history.lastAnnounce));
  });

  it('applies a batch delivered twice only once', async () => {
    const { userId, infoHash } = await setup();
    const ledger = t.app.get(LedgerRepository);
    const now = Date.now();
    const batch = {
      id: `test-${randomBytes(6).toString('hex')}`,
      accounts: [
        {
          userId,
          infoHash,
          uploaded: 7,
          downloaded: 3,
          rawUploaded: 7,
          rawDownloaded: 3,
          seedTime: 0,
          completedAt: null,
          firstAnnounce: now,
          lastAnnounce: now,
          lastIp: '127.0.0.9',
        },
      ],
    };
    expect((await ledger.apply(batch)).applied).toBe(true);
    expect((await ledger.apply(batch)).applied).toBe(false);
    expect((await t.api('GET', `/api/users/${userId}`)).body).toMatchObject({ uploaded: 7, downloaded: 3 });
  });

  it('stores every time of a batch to the millisecond', async () => {
    const { userId, infoHash } = await setup();
    // Fractions a double cannot hold exactly, now and near the end of the century.
    const [completedAt, firstAnnounce, lastAnnounce] = [1_765_000_000_123, 1_765_000_000_999, 4_102_444_799_001];
    await t.app.get(LedgerRepository).apply({
      id: `test-${randomBytes(6).toString('hex')}`,
      accounts: [
        {
          userId,
          infoHash,
          uploaded: 1,
          downloaded: 1,
          rawUploaded: 1,
          rawDownloaded: 1,
          seedTime: 0,
          completedAt,
          firstAnnounce,
          lastAnnounce,
          lastIp: '127.0.0.9',
        },
      ],
    });
    const micros = (column: string) => `(extract(epoch FROM ${column}) * 1000000)::bigint::text AS ${column}`;
    const [history] = await t.app.get(DataSource).query(
      `SELECT ${micros('completed_at')}, ${micros('first_announce')}, ${micros('last_announce')}
         FROM history WHERE user_id = $1 AND info_hash = $2`,
      [userId, infoHash],
    );
    const [user] = await t.app
      .get(DataSource)
      .query(`SELECT ${micros('last_active')} FROM users WHERE id = $1`, [userId]);
    expect(history).toEqual({
      completed_at: `${completedAt}000`,
      first_announce: `${firstAnnounce}000`,
      last_announce: `${lastAnnounce}000`,
    });
    expect(user).toEqual({ last_active: `${lastAnnounce}000` });
  });

  it('drops the accounts of deleted users and unknown torrents, and deletes history with its user', async () => {
    const live = await setup();
    const gone = await setup();
    await gone.announce({ uploaded: 0 });
    await waitFor(async () => (await historyOf(gone.userId, gone.infoHash)) ?? undefined, {
      description: 'history of the user about to be deleted',
      timeoutMs: 5000,
    });
    expect((await t.api('DELETE', `/api/users/${gone.userId}`)).status).toBe(204);

    const now = Date.now();
    const account = (userId: number, infoHash: string) => ({
      userId,
      infoHash,
      uploaded: 5,
      downloaded: 0,
      rawUploaded: 5,
      rawDownloaded: 0,
      seedTime: 0,
      completedAt: now,
      firstAnnounce: now,
      lastAnnounce: now,
      lastIp: '127.0.0.9',
    });
    const unknownTorrent = randomBytes(20).toString('hex');
    const result = await t.app.get(LedgerRepository).apply({
      id: `test-${randomBytes(6).toString('hex')}`,
      accounts: [
        account(live.userId, live.infoHash),
        account(gone.userId, gone.infoHash),
        account(live.userId, unknownTorrent),
      ],
    });

    expect(result).toEqual({ applied: true, snatches: [{ infoHash: live.infoHash, completed: 1 }] });
    const rows: { user_id: number; info_hash: string }[] = await t.app
      .get(DataSource)
      .query(`SELECT user_id, info_hash FROM history WHERE user_id = ANY($1)`, [[live.userId, gone.userId]]);
    expect(rows).toEqual([{ user_id: live.userId, info_hash: live.infoHash }]);
    expect((await t.api('GET', `/api/users/${live.userId}`)).body).toMatchObject({ uploaded: 5 });
  });
});

describe('global freeleech', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ GLOBAL_FREELEECH: 'true', FLUSH_INTERVAL_MS: '100' });
  });

  afterAll(async () => {
    await t.close();
  });

  it('credits no download on any torrent', async () => {
    const { passkey } = (await t.api('POST', '/api/users', { id: 1 })).body;
    const infoHash = randomBytes(20);
    await t.api('POST', '/api/torrents', { infoHash: infoHash.toString('hex') });
    const id = peerId();
    await t.get(announceUrl(passkey, { infoHash, peerId: id, left: 10 }));
    await t.get(announceUrl(passkey, { infoHash, peerId: id, uploaded: 5, downloaded: 100, left: 10 }));
    const user = await waitFor(
      async () => {
        const { body } = await t.api('GET', '/api/users/1');
        return body.rawDownloaded > 0 ? body : undefined;
      },
      { description: 'flush', timeoutMs: 5000, intervalMs: 50 },
    );
    expect(user).toMatchObject({ uploaded: 5, downloaded: 0, rawDownloaded: 100 });
  });
});
