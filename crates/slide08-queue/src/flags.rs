//! The worker's flags, which its `main` takes whole.

use std::time::Duration;

use common::parse_duration;

use crate::allow::Allowed;
use crate::connect::RedisFlag;

/// Runs slide 8's jobs: GET each job's URL and send the result back through Redis.
#[derive(Debug, Clone, clap::Parser)]
#[command(name = "slide08-worker", version)]
pub struct WorkerFlags {
    #[command(flatten)]
    pub redis: RedisFlag,
    /// How many jobs may run at once.
    #[arg(short = 'c', long, value_name = "C", default_value_t = 32)]
    #[arg(value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub concurrency: u32,
    /// Take over jobs that another worker took and has not renewed its claim on for this long:
    /// it crashed, or was stopped at once. A worker renews its claims three times as often, so
    /// a job may run longer than this.
    #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = parse_duration)]
    pub reclaim_after: Duration,
    /// Send a job delivered more times than this to the dead-letter stream, not to a worker again.
    #[arg(long, value_name = "N", default_value_t = 3)]
    #[arg(value_parser = clap::value_parser!(u32).range(1..))]
    pub max_deliveries: u32,
    /// Where this worker may fetch from: HOST:PORT, or a bare HOST for its scheme's default
    /// port and the port of the producer's --url as the run declared it. Repeat for more (they
    /// replace the defaults). Jobs for anywhere else fail without a request.
    #[arg(long = "allow-host", value_name = "HOST[:PORT]", value_parser = Allowed::parse)]
    #[arg(default_values = ["127.0.0.1", "localhost", "::1", "httpbin.org"])]
    pub allow_hosts: Vec<Allowed>,
    /// Print only what goes wrong and the end, not a line per job.
    #[arg(short, long)]
    pub quiet: bool,
}
