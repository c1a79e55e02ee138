/**
 * Memory per freeleech token (user × torrent promotion) in the lookup cache: builds U user snapshots the way the
 * LookupService does (toUserSnapshot from the database's rows), once without tokens and once with T tokens each
 * (half of them timed), and compares the heap plus external memory (typed arrays' backing stores) after full GCs.
 * Then times the token lookup an announce makes (a user holding tokens: one hash-table probe or two, for a torrent
 * it holds a token on and for one it does not).
 *
 *   node --expose-gc scripts/bench/promotion-memory.js [users=100000] [tokensPerUser=20]
 */
import { randomBytes } from 'node:crypto';
import { toUserSnapshot } from 'src/lookup/lookup-snapshots.util';
import type { UserSnapshot } from 'src/lookup/lookup.types';
import { PromotionScan } from 'src/lookup/promotion-windows';
import type { PromotionWindowRow } from 'src/storage/repositories/promotions.repository';

const [users = 100_000, perUser = 20] = process.argv.slice(2).map(Number);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  throw new Error('run with node --expose-gc');
}

function used(): number {
  for (let i = 0; i < 4; i++) {
    gc!();
  }
  const memory = process.memoryUsage();
  return memory.heapUsed + memory.external;
}

const user = (id: number): UserSnapshot => ({
  id,
  enabled: true,
  canLeech: true,
  uploadMultiplier: 1,
  downloadMultiplier: 1,
  downloadSlots: null,
});
const tokenRows = (passkey: string): PromotionWindowRow[] =>
  Array.from({ length: perUser }, (_, i) => ({
    id: i + 1,
    key: passkey,
    infoHash: randomBytes(20).toString('hex'),
    uploadFactor: 1,
    downloadFactor: 0,
    startsAt: i % 2 === 0 ? null : 1_800_000_000_000,
    endsAt: i % 2 === 0 ? null : 1_800_086_400_000,
  }));

const baseline = used();
const plain = Array.from({ length: users }, (_, id) => toUserSnapshot(user(id + 1)));
const withoutTokens = used();

// Rows are built per user and dropped, as a reload does: only the snapshots stay.
const promoted = Array.from({ length: users }, (_, id) => toUserSnapshot(user(id + 1), tokenRows(`p${id}`)));
const withTokens = used();

const tokens = users * perUser;
const perToken = (withTokens - withoutTokens) / tokens;
console.log(
  `${users} users × ${perUser} tokens = ${tokens} tokens: ` +
    `${((withTokens - withoutTokens) / 2 ** 20).toFixed(1)} MiB, ${perToken.toFixed(1)} bytes/token ` +
    `(users without tokens: ${((withoutTokens - baseline) / users).toFixed(1)} bytes/user)`,
);

// The announce's cost: one lookup among the user's tokens, for a hash it holds and one it does not.
const scan = new PromotionScan();
const held = promoted.map((snapshot) => snapshot.tokens!.infoHashes.slice(0, 40));
const missing = randomBytes(20).toString('hex');
const rounds = 2_000_000;
const started = process.hrtime.bigint();
let hits = 0;
for (let n = 0; n < rounds; n++) {
  const snapshot = promoted[n % users];
  scan.reset();
  scan.addTokens(snapshot.tokens!, n % 2 === 0 ? held[n % users] : missing, 1_800_000_000_000);
  hits += scan.download === 0 ? 1 : 0;
}
const ns = Number(process.hrtime.bigint() - started) / rounds;
console.log(`token lookup: ${ns.toFixed(0)} ns per announce (${hits} of ${rounds} found a token)`);
console.log(`kept ${plain.length + promoted.length} snapshots`);
