//! Taking entries from the queue in Redis: new ones, and the ones a dead worker left behind.

use std::time::Duration;

use redis::streams::{StreamAutoClaimOptions, StreamAutoClaimReply, StreamId};
use redis::streams::{StreamPendingCountReply, StreamReadOptions, StreamReadReply};
use redis::{AsyncCommands, RedisResult, Script};
use slide08_queue::{GROUP, JOBS, MAX_ENTRY, create_group};

use crate::NAME;
use crate::job::Worker;

/// How long one `XREADGROUP` waits for new jobs: how late the worker may notice a signal.
pub const BLOCK: Duration = Duration::from_millis(500);

impl Worker {
    /// Up to `count` entries, each with how many times Redis has handed it to a worker (this
    /// time included): new ones, waiting up to [`BLOCK`] for one if none is there; if fewer
    /// come, ones a dead worker left behind. May give none.
    pub async fn take(&self, count: usize) -> RedisResult<Vec<(StreamId, usize)>> {
        let mut redis = self.reading.clone();
        // New entries waiting already, through the TAKE script: Redis sends an entry over
        // MAX_ENTRY as its size alone, so 10 MB entries never reach us whole.
        let script = Script::new(TAKE);
        let mut take = script.key(JOBS);
        take.arg((GROUP, &self.name, count, MAX_ENTRY));
        let mut entries = match take.invoke_async(&mut redis).await {
            // A Redis restarted without its data, or flushed, has lost the group and the
            // jobs with it: say so, and make a new, empty queue to go on with.
            Err(err) if err.code() == Some("NOGROUP") => {
                create_group(&mut redis).await?;
                eprintln!(
                    "{NAME}: the queue is gone from Redis (it restarted without persistence, \
                     or was flushed); made a new, empty one"
                );
                Vec::new()
            }
            read => entries_of(read?),
        };
        if entries.is_empty() {
            // None waits: `XREADGROUP … BLOCK` waits up to BLOCK for one, as a script cannot.
            // One only, since it comes whole; the next take gets the rest through the script.
            let options = StreamReadOptions::default()
                .group(GROUP, &self.name)
                .count(1)
                .block(BLOCK.as_millis() as usize);
            entries = entries_of(redis.xread_options(&[JOBS], &[">"], &options).await?);
        }
        if entries.len() < count {
            entries.extend(self.reclaim(count - entries.len()).await?);
        }
        Ok(entries)
    }

    /// `XAUTOCLAIM`: entries some worker took and has not settled for `--reclaim-after`. Its
    /// worker crashed, or was stopped at once; the entries become ours, one delivery more.
    /// They come whole, but a worker dead-letters an entry over the cap as soon as it has it.
    async fn reclaim(&self, count: usize) -> RedisResult<Vec<(StreamId, usize)>> {
        let (mut redis, after) = (self.reading.clone(), self.cli.reclaim_after);
        let options = StreamAutoClaimOptions::default().count(count);
        let idle = after.as_millis() as usize;
        // From the head of the pending list each time ("0-0"): the oldest entries wait there.
        let reply: StreamAutoClaimReply = redis
            .xautoclaim_options(JOBS, GROUP, &self.name, idle, "0-0", options)
            .await?;
        if reply.claimed.is_empty() {
            return Ok(Vec::new());
        }
        // XAUTOCLAIM does not say how often each entry was delivered; XPENDING does.
        let mut pipe = redis::pipe();
        for entry in &reply.claimed {
            pipe.xpending_count(JOBS, GROUP, &entry.id, &entry.id, 1);
        }
        let pending: Vec<StreamPendingCountReply> = pipe.query_async(&mut redis).await?;
        let n = reply.claimed.len();
        println!(
            "{NAME}: took over {n} jobs left unsettled for more than {after:?} (their worker \
             stopped or crashed)"
        );
        let deliveries = pending
            .iter()
            .map(|p| p.ids.first().map_or(1, |p| p.times_delivered));
        Ok(reply.claimed.into_iter().zip(deliveries).collect())
    }
}

/// The entries of an `XREADGROUP` reply, each handed over for the first time.
fn entries_of(reply: Option<StreamReadReply>) -> Vec<(StreamId, usize)> {
    let streams = reply.into_iter().flat_map(|reply| reply.keys);
    let ids = streams.flat_map(|stream| stream.ids);
    ids.map(|id| (id, 1)).collect()
}

/// The field an entry over the cap is cut down to by TAKE: its size in bytes.
pub const OVERSIZED: &str = "oversized";

/// `XREADGROUP GROUP … COUNT … STREAMS {slides}:jobs >`, without BLOCK (a script cannot wait),
/// and each entry over the cap cut down to one field, `oversized`, with its size: all of its
/// field names and values, in bytes.
const TAKE: &str = r"
-- KEYS: the job stream
-- ARGV: group, consumer, how many entries at most, the most bytes an entry may hold
local read = redis.call('XREADGROUP', 'GROUP', ARGV[1], ARGV[2], 'COUNT', ARGV[3],
                        'STREAMS', KEYS[1], '>')
for _, entry in ipairs(read and read[1][2] or {}) do
  local size = 0
  for _, text in ipairs(entry[2]) do
    size = size + #text
  end
  if size > tonumber(ARGV[4]) then
    entry[2] = {'oversized', tostring(size)}
  end
end
return read
";
