-- Renews consumer ARGV[2]'s claims on the entries ARGV[3…] of group ARGV[1] of the job stream
-- KEYS[1], and notes the time in KEYS[2]: their idle time starts again, so no other worker takes
-- over a running job. `XCLAIM … JUSTID` counts no delivery but takes the entry from whoever holds
-- it: `XPENDING` checks first that it is still this consumer's.
redis.call('HSET', KEYS[2], ARGV[2], redis.call('TIME')[1])
for i = 3, #ARGV do
  if #redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[i], ARGV[i], 1, ARGV[2]) > 0 then
    redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[i], 'JUSTID')
  end
end
