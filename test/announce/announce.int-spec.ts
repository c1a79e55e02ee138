import { randomBytes } from 'node:crypto';
import { announceUrl, peerId, scrapeUrl, type AnnounceParams } from 'test/support/announce-url';
import { Answer } from 'test/support/bencode-answer';
import { createTestApp, type TestApp } from 'test/support/test-app';

const STORES: [string, Record<string, string>][] = [
  ['memory', {}],
  ['redis', { REDIS_URL: 'redis://127.0.0.1:6379', REDIS_KEY_PREFIX: `test:${randomBytes(4).toString('hex')}:` }],
];

describe.each(STORES)('announce and scrape on the %s peer store (CONTRACT §2-§3)', (_store, storeEnv) => {
  let t: TestApp;
  let seedPk: string;
  let leechPk: string;
  let thirdPk: string;
  let nextUserId = 100;

  async function newUser(fields: Record<string, unknown> = {}): Promise<{ id: number; passkey: string }> {
    const { body } = await t.api('POST', '/api/users', { id: nextUserId++, ...fields });
    return body;
  }

  async function newTorrent(fields: Record<string, unknown> = {}): Promise<Buffer> {
    const infoHash = randomBytes(20);
    await t.api('POST', '/api/torrents', { infoHash: infoHash.toString('hex'), ...fields });
    return infoHash;
  }

  async function announce(passkey: string, params: AnnounceParams, ip = '127.0.0.1'): Promise<Answer> {
    const response = await t.get(announceUrl(passkey, params), ip);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain/);
    return new Answer(response.body);
  }

  beforeAll(async () => {
    t = await createTestApp({
      ...storeEnv,
      NUMWANT_DEFAULT: '3',
      NUMWANT_MAX: '5',
      ANNOUNCE_INTERVAL: '1800',
      MIN_INTERVAL: '900',
      // CONTRACT §2 on its own: some tests announce many clients of one user (the limit has store-rules.int-spec.ts).
      MAX_PEERS_PER_USER_TORRENT: '0',
    });
    seedPk = (await newUser()).passkey;
    leechPk = (await newUser()).passkey;
    thirdPk = (await newUser()).passkey;
  });

  afterAll(async () => {
    await t.close();
  });

  describe('success', () => {
    it('answers with sorted keys, intervals, counts and compact peers of other users', async () => {
      const infoHash = await newTorrent();
      const first = await announce(seedPk, { infoHash, peerId: peerId(), port: 7001, left: 0, event: 'started' });
      expect(first.failure).toBeUndefined();
      expect([...first.dict.keys()]).toEqual([
        'complete',
        'downloaded',
        'incomplete',
        'interval',
        'min interval',
        'peers',
      ]);
      expect(first.int('interval')).toBe(1800);
      expect(first.int('min interval')).toBe(900);
      expect(first.peers).toEqual([]);

      const second = await announce(leechPk, { infoHash, peerId: peerId(), port: 7002, left: 10, event: 'started' });
      expect(second.int('complete')).toBe(1);
      expect(second.int('incomplete')).toBe(1);
      expect(second.int('downloaded')).toBe(0);
      expect(second.peers).toEqual(['127.0.0.1:7001']);
    });

    it("never returns the announcer's own peers, even from another client of the same user", async () => {
      const infoHash = await newTorrent();
      await announce(seedPk, { infoHash, peerId: peerId(), port: 7011, left: 0 });
      const own = await announce(seedPk, { infoHash, peerId: peerId(), port: 7012, left: 5 });
      expect(own.peers).toEqual([]);
      expect(own.int('complete')).toBe(1);
      expect(own.int('incomplete')).toBe(1);
    });

    it('gives a seeder leechers only, and a leecher seeders first', async () => {
      const infoHash = await newTorrent();
      await announce(seedPk, { infoHash, peerId: peerId(), port: 7021, left: 0 });
      await announce(leechPk, { infoHash, peerId: peerId(), port: 7022, left: 5 });
      const seeder = await announce(thirdPk, { infoHash, peerId: peerId(), port: 7023, left: 0 });
      expect(seeder.peerPorts).toEqual([7022]);
      const leecher = await announce(thirdPk, { infoHash, peerId: peerId(), port: 7024, left: 5, numwant: 5 });
      expect(leecher.peerPorts).toEqual([7021, 7022]);
    });

    it('applies the numwant default and cap', async () => {
      const infoHash = await newTorrent();
      for (let port = 7100; port < 7108; port++) {
        await announce(seedPk, { infoHash, peerId: peerId(), port, left: 0 });
      }
      expect((await announce(leechPk, { infoHash, peerId: peerId(), left: 1 })).peers).toHaveLength(3);
      expect((await announce(leechPk, { infoHash, peerId: peerId(), left: 1, numwant: 50 })).peers).toHaveLength(5);
      expect((await announce(leechPk, { infoHash, peerId: peerId(), left: 1, numwant: 1 })).peers).toHaveLength(1);
    });

    it('removes a stopped peer and gives it no peers', async () => {
      const infoHash = await newTorrent();
      const id = peerId();
      await announce(seedPk, { infoHash, peerId: peerId(), port: 7031, left: 0 });
      await announce(leechPk, { infoHash, peerId: id, port: 7032, left: 5 });
      const stopped = await announce(leechPk, { infoHash, peerId: id, port: 7032, left: 5, event: 'stopped' });
      expect(stopped.peers).toEqual([]);
      expect(stopped.int('incomplete')).toBe(0);
      expect((await t.api('GET', `/api/torrents/${infoHash.toString('hex')}`)).body.leechers).toEqual({
        count: 0,
        users: [],
      });
    });

    it('sends IPv6 peers in peers6 and counts IPv4-mapped addresses as IPv4', async () => {
      const infoHash = await newTorrent();
      await announce(seedPk, { infoHash, peerId: peerId(), port: 7041, left: 0 }, '2001:db8::7');
      await announce(seedPk, { infoHash, peerId: peerId(), port: 7042, left: 0 }, '::ffff:10.1.2.3');
      const answer = await announce(leechPk, { infoHash, peerId: peerId(), left: 5, numwant: 5 });
      expect(answer.peers).toEqual(['10.1.2.3:7042']);
      const peers6 = answer.dict.get('peers6') as Buffer;
      expect(peers6.subarray(0, 16).toString('hex')).toBe('20010db8000000000000000000000007');
      expect(peers6.readUInt16BE(16)).toBe(7041);
    });

    it('answers non-compact requests with peer dicts, with or without peer ids', async () => {
      const infoHash = await newTorrent();
      const seedId = peerId('-TR3000-');
      await announce(seedPk, { infoHash, peerId: seedId, port: 7051, left: 0 });
      const withIds = await announce(leechPk, { infoHash, peerId: peerId(), left: 5, compact: 0 });
      const [peer] = withIds.dict.get('peers') as Map<string, unknown>[];
      expect((peer.get('ip') as Buffer).toString()).toBe('127.0.0.1');
      expect(peer.get('port')).toBe(7051);
      expect(peer.get('peer id')).toEqual(seedId);
      const withoutIds = await announce(leechPk, { infoHash, peerId: peerId(), left: 5, compact: 0, noPeerId: true });
      expect((withoutIds.dict.get('peers') as Map<string, unknown>[])[0].has('peer id')).toBe(false);
    });

    it('ignores ip, ipv4 and ipv6 parameters: a client never chooses its own address', async () => {
      const infoHash = await newTorrent();
      await announce(seedPk, {
        infoHash,
        peerId: peerId(),
        port: 7061,
        left: 0,
        extra: 'ip=1.2.3.4&ipv4=5.6.7.8&ipv6=%3A%3A1',
      });
      const answer = await announce(leechPk, { infoHash, peerId: peerId(), left: 5 });
      expect(answer.peers).toEqual(['127.0.0.1:7061']);
    });

    it('takes lowercase escapes and unescaped characters as real clients send them', async () => {
      const infoHash = await newTorrent();
      const lowerHash = [...infoHash].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');
      const url = `/${seedPk}/announce?info_hash=${lowerHash}&peer_id=-qB4520-Io0w1dtC94)U&port=7071&uploaded=0&downloaded=0&left=0&corrupt=0&key=8483F8F7&event=started&numwant=200&compact=1&no_peer_id=1&supportcrypto=1&redundant=0`;
      const answer = new Answer((await t.get(url)).body);
      expect(answer.failure).toBeUndefined();
      const peers = (await t.api('GET', `/api/torrents/${infoHash.toString('hex')}/peers`)).body;
      expect(peers).toEqual([
        expect.objectContaining({
          peerId: Buffer.from('-qB4520-Io0w1dtC94)U').toString('hex'),
          port: 7071,
          seeder: true,
          client: '-qB4520-',
        }),
      ]);
    });
  });

  describe('failures: HTTP 200, a failure reason with intervals, and nothing changes', () => {
    async function expectFailure(url: string, reason: RegExp): Promise<Answer> {
      const response = await t.get(url);
      expect(response.status).toBe(200);
      const answer = new Answer(response.body);
      expect(answer.failure).toMatch(reason);
      expect(answer.int('interval')).toBe(1800);
      expect(answer.int('min interval')).toBe(900);
      return answer;
    }

    it.each([
      ['a missing passkey', '/announce?info_hash=x', /passkey/i],
      ['a short passkey', '/abc/announce', /passkey/i],
      ['a passkey with bad characters', `/${'-'.repeat(32)}/announce`, /passkey/i],
      ['a path that is not valid percent-encoding', '/%ZZ/announce?info_hash=x', /Malformed URL/],
      ['a scrape path that is not valid percent-encoding', '/%E0%A4%A/scrape', /Malformed URL/],
    ])('refuses %s', async (_name, url, reason) => {
      await expectFailure(url, reason);
    });

    it('refuses an unknown passkey', async () => {
      const infoHash = await newTorrent();
      await expectFailure(announceUrl('Q'.repeat(32), { infoHash, peerId: peerId() }), /Unknown passkey/);
    });

    it.each([
      ['info_hash missing', { infoHash: undefined }, /Missing info_hash/],
      ['info_hash of 19 bytes', { infoHash: randomBytes(19) }, /Invalid info_hash/],
      ['peer_id of 21 bytes', { peerId: randomBytes(21) }, /Invalid peer_id/],
      ['port 0', { port: 0 }, /port/],
      ['port 70000', { port: 70000 }, /port/],
      ['port text', { port: 'abc' }, /port/],
      ['uploaded negative', { uploaded: '-5' }, /uploaded/],
      ['downloaded missing', { downloaded: '' }, /downloaded/],
      ['left as a float', { left: '1.5' }, /left/],
      ['an unknown event', { event: 'done' }, /event/],
    ])('refuses %s', async (_name, override, reason) => {
      const infoHash = await newTorrent();
      const params = { infoHash, peerId: peerId(), ...override } as AnnounceParams;
      const url = params.infoHash
        ? announceUrl(seedPk, params)
        : announceUrl(seedPk, { ...params, infoHash: Buffer.alloc(0) }).replace('info_hash=&', '');
      await expectFailure(url, reason);
      expect((await t.api('GET', `/api/torrents/${infoHash.toString('hex')}/peers`)).body).toEqual([]);
    });

    it('refuses an unknown torrent, and a deleted one for good (BEP 31 retry in never)', async () => {
      await expectFailure(announceUrl(seedPk, { infoHash: randomBytes(20), peerId: peerId() }), /not registered/);
      const infoHash = await newTorrent();
      await announce(seedPk, { infoHash, peerId: peerId(), left: 0 });
      await t.api('DELETE', `/api/torrents/${infoHash.toString('hex')}`);
      const answer = await expectFailure(announceUrl(seedPk, { infoHash, peerId: peerId() }), /deleted/);
      expect((answer.dict.get('retry in') as Buffer).toString()).toBe('never');
    });

    it('refuses a disabled user at once, and lets it back when enabled', async () => {
      const user = await newUser();
      const infoHash = await newTorrent();
      await announce(user.passkey, { infoHash, peerId: peerId() });
      await t.api('PATCH', `/api/users/${user.id}`, { enabled: false });
      await expectFailure(announceUrl(user.passkey, { infoHash, peerId: peerId() }), /disabled/);
      await t.api('PATCH', `/api/users/${user.id}`, { enabled: true });
      expect((await announce(user.passkey, { infoHash, peerId: peerId() })).failure).toBeUndefined();
    });

    it('refuses a leecher whose user may not leech, but lets it seed', async () => {
      const user = await newUser({ canLeech: false });
      const infoHash = await newTorrent();
      await expectFailure(
        announceUrl(user.passkey, { infoHash, peerId: peerId(), left: 100 }),
        /not allowed to download/,
      );
      expect((await t.api('GET', `/api/torrents/${infoHash.toString('hex')}`)).body.leechers.count).toBe(0);
      expect((await announce(user.passkey, { infoHash, peerId: peerId(), left: 0 })).failure).toBeUndefined();
    });

    it('fails the old passkey at once after a rotation, and after a user is deleted, whose peers leave', async () => {
      const user = await newUser();
      const infoHash = await newTorrent();
      await announce(user.passkey, { infoHash, peerId: peerId(), left: 0 });
      const { body } = await t.api('POST', `/api/users/${user.id}/passkey`, {});
      await expectFailure(announceUrl(user.passkey, { infoHash, peerId: peerId() }), /Unknown passkey/);
      expect((await announce(body.passkey, { infoHash, peerId: peerId(), left: 0 })).failure).toBeUndefined();
      expect((await t.api('GET', `/api/torrents/${infoHash.toString('hex')}`)).body.seeders.count).toBe(2);
      await t.api('DELETE', `/api/users/${user.id}`);
      await expectFailure(announceUrl(body.passkey, { infoHash, peerId: peerId() }), /Unknown passkey/);
      expect((await t.api('GET', `/api/torrents/${infoHash.toString('hex')}`)).body.seeders).toEqual({
        count: 0,
        users: [],
      });
    });

    it('refuses clients outside a non-empty whitelist', async () => {
      const infoHash = await newTorrent();
      await t.api('POST', '/api/clients', { prefix: '-qB', name: 'qBittorrent' });
      try {
        await expectFailure(announceUrl(seedPk, { infoHash, peerId: peerId('-XX0001-') }), /client/);
        expect((await announce(seedPk, { infoHash, peerId: peerId('-qB4520-') })).failure).toBeUndefined();
      } finally {
        await t.api('DELETE', '/api/clients/-qB');
      }
      expect((await announce(seedPk, { infoHash, peerId: peerId('-XX0001-') })).failure).toBeUndefined();
    });
  });

  describe('scrape', () => {
    it('answers files keyed by raw info hash, leaving unknown hashes out, with flags', async () => {
      const known = await newTorrent();
      await announce(seedPk, { infoHash: known, peerId: peerId(), left: 0 });
      await announce(leechPk, { infoHash: known, peerId: peerId(), left: 9 });
      const quiet = await newTorrent();
      const response = await t.get(scrapeUrl(seedPk, [known, quiet, randomBytes(20)]));
      const answer = new Answer(response.body);
      const files = answer.dict.get('files') as Map<string, Map<string, number>>;
      expect([...files.keys()].sort()).toEqual([known.toString('latin1'), quiet.toString('latin1')].sort());
      expect(Object.fromEntries(files.get(known.toString('latin1'))!)).toEqual({
        complete: 1,
        downloaded: 0,
        incomplete: 1,
      });
      expect(Object.fromEntries(files.get(quiet.toString('latin1'))!)).toEqual({
        complete: 0,
        downloaded: 0,
        incomplete: 0,
      });
      expect((answer.dict.get('flags') as Map<string, number>).get('min_request_interval')).toBe(900);
    });

    it('refuses a full scrape, too many hashes and an unknown passkey', async () => {
      expect(new Answer((await t.get(`/${seedPk}/scrape`)).body).failure).toMatch(/full scrape/);
      const many = Array.from({ length: 101 }, () => randomBytes(20));
      expect(new Answer((await t.get(scrapeUrl(seedPk, many))).body).failure).toMatch(/at most 100/);
      expect(new Answer((await t.get(scrapeUrl('Q'.repeat(32), [randomBytes(20)]))).body).failure).toMatch(/passkey/);
    });
  });
});
