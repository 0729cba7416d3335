//! One slide of the talk, ready to run against httpbin-lite as `lab talk` runs it: the slide's
//! own binary, or for the queue its producer, with a redis-server of its own and one worker.

use std::process::{Child, Command, Output};

use lab::talk::{Slide, Width};

use super::queue::{Worker, producer_command};
use super::redis::RedisServer;
use super::{command, piped};

pub struct Stage {
    pub slide: &'static Slide,
    /// `--concurrency C`, for the slide's own flag.
    concurrency: Option<String>,
    /// The queue's worker and its Redis; the worker first, so it is stopped first.
    queue: Option<(Worker, RedisServer)>,
}

impl Stage {
    /// The slide as it runs when not told how wide; the queue with one worker at its default.
    pub fn new(slide: &'static Slide) -> Stage {
        Stage::wide(slide, &[])
    }

    /// The slide with `--concurrency C`: its own flag, or for the queue, its worker's.
    pub fn with_concurrency(slide: &'static Slide, c: usize) -> Stage {
        assert!(
            takes_concurrency(slide),
            "slide {} has no --concurrency",
            slide.number
        );
        Stage::wide(slide, &["--concurrency", &c.to_string()])
    }

    fn wide(slide: &'static Slide, flag: &[&str]) -> Stage {
        if slide.queue {
            let redis = RedisServer::start(&[]);
            let worker = Worker::start(&redis, flag);
            return Stage {
                slide,
                concurrency: None,
                queue: Some((worker, redis)),
            };
        }
        Stage {
            slide,
            concurrency: flag.get(1).map(|c| c.to_string()),
            queue: None,
        }
    }

    /// The queue's worker, if this is the queue.
    pub fn worker(&self) -> Option<&Worker> {
        self.queue.as_ref().map(|(worker, _)| worker)
    }

    /// Runs the slide with these arguments to the end.
    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("the slide starts")
    }

    /// Starts the slide with these arguments, stdout and stderr piped, without waiting.
    pub fn spawn(&self, args: &[&str]) -> Child {
        piped(self.command(args))
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = match &self.queue {
            Some((_, redis)) => producer_command(redis, args),
            None => command(self.slide.binary, args),
        };
        if let Some(c) = &self.concurrency {
            command.args(["--concurrency", c]);
        }
        command
    }
}

/// Whether a slide can be told how many requests to keep in flight: all but sync, which makes
/// one at a time (for the queue, its worker is told).
pub fn takes_concurrency(slide: &Slide) -> bool {
    slide.width != Width::One
}

/// The binaries of the talk's slides that `keep` keeps, in the talk's order.
pub fn binaries_of(keep: impl Fn(&Slide) -> bool) -> Vec<&'static str> {
    lab::talk::SLIDES
        .iter()
        .filter(|slide| keep(slide))
        .map(|slide| slide.binary)
        .collect()
}
