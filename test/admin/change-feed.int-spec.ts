import { randomBytes } from 'node:crypto';
import { AccountingFlusher } from 'src/accounting/accounting-flusher';
import { ChangeFeedRepository } from 'src/storage/repositories/change-feed.repository';
import { announceUrl, peerId } from 'test/support/announce-url';
import { createTestApp, type TestApp } from 'test/support/test-app';
import { waitFor } from 'test/support/wait-for';

describe('the change feed (GET /api/changes)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ FLUSH_INTERVAL_MS: '50' });
  });

  afterAll(async () => {
    await t.close();
  });

  async function feedFrom(after: string) {
    const { status, body } = await t.api('GET', `/api/changes?after=${after}`);
    expect(status).toBe(200);
    return body as { users: { id: number; uploaded: number }[]; history: unknown[]; next: string };
  }

  it('shows a user changed by several flushes once, with its latest totals, and honours only retained cursors', async () => {
    const start = ((await t.api('GET', '/api/changes')).body as { next: string }).next;
    const { body: user } = await t.api('POST', '/api/users', { id: 1 });
    const infoHash = randomBytes(20);
    await t.api('POST', '/api/torrents', { infoHash: infoHash.toString('hex') });
    const id = peerId();
    await t.get(announceUrl(user.passkey, { infoHash, peerId: id, port: 7001, left: 0, event: 'started' }));
    for (const uploaded of [100, 200, 300]) {
      await t.get(announceUrl(user.passkey, { infoHash, peerId: id, port: 7001, left: 0, uploaded }));
      // Each credit in a flush of its own, so the user's row is stamped three times.
      await waitFor(
        async () => {
          const { users } = await feedFrom(start);
          return users.some((row) => row.uploaded === uploaded) ? true : undefined;
        },
        { description: `upload ${uploaded} flushed`, timeoutMs: 10_000 },
      );
    }
    const feed = await feedFrom(start);
    expect(feed.users).toEqual([expect.objectContaining({ id: 1, uploaded: 300 })]);
    expect(feed.history).toHaveLength(1);
    expect(await feedFrom(feed.next)).toEqual({ users: [], history: [], next: feed.next });

    // Forget every sequence number taken so far: the old cursor answers 410, the latest one still works.
    await t.app.get(ChangeFeedRepository).prune(new Date(Date.now() + 60_000));
    const expired = await t.api('GET', `/api/changes?after=${start}`);
    expect(expired.status).toBe(410);
    expect(expired.body).toMatchObject({ code: 'CURSOR_EXPIRED', field: 'after' });
    expect((await t.api('GET', `/api/changes?after=${feed.next}`)).status).toBe(200);
  });

  it('pages end on whole flushes, and paging to the end reaches every changed row', async () => {
    // Flushed by hand, so that each flush holds exactly two announces.
    const manual = await createTestApp({ FLUSH_INTERVAL_MS: '600000' });
    try {
      const page = async (after: string, limit: number) => {
        const { status, body } = await manual.api('GET', `/api/changes?after=${after}&limit=${limit}`);
        expect(status).toBe(200);
        return body as { history: { infoHash: string }[]; users: { id: number }[]; next: string };
      };
      const start = (await page('0', 1)).next;
      const { body: user } = await manual.api('POST', '/api/users', { id: 2 });
      const written = new Set<string>();
      for (let flush = 0; flush < 3; flush++) {
        for (const infoHash of [randomBytes(20), randomBytes(20)]) {
          await manual.api('POST', '/api/torrents', { infoHash: infoHash.toString('hex') });
          const url = announceUrl(user.passkey, { infoHash, peerId: peerId(), port: 7002, left: 0, event: 'started' });
          await manual.get(url);
          written.add(infoHash.toString('hex'));
        }
        await manual.app.get(AccountingFlusher).flushAll();
      }
      const pageSizes: number[] = [];
      const seen: string[] = [];
      for (let cursor = start; ;) {
        const { history, users, next } = await page(cursor, 3);
        if (history.length === 0) {
          break;
        }
        pageSizes.push(history.length);
        seen.push(...history.map((row) => row.infoHash));
        expect(users).toEqual([expect.objectContaining({ id: 2 })]);
        cursor = next;
      }
      // A limit of 3 never splits a flush of 2: one flush per page.
      expect(pageSizes).toEqual([2, 2, 2]);
      expect(new Set(seen)).toEqual(written);
      // A limit below one flush's size answers that flush whole.
      expect((await page(start, 1)).history).toHaveLength(2);
    } finally {
      await manual.close();
    }
  });
});
