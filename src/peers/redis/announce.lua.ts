/**
 * One announce, atomically, in the swarm's slot (layout: redis-keys.ts). Embedded as a string so that the compiled
 * dist/ has it; every number that must stay exact up to 2^53 travels as a packed double (struct 'd'), never through
 * tostring(). Time is only ARGV[3] (the caller's `now`), so tests control it.
 *
 * KEYS: 1 peers hash, 2 seeders zset, 3 leechers zset, 4 pending ledger hash
 * ARGV: 1 member (4-byte user id .. 20-byte peer id .. 4|16-byte ip .. 2-byte port), 2 ip text, 3 now,
 *       4 uploaded, 5 downloaded, 6 left, 7 event (n|s|c|x = none|started|completed|stopped),
 *       8 upload factor, 9 download factor, 10 ttl ms, 11 numwant, 12 want peer ids (0|1), 13 random integer
 * Returns: {seeders, leechers, compact4, compact6, ids4, ids6, change, ledger became non-empty (0|1)}
 *   change: 0 nothing for the indexes, 1 new peer, 2 peer removed, 3 index entry due for a refresh
 */
export const ANNOUNCE_LUA = `
local peers, seeders, leechers, ledger = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local member, ip = ARGV[1], ARGV[2]
local field, addr = string.sub(member, 1, 24), string.sub(member, 25)
local now, up, down, left = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local event, ttl = ARGV[7], tonumber(ARGV[10])
local cutoff = now - ttl
local seeder = left == 0
local creditUp, creditDown, rawUp, rawDown, seed = 0, 0, 0, 0, 0
local change = 0

local old = redis.call('HGET', peers, field)
local oldMember, oldSet
if old then
  local flags, baseUp, baseDown, _, last = struct.unpack('>Bdddd', old)
  oldMember = field .. string.sub(old, 34)
  oldSet = flags == 1 and seeders or leechers
  if event ~= 's' then
    if up >= baseUp and down >= baseDown then
      rawUp, rawDown = up - baseUp, down - baseDown
      creditUp = math.floor(rawUp * tonumber(ARGV[8]))
      creditDown = math.floor(rawDown * tonumber(ARGV[9]))
    end
    if flags == 1 and now > last and now - last <= ttl then
      seed = now - last
    end
  end
  -- The per-user index is written only on changes; a long-lived peer renews its entry once per period.
  local period = ttl * 8
  if math.floor(now / period) ~= math.floor(last / period) then
    change = 3
  end
end

if event == 'x' then
  if old then
    redis.call('ZREM', oldSet, oldMember)
    redis.call('HDEL', peers, field)
    change = 2
  end
else
  local set = seeder and seeders or leechers
  if old and (oldMember ~= member or oldSet ~= set) then
    redis.call('ZREM', oldSet, oldMember)
  end
  redis.call('ZADD', set, now, member)
  redis.call('HSET', peers, field, struct.pack('>Bdddd', seeder and 1 or 0, up, down, left, now) .. addr)
  if not old then
    change = 1
  end
  -- Dead swarms vanish on their own; three TTLs of slack cover announces that arrive late.
  redis.call('PEXPIRE', peers, ttl * 3)
  redis.call('PEXPIRE', set, ttl * 3)
end

-- Pending ledger of (user, torrent): credited and raw sums, seed time, completion and times, latest address.
local user = string.sub(field, 1, 4)
local prev = redis.call('HGET', ledger, user)
local dirty = 0
local cu, cd, ru, rd, st, done, first, last = 0, 0, 0, 0, 0, -1, now, now
if prev then
  cu, cd, ru, rd, st, done, first, last = struct.unpack('>dddddddd', prev)
  if now < first then first = now end
  if now >= last then last = now else ip = string.sub(prev, 65) end
elseif redis.call('EXISTS', ledger) == 0 then
  dirty = 1
end
if event == 'c' and (done < 0 or now < done) then
  done = now
end
redis.call('HSET', ledger, user,
  struct.pack('>dddddddd', cu + creditUp, cd + creditDown, ru + rawUp, rd + rawDown, st + seed, done, first, last) .. ip)

-- Bounded pruning: at most two silent peers per set and announce; counts and samples skip the rest anyway.
local expired = '(' .. string.format('%.0f', cutoff)
for _, set in ipairs({seeders, leechers}) do
  local gone = redis.call('ZRANGEBYSCORE', set, '-inf', expired, 'LIMIT', 0, 2)
  for i = 1, #gone do
    redis.call('ZREM', set, gone[i])
    redis.call('HDEL', peers, string.sub(gone[i], 1, 24))
  end
end

local liveSeeders = redis.call('ZCOUNT', seeders, cutoff, '+inf')
local liveLeechers = redis.call('ZCOUNT', leechers, cutoff, '+inf')
local c4, c6, i4, i6 = {}, {}, {}, {}
local want = tonumber(ARGV[11])
if event ~= 'x' and want > 0 then
  local own = user
  local ids = ARGV[12] == '1'
  local rnd = tonumber(ARGV[13])
  -- Live members are the highest ranks (sorted by time): take a window at a random offset, wrapping around,
  -- skipping the announcing user's own peers. ZRANGE by rank is much cheaper than ZRANDMEMBER.
  local function pick(set, live, random)
    if live == 0 or want == 0 then return end
    local offset = random % live
    local base = redis.call('ZCARD', set) - live
    local scanned = 0
    while want > 0 and scanned < live do
      local from = (offset + scanned) % live
      local to = math.min(from + want + 1, live - 1, from + live - scanned - 1)
      local members = redis.call('ZRANGE', set, base + from, base + to)
      scanned = scanned + to - from + 1
      for i = 1, #members do
        local m = members[i]
        if string.sub(m, 1, 4) ~= own then
          if #m == 30 then
            c4[#c4 + 1] = string.sub(m, 25)
            if ids then i4[#i4 + 1] = string.sub(m, 5, 24) end
          else
            c6[#c6 + 1] = string.sub(m, 25)
            if ids then i6[#i6 + 1] = string.sub(m, 5, 24) end
          end
          want = want - 1
          if want == 0 then return end
        end
      end
    end
  end
  if seeder then
    pick(leechers, liveLeechers, rnd)
  else
    pick(seeders, liveSeeders, rnd)
    pick(leechers, liveLeechers, math.floor(rnd / 16777216))
  end
end

return {liveSeeders, liveLeechers, table.concat(c4), table.concat(c6), table.concat(i4), table.concat(i6), change, dirty}
`;
