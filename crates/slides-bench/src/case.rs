//! One row of a scenario: a slide of the talk (or a client it is set against, see
//! `yardsticks.rs`), how many requests, how many in flight, how much CPU each answer costs — and
//! the command lines that run it, as the benchmark starts them and as the report shows them.

use std::time::Duration;

use lab::talk::{Slide, Width};

use crate::{tools, yardsticks};

#[derive(Debug, Clone)]
pub struct Case {
    pub slide: &'static Slide,
    pub requests: usize,
    /// `--concurrency` (for the queue: the worker's); `None` leaves the slide's default.
    pub concurrency: Option<usize>,
    /// `--work`: the CPU each answer costs; zero leaves the flag out.
    pub work: Duration,
    /// Over HTTP/2: every request a stream on one connection. Slide 7 then runs as slide 7c,
    /// which is slide 7 speaking it; the reference client is told `--http2`.
    pub http2: bool,
    /// wrk is asked for a time (`-d`), not for a count of requests.
    pub for_secs: Option<u64>,
}

impl Case {
    /// The slide at its own default width.
    pub fn new(slide: &'static Slide, requests: usize) -> Case {
        Case {
            slide,
            requests,
            concurrency: None,
            work: Duration::ZERO,
            http2: false,
            for_secs: None,
        }
    }

    pub fn over_http2(self) -> Case {
        let http2 = true;
        Case { http2, ..self }
    }

    /// The protocol it speaks, as the tables name it.
    pub fn protocol(&self) -> &'static str {
        if self.http2 { "HTTP/2" } else { "HTTP/1.1" }
    }

    /// The same case with `work` of CPU spent on each answer.
    pub fn with_work(self, work: Duration) -> Case {
        Case { work, ..self }
    }

    /// The slide with `width` requests in flight; a slide that makes one request at a time has
    /// no `--concurrency`, and keeps its one.
    pub fn at(slide: &'static Slide, requests: usize, width: usize) -> Case {
        Case {
            concurrency: (slide.width != Width::One).then_some(width),
            ..Case::new(slide, requests)
        }
    }

    /// The program that runs the case: the slide's binary, or slide 7c's for slide 7 over
    /// HTTP/2.
    pub fn binary(&self) -> &'static str {
        match (self.http2, self.slide.model) {
            (true, "tokio") => lab::talk::find("http2").map_or(self.slide.binary, |s| s.binary),
            _ => self.slide.binary,
        }
    }

    /// The row's name: the slide's model, "threads"; "tokio h2" over HTTP/2; "h2load h1".
    pub fn label(&self) -> String {
        match (self.http2, self.slide.model) {
            (true, model) => format!("{model} h2"),
            (false, "h2load") => "h2load h1".into(),
            (false, model) => model.into(),
        }
    }

    /// A tool written in C: found on PATH, and what it printed says how it went.
    pub fn is_tool(&self) -> bool {
        yardsticks::is_tool(self.slide)
    }

    /// A slide of the talk over its own protocol: a row of a scenario's table of models.
    pub fn is_model(&self) -> bool {
        !self.http2 && !self.is_tool() && !std::ptr::eq(self.slide, &yardsticks::REFERENCE)
    }

    /// The worker that runs the queue's jobs: the slide's companion, if its requests go
    /// through workers (slide 5's companion is a child the slide starts by itself).
    pub fn worker(&self) -> Option<&'static str> {
        match self.slide.width {
            Width::PerWorker(_) => self.slide.companion.map(|companion| companion.binary),
            _ => None,
        }
    }

    pub fn width(&self, cores: usize) -> usize {
        self.concurrency
            .unwrap_or_else(|| self.slide.width.resolve(self.requests, cores))
            .min(self.requests)
    }

    /// Whether its requests go one at a time whatever its width: sync has one, and slide 7b's
    /// tasks share one thread that each of them blocks for a whole request.
    pub fn one_at_a_time(&self) -> bool {
        self.slide.width == Width::One || self.slide.model == "blocking"
    }

    /// How long a run should take, to plan its runs and its time limit: the time wrk is asked
    /// for; the model's floor (on one core if it runs on one thread); N × (delay + work) for a
    /// slide whose requests go one at a time.
    pub fn expected(&self, delay: Duration, cores: usize) -> Duration {
        if let Some(seconds) = self.for_secs {
            return Duration::from_secs(seconds);
        }
        let (width, cores) = match (self.one_at_a_time(), self.slide.one_thread) {
            (true, _) => (1, 1),
            (false, true) => (self.width(cores), 1),
            (false, false) => (self.width(cores), cores),
        };
        let expected = self.floor_s(width, delay, cores);
        // One past any sane size is capped rather than a panic.
        Duration::try_from_secs_f64(expected).unwrap_or(Duration::MAX)
    }

    /// The floor in seconds for its N requests, each answered after `delay` and then costing
    /// its `work` of CPU, with C (`width`) in flight on K cores: max(⌈N/C⌉ × (d + w),
    /// N × w ÷ min(C, K)). The rounds of waiting and working cannot overlap within one request
    /// in flight, and the work cannot run on more cores than there are, or than requests in
    /// flight. With no work it is ⌈N/C⌉ × d: the comparison's own floor, `lab::talk::floor`.
    pub fn floor_s(&self, width: usize, delay: Duration, cores: usize) -> f64 {
        let (delay, work) = (delay.as_secs_f64(), self.work.as_secs_f64());
        lab::talk::floor(self.requests, width, delay, work, cores)
    }

    /// The slide's arguments, given the server's URL (and Redis, for the queue).
    pub fn slide_args(&self, url: &str, redis: Option<&str>) -> Vec<String> {
        let (model, requests) = (self.slide.model, self.requests);
        if self.is_tool() {
            let (http2, width) = (self.http2, self.width(1));
            return tools::args(model, http2, requests, width, self.for_secs, url);
        }
        let requests = requests.to_string();
        let args = ["--url", url, "--requests", &requests, "--quiet", "--json"];
        let mut args = args.map(String::from).to_vec();
        if !self.work.is_zero() {
            args.extend(["--work".into(), flag_duration(self.work)]);
        }
        if let Some(redis) = redis {
            args.extend(["--redis".into(), redis.into()]);
        } else if let Some(width) = self.concurrency {
            args.extend(["--concurrency".into(), width.to_string()]);
        }
        if self.http2 && model == "reference" {
            args.push("--http2".into());
        }
        args
    }

    /// The worker's own flags, after the `--redis` and `--allow-host` that lab gives it: how
    /// many jobs it runs at a time.
    pub fn worker_flags(&self) -> Vec<String> {
        let width = self.concurrency.map(|width| width.to_string());
        width.map_or_else(Vec::new, |width| vec!["--concurrency".into(), width])
    }

    /// The slide's command line against `url`, as the report shows it.
    pub fn command(&self, url: &str) -> String {
        format!("{} {}", self.binary(), self.slide_args(url, None).join(" "))
    }

    /// The commands as the report shows them, with `$URL` and `$REDIS` for the addresses the
    /// benchmark picked.
    pub fn shown_commands(&self) -> Vec<String> {
        let Some(worker) = self.worker() else {
            return vec![self.command("$URL")];
        };
        let worker_args = [vec!["--redis".into(), "$REDIS".into()], self.worker_flags()].concat();
        let slide = self.slide_args("$URL", Some("$REDIS")).join(" ");
        let worker = format!("{worker} {}", worker_args.join(" "));
        vec![
            format!("{worker}   # started fresh for each run, stopped after it"),
            format!("{} {slide}", self.binary()),
        ]
    }
}

