import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { randomBytes } from 'node:crypto';
import { AnnouncePolicyPipeline } from 'src/announce/policy/announce-policy.pipeline';
import { AppModule } from 'src/app.module';
import { TRACKER_CONFIG, type TrackerConfig } from 'src/config/tracker.config';
import { announceUrl, peerId } from 'test/support/announce-url';
import { Answer } from 'test/support/bencode-answer';
import { createTempDatabase, type TempDatabase } from 'test/support/postgres-database';
import { TEST_ADMIN_TOKEN } from 'test/support/test-app';

/**
 * The root module as any Nest app's: `Test.createTestingModule({ imports: [AppModule] })` boots the whole tracker,
 * configured from the process environment, as `npm start` is.
 */
describe('Test.createTestingModule({ imports: [AppModule] })', () => {
  const set = { ADMIN_TOKEN: TEST_ADMIN_TOKEN, LOG_LEVEL: 'error', ANNOUNCE_INTERVAL: '1234' };
  const saved: Record<string, string | undefined> = {};
  let database: TempDatabase;
  let app: NestFastifyApplication;

  beforeAll(async () => {
    database = await createTempDatabase('int');
    for (const [name, value] of Object.entries({ ...set, DATABASE_URL: database.url })) {
      saved[name] = process.env[name];
      process.env[name] = value;
    }
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), { logger: false });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });

  afterAll(async () => {
    await app?.close();
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) {
        delete process.env[name];
      } else {
        process.env[name] = value;
      }
    }
    await database.drop();
  });

  it('reads its configuration from the process environment', () => {
    expect(app.get<TrackerConfig>(TRACKER_CONFIG)).toMatchObject({ announceInterval: 1234, databaseUrl: database.url });
  });

  it('has every module: the admin API, the announce core and its policies, announce and scrape', async () => {
    expect(app.get(AnnouncePolicyPipeline).order).toEqual([
      'LeechPermissionPolicy',
      'ClientWhitelistPolicy',
      'ClientBlockListPolicy',
      'ClientUserAgentPolicy',
    ]);
    const headers = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
    const user = await app.inject({ method: 'POST', url: '/api/users', headers, payload: { id: 1 } });
    expect(user.statusCode).toBe(201);
    const infoHash = randomBytes(20);
    const torrent = { infoHash: infoHash.toString('hex') };
    expect((await app.inject({ method: 'POST', url: '/api/torrents', headers, payload: torrent })).statusCode).toBe(
      201,
    );
    const path = announceUrl(user.json<{ passkey: string }>().passkey, { infoHash, peerId: peerId(), left: 0 });
    const answer = new Answer((await app.inject({ method: 'GET', url: path })).rawPayload);
    expect(answer.failure).toBeUndefined();
    expect(answer.int('interval')).toBe(1234);
    expect(answer.int('complete')).toBe(1);
  });
});
