import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { PeerStore } from 'src/peers/peer-store';
import type { PendingLedger } from 'src/peers/memory/pending-ledger';
import type { CheatFlag } from 'src/peers/peer-store.types';
import { LedgerRepository } from 'src/storage/repositories/ledger.repository';
import { announceUrl, peerId } from 'test/support/announce-url';
import { Answer } from 'test/support/bencode-answer';
import { PEER_STORE_ENVS, stopTestCluster, testCluster } from 'test/support/peer-store-envs';
import { FlaggingPolicyModule } from 'test/announce/flagging-policy.module';
import { createTestApp, type TestApp } from 'test/support/test-app';
import { createTestingModuleApp } from 'test/support/testing-module-app';
import { waitFor } from 'test/support/wait-for';

interface FlagRow {
  user_id: number;
  info_hash: string;
  kind: string;
  evidence: CheatFlag['evidence'];
}

afterAll(async () => {
  await stopTestCluster();
}, 30_000);

async function flagRows(t: TestApp): Promise<FlagRow[]> {
  return t.app
    .get(DataSource)
    .query<FlagRow[]>(`SELECT user_id, info_hash, kind, evidence FROM cheat_flags ORDER BY id`);
}

async function register(t: TestApp, id: number) {
  const user = (await t.api('POST', '/api/users', { id })).body as { passkey: string };
  const infoHash = randomBytes(20);
  await t.api('POST', '/api/torrents', { infoHash: infoHash.toString('hex') });
  return { id, passkey: user.passkey, infoHash };
}

describe.each(PEER_STORE_ENVS)('cheat flags reach cheat_flags exactly once, $name peer store', (store) => {
  let t: TestApp;

  beforeAll(async () => {
    if (store.name === 'redis cluster') {
      await testCluster();
    }
    t = await createTestApp({ ...store.env(), CHEAT_POLICY: 'observe', FLUSH_INTERVAL_MS: '100' });
  }, 60_000);

  afterAll(async () => {
    await t?.close();
  });

  it('writes a lone seeder’s upload with its evidence, once, and counts it by kind', async () => {
    const seeder = await register(t, 1);
    const id = peerId();
    for (const uploaded of [0, 4096]) {
      const answer = new Answer(
        (await t.get(announceUrl(seeder.passkey, { infoHash: seeder.infoHash, peerId: id, uploaded, left: 0 }))).body,
      );
      expect(answer.failure).toBeUndefined();
    }
    const [row] = await waitFor(async () => ((await flagRows(t)).length > 0 ? flagRows(t) : undefined), {
      description: 'the flag to be flushed',
      timeoutMs: 10_000,
      intervalMs: 50,
    });
    expect(row).toMatchObject({
      user_id: 1,
      info_hash: seeder.infoHash.toString('hex'),
      kind: 'upload_without_leechers',
      evidence: {
        announce: { peerId: id.toString('hex'), uploaded: 4096, left: 0, event: 'none' },
        previous: { uploaded: 0, left: 0 },
        swarm: { seeders: 1, leechers: 0 },
        withheld: false,
      },
    });
    // Later flushes (another user's credit arriving proves some ran) write it no second time.
    const other = await register(t, 2);
    const otherId = peerId();
    for (const uploaded of [0, 10]) {
      await t.get(announceUrl(other.passkey, { infoHash: other.infoHash, peerId: otherId, uploaded, left: 5 }));
    }
    await waitFor(async () => ((await t.api('GET', '/api/users/2')).body.uploaded === 10 ? true : undefined), {
      description: 'a later flush',
      timeoutMs: 10_000,
      intervalMs: 50,
    });
    const rows = await flagRows(t);
    expect(rows.filter((r) => r.user_id === 1)).toHaveLength(1);
    // The counter counts what was written: user 2, a lone leecher uploading, was flagged too.
    expect(rows.map((r) => [r.user_id, r.kind])).toEqual([
      [1, 'upload_without_leechers'],
      [2, 'upload_without_leechers'],
    ]);
    const metrics = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/^tracker_cheat_flags_total\{kind="upload_without_leechers"\} 2$/m);
  }, 30_000);
});

