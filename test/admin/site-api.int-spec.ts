import createClient from 'openapi-fetch';
import { randomBytes } from 'node:crypto';
import { announceUrl, peerId, type AnnounceParams } from 'test/support/announce-url';
import type { paths } from 'test/support/generated/admin-api';
import { createTestApp, TEST_ADMIN_TOKEN, type TestApp } from 'test/support/test-app';
import { waitFor } from 'test/support/wait-for';

const STORES: [string, Record<string, string>][] = [
  ['memory', {}],
  ['redis', { REDIS_URL: 'redis://127.0.0.1:6379', REDIS_KEY_PREFIX: `test:${randomBytes(4).toString('hex')}:` }],
];

const hash = (n: number) => n.toString(16).padStart(40, '0');

/**
 * The site's API (issue 16) through a client generated from the served OpenAPI document, against the real server
 * on loopback: a route or shape that drifts from the document fails to compile (lint) or here.
 */
describe.each(STORES)('the site API through the generated client, %s peer store', (_store, storeEnv) => {
  let t: TestApp;
  let api: ReturnType<typeof createClient<paths>>;
  let noToken: ReturnType<typeof createClient<paths>>;

  async function announce(passkey: string, params: AnnounceParams): Promise<void> {
    expect((await t.get(announceUrl(passkey, params))).status).toBe(200);
  }

  beforeAll(async () => {
    t = await createTestApp({ ...storeEnv, FLUSH_INTERVAL_MS: '50' });
    await t.app.listen(0, '127.0.0.1');
    const baseUrl = await t.app.getUrl();
    api = createClient<paths>({ baseUrl, headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } });
    noToken = createClient<paths>({ baseUrl });
  });

  afterAll(async () => {
    await t.close();
  });

  it('bulk-upserts users: created, then updated, idempotent, a failed item failing alone', async () => {
    const users = Array.from({ length: 50 }, (_, i) => ({ id: i + 1 }));
    const first = await api.PUT('/api/users', { body: { users } });
    expect(first.data).toEqual({ created: 50, updated: 0, failed: [] });
    const taken = (await api.GET('/api/users/{id}', { params: { path: { id: 1 } } })).data!.passkey;
    const again = await api.PUT('/api/users', {
      body: { users: [...users, { id: 51, passkey: taken }, { id: 0 }, { id: 52, canLeech: false }] },
    });
    expect(again.data).toEqual({
      created: 1,
      updated: 50,
      failed: [
        { index: 50, code: 'PASSKEY_TAKEN', message: expect.any(String) },
        { index: 51, code: 'VALIDATION_FAILED', message: expect.stringMatching(/id/) },
      ],
    });
    expect((await api.GET('/api/users/{id}', { params: { path: { id: 1 } } })).data!.passkey).toBe(taken);
    expect((await api.GET('/api/users/{id}', { params: { path: { id: 52 } } })).data!.canLeech).toBe(false);
  });

  it('bulk-upserts torrents, restores a deleted one and clears a site id with null', async () => {
    const torrents = Array.from({ length: 30 }, (_, i) => ({ infoHash: hash(i + 1).toUpperCase(), id: i + 1 }));
    expect((await api.PUT('/api/torrents', { body: { torrents } })).data).toEqual({
      created: 30,
      updated: 0,
      failed: [],
    });
    await api.DELETE('/api/torrents/{infoHash}', { params: { path: { infoHash: hash(1) } } });
    const second = await api.PUT('/api/torrents', {
      body: { torrents: [{ infoHash: hash(1) }, { infoHash: hash(2), id: null }, { infoHash: 'nothex' }] },
    });
    expect(second.data).toEqual({
      created: 1,
      updated: 1,
      failed: [{ index: 2, code: 'VALIDATION_FAILED', message: expect.stringMatching(/infoHash/) }],
    });
    expect(
      (await api.GET('/api/torrents/{infoHash}', { params: { path: { infoHash: hash(2) } } })).data!.id,
    ).toBeNull();
  });

  it('pages through users and torrents with cursors', async () => {
    const ids: number[] = [];
    let after: number | undefined;
    for (;;) {
      const { data } = await api.GET('/api/users', { params: { query: { limit: 20, after } } });
      ids.push(...data!.items.map((user) => user.id));
      if (data!.next === null) {
        break;
      }
      after = Number(data!.next);
    }
    // User 51 failed: its passkey was taken.
    expect(ids).toEqual([...Array.from({ length: 50 }, (_, i) => i + 1), 52]);
    const disabled = await api.GET('/api/users', { params: { query: { enabled: false } } });
    expect(disabled.data).toEqual({ items: [], next: null });

    const hashes: string[] = [];
    let cursor: string | undefined;
    do {
      const { data } = await api.GET('/api/torrents', { params: { query: { limit: 7, after: cursor } } });
      hashes.push(...data!.items.map((torrent) => torrent.infoHash));
      cursor = data!.next ?? undefined;
    } while (cursor);
    expect(hashes).toEqual(Array.from({ length: 30 }, (_, i) => hash(i + 1)));
  });

  it('answers swarm counts, the change feed, snatches, live peers and paged history after announces', async () => {
    const start = (await api.GET('/api/changes', {})).data!.next;
    const seeder = (await api.GET('/api/users/{id}', { params: { path: { id: 3 } } })).data!.passkey;
    const leecher = (await api.GET('/api/users/{id}', { params: { path: { id: 4 } } })).data!.passkey;
    const infoHash = Buffer.from(hash(5), 'hex');
    await announce(seeder, { infoHash, peerId: peerId(), port: 7001, left: 0, event: 'started' });
    const leecherPeer = peerId();
    await announce(leecher, { infoHash, peerId: leecherPeer, port: 7002, left: 100, event: 'started' });
    await announce(leecher, {
      infoHash,
      peerId: leecherPeer,
      port: 7002,
      left: 0,
      downloaded: 100,
      event: 'completed',
    });

    const counts = await api.POST('/api/torrents/counts', { body: { infoHashes: [hash(5), hash(6), 'f'.repeat(40)] } });
    expect(counts.data).toEqual({
      items: [
        { infoHash: hash(5), seeders: 2, leechers: 0, completed: expect.any(Number) },
        { infoHash: hash(6), seeders: 0, leechers: 0, completed: 0 },
      ],
      unknown: ['f'.repeat(40)],
    });

    // The flush runs every 50 ms; the feed shows user 4 once, with its latest totals.
    const changes = await waitFor(
      async () => {
        const { data } = await api.GET('/api/changes', { params: { query: { after: Number(start) } } });
        const mine = data!.history.find((row) => row.userId === 4 && row.completedAt !== null);
        return mine ? data : undefined;
      },
      { description: 'the completion in the change feed', timeoutMs: 10_000 },
    );
    expect(changes.users.filter((user) => user.id === 4)).toEqual([
      expect.objectContaining({ id: 4, downloaded: 100, lastIp: '127.0.0.1' }),
    ]);
    const next = Number(changes.next);
    expect((await api.GET('/api/changes', { params: { query: { after: next } } })).data).toMatchObject({
      users: [],
      history: [],
    });

    const snatches = await api.GET('/api/torrents/{infoHash}/snatches', { params: { path: { infoHash: hash(5) } } });
    expect(snatches.data).toEqual({
      items: [expect.objectContaining({ userId: 4, downloaded: 100 })],
      next: null,
    });
    const history = await api.GET('/api/users/{id}/torrents', {
      params: { path: { id: 4 }, query: { completed: true, active: 'seeding', limit: 10 } },
    });
    expect(history.data).toEqual({
      items: [expect.objectContaining({ infoHash: hash(5), active: 'seeding' })],
      next: null,
    });
    const peers = await api.GET('/api/users/{id}/peers', { params: { path: { id: 4 } } });
    expect(peers.data!.items).toEqual([
      expect.objectContaining({ infoHash: hash(5), port: 7002, seeder: true, left: 0, client: '-qB4520-' }),
    ]);

    // A ban drops the user's peers from every swarm at once.
    await api.PATCH('/api/users/{id}', { params: { path: { id: 4 } }, body: { enabled: false } });
    expect((await api.GET('/api/users/{id}/peers', { params: { path: { id: 4 } } })).data!.items).toEqual([]);
    const after = await api.POST('/api/torrents/counts', { body: { infoHashes: [hash(5)] } });
    expect(after.data!.items[0]).toMatchObject({ seeders: 1, leechers: 0 });
  });

  it('answers errors in the documented shape: 400, 401, 404, 410', async () => {
    const invalid = await api.GET('/api/users', { params: { query: { limit: 0 } } });
    expect(invalid.response.status).toBe(400);
    expect(invalid.error).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED', field: 'limit' });
    const unauthorized = await noToken.GET('/api/stats', {});
    expect(unauthorized.error).toMatchObject({ statusCode: 401, code: 'UNAUTHORIZED' });
    const missing = await api.GET('/api/users/{id}/peers', { params: { path: { id: 9999 } } });
    expect(missing.error).toMatchObject({ statusCode: 404, code: 'USER_NOT_FOUND' });
    const future = await api.GET('/api/changes', { params: { query: { after: 10 ** 12 } } });
    expect(future.error).toMatchObject({ statusCode: 410, code: 'CURSOR_EXPIRED', field: 'after' });
    const tooMany = await api.POST('/api/torrents/counts', { body: { infoHashes: Array(1001).fill(hash(1)) } });
    expect(tooMany.error).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED', field: 'infoHashes' });
  });

  it('bulk-upserts download slots: a number sets them, null lifts them, absent keeps them', async () => {
    const slotsOf = async (id: number) =>
      (await api.GET('/api/users/{id}', { params: { path: { id } } })).data!.downloadSlots;
    const first = await api.PUT('/api/users', { body: { users: [{ id: 901, downloadSlots: 2 }, { id: 902 }] } });
    expect(first.data).toEqual({ created: 2, updated: 0, failed: [] });
    expect([await slotsOf(901), await slotsOf(902)]).toEqual([2, null]);
    const second = await api.PUT('/api/users', {
      body: { users: [{ id: 901 }, { id: 902, downloadSlots: 0 }, { id: 903, downloadSlots: -1 }] },
    });
    expect(second.data).toEqual({
      created: 0,
      updated: 2,
      failed: [{ index: 2, code: 'VALIDATION_FAILED', message: expect.stringMatching(/downloadSlots/) }],
    });
    expect([await slotsOf(901), await slotsOf(902)]).toEqual([2, 0]);
    await api.PUT('/api/users', { body: { users: [{ id: 901, downloadSlots: null }] } });
    expect(await slotsOf(901)).toBeNull();
    await Promise.all([901, 902].map((id) => api.DELETE('/api/users/{id}', { params: { path: { id } } })));
  });
});
