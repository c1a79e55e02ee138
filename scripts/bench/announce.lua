-- announce.lua: realistic private-tracker announce load for wrk 4.x (LuaJIT).
--
-- Each request is GET /<passkey>/announce with
--   passkey    one of the registered users' passkeys (BENCH_PASSKEYS, one a line), picked at random;
--   info_hash  one of the registered torrents (BENCH_TORRENTS, 40 hex a line), sent as 20 raw bytes,
--              every byte percent-encoded, as clients do;
--   peer_id    with BENCH_PEERS=N (N > 0), one of N peers that keep announcing, as clients do: peer g is
--              "-qB4650-" + g in 12 digits, of passkey g mod users and torrent (g div users) mod torrents,
--              a quarter of them seeders; its uploaded/downloaded grow and its left shrinks from one
--              announce to the next; each wrk thread owns its own peers, so their totals stay monotonic.
--              With BENCH_PEERS=0, "-qB4650-" + 12 random bytes and a random port: every announce is a
--              new peer (the worst case: swarms grow during the run, every announce opens a peer);
--   left=0 for ~25% (seeders); event=started for BENCH_STARTED (default 10%), completed for 1%;
--   numwant=50, compact=1, no_peer_id=1; keep-alive unless BENCH_CLOSE=1.
-- response() counts failures: a status other than 200, or a body that is not a bencoded
-- dictionary or that carries "failure reason". done() prints one RESULT line that run.js parses.
--
-- Usage: BENCH_TORRENTS=torrents.txt BENCH_PASSKEYS=passkeys.txt \
--          wrk -t2 -c64 -d15s --latency -s announce.lua http://127.0.0.1:6969

local TORRENTS_FILE = os.getenv("BENCH_TORRENTS") or "torrents.txt"
local PASSKEYS_FILE = os.getenv("BENCH_PASSKEYS") or "passkeys.txt"
local P_STARTED = tonumber(os.getenv("BENCH_STARTED") or "0.10")
local CLOSE = os.getenv("BENCH_CLOSE") == "1"
local PEERS = tonumber(os.getenv("BENCH_PEERS") or "0")
local THREADS = tonumber(os.getenv("BENCH_THREADS") or "1")

local random, floor, concat, format = math.random, math.floor, table.concat, string.format

local threads = {}
local next_id = 1

function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

-- Per-thread state: every wrk thread runs its own Lua VM. Globals so that done() can read them.
failures, non200, bad_body = 0, 0, 0

local torrents, ntorrents = {}, 0
local passkeys, npasskeys = {}, 0
local enc = {}
local peer_prefix
-- BENCH_PEERS > 0: this thread's peers (global numbers) and their running totals.
local mine, up, down, left_of, nmine = {}, {}, {}, {}, 0
local headers = {}
local buf = {}

local function read_lines(path, minlen)
  local out, n = {}, 0
  local f = assert(io.open(path, "r"))
  for line in f:lines() do
    line = line:gsub("%s+$", "")
    if #line >= minlen then
      n = n + 1
      out[n] = line
    end
  end
  f:close()
  return out, n
end

