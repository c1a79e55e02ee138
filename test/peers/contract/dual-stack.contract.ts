import {
  announce,
  drainLedger,
  ledgerKey,
  newInfoHash,
  type ContractContext,
  type PeerSpec,
} from 'test/peers/contract/contract-fixtures';
import type { AnnounceResult } from 'src/peers/peer-store.types';

const V4 = '127.0.0.1';
const V6 = '::1';
const PORT4 = 6881;
const PORT6 = 6882;

/** The IPv4 and IPv6 endpoints (ip:port text) an answer carries, in answer order. */
function endpointsIn(result: AnnounceResult): { peers: string[]; peers6: string[] } {
  const peers: string[] = [];
  const peers6: string[] = [];
  const { compact4, compact6 } = result.peers;
  for (let i = 0; i < compact4.length; i += 6) {
    peers.push(`${[...compact4.subarray(i, i + 4)].join('.')}:${compact4.readUInt16BE(i + 4)}`);
  }
  for (let i = 0; i < compact6.length; i += 18) {
    peers6.push(`${compact6.toString('hex', i, i + 16)}:${compact6.readUInt16BE(i + 16)}`);
  }
  return { peers, peers6 };
}

/** ::1 as endpointsIn writes it. */
const LOOPBACK6 = `${'0'.repeat(31)}1:${PORT6}`;

/**
 * Dual-stack peers (issue 15, README: dual-stack peers): one peer (user, torrent, peer_id) that announces from
 * 127.0.0.1 and ::1 keeps one endpoint per family, each expiring on its own, and one accounting baseline.
 */
