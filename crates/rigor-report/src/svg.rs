//! Hand-written SVG charts: forest plot, histogram, reliability diagram, curves.
//! Static markup styled by the page's CSS (classes, no inline scripts), so a readout
//! renders anywhere, offline, and prints.
//!
//! Every chart is `<svg class="chart" data-chart="KIND">` with a `<title>` and at
//! least one mark; an empty input gives no chart (the caller says why in text).

use std::fmt::Write;

use crate::escape::html as esc;

const FONT: f64 = 12.0;

/// A linear map from data to pixels.
#[derive(Clone, Copy)]
struct Linear {
    d0: f64,
    d1: f64,
    r0: f64,
    r1: f64,
}

impl Linear {
    fn new(d0: f64, d1: f64, r0: f64, r1: f64) -> Linear {
        let (d0, d1) = if d1 > d0 {
            (d0, d1)
        } else {
            (d0 - 0.5, d0 + 0.5)
        };
        Linear { d0, d1, r0, r1 }
    }

    fn at(&self, v: f64) -> f64 {
        self.r0 + (v - self.d0) / (self.d1 - self.d0) * (self.r1 - self.r0)
    }
}

/// About `n` round tick values covering [lo, hi].
fn ticks(lo: f64, hi: f64, n: usize) -> (Vec<f64>, f64) {
    let span = (hi - lo).max(f64::EPSILON);
    let raw = span / n as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    let start = (lo / step).ceil() as i64;
    let end = (hi / step).floor() as i64;
    let v = (start..=end).map(|k| k as f64 * step).collect();
    (v, step)
}

fn tick_label(v: f64, step: f64, percent: bool) -> String {
    let v = if percent { v * 100.0 } else { v };
    let step = if percent { step * 100.0 } else { step };
    let e = step.log10().floor();
    let m = step / 10f64.powf(e);
    let decimals = (-e).max(0.0) as usize + usize::from((m - 2.5).abs() < 1e-9);
    let s = format!("{v:.decimals$}");
    let s = if s == "-0" { "0".to_string() } else { s };
    if percent {
        format!("{s}%")
    } else {
        s
    }
}

fn open(out: &mut String, kind: &str, title: &str, w: f64, h: f64) {
    let _ = write!(
        out,
        r#"<svg class="chart" data-chart="{kind}" role="img" aria-label="{t}" viewBox="0 0 {w} {h}" width="{w}" height="{h}" xmlns="http://www.w3.org/2000/svg"><title>{t}</title>"#,
        t = esc(title)
    );
}

/// A horizontal axis with ticks and grid lines from `top` to `bottom`.
fn x_axis(out: &mut String, x: &Linear, top: f64, bottom: f64, label: &str, percent: bool) {
    let (ts, step) = ticks(x.d0, x.d1, 6);
    for t in ts {
        let px = x.at(t);
        let _ = write!(
            out,
            r#"<line class="grid" x1="{px:.1}" x2="{px:.1}" y1="{top:.1}" y2="{bottom:.1}"/><text class="tick" x="{px:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
            bottom + FONT + 2.0,
            tick_label(t, step, percent)
        );
    }
    let _ = write!(
        out,
        r#"<line class="axis" x1="{:.1}" x2="{:.1}" y1="{bottom:.1}" y2="{bottom:.1}"/><text class="label" x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
        x.r0,
        x.r1,
        (x.r0 + x.r1) / 2.0,
        bottom + 2.0 * FONT + 8.0,
        esc(label)
    );
}

/// A vertical axis with ticks and grid lines from `left` to `right`.
fn y_axis(out: &mut String, y: &Linear, left: f64, right: f64, label: &str) {
    let (ts, step) = ticks(y.d0, y.d1, 5);
    for t in ts {
        let py = y.at(t);
        let _ = write!(
            out,
            r#"<line class="grid" x1="{left:.1}" x2="{right:.1}" y1="{py:.1}" y2="{py:.1}"/><text class="tick" x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
            left - 6.0,
            py + 4.0,
            tick_label(t, step, false)
        );
    }
    let mid = (y.r0 + y.r1) / 2.0;
    let _ = write!(
        out,
        r#"<line class="axis" x1="{left:.1}" x2="{left:.1}" y1="{:.1}" y2="{:.1}"/><text class="label" x="14" y="{mid:.1}" text-anchor="middle" transform="rotate(-90 14 {mid:.1})">{}</text>"#,
        y.r0,
        y.r1,
        esc(label)
    );
}

