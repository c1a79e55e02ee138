import { randomBytes } from 'node:crypto';
import { announceUrl, peerId, scrapeUrl } from 'test/support/announce-url';
import { Answer } from 'test/support/bencode-answer';
import { createTestingModuleApp, type TestingModuleApp } from 'test/support/testing-module-app';

describe.each([
  ['on bootstrap.ts adapter (the socket read by TrackerHttpServer)', false],
  ['on a plain FastifyAdapter (the socket reaches the Fastify routes)', true],
])('app.inject answers announce and scrape byte for byte as the socket does, %s', (_name, plainAdapter) => {
  let t: TestingModuleApp;
  let passkey: string;
  let infoHash: Buffer;

  beforeAll(async () => {
    t = await createTestingModuleApp({ ANNOUNCE_INTERVAL: '1800', MIN_INTERVAL: '900' }, [], { plainAdapter });
    passkey = (await t.api('POST', '/api/users', { id: 1 })).passkey;
    infoHash = randomBytes(20);
    await t.api('POST', '/api/torrents', { infoHash: infoHash.toString('hex') });
  });

  afterAll(async () => {
    await t.close();
  });

  async function bothWays(path: string): Promise<{ socket: Buffer; injected: Buffer }> {
    const injected = await t.injectGet(path);
    const socket = await t.socketGet(path);
    return { socket, injected };
  }

  it('a refusal (unknown passkey, then a malformed one)', async () => {
    for (const key of ['0'.repeat(32), 'short']) {
      const { socket, injected } = await bothWays(announceUrl(key, { infoHash, peerId: peerId() }));
      expect(new Answer(socket).failure).toBeDefined();
      expect(injected).toEqual(socket);
    }
  });

  it('an announce with numwant=0, the same peer both times', async () => {
    const path = announceUrl(passkey, { infoHash, peerId: peerId(), port: 6881, left: 0, numwant: 0 });
    await t.injectGet(path); // the peer exists before both compared answers
    const { socket, injected } = await bothWays(path);
    const answer = new Answer(socket);
    expect(answer.failure).toBeUndefined();
    expect(answer.int('complete')).toBe(1);
    expect(injected).toEqual(socket);
  });

  it('a scrape', async () => {
    const { socket, injected } = await bothWays(scrapeUrl(passkey, [infoHash]));
    expect(new Answer(socket).failure).toBeUndefined();
    expect(injected).toEqual(socket);
  });
});
