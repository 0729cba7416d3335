-- Takes up to ARGV[3] entries of the job stream KEYS[1] for consumer ARGV[2] of group ARGV[1]:
-- new ones, then ones no consumer renewed its claim on for ARGV[5] ms (it crashed). One step,
-- and its answer is kept in KEYS[3], named for this take: should the answer be lost on the way,
-- the same take sent again gets the same entries back rather than leave them pending here.
-- Gives {id, times delivered, size of all fields, job} for each, the job false if it is missing
-- or the entry is over ARGV[4] bytes (not sent); and the id of the newest entry.
-- Notes when each worker last asked for jobs in KEYS[2], for the producer to name quiet ones.
redis.call('HSET', KEYS[2], ARGV[2], redis.call('TIME')[1])
redis.call('EXPIRE', KEYS[2], 86400)
local given = redis.call('GET', KEYS[3])
if given then return cjson.decode(given) end
local taken = {}
local function add(entry, deliveries)
  local size, job = 0, false
  for i = 1, #entry[2], 2 do
    size = size + #entry[2][i] + #entry[2][i + 1]
    if entry[2][i] == 'job' then job = entry[2][i + 1] end
  end
  if size > tonumber(ARGV[4]) then job = false end
  table.insert(taken, {entry[1], deliveries, size, job})
end
local new = redis.call('XREADGROUP', 'GROUP', ARGV[1], ARGV[2], 'COUNT', ARGV[3],
                       'STREAMS', KEYS[1], '>')
for _, entry in ipairs(new and new[1][2] or {}) do add(entry, 1) end
local more = tonumber(ARGV[3]) - #taken
if more > 0 then
  -- From the head of the pending list each time ('0-0'): the oldest entries wait there.
  local claimed = redis.pcall('XAUTOCLAIM', KEYS[1], ARGV[1], ARGV[2], ARGV[5], '0-0',
                              'COUNT', more)
  -- Should it fail, the entries taken are given all the same; with none, the error is the answer.
  if claimed.err and #taken == 0 then return claimed end
  for _, entry in ipairs(claimed.err and {} or claimed[2]) do
    -- XAUTOCLAIM does not say how often an entry was delivered; XPENDING does.
    add(entry, redis.call('XPENDING', KEYS[1], ARGV[1], entry[1], entry[1], 1)[1][4])
  end
end
local newest = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
local answer = {taken, newest[1] and newest[1][1] or '0-0'}
if #taken > 0 then
  redis.call('SET', KEYS[3], cjson.encode(answer), 'PX', math.max(tonumber(ARGV[5]), 1000))
end
return answer
