-- Renews consumer ARGV[2]'s claims on the entries ARGV[3…] it still holds in group ARGV[1] of
-- the job stream KEYS[1], and notes the time in KEYS[2]: their idle time starts again from
-- zero, so no other worker takes over a job that is still running. `XCLAIM … 0 <id> JUSTID` does
-- that without counting a delivery, but whoever holds the entry; so `XPENDING` checks first
-- that it is still this consumer's (another may have taken it over while this one was paused).
redis.call('HSET', KEYS[2], ARGV[2], redis.call('TIME')[1])
for i = 3, #ARGV do
  if #redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[i], ARGV[i], 1, ARGV[2]) > 0 then
    redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[i], 'JUSTID')
  end
end
