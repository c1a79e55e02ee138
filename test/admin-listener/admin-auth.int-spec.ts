import { ADMIN_AUTH_MAX_FAILURES } from 'src/admin/auth/admin-auth.guard';
import { createTestApp, type TestApp } from 'test/support/test-app';

const NEW_TOKEN = 'rotation-new-token-0123456789';
const OLD_TOKEN = 'rotation-old-token-0123456789';

describe('admin API authentication', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ ADMIN_TOKEN: `${NEW_TOKEN},${OLD_TOKEN}`, TRUST_PROXY: 'true' });
  });

  afterAll(async () => {
    await t?.close();
  });

  const stats = (token: string | undefined, forwardedFor: string) =>
    t.app.inject({
      method: 'GET',
      url: '/api/stats',
      headers: { 'x-forwarded-for': forwardedFor, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    });

  it('accepts every token ADMIN_TOKEN lists, so the site can switch to the new one before the old one goes', async () => {
    expect((await stats(NEW_TOKEN, '198.51.100.1')).statusCode).toBe(200);
    expect((await stats(OLD_TOKEN, '198.51.100.1')).statusCode).toBe(200);
    expect((await stats(`${NEW_TOKEN},${OLD_TOKEN}`, '198.51.100.1')).statusCode).toBe(401);
    expect((await stats(NEW_TOKEN.slice(0, -1), '198.51.100.1')).statusCode).toBe(401);
  });

  it('answers 429 with Retry-After once a client has sent too many wrong tokens, even to a right one', async () => {
    const client = '203.0.113.9';
    for (let i = 0; i < ADMIN_AUTH_MAX_FAILURES; i++) {
      expect((await stats(`wrong-${i}`, client)).statusCode).toBe(401);
    }
    const throttled = await stats('wrong-again', client);
    expect(throttled.statusCode).toBe(429);
    const retryAfter = Number(throttled.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(JSON.parse(throttled.body)).toMatchObject({ statusCode: 429 });

    const right = await stats(NEW_TOKEN, client);
    expect(right.statusCode).toBe(429);
    expect(right.headers['retry-after']).toBeDefined();
  });

  it('throttles each client address on its own', async () => {
    for (let i = 0; i < ADMIN_AUTH_MAX_FAILURES; i++) {
      await stats(undefined, '203.0.113.20');
    }
    expect((await stats(NEW_TOKEN, '203.0.113.20')).statusCode).toBe(429);
    expect((await stats(NEW_TOKEN, '203.0.113.21')).statusCode).toBe(200);
  });

  it('counts an IPv6 client by its /64', async () => {
    for (let i = 0; i < ADMIN_AUTH_MAX_FAILURES; i++) {
      await stats('wrong', `2001:db8:1:2::${i + 1}`);
    }
    expect((await stats(NEW_TOKEN, '2001:db8:1:2:ffff::1')).statusCode).toBe(429);
    expect((await stats(NEW_TOKEN, '2001:db8:1:3::1')).statusCode).toBe(200);
  });
});
