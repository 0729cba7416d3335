//! What the report's charts share: the picture's size, its text, and scales from seconds (or
//! requests) to the picture's units.

use std::fmt::Write;

/// Every chart is this wide in its own units (its `viewBox`) and is drawn as wide as the page.
pub const WIDTH: f64 = 1000.0;
/// The text size in those units. At 800 pixels wide a chart is drawn about 0.77 times its
/// size, so this is 15 px there, still legible on a projector; wider, it grows.
pub const FONT: f64 = 20.0;
/// Dark text on white, for the projector.
pub const INK: &str = "#111111";
/// Gridlines: light, as they carry no data.
pub const GRID: &str = "#d0d0d0";

/// Opens an `<svg>` that scales to the page (a `viewBox`, no width of its own), with `label`
/// for screen readers. Its text is `INK` unless it says otherwise. The caller writes `</svg>`.
pub fn open_svg(page: &mut String, class: &str, height: f64, label: &str) {
    let _ = writeln!(
        page,
        "<svg class=\"{class}\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} \
         {height:.0}\" font-size=\"{FONT}\" fill=\"{INK}\" role=\"img\" aria-label=\"{label}\">"
    );
}

/// `value`s from 0 to `max`, drawn from `from` to `to` (either way round).
pub struct Linear {
    pub max: f64,
    pub from: f64,
    pub to: f64,
}

impl Linear {
    pub fn at(&self, value: f64) -> f64 {
        self.from + value / self.max.max(f64::EPSILON) * (self.to - self.from)
    }
}

/// Seconds from `lo` to `hi` on a log scale, drawn from `from` to `to`: each ×10 is as wide
/// as the next. A time before `lo` (a log scale has no 0) is drawn at `lo`.
pub struct Log {
    pub lo: f64,
    pub hi: f64,
    pub from: f64,
    pub to: f64,
}

impl Log {
    pub fn at(&self, seconds: f64) -> f64 {
        let share =
            (seconds.clamp(self.lo, self.hi) / self.lo).log10() / (self.hi / self.lo).log10();
        self.from + share * (self.to - self.from)
    }
}

/// 1, 2 or 5 times a power of ten, at least `raw`.
pub fn nice_step(raw: f64) -> f64 {
    let raw = raw.max(1e-4);
    let power = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * power)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * power)
}

/// The first multiple of a round step at or past `max`, with that step: where an axis for
/// values up to `max` ends, in about `ticks` steps.
pub fn nice_end(max: f64, ticks: f64) -> (f64, f64) {
    let step = nice_step(max / ticks);
    ((max / step - 1e-9).ceil().max(1.0) * step, step)
}

/// A tick's label with as many decimals as its step needs: `20`, `0.25`.
pub fn tick_label(t: f64, step: f64) -> String {
    let decimals = if step >= 1.0 {
        0
    } else {
        (-step.log10().floor()) as usize
    };
    format!("{t:.decimals$}")
}

/// A power of ten as seconds: `0.01 s`, `1 s`, `100 s`.
pub fn power_label(t: f64) -> String {
    let decimals = (-t.log10().round()).max(0.0) as usize;
    format!("{t:.decimals$} s")
}

pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_round() {
        assert_eq!(nice_step(6.2), 10.0);
        assert_eq!(nice_step(0.13), 0.2);
        assert_eq!(nice_step(0.04), 0.05);
        assert_eq!(nice_end(50.0, 5.0), (50.0, 10.0));
        let (end, step) = nice_end(1.014, 6.0);
        assert!((end - 1.2).abs() < 1e-9 && step == 0.2, "{end} {step}");
        assert_eq!(tick_label(0.25, 0.05), "0.25");
        assert_eq!(tick_label(20.0, 10.0), "20");
        assert_eq!(power_label(0.01), "0.01 s");
        assert_eq!(power_label(100.0), "100 s");
    }

    #[test]
    fn a_log_scale_gives_each_tenfold_the_same_width() {
        let x = Log {
            lo: 0.01,
            hi: 100.0,
            from: 0.0,
            to: 400.0,
        };
        assert_eq!(x.at(0.0), 0.0, "before lo, at lo");
        assert!((x.at(0.1) - 100.0).abs() < 1e-9);
        assert!((x.at(1.0) - 200.0).abs() < 1e-9);
        assert!((x.at(10.0) - 300.0).abs() < 1e-9);
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(escape("<a & \"b\">"), "&lt;a &amp; &quot;b&quot;&gt;");
    }
}
