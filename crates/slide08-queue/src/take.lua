-- Takes up to ARGV[3] entries of the job stream (KEYS[1]) for consumer ARGV[2] of group ARGV[1]:
-- new ones first, then ones another consumer has held for ARGV[5] ms without renewing its claim
-- (it crashed, or was stopped at once). In one step: if Redis's answer is lost on its way, the
-- entries are pending under this consumer, and another worker takes them over in time.
-- Gives {id, deliveries, fields} for each. An entry over ARGV[4] bytes, its field names included,
-- has its fields cut down to {'oversized', its size}: a 10 MB entry never leaves Redis whole.
local taken = {}
local function add(entry, deliveries)
  local size = 0
  for _, text in ipairs(entry[2]) do
    size = size + #text
  end
  if size > tonumber(ARGV[4]) then
    entry[2] = {'oversized', tostring(size)}
  end
  table.insert(taken, {entry[1], deliveries, entry[2]})
end

local new = redis.call('XREADGROUP', 'GROUP', ARGV[1], ARGV[2], 'COUNT', ARGV[3],
                       'STREAMS', KEYS[1], '>')
for _, entry in ipairs(new and new[1][2] or {}) do
  add(entry, 1)
end
local more = tonumber(ARGV[3]) - #taken
if more > 0 then
  -- From the head of the pending list each time ('0-0'): the oldest entries wait there.
  local claimed = redis.call('XAUTOCLAIM', KEYS[1], ARGV[1], ARGV[2], ARGV[5], '0-0',
                             'COUNT', more)
  for _, entry in ipairs(claimed[2]) do
    -- XAUTOCLAIM does not say how often an entry was delivered; XPENDING does.
    local pending = redis.call('XPENDING', KEYS[1], ARGV[1], entry[1], entry[1], 1)
    add(entry, pending[1][4])
  end
end
return taken