function init(args)
  for b = 0, 255 do enc[b] = format("%%%02X", b) end
  local hexes
  hexes, ntorrents = read_lines(TORRENTS_FILE, 40)
  for i = 1, ntorrents do
    local parts = {}
    for j = 1, 40, 2 do parts[#parts + 1] = enc[tonumber(hexes[i]:sub(j, j + 1), 16)] end
    torrents[i] = concat(parts)
  end
  passkeys, npasskeys = read_lines(PASSKEYS_FILE, 32)
  assert(ntorrents > 0, "no torrents in " .. TORRENTS_FILE)
  assert(npasskeys > 0, "no passkeys in " .. PASSKEYS_FILE)

  local pp = {}
  local prefix = "-qB4650-"
  for i = 1, #prefix do pp[i] = enc[prefix:byte(i)] end
  peer_prefix = concat(pp)

  math.randomseed(os.time() * 1000 + (tid or 0) * 7919 + floor(os.clock() * 1e6))
  if PEERS > 0 then
    for g = (tid or 1) - 1, PEERS - 1, THREADS do
      nmine = nmine + 1
      mine[nmine], up[nmine], down[nmine] = g, 0, 0
      left_of[nmine] = (g % 4 == 0) and 0 or 4000000000
    end
    assert(nmine > 0, "BENCH_PEERS is smaller than the number of wrk threads")
  end
  headers["User-Agent"] = "qBittorrent/4.6.5"
  headers["Accept-Encoding"] = "gzip"
  if CLOSE then headers["Connection"] = "close" end
end

-- One of the population's peers announces again.
local function known_peer_request()
  local k = random(nmine)
  local g = mine[k]
  local event = ""
  local r = random()
  if r < P_STARTED then
    event = "&event=started"
  elseif r < P_STARTED + 0.01 and left_of[k] > 0 then
    event = "&event=completed"
    left_of[k] = 0
  end
  up[k] = up[k] + random(0, 4000000)
  if left_of[k] > 0 then
    local got = random(0, 4000000)
    down[k] = down[k] + got
    left_of[k] = math.max(1, left_of[k] - got)
  end
  local path = "/" .. passkeys[(g % npasskeys) + 1] .. "/announce" ..
    "?info_hash=" .. torrents[(floor(g / npasskeys) % ntorrents) + 1] ..
    "&peer_id=" .. peer_prefix .. format("%012d", g) ..
    "&port=" .. (1024 + g % 60000) ..
    "&uploaded=" .. format("%.0f", up[k]) ..
    "&downloaded=" .. format("%.0f", down[k]) ..
    "&left=" .. format("%.0f", left_of[k]) ..
    "&corrupt=0&key=" .. format("%08X", g) ..
    event ..
    "&numwant=50&compact=1&no_peer_id=1&supportcrypto=1"
  return wrk.format("GET", path, headers)
end

function request()
  if PEERS > 0 then return known_peer_request() end
  for i = 1, 12 do buf[i] = enc[random(0, 255)] end
  local left = 0
  if random() >= 0.25 then left = random(1, 4000000000) end
  local event = ""
  local r = random()
  if r < P_STARTED then
    event = "&event=started"
  elseif r < P_STARTED + 0.01 then
    event = "&event=completed"
  end
  local path = "/" .. passkeys[random(npasskeys)] .. "/announce" ..
    "?info_hash=" .. torrents[random(ntorrents)] ..
    "&peer_id=" .. peer_prefix .. concat(buf, "", 1, 12) ..
    "&port=" .. random(1024, 65535) ..
    "&uploaded=" .. random(0, 2000000000) ..
    "&downloaded=" .. random(0, 2000000000) ..
    "&left=" .. left ..
    "&corrupt=0&key=" .. format("%08X", random(0, 0x7fffffff)) ..
    event ..
    "&numwant=50&compact=1&no_peer_id=1&supportcrypto=1"
  return wrk.format("GET", path, headers)
end

function response(status, hdrs, body)
  if status ~= 200 then
    non200 = non200 + 1
    if non200 <= 3 then io.stderr:write("non-200: ", status, " ", body:sub(1, 200), "\n") end
  elseif body:find("failure reason", 1, true) then
    failures = failures + 1
    if failures <= 3 then io.stderr:write("failure: ", body:sub(1, 200), "\n") end
  elseif body:byte(1) ~= 100 then -- 'd'
    bad_body = bad_body + 1
    if bad_body <= 3 then io.stderr:write("not a dictionary: ", body:sub(1, 200), "\n") end
  end
end

function done(summary, latency, requests)
  local f, n, b = 0, 0, 0
  for _, t in ipairs(threads) do
    f = f + (t:get("failures") or 0)
    n = n + (t:get("non200") or 0)
    b = b + (t:get("bad_body") or 0)
  end
  local secs = summary.duration / 1e6
  io.write(format(
    "RESULT requests=%d seconds=%.3f rps=%.1f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f p999_ms=%.3f max_ms=%.3f " ..
    "failures=%d non200=%d bad_body=%d errors_connect=%d errors_read=%d errors_write=%d errors_timeout=%d " ..
    "errors_status=%d\n",
    summary.requests, secs, summary.requests / secs,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency:percentile(99.9) / 1000, latency.max / 1000,
    f, n, b, summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.timeout, summary.errors.status))
end
