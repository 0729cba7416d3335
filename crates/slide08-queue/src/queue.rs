//! The queue: a Redis stream of jobs, read by a group of workers. The producer enqueues jobs
//! and reads their results; a worker takes jobs (and those of a worker that died), and stores
//! each result and acknowledges its job in one step. Its key names and limits are all here.
//!
//! Every key starts with the hash tag `{slides}`: Redis Cluster keeps keys with the same tag in
//! one slot, and a Lua script may only touch keys of one slot.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use redis::streams::StreamInfoConsumersReply as Consumers;
use redis::streams::{StreamReadOptions, StreamReadReply};
use redis::{AsyncCommands, RedisResult, Script, Value};
use uuid::Uuid;

use crate::connect::{Redis, Target};
use crate::job::{Job, MAX_ENTRY, to_json};

/// The stream of jobs, each entry's JSON in its `job` field.
pub const JOBS: &str = "{slides}:jobs";
const FIELD: &str = "job";
/// The workers' consumer group. Redis gives each entry to one of them, and keeps the entries
/// taken but not yet acknowledged (the "pending" list), each with how often it was delivered.
const GROUP: &str = "workers";
/// Entries no worker could run (not a job, or delivered too often), each with the reason.
pub const DEAD: &str = "{slides}:dead";
/// A run's results. The producer reads them by entry id and removes none: a result whose reply a
/// broken connection lost is read again from the last id that did arrive.
fn results(run: Uuid) -> String {
    format!("{{slides}}:results:{run}")
}
/// A run's record: the origin of its `--url` (a worker allows that port on a host its
/// `--allow-host` lists bare). While it is there, Redis holds the run: one that restarted
/// without persistence, or was flushed, has lost it with its jobs.
fn record(run: Uuid) -> String {
    format!("{{slides}}:run:{run}")
}
/// When each worker last asked for jobs or renewed its claims, in seconds since 1970.
const SEEN: &str = "{slides}:workers";
/// How long a run's record is kept (renewed while the run waits): a day.
const RUN_KEPT: u64 = 24 * 3600;
/// How long a read waits on the server for an entry: how late a worker notices a signal.
const BLOCK: Duration = Duration::from_millis(500);

/// The queue, over two connections: a read that waits holds its connection until it returns.
#[derive(Clone)]
pub struct Queue {
    redis: Redis,
    waiting: Redis,
    pub target: Target,
}

/// An entry a worker took: its id, how often Redis has handed it out (this time included), and
/// its job's text, or why it has none.
#[derive(Debug)]
pub struct Taken {
    pub id: String,
    pub deliveries: usize,
    pub text: Result<String, String>,
}

/// An entry as take.lua gives it: its id, how often it was delivered, its size, its job.
type Entry = (String, usize, usize, Option<Vec<u8>>);

/// How settling an entry went.
#[derive(Debug, PartialEq)]
pub enum Settled {
    /// Acknowledged, and its result stored.
    Done,
    /// Another worker settled it first.
    ByAnother,
    /// Redis no longer holds the job's run: it restarted without its data, or was flushed.
    RunLost,
}

impl Queue {
    /// Connects (commands get 5 s to answer), and makes the stream and the group if need be.
    pub async fn connect(target: &Target) -> Result<Queue, String> {
        let answer = Duration::from_secs(5);
        let both = tokio::try_join!(target.connect(answer), target.connect(BLOCK + answer))?;
        let (redis, waiting, target) = (both.0, both.1, target.clone());
        let queue = Queue {
            redis,
            waiting,
            target,
        };
        queue
            .create()
            .await
            .map_err(|err| queue.target.explain(&err))?;
        Ok(queue)
    }

    /// Makes the stream and the group, unless they exist (`BUSYGROUP`). The group starts at id
    /// 0, so it gets the jobs added before it, too.
    async fn create(&self) -> RedisResult<()> {
        match self
            .redis
            .clone()
            .xgroup_create_mkstream(JOBS, GROUP, "0")
            .await
        {
            Err(err) if err.code() == Some("BUSYGROUP") => Ok(()),
            other => other,
        }
    }

    /// The bytes `job` takes on the stream: a worker takes no entry over [`MAX_ENTRY`].
    pub fn entry_size(job: &Job) -> usize {
        FIELD.len() + to_json(job).len()
    }

    /// Records `run` with the `origin` of its `--url`, then adds its jobs, a thousand `XADD`s
    /// per round trip.
    pub async fn enqueue(&self, run: Uuid, origin: &str, jobs: &[Job]) -> RedisResult<()> {
        let mut redis = self.redis.clone();
        redis
            .set_ex::<_, _, ()>(record(run), origin, RUN_KEPT)
            .await?;
        for chunk in jobs.chunks(1000) {
            let mut pipe = redis::pipe();
            for job in chunk {
                pipe.xadd(JOBS, "*", &[(FIELD, to_json(job))]).ignore();
            }
            pipe.query_async::<()>(&mut redis).await?;
        }
        Ok(())
    }

    /// `run`'s results after entry id `last`, waiting up to [`BLOCK`] for one; moves `last` on.
    pub async fn results(&self, run: Uuid, last: &mut String) -> RedisResult<Vec<String>> {
        let wait = StreamReadOptions::default()
            .block(BLOCK.as_millis() as usize)
            .count(100);
        let mut redis = self.waiting.clone();
        let read: Option<StreamReadReply> = redis
            .xread_options(&[results(run)], &[&*last], &wait)
            .await?;
        let mut texts = Vec::new();
        for entry in read
            .into_iter()
            .flat_map(|read| read.keys)
            .flat_map(|key| key.ids)
        {
            texts.push(entry.get("result").unwrap_or_default());
            *last = entry.id;
        }
        Ok(texts)
    }

