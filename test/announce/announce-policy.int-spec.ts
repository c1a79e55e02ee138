import { randomBytes } from 'node:crypto';
import { AnnouncePolicyPipeline } from 'src/announce/policy/announce-policy.pipeline';
import { IpRangePolicyModule } from 'test/announce/ip-range-policy.module';
import { announceUrl, peerId, scrapeUrl } from 'test/support/announce-url';
import { Answer } from 'test/support/bencode-answer';
import { createTestingModuleApp, type TestingModuleApp } from 'test/support/testing-module-app';

describe('an announce policy from a test-only module (src/announce/README.md, "Writing an announce policy")', () => {
  let t: TestingModuleApp;
  let passkey: string;
  let infoHash: Buffer;

  beforeAll(async () => {
    t = await createTestingModuleApp({}, [IpRangePolicyModule.refusing(['127.0.0.0/8', '2001:db8::/32'])]);
    passkey = (await t.api('POST', '/api/users', { id: 1 })).passkey;
    infoHash = randomBytes(20);
    await t.api('POST', '/api/torrents', { infoHash: infoHash.toString('hex') });
  });

  afterAll(async () => {
    await t.close();
  });

  async function seeders(): Promise<number | undefined> {
    const scrape = new Answer(await t.injectGet(scrapeUrl(passkey, [infoHash])));
    return (scrape.dict.get('files') as Map<string, Map<string, number>>)
      .get(infoHash.toString('latin1'))
      ?.get('complete');
  }

  it('runs in the declared order among the built-in steps', () => {
    expect(t.app.get(AnnouncePolicyPipeline).order).toEqual([
      'LeechPermissionPolicy',
      'IpRangePolicy',
      'ClientWhitelistPolicy',
      'ClientBlockListPolicy',
      'ClientUserAgentPolicy',
      'PromotionPolicy',
    ]);
  });

  it('refuses on the socket path (a real GET) and through app.inject, and the refusal changes nothing', async () => {
    const path = announceUrl(passkey, { infoHash, peerId: peerId(), port: 6881, left: 0 });
    for (const body of [await t.socketGet(path), await t.injectGet(path), await t.injectGet(path, '2001:db8::5')]) {
      const answer = new Answer(body);
      expect(answer.failure).toBe('Announces from your network are not accepted.');
      expect(answer.dict.get('retry in')).toEqual(Buffer.from('never'));
    }
    expect(await seeders()).toBe(0);
  });

  it('lets other addresses through', async () => {
    const path = announceUrl(passkey, { infoHash, peerId: peerId(), port: 6882, left: 0 });
    expect(new Answer(await t.injectGet(path, '198.51.100.7')).failure).toBeUndefined();
    expect(await seeders()).toBe(1);
  });
});
