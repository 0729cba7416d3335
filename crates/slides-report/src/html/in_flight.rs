//! How many requests a slide had in flight, from moment to moment, counted from its timeline.

use crate::table::Span;

/// (seconds, requests in flight from then on), from 0 to the last answer.
pub type Steps = Vec<(f64, usize)>;

/// How many requests were in flight, from each change on: (seconds, requests), from 0.
pub fn in_flight(spans: &[Span]) -> Steps {
    // (when, starts): at the same instant an end sorts before a start, so a request that ends
    // as the next begins does not count as two in flight.
    let mut events: Vec<(f64, bool)> = spans
        .iter()
        .flat_map(|span| [(span.start_s, true), (span.end_s, false)])
        .collect();
    events.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let mut steps = vec![(0.0, 0)];
    let mut count: usize = 0;
    for (when, starts) in events {
        count = if starts {
            count + 1
        } else {
            count.saturating_sub(1)
        };
        match steps.last_mut() {
            Some(last) if last.0 == when => last.1 = count,
            _ => steps.push((when, count)),
        }
    }
    steps
}

/// How many were in flight at `when`.
pub fn count_at(steps: &[(f64, usize)], when: f64) -> usize {
    steps
        .iter()
        .take_while(|(t, _)| *t <= when)
        .last()
        .map_or(0, |(_, n)| *n)
}

/// The most in flight at once.
pub fn peak(steps: &[(f64, usize)]) -> usize {
    steps.iter().map(|(_, n)| *n).max().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Requests that start and end at these seconds: all `in_flight` reads of a span.
    fn spans(times: &[(f64, f64)]) -> Vec<Span> {
        let span = |(index, &(start_s, end_s))| Span {
            index,
            start_s,
            end_s,
            ok: true,
            attempts: 1,
        };
        times.iter().enumerate().map(span).collect()
    }

    #[test]
    fn in_flight_counts_starts_and_ends() {
        // Two at once, then one more as the first ends.
        let spans = spans(&[(0.0, 1.0), (0.0, 2.0), (1.0, 2.0)]);
        assert_eq!(
            in_flight(&spans),
            [(0.0, 2), (1.0, 2), (2.0, 0)],
            "an end and a start at the same instant do not make three"
        );
        assert_eq!(count_at(&in_flight(&spans), 1.5), 2);
        assert_eq!(count_at(&in_flight(&spans), 2.5), 0);
    }

    #[test]
    fn one_at_a_time_is_one_in_flight() {
        let spans = spans(&[(0.0, 1.0), (1.0, 2.0), (2.0, 3.0)]);
        assert_eq!(peak(&in_flight(&spans)), 1);
    }
}
