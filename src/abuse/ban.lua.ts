/**
 * KEYS[1]: one address's failure counter. ARGV: window (ms). The count, the window starting at the first failure.
 */
export const COUNT_FAILURE_LUA = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return count
`;

/** Forgets the bans that have ended (index and records): shared by the scripts below. */
const PRUNE = `
local ended = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
for _, ip in ipairs(ended) do
  redis.call('HDEL', KEYS[2], ip)
end
if #ended > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
end
`;

/**
 * KEYS[1]: the index (sorted set, ip scored by `until`), KEYS[2]: the records (hash, ip → JSON), both tagged
 * `{abuse}`. ARGV: now, ip, record JSON, until, TTL (ms) of both keys. Keeps a ban still in force; answers
 * {1, new record} or {0, record in force}.
 */
export const SAVE_BAN_LUA = `
${PRUNE}
local current = redis.call('HGET', KEYS[2], ARGV[2])
if current then
  return {0, current}
end
redis.call('ZADD', KEYS[1], ARGV[4], ARGV[2])
redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
for i = 1, 2 do
  if redis.call('PTTL', KEYS[i]) < tonumber(ARGV[5]) then
    redis.call('PEXPIRE', KEYS[i], ARGV[5])
  end
end
return {1, ARGV[3]}
`;

/** KEYS as SAVE_BAN_LUA's. ARGV: now, ip. 1 when a ban in force was lifted. */
export const LIFT_BAN_LUA = `
${PRUNE}
redis.call('ZREM', KEYS[1], ARGV[2])
return redis.call('HDEL', KEYS[2], ARGV[2])
`;

/** KEYS as SAVE_BAN_LUA's. ARGV: now. The records of the bans in force. */
export const LIST_BANS_LUA = `
${PRUNE}
return redis.call('HVALS', KEYS[2])
`;
