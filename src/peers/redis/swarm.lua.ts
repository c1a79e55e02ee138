/**
 * Seeders and leechers of a swarm for scrape, which has no clock: alive relative to the swarm's latest announce
 * (a swarm whose peers all fell silent expires by PEXPIRE anyway). KEYS: 1 seeders zset, 2 leechers zset.
 * ARGV: 1 ttl ms.
 */
export const SWARM_COUNTS_LUA = `
local latest = 0
for i = 1, 2 do
  local top = redis.call('ZRANGE', KEYS[i], -1, -1, 'WITHSCORES')
  if top[2] and tonumber(top[2]) > latest then latest = tonumber(top[2]) end
end
if latest == 0 then return {0, 0} end
local cutoff = latest - tonumber(ARGV[1])
return {redis.call('ZCOUNT', KEYS[1], cutoff, '+inf'), redis.call('ZCOUNT', KEYS[2], cutoff, '+inf')}
`;

/**
 * Removes the given peers (fields: 4-byte user id .. 20-byte peer id) from a swarm, wherever they are, and drops
 * the membership version so that no instance answers from members it kept.
 * KEYS: 1 peers hash, 2 seeders zset, 3 leechers zset, 4 version. ARGV: peer fields. Returns the removed records.
 */
export const REMOVE_PEERS_LUA = `
local removed = {}
for i = 1, #ARGV do
  local record = redis.call('HGET', KEYS[1], ARGV[i])
  if record then
    local set = string.byte(record, 1) == 1 and KEYS[2] or KEYS[3]
    redis.call('ZREM', set, ARGV[i] .. string.sub(record, 34))
    redis.call('HDEL', KEYS[1], ARGV[i])
    removed[#removed + 1] = record
  end
end
if #removed > 0 then redis.call('DEL', KEYS[4]) end
return removed
`;

/**
 * Drops a whole swarm but its pending ledger. KEYS: 1 peers hash, 2 seeders zset, 3 leechers zset, 4 version,
 * 5 user peers hash.
 * Returns the removed records, so that the caller can take them out of the tracker-wide counters.
 */
export const REMOVE_SWARM_LUA = `
local records = redis.call('HVALS', KEYS[1])
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5])
return records
`;
