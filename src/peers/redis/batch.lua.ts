/*
 * Scripts on the tracker-wide `{~}` slot that keep the batch registry: a sorted set of batch ids scored by lease
 * deadline (Redis TIME, ms, so that instances with skewed clocks agree), and one manifest set per batch.
 */
const NOW_MS = `local t = redis.call('TIME')
local nowMs = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/**
 * Opens a batch (ARGV[3] = 1) or adds swarms to one still being built, and extends the lease.
 * Adding fails (0) once the batch is gone (acknowledged) or sealed by an instance that took it over.
 * KEYS: 1 batches zset, 2 manifest. ARGV: 1 id, 2 lease ms, 3 opening (0|1), 4.. info hashes. Returns the deadline.
 */
export const BATCH_ADD_LUA = `${NOW_MS}
if ARGV[3] == '0' then
  if not redis.call('ZSCORE', KEYS[1], ARGV[1]) or redis.call('SISMEMBER', KEYS[2], '!') == 1 then return 0 end
end
local deadline = nowMs + tonumber(ARGV[2])
redis.call('ZADD', KEYS[1], deadline, ARGV[1])
redis.call('SADD', KEYS[2], unpack(ARGV, 4))
return deadline
`;

/** Takes over one batch whose lease ran out. KEYS: 1 batches zset. ARGV: 1 lease ms. Returns its id or nil. */
export const BATCH_TAKE_LUA = `${NOW_MS}
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', nowMs, 'LIMIT', 0, 1)
if #ids == 0 then return false end
redis.call('ZADD', KEYS[1], nowMs + tonumber(ARGV[1]), ids[1])
return ids[1]
`;

/** Extends the lease of a batch this instance holds. KEYS: 1 batches zset. ARGV: 1 id, 2 lease ms. 1 if still there. */
export const BATCH_RENEW_LUA = `${NOW_MS}
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], nowMs + tonumber(ARGV[2]), ARGV[1])
return 1
`;

/**
 * Seals a manifest so that its (stalled) builder cannot add to it any more, and lists it.
 * KEYS: 1 manifest. Returns its info hashes, or nil when the batch is gone.
 */
export const BATCH_SEAL_LUA = `
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
redis.call('SADD', KEYS[1], '!')
return redis.call('SMEMBERS', KEYS[1])
`;

/** Forgets a batch once its parts are deleted. KEYS: 1 batches zset, 2 manifest. ARGV: 1 id. */
export const BATCH_ACK_LUA = `
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('DEL', KEYS[2])
return 1
`;
