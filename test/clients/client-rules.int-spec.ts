import { inject } from 'light-my-request';
import { randomBytes } from 'node:crypto';
import { UdpTrackerServer } from 'src/announce/udp/udp-tracker.server';
import { announceUrl, peerId, scrapeUrl } from 'test/support/announce-url';
import { Answer } from 'test/support/bencode-answer';
import { createInstancePair, createTestApp, type TestApp } from 'test/support/test-app';
import { createTestingModuleApp, type TestingModuleApp } from 'test/support/testing-module-app';
import { UdpTrackerClient } from 'test/support/udp-tracker-client';
import { sleep } from 'test/support/wait-for';

const QB_425 = '-qB4250-';
const QB_452 = '-qB4520-';

/** The client block list and the User-Agent check (src/clients/), through the real app: the socket and app.inject. */
describe('client rules: the block list and the User-Agent check', () => {
  let t: TestingModuleApp;
  let passkey: string;
  let infoHash: Buffer;
  let port = 7000;

  beforeAll(async () => {
    t = await createTestingModuleApp({ CLIENT_USER_AGENT_CHECK: 'on' });
    passkey = (await t.api('POST', '/api/users', { id: 1 })).passkey;
    infoHash = randomBytes(20);
    await t.api('POST', '/api/torrents', { infoHash: infoHash.toString('hex') });
  });

  afterAll(async () => {
    await t.close();
  });

  async function admin(method: 'GET' | 'POST' | 'DELETE', url: string, body?: unknown) {
    const response = await t.app.inject({
      method,
      url,
      headers: { authorization: 'Bearer test-admin-token-0123456789' },
      ...(body === undefined ? {} : { payload: body as object }),
    });
    return { status: response.statusCode, body: response.body ? JSON.parse(response.body) : undefined };
  }

  /**
   * The failure reason of one announce (undefined: answered) on each path: a real socket (TrackerConnection), the
   * server's request listener (a connection handed to Node's parser) and app.inject (the Fastify route).
   */
  async function failures(prefix: string, headers: Record<string, string> = {}): Promise<(string | undefined)[]> {
    const path = announceUrl(passkey, { infoHash, peerId: peerId(prefix), port: port++, left: 0 });
    const server = t.app.getHttpServer();
    const listener = (request: unknown, response: unknown) => server.emit('request', request, response);
    const handedOver = await inject(listener, { method: 'GET', url: path, remoteAddress: '127.0.0.1', headers });
    return [
      new Answer(await t.socketGet(path, headers)).failure,
      new Answer(handedOver.rawPayload).failure,
      new Answer(await t.injectGet(path, '127.0.0.1', headers)).failure,
    ];
  }

  async function seeders(): Promise<number | undefined> {
    const scrape = new Answer(await t.injectGet(scrapeUrl(passkey, [infoHash])));
    return (scrape.dict.get('files') as Map<string, Map<string, number>>)
      .get(infoHash.toString('latin1'))
      ?.get('complete');
  }

  it('blocks a peer_id prefix, with the entry reason, and the refused announce changes nothing', async () => {
    const before = await seeders();
    const { status, body: entry } = await admin('POST', '/api/blocked-clients', {
      prefix: '-XL',
      reason: 'Xunlei does not seed.',
    });
    expect(status).toBe(201);
    expect(entry).toEqual({
      id: expect.any(Number),
      prefix: '-XL',
      versionFrom: null,
      versionBelow: null,
      reason: 'Xunlei does not seed.',
    });
    expect(await failures('-XL0012-')).toEqual([
      'Your client is blocked: Xunlei does not seed.',
      'Your client is blocked: Xunlei does not seed.',
      'Your client is blocked: Xunlei does not seed.',
    ]);
    expect(await seeders()).toBe(before);
    expect(await failures(QB_452)).toEqual([undefined, undefined, undefined]);

    expect((await admin('DELETE', `/api/blocked-clients/${entry.id}`)).status).toBe(204);
    expect(await failures('-XL0012-')).toEqual([undefined, undefined, undefined]);
  });

  it('blocks only a version range: -qB below 4.3', async () => {
    const { body: entry } = await admin('POST', '/api/blocked-clients', {
      prefix: '-qB',
      versionBelow: '4.3.0',
      reason: 'qBittorrent before 4.3 is not allowed.',
    });
    expect(entry).toMatchObject({ versionFrom: null, versionBelow: '4.3' });
    expect(await failures(QB_425)).toEqual([
      'Your client is blocked: qBittorrent before 4.3 is not allowed.',
      'Your client is blocked: qBittorrent before 4.3 is not allowed.',
      'Your client is blocked: qBittorrent before 4.3 is not allowed.',
    ]);
    expect(await failures('-qB4300-')).toEqual([undefined, undefined, undefined]);
    expect(await failures(QB_452)).toEqual([undefined, undefined, undefined]);
    await admin('DELETE', `/api/blocked-clients/${entry.id}`);
    expect(await failures(QB_425)).toEqual([undefined, undefined, undefined]);
  });

  it('refuses a peer_id whose User-Agent names another client, on every path, and lets matching ones through', async () => {
    expect(await failures(QB_452, { 'user-agent': 'Transmission/4.0.5' })).toEqual([
      'Your client sent a peer_id of one client and a User-Agent of another.',
      'Your client sent a peer_id of one client and a User-Agent of another.',
      'Your client sent a peer_id of one client and a User-Agent of another.',
    ]);

    expect(await failures(QB_452, { 'user-agent': 'qBittorrent/4.5.2' })).toEqual([undefined, undefined, undefined]);
    expect(await failures(QB_452, { 'user-agent': 'curl/8.0' })).toEqual([undefined, undefined, undefined]);
    expect(await failures('-LT1280-', { 'user-agent': 'Transmission/4.0.5' })).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
    expect(await failures(QB_452)).toEqual([undefined, undefined, undefined]);
  });

  it('manages the list through the admin API: list, one entry, 409, 404 and 400 in the shared error shape', async () => {
    const { body: a } = await admin('POST', '/api/blocked-clients', {
      prefix: '-TR',
      versionFrom: '4.0',
      versionBelow: '4.0.5',
      reason: 'r',
    });
    const { body: b } = await admin('POST', '/api/blocked-clients', { prefix: '-TR', reason: 'all' });
    expect((await admin('GET', '/api/blocked-clients')).body).toEqual([a, b]);
    expect(await admin('GET', `/api/blocked-clients/${a.id}`)).toEqual({ status: 200, body: a });

    const duplicate = await admin('POST', '/api/blocked-clients', {
      prefix: '-TR',
      versionFrom: '4.0.0',
      versionBelow: '4.0.5',
      reason: 'again',
    });
    expect(duplicate).toMatchObject({ status: 409, body: { statusCode: 409, code: 'BLOCKED_CLIENT_EXISTS' } });
    expect(await admin('DELETE', '/api/blocked-clients/999999')).toMatchObject({
      status: 404,
      body: { code: 'BLOCKED_CLIENT_NOT_FOUND' },
    });
    expect(await admin('GET', '/api/blocked-clients/abc')).toMatchObject({
      status: 400,
      body: { code: 'VALIDATION_FAILED' },
    });
    for (const [body, field] of [
      [{ prefix: '-TR', versionBelow: '4.x', reason: 'r' }, 'versionBelow'],
      [{ prefix: '-TR', versionFrom: '36', reason: 'r' }, 'versionFrom'],
      [{ prefix: '-TR', versionFrom: '4.3', versionBelow: '4.3', reason: 'r' }, 'versionBelow'],
      [{ prefix: '', reason: 'r' }, 'prefix'],
      [{ prefix: '-TR' }, 'reason'],
    ] as const) {
      expect(await admin('POST', '/api/blocked-clients', body)).toMatchObject({
        status: 400,
        body: { statusCode: 400, code: 'VALIDATION_FAILED', field },
      });
    }
    await admin('DELETE', `/api/blocked-clients/${a.id}`);
    await admin('DELETE', `/api/blocked-clients/${b.id}`);
    expect((await admin('GET', '/api/blocked-clients')).body).toEqual([]);
  });
});

