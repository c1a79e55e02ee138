import { Logger } from '@nestjs/common';
import { connect } from 'node:net';
import { createTestApp, TEST_ADMIN_TOKEN, type TestApp } from 'test/support/test-app';

const AUTH = { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' };

/** Sends a request head and part of its body over TCP, then resets the connection. */
async function abortMidBody(port: number, path: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(
        `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"id":`,
        () => setImmediate(() => socket.resetAndDestroy()),
      );
    });
    socket.on('close', () => resolve());
    socket.on('error', reject);
  });
}

describe('admin API errors: one shape, stable codes (issue 16, issue 19 §6)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });

  afterAll(async () => {
    await t.close();
  });

  async function send(method: 'GET' | 'POST' | 'PUT', url: string, payload?: string, headers: object = AUTH) {
    const response = await t.app.inject({ method, url, headers: headers as Record<string, string>, payload });
    return { status: response.statusCode, body: JSON.parse(response.body) as Record<string, unknown> };
  }

  it.each([
    ['invalid JSON', 'POST', '/api/users', '{"id": ', 400, 'INVALID_JSON'],
    ['an unknown field', 'POST', '/api/users', '{"id": 5, "ratio": 1}', 400, 'VALIDATION_FAILED'],
    ['an unknown user', 'GET', '/api/users/424242', undefined, 404, 'USER_NOT_FOUND'],
    ['an unknown route', 'GET', '/api/nothing', undefined, 404, 'NOT_FOUND'],
    ['a path that is not valid percent-encoding', 'GET', '/api/users/%ZZ', undefined, 400, 'INVALID_URL'],
  ] as const)('answers %s with {statusCode, code, message}', async (_, method, url, payload, status, code) => {
    const { status: actual, body } = await send(method, url, payload);
    expect(actual).toBe(status);
    expect(body).toEqual(expect.objectContaining({ statusCode: status, code, message: expect.any(String) }));
  });

  it('answers 401 with the UNAUTHORIZED code', async () => {
    const { status, body } = await send('GET', '/api/stats', undefined, {});
    expect(status).toBe(401);
    expect(body).toEqual({ statusCode: 401, code: 'UNAUTHORIZED', message: expect.any(String) });
  });

  it('answers 409 with the conflict code and names the field of a validation error', async () => {
    await send('POST', '/api/users', '{"id": 7}');
    expect((await send('POST', '/api/users', '{"id": 7}')).body.code).toBe('USER_EXISTS');
    expect((await send('POST', '/api/users', '{"id": 8, "passkey": "short"}')).body).toMatchObject({
      code: 'VALIDATION_FAILED',
      field: 'passkey',
    });
  });

  it('answers 400, not 500, for a NUL character in a client name', async () => {
    const { status, body } = await send('POST', '/api/clients', JSON.stringify({ prefix: '-qB', name: 'a\u0000b' }));
    expect(status).toBe(400);
    expect(body).toMatchObject({ code: 'VALIDATION_FAILED', field: 'name' });
  });

  it.each([
    ['arrays', '['.repeat(1500) + ']'.repeat(1500)],
    ['objects', '{"a":'.repeat(1500) + '1' + '}'.repeat(1500)],
  ])('answers 400, not 500, for JSON %s nested 1,500 deep', async (_, payload) => {
    for (const url of ['/api/users', '/api/clients']) {
      const { status, body } = await send('POST', url, payload);
      expect(status).toBe(400);
      expect(body.code).toBe('INVALID_JSON');
    }
  });

  it.each(['0x1', '1e0', '+1', '%201', '0b1', '1.0'])('reads user ids as decimal only: %s is 400', async (id) => {
    const { status, body } = await send('GET', `/api/users/${id}`);
    expect(status).toBe(400);
    expect(body).toMatchObject({ code: 'VALIDATION_FAILED', field: 'id' });
  });

  it('logs no error line for request bodies aborted before any token check', async () => {
    const server = t.app.getHttpServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const errors = [jest.spyOn(Logger.prototype, 'error'), jest.spyOn(Logger, 'error')];
    try {
      const port = (server.address() as { port: number }).port;
      for (let i = 0; i < 5; i++) {
        await abortMidBody(port, '/api/users');
      }
      // A later request on a fresh connection is answered after the aborted ones were handled.
      expect((await fetch(`http://127.0.0.1:${port}/api/stats`)).status).toBe(401);
      for (const spy of errors) {
        expect(spy).not.toHaveBeenCalled();
      }
    } finally {
      errors.forEach((spy) => spy.mockRestore());
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
