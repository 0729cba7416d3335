//! The clients that scale and overhead set side by side — slide 7 and the reference client over
//! each protocol, and the tools written in C — so that one table holds them all and each is set
//! against the best.

use crate::judge;
use crate::notes::{Note, note};
use crate::outcome::Outcome;
use crate::section::{Section, Table};

/// The clients a scenario compares, in its order: slide 7 and the reference client over each
/// protocol they ran, then the tools.
pub fn compared(outcomes: &[Outcome]) -> Vec<&Outcome> {
    let compared =
        |o: &&Outcome| o.case.is_tool() || ["tokio", "reference"].contains(&o.case.slide.model);
    outcomes.iter().filter(compared).collect()
}

/// The client with the highest `figure` among those whose every request succeeded.
pub fn best_by<'a>(
    clients: &[&'a Outcome],
    figure: impl Fn(&Outcome) -> f64,
) -> Option<(&'a Outcome, f64)> {
    let succeeded = clients.iter().filter(|client| client.failed() == 0);
    succeeded
        .map(|&client| (client, figure(client)))
        .filter(|(_, value)| value.is_finite())
        .max_by(|a, b| a.1.total_cmp(&b.1))
}

/// Adds to `section` a table of `clients` (each one's label, protocol, in flight, connections
/// and wall (median, min–max), then its `cells` as `header` names them, then its failed
/// requests), and after its other notes, the one on small requests and how far apart each
/// client's runs were.
pub fn add_table(
    section: &mut Section,
    caption: Note,
    header: &str,
    clients: &[&Outcome],
    cores: usize,
    cells: impl Fn(&Outcome) -> Vec<String>,
) {
    let first = "client | protocol | in flight | connections | wall (median, min–max)";
    let mut table = Table::new(caption.text(), &format!("{first} | {header} | failed"));
    for client in clients {
        let connections = client.server_connections().map(|n| format!("{n:.0}"));
        let mut row = vec![
            client.case.label(),
            client.case.protocol().into(),
            client.concurrency(cores).to_string(),
            judge::or_dash(connections),
            judge::wall_cell(client),
        ];
        row.extend(cells(client));
        row.push(failed_cell(client));
        table.rows.push(row);
    }
    section.tables.push(table);
    section.note(note("clients.nagle").text());
    section.notes.extend(noise(clients));
}

/// Failed requests as the models' tables show them, and a client that did not speak the
/// protocol it was asked to says so.
pub fn failed_cell(client: &Outcome) -> String {
    let failed = judge::failed_cell(client);
    match client.spoke_its_protocol() {
        true => failed,
        false => format!("{failed}; **not all over {}**", client.case.protocol()),
    }
}

/// What went wrong, if requests failed or it did not speak the protocol it was asked to.
pub fn why_failed(client: &Outcome) -> Option<String> {
    (client.failed() > 0 || !client.spoke_its_protocol()).then(|| failed_cell(client))
}

/// How far apart each client's runs were, for the reader to weigh the ratios; nothing with one
/// run each.
pub fn noise(clients: &[&Outcome]) -> Option<String> {
    let spread = |client: &&Outcome| {
        let spread = client.spread()?;
        Some(format!("{} {:.0}%", client.case.label(), spread * 100.0))
    };
    let spreads: Vec<String> = clients.iter().filter_map(spread).collect();
    (!spreads.is_empty()).then(|| {
        note("clients.noise")
            .with("spreads", spreads.join(", "))
            .text()
    })
}