describe('the User-Agent check when off (the default)', () => {
  let t: TestingModuleApp;

  beforeAll(async () => {
    t = await createTestingModuleApp({});
  });

  afterAll(async () => {
    await t.close();
  });

  it("lets a peer_id with another client's User-Agent through", async () => {
    const passkey = (await t.api('POST', '/api/users', { id: 1 })).passkey;
    const infoHash = randomBytes(20);
    await t.api('POST', '/api/torrents', { infoHash: infoHash.toString('hex') });
    const path = announceUrl(passkey, { infoHash, peerId: peerId(QB_452), left: 0 });
    const headers = { 'user-agent': 'Transmission/4.0.5' };
    expect(new Answer(await t.socketGet(path, headers)).failure).toBeUndefined();
    expect(new Answer(await t.injectGet(path, '127.0.0.1', headers)).failure).toBeUndefined();
  });
});

/** CONTRACT §5 "at once": an instance that did not serve the write sees it within a second. */
describe('block-list changes on another instance sharing Redis and PostgreSQL', () => {
  let writer: TestApp;
  let reader: TestApp;

  beforeAll(async () => {
    ({ writer, reader } = await createInstancePair());
  });

  afterAll(async () => {
    await reader.close();
    await writer.close();
  });

  /** The reader's failure once it matches `expected`, polling for at most one second. */
  async function failureOn(url: string, expected: RegExp | undefined): Promise<string | undefined> {
    const deadline = Date.now() + 1000;
    for (;;) {
      const failure = new Answer((await reader.get(url)).body).failure;
      const seen = expected === undefined ? failure === undefined : failure !== undefined && expected.test(failure);
      if (seen || Date.now() > deadline) {
        return failure;
      }
      await sleep(10);
    }
  }

  it('are honoured within a second, adding and removing', async () => {
    const { body: user } = await writer.api('POST', '/api/users', { id: 1 });
    const infoHash = randomBytes(20);
    await writer.api('POST', '/api/torrents', { infoHash: infoHash.toString('hex') });
    const url = announceUrl(user.passkey, { infoHash, peerId: peerId(QB_425), left: 0 });
    // The reader caches the empty block list.
    expect(await failureOn(url, undefined)).toBeUndefined();

    const { body: entry } = await writer.api('POST', '/api/blocked-clients', {
      prefix: '-qB',
      versionBelow: '4.3',
      reason: 'Too old.',
    });
    expect(await failureOn(url, /blocked/)).toBe('Your client is blocked: Too old.');
    await writer.api('DELETE', `/api/blocked-clients/${entry.id}`);
    expect(await failureOn(url, undefined)).toBeUndefined();
  });
});