/// One row of a forest plot.
#[derive(Debug, Clone, PartialEq)]
pub struct ForestRow {
    pub label: String,
    pub value: f64,
    pub ci: Option<(f64, f64)>,
    /// Significant after correction (filled marker); None when untested.
    pub significant: Option<bool>,
    /// A change for the worse (where the better direction is known): drawn red.
    pub worse: bool,
    /// Text at the right end of the row.
    pub note: String,
}

/// Differences with their intervals, one row each, around a zero line.
pub fn forest(title: &str, rows: &[ForestRow], x_label: &str, percent: bool) -> Option<String> {
    if rows.is_empty() {
        return None;
    }
    let (left, right_text, width, row_h, top) = (200.0, 190.0, 820.0, 26.0, 12.0);
    let plot_right = width - right_text;
    let bottom = top + row_h * rows.len() as f64;
    let height = bottom + 2.0 * FONT + 18.0;
    let mut lo = 0f64;
    let mut hi = 0f64;
    for r in rows {
        let (a, b) = r.ci.unwrap_or((r.value, r.value));
        lo = lo.min(a).min(r.value);
        hi = hi.max(b).max(r.value);
    }
    let pad = (hi - lo).max(1e-9) * 0.06;
    let x = Linear::new(lo - pad, hi + pad, left, plot_right);
    let mut out = String::new();
    open(&mut out, "forest", title, width, height);
    x_axis(&mut out, &x, top, bottom, x_label, percent);
    let zx = x.at(0.0);
    let _ = write!(
        out,
        r#"<line class="zero" x1="{zx:.1}" x2="{zx:.1}" y1="{top:.1}" y2="{bottom:.1}"/>"#
    );
    for (i, r) in rows.iter().enumerate() {
        let cy = top + row_h * (i as f64 + 0.5);
        let _ = write!(
            out,
            r#"<g class="row"><title>{}</title><text class="rowlabel" x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
            esc(&format!("{}: {}", r.label, r.note)),
            left - 10.0,
            cy + 4.0,
            esc(&r.label)
        );
        if let Some((a, b)) = r.ci {
            let (xa, xb) = (x.at(a), x.at(b));
            let _ = write!(
                out,
                r#"<line class="ci" x1="{xa:.1}" x2="{xb:.1}" y1="{cy:.1}" y2="{cy:.1}"/><line class="ci" x1="{xa:.1}" x2="{xa:.1}" y1="{:.1}" y2="{:.1}"/><line class="ci" x1="{xb:.1}" x2="{xb:.1}" y1="{:.1}" y2="{:.1}"/>"#,
                cy - 5.0,
                cy + 5.0,
                cy - 5.0,
                cy + 5.0
            );
        }
        let class = match (r.significant, r.worse) {
            (Some(true), false) => "pt sig",
            (Some(true), true) => "pt sig worse",
            (Some(false), false) => "pt",
            (Some(false), true) => "pt worse",
            (None, false) => "pt untested",
            (None, true) => "pt untested worse",
        };
        let _ = write!(
            out,
            r#"<circle class="{class}" cx="{:.1}" cy="{cy:.1}" r="5"/><text class="note" x="{:.1}" y="{:.1}">{}</text></g>"#,
            x.at(r.value),
            plot_right + 10.0,
            cy + 4.0,
            esc(&r.note)
        );
    }
    out.push_str("</svg>");
    Some(out)
}

