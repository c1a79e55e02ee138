import { randomBytes } from 'node:crypto';
import { announceUrl, peerId, percentEncode } from 'test/support/announce-url';
import { Answer } from 'test/support/bencode-answer';
import { createTestApp, type TestApp } from 'test/support/test-app';

/** Issue 19 §5: unknown keys may cost PostgreSQL, but never the cached users and torrents of real announces. */
describe('a flood of unknown passkeys and info hashes', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({
      LOOKUP_CACHE_MAX_ENTRIES: '100',
      LOOKUP_MISSING_CACHE_MAX_ENTRIES: '100',
      FAILED_LOOKUP_LIMIT: '10',
    });
  });

  afterAll(async () => {
    await t.close();
  });

  it('evicts neither the known user nor the known torrent, and counts scrape lookups', async () => {
    const { passkey } = (await t.api('POST', '/api/users', { id: 1 })).body;
    const infoHash = randomBytes(20);
    await t.api('POST', '/api/torrents', { infoHash: infoHash.toString('hex') });
    const announce = async () => {
      const { body } = await t.get(announceUrl(passkey, { infoHash, peerId: peerId(), left: 10 }));
      expect(new Answer(body).failure).toBeUndefined();
    };
    await announce(); // both are cached now

    const missesBefore = await lookupCount(t, 'torrent', 'miss');
    for (let i = 0; i < 30; i++) {
      // From 30 addresses, each below the failed-lookup limit: this tests the cache, not the limit.
      const from = `10.1.0.${i}`;
      const hashes = Array.from({ length: 100 }, () => `info_hash=${percentEncode(randomBytes(20))}`);
      expect((await t.get(`/${passkey}/scrape?${hashes.join('&')}`, from)).status).toBe(200);
      const unknown = randomBytes(16).toString('hex');
      const { body } = await t.get(announceUrl(unknown, { infoHash, peerId: peerId() }), from);
      expect(new Answer(body).failure).toMatch(/passkey/i);
    }
    // Every scraped hash was looked up and counted.
    expect((await lookupCount(t, 'torrent', 'miss')) - missesBefore).toBe(3000);

    const userMisses = await lookupCount(t, 'user', 'miss');
    const torrentMisses = await lookupCount(t, 'torrent', 'miss');
    await announce();
    expect(await lookupCount(t, 'user', 'miss')).toBe(userMisses);
    expect(await lookupCount(t, 'torrent', 'miss')).toBe(torrentMisses);
  });

  it('refuses an address past FAILED_LOOKUP_LIMIT unknown keys without looking them up, and no other', async () => {
    const { passkey } = (await t.api('POST', '/api/users', { id: 2 })).body;
    const infoHash = randomBytes(20);
    await t.api('POST', '/api/torrents', { infoHash: infoHash.toString('hex') });
    const guesser = '10.2.0.1';
    const missesBefore = await lookupCount(t, 'user', 'miss');
    const failures: string[] = [];
    for (let i = 0; i < 200; i++) {
      const { body } = await t.get(
        announceUrl(randomBytes(16).toString('hex'), { infoHash, peerId: peerId() }),
        guesser,
      );
      failures.push(new Answer(body).failure!);
    }
    // PostgreSQL saw the first 10 guesses and the one past the limit, then none.
    expect((await lookupCount(t, 'user', 'miss')) - missesBefore).toBe(11);
    expect(failures.slice(0, 11).every((failure) => /Unknown passkey/.test(failure))).toBe(true);
    expect(failures.slice(11).every((failure) => /Too many unknown/.test(failure))).toBe(true);
    const refused = new Answer((await t.get(announceUrl(passkey, { infoHash, peerId: peerId() }), guesser)).body);
    expect(refused.failure).toMatch(/Too many unknown/);
    expect(refused.int('retry in')).toBe(10); // ABUSE_BAN_SECONDS' default, 600 s
    // Scrapes are refused too; another address is served.
    const scrape = await t.get(`/${passkey}/scrape?info_hash=${percentEncode(infoHash)}`, guesser);
    expect(new Answer(scrape.body).failure).toMatch(/Too many unknown/);
    const other = new Answer(
      (await t.get(announceUrl(passkey, { infoHash, peerId: peerId(), left: 5 }), '10.2.0.2')).body,
    );
    expect(other.failure).toBeUndefined();
  });
});

async function lookupCount(t: TestApp, cache: 'user' | 'torrent', result: 'hit' | 'miss'): Promise<number> {
  const metrics = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
  const line = new RegExp(`^tracker_lookup_cache_total\\{cache="${cache}",result="${result}"\\} (\\d+)$`, 'm');
  return Number(line.exec(metrics)?.[1] ?? 0);
}
