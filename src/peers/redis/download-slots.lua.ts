/**
 * A user's leeches for download slots (README: download slots): KEYS[1] a sorted set of binary info hashes scored by
 * the user's last leeching announce of each. ARGV: 1 info hash, 2 now, 3 the oldest live time, 4 the user's slots,
 * 5 the key's expiry (ms). Drops entries older than a live peer, then refreshes the torrent's entry (1), or adds it if
 * fewer than ARGV[4] are listed (2), or answers 0: the user's slots are full.
 */
export const DOWNLOAD_SLOT_LUA = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[3])
local answer = 1
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[4]) then return 0 end
  answer = 2
end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return answer
`;
