import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { announceUrl, peerId } from 'test/support/announce-url';
import { createTestApp, type TestApp } from 'test/support/test-app';
import { waitFor } from 'test/support/wait-for';

/** Issue 20: a flush that keeps failing is visible to orchestrators and alerts, not only in a warning. */
describe('a flush that keeps failing', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ FLUSH_INTERVAL_MS: '100' });
  });

  afterAll(async () => {
    await t.app.get(DataSource).query(`ALTER TABLE IF EXISTS applied_batches_away RENAME TO applied_batches`);
    await t.close();
  });

  it('degrades /health/ready and shows its consecutive failures, then recovers', async () => {
    const { passkey } = (await t.api('POST', '/api/users', { id: 1 })).body;
    const infoHash = randomBytes(20);
    await t.api('POST', '/api/torrents', { infoHash: infoHash.toString('hex') });
    const id = peerId();
    // A table the flush needs goes away: every flush fails, as in an outage, while the database still answers.
    await t.app.get(DataSource).query(`ALTER TABLE applied_batches RENAME TO applied_batches_away`);
    await t.get(announceUrl(passkey, { infoHash, peerId: id, left: 10 }));
    await t.get(announceUrl(passkey, { infoHash, peerId: id, uploaded: 321, left: 10 }));

    const ready = await waitFor(
      async () => {
        const response = await t.app.inject({ method: 'GET', url: '/health/ready' });
        const body = response.json<{ status: string; degraded?: string[] }>();
        return body.status === 'degraded' ? { code: response.statusCode, body } : undefined;
      },
      { description: 'readiness to say degraded', timeoutMs: 15_000, intervalMs: 100 },
    );
    expect(ready.code).toBe(200);
    expect(ready.body.degraded).toEqual(['accounting']);
    const metrics = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(Number(/^tracker_flush_consecutive_failures (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(5);

    await t.app.get(DataSource).query(`ALTER TABLE applied_batches_away RENAME TO applied_batches`);
    await waitFor(async () => ((await t.api('GET', '/api/users/1')).body.uploaded === 321 ? true : undefined), {
      description: 'the held accounting to be written once the flush works again',
      timeoutMs: 40_000,
      intervalMs: 200,
    });
    const body = (await t.app.inject({ method: 'GET', url: '/health/ready' })).json<{ status: string }>();
    expect(body.status).toBe('ok');
  }, 60_000);
});
