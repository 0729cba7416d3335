//! Slide 8 against whoever can write to its Redis, and against a Redis that forgets: a job for a
//! port nobody allowed is refused before any connection, a huge URL or entry is never echoed
//! back whole, and a Redis restarted without persistence is named for what it is.

mod support;

use std::io::Read;
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use support::queue::{Producer, Worker, producer, redis_and_server, uuid_jobs};
use support::redis::{DEAD, JOBS, RedisServer};
use support::{LIMIT, Server, eventually, stderr, summary};
use uuid::Uuid;

/// A job from a bare XADD, for a run that declared nothing: its result, once it has one.
fn result_of_a_bare_job(redis: &RedisServer, url: &str) -> String {
    let run = Uuid::new_v4();
    redis.add_job(run, url);
    eventually("the bare job's result", LIMIT, || {
        redis.results_of(run).pop()
    })
}

#[test]
fn a_job_for_a_port_nobody_allowed_is_refused_and_nothing_connects() {
    let (redis, server) = redis_and_server("0");
    let listener = CountingListener::start();
    // The defaults: 127.0.0.1 bare, so its default port, and the port each run declares.
    let worker = Worker::start(&redis, &[]);

    let port = listener.port;
    let refused = result_of_a_bare_job(&redis, &format!("http://127.0.0.1:{port}/uuid"));
    assert!(
        refused.contains(&format!("port not allowed: 127.0.0.1:{port}")),
        "{refused}"
    );

    // A producer declares the port of its --url, but never the worker's own Redis.
    let own = format!("http://127.0.0.1:{}/", redis.port);
    let output = producer(&redis, &["--url", &own, "-n", "1", "--json"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let first = summary(&output).first_error.unwrap_or_default();
    assert!(first.contains("is this worker's Redis"), "{first}");
    assert!(!redis.log().contains("SECURITY ATTACK"), "{}", redis.log());

    // A port listed with its host allows that port only, whatever the run declared.
    let strict = format!("127.0.0.1:{}", server.addr.port());
    let _strict = Worker::start(&redis, &["--allow-host", &strict]);
    drop(worker);
    let args = ["--url", &listener.url(), "-n", "1", "--json"];
    let output = producer(&redis, &args);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let first = summary(&output).first_error.unwrap_or_default();
    assert!(first.contains("port not allowed"), "{first}");
    let output = producer(&redis, &uuid_jobs(&server, 2, &[]));
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));

    assert_eq!(listener.connections(), 0, "a refused job connected");
    assert_eq!(server.served(), 2);
}

#[test]
fn a_100_kb_url_gives_an_answer_under_2_kb() {
    let redis = RedisServer::start(&[]);
    let worker = Worker::start(&redis, &["--allow-host", "127.0.0.1"]);

    // The producer will not queue a job no worker would read: one short line, exit 2.
    let huge = format!("http://127.0.0.1:1/{}", "a".repeat(100_000));
    let output = producer(&redis, &["--url", &huge, "-n", "1"]);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{err}");
    assert!(
        err.len() < 2048 && err.contains("bytes"),
        "{} bytes: {err:.300}",
        err.len()
    );

    // A job under the cap with a 60 KB host: the refusal quotes 200 characters and the size.
    let host = "h".repeat(60_000);
    let result = result_of_a_bare_job(&redis, &format!("http://{host}/uuid"));
    assert!(
        result.len() < 2048,
        "a {} byte result: {result:.300}",
        result.len()
    );
    assert!(
        result.contains("host not allowed") && result.contains("(60000 bytes)"),
        "{result}"
    );
    let said = worker.output();
    assert!(
        said.len() < 2048,
        "the worker said {} bytes: {said:.300}",
        said.len()
    );
}

#[test]
fn an_oversized_entry_is_dead_lettered_with_its_size_and_the_worker_goes_on() {
    let (redis, server) = redis_and_server("0");
    // One entry of a megabyte waits before the worker starts (Redis sends it cut down to its
    // size), one comes while the worker waits for work (most likely whole): both are refused.
    let megabyte = "x".repeat(1 << 20);
    redis.cmd(&["XADD", JOBS, "*", "job", &megabyte]);
    let worker = Worker::start(&redis, &[]);
    redis.cmd(&["XADD", JOBS, "*", "job", &megabyte, "more", "y"]);

    let dead = eventually("two dead letters", LIMIT, || {
        let entries = redis.cmd(&["XRANGE", DEAD, "-", "+"]);
        (entries.list().len() == 2).then(|| format!("{entries:?}"))
    });
    // Its size in the reason; nothing of it is kept, quoted or parsed.
    let size = (1 << 20) + "job".len();
    assert!(
        dead.contains(&format!("the entry is {size} bytes")),
        "{dead:.500}"
    );
    assert!(
        dead.contains(&format!("the entry is {} bytes", size + 5)),
        "{dead:.500}"
    );
    assert!(dead.len() < 2048 && !dead.contains("xxxx"), "{dead:.500}");
    assert!(worker.output().len() < 2048, "{:.500}", worker.output());

    let output = producer(&redis, &uuid_jobs(&server, 1, &[]));
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!((redis.queued(), redis.pending(None)), (0, 0));
}

