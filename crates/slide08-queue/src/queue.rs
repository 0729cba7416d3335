//! The queue: a Redis stream of jobs and the group of workers that read it. The producer puts
//! jobs on it and reads their results; a worker takes jobs, stores each result and
//! acknowledges the job in one step, and takes over the jobs of a worker that died.
//!
//! Every key starts with the hash tag `{slides}`: Redis Cluster keeps keys with the same tag in
//! one slot, and a Lua script may only touch keys of one slot (settling a job writes the job
//! stream, a results stream and the dead-letter stream at once).

use std::time::{Duration, Instant};

use redis::streams::StreamReadReply;
use redis::streams::{StreamInfoConsumer, StreamInfoConsumersReply, StreamReadOptions};
use redis::{AsyncCommands, RedisResult, Script};
use tokio::time::sleep;
use uuid::Uuid;

use crate::connect::{Redis, Target};
use crate::job::{Job, MAX_ENTRY, to_json};

/// The stream of jobs: the producer adds to it, the workers read it. Each entry holds one job,
/// as JSON, in its `job` field.
pub const JOBS: &str = "{slides}:jobs";
const FIELD: &str = "job";

/// The consumer group the workers read [`JOBS`] through. Each entry goes to one worker, and
/// Redis keeps the entries taken but not yet acknowledged (the "pending" list) with how often
/// each was delivered: what lets a worker take over the jobs of one that crashed.
pub const GROUP: &str = "workers";

/// Entries no worker could run (not a job, or delivered too often), with the reason.
pub const DEAD: &str = "{slides}:dead";

/// The stream a run's results go to. The producer reads it by entry id and removes nothing: a
/// result whose reply a broken connection lost is read again from the last id that did arrive.
fn results(run: Uuid) -> String {
    format!("{{slides}}:results:{run}")
}

/// Where a run declares itself before its first job: the origin (scheme, host, port) of the
/// producer's `--url`, kept for [`RUN_KEPT`]. A worker allows that port on a host its
/// `--allow-host` lists bare; and while the run waits, the key says Redis still holds it: a
/// Redis restarted without persistence, or flushed, has lost it with the run's jobs.
fn run_record(run: Uuid) -> String {
    format!("{{slides}}:run:{run}")
}

/// How long a run's record is kept (renewed while the run waits): its jobs are meant to run
/// within a day.
const RUN_KEPT: Duration = Duration::from_secs(24 * 3600);

/// How long a read waits on the server for an entry: how late a worker notices a signal.
pub const BLOCK: Duration = Duration::from_millis(500);

/// How long any other command may take to answer.
const ANSWER_WITHIN: Duration = Duration::from_secs(5);

/// The queue in one Redis, over two connections: a read that waits holds its connection until
/// it returns, so the other commands have one of their own.
#[derive(Clone)]
pub struct Queue {
    redis: Redis,
    waiting: Redis,
    pub target: Target,
}

/// An entry a worker took: its id, how often Redis has handed it out (this time included),
/// and the text of its job, or why it has none.
#[derive(Debug)]
pub struct Taken {
    pub id: String,
    pub deliveries: usize,
    pub text: Result<String, String>,
}

/// How settling an entry went.
#[derive(Debug, PartialEq)]
pub enum Settled {
    /// Acknowledged, and its result stored: this settling counted.
    Done,
    /// Acknowledged already: another worker settled it first.
    ByAnother,
    /// Redis no longer holds the job's run: it restarted without its data, or was flushed.
    RunLost,
}

impl Queue {
    /// Connects, and makes sure the job stream and the workers' group exist: whichever side
    /// starts first makes them.
    pub async fn connect(target: &Target) -> Result<Queue, String> {
        let (redis, waiting) = tokio::try_join!(
            target.connect(ANSWER_WITHIN),
            target.connect(BLOCK + ANSWER_WITHIN)
        )?;
        let queue = Queue {
            redis,
            waiting,
            target: target.clone(),
        };
        queue.create().await.map_err(|err| target.explain(&err))?;
        Ok(queue)
    }

    /// Makes the stream and the group. The group starts at id 0, so it also gets the jobs added
    /// before it existed; `BUSYGROUP` means it exists already.
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

