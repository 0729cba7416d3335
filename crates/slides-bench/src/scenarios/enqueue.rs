//! 5. Queue enqueue: the talk's "0.01 s", for 50 jobs and for 10 000.

use std::time::Duration;

use super::cases;
use crate::bench::Bench;
use crate::judge;
use crate::measure::Usage;
use crate::notes::note;
use crate::outcome::{median, range};
use crate::running;
use crate::section::{Goal, Section};
use crate::units::{ms, us};

/// The goal: the talk's 50 jobs enqueued within this many milliseconds.
const GOAL_MS: f64 = 5.0;

const COLUMNS: &str = "\
    jobs | runs | enqueue (median) | enqueue (min–max) | per job | whole program (median) | \
    CPU (user+sys)";

pub fn run(bench: &Bench) -> Result<Section, String> {
    let sizes: [(usize, usize); 2] = if bench.smoke {
        [(5, 3), (20, 3)]
    } else {
        // Milliseconds vary more from run to run than seconds: more runs for the small one.
        [(50, bench.runs.max(11)), (10_000, bench.runs)]
    };
    let producer = cases::slide("queue")?.binary;
    let program = bench.program(producer)?;
    println!("\n==> enqueue: a fresh redis-server, no worker");
    let redis = lab::Redis::start(&[]).map_err(|err| err.to_string())?;
    let intro = note("enqueue.intro").with("goal_ms", GOAL_MS).text();
    let mut section = Section::new("5. Queue enqueue", intro, Vec::new(), COLUMNS);
    for (jobs, runs) in sizes {
        let shown = args(jobs, "$REDIS").join(" ");
        section.commands.push(format!("{producer} {shown}"));
        // Each run: how long the enqueueing took by the producer's own clock, from its first
        // XADD to the last reply, and what the whole program cost.
        let mut timed = Vec::new();
        for number in 1..=runs {
            let (label, limit) = (format!("enqueue-{jobs}-{number}"), Duration::from_secs(60));
            let args = args(jobs, &redis.url());
            let measured = running::run(&label, &program, &args, false, &bench.work, limit)?;
            let took = measured.summary.as_ref().and_then(|s| s.enqueue_s);
            let took = took.ok_or_else(|| {
                let said = measured.last_error.clone().unwrap_or_default();
                format!("{producer} reported no enqueue_s: {said}")
            })?;
            println!(
                "    {:<34} run {number}/{runs}: {:>8.3} ms enqueue, {:>8.3} ms whole",
                format!("{jobs} jobs"),
                took * 1e3,
                measured.usage.wall_s * 1e3
            );
            timed.push((took, measured.usage));
        }
        let each = |figure: fn(&(f64, Usage)) -> f64| timed.iter().map(figure).collect::<Vec<_>>();
        let enqueue = each(|(enqueue, _)| *enqueue);
        let took = median(&enqueue).unwrap_or(f64::NAN);
        let spread = range(&enqueue).map(|(low, high)| format!("{}–{}", ms(low), ms(high)));
        section.row(vec![
            jobs.to_string(),
            runs.to_string(),
            ms(took),
            judge::or_dash(spread),
            us(took / jobs as f64),
            judge::or_dash(median(&each(|(_, usage)| usage.wall_s)).map(ms)),
            judge::or_dash(median(&each(|(_, usage)| usage.cpu_s())).map(ms)),
        ]);
        if jobs == sizes[0].0 {
            let what = format!("enqueue: {jobs} jobs in ≤ {GOAL_MS} ms");
            let measured = format!("{} (median of {runs})", ms(took));
            let slow = || note("enqueue.slow").text();
            let goal = Goal::judge(what, measured, None, took * 1e3 <= GOAL_MS, slow);
            section.goals.push(goal);
        }
    }
    Ok(section)
}

/// The producer's arguments: enqueue `jobs` jobs on `redis` and exit without waiting.
fn args(jobs: usize, redis: &str) -> Vec<String> {
    let args = format!("--requests {jobs} --no-wait --quiet --json --redis {redis}");
    args.split(' ').map(str::to_owned).collect()
}
