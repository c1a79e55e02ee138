/**
 * Seeders and leechers alive at ARGV[2] (ms), or, when ARGV[2] is empty (scrape has no clock), alive relative to the
 * swarm's latest announce: a swarm whose peers all fell silent expires by PEXPIRE anyway.
 * KEYS: 1 seeders zset, 2 leechers zset. ARGV: 1 ttl ms, 2 now or ''.
 */
export const SWARM_COUNTS_LUA = `
local now = tonumber(ARGV[2])
if not now then
  now = 0
  for i = 1, 2 do
    local top = redis.call('ZRANGE', KEYS[i], -1, -1, 'WITHSCORES')
    if top[2] and tonumber(top[2]) > now then now = tonumber(top[2]) end
  end
  if now == 0 then return {0, 0} end
end
local cutoff = now - tonumber(ARGV[1])
return {redis.call('ZCOUNT', KEYS[1], cutoff, '+inf'), redis.call('ZCOUNT', KEYS[2], cutoff, '+inf')}
`;

/**
 * Removes the given peers (fields: 4-byte user id .. 20-byte peer id) from a swarm, wherever they are.
 * KEYS: 1 peers hash, 2 seeders zset, 3 leechers zset. ARGV: peer fields. Returns how many were there.
 */
export const REMOVE_PEERS_LUA = `
local removed = 0
for i = 1, #ARGV do
  local record = redis.call('HGET', KEYS[1], ARGV[i])
  if record then
    local set = string.byte(record, 1) == 1 and KEYS[2] or KEYS[3]
    redis.call('ZREM', set, ARGV[i] .. string.sub(record, 34))
    redis.call('HDEL', KEYS[1], ARGV[i])
    removed = removed + 1
  end
end
return removed
`;
