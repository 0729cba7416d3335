//! Which slides each scenario runs, with how many requests and how many in flight. The slides
//! come from the talk's one list, `lab::talk`.

use std::time::Duration;

use lab::talk::{self, Slide};

use crate::case::Case;
use crate::yardsticks::REFERENCE;

/// The talk's slide of `model` ("threads").
pub fn slide(model: &str) -> Result<&'static Slide, String> {
    talk::find(model).ok_or_else(|| format!("the talk has no {model} slide (see lab::talk)"))
}

/// The talk's slides of these models, in this order, each with `width` in flight.
fn at(models: &[&str], requests: usize, width: usize) -> Result<Vec<Case>, String> {
    let at = |model: &&str| Ok(Case::at(slide(model)?, requests, width));
    models.iter().map(at).collect()
}

/// Every slide, each at its own default width.
pub fn talk(requests: usize) -> Vec<Case> {
    talk::SLIDES
        .iter()
        .map(|slide| Case::new(slide, requests))
        .collect()
}

/// Every slide but sync and slide 7b's blocked loop (one request at a time, they would take
/// `width` times as long: 10 000 × 100 ms is 1 000 s) with `width` in flight; the process pool
/// with `pool`, since a process per request in flight is what no one runs.
pub fn scale(requests: usize, width: usize, pool: usize) -> Result<Vec<Case>, String> {
    let pool = at(&["processes"], requests, pool)?;
    let models = ["threads", "coroutines", "tokio", "queue"];
    Ok([pool, at(&models, requests, width)?].concat())
}

/// What slide 7 over HTTP/1.1, already among the models, is set beside: slide 7 over HTTP/2 and
/// the reference client over each, `width` in flight: what the slide's client costs against the
/// least a tokio client can spend.
pub fn beside_slide_7(requests: usize, width: usize) -> Result<Vec<Case>, String> {
    let tokio = Case::at(slide("tokio")?, requests, width);
    let reference = Case::at(&REFERENCE, requests, width);
    Ok(vec![
        tokio.over_http2(),
        reference.clone(),
        reference.over_http2(),
    ])
}

/// Slide 7 and the reference client over HTTP/2 with every request in flight, at both sizes.
pub fn memory_http2(sizes: [usize; 2]) -> Result<Vec<Case>, String> {
    let at_both = |slide| sizes.map(|size| Case::at(slide, size, size).over_http2());
    Ok([at_both(slide("tokio")?), at_both(&REFERENCE)].concat())
}

/// Every slide with `width` in flight (sync: its one; slide 7b has `width` tasks and one request
/// at a time). With no delay, one at a time takes seconds, not minutes.
pub fn overhead(requests: usize, width: usize) -> Vec<Case> {
    let at = |slide| Case::at(slide, requests, width);
    talk::SLIDES.iter().map(at).collect()
}

/// Threads, coroutines and tokio with every request in flight at once, at both sizes; then the
/// process pool, as many as `pool`. Sync and slide 7b have one request in flight whatever N is.
pub fn memory(sizes: [usize; 2], pool: usize) -> Result<Vec<Case>, String> {
    let mut cases = Vec::new();
    for model in ["threads", "coroutines", "tokio"] {
        let slide = slide(model)?;
        cases.extend(sizes.map(|size| Case::at(slide, size, size)));
    }
    Ok([cases, at(&["processes"], pool, pool)?].concat())
}

/// Every slide but the queue at its own default width, each answer costing `work` of CPU. The
/// queue's worker does not spend `--work` yet: its row would measure no work at all.
pub fn cpu_talk(requests: usize, work: Duration) -> Vec<Case> {
    let slides = talk::SLIDES.iter().filter(|slide| !slide.queue);
    slides
        .map(|slide| Case::new(slide, requests).with_work(work))
        .collect()
}

/// The models that keep many requests in flight, `width` of them, each answer costing `work`:
/// sync and slide 7b, one at a time, would take N × (delay + work).
pub fn cpu_at_scale(requests: usize, width: usize, work: Duration) -> Result<Vec<Case>, String> {
    let models = ["processes", "threads", "coroutines", "tokio"];
    let cases = at(&models, requests, width)?;
    Ok(cases.into_iter().map(|case| case.with_work(work)).collect())
}

