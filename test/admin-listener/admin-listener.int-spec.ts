import { randomBytes } from 'node:crypto';
import { createTrackerApp, type TrackerApp } from 'src/bootstrap';
import { announceUrl } from 'test/support/announce-url';
import { freePort } from 'test/support/free-port';
import { createTempDatabase, type TempDatabase } from 'test/support/postgres-database';

const TOKEN = 'admin-listener-test-token-0123456789';

/** A fetch that never reuses a connection, so that closed listeners are seen as closed. */
async function get(url: string, token?: string): Promise<{ status: number; text: string }> {
  const response = await fetch(url, {
    headers: { connection: 'close', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    signal: AbortSignal.timeout(10_000),
  });
  return { status: response.status, text: await response.text() };
}

describe('the private admin listener (ADMIN_HOST/ADMIN_PORT)', () => {
  let database: TempDatabase;
  let tracker: TrackerApp;
  let publicUrl: string;
  let adminUrl: string;
  let passkey: string;
  let closed = false;

  beforeAll(async () => {
    database = await createTempDatabase('int');
    const [port, adminPort] = [await freePort(), await freePort()];
    tracker = await createTrackerApp({
      DATABASE_URL: database.url,
      ADMIN_TOKEN: TOKEN,
      LOG_LEVEL: 'error',
      HOST: '127.0.0.1',
      PORT: String(port),
      ADMIN_PORT: String(adminPort),
    });
    await tracker.listen();
    publicUrl = `http://127.0.0.1:${port}`;
    adminUrl = `http://127.0.0.1:${adminPort}`;
    const created = await fetch(`${adminUrl}/api/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id: 1 }),
    });
    expect(created.status).toBe(201);
    passkey = ((await created.json()) as { passkey: string }).passkey;
  });

  afterAll(async () => {
    if (!closed) {
      await tracker?.app.close();
    }
    await database?.drop();
  });

  it('serves the admin API, its docs and the metrics on the admin port', async () => {
    expect((await get(`${adminUrl}/api/stats`, TOKEN)).status).toBe(200);
    expect((await get(`${adminUrl}/api/docs`)).status).toBe(200);
    expect((await get(`${adminUrl}/api/docs-json`)).text).toContain('"/api/users"');
    const metrics = await get(`${adminUrl}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.text).toContain('tracker_build_info{version=');
  });

  it.each(['/api/stats', '/api/docs', '/api/docs-json', '/metrics', '/%61pi/stats', '/api/users/1'])(
    'answers 404 on the public port for %s, token or not',
    async (path) => {
      const answer = await get(`${publicUrl}${path}`, TOKEN);
      expect(answer.status).toBe(404);
      expect(answer.text).not.toContain('passkey');
    },
  );

  it('keeps announces and health on the public port', async () => {
    const announce = announceUrl(passkey, { infoHash: randomBytes(20), peerId: randomBytes(20), event: 'started' });
    const answer = await get(`${publicUrl}${announce}`);
    expect(answer.status).toBe(200);
    // An unknown torrent: the tracker itself answered, with a bencoded failure.
    expect(answer.text).toMatch(/^d14:failure reason/);
    expect((await get(`${publicUrl}/health`)).status).toBe(200);
  });

  it('answers health on the admin port too, and nothing of the tracker protocol', async () => {
    expect((await get(`${adminUrl}/health`)).status).toBe(200);
    const announce = announceUrl(passkey, { infoHash: randomBytes(20), peerId: randomBytes(20) });
    expect((await get(`${adminUrl}${announce}`)).status).toBe(404);
  });

  it('counts admin requests by route and status', async () => {
    await get(`${adminUrl}/api/users/1`, TOKEN);
    await get(`${adminUrl}/api/users/999`, TOKEN);
    await get(`${adminUrl}/api/users/1`, 'a-wrong-token');
    const metrics = (await get(`${adminUrl}/metrics`)).text;
    expect(metrics).toMatch(
      /tracker_admin_requests_total\{method="GET",route="\/api\/users\/:id",status="200"\} [1-9]/,
    );
    expect(metrics).toMatch(/tracker_admin_requests_total\{method="GET",route="\/api\/users\/:id",status="404"\} 1/);
    expect(metrics).toMatch(/tracker_admin_requests_total\{method="GET",route="\/api\/users\/:id",status="401"\} 1/);
  });

  it('closes the admin listener with the app', async () => {
    closed = true;
    await tracker.app.close();
    await expect(get(`${adminUrl}/health`)).rejects.toThrow();
    await expect(get(`${publicUrl}/health`)).rejects.toThrow();
  });
});

describe('without ADMIN_PORT', () => {
  it('serves the admin API, the metrics and announces on one port, as before', async () => {
    const database = await createTempDatabase('int');
    const port = await freePort();
    const tracker = await createTrackerApp({
      DATABASE_URL: database.url,
      ADMIN_TOKEN: TOKEN,
      LOG_LEVEL: 'error',
      HOST: '127.0.0.1',
      PORT: String(port),
    });
    try {
      await tracker.listen();
      expect((await get(`http://127.0.0.1:${port}/api/stats`, TOKEN)).status).toBe(200);
      expect((await get(`http://127.0.0.1:${port}/metrics`)).status).toBe(200);
      expect((await get(`http://127.0.0.1:${port}/api/docs`)).status).toBe(200);
    } finally {
      await tracker.app.close();
      await database.drop();
    }
  });
});
