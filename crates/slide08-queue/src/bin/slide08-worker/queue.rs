//! Taking entries from the queue in Redis: new ones, and the ones a dead worker left behind.

use std::time::Duration;

use redis::streams::{StreamAutoClaimOptions, StreamAutoClaimReply, StreamId};
use redis::streams::{StreamPendingCountReply, StreamReadOptions, StreamReadReply};
use redis::{AsyncCommands, RedisResult};
use slide08_queue::{GROUP, JOBS, create_group};

use crate::NAME;
use crate::job::Worker;

/// How long one `XREADGROUP` waits for new jobs: how late the worker may notice a signal.
pub const BLOCK: Duration = Duration::from_millis(500);

impl Worker {
    /// Up to `count` entries, each with how many times Redis has handed it to a worker (this
    /// time included): new ones, waiting up to [`BLOCK`] for some; if fewer come, ones a dead
    /// worker left behind. May give none.
    pub async fn take(&self, count: usize) -> RedisResult<Vec<(StreamId, usize)>> {
        // `XREADGROUP … >`: entries no worker of the group has had yet.
        let options = StreamReadOptions::default()
            .group(GROUP, &self.name)
            .count(count)
            .block(BLOCK.as_millis() as usize);
        let mut redis = self.reading.clone();
        let reply: Option<StreamReadReply> =
            match redis.xread_options(&[JOBS], &[">"], &options).await {
                // A Redis restarted without its data has lost the group (and the jobs with it).
                Err(err) if err.code() == Some("NOGROUP") => {
                    create_group(&mut redis).await?;
                    None
                }
                read => read?,
            };
        let streams = reply.into_iter().flat_map(|reply| reply.keys);
        let ids = streams.flat_map(|stream| stream.ids);
        let mut entries: Vec<_> = ids.map(|id| (id, 1)).collect();
        if entries.len() < count {
            entries.extend(self.reclaim(count - entries.len()).await?);
        }
        Ok(entries)
    }

    /// `XAUTOCLAIM`: entries some worker took and has not settled for `--reclaim-after`. Its
    /// worker crashed, or was stopped at once; the entries become ours, one delivery more.
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