/** The rules are announce policies, so UDP (BEP 15) announces meet them too; UDP has no User-Agent. */
describe('client rules over UDP', () => {
  let t: TestApp;
  let udp: UdpTrackerClient;

  beforeAll(async () => {
    t = await createTestApp({
      HOST: '127.0.0.1',
      UDP_PORT: '0',
      UDP_SECRET: 'udp-secret-of-the-test-instances',
      CLIENT_USER_AGENT_CHECK: 'on',
    });
    udp = await UdpTrackerClient.open('127.0.0.1', t.app.get(UdpTrackerServer).address()!.port);
  });

  afterAll(async () => {
    await udp?.close();
    await t?.close();
  });

  it('refuses a blocked client with the entry reason, and lets others through without a User-Agent', async () => {
    const { body: user } = await t.api('POST', '/api/users', { id: 1 });
    const infoHash = randomBytes(20);
    await t.api('POST', '/api/torrents', { infoHash: infoHash.toString('hex') });
    await t.api('POST', '/api/blocked-clients', { prefix: '-qB', versionBelow: '4.3', reason: 'Too old.' });
    const announce = async (prefix: string) =>
      udp.announce({
        connectionId: await udp.connect(),
        infoHash,
        peerId: peerId(prefix),
        port: 7100,
        left: 0n,
        urlData: `/${user.passkey}/announce`,
      });
    expect(await announce(QB_425)).toMatchObject({ action: 'error', message: 'Your client is blocked: Too old.' });
    expect(await announce(QB_452)).toMatchObject({ action: 'announce' });
  });
});
