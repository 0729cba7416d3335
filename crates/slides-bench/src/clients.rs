//! The clients that scale and overhead set side by side — slide 7 and the reference client over
//! each protocol, and the tools written in C — so that one table holds them all and each is set
//! against the best.

use crate::judge;
use crate::notes::note;
use crate::outcome::Outcome;

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

/// The cells every table of clients begins with, as its header names them: client, protocol,
/// in flight, connections, wall (median, min–max).
pub fn first_cells(client: &Outcome, cores: usize) -> Vec<String> {
    let connections = client.server_connections().map(|n| format!("{n:.0}"));
    vec![
        client.case.label(),
        client.case.protocol().into(),
        client.concurrency(cores).to_string(),
        judge::or_dash(connections),
        judge::wall_cell(client),
    ]
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
