import { randomBytes } from 'node:crypto';
import { AnnouncePolicyPipeline } from 'src/announce/policy/announce-policy.pipeline';
import { IpRangePolicyModule } from 'test/announce/ip-range-policy.module';
import { announceUrl, peerId } from 'test/support/announce-url';
import { Answer } from 'test/support/bencode-answer';
import { TEST_ADMIN_TOKEN } from 'test/support/test-app';
import { createTestingModuleApp, type TestingModuleApp } from 'test/support/testing-module-app';

const auth = () => `Bearer ${TEST_ADMIN_TOKEN}`;

/** Issue 15, dry run: a refusing policy in observe mode only counts what it would refuse. */
describe('announce policies in observe mode (POLICY_MODES)', () => {
  let t: TestingModuleApp;

  beforeAll(async () => {
    t = await createTestingModuleApp(
      {
        POLICY_MODES: 'LeechPermissionPolicy:observe, IpRangePolicy:observe, AbuseBan:observe',
        FAILED_LOOKUP_LIMIT: '1',
      },
      [IpRangePolicyModule.refusing(['127.0.0.0/8'])],
    );
  });

  afterAll(async () => {
    await t.close();
  });

  async function wouldRefuse(policy: string): Promise<number> {
    const metrics = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
    const line = new RegExp(`^tracker_policy_would_refuse_total\\{policy="${policy}"\\} (\\d+)$`, 'm');
    return Number(line.exec(metrics)?.[1] ?? 0);
  }

  it('answers what two observed policies would refuse, counts it per policy, and still enforces the others', async () => {
    expect(t.app.get(AnnouncePolicyPipeline).modeOf('ClientWhitelistPolicy')).toBe('enforce');
    const { passkey } = await t.api('POST', '/api/users', { id: 1, canLeech: false });
    const infoHash = randomBytes(20);
    await t.api('POST', '/api/torrents', { infoHash: infoHash.toString('hex') });

    // A leech from a refused range, by a user who may not leech: both observed, neither refuses.
    const leech = new Answer(await t.injectGet(announceUrl(passkey, { infoHash, peerId: peerId(), left: 100 })));
    expect(leech.failure).toBeUndefined();
    expect(leech.int('incomplete')).toBe(1);
    expect(await wouldRefuse('LeechPermissionPolicy')).toBe(1);
    expect(await wouldRefuse('IpRangePolicy')).toBe(1);

    // A seed from elsewhere: nothing to count.
    const seed = new Answer(
      await t.injectGet(announceUrl(passkey, { infoHash, peerId: peerId(), left: 0 }), '198.51.100.7'),
    );
    expect(seed.failure).toBeUndefined();
    expect(await wouldRefuse('LeechPermissionPolicy')).toBe(1);
    expect(await wouldRefuse('IpRangePolicy')).toBe(1);

    // The client whitelist is enforced as ever.
    await t.api('POST', '/api/clients', { prefix: '-TR4', name: 'Transmission 4' });
    const refused = new Answer(await t.injectGet(announceUrl(passkey, { infoHash, peerId: peerId('-qB4520-') })));
    expect(refused.failure).toBe('Your client is not on the allowed list.');
    expect(await wouldRefuse('ClientWhitelistPolicy')).toBe(0);
  });

  it('bans in observe mode (AbuseBan): the ban is listed, counted, and refuses no one', async () => {
    const { passkey } = await t.api('POST', '/api/users', { id: 2 });
    const infoHash = randomBytes(20);
    await t.api('POST', '/api/torrents', { infoHash: infoHash.toString('hex') });
    const guesser = '198.51.100.9';
    for (let i = 0; i < 2; i++) {
      await t.injectGet(announceUrl(randomBytes(16).toString('hex'), { infoHash, peerId: peerId() }), guesser);
    }
    const answer = new Answer(
      await t.injectGet(announceUrl(passkey, { infoHash, peerId: peerId('-TR4050-') }), guesser),
    ); // the first test's whitelist still holds
    expect(answer.failure).toBeUndefined();
    expect(await wouldRefuse('AbuseBan')).toBe(1);
    const bans = (await t.app.inject({ method: 'GET', url: '/api/bans', headers: { authorization: auth() } })).json<{
      items: { ip: string }[];
    }>();
    expect(bans.items.map(({ ip }) => ip)).toEqual([guesser]);
  });
});
