import { DataSource } from 'typeorm';
import { createTestApp, type TestApp } from 'test/support/test-app';

const idsOf = (body: { items: { id: number }[] }) => body.items.map((flag) => flag.id);

const HASH_A = 'a'.repeat(40);
const HASH_B = 'b'.repeat(40);

/** Issue 15: the site reads cheat flags with GET /api/flags?after=<cursor>&limit= (rows as the flush writes them). */
describe('GET /api/flags', () => {
  let t: TestApp;
  let ids: number[];

  beforeAll(async () => {
    t = await createTestApp();
    const db = t.app.get(DataSource);
    const rows: [number, string, string, object][] = [
      [1, HASH_A, 'upload_rate', { uploadedDelta: 10_737_418_240, seconds: 60 }],
      [2, HASH_A, 'no_leecher', { uploadedDelta: 1024, leechers: 0 }],
      [1, HASH_B, 'no_leecher', { uploadedDelta: 2048, leechers: 0 }],
      [1, HASH_B, 'completed_without_download', { downloaded: 0 }],
      [3, HASH_A, 'client_mismatch', { peerId: '-qB4520-', userAgent: 'Transmission/4.0.5' }],
    ];
    ids = [];
    for (const [userId, infoHash, kind, evidence] of rows) {
      const [{ id }] = await db.query<{ id: string }[]>(
        `INSERT INTO cheat_flags (user_id, info_hash, kind, evidence, announced_at)
         VALUES ($1, $2, $3, $4, '2026-01-31T12:00:00Z') RETURNING id`,
        [userId, infoHash, kind, JSON.stringify(evidence)],
      );
      ids.push(Number(id));
    }
  });

  afterAll(async () => {
    await t.close();
  });

  it('pages every flag in id order, with its evidence, and gives the cursor to poll with', async () => {
    const first = await t.api('GET', '/api/flags?limit=2');
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(2);
    expect(first.body.items[0]).toEqual({
      id: ids[0],
      userId: 1,
      infoHash: HASH_A,
      kind: 'upload_rate',
      evidence: { uploadedDelta: 10_737_418_240, seconds: 60 },
      announcedAt: '2026-01-31T12:00:00.000Z',
      recordedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(first.body.next).toBe(String(ids[1]));
    const rest = await t.api('GET', `/api/flags?after=${first.body.next}&limit=100`);
    expect(idsOf(rest.body)).toEqual(ids.slice(2));
    // At the end: no items, and the same cursor to poll with later.
    const end = await t.api('GET', `/api/flags?after=${rest.body.next}`);
    expect(end.body).toEqual({ items: [], next: String(ids[4]) });
  });

  it('filters by user and by kind', async () => {
    const user = await t.api('GET', '/api/flags?userId=1');
    expect(idsOf(user.body)).toEqual([ids[0], ids[2], ids[3]]);
    const kind = await t.api('GET', `/api/flags?kind=no_leecher&after=${ids[1]}`);
    expect(idsOf(kind.body)).toEqual([ids[2]]);
    const both = await t.api('GET', '/api/flags?userId=2&kind=upload_rate');
    expect(both.body).toEqual({ items: [], next: '0' });
  });

  it.each([
    ['after=-1', 'after'],
    ['after=0x10', 'after'],
    ['limit=0', 'limit'],
    ['userId=abc', 'userId'],
    ['kind=Not%20A%20Kind', 'kind'],
  ])('answers 400 with the error shape for ?%s', async (query, field) => {
    const { status, body } = await t.api('GET', `/api/flags?${query}`);
    expect(status).toBe(400);
    expect(body).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED', field });
  });
});
