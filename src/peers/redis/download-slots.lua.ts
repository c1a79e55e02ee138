/**
 * Users' leeches for download slots (README: download slots): KEYS each user's sorted set of binary info hashes scored
 * by the user's last leeching announce of each; ARGV five values per key: 1 info hash, 2 now, 3 the oldest live time,
 * 4 the user's slots, 5 the key's expiry (ms). For each key, drops entries older than a live peer, then refreshes the
 * torrent's entry (1), or adds it if fewer than its slots are listed (2), or answers 0: the user's slots are full.
 * One number per key. Many keys in one call on a single Redis only: users' keys span a Cluster's slots.
 */
export const DOWNLOAD_SLOTS_LUA = `
local answers = {}
for i, key in ipairs(KEYS) do
  local at = (i - 1) * 5
  redis.call('ZREMRANGEBYSCORE', key, '-inf', '(' .. ARGV[at + 3])
  local answer = 1
  if not redis.call('ZSCORE', key, ARGV[at + 1]) then
    if redis.call('ZCARD', key) >= tonumber(ARGV[at + 4]) then
      answer = 0
    else
      answer = 2
    end
  end
  if answer ~= 0 then
    redis.call('ZADD', key, ARGV[at + 2], ARGV[at + 1])
    redis.call('PEXPIRE', key, ARGV[at + 5])
  end
  answers[i] = answer
end
return answers
`;
