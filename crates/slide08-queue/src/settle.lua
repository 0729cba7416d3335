-- Settles one entry: acknowledges it and, only if this acknowledgement counted (so a job run
-- twice is stored once), deletes it, dead-letters it if there is a reason to (keeping the newest
-- 10 000 or so), and stores its result if any, kept for an hour after the run's last one.
-- KEYS: the job stream, the run's results stream, the dead-letter stream
-- ARGV: group, entry id, result JSON or '', dead-letter reason or '', the entry's job text
if redis.call('XACK', KEYS[1], ARGV[1], ARGV[2]) == 0 then return 0 end
redis.call('XDEL', KEYS[1], ARGV[2])
if ARGV[4] ~= '' then
  redis.call('XADD', KEYS[3], 'MAXLEN', '~', 10000, '*',
             'entry', ARGV[2], 'reason', ARGV[4], 'job', ARGV[5])
end
if ARGV[3] ~= '' then
  redis.call('XADD', KEYS[2], '*', 'result', ARGV[3])
  redis.call('EXPIRE', KEYS[2], 3600)
end
return 1
