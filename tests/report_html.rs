//! report.html in a real browser: headless Chromium draws the report of a whole talk at a
//! laptop's 1400 pixels and at a projector's 800, and at both the page never scrolls sideways,
//! every chart is drawn, and no text is smaller than 14 px. The report is opened from a file:
//! no network. Screenshots go to target/report-html/ for people to look at.
//!
//! Chromium must be installed: `scripts/install-chromium.sh` does it (`scripts/test.sh` runs it).

mod support;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use common::{Span, Summary};

/// The talk as `scripts/run-all.sh --work 20ms` runs it: 50 requests, each answered after 1 s
/// and then computed for 20 ms, on 2 cores. Made here rather than run, which takes a minute.
fn the_talk() -> Vec<Summary> {
    let (delay, work) = (1.0, 0.02);
    let slide = |slide: &str, model: &str, width: usize, spans: Vec<Span>| {
        let wall_s = spans.iter().map(|span| span.end_s).fold(0.0, f64::max);
        Summary {
            slide: slide.into(),
            model: model.into(),
            requests: spans.len(),
            concurrency: width,
            ok: spans.len(),
            unique: spans.len(),
            wall_s,
            req_per_s: spans.len() as f64 / wall_s,
            work_s: work,
            cpu_s: spans.len() as f64 * work,
            cores_used: spans.len() as f64 * work / wall_s,
            timeline: spans,
            ..Summary::default()
        }
    };
    // `width` at a time: each round waits for the answers, then computes.
    let rounds = |width: usize, from: f64| -> Vec<Span> {
        (0..50)
            .map(|i| {
                let start_s = from + (i / width) as f64 * (delay + work);
                span(i, start_s, start_s + delay + work - (i % 7) as f64 * 0.002)
            })
            .collect()
    };
    // All 50 sent at once, but one thread computes one answer at a time.
    let blocking = (0..50)
        .map(|i| span(i, 0.001, delay + (i + 1) as f64 * work))
        .collect();
    // Every job is on the queue at once; one worker answers 32 at a time.
    let waiting = rounds(32, 0.0006)
        .into_iter()
        .map(|job| span(job.index, 0.0006, job.end_s))
        .collect();
    let mut queue = slide("slide08-producer", "queue", 32, waiting);
    queue.enqueue_s = Some(0.0006);
    queue.workers = Some(1);
    vec![
        slide("slide04-sync", "sync", 1, rounds(1, 0.0)),
        slide("slide05-multiprocess", "processes", 2, rounds(2, 0.0)),
        slide("slide06-threads", "threads", 40, rounds(40, 0.0)),
        slide("slide07a-coroutines", "coroutines", 50, rounds(50, 0.0)),
        slide("slide07-tokio", "tokio", 50, rounds(50, 0.0)),
        slide("slide07b-blocking", "blocking", 50, blocking),
        queue,
    ]
}

fn span(index: usize, start_s: f64, end_s: f64) -> Span {
    Span {
        index,
        start_s,
        end_s,
        ok: true,
        attempts: 1,
    }
}

/// Headless Chromium (or Chrome), or a failure that says how to install it.
fn chromium() -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let on_path = ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)));
    // On macOS, Chrome is not on the PATH but where it installs itself.
    let mac = PathBuf::from("/Applications/Google Chrome.app/Contents/MacOS/Google Chrome");
    on_path
        .chain(std::iter::once(mac))
        .find(|file| file.is_file())
        .unwrap_or_else(|| {
            panic!(
                "Chromium is not installed, and this test draws report.html in it. \
                 Run scripts/install-chromium.sh, then this test again."
            )
        })
}

/// `browser` drawing `page` in a window `width` × `height` pixels, with a profile of its own,
/// nothing to update and no network to reach; `what` is `--dump-dom` or `--screenshot=FILE`.
fn draw(
    browser: &Path,
    page: &Path,
    width: u32,
    height: u32,
    what: &str,
    scratch: &Path,
) -> String {
    let profile = scratch.join(format!("profile-{width}"));
    let mut command = Command::new(browser);
    command.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ]);
    command
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--window-size={width},{height}"))
        .arg(what)
        .arg(format!("file://{}", page.display()));
    let output = support::finish_within(support::piped(command), Duration::from_secs(120));
    assert!(
        output.status.success(),
        "chromium {what} failed: {}",
        support::stderr(&output)
    );
    support::stdout(&output)
}