describe('cheat flags and the batch protocol', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ FLUSH_INTERVAL_MS: '100' });
  });

  afterAll(async () => {
    await t.close();
  });

  const flagOf = (userId: number, infoHash: string): CheatFlag => ({
    userId,
    infoHash,
    kind: 'peer_id_user_agent_mismatch',
    announcedAt: Date.now(),
    evidence: {
      announce: { peerId: '00'.repeat(20), uploaded: 0, downloaded: 0, left: 0, event: 'none' },
      previous: null,
      swarm: { seeders: 0, leechers: 0 },
      uploadRate: 0,
      withheld: false,
    },
  });

  it('a redelivered batch writes its flags once, whatever their kind', async () => {
    const infoHash = randomBytes(20).toString('hex');
    const batch = { id: `test-${randomBytes(6).toString('hex')}`, accounts: [], flags: [flagOf(31, infoHash)] };
    const ledger = t.app.get(LedgerRepository);
    expect((await ledger.apply(batch)).applied).toBe(true);
    expect((await ledger.apply(batch)).applied).toBe(false);
    expect((await flagRows(t)).filter((r) => r.info_hash === infoHash)).toHaveLength(1);
  });

  it('a batch split around a refused account writes its flags once, in a transaction of their own', async () => {
    const victim = await register(t, 41);
    const ledger = t.app.get<PeerStore, { ledger: PendingLedger }>(PeerStore).ledger;
    const infoHash = victim.infoHash.toString('hex');
    // A sum past a bigint: PostgreSQL refuses the batch, which is then written account by account.
    ledger.record(victim.id, infoHash, '127.0.0.1', Date.now(), false, 2 ** 64, 0, 2 ** 64, 0, 0);
    ledger.flag(flagOf(victim.id, infoHash));
    const rows = await waitFor(
      async () => {
        const found = (await flagRows(t)).filter((r) => r.info_hash === infoHash);
        return found.length > 0 ? found : undefined;
      },
      { description: 'the split batch’s flag', timeoutMs: 10_000, intervalMs: 50 },
    );
    expect(rows).toHaveLength(1);
    await waitFor(
      async () => {
        const quarantined: unknown[] = await t.app
          .get(DataSource)
          .query(`SELECT 1 FROM quarantined_accounts WHERE user_id = $1`, [victim.id]);
        return quarantined.length > 0 ? true : undefined;
      },
      { description: 'the refused account to be quarantined', timeoutMs: 10_000, intervalMs: 50 },
    );
    expect((await flagRows(t)).filter((r) => r.info_hash === infoHash)).toHaveLength(1);
  });
});

describe('a flag raised by an announce policy', () => {
  it('reaches cheat_flags with the announce’s evidence, through addFlag', async () => {
    const t = await createTestingModuleApp({ FLUSH_INTERVAL_MS: '100' }, [FlaggingPolicyModule]);
    try {
      const { passkey } = await t.api('POST', '/api/users', { id: 51 });
      const infoHash = randomBytes(20);
      await t.api('POST', '/api/torrents', { infoHash: infoHash.toString('hex') });
      const answer = new Answer(
        await t.socketGet(announceUrl(passkey, { infoHash, peerId: peerId('-XX1000-'), left: 3 })),
      );
      expect(answer.failure).toBeUndefined();
      const rows = await waitFor(
        async () => {
          const found: FlagRow[] = await t.app
            .get(DataSource)
            .query(`SELECT user_id, info_hash, kind, evidence FROM cheat_flags`);
          return found.length > 0 ? found : undefined;
        },
        { description: 'the policy’s flag', timeoutMs: 10_000, intervalMs: 50 },
      );
      expect(rows).toEqual([
        expect.objectContaining({
          user_id: 51,
          info_hash: infoHash.toString('hex'),
          kind: 'peer_id_user_agent_mismatch',
          evidence: expect.objectContaining({ previous: null, announce: expect.objectContaining({ left: 3 }) }),
        }),
      ]);
    } finally {
      await t.close();
    }
  }, 30_000);
});

describe('a peer_id whose User-Agent names another client, with CLIENT_USER_AGENT_CHECK off', () => {
  it('is answered, and raises the user_agent_mismatch flag', async () => {
    const t = await createTestingModuleApp({ FLUSH_INTERVAL_MS: '100', CLIENT_USER_AGENT_CHECK: 'off' });
    try {
      const { passkey } = await t.api('POST', '/api/users', { id: 52 });
      const infoHash = randomBytes(20);
      await t.api('POST', '/api/torrents', { infoHash: infoHash.toString('hex') });
      const url = announceUrl(passkey, { infoHash, peerId: peerId('-qB4520-'), left: 0 });
      const answer = new Answer(await t.socketGet(url, { 'user-agent': 'Transmission/4.0.5' }));
      expect(answer.failure).toBeUndefined();
      const rows = await waitFor(
        async () => {
          const found: FlagRow[] = await t.app.get(DataSource).query(`SELECT user_id, kind FROM cheat_flags`);
          return found.length > 0 ? found : undefined;
        },
        { description: 'the mismatch flag', timeoutMs: 10_000, intervalMs: 50 },
      );
      expect(rows).toEqual([expect.objectContaining({ user_id: 52, kind: 'user_agent_mismatch' })]);
    } finally {
      await t.close();
    }
  }, 30_000);
});
