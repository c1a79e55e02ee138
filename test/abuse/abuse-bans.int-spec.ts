import { randomBytes } from 'node:crypto';
import { RedisConnection } from 'src/redis/redis-connection';
import { deleteKeys } from 'test/peers/redis-store-behaviour';
import { announceUrl, peerId } from 'test/support/announce-url';
import { Answer } from 'test/support/bencode-answer';
import { PEER_STORE_ENVS, stopTestCluster, testCluster } from 'test/support/peer-store-envs';
import { createTestApp, type TestApp } from 'test/support/test-app';
import { sleep, waitFor } from 'test/support/wait-for';

const BAN_SECONDS = 3;
const TOO_MANY = /Too many unknown passkeys/;

afterAll(async () => {
  await stopTestCluster();
});

/** Issue 15, abuse bans: past FAILED_LOOKUP_LIMIT unknown keys, an address is banned for ABUSE_BAN_SECONDS. */
describe.each(PEER_STORE_ENVS)('abuse bans on the $name store', (store) => {
  const shared = store.name !== 'memory';
  let a: TestApp;
  let b: TestApp;
  let env: Record<string, string>;
  let passkey: string;
  const infoHash = randomBytes(20);

  beforeAll(async () => {
    if (store.name === 'redis cluster') {
      await testCluster();
    }
    env = { ...store.env(), FAILED_LOOKUP_LIMIT: '3', FAILED_LOOKUP_WINDOW: '60', ABUSE_BAN_SECONDS: `${BAN_SECONDS}` };
    a = await createTestApp(env);
    b = await createTestApp(env, { database: a.database });
    passkey = (await a.api('POST', '/api/users', { id: 1 })).body.passkey;
    await a.api('POST', '/api/torrents', { infoHash: infoHash.toString('hex') });
  }, 60_000);

  afterAll(async () => {
    if (shared) {
      await deleteKeys(a.app.get(RedisConnection).client, env.REDIS_KEY_PREFIX);
    }
    await b?.close();
    await a?.close();
  });

  async function failure(t: TestApp, from: string, key = passkey): Promise<string | undefined> {
    const { body } = await t.get(announceUrl(key, { infoHash, peerId: peerId(), left: 0 }), from);
    return new Answer(body).failure;
  }

  async function guess(t: TestApp, from: string): Promise<string | undefined> {
    return failure(t, from, randomBytes(16).toString('hex'));
  }

  async function bannedOn(t: TestApp): Promise<string[]> {
    const { body } = await t.api('GET', '/api/bans');
    return (body as { items: { ip: string }[] }).items.map((ban) => ban.ip);
  }

  it('bans an address past the limit, without a lookup, and lists it', async () => {
    const guesser = '10.9.0.1';
    for (let i = 0; i < 4; i++) {
      expect(await guess(a, guesser)).toMatch(/Unknown passkey/);
    }
    expect(await failure(a, guesser)).toMatch(TOO_MANY);
    const refused = new Answer((await a.get(announceUrl(passkey, { infoHash, peerId: peerId() }), guesser)).body);
    expect(refused.int('retry in')).toBe(1);
    expect(await failure(a, '10.9.0.99')).toBeUndefined();

    const { body } = await a.api('GET', '/api/bans');
    expect(body.items).toEqual([{ ip: guesser, since: expect.any(String), until: expect.any(String), failures: 4 }]);
    const { since, until } = body.items[0] as { since: string; until: string };
    expect(Date.parse(until) - Date.parse(since)).toBe(BAN_SECONDS * 1000);
  });

  it(shared ? 'is seen by a second instance' : 'is per instance: a second instance serves the address', async () => {
    const guesser = '10.9.0.1';
    if (!shared) {
      expect(await failure(b, guesser)).toBeUndefined();
      expect(await bannedOn(b)).toEqual([]);
      return;
    }
    await waitFor(async () => (TOO_MANY.test((await failure(b, guesser)) ?? '') ? true : undefined), {
      description: 'the second instance to refuse the banned address',
      timeoutMs: 2000,
      intervalMs: 20,
    });
    expect(await bannedOn(b)).toEqual([guesser]);
  });

  if (shared) {
    it('counts the failures of every instance together', async () => {
      const guesser = '10.9.0.2';
      for (const t of [a, b, a, b]) {
        expect(await guess(t, guesser)).toMatch(/Unknown passkey/);
      }
      await waitFor(async () => (TOO_MANY.test((await failure(a, guesser)) ?? '') ? true : undefined), {
        description: 'the address to be banned after 4 failures on two instances',
        timeoutMs: 2000,
        intervalMs: 20,
      });
      expect(await failure(b, guesser)).toMatch(TOO_MANY);
    });
  }

  it('is lifted by DELETE /api/bans/:ip, on every instance within a second', async () => {
    const guesser = '10.9.0.3';
    for (let i = 0; i < 4; i++) {
      await guess(a, guesser);
    }
    expect(await failure(a, guesser)).toMatch(TOO_MANY);
    if (shared) {
      // Staff lift a ban they see listed: by then it is in Redis (the first instance writes it after its answer).
      await waitFor(async () => ((await bannedOn(b)).includes(guesser) ? true : undefined), {
        description: 'the ban to be listed by the second instance',
        timeoutMs: 2000,
        intervalMs: 20,
      });
    }
    const lifted = await b.api('DELETE', `/api/bans/${guesser}`);
    expect(lifted.status).toBe(shared ? 204 : 404);
    if (!shared) {
      // Per instance: each instance lifts its own.
      expect((await a.api('DELETE', `/api/bans/${guesser}`)).status).toBe(204);
    }
    await waitFor(async () => ((await failure(a, guesser)) === undefined ? true : undefined), {
      description: 'the lift to reach the first instance',
      timeoutMs: 1000,
      intervalMs: 20,
    });
    expect(await bannedOn(a)).not.toContain(guesser);
    const again = await a.api('DELETE', `/api/bans/${guesser}`);
    expect(again).toMatchObject({ status: 404, body: { code: 'BAN_NOT_FOUND', field: 'ip' } });
    // Its failures were forgotten with the ban: one more is not a ban.
    await guess(a, guesser);
    expect(await failure(a, guesser)).toBeUndefined();
  });

  it('expires after ABUSE_BAN_SECONDS', async () => {
    const guesser = '10.9.0.4';
    for (let i = 0; i < 4; i++) {
      await guess(a, guesser);
    }
    expect(await failure(a, guesser)).toMatch(TOO_MANY);
    const ban = ((await a.api('GET', '/api/bans')).body as { items: { ip: string; until: string }[] }).items.find(
      ({ ip }) => ip === guesser,
    )!;
    await sleep(Math.max(0, Date.parse(ban.until) - Date.now()) + 50);
    expect(await failure(a, guesser)).toBeUndefined();
    expect(await failure(b, guesser)).toBeUndefined();
    expect(await bannedOn(a)).not.toContain(guesser);
    expect(await bannedOn(b)).not.toContain(guesser);
  });

  it('bans an IPv6 /64 and lifts it by the listed form or by any address in it', async () => {
    for (let i = 0; i < 4; i++) {
      await guess(a, `2001:db8:0:1::${i + 1}`);
    }
    expect(await failure(a, '2001:db8:0:1:ffff::9')).toMatch(TOO_MANY);
    expect(await failure(a, '2001:db8:0:2::1')).toBeUndefined();
    expect(await bannedOn(a)).toContain('2001:db8:0:1::/64');
    expect((await a.api('DELETE', '/api/bans/2001:db8:0:1::%2F64')).status).toBe(204);
    expect(await failure(a, '2001:db8:0:1:ffff::9')).toBeUndefined();
    for (let i = 0; i < 4; i++) {
      await guess(a, `2001:db8:0:1::${i + 1}`);
    }
    expect((await a.api('DELETE', '/api/bans/2001:db8:0:1::77')).status).toBe(204);
    expect(await failure(a, '2001:db8:0:1::1')).toBeUndefined();
  });

  it('answers 400 for an address that is none', async () => {
    const { status, body } = await a.api('DELETE', '/api/bans/not-an-address');
    expect(status).toBe(400);
    expect(body).toMatchObject({ code: 'VALIDATION_FAILED', field: 'ip' });
  });
});
