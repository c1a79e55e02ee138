/**
 * Users' leeches for download slots (README: download slots): KEYS each user's sorted set of binary info hashes scored
 * by the user's last leeching announce of each; ARGV one per key (each argument costs ioredis an encoding): the
 * 20-byte info hash, then four big-endian doubles: now, the oldest live time, the user's slots (-1 for a live
 * leecher's refresh), the key's expiry (ms). For each key, drops entries older than a live peer, then refreshes the
 * torrent's entry (1), or adds it if fewer than its slots are listed (2), or answers 0: the user's slots are full.
 * A refresh only lists the torrent as now (1). One number per key. Many keys in one call on a single Redis only:
 * users' keys span a Cluster's slots.
 */
export const DOWNLOAD_SLOTS_LUA = `
local answers = {}
for i, key in ipairs(KEYS) do
  local hash = string.sub(ARGV[i], 1, 20)
  local now, cutoff, slots, expiry = struct.unpack('>dddd', ARGV[i], 21)
  local answer = 1
  if slots >= 0 then
    redis.call('ZREMRANGEBYSCORE', key, '-inf', '(' .. string.format('%.0f', cutoff))
    if not redis.call('ZSCORE', key, hash) then
      if redis.call('ZCARD', key) >= slots then
        answer = 0
      else
        answer = 2
      end
    end
  end
  if answer ~= 0 then
    redis.call('ZADD', key, string.format('%.0f', now), hash)
    redis.call('PEXPIRE', key, string.format('%.0f', expiry))
  end
  answers[i] = answer
end
return answers
`;