/// Slide 7b's blocked loop beside slide 7, which it differs from by one call: `requests`
/// requests, every one of them given a task.
pub fn blocked_loop(requests: usize) -> Result<Vec<Case>, String> {
    let own_width = |model| Ok(Case::new(slide(model)?, requests));
    ["blocking", "tokio"].into_iter().map(own_width).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(cases: &[Case]) -> Vec<String> {
        cases.iter().map(Case::label).collect()
    }

    #[test]
    fn the_talk_runs_every_slide_at_its_own_width() {
        let cases = talk(50);
        assert_eq!(cases.len(), talk::SLIDES.len());
        assert!(cases.iter().all(|case| case.concurrency.is_none()));
    }

    #[test]
    fn scale_leaves_out_sync_and_keeps_the_pool_small() {
        let cases = scale(10_000, 1_000, 100).unwrap();
        let widths: Vec<usize> = cases.iter().map(|case| case.width(2)).collect();
        assert_eq!(
            labels(&cases),
            ["processes", "threads", "coroutines", "tokio", "queue"]
        );
        assert_eq!(widths, [100, 1_000, 1_000, 1_000, 1_000]);
    }

    #[test]
    fn memory_puts_every_request_in_flight() {
        let cases = memory([1_000, 10_000], 100).unwrap();
        assert_eq!(cases.len(), 7);
        assert!(cases.iter().all(|case| case.width(2) == case.requests));
        assert_eq!(labels(&cases)[6], "processes");
    }

    #[test]
    fn nothing_at_scale_goes_one_request_at_a_time() {
        let scale = scale(10_000, 1_000, 100).unwrap();
        let memory = memory([1_000, 10_000], 100).unwrap();
        let work = Duration::from_millis(5);
        let cpu = cpu_at_scale(1_000, 100, work).unwrap();
        for case in scale.iter().chain(&memory).chain(&cpu) {
            assert!(!case.one_at_a_time(), "{} at scale", case.label());
        }
    }

    #[test]
    fn the_cpu_scenario_gives_every_answer_work_and_leaves_out_the_queue() {
        let work = Duration::from_millis(20);
        let cases = cpu_talk(50, work);
        assert_eq!(
            labels(&cases),
            [
                "sync",
                "processes",
                "threads",
                "coroutines",
                "tokio",
                "blocking",
                "http2"
            ]
        );
        assert!(cases.iter().all(|case| case.work == work));
        let widths: Vec<usize> = cpu_at_scale(1_000, 100, work)
            .unwrap()
            .iter()
            .map(|case| case.width(2))
            .collect();
        assert_eq!(widths, [100; 4]);
    }

    #[test]
    fn slide_7_and_the_reference_each_speak_both_protocols() {
        let cases = beside_slide_7(10_000, 1_000).unwrap();
        assert_eq!(labels(&cases), ["tokio h2", "reference", "reference h2"]);
        assert!(cases.iter().all(|case| case.width(2) == 1_000));
        let h2 = cases[0].command("$URL");
        assert!(
            h2.starts_with("slide07c-http2 ") && !h2.contains("--http2"),
            "{h2}"
        );
        let reference_h2 = cases[2].command("$URL");
        assert!(
            reference_h2.ends_with("--concurrency 1000 --http2"),
            "{reference_h2}"
        );
        let memory = memory_http2([1_000, 10_000]).unwrap();
        assert!(
            memory
                .iter()
                .all(|case| case.http2 && case.width(2) == case.requests)
        );
    }

    #[test]
    fn wrk_and_h2load_are_cases_told_their_own_flags() {
        use crate::yardsticks::{H2LOAD, WRK};
        let for_secs = Some(5);
        let wrk = Case {
            for_secs,
            ..Case::at(&WRK, 20_000, 64)
        };
        assert_eq!(wrk.command("$URL"), "wrk -t1 -c64 -d5s $URL");
        assert_eq!(wrk.expected(Duration::ZERO, 2), Duration::from_secs(5));
        let h2load = Case::at(&H2LOAD, 100, 10);
        assert_eq!(h2load.label(), "h2load h1");
        let h2 = h2load.over_http2();
        assert_eq!(h2.command("$URL"), "h2load -t1 -n100 -c1 -m10 $URL");
        assert!(h2.is_tool() && !h2.is_model() && h2.worker().is_none());
    }

    #[test]
    fn a_model_the_talk_lacks_is_an_error() {
        assert!(slide("fibers").is_err());
    }
}
