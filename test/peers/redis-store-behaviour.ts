import type { Cluster, Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import type { PendingAccount } from 'src/peers/peer-store.types';
import { RedisPeerStore, type RedisPeerStoreOptions } from 'src/peers/redis/redis-peer-store';
import { RedisKeys } from 'src/peers/redis/redis-keys';
import { scanKeys } from 'src/peers/redis/redis-scan.util';
import {
  announce,
  drainLedger,
  ledgerKey,
  newInfoHash,
  peerIdOf,
  portOf,
  returnedPorts,
  sorted,
} from 'test/peers/contract/contract-fixtures';
import { sleep } from 'test/support/wait-for';

const peerTtlSeconds = 2700;

export function newPrefix(): string {
  return `test:${randomBytes(6).toString('hex')}:`;
}

/** Deletes every key under `prefix`, key by key (on a Cluster they live in many slots). */
export async function deleteKeys(client: Redis | Cluster, prefix: string): Promise<void> {
  await scanKeys(client, `${prefix}*`, async (keys) => {
    await Promise.all(keys.map((key) => client.del(key)));
  });
}

/**
 * What the shared contract cannot see: several instances on one Redis, crashes between commands, restarts,
 * and bounded expiry. Runs on a single Redis and on a Cluster.
 */
export function describeRedisStoreBehaviour(name: string, getClient: () => Redis | Cluster): void {
  describe(`RedisPeerStore on ${name}`, () => {
    let prefix: string;
    let stores: RedisPeerStore[] = [];
    const t0 = Date.now();
    const storeOf = (options: Partial<RedisPeerStoreOptions> = {}) => {
      const store = new RedisPeerStore(getClient(), { peerTtlSeconds, keyPrefix: prefix, ...options });
      stores.push(store);
      return store;
    };

    beforeEach(() => {
      prefix = newPrefix();
    });

    afterEach(async () => {
      await Promise.all(stores.map((store) => store.onModuleDestroy()));
      stores = [];
      await deleteKeys(getClient(), prefix);
    });

    it('admits exactly MAX_PEERS_PER_USER_TORRENT new peers racing through several instances', async () => {
      const instances = [1, 2, 3].map(() => storeOf({ rules: { maxPeersPerUserTorrent: 2 } }));
      const ih = newInfoHash();
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, n) =>
          announce(instances[n % 3], { infoHash: ih, userId: 7, n, left: 1, now: t0 }),
        ),
      );
      expect(results.filter((r) => r.refused === undefined)).toHaveLength(2);
      expect(await instances[0].swarmPeers(ih, t0)).toHaveLength(2);
    });

    it('keeps peers and their baselines across a tracker restart', async () => {
      const ih = newInfoHash();
      await announce(storeOf(), { infoHash: ih, userId: 1, uploaded: 100, left: 5, now: t0 });
      const restarted = storeOf();
      const r = await announce(restarted, { infoHash: ih, userId: 2, left: 0, uploaded: 0, now: t0 + 1 });
      expect([r.complete, r.incomplete]).toEqual([1, 1]);
      await announce(restarted, { infoHash: ih, userId: 1, uploaded: 160, left: 5, now: t0 + 2 });
      expect((await drainLedger(restarted)).get(ledgerKey(1, ih))?.uploaded).toBe(60);
    });

    it('puts every account in exactly one batch when instances claim concurrently', async () => {
      const writer = storeOf();
      const hashes = Array.from({ length: 60 }, () => newInfoHash());
      for (const [i, ih] of hashes.entries()) {
        await announce(writer, { infoHash: ih, userId: 1 + (i % 3), uploaded: 0, now: t0 });
        await announce(writer, { infoHash: ih, userId: 1 + (i % 3), uploaded: 10, now: t0 + 1 });
      }
      const claimers = [storeOf(), storeOf(), storeOf()];
      const seen: PendingAccount[] = [];
      await Promise.all(
        claimers.map(async (store) => {
          for (;;) {
            const batch = await store.claimPending(7);
            if (!batch) {
              return;
            }
            seen.push(...batch.accounts);
            await store.ackPending(batch.id);
          }
        }),
      );
      expect(seen).toHaveLength(60);
      expect(new Set(seen.map((a) => ledgerKey(a.userId, a.infoHash))).size).toBe(60);
      expect(seen.every((a) => a.uploaded === 10)).toBe(true);
    });

    it('lets another instance take over a batch only after its lease, with the same id and accounts', async () => {
      const ih = newInfoHash();
      const first = storeOf({ batchLeaseMs: 600 });
      const second = storeOf({ batchLeaseMs: 600 });
      await announce(first, { infoHash: ih, userId: 1, uploaded: 0, now: t0 });
      await announce(first, { infoHash: ih, userId: 1, uploaded: 42, now: t0 + 1 });
      const claimed = await first.claimPending(100);
      expect(claimed?.accounts).toHaveLength(1);

      expect(await second.claimPending(100)).toBeNull();
      await sleep(700);
      const taken = await second.claimPending(100);
      expect(taken).toEqual(claimed);

      await second.ackPending(taken?.id ?? '');
      // The first instance's lease was taken over and acknowledged: it does not hand the batch out again.
      expect(await first.claimPending(100)).toBeNull();
    });

    it('finds a pending ledger whose dirty mark was lost in a crash', async () => {
      const ih = newInfoHash();
      const crashed = storeOf();
      await announce(crashed, { infoHash: ih, userId: 1, uploaded: 0, now: t0 });
      await getClient().del(`${prefix}{~}:dirty`);
      const batch = await storeOf().claimPending(100);
      expect(batch?.accounts.map((a) => ledgerKey(a.userId, a.infoHash))).toEqual([ledgerKey(1, ih)]);
    });

    it('answers announces sent together after Redis forgot its scripts (a restart, SCRIPT FLUSH)', async () => {
      const ih = newInfoHash();
      const store = storeOf();
      await announce(store, { infoHash: ih, userId: 1, left: 0, now: t0 });
      const client = getClient();
      // Harmless to anyone else on this Redis: every client reloads a script it finds missing.
      await Promise.all(('nodes' in client ? client.nodes('master') : [client]).map((node) => node.script('FLUSH')));
      const results = await Promise.all(
        [2, 3, 4].map((userId) => announce(store, { infoHash: ih, userId, left: 10, now: t0 + 1 })),
      );
      expect(results.map((r) => r.incomplete).sort()).toEqual([1, 2, 3]);
      const after = await announce(store, { infoHash: ih, userId: 5, left: 10, now: t0 + 2 });
      expect([after.complete, after.incomplete, after.peers.compact4.length]).toEqual([1, 4, 4 * 6]);
    });

    it('fails only the announce whose swarm Redis refuses, when announces are sent together', async () => {
      const [broken, healthy] = [newInfoHash(), newInfoHash()];
      const store = storeOf();
      await getClient().set(new RedisKeys(prefix).swarm(broken).seeders, 'not a sorted set');
      const [refused, answered] = await Promise.allSettled([
        announce(store, { infoHash: broken, userId: 1, left: 0, now: t0 }),
        announce(store, { infoHash: healthy, userId: 2, left: 0, now: t0 }),
      ]);
      expect(refused).toMatchObject({ status: 'rejected', reason: { message: expect.stringContaining('WRONGTYPE') } });
      expect(answered).toMatchObject({ status: 'fulfilled', value: { complete: 1, incomplete: 0 } });
    });

    it('keeps an expiry on a set recreated when its only member moves to another port', async () => {
      const ih = newInfoHash();
      const store = storeOf();
      await announce(store, { infoHash: ih, userId: 1, left: 0, now: t0 });
      // Same TTL period: no renewal is due, but moving the lone member empties the set and ZADD makes a new key.
      await announce(store, { infoHash: ih, userId: 1, left: 0, now: t0 + 1000, port: portOf(1) + 1 });
      const swarm = new RedisKeys(prefix).swarm(ih);
      expect(await getClient().zcard(swarm.seeders)).toBe(1);
      expect(await getClient().pttl(swarm.seeders)).toBeGreaterThan(0);
    });

    it("keeps an expiry on a user's leeches hash first written by a live leecher's refresh", async () => {
      const ih = newInfoHash();
      const store = storeOf();
      const userId = 7;
      // Leeching before the user has download slots: nothing is listed yet.
      await announce(store, { infoHash: ih, userId, left: 10, now: t0 });
      // Slots set later: the live leecher's next announce of a new minute lists it, in the same TTL period.
      await announce(store, { infoHash: ih, userId, left: 10, now: t0 + 61_000, downloadSlots: 5 });
      const leeching = new RedisKeys(prefix).leeching(userId);
      expect(await getClient().hlen(leeching)).toBe(1);
      expect(await getClient().pttl(leeching)).toBeGreaterThan(0);
    });

    it('prunes a bounded number of silent peers per announce and lets idle swarms expire', async () => {
      const ih = newInfoHash();
      const store = storeOf();
      for (let u = 1; u <= 6; u++) {
        await announce(store, { infoHash: ih, userId: u, left: 0, now: t0 });
      }
      const later = t0 + peerTtlSeconds * 1000 + 1;
      const r = await announce(store, { infoHash: ih, userId: 9, left: 5, now: later });
      expect([r.complete, r.incomplete]).toEqual([0, 1]);
      const swarm = new RedisKeys(prefix).swarm(ih);
      expect(await getClient().zcard(swarm.seeders)).toBe(4);
      expect(await getClient().pttl(swarm.peers)).toBeGreaterThan(0);
      expect(await getClient().pttl(swarm.leechers)).toBeGreaterThan(0);
      expect(await getClient().pttl(swarm.ledger)).toBe(-1);
    });

    it('treats the next announce of a peer silent for longer than the TTL as its first, pruned yet or not', async () => {
      const ih = newInfoHash();
      const store = storeOf();
      await announce(store, { infoHash: ih, userId: 1, uploaded: 0, left: 0, now: t0 });
      const back = t0 + peerTtlSeconds * 1000 + 1;
      await announce(store, { infoHash: ih, userId: 1, uploaded: 500, left: 0, now: back });
      await announce(store, { infoHash: ih, userId: 1, uploaded: 600, left: 0, now: back + 1000 });
      expect((await drainLedger(store)).get(ledgerKey(1, ih))).toMatchObject({ uploaded: 100, seedTime: 1000 });
      expect(await store.userTorrents(1, back + 1000)).toEqual({ seeding: [ih], leeching: [] });
    });

    it("counts another instance's peers in the totals about a second later", async () => {
      const [a, b] = [storeOf(), storeOf()];
      await announce(a, { infoHash: newInfoHash(), userId: 1, left: 0, now: t0 });
      await announce(a, { infoHash: newInfoHash(), userId: 2, left: 5, now: t0 });
      await sleep(1500);
      expect(await b.totals(t0)).toEqual({ peers: 2, seeders: 1, leechers: 1 });
      expect(await b.totals(t0 + peerTtlSeconds * 1000 + 1000)).toEqual({ peers: 0, seeders: 0, leechers: 0 });
    });

    describe('small swarms kept per instance', () => {
      const counts = (r: { complete: number; incomplete: number }) => [r.complete, r.incomplete];

      it('answers from the members it kept while no instance changed the swarm', async () => {
        const ih = newInfoHash();
        const store = storeOf();
        await announce(store, { infoHash: ih, userId: 1, left: 0, now: t0 });
        await announce(store, { infoHash: ih, userId: 2, left: 5, now: t0 + 1 });
        // The first announce that changes nothing brings the swarm whole.
        await announce(store, { infoHash: ih, userId: 2, left: 5, now: t0 + 2 });
        // Behind the store's back, without a new version: only an answer from kept members still has user 1.
        const swarm = new RedisKeys(prefix).swarm(ih);
        await getClient().zremrangebyrank(swarm.seeders, 0, -1);
        const kept = await announce(store, { infoHash: ih, userId: 2, left: 5, now: t0 + 3 });
        expect([counts(kept), returnedPorts(kept)]).toEqual([[1, 1], [portOf(1)]]);
        await getClient().incr(swarm.version);
        const fresh = await announce(store, { infoHash: ih, userId: 2, left: 5, now: t0 + 4 });
        expect([counts(fresh), returnedPorts(fresh)]).toEqual([[0, 1], []]);
      });

      it('sends a dual-stack peer from kept members by its endpoint still live, once the other went silent', async () => {
        const ih = newInfoHash();
        const store = storeOf();
        const ttl = peerTtlSeconds * 1000;
        const half = ttl / 2;
        await announce(store, { infoHash: ih, userId: 1, left: 0, ip: '127.0.0.1', port: 6881, now: t0 });
        await announce(store, { infoHash: ih, userId: 1, left: 0, ip: '::1', port: 6882, now: t0 + half });
        await announce(store, { infoHash: ih, userId: 2, left: 5, now: t0 + half + 1 });
        await announce(store, { infoHash: ih, userId: 2, left: 5, now: t0 + half + 2 });
        // Behind the store's back: only an answer from kept members still has user 1.
        await getClient().zremrangebyrank(new RedisKeys(prefix).swarm(ih).seeders, 0, -1);
        // The kept member still holds the IPv4 endpoint, silent since t0: the IPv4 requester gets the IPv6 one.
        const kept = await announce(store, { infoHash: ih, userId: 2, left: 5, now: t0 + ttl + 1 });
        expect([counts(kept), kept.peers.compact4.length, returnedPorts(kept)]).toEqual([[1, 1], 0, [6882]]);
      });

      it("sees another instance's joins, stops, moves and role changes at the next announce", async () => {
        const ih = newInfoHash();
        const [a, b] = [storeOf(), storeOf()];
        await announce(a, { infoHash: ih, userId: 1, left: 0, now: t0 });
        await announce(a, { infoHash: ih, userId: 2, left: 5, now: t0 + 1 });
        await announce(a, { infoHash: ih, userId: 2, left: 5, now: t0 + 2 });

        await announce(b, { infoHash: ih, userId: 3, left: 5, now: t0 + 3 });
        const joined = await announce(a, { infoHash: ih, userId: 2, left: 5, now: t0 + 4 });
        expect([counts(joined), sorted(returnedPorts(joined))]).toEqual([
          [1, 2],
          [portOf(1), portOf(3)],
        ]);

        await announce(b, { infoHash: ih, userId: 3, event: 'stopped', now: t0 + 5 });
        const stopped = await announce(a, { infoHash: ih, userId: 2, left: 5, now: t0 + 6 });
        expect([counts(stopped), returnedPorts(stopped)]).toEqual([[1, 1], [portOf(1)]]);

        await announce(b, { infoHash: ih, userId: 1, left: 0, port: 7777, now: t0 + 7 });
        const moved = await announce(a, { infoHash: ih, userId: 2, left: 5, now: t0 + 8 });
        expect(returnedPorts(moved)).toEqual([7777]);

        await announce(b, { infoHash: ih, userId: 1, left: 9, port: 7777, now: t0 + 9 });
        const demoted = await announce(a, { infoHash: ih, userId: 2, left: 5, now: t0 + 10 });
        expect([counts(demoted), returnedPorts(demoted)]).toEqual([[0, 2], [7777]]);
      });

      it("drops a user's peers removed through another instance from what it kept", async () => {
        const ih = newInfoHash();
        const [a, b] = [storeOf(), storeOf()];
        await announce(a, { infoHash: ih, userId: 1, left: 0, now: t0 });
        await announce(a, { infoHash: ih, userId: 2, left: 5, now: t0 + 1 });
        await b.removeUser(1);
        const r = await announce(a, { infoHash: ih, userId: 2, left: 5, now: t0 + 2 });
        expect([counts(r), returnedPorts(r)]).toEqual([[0, 1], []]);
      });

      it('stops answering from kept members once the oldest of them is past the TTL', async () => {
        const ih = newInfoHash();
        const store = storeOf();
        const ttl = peerTtlSeconds * 1000;
        await announce(store, { infoHash: ih, userId: 1, left: 0, now: t0 });
        await announce(store, { infoHash: ih, userId: 2, left: 5, now: t0 + ttl / 2 });
        const live = await announce(store, { infoHash: ih, userId: 2, left: 5, now: t0 + ttl });
        expect([counts(live), returnedPorts(live)]).toEqual([[1, 1], [portOf(1)]]);
        const expired = await announce(store, { infoHash: ih, userId: 2, left: 5, now: t0 + ttl + 1 });
        expect([counts(expired), returnedPorts(expired)]).toEqual([[0, 1], []]);
      });

      it('gives an announce that wants fewer peers than the swarm has a window, not the kept members', async () => {
        const ih = newInfoHash();
        const store = storeOf();
        for (let u = 1; u <= 8; u++) {
          await announce(store, { infoHash: ih, userId: u, left: 0, now: t0 + u });
        }
        await announce(store, { infoHash: ih, userId: 9, left: 5, now: t0 + 10 });
        const seen = new Set<number>();
        for (let i = 0; i < 40; i++) {
          const r = await announce(store, {
            infoHash: ih,
            userId: 9,
            peerId: peerIdOf(9),
            left: 5,
            numwant: 2,
            now: t0 + 11 + i,
          });
          expect(returnedPorts(r)).toHaveLength(2);
          returnedPorts(r).forEach((port) => seen.add(port));
        }
        expect(seen.size).toBeGreaterThan(2);
      });
    });

    it('counts each account near 2^53 exactly across several announces', async () => {
      const ih = newInfoHash();
      const store = storeOf();
      const base = Number.MAX_SAFE_INTEGER - 3000;
      await announce(store, { infoHash: ih, userId: 4000, uploaded: base, downloaded: base, now: t0 });
      for (let i = 1; i <= 3; i++) {
        await announce(store, {
          infoHash: ih,
          userId: 4000,
          uploaded: base + i * 1000,
          downloaded: base + i * 1000,
          uploadFactor: 1,
          downloadFactor: 1,
          now: t0 + i,
        });
      }
      const account = (await drainLedger(store)).get(ledgerKey(4000, ih));
      expect(account).toMatchObject({ uploaded: 3000, downloaded: 3000, rawUploaded: 3000, rawDownloaded: 3000 });
      const [peer] = await store.swarmPeers(ih, t0 + 3);
      expect(peer.uploaded).toBe(Number.MAX_SAFE_INTEGER);
    });
  });
}
