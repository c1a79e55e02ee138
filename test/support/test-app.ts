import { randomBytes } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { inject } from 'light-my-request';
import { createTrackerApp } from 'src/bootstrap';
import { REDIS_URL } from 'test/support/peer-store-envs';
import { createTempDatabase, type TempDatabase } from 'test/support/postgres-database';

export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789';

export interface TestApp {
  app: NestFastifyApplication;
  database: TempDatabase;
  /** GET/POST/PATCH/DELETE on the admin API with the bearer token; JSON in, parsed JSON out. */
  api(
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    body?: unknown,
  ): Promise<{ status: number; body: any }>;
  /** A raw GET (announce, scrape), from `remoteAddress`, with these request headers. */
  get(
    url: string,
    remoteAddress?: string,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: Buffer; headers: Record<string, unknown> }>;
  close(): Promise<void>;
}

/**
 * The whole tracker in-process on a fresh PostgreSQL database (real migrations), driven through injected requests.
 * `env` adds to or overrides the defaults (memory peer store, ADMIN_TOKEN set). A second instance can share the
 * first one's `database`; the database is dropped by the instance that created it.
 */
export async function createTestApp(
  env: Record<string, string | undefined> = {},
  shared?: { database: TempDatabase },
): Promise<TestApp> {
  const database = shared?.database ?? (await createTempDatabase('int'));
  const { app } = await createTrackerApp({
    DATABASE_URL: database.url,
    ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    LOG_LEVEL: 'error',
    FLUSH_INTERVAL_MS: '100',
    // Tests announce one peer many times within seconds; the suites of the pacing rule turn it on themselves.
    ANNOUNCE_PACING: 'off',
    ...env,
  });
  return {
    app,
    database,
    async api(method, url, body) {
      const response = await app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
        ...(body === undefined ? {} : { payload: body as object }),
      });
      return { status: response.statusCode, body: response.body ? JSON.parse(response.body) : undefined };
    },
    async get(url, remoteAddress = '127.0.0.1', headers = {}) {
      // Through the server's own request listener, which answers announce and scrape before Fastify: the path of a
      // connection handed to Node's parser. Connections read by TrackerConnection are tested over TCP
      // (tracker-http-server.spec.ts, the real-client e2e).
      const server = app.getHttpServer();
      const listener = (request: unknown, response: unknown) => server.emit('request', request, response);
      const response = await inject(listener, { method: 'GET', url, remoteAddress, headers });
      return { status: response.statusCode, body: response.rawPayload, headers: response.headers };
    },
    async close() {
      await app.close();
      if (!shared) {
        await database.drop();
      }
    },
  };
}

/**
 * Two instances sharing one PostgreSQL database and one Redis (under a fresh key prefix), with an hour-long lookup
 * cache TTL: what `writer` changes through the admin API reaches `reader` only by the invalidation bus (CONTRACT §5
 * "at once"). `env` adds to both. Close the reader first: the writer drops the database.
 */
export async function createInstancePair(
  env: Record<string, string> = {},
): Promise<{ writer: TestApp; reader: TestApp }> {
  const shared = {
    REDIS_URL,
    REDIS_KEY_PREFIX: `test:${randomBytes(4).toString('hex')}:`,
    LOOKUP_CACHE_TTL_MS: '3600000',
    ...env,
  };
  const writer = await createTestApp(shared);
  const reader = await createTestApp(shared, { database: writer.database });
  return { writer, reader };
}
