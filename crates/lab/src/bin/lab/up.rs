//! `lab up`: the services for trying slides by hand — httpbin-lite, and with `--redis` a
//! redis-server and one worker — running until Ctrl-C, which stops them all.

use std::thread;
use std::time::Duration;

use lab::talk::SLIDES;
use lab::{Binaries, Httpbin};

use crate::queue::Queue;
use crate::shown::shown;
use crate::written::Written;
use common::SignalFlag;

/// How often to look for Ctrl-C, and for a service that stopped by itself.
const POLL: Duration = Duration::from_millis(100);

/// Starts the services, prints how to use them, and waits for a signal.
pub fn up(
    bins: &Binaries,
    delay: &Written,
    with_redis: bool,
    signals: &SignalFlag,
) -> Result<(), String> {
    let mut server = Httpbin::start(bins, delay.duration, &[]).map_err(|err| err.to_string())?;
    say!(
        "==> httpbin-lite at {}, answering /uuid after {}",
        server.base(),
        delay.text
    );
    // Declared after the server, so dropped before it: the worker may be fetching from it.
    let queue = match with_redis {
        // This machine's httpbin-lite is all the worker needs to fetch from.
        true => Some(Queue::start(bins, "127.0.0.1").map_err(|err| err.to_string())?),
        false => None,
    };
    if let Some(queue) = &queue {
        say!(
            "==> redis-server at {}, and slide08-worker {} waiting for jobs",
            queue.redis.url(),
            queue.worker.name()
        );
    }

    say!("\nTry, in another terminal:");
    for slide in SLIDES {
        let Ok(program) = bins.path(slide.binary) else {
            continue;
        };
        let mut command = format!("{} --url {}", shown(&program), server.url("/uuid"));
        match (&queue, slide.queue) {
            (Some(queue), true) => command += &format!(" --redis {}", queue.redis.url()),
            (None, true) => continue, // it needs the Redis that `lab up --redis` starts
            (_, false) => {}
        }
        say!("    {command}");
    }
    say!("    curl {}", server.url("/stats"));
    say!("Ctrl-C here stops everything.");

    while signals.get().is_none() {
        if let Some(status) = server.exited() {
            // A Ctrl-C in this terminal reaches the server too, and may stop it first.
            thread::sleep(POLL);
            if signals.get().is_none() {
                return Err(format!("httpbin-lite stopped by itself ({status})"));
            }
        }
        thread::sleep(POLL);
    }
    say!("\n==> stopping what lab up started");
    Ok(())
}
