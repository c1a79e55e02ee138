import type { DynamicModule, Type } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppModule } from 'src/app.module';
import { trackerFastifyAdapter } from 'src/bootstrap';
import { loadTrackerConfig } from 'src/config/tracker.config';
import { createLogger } from 'src/logging/create-logger';
import { TEST_ADMIN_TOKEN } from 'test/support/test-app';
import { createTempDatabase, type TempDatabase } from 'test/support/postgres-database';

export interface TestingModuleApp {
  app: NestFastifyApplication;
  /** `http://127.0.0.1:<port>`: the app listens, as in production (TrackerHttpServer first). */
  address: string;
  /** A plain HTTP GET over a real socket: the raw body. */
  socketGet(path: string, headers?: Record<string, string>): Promise<Buffer>;
  /** The same GET through `app.inject` (Fastify's routing, no socket), from `remoteAddress`. */
  injectGet(path: string, remoteAddress?: string, headers?: Record<string, string>): Promise<Buffer>;
  api(method: 'POST', url: string, body: unknown): Promise<any>;
  close(): Promise<void>;
}

/**
 * The tracker built the Nest testing way, `Test.createTestingModule({ imports: [AppModule.forRoot(env), ...] })`, on
 * bootstrap.ts's own Fastify adapter (or, with `plainAdapter`, a bare `new FastifyAdapter()`, where the Fastify routes
 * answer everything), listening on an ephemeral port; `imports` adds test-only modules.
 */
export async function createTestingModuleApp(
  env: Record<string, string | undefined>,
  imports: (Type | DynamicModule)[] = [],
  { plainAdapter = false }: { plainAdapter?: boolean } = {},
): Promise<TestingModuleApp> {
  const database: TempDatabase = await createTempDatabase('int');
  // ANNOUNCE_PACING off: tests announce one peer many times within seconds (test-app.ts does the same).
  const fullEnv = {
    DATABASE_URL: database.url,
    ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    LOG_LEVEL: 'error',
    ANNOUNCE_PACING: 'off',
    ...env,
  };
  const config = loadTrackerConfig(fullEnv);
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(fullEnv), ...imports] }).compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(
    plainAdapter ? new FastifyAdapter() : trackerFastifyAdapter(config),
    {
      logger: createLogger(config),
    },
  );
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return {
    app,
    address: `http://127.0.0.1:${port}`,
    socketGet: (path, headers) =>
      new Promise((resolve, reject) => {
        const options = { host: '127.0.0.1', port, path, method: 'GET', agent: false, headers };
        const get = httpRequest(options, (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => resolve(Buffer.concat(chunks)));
          response.on('error', reject);
        });
        get.on('error', reject);
        get.end();
      }),
    async injectGet(path, remoteAddress = '127.0.0.1', headers = {}) {
      const response = await app.inject({ method: 'GET', url: path, remoteAddress, headers });
      return response.rawPayload;
    },
    async api(method, url, body) {
      const response = await app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
        payload: body as object,
      });
      return JSON.parse(response.body);
    },
    async close() {
      await app.close();
      await database.drop();
    },
  };
}
