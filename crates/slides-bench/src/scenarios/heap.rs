//! The memory section's second part: slide 7 (over HTTP/1.1 and HTTP/2), the reference client
//! over HTTP/2 and threads under valgrind's massif, and the heap at its peak by allocation site,
//! per request in flight — who allocates what each request costs. It runs only when valgrind is
//! installed.

use std::time::Duration;

use super::cases;
use crate::bench::Bench;
use crate::case::Case;
use crate::massif::{self, Peak};
use crate::notes::note;
use crate::section::{Section, Table};
use crate::tools;
use crate::units::{kib_per, mb, percent, secs};
use crate::yardsticks::REFERENCE;

/// One slide's heap at its peak, with `size` requests in flight.
pub struct Heap {
    /// The slide's model: "tokio".
    pub label: String,
    pub size: usize,
    pub peak: Peak,
}

/// Profiles each client, adds a table for each to `section`, and gives their peaks.
pub fn by_site(bench: &Bench, section: &mut Section) -> Result<Vec<Heap>, String> {
    if !tools::installed("valgrind") {
        section.note(note("heap.no-valgrind").text());
        return Ok(Vec::new());
    }
    // Under valgrind a program runs many times slower: a long delay keeps every request in
    // flight at once while the last ones are still being sent.
    let (delay, large, small) = if bench.smoke {
        (Duration::from_secs(1), 10, 10)
    } else {
        (Duration::from_secs(5), 1_000, 100)
    };
    // Threads at the smaller size: a thousand of them under valgrind take minutes.
    let profiled = [
        Case::at(cases::slide("tokio")?, large, large),
        Case::at(cases::slide("tokio")?, large, large).over_http2(),
        Case::at(&REFERENCE, large, large).over_http2(),
        Case::at(cases::slide("threads")?, small, small),
    ];
    println!(
        "\n==> memory: the heap by allocation site (valgrind massif), httpbin-lite answering \
         after {}",
        secs(delay.as_secs_f64())
    );
    let server = bench.start_httpbin(delay)?;
    let mut heaps = Vec::new();
    for case in profiled {
        let (label, size) = (case.label(), case.requests);
        let file = format!("memory-massif-{}-n{size}", label.replace(' ', "-"));
        let (_, profile) = bench.under_valgrind("massif", &file, &case, &server.url("/uuid"))?;
        let peak = massif::parse(&profile)
            .ok_or_else(|| format!("{file}: massif's profile has no peak"))?;
        let total_kib = peak.total as f64 / 1024.0;
        let (total, per_request) = (mb(total_kib), kib_per(total_kib, size as f64));
        println!("    {label:<34} heap at its peak: {total} ({per_request} per request)");
        let caption = note("heap.caption")
            .with("model", &label)
            .with("size", size)
            .with("total", total)
            .with("per_request", per_request)
            .with("command", case.command("$SLOW_URL"))
            .with("delay", secs(delay.as_secs_f64()));
        section.tables.push(table(caption.text(), &peak, size));
        heaps.push(Heap { label, size, peak });
    }
    Ok(heaps)
}

/// The six biggest allocation sites at the peak, per request in flight.
fn table(caption: String, peak: &Peak, size: usize) -> Table {
    let header = "allocated by | per request in flight | share of the heap";
    let mut table = Table::new(caption, header);
    for site in peak.sites.iter().take(6) {
        table.rows.push(vec![
            format!("`{}`", site.place),
            kib_per(site.bytes as f64 / 1024.0, size as f64),
            percent(site.bytes as f64 / peak.total.max(1) as f64),
        ]);
    }
    table
}
