/**
 * Claims a swarm's pending ledger for a batch: RENAMENX within the slot, so every account lands in exactly one batch
 * and announces after the claim start a new ledger. Refuses once the claimer's lease deadline (Redis TIME, ms) has
 * passed, because another instance may then have taken the batch over and delivered it without this swarm.
 * KEYS: 1 ledger, 2 batch part. ARGV: 1 deadline ms.
 * Returns {1, field, value, ...} when moved, {0} when there was nothing to move, {-1} when refused.
 */
export const CLAIM_LEDGER_LUA = `
if redis.call('EXISTS', KEYS[1]) == 0 then return {0} end
local t = redis.call('TIME')
if tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) >= tonumber(ARGV[1]) then return {-1} end
if redis.call('RENAMENX', KEYS[1], KEYS[2]) == 0 then return {-1} end
local moved = redis.call('HGETALL', KEYS[2])
table.insert(moved, 1, 1)
return moved
`;
