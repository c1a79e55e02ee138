import { FREE_SLOT_LUA } from 'src/peers/redis/download-slots.lua';

/**
 * Announces, atomically each, in their swarms' slots (layout: redis-keys.ts). Embedded as a string so that the
 * compiled dist/ has it; every number that must stay exact up to 2^53 travels as a packed double (struct 'd'), never
 * through tostring(). Time is only the caller's `now`, so tests control it.
 *
 * One call carries one or more announces, each with its 6 or 7 keys and 4 arguments, in order: all keys first (6 or
 * 7 per announce), then all arguments (4 per announce). On a single Redis, a poll phase's announces go in one call
 * (announce-command.ts): the call's own cost (~4 µs of Redis, and ioredis's command and reply handling in Node) is
 * paid once for all of them. A Cluster gets one announce per call, since a call must stay in one slot.
 *
 * Per announce:
 * KEYS: 1 peers hash, 2 seeders zset, 3 leechers zset, 4 pending ledger hash, 5 membership version, 6 user peers hash
 *       (4-byte user id → its peer ids in the swarm, 20 bytes each, for MAX_PEERS_PER_USER_TORRENT), and on a single
 *       Redis only (7 keys an announce in the whole call) 7 the user's leeches for download slots
 *       (redis-download-slots.ts), or '' for a user without slots: the script lists a leech that goes on and frees
 *       one that ended, which on a Cluster (another slot) the caller does after it
 * ARGV: 1 member (4-byte user id .. 20-byte peer id .. address: 4|16-byte ip .. 2-byte port .. its length; the
 *       script makes it a dual-stack member when the peer has a live endpoint of the other family), 2 ip text,
 *       3 twenty big-endian doubles (ANNOUNCE_NUMBERS): now, uploaded, downloaded, left, upload factor,
 *         download factor, ttl ms, members wanted, random integer, the version of the members the caller keeps
 *         (0: none), the most bytes a second a peer may have moved (peer-accounting.util.ts plausibleDelta), the
 *         most live peers per user in the swarm (0: no limit), pacing (0 off, 1 lenient, 2 strict), the minimum
 *         interval ms, the duplicate window ms, cheat policy (0 off, 1 observe, 2 withhold), MAX_UPLOAD_RATE (0: off),
 *         the rules in observe mode (POLICY_MODES, a sum: 1 the peer limit, 2 strict pacing, 4 download slots; read
 *         only once one of them would refuse), download slots (1: refuse a new leech with verdict 7, "needs a
 *         slot", so that the caller takes one first (redis-download-slots.ts), or with a 7th key take it here;
 *         2: the slots are full but the user leeches the torrent already (list it once applied); 0: no check, or
 *         the slot is taken), the live leechers among the members the caller keeps (-1: none kept; read by the
 *         cheat check while their version is the swarm's); with a 7th key, the 20-byte info hash, the user's slots
 *         and the refresh period of its entries (ms; redis-download-slots.ts) follow them, the last two as doubles;
 *         one argument rather than twenty, because each argument costs ioredis an encoding and Redis a parse,
 *       4 event (n|s|c|x = none|started|completed|stopped), followed by `,kind` for each cheat flag a policy raised
 * Returns one string: each announce's reply in turn, ANNOUNCE_REPLY_HEADER bytes of thirteen big-endian doubles
 *   (seeders, leechers, index entry due (0|1), ledger became non-empty (0|1), previous role (0 none or expired,
 *   1 leecher, 2 seeder), previous last announce, version, oldest score, verdict (0 applied, 1 refused: peer
 *   limit, 2 refused: too soon (strict pacing), 3 applied but too soon (lenient pacing: no members), 4 a duplicate:
 *   nothing written, 5 applied but over the peer limit (observed), 6 applied but too soon (strict pacing observed:
 *   with members), 7 refused: a new leech needs a download slot first, 8 refused: the user's download slots are
 *   full (7th key only)), verdict detail (the limit, or the ms left of the minimum interval), byte lengths of the
 *   seeder and the leecher members, download slots observed full (0|1: the leech started all the same)), then the
 *   seeder members, then the leecher members (redis-peer.codec.ts). A refused announce changed nothing (but prune an
 *   expired record of its own peer). One string rather than arrays: ioredis decodes an array's integers one by
 *   one, most of its cost per reply. An announce that failed has counts of -2 and its error message in place of the
 *   seeder members; the call's other announces still ran.
 *   - When the caller's version is the swarm's, its kept members are still the live ones: the counts are -1 and no
 *     members are sent (kept-swarms.ts).
 *   - When all live peers fit in `members wanted` and this announce changed none of them, both sets come whole,
 *     with the version and the oldest live member's last announce, so the caller may keep them until the version
 *     changes or that member expires.
 *   - Otherwise the members are windows of live peers at random offsets, at most `members wanted` in all, seeders
 *     first (none for a seeder), and the version is 0.
 *   Members may include the announcing user's own peers: Node filters and packs them, which costs Redis far less
 *   than Lua. Each set's members come as one string of concatenated members (redis-peer.codec.ts splits it): an
 *   array of 50 members cost ioredis 35 µs more per announce to decode than one string, and Redis nothing less.
 *   The user index entry (user → swarm) is due for a new peer and once per 8-TTL period of a live one.
 */
