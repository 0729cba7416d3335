//! Figures as a person reads them: as many digits as the size of the figure calls for, and a
//! dash for a figure there is none of (no run got that far, or nothing to divide by).

/// `shown(value)`, or a dash if `value` is not a number.
fn finite(value: f64, shown: impl FnOnce(f64) -> String) -> String {
    if value.is_finite() {
        shown(value)
    } else {
        "–".into()
    }
}

/// Seconds: `50.1 s`, `1.005 s`, and below a tenth of a second in milliseconds, `12.0 ms`.
pub fn secs(value: f64) -> String {
    finite(value, |value| match value.abs() {
        size if size >= 10.0 => format!("{value:.1} s"),
        size if size >= 0.1 => format!("{value:.3} s"),
        _ => ms(value),
    })
}

/// Seconds shown in milliseconds: `0.61 ms`, `12.4 ms`, `1000 ms`.
pub fn ms(value: f64) -> String {
    scaled(value * 1e3, "ms", 2)
}

/// Seconds shown in microseconds: `16.2 µs`, `123 µs`.
pub fn us(value: f64) -> String {
    scaled(value * 1e6, "µs", 1)
}

/// `value unit` with no decimals from 100 up, one from 10 up, and `small` below 10.
fn scaled(value: f64, unit: &str, small: usize) -> String {
    let decimals = match value.abs() {
        v if v >= 100.0 => 0,
        v if v >= 10.0 => 1,
        _ => small,
    };
    finite(value, |value| format!("{value:.decimals$} {unit}"))
}

/// KiB shown in MB (10^6 bytes), as the memory goal is written: `46.3 MB`.
pub fn mb(kib: f64) -> String {
    finite(kib, |kib| format!("{:.1} MB", kib * 1024.0 / 1e6))
}

/// `kib` over `count`, in KiB: `24.1 KiB`.
pub fn kib_per(kib: f64, count: f64) -> String {
    let per = if count > 0.0 { kib / count } else { f64::NAN };
    finite(per, |per| format!("{per:.1} KiB"))
}

/// `value` over `of`, to two decimals: `0.52`; a dash where there is nothing to set it against.
pub fn ratio(value: f64, of: Option<f64>) -> String {
    of.map_or_else(|| "–".into(), |of| format!("{:.2}", value / of))
}

/// A figure judged against a goal of at least some value, to `decimals` decimals, rounded
/// down: one just short of 0.6 shows as 0.599, never as the 0.600 it misses.
pub fn floor_to(value: f64, decimals: usize) -> String {
    let scale = 10f64.powi(decimals as i32);
    finite(value, |value| {
        format!("{:.decimals$}", (value * scale).floor() / scale)
    })
}

/// A figure judged against a goal of at most some value, rounded up, as [`floor_to`] rounds
/// down.
pub fn ceil_to(value: f64, decimals: usize) -> String {
    let scale = 10f64.powi(decimals as i32);
    finite(value, |value| {
        format!("{:.decimals$}", (value * scale).ceil() / scale)
    })
}

/// A share of a whole, as a percentage: `71%`.
pub fn percent(share: f64) -> String {
    format!("{:.0}%", share * 100.0)
}

/// A count with thousands separated: `68,712`.
pub fn thousands(value: f64) -> String {
    finite(value, |value| {
        let digits = format!("{:.0}", value.abs()).into_bytes();
        let groups: Vec<&[u8]> = digits.rchunks(3).rev().collect();
        let sign = if value < 0.0 { "-" } else { "" };
        format!("{sign}{}", String::from_utf8_lossy(&groups.join(&b","[..])))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_read_well() {
        assert_eq!(secs(50.123), "50.1 s");
        assert_eq!(secs(1.0051), "1.005 s");
        assert_eq!(secs(0.012), "12.0 ms");
        assert_eq!(ms(0.00061), "0.61 ms");
        assert_eq!(ms(0.1234), "123 ms");
        assert_eq!(us(0.0000162), "16.2 µs");
        assert_eq!(us(0.000123), "123 µs");
        assert_eq!(mb(45_000.0), "46.1 MB");
        assert_eq!(kib_per(24_000.0, 1000.0), "24.0 KiB");
        assert_eq!(percent(0.714), "71%");
        assert_eq!(secs(f64::NAN), "–");
        assert_eq!(us(f64::INFINITY), "–");
    }

    #[test]
    fn a_figure_short_of_its_goal_never_shows_as_the_goal() {
        assert_eq!(floor_to(64_893.0 / 108_220.0, 3), "0.599"); // {:.3} would say 0.600
        assert_eq!(floor_to(0.6, 3), "0.600");
        assert_eq!(floor_to(0.8496, 2), "0.84");
        assert_eq!(ceil_to(0.7004, 2), "0.71");
        assert_eq!(ceil_to(0.7, 2), "0.70");
        assert_eq!(floor_to(f64::NAN, 3), "–");
    }

    #[test]
    fn counts_read_in_thousands() {
        assert_eq!(thousands(68_712.4), "68,712");
        assert_eq!(thousands(159_299_133.0), "159,299,133");
        assert_eq!(thousands(999.0), "999");
        assert_eq!(thousands(-1_500.0), "-1,500");
        assert_eq!(thousands(f64::NAN), "–");
    }
}