    /// Removes `run`'s results, all read; should this fail, they expire within the hour.
    pub async fn forget(&self, run: Uuid) {
        let _: RedisResult<()> = self.redis.clone().del(results(run)).await;
    }

    /// Whether Redis still holds `run`; if so, keeps it another day.
    pub async fn holds(&self, run: Uuid) -> RedisResult<bool> {
        self.redis
            .clone()
            .expire(record(run), RUN_KEPT as i64)
            .await
    }

    /// The origin of `run`'s `--url`, as it was recorded.
    pub async fn origin(&self, run: Uuid) -> RedisResult<Option<String>> {
        self.redis.clone().get(record(run)).await
    }

    /// How many entries the stream holds: waiting, or held by workers.
    pub async fn len(&self) -> RedisResult<usize> {
        self.redis.clone().xlen(JOBS).await
    }

    /// Every worker Redis has seen in the group: its name, how many jobs it holds, and how many
    /// seconds ago it last asked for jobs or renewed its claims (`u64::MAX` if never).
    pub async fn workers(&self) -> RedisResult<Vec<(String, usize, u64)>> {
        let mut redis = self.redis.clone();
        let group: Consumers = redis.xinfo_consumers(JOBS, GROUP).await?;
        let mut asked = redis::pipe();
        asked.hgetall(SEEN).cmd("TIME");
        let (seen, now): (HashMap<String, u64>, (u64, u64)) = asked.query_async(&mut redis).await?;
        let ago = |name: &str| {
            seen.get(name)
                .map_or(u64::MAX, |&then| now.0.saturating_sub(then))
        };
        let workers = group.consumers.into_iter();
        Ok(workers
            .map(|w| (ago(&w.name), w))
            .map(|(ago, w)| (w.name, w.pending, ago))
            .collect())
    }

    /// Up to `count` entries for worker `me` (see take.lua): new ones, then ones their worker
    /// has not renewed its claim on for `reclaim_after`. With none, waits up to [`BLOCK`] for a
    /// new one, which the next take gets.
    pub async fn take(
        &self,
        me: &str,
        count: usize,
        reclaim_after: Duration,
    ) -> RedisResult<Vec<Taken>> {
        let script = Script::new(include_str!("take.lua"));
        let mut take = script.key(&[JOBS, SEEN][..]);
        take.arg((
            GROUP,
            me,
            count,
            MAX_ENTRY,
            reclaim_after.as_millis() as u64,
        ));
        let (taken, newest): (Vec<Entry>, String) = match take
            .invoke_async(&mut self.redis.clone())
            .await
        {
            // Redis restarted without its data, or was flushed: make a new, empty queue.
            Err(err) if err.code() == Some("NOGROUP") => return self.create().await.and(Err(err)),
            taken => taken?,
        };
        if taken.is_empty() {
            // A script cannot wait: XREAD can, for an entry after the newest one (which it
            // reads whole, and drops: the next take gets it cut down to its size, if need be).
            let wait = StreamReadOptions::default()
                .block(BLOCK.as_millis() as usize)
                .count(1);
            let _: Value = self
                .waiting
                .clone()
                .xread_options(&[JOBS], &[newest], &wait)
                .await?;
        }
        let taken = taken.into_iter().map(|(id, deliveries, size, job)| {
            // Anyone can put anything on the stream: the text is read lossily, or not at all.
            let text = match job {
                _ if size > MAX_ENTRY => Err(format!(
                    "the entry is {size} bytes, more than the {MAX_ENTRY} a job may be; not parsed"
                )),
                Some(job) => Ok(String::from_utf8_lossy(&job).into_owned()),
                None => Err(format!("no {FIELD:?} field")),
            };
            Taken {
                id,
                deliveries,
                text,
            }
        });
        Ok(taken.collect())
    }

    /// Settles entry `id` of `run` in one step (see settle.lua): acknowledges it, stores
    /// `result` (if any), and dead-letters the entry with its `job` text if there is a reason
    /// (`dead`). Tried again, with pauses, for `patience`: until another worker may take the job
    /// over anyway.
    pub async fn settle(
        &self,
        (id, run): (&str, Uuid),
        (result, dead, job): (&str, &str, &str),
        patience: Duration,
    ) -> RedisResult<Settled> {
        let script = Script::new(include_str!("settle.lua"));
        let mut settle = script.key(&[JOBS, &results(run), DEAD][..]);
        settle.arg((GROUP, id, result, dead, job));
        let (deadline, mut tries) = (Instant::now() + patience, 0);
        let counted = loop {
            tries += 1;
            match settle.invoke_async::<bool>(&mut self.redis.clone()).await {
                Err(_) if Instant::now() < deadline => {
                    tokio::time::sleep(common::retry::backoff(tries)).await
                }
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

    /// Renews worker `me`'s claims on entries `ids` (see renew.lua): no other worker takes them
    /// over while their jobs run.
    pub async fn renew(&self, me: &str, ids: &[String]) -> RedisResult<()> {
        let script = Script::new(include_str!("renew.lua"));
        let mut renew = script.key(&[JOBS, SEEN][..]);
        renew.arg((GROUP, me, ids));
        renew.invoke_async(&mut self.redis.clone()).await
    }
}