/** Byte length of an announce's ARGV[3]. */
export const ANNOUNCE_NUMBERS = 20 * 8;
/** Byte length of an announce's reply before its members. */
export const ANNOUNCE_REPLY_HEADER = 13 * 8;

export const ANNOUNCE_LUA = /* lua */ `
-- Sums saturate here (2^53-1) rather than lose exactness or overflow the database's bigint.
local MAX_EXACT = 9007199254740991
local HEADER = '>ddddddddddddd'
-- A dual-stack peer's address (redis-peer.codec.ts): IPv4 endpoint, its last announce, IPv6 endpoint, its last
-- announce, then this length byte, where a single endpoint's address ends with 6 or 18.
local DUAL = 40
-- The IPv4 and IPv6 endpoints (ip .. port) of a stored address and when each last announced (nil: none).
local function endpoints(address, last)
  local length = string.byte(address, -1)
  if length == 6 then return string.sub(address, 1, 6), last, nil, nil end
  if length == 18 then return nil, nil, string.sub(address, 1, 18), last end
  return string.sub(address, 1, 6), struct.unpack('>d', address, 7), string.sub(address, 15, 32),
    (struct.unpack('>d', address, 33))
end
${FREE_SLOT_LUA}
-- The ids of the user's live peers in the swarm other than peerId (listed in the user peers hash), or of its live
-- leechers only. Listed ids whose peer stopped, expired or was removed are left out.
local function otherLivePeers(peers, userPeers, user, peerId, cutoff, leechersOnly)
  local ids, live = redis.call('HGET', userPeers, user) or '', {}
  for i = 1, #ids - 19, 20 do
    local id = string.sub(ids, i, i + 19)
    if id ~= peerId then
      local record = redis.call('HGET', peers, user .. id)
      if record and struct.unpack('>d', record, 26) >= cutoff
        and not (leechersOnly and string.byte(record, 1) ~= 0) then
        live[#live + 1] = id
      end
    end
  end
  return live
end
local function leechesElsewhere(peers, userPeers, user, peerId, cutoff)
  return #otherLivePeers(peers, userPeers, user, peerId, cutoff, true) > 0
end
-- An applied announce's reply (its layout: the comment above ANNOUNCE_LUA). These helpers sit at the top level, not
-- inside announce(), where each would be a new closure at every announce.
local function packReply(indexDue, dirty, prevRole, prevLast, verdict, detail, slotsObserved, complete, incomplete,
  fromSeeders, fromLeechers, current, oldest)
  return struct.pack(HEADER, complete, incomplete, indexDue, dirty, prevRole, prevLast, current, oldest, verdict,
    detail, #fromSeeders, #fromLeechers, slotsObserved) .. fromSeeders .. fromLeechers
end
-- Live peers are the highest ranks (sorted by last announce). Bounded pruning: at most two silent peers per set
-- and announce, and only when there are some; counts and samples skip the rest anyway.
-- (Counting the expired head is cheaper than counting the live tail in a listpack, and no dearer in a skiplist.)
local function census(peers, set, expired)
  local total = redis.call('ZCARD', set)
  local live = total - redis.call('ZCOUNT', set, '-inf', expired)
  if total > live then
    local gone = redis.call('ZRANGEBYSCORE', set, '-inf', expired, 'LIMIT', 0, 2)
    redis.call('ZREM', set, unpack(gone))
    for i = 1, #gone do gone[i] = string.sub(gone[i], 1, 24) end
    redis.call('HDEL', peers, unpack(gone))
    total = total - #gone
  end
  return total, live
end
-- Every live member of a set, and the oldest one's last announce (nil for none). Scores for one member only:
-- formatting every score as text cost more than a second call.
local function whole(set, total, live)
  if live == 0 then return '', nil end
  local base = total - live
  local oldest = redis.call('ZRANGE', set, base, base, 'WITHSCORES')[2]
  return table.concat(redis.call('ZRANGE', set, base, total - 1)), tonumber(oldest)
end
-- A window of up to count live members at a random offset, wrapping around. ZRANGE by rank costs far less than
-- ZRANDMEMBER, and the window still moves with every announce. Every command costs a few µs of call overhead, so a
-- window that takes all live members takes them in one ZRANGE.
local function window(set, total, live, random, count)
  if live == 0 or count <= 0 then return '' end
  local base = total - live
  if count >= live then return table.concat(redis.call('ZRANGE', set, base, total - 1)) end
  local offset = random % live
  local last = offset + count - 1
  if last < live then return table.concat(redis.call('ZRANGE', set, base + offset, base + last)) end
  return table.concat(redis.call('ZRANGE', set, base + offset, total - 1))
    .. table.concat(redis.call('ZRANGE', set, base, base + last - live))
end
local function announce(peers, seeders, leechers, ledger, version, userPeers, leeching, member, ip, numbers, event)
  local policyFlags = nil
  if #event > 1 then
    policyFlags, event = string.sub(event, 3), string.sub(event, 1, 1)
  end
  local field = string.sub(member, 1, 24)
  local user, peerId = string.sub(field, 1, 4), string.sub(field, 5, 24)
  -- The announce's family (a 16-byte ip); a peer keeps one endpoint per family (README: dual-stack peers).
  local ipv6 = #member == 24 + 19
  local now, up, down, left, upFactor, downFactor, ttl, want, rnd, kept, rate, peerLimit, pacing, minInterval,
    duplicateWindow, cheat, maxUploadRate, observe, slotCheck, keptLeechers =
    struct.unpack('>dddddddddddddddddddd', numbers)
  -- The user's leeches (download slots) when a single Redis lets the script keep them: the torrent's field there.
  local leechingField, userSlots, refreshMs = nil, 0, 0
  if leeching and #leeching > 0 then
    leechingField = string.sub(numbers, 161, 180)
    userSlots, refreshMs = struct.unpack('>dd', numbers, 181)
  end
  local cutoff = now - ttl
  -- The census's bound as Redis reads it, formatted once (string.format costs ~0.5 us here).
  local expired = nil
  local seeder = left == 0
  local creditUp, creditDown, rawUp, rawDown, seed = 0, 0, 0, 0, 0
  local indexDue = 0
  local prevRole, prevLast = 0, 0
  -- Keys get a 3-TTL expiry when created and again in a live peer's first announce of each TTL-long period,
  -- so a swarm vanishes after its last peer falls silent, without a PEXPIRE on every announce.
  local touch = true
  -- Whether the live members (who, in which role, at which address) changed: a new version.
  local changed = false
  -- Pacing's outcome (redis-peer.codec.ts VERDICT_*) and its detail; a duplicate writes nothing at all.
  local verdict, detail, duplicate = 0, 0, false
  -- The version key's value, once read (nil: not yet): the cheat check may need it before the writes below.
  local storedVersion = nil

  local old = redis.call('HGET', peers, field)
  local oldMember, oldSet
  local baseUp, baseDown, baseLeft = 0, 0, 0
  if old then
    local flags, last
    flags, baseUp, baseDown, baseLeft, last = struct.unpack('>Bdddd', old)
    local oldAddress = string.sub(old, 34)
    oldMember = field .. oldAddress
    oldSet = flags == 1 and seeders or leechers
    if last < cutoff then
      -- Silent for longer than the TTL: the peer was gone, so this is its first announce, pruned yet or not.
      redis.call('ZREM', oldSet, oldMember)
      redis.call('HDEL', peers, field)
      old = false
    else
      prevRole, prevLast = flags + 1, last
      -- This family's previous announce: pacing's measure. A single-stack peer announcing over its own family (an
      -- address as long as the announce's) last announced at the baseline's time.
      local seen = last
      if #oldAddress ~= #member - 24 then
        local v4, seen4, v6, seen6 = endpoints(oldAddress, last)
        local other, otherSeen = v6, seen6
        seen = seen4
        if ipv6 then seen, other, otherSeen = seen6, v4, seen4 end
        -- The other family's endpoint, while live, stays beside this one: the member becomes dual-stack.
        if other and otherSeen >= cutoff then
          local endpoint = string.sub(member, 25, -2)
          if ipv6 then
            member = field .. other .. struct.pack('>d', otherSeen) .. endpoint .. struct.pack('>dB', now, DUAL)
          else
            member = field .. endpoint .. struct.pack('>d', now) .. other .. struct.pack('>dB', otherSeen, DUAL)
          end
        end
      end
      if pacing > 0 and (event == 'n' or event == 's') and seen and seen >= cutoff then
        -- Measured from the stored time of this family's endpoint, which a refused announce does not move (the first
        -- announce over a family brings a new endpoint: neither too soon nor a duplicate); the totals compared are
        -- the peer's one baseline.
        local since = now - seen
        if since <= duplicateWindow and up == baseUp and down == baseDown and left == baseLeft then
          verdict, duplicate = 4, true
        elseif event == 'n' and since < minInterval then
          if pacing ~= 2 then
            verdict, detail, want = 3, minInterval - since, 0
          elseif math.floor(observe / 2) % 2 == 0 then
            return struct.pack(HEADER, 0, 0, 0, 0, 0, 0, 0, 0, 2, minInterval - since, 0, 0, 0)
          else
            -- Strict pacing in observe mode: applied and answered as in time, and reported.
            verdict, detail = 6, minInterval - since
          end
        end
      end
      if duplicate then
        touch = false
      elseif event ~= 's' then
        if up >= baseUp and down >= baseDown then
          -- As plausibleDelta and creditedBytes: what the elapsed time allows, exact doubles.
          local most = math.floor(rate * math.max(now - last, 1000) / 1000)
          rawUp, rawDown = math.min(up - baseUp, most), math.min(down - baseDown, most)
          creditUp = math.min(math.floor(rawUp * upFactor), MAX_EXACT)
          creditDown = math.min(math.floor(rawDown * downFactor), MAX_EXACT)
        end
        if flags == 1 and now > last then
          seed = now - last
        end
      end
      touch = touch and math.floor(now / ttl) ~= math.floor(last / ttl)
      if not duplicate and math.floor(now / (ttl * 8)) ~= math.floor(last / (ttl * 8)) then
        indexDue = 1
      end
    end
  end

  -- A leech the peer did not have live needs a download slot: live leechers, most announces, pass at once. On a
  -- single Redis the script takes it here (listed after the writes below); on a Cluster, where the user's key may sit
  -- in another slot, the caller takes it and sends the announce again.
  local slotsObserved = 0
  if slotCheck == 1 and not seeder and event ~= 'x' and prevRole ~= 1 then
    if not leechingField then
      return struct.pack(HEADER, 0, 0, 0, 0, prevRole, prevLast, 0, 0, 7, 0, 0, 0, 0)
    end
    -- Full slots still let through a leech of a torrent that another client of the user leeches already.
    if slotFree(leeching, leechingField, cutoff - refreshMs, userSlots) == 0
      and not leechesElsewhere(peers, userPeers, user, peerId, cutoff) then
      if math.floor(observe / 4) % 2 == 0 then
        return struct.pack(HEADER, 0, 0, 0, 0, 0, 0, 0, 0, 8, userSlots, 0, 0, 0)
      end
      -- Download slots in observe mode: the leech starts, is listed, and the reply reports it.
      slotsObserved = 1
    end
  end

  -- The user's peer ids in this swarm: kept for a new peer (checked against the limit) and a stopped one.
  if not old and event ~= 'x' then
    -- Listed ids whose peer stopped, expired or was removed drop out of the list here.
    local live = otherLivePeers(peers, userPeers, user, peerId, cutoff, false)
    local n = #live
    if peerLimit > 0 and n >= peerLimit then
      if observe % 2 == 0 then
        return struct.pack(HEADER, 0, 0, 0, 0, 0, 0, 0, 0, 1, peerLimit, 0, 0, 0)
      end
      -- The peer limit in observe mode: the new peer joins, and the verdict reports it.
      verdict, detail = 5, peerLimit
    end
    live[n + 1] = peerId
    redis.call('HSET', userPeers, user, table.concat(live)) -- its expiry: with the other keys', below
  end

  -- Cheat signals (cheat-signals.util.ts, which the memory store runs), from the state before the writes below.
  -- Kinds: 1 upload without leechers, 2 upload rate, 3 completed without download. The swarm's '!' field in the user
  -- peers hash holds when a leecher last left by completing or stopping.
  local flagged, evidence = nil, nil
  if cheat > 0 and not duplicate then
    local known = prevRole > 0 and event ~= 's'
    local upRate = 0
    if event == 'c' and down == 0 then flagged = {3} end
    if known and rawUp > 0 then
      upRate = math.floor((up - baseUp) * 1000 / math.max(now - prevLast, 1000))
      if maxUploadRate > 0 and upRate > maxUploadRate then
        flagged = flagged or {}
        flagged[#flagged + 1] = 2
      end
      -- Live leechers other than this peer. When the caller keeps this swarm's members and their version is still
      -- the swarm's, its count of live leechers is exact, and the version read here serves the reply below too.
      local others = nil
      if keptLeechers >= 0 then
        storedVersion = tonumber(redis.call('GET', version)) or 1
        if storedVersion == kept then others = keptLeechers - (prevRole == 1 and 1 or 0) end
      end
      if not others then
        -- The expired head counted, as in census() below. Two calls that answer a number cost Redis less than one
        -- that answers members (1.3 against 2.3 us in a 15-member listpack).
        expired = expired or '(' .. string.format('%.0f', cutoff)
        others = redis.call('ZCARD', leechers) - (prevRole == 1 and 1 or 0)
          - redis.call('ZCOUNT', leechers, '-inf', expired)
      end
      if others <= 0 and (tonumber(redis.call('HGET', userPeers, '!')) or 0) < prevLast then
        flagged = flagged or {}
        flagged[#flagged + 1] = 1
      end
    end
    if policyFlags then
      flagged = flagged or {}
      for kind in string.gmatch(policyFlags, '[^,]+') do flagged[#flagged + 1] = kind end
    end
    if flagged then
      if cheat == 2 then creditUp, creditDown = 0, 0 end
      local live = string.format('%.0f', cutoff)
      evidence = struct.pack('>ddddddddddd', up, down, left, known and baseUp or -1, baseDown, baseLeft,
        known and prevLast or -1, redis.call('ZCOUNT', seeders, live, '+inf'),
        redis.call('ZCOUNT', leechers, live, '+inf'), upRate, cheat == 2 and 1 or 0) .. event
    end
  end

  if old and oldSet == leechers and not duplicate and (event == 'x' or left == 0) then
    redis.call('HSET', userPeers, '!', string.format('%.0f', now))
    redis.call('PEXPIRE', userPeers, ttl * 3)
  end

  if duplicate then
    -- Answered from the swarm as it is.
  elseif event == 'x' then
    -- Over either family, stopped removes the peer: both endpoints of a dual-stack one (README: dual-stack peers).
    if old then
      redis.call('ZREM', oldSet, oldMember)
      redis.call('HDEL', peers, field)
      indexDue = 0
      changed = true
      local ids = redis.call('HGET', userPeers, user)
      if ids then
        local rest = {}
        for i = 1, #ids - 19, 20 do
          local id = string.sub(ids, i, i + 19)
          if id ~= peerId then rest[#rest + 1] = id end
        end
        if #rest == 0 then
          redis.call('HDEL', userPeers, user)
        else
          redis.call('HSET', userPeers, user, table.concat(rest))
        end
      end
    end
  else
    local set, recreated = seeder and seeders or leechers, false
    if old and oldSet ~= set then
      redis.call('ZREM', oldSet, oldMember)
      touch = true
      changed = true
    elseif old and oldMember ~= member then
      redis.call('ZREM', oldSet, oldMember)
      -- A lone member's ZREM deletes the set, and the ZADD below makes a new key, which needs an expiry of its own.
      recreated = redis.call('EXISTS', oldSet) == 0
      changed = true
    end
    redis.call('ZADD', set, now, member)
    if recreated and not touch then redis.call('PEXPIRE', set, ttl * 3) end
    local record = struct.pack('>Bdddd', seeder and 1 or 0, up, down, left, now) .. string.sub(member, 25)
    redis.call('HSET', peers, field, record)
    if not old then
      indexDue = 1
      changed = true
    end
    if touch then
      redis.call('PEXPIRE', peers, ttl * 3)
      redis.call('PEXPIRE', set, ttl * 3)
      redis.call('PEXPIRE', version, ttl * 3)
      redis.call('PEXPIRE', userPeers, ttl * 3)
    end
  end

  -- Download slots kept here (single Redis): a leech that went on is listed as of now, and a leech that ended frees
  -- its slot unless another live client of the user still leeches the torrent (redis-download-slots.ts).
  if leechingField and not duplicate then
    if (slotCheck == 1 or slotCheck == 2) and not seeder and event ~= 'x' then
      -- A live leecher's entry is rewritten at its first announce of each refresh period, not at every one: it is
      -- then never older than the leecher's last announce by a period, which the slot check allows for.
      local listed = 0
      if prevRole ~= 1 or slotCheck == 2 or math.floor(now / refreshMs) ~= math.floor(prevLast / refreshMs) then
        listed = redis.call('HSET', leeching, leechingField, string.format('%.0f', now))
      end
      -- Renewed as the swarm's keys are (a live leech crosses a TTL period within every 2 TTLs), and whenever the
      -- entry is new, which is also when the key is: a live leecher of a user given slots since lists it first.
      if touch or prevRole ~= 1 or listed == 1 then redis.call('PEXPIRE', leeching, ttl * 2) end
    elseif old and oldSet == leechers and (event == 'x' or seeder) and not leechesElsewhere(peers, userPeers, user,
      peerId, cutoff) then
      redis.call('HDEL', leeching, leechingField)
    end
  end

  -- Pending ledger of (user, torrent): credited and raw sums, seed time, completion and times, latest address.
  local dirty = 0
  if not duplicate then
    local prev = redis.call('HGET', ledger, user)
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
    local account = struct.pack('>dddddddd', math.min(cu + creditUp, MAX_EXACT),
      math.min(cd + creditDown, MAX_EXACT), math.min(ru + rawUp, MAX_EXACT), math.min(rd + rawDown, MAX_EXACT),
      st + seed, done, first, last)
    redis.call('HSET', ledger, user, account .. ip)
    -- Flags ride in the ledger: the claim moves them with the accounts, so they reach the database exactly once.
    if flagged then
      for _, kind in ipairs(flagged) do
        if type(kind) == 'number' then
          redis.call('HSET', ledger, user .. struct.pack('>dB', now, kind) .. peerId, evidence)
        else
          -- A policy's kind: code 0, its name after the peer id.
          redis.call('HSET', ledger, user .. struct.pack('>dB', now, 0) .. peerId .. kind, evidence)
        end
      end
    end
  end

  -- The version of the live members. Pruning below does not change it: it removes only peers already not live.
  local current = 0
  if changed or want > 0 then
    if changed then
      current = redis.call('INCR', version)
    else
      current = storedVersion or tonumber(redis.call('GET', version)) or 1
    end
    if current == 1 then
      -- A new key (or a swarm older than versions): start at random, so that no version an instance kept for an
      -- earlier swarm of this torrent matches by chance. Below 10^12, so that tostring() stays exact.
      current = 2 + rnd % 1e12
      redis.call('SET', version, current, 'PX', ttl * 3)
    end
    if want > 0 and current == kept then
      return packReply(indexDue, dirty, prevRole, prevLast, verdict, detail, slotsObserved, -1, -1, '', '', current,
        0)
    end
  end

  expired = expired or '(' .. string.format('%.0f', cutoff)
  local totalSeeders, liveSeeders = census(peers, seeders, expired)
  local totalLeechers, liveLeechers = census(peers, leechers, expired)
  if event == 'x' or want <= 0 then
    return packReply(indexDue, dirty, prevRole, prevLast, verdict, detail, slotsObserved, liveSeeders, liveLeechers,
      '', '', 0, 0)
  end

  -- Whole only when this announce left the members as they were: in a swarm that changes at every announce (peers
  -- joining), nobody could use what it kept, and windows cost Redis less.
  if not changed and liveSeeders + liveLeechers <= want then
    local fromSeeders, oldestSeeder = whole(seeders, totalSeeders, liveSeeders)
    local fromLeechers, oldestLeecher = whole(leechers, totalLeechers, liveLeechers)
    local oldest = math.min(oldestSeeder or now, oldestLeecher or now)
    return packReply(indexDue, dirty, prevRole, prevLast, verdict, detail, slotsObserved, liveSeeders, liveLeechers,
      fromSeeders, fromLeechers, current, oldest)
  end

  local fromSeeders, fromLeechers = '', ''
  if seeder then
    fromLeechers = window(leechers, totalLeechers, liveLeechers, rnd, want)
  else
    fromSeeders = window(seeders, totalSeeders, liveSeeders, rnd, want)
    local taken = liveSeeders < want and liveSeeders or want
    fromLeechers = window(leechers, totalLeechers, liveLeechers, math.floor(rnd / 16777216), want - taken)
  end
  return packReply(indexDue, dirty, prevRole, prevLast, verdict, detail, slotsObserved, liveSeeders, liveLeechers,
    fromSeeders, fromLeechers, 0, 0)
end

-- An announce that fails (a swarm key of the wrong type, say) fails alone: its reply is the error, with -2 counts.
local replies = {}
local perAnnounce = #KEYS / (#ARGV / 4)
for i = 0, #ARGV / 4 - 1 do
  local k, a = i * perAnnounce, i * 4
  local ok, reply = pcall(announce, KEYS[k + 1], KEYS[k + 2], KEYS[k + 3], KEYS[k + 4], KEYS[k + 5], KEYS[k + 6],
    perAnnounce == 7 and KEYS[k + 7] or nil, ARGV[a + 1], ARGV[a + 2], ARGV[a + 3], ARGV[a + 4])
  if not ok then
    local message = type(reply) == 'table' and tostring(reply.err) or tostring(reply)
    reply = struct.pack(HEADER, -2, -2, 0, 0, 0, 0, 0, 0, 0, 0, #message, 0, 0) .. message
  end
  replies[i + 1] = reply
end
return table.concat(replies)
`;
