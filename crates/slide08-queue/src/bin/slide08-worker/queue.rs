//! The worker's side of the queue in Redis: taking entries — new ones, and the ones a stopped
//! worker left behind — and settling each one once.

use std::time::{Duration, Instant};

use redis::aio::ConnectionManager;
use redis::streams::{
    StreamAutoClaimOptions, StreamAutoClaimReply, StreamId, StreamPendingCountReply,
    StreamReadOptions, StreamReadReply,
};
use redis::{AsyncCommands, RedisResult, Script};
use slide08_queue::connect::create_group;
use slide08_queue::job::FIELD;
use slide08_queue::keys::{self, DEAD, DEAD_MAX, GROUP, JOBS, RESULTS_TTL};
use uuid::Uuid;

use crate::NAME;

/// How long one `XREADGROUP` waits for new jobs. Between two reads the worker looks for
/// abandoned jobs and for a stop, so this bounds how late it notices either.
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
        Entry {
            id: entry.id.clone(),
            payload: entry
                .get::<Vec<u8>>(FIELD)
                .map(|bytes| String::from_utf8_lossy(&bytes).into_owned()),
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
        let taken = self.reclaim_or_read(count).await;
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

    async fn reclaim_or_read(&mut self, count: usize) -> RedisResult<Vec<Entry>> {
        if Instant::now() >= self.next_reclaim {
            let reclaimed = self.reclaim(count).await?;
            if !reclaimed.is_empty() {
                return Ok(reclaimed);
            }
        }
        self.read_new(count).await
    }

    /// `XREADGROUP … >`: entries no worker of the group has had yet.
    async fn read_new(&mut self, count: usize) -> RedisResult<Vec<Entry>> {
        let options = StreamReadOptions::default()
            .group(GROUP, &self.consumer)
            .count(count)
            .block(millis(BLOCK));
        let reply: Option<StreamReadReply> =
            self.redis.xread_options(&[JOBS], &[">"], &options).await?;
        Ok(reply
            .into_iter()
            .flat_map(|reply| reply.keys)
            .flat_map(|stream| stream.ids)
            .map(|entry| Entry::new(&entry, 1))
            .collect())
    }

    /// `XAUTOCLAIM`: entries some worker took and has not settled for `--reclaim-after`. Its
    /// worker crashed, or was stopped at once; the entries become ours, one delivery more.
    async fn reclaim(&mut self, count: usize) -> RedisResult<Vec<Entry>> {
        let options = StreamAutoClaimOptions::default().count(count);
        let reply: StreamAutoClaimReply = self
            .redis
            .xautoclaim_options(
                JOBS,
                GROUP,
                &self.consumer,
                millis(self.reclaim_after),
                &self.cursor,
                options,
            )
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
        Ok(reply
            .claimed
            .iter()
            .zip(pending)
            .map(|(entry, pending)| {
                let deliveries = pending.ids.first().map_or(1, |p| p.times_delivered);
                Entry::new(entry, deliveries)
            })
            .collect())
    }
}

/// Settles one entry, atomically: acknowledges it, and only if this acknowledgement is the one
/// that counted, deletes it, dead-letters it (with a reason) and publishes its result (if
/// any). A job run twice — its first worker was only slow, not dead — is thus published once.
const SETTLE: &str = r"
-- KEYS: the job stream, the run's result list, the dead-letter stream
-- ARGV: group, entry id, result JSON or '', the result list's TTL in seconds,
--       dead-letter reason or '', the entry's job field, the dead-letter stream's length
if redis.call('XACK', KEYS[1], ARGV[1], ARGV[2]) == 0 then
  return 0
end
redis.call('XDEL', KEYS[1], ARGV[2])
if ARGV[5] ~= '' then
  redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[7], '*',
             'entry', ARGV[2], 'reason', ARGV[5], 'job', ARGV[6])
end
if ARGV[3] ~= '' then
  redis.call('RPUSH', KEYS[2], ARGV[3])
  redis.call('EXPIRE', KEYS[2], ARGV[4])
end
return 1
";

/// What becomes of an entry.
pub struct Settlement {
    /// The result, and the run whose list it goes to.
    pub result: Option<(Uuid, String)>,
    /// If the entry goes to the dead-letter stream: why, and its job field.
    pub dead_letter: Option<(String, String)>,
}

/// Settles entries, on a connection the job tasks share.
#[derive(Clone)]
pub struct Settler {
    redis: ConnectionManager,
    script: Script,
    /// How long to keep trying while Redis is away: after `--reclaim-after`, another worker
    /// may have taken the job over anyway.
    give_up_after: Duration,
}

impl Settler {
    pub fn new(redis: ConnectionManager, give_up_after: Duration) -> Settler {
        Settler {
            redis,
            script: Script::new(SETTLE),
            give_up_after,
        }
    }

    /// `Ok(true)` if this worker settled the entry, `Ok(false)` if another had already.
    pub async fn settle(&self, entry_id: &str, settlement: &Settlement) -> RedisResult<bool> {
        // With no result, the script touches no list; the key only keeps it in one slot.
        let (run, result) = match &settlement.result {
            Some((run, json)) => (*run, json.as_str()),
            None => (Uuid::nil(), ""),
        };
        let (reason, payload) = match &settlement.dead_letter {
            Some((reason, payload)) => (reason.as_str(), payload.as_str()),
            None => ("", ""),
        };
        let mut invocation = self.script.key(JOBS);
        invocation
            .key(keys::results(run))
            .key(DEAD)
            .arg(GROUP)
            .arg(entry_id)
            .arg(result)
            .arg(RESULTS_TTL.as_secs())
            .arg(reason)
            .arg(payload)
            .arg(DEAD_MAX);
        let deadline = Instant::now() + self.give_up_after;
        let mut wait = Duration::from_millis(100);
        loop {
            // The connection reconnects by itself after a failure; we only wait and retry.
            match invocation
                .invoke_async::<i64>(&mut self.redis.clone())
                .await
            {
                Ok(acked) => return Ok(acked == 1),
                Err(_) if Instant::now() + wait < deadline => {
                    tokio::time::sleep(wait).await;
                    wait = (wait * 2).min(Duration::from_secs(5));
                }
                Err(err) => return Err(err),
            }
        }
    }
}

fn millis(duration: Duration) -> usize {
    usize::try_from(duration.as_millis()).unwrap_or(usize::MAX)
}