/// A histogram of values (per-query differences): bins with zero as an edge, bars
/// coloured by sign, exact zeros (ties) as their own grey bar at zero.
pub fn histogram(title: &str, values: &[f64], x_label: &str) -> Option<String> {
    if values.is_empty() {
        return None;
    }
    let (width, height, left, right, top, bottom) = (400.0, 230.0, 48.0, 390.0, 10.0, 180.0);
    let lo = values
        .iter()
        .copied()
        .fold(f64::INFINITY, f64::min)
        .min(0.0);
    let hi = values
        .iter()
        .copied()
        .fold(f64::NEG_INFINITY, f64::max)
        .max(0.0);
    let (lo, hi) = if hi > lo { (lo, hi) } else { (-0.5, 0.5) };
    let w = (hi - lo) / 20.0;
    // Bin k covers [k·w, (k+1)·w) for positive values and (k·w, (k+1)·w] for negative
    // ones, so zero is always an edge and a bar never mixes signs.
    let bin = |v: f64| -> i64 {
        if v > 0.0 {
            (v / w).floor() as i64
        } else {
            (v / w).ceil() as i64 - 1
        }
    };
    let mut counts: std::collections::BTreeMap<i64, usize> = std::collections::BTreeMap::new();
    let mut ties = 0usize;
    for &v in values {
        if v == 0.0 {
            ties += 1;
        } else {
            *counts.entry(bin(v)).or_default() += 1;
        }
    }
    let max = counts
        .values()
        .copied()
        .chain([ties])
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let first = counts.keys().next().copied().unwrap_or(0).min(-1);
    let last = counts.keys().next_back().copied().unwrap_or(0).max(0);
    let x = Linear::new(first as f64 * w, (last + 1) as f64 * w, left, right);
    let y = Linear::new(0.0, max, bottom, top);
    let mut out = String::new();
    open(&mut out, "histogram", title, width, height);
    x_axis(&mut out, &x, top, bottom, x_label, false);
    y_axis(&mut out, &y, left, right, "count");
    let mut bar = |class: &str, a: f64, z: f64, c: usize, what: String| {
        let (xa, xz, yc) = (x.at(a), x.at(z), y.at(c as f64));
        let _ = write!(
            out,
            r#"<rect class="{class}" x="{:.1}" y="{yc:.1}" width="{:.1}" height="{:.1}"><title>{c} {}</title></rect>"#,
            xa + 0.5,
            (xz - xa - 1.0).max(1.5),
            bottom - yc,
            esc(&what)
        );
    };
    for (&k, &c) in &counts {
        let (a, z) = (k as f64 * w, (k + 1) as f64 * w);
        let class = if k < 0 { "bar neg" } else { "bar pos" };
        bar(
            class,
            a,
            z,
            c,
            format!("in [{}, {}]", crate::fmt::num(a), crate::fmt::num(z)),
        );
    }
    if ties > 0 {
        bar(
            "bar tie",
            -w / 4.0,
            w / 4.0,
            ties,
            "tied (difference exactly 0)".into(),
        );
    }
    let zx = x.at(0.0);
    let _ = write!(
        out,
        r#"<line class="zero" x1="{zx:.1}" x2="{zx:.1}" y1="{top:.1}" y2="{bottom:.1}"/>"#
    );
    out.push_str("</svg>");
    Some(out)
}

/// One bin of a reliability diagram.
pub struct Bin {
    pub lower: f64,
    pub upper: f64,
    pub n: u64,
    pub confidence: f64,
    pub accuracy: f64,
}