/// Measures the page in the browser, after it is laid out, and writes the verdict into the
/// title: "OK" or what is wrong. Only the test's copy of the report has it.
const MEASURE: &str = r#"<script>
(function () {
  var problems = [];
  var page = document.documentElement;
  if (page.scrollWidth > window.innerWidth) {
    problems.push("the page is " + page.scrollWidth + " px wide in a " + window.innerWidth + " px window");
  }
  var charts = document.querySelectorAll("svg");
  charts.forEach(function (svg, n) {
    var box = svg.getBoundingClientRect();
    var drawn = Array.prototype.some.call(svg.querySelectorAll("rect, path"), function (shape) {
      var bbox = shape.getBBox();
      return bbox.width > 0 && bbox.height > 0;
    });
    if (!(box.width > 0 && box.height > 0 && drawn)) {
      problems.push("chart " + n + " was not drawn");
      return;
    }
    if (box.right > window.innerWidth) problems.push("chart " + n + " runs off the page");
    // Its text as drawn: the size it says, times how much the chart was shrunk or grown.
    var scale = box.width / svg.viewBox.baseVal.width;
    var smallest = Array.prototype.reduce.call(svg.querySelectorAll("text"), function (least, text) {
      return Math.min(least, parseFloat(getComputedStyle(text).fontSize) * scale);
    }, Infinity);
    if (smallest < 14) problems.push("chart " + n + " has " + smallest.toFixed(1) + " px text");
  });
  document.querySelectorAll("p, th, td, h1, h2, h3").forEach(function (block) {
    var px = parseFloat(getComputedStyle(block).fontSize);
    if (px < 14) problems.push(px + " px text: " + block.textContent.slice(0, 40));
  });
  document.title = (problems.length ? "FAIL " + problems.join(" | ") : "OK") + " ~ " + charts.length + " charts";
  page.setAttribute("data-height", page.scrollHeight);
})();
</script>
</body>"#;

/// What the measuring script found: its verdict, how many charts, and the page's height.
fn measure(browser: &Path, page: &Path, width: u32, scratch: &Path) -> (String, usize, u32) {
    let dom = draw(browser, page, width, 2000, "--dump-dom", scratch);
    let between = |from: &str, to: &str| -> Option<String> {
        let start = dom.find(from)? + from.len();
        let end = dom[start..].find(to)? + start;
        Some(dom[start..end].to_owned())
    };
    let title = between("<title>", "</title>")
        .unwrap_or_else(|| panic!("no verdict in the page Chromium drew:\n{dom}"))
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    let (verdict, charts) = title
        .split_once(" ~ ")
        .unwrap_or_else(|| panic!("the measuring script did not run: {title:?}"));
    let charts = charts.trim_end_matches(" charts").parse().unwrap_or(0);
    let height = between("data-height=\"", "\"").map_or(2000, |h| h.parse().unwrap_or(2000));
    (verdict.to_owned(), charts, height)
}

#[test]
fn the_report_reads_on_a_laptop_and_on_a_projector() {
    // First, before anything is built: without a browser there is nothing to test.
    let browser = chromium();
    let scratch =
        std::env::temp_dir().join(format!("async-slides-report-html-{}", std::process::id()));
    let _ = fs::remove_dir_all(&scratch);
    fs::create_dir_all(&scratch).expect("make a scratch directory");

    let mut args = vec!["compare".to_owned(), "--delay".into(), "1s".into()];
    args.extend(["--out".into(), scratch.display().to_string()]);
    for summary in the_talk() {
        let file = scratch.join(format!("{}.json", summary.slide));
        fs::write(&file, summary.to_json() + "\n").expect("write a summary");
        args.push(file.display().to_string());
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let output = support::run("slides-report", &args);
    assert!(output.status.success(), "{}", support::stderr(&output));

    let report = scratch.join("report.html");
    let html = fs::read_to_string(&report).expect("report.html");
    let measured = scratch.join("measured.html");
    fs::write(&measured, html.replace("</body>", MEASURE)).expect("write the measured copy");

    let shots = support::binaries()
        .dir()
        .parent()
        .expect("target/ holds the build")
        .join("report-html");
    fs::create_dir_all(&shots).expect("make target/report-html");
    for width in [1400, 800] {
        let (verdict, charts, height) = measure(&browser, &measured, width, &scratch);
        // The whole page, for people to look at; the report as written, not the measured copy.
        let shot = shots.join(format!("report-{width}.png"));
        let what = format!("--screenshot={}", shot.display());
        draw(
            &browser,
            &report,
            width,
            height.clamp(600, 16_000),
            &what,
            &scratch,
        );
        assert_eq!(verdict, "OK", "at {width} px (see {})", shot.display());
        // The overview, and a timeline per slide.
        assert_eq!(charts, 1 + the_talk().len(), "at {width} px");
    }
    let _ = fs::remove_dir_all(&scratch);
}
