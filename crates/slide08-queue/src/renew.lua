-- Renews a consumer's claim on the entries it still holds: their idle time starts again from
-- zero, so no other worker takes over a job that is still running. `XCLAIM … 0 <id> JUSTID`
-- does that without counting a delivery, but it claims the entry whoever holds it; so first
-- `XPENDING … <id> <id> 1 <consumer>` checks that the entry is still this consumer's (another
-- worker may have taken it over while this one was paused).
-- KEYS: the job stream, when each worker was last heard from
-- ARGV: group, the consumer, then the ids of the entries it holds
redis.call('HSET', KEYS[2], ARGV[2], redis.call('TIME')[1])
local kept = 0
for i = 3, #ARGV do
  local mine = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[i], ARGV[i], 1, ARGV[2])
  if #mine > 0 then
    redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[i], 'JUSTID')
    kept = kept + 1
  end
end
return kept