/// A duration as the slides' flags take it (`common::parse_duration` reads it): `20ms`, `1.5s`.
fn flag_duration(duration: Duration) -> String {
    match duration.subsec_nanos().is_multiple_of(1_000_000) {
        true => format!("{}ms", duration.as_millis()),
        false => format!("{}s", duration.as_secs_f64()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lab::talk;

    fn slide(name: &str) -> &'static Slide {
        talk::find(name).unwrap()
    }

    #[test]
    fn a_slide_runs_at_its_own_width_unless_told() {
        assert_eq!(Case::new(slide("threads"), 50).width(2), 40);
        assert_eq!(Case::new(slide("processes"), 50).width(2), 2);
        assert_eq!(Case::new(slide("tokio"), 50).width(2), 50);
        assert_eq!(Case::at(slide("tokio"), 50, 10).width(2), 10);
        assert_eq!(Case::at(slide("sync"), 50, 10).width(2), 1);
    }

    /// Within a microsecond: floors are computed in floating point.
    fn about(got: Duration, want: Duration) {
        assert!(
            got.abs_diff(want) < Duration::from_micros(1),
            "{got:?} is not {want:?}"
        );
    }

    #[test]
    fn a_run_is_planned_by_the_floor_of_its_model() {
        let ms = Duration::from_millis;
        let threads = Case::at(slide("threads"), 10_000, 1_000);
        about(threads.expected(ms(100), 2), ms(1_000));
        // 50 × 20 ms of work on 2 cores outweighs two rounds of 120 ms; tokio has one core.
        let threads = Case::new(slide("threads"), 50).with_work(ms(20));
        about(threads.expected(ms(100), 2), ms(500));
        let tokio = Case::new(slide("tokio"), 50).with_work(ms(20));
        about(tokio.expected(ms(100), 2), ms(1_000));
        let sync = Case::new(slide("sync"), 50).with_work(ms(20));
        about(sync.expected(ms(100), 2), ms(6_000));
        // Slide 7b has a task per request, and one request at a time.
        let blocking = Case::new(slide("blocking"), 50);
        assert!(blocking.one_at_a_time() && !tokio.one_at_a_time());
        assert_eq!(blocking.width(2), 50);
        about(blocking.expected(ms(1_000), 2), ms(50_000));
    }

    #[test]
    fn work_is_written_as_the_slides_read_it() {
        for work in [Duration::from_millis(5), Duration::from_micros(2_500)] {
            assert_eq!(common::parse_duration(&flag_duration(work)), Ok(work));
        }
    }

    #[test]
    fn work_is_passed_as_a_flag() {
        let case = Case::at(slide("tokio"), 20, 5).with_work(Duration::from_millis(5));
        assert!(
            case.command("$URL")
                .ends_with("--json --work 5ms --concurrency 5")
        );
        let case = Case::new(slide("sync"), 20).with_work(Duration::from_micros(2_500));
        assert!(case.command("$URL").ends_with("--json --work 0.0025s"));
    }

    #[test]
    fn the_queue_shows_its_worker_first() {
        let shown = Case::at(slide("queue"), 20, 5).shown_commands();
        let worker = slide("queue").companion.unwrap().binary;
        assert_eq!(shown.len(), 2);
        assert!(shown[0].starts_with(&format!("{worker} --redis $REDIS --concurrency 5 ")));
        assert!(shown[1].ends_with("--requests 20 --quiet --json --redis $REDIS"));
        let at_its_own = Case::new(slide("queue"), 20).shown_commands();
        let own =
            format!("{worker} --redis $REDIS   # started fresh for each run, stopped after it");
        assert_eq!(at_its_own[0], own);
    }

    #[test]
    fn sync_takes_no_concurrency() {
        let shown = Case::at(slide("sync"), 20, 4).shown_commands();
        assert_eq!(shown.len(), 1);
        assert!(shown[0].ends_with("--url $URL --requests 20 --quiet --json"));
    }
}