#[test]
fn a_redis_restart_mid_run_is_named_by_the_producer_within_seconds() {
    let (mut redis, server) = redis_and_server("2s");
    let worker = Worker::start(&redis, &["-c", "64"]);
    let run = Producer::start(&redis, &uuid_jobs(&server, 100, &["--json"]));
    // 64 requests in flight: the worker has 64 jobs (not only Redis says it was given them).
    eventually("the worker to fetch 64 jobs", LIMIT, || {
        (server.in_flight() == 64).then_some(())
    });

    // kill -9, and a new redis-server on the same port, without persistence: empty.
    let port = redis.port;
    redis.kill();
    let redis = RedisServer::start_on(port, &[]).expect("redis-server restarts on its port");
    let restarted = Instant::now();
    let output = run.finish();
    let took = restarted.elapsed();
    let err = stderr(&output);
    assert!(
        took < Duration::from_secs(15),
        "named after {took:?}: {err}"
    );
    assert_eq!(output.status.code(), Some(1), "{err}");
    let summary = summary(&output);
    assert!(summary.missing > 0, "{summary:?}");
    let gone = format!("the {} jobs with no result yet are gone", summary.missing);
    assert!(
        err.contains("Redis restarted without persistence") && err.contains(&gone),
        "{err}"
    );
    assert!(err.contains("appendonly yes"), "{err}");

    // The worker says it once, with the 64 it held, and never that another worker settled them.
    worker.wait_for("the 64 jobs of it this worker held are gone");
    worker.wait_for("Redis answers again");
    let said = worker.output();
    assert_eq!(
        said.matches("this worker held are gone").count(),
        1,
        "{said}"
    );
    assert!(!said.contains("settled by another worker"), "{said}");
    let output = producer(&redis, &uuid_jobs(&server, 1, &[]));
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}

#[test]
fn sigterm_during_the_redis_back_off_counts_only_the_jobs_in_flight() {
    // This Redis keeps its data (every write on disk before it answers), so a restart loses
    // nothing, and the jobs' results show when they have ended.
    let dir = std::env::temp_dir().join(format!("slides-aof-{}", Uuid::new_v4()));
    std::fs::create_dir_all(&dir).expect("make a directory for Redis's data");
    let dir_arg = dir.to_string_lossy().into_owned();
    let keep = [
        "--appendonly",
        "yes",
        "--appendfsync",
        "always",
        "--dir",
        &dir_arg,
    ];
    let mut redis = RedisServer::start(&keep);
    let server = Server::start("1s");
    let mut worker = Worker::start(&redis, &["-c", "8"]);
    let args = uuid_jobs(&server, 4, &["--no-wait"]);
    assert_eq!(producer(&redis, &args).status.code(), Some(0));
    // Its 4 requests in flight: it has the 4 jobs (not only Redis says it was given them).
    eventually("the worker to fetch 4 jobs", LIMIT, || {
        (server.in_flight() == 4).then_some(())
    });

    // Redis goes away mid-request, and the worker's pauses grow. In a long one Redis comes
    // back, and the 4 jobs settle: none is in flight when SIGTERM comes.
    let port = redis.port;
    redis.kill();
    worker.wait_for("trying again in 4.0 s");
    let redis = RedisServer::start_on(port, &keep).expect("redis-server restarts on its port");
    eventually("the 4 results", LIMIT, || {
        redis.results().filter(|&(_, n)| n == 4)
    });
    worker.signal("TERM");
    assert_eq!(
        worker.wait_exit(LIMIT).code(),
        Some(0),
        "{}",
        worker.output()
    );
    let said = worker.output();
    assert!(
        said.contains("stopping: finishing 0 jobs in flight"),
        "{said}"
    );
    assert!(said.contains("stopped; 4 jobs ok"), "{said}");
    drop(redis);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A TCP listener on a free loopback port that counts the connections made to it.
struct CountingListener {
    port: u16,
    count: Arc<AtomicUsize>,
}

impl CountingListener {
    fn start() -> CountingListener {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
        let port = listener.local_addr().expect("bound address").port();
        let count = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&count);
        thread::spawn(move || {
            for mut stream in listener.incoming().flatten() {
                counted.fetch_add(1, Ordering::SeqCst);
                let _ = stream.read(&mut [0; 1024]);
            }
        });
        CountingListener { port, count }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/uuid", self.port)
    }

    fn connections(&self) -> usize {
        self.count.load(Ordering::SeqCst)
    }
}
