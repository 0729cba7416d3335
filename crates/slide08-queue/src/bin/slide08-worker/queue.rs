//! Taking entries from the queue in Redis: new ones, and the ones a dead worker left behind.

use std::time::{Duration, Instant};

use redis::aio::ConnectionManager;
use redis::streams::{
    StreamAutoClaimOptions, StreamAutoClaimReply, StreamId, StreamPendingCountReply,
    StreamReadOptions, StreamReadReply,
};
use redis::{AsyncCommands, RedisResult};
use slide08_queue::connect::create_group;
use slide08_queue::job::FIELD;
use slide08_queue::keys::{GROUP, JOBS};

use crate::NAME;

/// How long one `XREADGROUP` waits for new jobs. Between two reads the worker looks for
/// abandoned jobs and for a signal, so this bounds how late it notices either.
pub const BLOCK: Duration = Duration::from_millis(500);

/// One stream entry, taken by this worker.
pub struct Entry {
    pub id: String,
    /// The `job` field as text, if the entry has one.
    pub payload: Option<String>,
    /// How many times Redis has handed this entry to a worker, this time included.
    pub deliveries: usize,
}

impl Entry {
    fn new(entry: &StreamId, deliveries: usize) -> Entry {
        let payload = entry.get::<Vec<u8>>(FIELD);
        Entry {
            id: entry.id.clone(),
            payload: payload.map(|bytes| String::from_utf8_lossy(&bytes).into_owned()),
            deliveries,
        }
    }
}

/// Takes entries for this worker, on a connection of its own: a blocking read holds its
/// connection until it returns, and would stall everyone else's commands on a shared one.
pub struct Reader {
    redis: ConnectionManager,
    consumer: String,
    reclaim_after: Duration,
    /// Where the next scan of the pending list starts ("0-0": at its beginning).
    cursor: String,
    next_reclaim: Instant,
}

impl Reader {
    pub fn new(redis: ConnectionManager, consumer: &str, reclaim_after: Duration) -> Reader {
        Reader {
            redis,
            consumer: consumer.to_owned(),
            reclaim_after,
            cursor: "0-0".into(),
            next_reclaim: Instant::now(),
        }
    }

    /// Up to `count` entries: abandoned ones first, when it is time to look for them, else
    /// new ones, waiting up to [`BLOCK`] for some. May give none.
    pub async fn take(&mut self, count: usize) -> RedisResult<Vec<Entry>> {
        let reclaimed = if Instant::now() >= self.next_reclaim {
            self.reclaim(count).await
        } else {
            Ok(Vec::new())
        };
        let taken = match reclaimed {
            Ok(entries) if entries.is_empty() => self.read_new(count).await,
            other => other,
        };
        match taken {
            // A Redis restarted without its data has lost the group (and the jobs with it).
            Err(err) if err.code() == Some("NOGROUP") => {
                create_group(&mut self.redis).await?;
                println!("{NAME}: created the group {GROUP} again (Redis lost it)");
                Ok(Vec::new())
            }
            other => other,
        }
    }

    /// `XREADGROUP … >`: entries no worker of the group has had yet.
    async fn read_new(&mut self, count: usize) -> RedisResult<Vec<Entry>> {
        let options = StreamReadOptions::default()
            .group(GROUP, &self.consumer)
            .count(count)
            .block(millis(BLOCK));
        let reply: Option<StreamReadReply> =
            self.redis.xread_options(&[JOBS], &[">"], &options).await?;
        let entries = reply.into_iter().flat_map(|reply| reply.keys);
        let entries = entries.flat_map(|stream| stream.ids);
        Ok(entries.map(|entry| Entry::new(&entry, 1)).collect())
    }

    /// `XAUTOCLAIM`: entries some worker took and has not settled for `--reclaim-after`. Its
    /// worker crashed, or was stopped at once; the entries become ours, one delivery more.
    async fn reclaim(&mut self, count: usize) -> RedisResult<Vec<Entry>> {
        let idle = millis(self.reclaim_after);
        let options = StreamAutoClaimOptions::default().count(count);
        let reply: StreamAutoClaimReply = (self.redis)
            .xautoclaim_options(JOBS, GROUP, &self.consumer, idle, &self.cursor, options)
            .await?;
        // Back at "0-0", the scan has been through the whole pending list: rest a while.
        if reply.next_stream_id == "0-0" {
            self.next_reclaim = Instant::now() + (self.reclaim_after / 4).min(BLOCK * 10);
        }
        self.cursor = reply.next_stream_id;
        if reply.claimed.is_empty() {
            return Ok(Vec::new());
        }
        // XAUTOCLAIM does not say how often each entry was delivered; XPENDING does.
        let mut pipe = redis::pipe();
        for entry in &reply.claimed {
            pipe.xpending_count(JOBS, GROUP, &entry.id, &entry.id, 1);
        }
        let pending: Vec<StreamPendingCountReply> = pipe.query_async(&mut self.redis).await?;
        println!(
            "{NAME}: took over {} jobs left unsettled for more than {:?} (their worker stopped \
             or crashed)",
            reply.claimed.len(),
            self.reclaim_after
        );
        let deliveries = pending
            .iter()
            .map(|p| p.ids.first().map_or(1, |p| p.times_delivered));
        let entries = reply.claimed.iter().zip(deliveries);
        Ok(entries.map(|(entry, n)| Entry::new(entry, n)).collect())
    }
}

fn millis(duration: Duration) -> usize {
    usize::try_from(duration.as_millis()).unwrap_or(usize::MAX)
}
