import { createTestApp, type TestApp } from 'test/support/test-app';

const HASH = 'AbCdEf0123456789abcdef0123456789ABCDEF01';
const LOWER = HASH.toLowerCase();
const PASSKEY = 'A'.repeat(16) + '0123456789abcdef';

describe('admin API (CONTRACT §5)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });

  afterAll(async () => {
    await t.close();
  });

  describe('authentication', () => {
    it.each([[undefined], ['Bearer wrong'], ['Basic dGVzdA=='], ['Bearer']])(
      'answers 401 with authorization %p',
      async (authorization) => {
        const response = await t.app.inject({
          method: 'GET',
          url: '/api/stats',
          headers: authorization ? { authorization } : {},
        });
        expect(response.statusCode).toBe(401);
        expect(JSON.parse(response.body).message).toBeDefined();
      },
    );
  });

  describe('users', () => {
    it('creates a user with a generated passkey and the defaults', async () => {
      const { status, body } = await t.api('POST', '/api/users', { id: 1 });
      expect(status).toBe(201);
      expect(body).toEqual({
        id: 1,
        passkey: expect.stringMatching(/^[0-9A-Za-z]{32}$/),
        enabled: true,
        canLeech: true,
        uploadMultiplier: 1,
        downloadMultiplier: 1,
        downloadSlots: null,
        uploaded: 0,
        downloaded: 0,
        rawUploaded: 0,
        rawDownloaded: 0,
        lastIp: null,
        lastActive: null,
        activeTorrents: { seeding: [], leeching: [] },
      });
    });

    it('creates a user with every field given', async () => {
      const body = {
        id: 2,
        passkey: PASSKEY,
        enabled: false,
        canLeech: false,
        uploadMultiplier: 2,
        downloadMultiplier: 0.5,
        downloadSlots: 4,
      };
      const created = await t.api('POST', '/api/users', body);
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject(body);
      expect((await t.api('GET', '/api/users/2')).body).toMatchObject(body);
    });

    it('answers 409 for a taken id or passkey', async () => {
      expect((await t.api('POST', '/api/users', { id: 1 })).status).toBe(409);
      const taken = await t.api('POST', '/api/users', { id: 3, passkey: PASSKEY });
      expect(taken.status).toBe(409);
      expect(taken.body.message).toMatch(/passkey/);
    });

    it.each([
      [{}, /id/],
      [{ id: 0 }, /id must be a positive integer/],
      [{ id: 1.5 }, /id must be a positive integer/],
      [{ id: '7' }, /id must be a positive integer/],
      [{ id: 7, passkey: 'short' }, /passkey must be 32 characters/],
      [{ id: 7, passkey: 'x'.repeat(31) + '!' }, /passkey/],
      [{ id: 7, enabled: 'yes' }, /enabled/],
      [{ id: 7, uploadMultiplier: -1 }, /uploadMultiplier/],
      [{ id: 7, downloadMultiplier: 'x' }, /downloadMultiplier/],
      [{ id: 7, ratio: 1 }, /ratio/],
      [{ id: 7, downloadSlots: -1 }, /downloadSlots must be a non-negative integer or null/],
      [{ id: 7, downloadSlots: 2.5 }, /downloadSlots/],
      [{ id: 7, downloadSlots: '3' }, /downloadSlots/],
      [{ id: 7, downloadSlots: 10_001 }, /downloadSlots must not exceed/],
    ])('answers 400 naming the field for %o', async (body, message) => {
      const { status, body: error } = await t.api('POST', '/api/users', body);
      expect(status).toBe(400);
      expect(error.message).toMatch(message);
    });

    it('answers 400 for malformed JSON', async () => {
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/users',
        headers: { authorization: 'Bearer test-admin-token-0123456789', 'content-type': 'application/json' },
        payload: '{"id": ',
      });
      expect(response.statusCode).toBe(400);
    });

    it('answers a JSON 400 for a path that is not valid percent-encoding', async () => {
      const { status, body } = await t.api('GET', '/api/users/%ZZ');
      expect(status).toBe(400);
      expect(body.message).toMatch(/not a valid url/);
    });

    it.each(['abc', '0', '-1', '1.5', '99999999999'])('answers 400 for the user id %s', async (id) => {
      const { status, body } = await t.api('GET', `/api/users/${id}`);
      expect(status).toBe(400);
      expect(body.message).toMatch(/id/);
    });

    it('answers 404 for an unknown user on every route', async () => {
      expect((await t.api('GET', '/api/users/999')).status).toBe(404);
      expect((await t.api('PATCH', '/api/users/999', { enabled: false })).status).toBe(404);
      expect((await t.api('POST', '/api/users/999/passkey', {})).status).toBe(404);
      expect((await t.api('DELETE', '/api/users/999')).status).toBe(404);
      expect((await t.api('GET', '/api/users/999/torrents')).status).toBe(404);
    });

    it('patches a user', async () => {
      const { status, body } = await t.api('PATCH', '/api/users/1', { canLeech: false, uploadMultiplier: 1.5 });
      expect(status).toBe(200);
      expect(body).toMatchObject({ id: 1, canLeech: false, uploadMultiplier: 1.5, enabled: true });
      expect((await t.api('PATCH', '/api/users/1', { passkey: PASSKEY })).status).toBe(400);
    });

    it('patches download slots: a number, absent keeps it, null lifts the limit', async () => {
      expect((await t.api('PATCH', '/api/users/1', { downloadSlots: 3 })).body.downloadSlots).toBe(3);
      expect((await t.api('PATCH', '/api/users/1', { enabled: true })).body.downloadSlots).toBe(3);
      expect((await t.api('GET', '/api/users/1')).body.downloadSlots).toBe(3);
      expect((await t.api('PATCH', '/api/users/1', { downloadSlots: null })).body.downloadSlots).toBeNull();
      expect((await t.api('PATCH', '/api/users/1', { downloadSlots: -2 })).status).toBe(400);
    });

    it('rotates a passkey, generated or given', async () => {
      const before = (await t.api('GET', '/api/users/1')).body.passkey;
      const generated = await t.api('POST', '/api/users/1/passkey');
      expect(generated.status).toBe(200);
      expect(generated.body.passkey).toMatch(/^[0-9A-Za-z]{32}$/);
      expect(generated.body.passkey).not.toBe(before);
      const chosen = 'Z'.repeat(32);
      expect((await t.api('POST', '/api/users/1/passkey', { passkey: chosen })).body).toEqual({ passkey: chosen });
      expect((await t.api('GET', '/api/users/1')).body.passkey).toBe(chosen);
      expect((await t.api('POST', '/api/users/1/passkey', { passkey: PASSKEY })).status).toBe(409);
      expect((await t.api('POST', '/api/users/1/passkey', { passkey: 'bad' })).status).toBe(400);
    });

    it('lists an empty history for a new user', async () => {
      expect(await t.api('GET', '/api/users/1/torrents')).toEqual({ status: 200, body: [] });
    });

    it('deletes a user', async () => {
      await t.api('POST', '/api/users', { id: 50 });
      expect((await t.api('DELETE', '/api/users/50')).status).toBe(204);
      expect((await t.api('GET', '/api/users/50')).status).toBe(404);
    });
  });

  describe('torrents', () => {
    it('registers a torrent, any case in, lowercase out', async () => {
      const { status, body } = await t.api('POST', '/api/torrents', { infoHash: HASH, id: 10, uploaderId: 1 });
      expect(status).toBe(201);
      expect(body).toEqual({
        infoHash: LOWER,
        id: 10,
        uploaderId: 1,
        freeleech: false,
        uploadMultiplier: 1,
        downloadMultiplier: 1,
        completed: 0,
        seeders: { count: 0, users: [] },
        leechers: { count: 0, users: [] },
      });
      expect((await t.api('GET', `/api/torrents/${HASH}`)).body.infoHash).toBe(LOWER);
    });

    it('answers 409 for a duplicate info hash', async () => {
      expect((await t.api('POST', '/api/torrents', { infoHash: LOWER })).status).toBe(409);
    });

    it.each([
      [{}, /infoHash/],
      [{ infoHash: 'xyz' }, /infoHash must be 40 hexadecimal characters/],
      [{ infoHash: 'a'.repeat(41) }, /infoHash/],
      [{ infoHash: 'b'.repeat(40), freeleech: 'true' }, /freeleech/],
      [{ infoHash: 'b'.repeat(40), id: -5 }, /id must be a positive integer/],
      [{ infoHash: 'b'.repeat(40), uploaderId: 'me' }, /uploaderId/],
    ])('answers 400 naming the field for %o', async (body, message) => {
      const { status, body: error } = await t.api('POST', '/api/torrents', body);
      expect(status).toBe(400);
      expect(error.message).toMatch(message);
    });

    it('answers 400 for a malformed info hash in the path and 404 for an unknown one', async () => {
      expect((await t.api('GET', '/api/torrents/nothex')).status).toBe(400);
      const unknown = 'c'.repeat(40);
      expect((await t.api('GET', `/api/torrents/${unknown}`)).status).toBe(404);
      expect((await t.api('PATCH', `/api/torrents/${unknown}`, { freeleech: true })).status).toBe(404);
      expect((await t.api('DELETE', `/api/torrents/${unknown}`)).status).toBe(404);
      expect((await t.api('GET', `/api/torrents/${unknown}/peers`)).status).toBe(404);
    });

    it('patches a torrent', async () => {
      const { status, body } = await t.api('PATCH', `/api/torrents/${LOWER}`, {
        freeleech: true,
        uploadMultiplier: 2,
        id: 11,
        uploaderId: null,
      });
      expect(status).toBe(200);
      expect(body).toMatchObject({ freeleech: true, uploadMultiplier: 2, id: 11, uploaderId: null });
    });

    it('lists no peers for a quiet torrent', async () => {
      expect(await t.api('GET', `/api/torrents/${LOWER}/peers`)).toEqual({ status: 200, body: [] });
    });

    it('deletes a torrent, and registering it again brings it back', async () => {
      expect((await t.api('DELETE', `/api/torrents/${LOWER}`)).status).toBe(204);
      expect((await t.api('GET', `/api/torrents/${LOWER}`)).status).toBe(404);
      expect((await t.api('DELETE', `/api/torrents/${LOWER}`)).status).toBe(404);
      const restored = await t.api('POST', '/api/torrents', { infoHash: LOWER });
      expect(restored.status).toBe(201);
      expect(restored.body).toMatchObject({ freeleech: false, id: null });
    });
  });

  describe('client whitelist', () => {
    it('adds, lists and removes prefixes', async () => {
      expect(await t.api('GET', '/api/clients')).toEqual({ status: 200, body: [] });
      expect(await t.api('POST', '/api/clients', { prefix: '-qB45', name: 'qBittorrent 4.5' })).toEqual({
        status: 201,
        body: { prefix: '-qB45', name: 'qBittorrent 4.5' },
      });
      expect((await t.api('POST', '/api/clients', { prefix: '-qB45', name: 'again' })).status).toBe(409);
      expect((await t.api('POST', '/api/clients', { prefix: '', name: 'x' })).status).toBe(400);
      expect((await t.api('POST', '/api/clients', { prefix: '-TR' })).status).toBe(400);
      expect((await t.api('GET', '/api/clients')).body).toEqual([{ prefix: '-qB45', name: 'qBittorrent 4.5' }]);
      expect((await t.api('DELETE', '/api/clients/-qB45')).status).toBe(204);
      expect((await t.api('DELETE', '/api/clients/-qB45')).status).toBe(404);
    });
  });

  describe('stats and docs', () => {
    it('counts users, live torrents and peers', async () => {
      const { status, body } = await t.api('GET', '/api/stats');
      expect(status).toBe(200);
      expect(body).toEqual({ users: 2, torrents: 1, peers: 0, seeders: 0, leechers: 0 });
    });

    it('serves the OpenAPI description without a token', async () => {
      const response = await t.app.inject({ method: 'GET', url: '/api/docs-json' });
      expect(response.statusCode).toBe(200);
      expect(Object.keys(JSON.parse(response.body).paths)).toEqual(
        expect.arrayContaining(['/api/users', '/api/users/{id}', '/api/torrents/{infoHash}/peers', '/api/stats']),
      );
    });
  });

  describe('operations', () => {
    it('answers /health and /metrics without a token', async () => {
      expect(await t.api('GET', '/health')).toEqual({ status: 200, body: { status: 'ok' } });
      const metrics = await t.app.inject({ method: 'GET', url: '/metrics' });
      expect(metrics.statusCode).toBe(200);
      expect(metrics.body).toContain('tracker_requests_total');
      expect(metrics.body).toContain('tracker_peers');
    });
  });
});
