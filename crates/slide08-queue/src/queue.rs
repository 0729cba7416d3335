//! The queue: a Redis stream of jobs that a group of workers reads; every key and limit. Each key
//! has the hash tag `{slides}`: Redis Cluster keeps them in one slot, as a Lua script needs.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use common::retry::backoff;
use redis::streams::{StreamInfoConsumersReply, StreamReadOptions, StreamReadReply};
use redis::{AsyncCommands, RedisResult, Script, Value};
use url::Url;
use uuid::Uuid;

use crate::connect::{Redis, Target};
use crate::job::{Job, MAX_ENTRY, Taken, to_json};

/// The stream of jobs, each entry's JSON in its `job` field.
pub const JOBS: &str = "{slides}:jobs";
/// The workers' group: Redis gives each entry to one, and keeps it pending until acknowledged.
const GROUP: &str = "workers";
/// Entries no worker could run (not a job, or delivered too often), each with the reason.
pub const DEAD: &str = "{slides}:dead";
/// When each worker last asked for jobs or renewed its claims, in seconds since 1970: Redis's
/// own idle time for a consumer counts only the reads that gave it an entry.
const SEEN: &str = "{slides}:workers";
/// How long a run's record is kept (renewed while the run waits), in seconds: a day.
const RUN_KEPT: u64 = 24 * 3600;
/// How long a read waits on the server, in ms: how late a worker notices a signal.
const BLOCK: usize = 500;

/// A run's `results`, read by entry id (a reply a broken connection lost is read again), and its
/// `run` record (its `--url`'s origin, see allow.rs), which says Redis has not lost the run.
fn key(kind: &str, run: Uuid) -> String {
    format!("{{slides}}:{kind}:{run}")
}

/// The queue, over two connections: a read that waits holds its connection until it returns.
#[derive(Clone)]
pub struct Queue {
    redis: Redis,
    waiting: Redis,
    pub target: Target,
}

/// How settling went: done, done by another worker first, or not at all: Redis lost the run.
pub enum Settled {
    Done,
    ByAnother,
    RunLost,
}

impl Queue {
    /// Connects (commands get 5 s to answer), and makes the stream and the group if need be.
    pub async fn connect(target: &Target) -> Result<Queue, String> {
        let (answer, block) = (Duration::from_secs(5), Duration::from_millis(BLOCK as u64));
        let (redis, waiting) =
            tokio::try_join!(target.connect(answer), target.connect(block + answer))?;
        let queue = Queue {
            redis,
            waiting,
            target: target.clone(),
        };
        queue.create().await.map_err(|err| target.explain(&err))?;
        Ok(queue)
    }

    /// Makes the stream and the group (from id 0: with the jobs already there), unless they exist.
    async fn create(&self) -> RedisResult<()> {
        match self.redis().xgroup_create_mkstream(JOBS, GROUP, "0").await {
            Err(err) if err.code() == Some("BUSYGROUP") => Ok(()),
            other => other,
        }
    }

    fn redis(&self) -> Redis {
        self.redis.clone()
    }

    /// Records `run` and the origin of its `url`, then adds its jobs, 1000 per round trip.
    pub async fn enqueue(&self, run: Uuid, url: &Url, jobs: &[Job]) -> RedisResult<()> {
        let (mut redis, origin) = (self.redis(), url.origin().ascii_serialization());
        let () = redis.set_ex(key("run", run), origin, RUN_KEPT).await?;
        for chunk in jobs.chunks(1000) {
            let mut pipe = redis::pipe();
            for job in chunk {
                pipe.xadd(JOBS, "*", &[("job", to_json(job))]).ignore();
            }
            pipe.query_async::<()>(&mut redis).await?;
        }
        Ok(())
    }

    /// `run`'s results after entry id `last` (which it moves on), waiting up to [`BLOCK`] ms.
    pub async fn results(&self, run: Uuid, last: &mut String) -> RedisResult<Vec<String>> {
        let (mut waiting, stream) = (self.waiting.clone(), [key("results", run)]);
        let wait = StreamReadOptions::default().block(BLOCK).count(100);
        let read: Option<StreamReadReply> =
            waiting.xread_options(&stream, &[&*last], &wait).await?;
        let (entries, mut texts) = (read.into_iter().flat_map(|read| read.keys), Vec::new());
        for entry in entries.flat_map(|key| key.ids) {
            texts.push(entry.get("result").unwrap_or_default());
            *last = entry.id;
        }
        Ok(texts)
    }

