import { randomBytes } from 'node:crypto';
import { announceUrl, peerId, percentEncode } from 'test/support/announce-url';
import { Answer } from 'test/support/bencode-answer';
import { createTestApp, type TestApp } from 'test/support/test-app';

/** Issue 19 §5: unknown keys may cost PostgreSQL, but never the cached users and torrents of real announces. */
describe('a flood of unknown passkeys and info hashes', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ LOOKUP_CACHE_MAX_ENTRIES: '100', LOOKUP_MISSING_CACHE_MAX_ENTRIES: '100' });
  });

  afterAll(async () => {
    await t.close();
  });

  async function lookupCount(cache: 'user' | 'torrent', result: 'hit' | 'miss'): Promise<number> {
    const metrics = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
    const line = new RegExp(`^tracker_lookup_cache_total\\{cache="${cache}",result="${result}"\\} (\\d+)$`, 'm');
    return Number(line.exec(metrics)?.[1] ?? 0);
  }

  it('evicts neither the known user nor the known torrent, and counts scrape lookups', async () => {
    const { passkey } = (await t.api('POST', '/api/users', { id: 1 })).body;
    const infoHash = randomBytes(20);
    await t.api('POST', '/api/torrents', { infoHash: infoHash.toString('hex') });
    const announce = async () => {
      const { body } = await t.get(announceUrl(passkey, { infoHash, peerId: peerId(), left: 10 }));
      expect(new Answer(body).failure).toBeUndefined();
    };
    await announce(); // both are cached now

    const missesBefore = await lookupCount('torrent', 'miss');
    for (let i = 0; i < 30; i++) {
      const hashes = Array.from({ length: 100 }, () => `info_hash=${percentEncode(randomBytes(20))}`);
      expect((await t.get(`/${passkey}/scrape?${hashes.join('&')}`)).status).toBe(200);
      const unknown = randomBytes(16).toString('hex');
      const { body } = await t.get(announceUrl(unknown, { infoHash, peerId: peerId() }));
      expect(new Answer(body).failure).toMatch(/passkey/i);
    }
    // Every scraped hash was looked up and counted.
    expect((await lookupCount('torrent', 'miss')) - missesBefore).toBe(3000);

    const userMisses = await lookupCount('user', 'miss');
    const torrentMisses = await lookupCount('torrent', 'miss');
    await announce();
    expect(await lookupCount('user', 'miss')).toBe(userMisses);
    expect(await lookupCount('torrent', 'miss')).toBe(torrentMisses);
  });
});
