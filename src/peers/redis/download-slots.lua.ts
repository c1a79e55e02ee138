/** slotFree(): the take's check, shared by the slot script and, on a single Redis, the announce script. */
export const FREE_SLOT_LUA = /* lua */ `
-- Whether the user (its leeches hash, key) may leech the torrent (hash): 1 it is listed live, 2 there is room, 0 its
-- slots are full. Lists nothing; drops the lapsed entries once the listed ones reach the slots.
local function slotFree(key, hash, cutoff, slots)
  local held = redis.call('HGET', key, hash)
  if held and tonumber(held) >= cutoff then return 1 end
  local listed = redis.call('HLEN', key) - (held and 1 or 0)
  if listed < slots then return 2 end
  local entries, lapsed = redis.call('HGETALL', key), {}
  for j = 1, #entries, 2 do
    if entries[j] ~= hash and tonumber(entries[j + 1]) < cutoff then lapsed[#lapsed + 1] = entries[j] end
  end
  -- Fields per HDEL: unpack() has a stack limit.
  for j = 1, #lapsed, 1000 do
    redis.call('HDEL', key, unpack(lapsed, j, math.min(j + 999, #lapsed)))
  end
  return listed - #lapsed < slots and 2 or 0
end
`;

/**
 * Users' leeches for download slots (README: download slots): KEYS each user's hash of binary info hash → the user's
 * last leeching announce of it (ms, as text); ARGV one per key (each argument costs ioredis an encoding): the 20-byte
 * info hash, then four big-endian doubles: now, the oldest live time, the user's slots (-1 for a live leecher's
 * refresh), the key's expiry (ms). For each key: refreshes the torrent's entry if it is live (1), or adds it if fewer
 * than its slots are listed live (2), or answers 0: the user's slots are full. Entries older than a live peer are
 * counted only when the listed ones reach the slots, and then dropped: below the limit a take is two O(1) reads. A
 * refresh only sets the torrent's time (1): a hash field rewritten in place, where a sorted set's update cost Redis
 * several times more. One number per key. Many keys in one call on a single Redis only: users' keys span a Cluster's
 * slots.
 */
export const DOWNLOAD_SLOTS_LUA = /* lua */ `
${FREE_SLOT_LUA}
local answers = {}
for i, key in ipairs(KEYS) do
  local hash = string.sub(ARGV[i], 1, 20)
  local now, cutoff, slots, expiry = struct.unpack('>dddd', ARGV[i], 21)
  local answer = 1
  if slots >= 0 then
    answer = slotFree(key, hash, cutoff, slots)
  end
  if answer ~= 0 then
    redis.call('HSET', key, hash, string.format('%.0f', now))
    redis.call('PEXPIRE', key, string.format('%.0f', expiry))
  end
  answers[i] = answer
end
return answers
`;
