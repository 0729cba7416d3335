//! The model's width, seen from outside: how many requests the server had in flight at once,
//! at the width the model promises and at a narrower one it is given, and what the OS showed of
//! its threads or child processes meanwhile.

use crate::exercise::{Exercise, Shape};
use crate::judge::Line;
use crate::run::Sample;

/// The server's peak of requests in flight at once: the width the model promises.
pub fn in_flight(exercise: &Exercise, peak: usize, width: usize) -> Line {
    let promise = exercise.run.promise;
    if peak == width {
        let text = format!(
            "the server had {} in flight at once: {promise}",
            requests(peak)
        );
        return Line::judged(true, text, "");
    }
    let should = format!("and it should see {width} ({promise})");
    let hints = &exercise.hints;
    let (text, hint) = match peak {
        0 => (
            format!("the server saw no request at all, {should}: none of them ran"),
            hints.too_few,
        ),
        1 if width > 1 => (
            format!(
                "the server never saw more than 1 request in flight, {should}: your requests \
                 still run one after another"
            ),
            hints.too_few,
        ),
        _ if peak < width => (
            format!("the server saw at most {peak} requests in flight at once, {should}"),
            hints.too_few,
        ),
        _ => (
            format!("the server saw {peak} requests in flight at once, {should}"),
            hints.too_many,
        ),
    };
    Line::judged(false, text, hint)
}

/// What the OS showed at the model's full width: its child processes or its threads.
pub fn shape(exercise: &Exercise, sample: &Result<Sample, String>, width: usize) -> Option<Line> {
    let shape = exercise.run.shape?;
    let hint = exercise.hints.shape;
    // No look means no request was in flight while the check looked, which the server's count
    // has judged already, or an OS that shows neither /proc nor `ps -M`: a note, not a verdict.
    let &Sample {
        in_flight,
        threads,
        children,
    } = match sample {
        Ok(sample) => sample,
        Err(why) => {
            let text = format!("its threads and processes were not looked at: {why}");
            return Some(Line::note(text));
        }
    };
    let at = match in_flight {
        1 => "while 1 request was in flight".to_owned(),
        n => format!("while {n} requests were in flight"),
    };
    let (holds, text) = match shape {
        Shape::ChildPerRequest => {
            let holds = children == width;
            let text = match (holds, children == in_flight) {
                (true, true) => format!("{children} child processes {at}: one per request"),
                (true, false) => format!("{children} child processes {at}: the pool's {width}"),
                (false, _) => format!("{children} child processes {at}; the pool has {width}"),
            };
            (holds, text)
        }
        Shape::ThreadPerRequest => {
            let holds = threads > width;
            let text = match threads.checked_sub(in_flight) {
                Some(1) if holds => format!("{threads} threads {at}: one for each, and main's"),
                Some(more) if holds => format!(
                    "{threads} threads {at}: one for each, and {more} more (main's among them)"
                ),
                _ => format!(
                    "only {threads} threads {at}; {width} requests at once need more than \
                     {width}: one for each, and main's"
                ),
            };
            (holds, text)
        }
        Shape::OneThread => match threads {
            1 => (
                true,
                format!("one thread {at}: every request on the same one"),
            ),
            _ => (
                false,
                format!("{threads} threads {at}; this model runs every request on one"),
            ),
        },
    };
    Some(Line::judged(holds, text, hint))
}

/// The run at the narrower width `narrow`, which `ok` of the requests answered: a model that
/// keeps to the width it is given has that many in flight; one that keeps a width of its own (a
/// task per request, a fixed number of threads) does not.
pub fn narrower(exercise: &Exercise, ok: usize, peak: usize, narrow: usize) -> Line {
    let requests = exercise.run.requests;
    let with = format!("with --concurrency {narrow}");
    let hints = &exercise.hints;
    if ok < requests {
        let text = format!("{with}, {ok} of the {requests} requests were answered");
        Line::judged(false, text, hints.answers)
    } else if peak == narrow {
        let text = format!(
            "{with}, the server had {} in flight at once: it keeps to the width it is given",
            self::requests(peak)
        );
        Line::judged(true, text, "")
    } else if peak > narrow {
        let text = format!(
            "{with}, the server still saw {peak} requests in flight at once: it ignores the \
             width it is given"
        );
        Line::judged(false, text, hints.ignores_width)
    } else {
        let text = format!(
            "{with}, the server saw at most {} in flight at once, and it should see {narrow}",
            self::requests(peak)
        );
        Line::judged(false, text, hints.too_few)
    }
}

/// "1 request", "5 requests".
pub fn requests(n: usize) -> String {
    match n {
        1 => "1 request".to_owned(),
        n => format!("{n} requests"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_threads_line_counts_what_it_saw() {
        let exercise = crate::names::find("threads").unwrap_or_else(|err| panic!("{err}"));
        let sample = |threads| {
            Ok(Sample {
                in_flight: 5,
                threads,
                children: 0,
            })
        };
        let six = shape(exercise, &sample(6), 5).map(|line| line.text);
        assert_eq!(
            six.as_deref(),
            Some("6 threads while 5 requests were in flight: one for each, and main's")
        );
        let seven = shape(exercise, &sample(7), 5).map(|line| line.text);
        assert_eq!(
            seven.as_deref(),
            Some(
                "7 threads while 5 requests were in flight: one for each, and 2 more (main's \
                 among them)"
            )
        );
        let five = shape(exercise, &sample(5), 5).map(|line| line.holds);
        assert_eq!(five, Some(Some(false)));
    }

    #[test]
    fn a_server_that_saw_nothing_says_so() {
        let exercise = crate::names::find("coroutines").unwrap_or_else(|err| panic!("{err}"));
        let line = in_flight(exercise, 0, 20);
        assert_eq!(line.holds, Some(false));
        assert!(line.text.contains("no request at all"), "{}", line.text);
        assert!(!line.text.contains("one after another"), "{}", line.text);
    }
}