/// Observed frequency against mean confidence per bin, with the diagonal of perfect
/// calibration.
pub fn reliability(title: &str, bins: &[Bin]) -> Option<String> {
    if bins.iter().all(|b| b.n == 0) {
        return None;
    }
    let (size, left, top) = (300.0, 48.0, 10.0);
    let (right, bottom) = (left + size, top + size);
    let x = Linear::new(0.0, 1.0, left, right);
    let y = Linear::new(0.0, 1.0, bottom, top);
    let mut out = String::new();
    open(
        &mut out,
        "reliability",
        title,
        right + 12.0,
        bottom + 2.0 * FONT + 18.0,
    );
    x_axis(
        &mut out,
        &x,
        top,
        bottom,
        "mean predicted confidence",
        false,
    );
    y_axis(&mut out, &y, left, right, "observed frequency");
    let _ = write!(
        out,
        r#"<line class="diag" x1="{left}" y1="{bottom}" x2="{right}" y2="{top}"/>"#
    );
    for b in bins.iter().filter(|b| b.n > 0) {
        let (xa, xz, ya) = (x.at(b.lower), x.at(b.upper), y.at(b.accuracy));
        let _ = write!(
            out,
            r#"<rect class="bar rel" x="{:.1}" y="{ya:.1}" width="{:.1}" height="{:.1}"><title>{} rows, confidence {}, observed {}</title></rect><circle class="pt sig" cx="{:.1}" cy="{ya:.1}" r="3.5"/>"#,
            xa + 0.5,
            (xz - xa - 1.0).max(1.0),
            bottom - ya,
            b.n,
            crate::fmt::num(b.confidence),
            crate::fmt::num(b.accuracy),
            x.at(b.confidence)
        );
    }
    out.push_str("</svg>");
    Some(out)
}

/// A curve in the unit square (ROC with its chance diagonal, or precision-recall).
pub fn curve(
    kind: &str,
    title: &str,
    xs: &[f64],
    ys: &[f64],
    labels: (&str, &str),
    diagonal: bool,
) -> Option<String> {
    if xs.len() < 2 || xs.len() != ys.len() {
        return None;
    }
    let (size, left, top) = (300.0, 48.0, 10.0);
    let (right, bottom) = (left + size, top + size);
    let x = Linear::new(0.0, 1.0, left, right);
    let y = Linear::new(0.0, 1.0, bottom, top);
    let mut out = String::new();
    open(
        &mut out,
        kind,
        title,
        right + 12.0,
        bottom + 2.0 * FONT + 18.0,
    );
    x_axis(&mut out, &x, top, bottom, labels.0, false);
    y_axis(&mut out, &y, left, right, labels.1);
    if diagonal {
        let _ = write!(
            out,
            r#"<line class="diag" x1="{left}" y1="{bottom}" x2="{right}" y2="{top}"/>"#
        );
    }
    let mut d = String::new();
    for (i, (a, b)) in xs.iter().zip(ys).enumerate() {
        let _ = write!(
            d,
            "{}{:.1},{:.1}",
            if i == 0 { "M" } else { " L" },
            x.at(a.clamp(0.0, 1.0)),
            y.at(b.clamp(0.0, 1.0))
        );
    }
    let _ = write!(out, r#"<path class="curve" d="{d}"/>"#);
    out.push_str("</svg>");
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round() {
        let (t, step) = ticks(-0.013, 0.27, 6);
        assert_eq!(step, 0.05);
        assert_eq!(t.len(), 6);
        assert_eq!(tick_label(0.05, 0.05, false), "0.05");
        assert_eq!(tick_label(0.1, 0.05, false), "0.10");
        assert_eq!(tick_label(0.2, 0.1, false), "0.2");
        assert_eq!(tick_label(10.0, 5.0, false), "10");
        assert_eq!(tick_label(0.025, 0.025, true), "2.5%");
    }

    #[test]
    fn charts_have_marks_and_titles() {
        let rows = [ForestRow {
            label: "dense vs bm25 · AP".into(),
            value: 0.15,
            ci: Some((0.1, 0.19)),
            significant: Some(true),
            worse: false,
            note: "+0.15".into(),
        }];
        let f = forest("Δ", &rows, "difference", false).unwrap();
        assert!(f.contains("<circle") && f.contains("<title>Δ</title>"));
        let h = histogram("h", &[-0.1, 0.0, 0.2, 0.2], "Δ").unwrap();
        assert_eq!(h.matches("<rect").count(), 3);
        assert!(h.contains("bar tie") && h.contains("bar neg") && h.contains("bar pos"));
        assert!(histogram("h", &[], "Δ").is_none());
        let same = histogram("h", &[0.0, 0.0], "Δ").unwrap();
        assert!(same.contains("<rect"));
        assert!(
            curve("roc", "r", &[0.0, 1.0], &[0.0, 1.0], ("fpr", "tpr"), true)
                .unwrap()
                .contains("<path")
        );
    }
}
