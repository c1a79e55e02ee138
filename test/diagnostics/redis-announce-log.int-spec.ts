import { Redis, type Cluster } from 'ioredis';
import { decodeLogEntry, encodeLogEntry, type LoggedOutcome } from 'src/diagnostics/announce-log-entry.util';
import { RedisAnnounceLog } from 'src/diagnostics/redis-announce-log';
import { deleteKeys, newPrefix } from 'test/peers/redis-store-behaviour';
import { REDIS_URL, stopTestCluster, testCluster } from 'test/support/peer-store-envs';

const OUTCOME: LoggedOutcome = {
  result: 'ok',
  sentence: null,
  retryIn: null,
  warning: null,
  policy: null,
  wouldRefuse: null,
  family: 'ipv4',
};

afterAll(async () => {
  await stopTestCluster();
});

/** Many users' entries written in one flush: one script call on a single Redis, one per user on a Cluster. */
describe.each(['redis', 'redis cluster'])('the Redis announce log on %s', (name) => {
  let client: Redis | Cluster;
  const prefix = newPrefix();

  beforeAll(async () => {
    client = name === 'redis' ? new Redis(REDIS_URL, { enableAutoPipelining: true }) : (await testCluster()).client();
  });

  afterAll(async () => {
    await deleteKeys(client, prefix);
    await client.quit();
  });

  it("keeps each user's last entries, latest first, across flushes, and expires a quiet user's list", async () => {
    const log = new RedisAnnounceLog(client, prefix, 3, 60_000);
    // Each entry's time tells it apart: the user id, then 1 to 4 in the order written.
    const record = (user: number, order: number) => log.record(user, user * 10 + order, null, OUTCOME);
    const times = async (user: number) => (await log.read(user)).map((text) => decodeLogEntry(text)!.time);
    for (let user = 1; user <= 700; user++) {
      record(user, 1);
      record(user, 2);
    }
    await log.flush();
    for (let user = 1; user <= 700; user++) {
      record(user, 3);
      record(user, 4);
    }
    expect(await times(1)).toEqual([14, 13, 12]);
    expect(await times(700)).toEqual([7004, 7003, 7002]);
    expect(await times(701)).toEqual([]);
    const ttl = await client.pttl(`${prefix}announces:350`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('reads the binary entries it writes and the JSON entries of earlier builds in one list', async () => {
    const log = new RedisAnnounceLog(client, prefix, 5, 60_000);
    const request = {
      infoHash: '0123456789abcdef0123456789abcdef01234567',
      event: 'started' as const,
      peerId: Buffer.from('-TR4100-\r\n\u0000ghijklmn', 'latin1'),
      port: 6881,
      uploaded: 10,
      downloaded: 20,
      left: 30,
    };
    const refused: LoggedOutcome = { ...OUTCOME, result: 'too_soon', sentence: 'Wait — 30 s', retryIn: 1 };
    await client.lpush(`${prefix}announces:9001`, encodeLogEntry(1, request, OUTCOME));
    log.record(9001, 2, request, refused);
    log.record(9001, 3, null, OUTCOME);
    const entries = (await log.read(9001)).map((text) => decodeLogEntry(text));
    expect(entries.map((entry) => entry?.time)).toEqual([3, 2, 1]);
    expect(entries[1]).toEqual(decodeLogEntry(encodeLogEntry(2, request, refused)));
    expect(entries[2]).toEqual(decodeLogEntry(encodeLogEntry(1, request, OUTCOME)));
  });

  it('drops an entry it cannot write, without throwing or spoiling the entries around it', async () => {
    const log = new RedisAnnounceLog(client, prefix, 5, 60_000);
    const request = {
      infoHash: 'ff'.repeat(20),
      event: 'none' as const,
      peerId: Buffer.from('-qB4650-abcdefghijkl'),
      port: 70_000,
      uploaded: 2 ** 53 - 1,
      downloaded: 0,
      left: 0,
    };
    log.record(9002, 1, null, OUTCOME);
    expect(() => log.record(9002, 2, request, OUTCOME)).not.toThrow();
    log.record(9002, 3, { ...request, port: 65_535 }, OUTCOME);
    const entries = (await log.read(9002)).map((text) => decodeLogEntry(text));
    expect(entries.map((entry) => entry?.time)).toEqual([3, 1]);
    expect(entries[0]).toMatchObject({ port: 65_535, uploaded: 2 ** 53 - 1 });
  });
});
