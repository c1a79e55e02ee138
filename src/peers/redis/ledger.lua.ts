/**
 * Claims swarms' pending ledgers for a batch: RENAMENX within each swarm's slot, so every account lands in exactly
 * one batch and announces after the claim start a new ledger. Refuses once the claimer's lease deadline (Redis TIME,
 * ms) has passed, because another instance may then have taken the batch over and delivered it without these swarms.
 * Several swarms per call on a single Redis (slot-groups.util.ts); on a Cluster the keys of one call share a slot.
 * KEYS: pairs of (ledger, batch part). ARGV: 1 deadline ms.
 * Returns, for each pair in order: status (1 moved, 0 nothing to move, -1 refused), n, then n fields and values
 * (field, value, ...) when moved.
 */
export const CLAIM_LEDGERS_LUA = `
local t = redis.call('TIME')
local late = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) >= tonumber(ARGV[1])
local out = {}
for i = 1, #KEYS, 2 do
  if redis.call('EXISTS', KEYS[i]) == 0 then
    out[#out + 1] = 0
    out[#out + 1] = 0
  elseif late or redis.call('RENAMENX', KEYS[i], KEYS[i + 1]) == 0 then
    out[#out + 1] = -1
    out[#out + 1] = 0
  else
    local moved = redis.call('HGETALL', KEYS[i + 1])
    out[#out + 1] = 1
    out[#out + 1] = #moved
    for j = 1, #moved do
      out[#out + 1] = moved[j]
    end
  end
end
return out
`;