    /// Removes `run`'s results, all read; should this fail, they expire within the hour.
    pub async fn forget(&self, run: Uuid) {
        let _: RedisResult<()> = self.redis().del(key("results", run)).await;
    }

    /// Whether Redis still holds `run`; if so, keeps it another day.
    pub async fn holds(&self, run: Uuid) -> RedisResult<bool> {
        self.redis().expire(key("run", run), RUN_KEPT as i64).await
    }

    /// The origin of `run`'s `--url`, as it was recorded.
    pub async fn origin(&self, run: Uuid) -> RedisResult<Option<String>> {
        self.redis().get(key("run", run)).await
    }

    /// How many entries the stream holds: waiting, or held by workers.
    pub async fn len(&self) -> RedisResult<usize> {
        self.redis().xlen(JOBS).await
    }

    /// Each worker in the group: its name, how many jobs it holds, and how many seconds ago it
    /// last asked for jobs or renewed its claims (`None`: never).
    pub async fn workers(&self) -> RedisResult<Vec<(String, usize, Option<u64>)>> {
        let mut redis = self.redis();
        let group: StreamInfoConsumersReply = redis.xinfo_consumers(JOBS, GROUP).await?;
        let mut asked = redis::pipe();
        asked.hgetall(SEEN).cmd("TIME");
        let (seen, now): (HashMap<String, u64>, (u64, u64)) = asked.query_async(&mut redis).await?;
        let workers = group.consumers.into_iter().map(|worker| {
            let then = seen.get(&worker.name);
            let ago = then.map(|then| now.0.saturating_sub(*then));
            (worker.name, worker.pending, ago)
        });
        Ok(workers.collect())
    }

    /// Up to `n` entries for worker `me.0` (see take.lua): new ones, then ones unclaimed for
    /// `idle`; the same ones again if its take `me.1` is sent again (its answer lost on the way).
    /// With none, waits up to [`BLOCK`] ms for a new one, for the next take.
    pub async fn take(&self, me: (&str, u64), n: usize, idle: Duration) -> RedisResult<Vec<Taken>> {
        let script = Script::new(include_str!("take.lua"));
        let mut take = script.key(&[JOBS, SEEN, &format!("{JOBS}:{}:{}", me.0, me.1)][..]);
        take.arg((GROUP, me.0, n, MAX_ENTRY, idle.as_millis() as u64));
        let mut redis = self.redis();
        let (taken, newest): (Vec<_>, String) = match take.invoke_async(&mut redis).await {
            // Redis restarted without its data, or was flushed: make a new, empty queue.
            Err(err) if err.code() == Some("NOGROUP") => return self.create().await.and(Err(err)),
            taken => taken?,
        };
        if taken.is_empty() {
            // A script cannot wait: XREAD can, for an entry after the newest (read whole, dropped).
            let wait = StreamReadOptions::default().block(BLOCK).count(1);
            let mut waiting = self.waiting.clone();
            let _: Value = waiting.xread_options(&[JOBS], &[newest], &wait).await?;
        }
        Ok(taken.into_iter().map(Taken::new).collect())
    }

    /// Settles entry `id` of `run` (see settle.lua): acknowledges it, stores `result`, and if
    /// `dead` says why, dead-letters its `job`. Tried again for `patience` if Redis is away.
    pub async fn settle(
        &self,
        (id, run): (&str, Uuid),
        (result, dead, job): (&str, &str, &str),
        patience: Duration,
    ) -> RedisResult<Settled> {
        let script = Script::new(include_str!("settle.lua"));
        let mut settle = script.key(&[JOBS, &key("results", run), DEAD][..]);
        settle.arg((GROUP, id, result, dead, job));
        let (deadline, mut tries) = (Instant::now() + patience, 0);
        let counted = loop {
            tries += 1;
            match settle.invoke_async::<bool>(&mut self.redis()).await {
                Err(_) if Instant::now() < deadline => tokio::time::sleep(backoff(tries)).await,
                counted => break counted?,
            }
        };
        // An entry that held no job has no run (nil): it had nothing to lose.
        Ok(match counted {
            true => Settled::Done,
            false if run.is_nil() || self.holds(run).await? => Settled::ByAnother,
            false => Settled::RunLost,
        })
    }

    /// Renews worker `me`'s claims on entries `ids` (see renew.lua), which it still runs.
    pub async fn renew(&self, me: &str, ids: &[String]) -> RedisResult<()> {
        let script = Script::new(include_str!("renew.lua"));
        let mut renew = script.key(&[JOBS, SEEN][..]);
        renew.arg((GROUP, me, ids));
        renew.invoke_async(&mut self.redis()).await
    }
}