export function describeDualStackContract(ctx: ContractContext): void {
  describe('dual-stack peers', () => {
    /** User 1's client, over IPv4 or IPv6: the same peer id, another port per family (as Transmission has). */
    const dualPeer = (
      ih: string,
      ipv6: boolean,
      spec: Omit<PeerSpec, 'infoHash' | 'userId'>,
    ): Promise<AnnounceResult> =>
      announce(ctx.store, { infoHash: ih, userId: 1, ip: ipv6 ? V6 : V4, port: ipv6 ? PORT6 : PORT4, ...spec });
    /** Another user's leechers asking over IPv4 or IPv6 (two clients of one user: neither gets the other). */
    const requester = (ih: string, ipv6: boolean, now: number): Promise<AnnounceResult> =>
      announce(ctx.store, {
        infoHash: ih,
        userId: 2,
        n: ipv6 ? 1 : 0,
        ip: ipv6 ? '2001:db8::2' : '10.0.0.2',
        left: 5,
        now,
      });

    it('keeps both endpoints live and counts the peer once; IPv4 requesters get it in peers, IPv6 ones in peers6', async () => {
      const ih = newInfoHash();
      await dualPeer(ih, false, { left: 0, now: ctx.t0 });
      const second = await dualPeer(ih, true, { left: 0, now: ctx.t0 + 1000 });
      expect([second.complete, second.incomplete]).toEqual([1, 0]);
      const asked4 = await requester(ih, false, ctx.t0 + 2000);
      expect([asked4.complete, asked4.incomplete]).toEqual([1, 1]);
      expect(endpointsIn(asked4)).toEqual({ peers: [`${V4}:${PORT4}`], peers6: [] });
      const asked6 = await requester(ih, true, ctx.t0 + 3000);
      expect(endpointsIn(asked6)).toEqual({ peers: [], peers6: [LOOPBACK6] });
      expect(await ctx.store.totals(ctx.t0 + 3000)).toEqual({ peers: 3, seeders: 1, leechers: 2 });
      // Announcing again over IPv4 does not make it forget the IPv6 endpoint (no flapping).
      await dualPeer(ih, false, { left: 0, now: ctx.t0 + 4000 });
      expect(endpointsIn(await requester(ih, true, ctx.t0 + 5000)).peers6).toEqual([LOOPBACK6]);
      expect(endpointsIn(await requester(ih, false, ctx.t0 + 5000)).peers).toEqual([`${V4}:${PORT4}`]);
    });

    it('keeps one baseline: totals reported over both families are credited exactly once', async () => {
      const ih = newInfoHash();
      await dualPeer(ih, false, { left: 100, uploaded: 1000, downloaded: 10, now: ctx.t0 });
      // libtorrent and Transmission announce over both at once, with the same totals: nothing to credit.
      await dualPeer(ih, true, { left: 100, uploaded: 1000, downloaded: 10, now: ctx.t0 + 500 });
      await dualPeer(ih, false, { left: 50, uploaded: 3000, downloaded: 60, now: ctx.t0 + 60_000 });
      await dualPeer(ih, true, { left: 50, uploaded: 3000, downloaded: 60, now: ctx.t0 + 60_500 });
      // The IPv6 announce moved the baseline: the next IPv4 one is credited from it, not from its own last totals.
      await dualPeer(ih, true, { left: 0, uploaded: 4000, downloaded: 110, now: ctx.t0 + 120_000 });
      await dualPeer(ih, false, { left: 0, uploaded: 4500, downloaded: 110, now: ctx.t0 + 120_500 });
      const account = (await drainLedger(ctx.store)).get(ledgerKey(1, ih));
      expect(account).toMatchObject({ uploaded: 3500, downloaded: 100, rawUploaded: 3500, rawDownloaded: 100 });
      expect(account?.lastIp).toBe(V4);
      // Seed time from the one baseline's time too: the 500 ms between its two seeding announces, once.
      expect(account?.seedTime).toBe(500);
      const swarm = await requester(ih, false, ctx.t0 + 121_000);
      expect([swarm.complete, swarm.incomplete]).toEqual([1, 1]);
    });

    it('expires each endpoint on its own, and the peer with the last of them', async () => {
      const ih = newInfoHash();
      const half = Math.floor(ctx.ttlMs / 2);
      await dualPeer(ih, false, { left: 0, now: ctx.t0 });
      await dualPeer(ih, true, { left: 0, now: ctx.t0 + half });
      // The IPv4 endpoint went silent: IPv4 requesters get the live IPv6 one; the peer still counts once.
      const afterV4 = ctx.t0 + ctx.ttlMs + 1;
      const asked4 = await requester(ih, false, afterV4);
      expect(endpointsIn(asked4)).toEqual({ peers: [], peers6: [LOOPBACK6] });
      expect([asked4.complete, asked4.incomplete]).toEqual([1, 1]);
      const listed = (await ctx.store.swarmPeers(ih, afterV4)).find((p) => p.userId === 1);
      expect(listed?.endpoints).toEqual([{ ip: V6, port: PORT6, family: 'ipv6', lastSeen: ctx.t0 + half }]);
      expect([listed?.ip, listed?.port]).toEqual([V6, PORT6]);
      // The IPv4 endpoint comes back with the next IPv4 announce, beside the IPv6 one.
      await dualPeer(ih, false, { left: 0, now: afterV4 + 1 });
      expect(endpointsIn(await requester(ih, false, afterV4 + 2)).peers).toEqual([`${V4}:${PORT4}`]);
      expect(endpointsIn(await requester(ih, true, afterV4 + 2)).peers6).toEqual([LOOPBACK6]);
      // Now the IPv6 one goes silent while IPv4 stays: IPv6 requesters get the IPv4 endpoint.
      const afterV6 = ctx.t0 + half + ctx.ttlMs + 1;
      expect(endpointsIn(await requester(ih, true, afterV6))).toEqual({ peers: [`${V4}:${PORT4}`], peers6: [] });
      // And once both are silent the peer is gone.
      const afterBoth = afterV4 + 1 + ctx.ttlMs + 1;
      expect((await ctx.store.swarmPeers(ih, afterBoth)).filter((p) => p.userId === 1)).toEqual([]);
      expect(await ctx.store.swarmUsers(ih, afterBoth)).toEqual({ seeders: [], leechers: [2] });
    });

    it('lists both endpoints of a dual-stack peer in the admin view, most recently seen first', async () => {
      const ih = newInfoHash();
      await dualPeer(ih, true, { left: 7, uploaded: 11, now: ctx.t0 });
      await dualPeer(ih, false, { left: 7, uploaded: 11, now: ctx.t0 + 10 });
      const peers = await ctx.store.swarmPeers(ih, ctx.t0 + 20);
      expect(peers).toHaveLength(1);
      expect(peers[0]).toMatchObject({ userId: 1, ip: V4, port: PORT4, seeder: false, left: 7, uploaded: 11 });
      expect(peers[0].lastAnnounce).toBe(ctx.t0 + 10);
      expect(peers[0].endpoints).toEqual([
        { ip: V4, port: PORT4, family: 'ipv4', lastSeen: ctx.t0 + 10 },
        { ip: V6, port: PORT6, family: 'ipv6', lastSeen: ctx.t0 },
      ]);
      expect(await ctx.store.swarmUsers(ih, ctx.t0 + 20)).toEqual({ seeders: [], leechers: [1] });
    });

    it('removes the peer, both endpoints, on stopped from either family', async () => {
      for (const stopOverIpv6 of [false, true]) {
        const ih = newInfoHash();
        await dualPeer(ih, false, { left: 5, now: ctx.t0 });
        await dualPeer(ih, true, { left: 5, now: ctx.t0 + 1 });
        const stopped = await dualPeer(ih, stopOverIpv6, { left: 5, event: 'stopped', now: ctx.t0 + 2 });
        expect([stopped.complete, stopped.incomplete]).toEqual([0, 0]);
        expect(await ctx.store.swarmPeers(ih, ctx.t0 + 3)).toEqual([]);
        const asked = await requester(ih, !stopOverIpv6, ctx.t0 + 3);
        expect(endpointsIn(asked)).toEqual({ peers: [], peers6: [] });
      }
    });

    it('drops a dual-stack peer, both endpoints, with its user or its torrent', async () => {
      for (const remove of ['user', 'torrent'] as const) {
        const ih = newInfoHash();
        await dualPeer(ih, false, { left: 0, now: ctx.t0 });
        await dualPeer(ih, true, { left: 0, now: ctx.t0 + 1 });
        await (remove === 'user' ? ctx.store.removeUser(1) : ctx.store.removeTorrent(ih));
        expect(await ctx.store.swarmPeers(ih, ctx.t0 + 2)).toEqual([]);
        const asked = await requester(ih, true, ctx.t0 + 2);
        expect([asked.complete, endpointsIn(asked)]).toEqual([0, { peers: [], peers6: [] }]);
        expect(await ctx.store.totals(ctx.t0 + 2)).toEqual({ peers: 1, seeders: 0, leechers: 1 });
        await ctx.store.removeTorrent(ih);
      }
    });

    it('moves the peer between seeders and leechers once, whichever family reports it', async () => {
      const ih = newInfoHash();
      await dualPeer(ih, false, { left: 5, now: ctx.t0 });
      await dualPeer(ih, true, { left: 5, now: ctx.t0 + 1 });
      const done = await dualPeer(ih, true, { left: 0, downloaded: 5, event: 'completed', now: ctx.t0 + 2 });
      expect([done.complete, done.incomplete]).toEqual([1, 0]);
      const again = await dualPeer(ih, false, { left: 0, downloaded: 5, now: ctx.t0 + 3 });
      expect([again.complete, again.incomplete]).toEqual([1, 0]);
      expect(await ctx.store.totals(ctx.t0 + 3)).toEqual({ peers: 1, seeders: 1, leechers: 0 });
    });

    it('paces each family against its own previous announce: a dual-stack client is never refused for it', async () => {
      const store = await ctx.withRules({ pacing: 'strict', minIntervalMs: 900_000 });
      const ih = newInfoHash();
      const over = (ipv6: boolean, uploaded: number, now: number) =>
        announce(store, { infoHash: ih, userId: 1, ip: ipv6 ? V6 : V4, port: ipv6 ? PORT6 : PORT4, uploaded, now });
      await over(false, 0, ctx.t0);
      // The first announce over IPv6 brings a new endpoint: not too soon, and not a duplicate either.
      expect((await over(true, 100, ctx.t0 + 1000)).refused).toBeUndefined();
      // Each interval the client announces over both, a second apart.
      expect((await over(false, 200, ctx.t0 + 1_800_000)).refused).toBeUndefined();
      expect((await over(true, 300, ctx.t0 + 1_801_000)).refused).toBeUndefined();
      // Too soon over one family is still refused, measured from that family's previous announce.
      expect((await over(true, 400, ctx.t0 + 1_802_000)).refused).toEqual({ rule: 'pacing', retryInMs: 899_000 });
      expect((await drainLedger(store)).get(ledgerKey(1, ih))?.uploaded).toBe(300);
    });

    it('writes the endpoint of a same-totals announce over the other family, which a duplicate never is', async () => {
      const store = await ctx.withRules({ pacing: 'lenient', minIntervalMs: 900_000 });
      const ih = newInfoHash();
      await announce(store, { infoHash: ih, userId: 1, ip: V4, port: PORT4, left: 0, uploaded: 9, now: ctx.t0 });
      await announce(store, { infoHash: ih, userId: 1, ip: V6, port: PORT6, left: 0, uploaded: 9, now: ctx.t0 + 100 });
      const asked = await announce(store, { infoHash: ih, userId: 3, ip: '2001:db8::3', left: 5, now: ctx.t0 + 200 });
      expect(endpointsIn(asked).peers6).toEqual([LOOPBACK6]);
      const peer = (await store.swarmPeers(ih, ctx.t0 + 200)).find((p) => p.userId === 1);
      expect(peer?.endpoints.map((e) => e.family)).toEqual(['ipv6', 'ipv4']);
    });
  });
}