    /// The size of `job`'s entry in bytes, its field name included: a worker takes no entry
    /// over [`MAX_ENTRY`].
    pub fn entry_size(job: &Job) -> usize {
        FIELD.len() + to_json(job).len()
    }

    /// Declares `run` (its `--url`'s `origin`), then adds its jobs: the `XADD`s go out
    /// pipelined, a thousand per round trip, rather than one round trip each.
    pub async fn enqueue(&self, run: Uuid, origin: &str, jobs: &[Job]) -> RedisResult<()> {
        let mut redis = self.redis.clone();
        let kept = RUN_KEPT.as_secs();
        redis
            .set_ex::<_, _, ()>(run_record(run), origin, kept)
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

    /// The results of `run` stored after entry id `last`, waiting up to [`BLOCK`] for one;
    /// moves `last` on to the last one given.
    pub async fn results(&self, run: Uuid, last: &mut String) -> RedisResult<Vec<String>> {
        let options = StreamReadOptions::default()
            .block(BLOCK.as_millis() as usize)
            .count(100);
        let read: Option<StreamReadReply> = self
            .waiting
            .clone()
            .xread_options(&[results(run)], &[&*last], &options)
            .await?;
        let entries = read
            .into_iter()
            .flat_map(|reply| reply.keys)
            .flat_map(|key| key.ids);
        let mut texts = Vec::new();
        for entry in entries {
            texts.push(entry.get("result").unwrap_or_default());
            *last = entry.id;
        }
        Ok(texts)
    }

    /// Removes the results of `run`, all read. (If this fails, they expire in an hour.)
    pub async fn forget(&self, run: Uuid) {
        let _: RedisResult<()> = self.redis.clone().del(results(run)).await;
    }

    /// Whether Redis still holds `run`: its record is there. Keeps the record for another
    /// [`RUN_KEPT`] while it is, for a run that waits long.
    pub async fn holds(&self, run: Uuid) -> RedisResult<bool> {
        let kept = RUN_KEPT.as_secs() as i64;
        self.redis.clone().expire(run_record(run), kept).await
    }

    /// The origin of `run`'s `--url`, as it declared it; `None` if it declared none.
    pub async fn declared_origin(&self, run: Uuid) -> RedisResult<Option<String>> {
        self.redis.clone().get(run_record(run)).await
    }

    /// How many entries the stream holds: waiting, or held by workers.
    pub async fn len(&self) -> RedisResult<usize> {
        self.redis.clone().xlen(JOBS).await
    }

    /// The workers Redis has seen in the group: each one's name, how many jobs it holds, and
    /// how long ago it last asked for jobs or renewed its claims.
    pub async fn workers(&self) -> RedisResult<Vec<StreamInfoConsumer>> {
        let reply: StreamInfoConsumersReply =
            self.redis.clone().xinfo_consumers(JOBS, GROUP).await?;
        Ok(reply.consumers)
    }

    /// Up to `count` entries for worker `me`: new ones, then ones another worker has not
    /// renewed its claim on for `reclaim_after`; if none, waits up to [`BLOCK`] for a new one.
    /// All that is taken is given back, whatever happens after.
    pub async fn take(
        &self,
        me: &str,
        count: usize,
        reclaim_after: Duration,
    ) -> RedisResult<Vec<Taken>> {
        let script = Script::new(include_str!("take.lua"));
        let mut take = script.key(JOBS);
        take.arg((
            GROUP,
            me,
            count,
            MAX_ENTRY,
            reclaim_after.as_millis() as u64,
        ));
        let taken: Vec<(String, usize, Vec<Vec<u8>>)> =
            match take.invoke_async(&mut self.waiting.clone()).await {
                // A Redis restarted without its data, or flushed, has lost the group and the
                // jobs with it: make a new, empty queue to go on with, and say so.
                Err(err) if err.code() == Some("NOGROUP") => {
                    self.create().await?;
                    return Err(err);
                }
                taken => taken?,
            };
        if !taken.is_empty() {
            return Ok(taken
                .into_iter()
                .map(|(id, n, fields)| Taken::new(id, n, fields))
                .collect());
        }
        // None waits: `XREADGROUP … BLOCK` waits for one, as a script cannot. One only, since it
        // comes whole; the next take gets the rest through the script.
        let options = StreamReadOptions::default().group(GROUP, me).count(1);
        let options = options.block(BLOCK.as_millis() as usize);
        let read: Option<StreamReadReply> = self
            .waiting
            .clone()
            .xread_options(&[JOBS], &[">"], &options)
            .await?;
        let entries = read
            .into_iter()
            .flat_map(|reply| reply.keys)
            .flat_map(|key| key.ids);
        let fields = |map: redis::streams::StreamId| {
            map.map.into_iter().flat_map(|(field, value)| {
                let value = redis::from_redis_value::<Vec<u8>>(value).unwrap_or_default();
                [field.into_bytes(), value]
            })
        };
        Ok(entries
            .map(|entry| Taken::new(entry.id.clone(), 1, fields(entry).collect()))
            .collect())
    }

    /// Settles entry `id` of `run`, in one step: acknowledges it, stores `result` (if not
    /// empty) for the run's producer, and dead-letters the entry with its `job` text if there
    /// is a reason to (`dead`). A connection Redis dropped is tried again, with pauses, for
    /// `patience`: until another worker may take the job over anyway.
    pub async fn settle(
        &self,
        (id, run): (&str, Uuid),
        (result, dead, job): (&str, &str, &str),
        patience: Duration,
    ) -> RedisResult<Settled> {
        // With no result, the script stores none: the results key only keeps it in one slot.
        let script = Script::new(include_str!("settle.lua"));
        let mut settling = script.key(&[JOBS, &results(run), DEAD][..]);
        settling.arg((GROUP, id, result, dead, job));
        let (deadline, mut tries) = (Instant::now() + patience, 0);
        let counted = loop {
            tries += 1;
            match settling.invoke_async::<i64>(&mut self.redis.clone()).await {
                Err(_) if Instant::now() < deadline => sleep(common::retry::backoff(tries)).await,
                settled => break settled?,
            }
        };
        // An entry that was no job has no run (nil), and nothing to lose.
        Ok(match counted {
            1 => Settled::Done,
            _ if run.is_nil() || self.holds(run).await? => Settled::ByAnother,
            _ => Settled::RunLost,
        })
    }

    /// Renews worker `me`'s claim on the entries `ids`: no other worker takes them over while
    /// their jobs run, however long.
    pub async fn renew(&self, me: &str, ids: &[String]) -> RedisResult<()> {
        let script = Script::new(include_str!("renew.lua"));
        let mut renew = script.key(JOBS);
        renew.arg(GROUP).arg(me).arg(ids);
        renew
            .invoke_async::<i64>(&mut self.redis.clone())
            .await
            .map(drop)
    }
}

/// The field an entry over the cap is cut down to by the take script: its size in bytes.
const OVERSIZED: &str = "oversized";

impl Taken {
    /// An entry's `id`, `deliveries`, and `fields` (names and values, in turn), read lossily:
    /// anyone can put anything in them. An entry over [`MAX_ENTRY`] is not read, nor quoted: its
    /// size is all we say of it.
    fn new(id: String, deliveries: usize, fields: Vec<Vec<u8>>) -> Taken {
        let measured: usize = fields.iter().map(Vec::len).sum();
        let value = |name: &str| {
            let pairs = fields.chunks(2);
            pairs
                .filter(|pair| pair[0] == name.as_bytes())
                .find_map(|pair| pair.get(1))
        };
        // Cut down by the script, or read whole. (Anyone may write an `oversized` field too,
        // hence the larger of the two.)
        let cut = value(OVERSIZED).and_then(|size| String::from_utf8_lossy(size).parse().ok());
        let size = cut.unwrap_or(0).max(measured);
        let text = match value(FIELD) {
            _ if size > MAX_ENTRY => Err(format!(
                "the entry is {size} bytes, more than the {MAX_ENTRY} a job may be; not parsed"
            )),
            Some(bytes) => Ok(String::from_utf8_lossy(bytes).into_owned()),
            None => Err(format!("no {FIELD:?} field")),
        };
        Taken {
            id,
            deliveries,
            text,
        }
    }
}
