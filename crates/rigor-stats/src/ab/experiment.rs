//! A whole experiment: every metric × treatment arm against the control, the family
//! correction, SRM overall / per segment / per look, effects per segment, cumulative
//! daily looks and per-day cohorts.
//!
//! Input is columnar and already validated (see `rigor-io`'s experiment reader): one
//! arm index per unit, metric columns with `NaN` for a missing value, integer codes for
//! segments and days. A unit missing a metric (or its covariate / denominator) is left
//! out of that metric only.
//!
//! Work is one parallel pass per metric over fixed-size blocks of units, each block
//! accumulating [`Moments`] per (day, arm) and per (segment value, arm) cell; blocks are
//! merged in block order, so results do not depend on the number of threads. Looks
//! merge the daily cells. Only Mann–Whitney and `--cap` touch raw values (a sort per
//! arm, a selection over the pooled column).

use rayon::prelude::*;

use super::compare::{compare, Comparison, Guardrail, Issue, Settings, Shape, ValueType};
use super::mann_whitney::{from_groups, mann_whitney, sort_by_arm, value_counts, MannWhitney};
use super::moments::{Moments, ShiftedSums};
use super::ratio::ratio_stat;
use super::srm::chi_square;
use super::VarianceKind;
use crate::correction::{adjust, Correction};

/// Units per parallel block (fixed so results are thread-count independent).
const BLOCK: usize = 1 << 16;

/// A categorical column as codes into `labels`.
#[derive(Debug, Clone)]
pub struct Grouping<'a> {
    pub name: String,
    pub labels: Vec<String>,
    pub codes: &'a [u32],
}

/// Where a metric's values come from.
#[derive(Debug, Clone)]
pub enum Source<'a> {
    /// A column, optionally CUPED-adjusted and/or capped at a pooled quantile.
    Column {
        values: &'a [f64],
        covariate: Option<(String, &'a [f64])>,
        cap: Option<f64>,
    },
    /// `Σ numerator / Σ denominator` per arm.
    Ratio {
        numerator: &'a [f64],
        denominator: &'a [f64],
    },
}

/// One metric to analyse.
#[derive(Debug, Clone)]
pub struct MetricInput<'a> {
    pub name: String,
    pub source: Source<'a>,
    pub guardrail: Option<Guardrail>,
}

/// The experiment: arm 0 is the control.
#[derive(Debug, Clone)]
pub struct Experiment<'a> {
    pub arms: Vec<String>,
    /// Planned traffic weight per arm (positive).
    pub weights: Vec<f64>,
    /// Arm index per unit.
    pub arm: &'a [u16],
    pub metrics: Vec<MetricInput<'a>>,
    pub segments: Vec<Grouping<'a>>,
    /// Exposure day per unit; labels in chronological order.
    pub days: Option<Grouping<'a>>,
}

/// Analysis options.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub settings: Settings,
    pub correction: Correction,
    pub srm_threshold: f64,
}

/// SRM verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SrmStatus {
    Ok,
    Mismatch,
    /// Some arm expects fewer than 5 units: the chi-square test is not trustworthy.
    Insufficient,
}

impl SrmStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SrmStatus::Ok => "ok",
            SrmStatus::Mismatch => "mismatch",
            SrmStatus::Insufficient => "insufficient",
        }
    }
}

/// The SRM test of one group of units.
#[derive(Debug, Clone, PartialEq)]
pub struct SrmResult {
    pub observed: Vec<u64>,
    pub expected: Vec<f64>,
    pub chi2: Option<f64>,
    pub df: Option<f64>,
    pub p_value: Option<f64>,
    /// Holm-adjusted across the sibling groups (segment values, looks); `None` overall.
    pub p_adjusted: Option<f64>,
    pub status: SrmStatus,
}

/// SRM of one segment value.
#[derive(Debug, Clone, PartialEq)]
pub struct SegmentSrm {
    pub column: String,
    pub value: String,
    pub srm: SrmResult,
}

/// Per-arm description of a metric.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ArmSummary {
    pub n: u64,
    pub mean: f64,
    pub sd: Option<f64>,
}

/// How a metric was analysed.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricSummary {
    pub name: String,
    /// `mean`, `proportion` or `ratio`.
    pub kind: &'static str,
    pub covariate: Option<String>,
    pub arms: Vec<ArmSummary>,
    /// Units left out for a missing value.
    pub missing: u64,
}

/// `--cap` details of a comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct CapInfo {
    pub quantile: f64,
    pub cap: f64,
    /// Units whose value was lowered to the cap (all arms).
    pub capped_units: u64,
    /// The same comparison on the uncapped values.
    pub uncapped: Comparison,
}

/// A comparison with its place in the family.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub metric: String,
    pub candidate: usize,
    pub comparison: Comparison,
    pub p_adjusted: Option<f64>,
    pub significant: bool,
    pub mann_whitney: Option<MannWhitney>,
    pub cap: Option<CapInfo>,
}

/// Effects within one segment value.
#[derive(Debug, Clone, PartialEq)]
pub struct SegmentResult {
    pub column: String,
    pub value: String,
    pub units: u64,
    pub rows: Vec<Row>,
}

/// A cumulative look at the end of a day, and that day's cohort.
#[derive(Debug, Clone, PartialEq)]
pub struct Look {
    pub day: String,
    /// Units exposed up to and including this day.
    pub units: u64,
    pub srm: SrmResult,
    pub rows: Vec<Row>,
    /// Units first exposed on this day.
    pub cohort_units: u64,
    pub cohort_rows: Vec<Row>,
}

/// Everything `rigor ab` reports.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    pub units: u64,
    pub srm: SrmResult,
    pub segment_srm: Vec<SegmentSrm>,
    pub metrics: Vec<MetricSummary>,
    pub rows: Vec<Row>,
    pub segments: Vec<SegmentResult>,
    pub looks: Vec<Look>,
    pub warnings: Vec<String>,
}

/// Cell layout of one metric's moments: (day, arm) cells, then per segmentation
/// (value, arm) cells.
struct Layout {
    arms: usize,
    days: usize,
    /// Offset of each segmentation's cells.
    segment_offsets: Vec<usize>,
    len: usize,
}

impl Layout {
    fn new(e: &Experiment) -> Layout {
        let arms = e.arms.len();
        let days = e.days.as_ref().map_or(1, |d| d.labels.len().max(1));
        let mut len = days * arms;
        let segment_offsets = e
            .segments
            .iter()
            .map(|s| {
                let off = len;
                len += s.labels.len() * arms;
                off
            })
            .collect();
        Layout {
            arms,
            days,
            segment_offsets,
            len,
        }
    }
}

/// Moments per cell of `y` (and `x`), skipping units where either is NaN.
fn cell_moments(e: &Experiment, layout: &Layout, y: &[f64], x: Option<&[f64]>) -> Vec<Moments> {
    let n = e.arm.len();
    let blocks: Vec<Vec<Moments>> = (0..n.div_ceil(BLOCK))
        .into_par_iter()
        .map(|b| {
            let mut cells = vec![ShiftedSums::default(); layout.len];
            let range = b * BLOCK..((b + 1) * BLOCK).min(n);
            for i in range {
                let yi = y[i];
                let xi = match x {
                    Some(x) => x[i],
                    None => 0.0,
                };
                if yi.is_nan() || xi.is_nan() {
                    continue;
                }
                let a = e.arm[i] as usize;
                let d = e.days.as_ref().map_or(0, |d| d.codes[i] as usize);
                cells[d * layout.arms + a].push(yi, xi);
                for (s, off) in e.segments.iter().zip(&layout.segment_offsets) {
                    cells[off + s.codes[i] as usize * layout.arms + a].push(yi, xi);
                }
            }
            cells
                .iter()
                .map(ShiftedSums::moments)
                .collect::<Vec<Moments>>()
        })
        .collect();
    let mut total = vec![Moments::default(); layout.len];
    for block in blocks {
        for (t, m) in total.iter_mut().zip(&block) {
            t.absorb(m);
        }
    }
    total
}

/// 0/1 columns are proportions.
fn value_type(values: &[f64]) -> ValueType {
    let binary = values
        .par_iter()
        .all(|&v| v.is_nan() || v == 0.0 || v == 1.0)
        && values.par_iter().any(|v| !v.is_nan());
    if binary {
        ValueType::Binary
    } else {
        ValueType::Continuous
    }
}

/// numpy's `quantile(method='linear')` of the non-NaN values (with numpy's `_lerp`).
fn pooled_quantile(values: &[f64], q: f64) -> Option<f64> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
    if v.is_empty() {
        return None;
    }
    let h = (v.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let t = h - lo as f64;
    let (_, a, rest) = v.select_nth_unstable_by(lo, f64::total_cmp);
    let a = *a;
    if t == 0.0 || rest.is_empty() {
        return Some(a);
    }
    let b = rest.iter().copied().fold(f64::INFINITY, f64::min);
    let diff = b - a;
    Some(if t >= 0.5 {
        b - diff * (1.0 - t)
    } else {
        a + diff * t
    })
}

/// Per-metric intermediate results.
struct Prepared<'a> {
    summary: MetricSummary,
    shape: Shape,
    cells: Vec<Moments>,
    /// For capped metrics: the uncapped cells and the cap details.
    uncapped: Option<(Vec<Moments>, f64, f64, u64)>,
    /// Raw values (and the covariate whose missing values exclude a unit) of a
    /// continuous column metric, for Mann–Whitney.
    raw: Option<(&'a [f64], Option<&'a [f64]>)>,
    guardrail: Option<Guardrail>,
}

fn prepare<'a>(
    e: &Experiment<'a>,
    layout: &Layout,
    m: &MetricInput<'a>,
    compat_sample: bool,
) -> Prepared<'a> {
    let arms = e.arms.len();
    let overall = |cells: &[Moments]| -> Vec<Moments> {
        (0..arms)
            .map(|a| {
                (0..layout.days).fold(Moments::default(), |acc, d| acc.merge(&cells[d * arms + a]))
            })
            .collect()
    };
    match &m.source {
        Source::Column {
            values,
            covariate,
            cap,
        } => {
            let post = value_type(values);
            let x = covariate.as_ref().map(|(_, c)| *c);
            let shape = match x {
                Some(x) => Shape::Cuped {
                    post,
                    pre: value_type(x),
                },
                None => Shape::Plain(post),
            };
            let capped = cap.and_then(|q| {
                let c = pooled_quantile(values, q)?;
                let count = values.par_iter().filter(|&&v| v > c).count() as u64;
                let new: Vec<f64> = values
                    .par_iter()
                    .map(|&v| if v > c { c } else { v })
                    .collect();
                Some((new, q, c, count))
            });
            let (cells, uncapped) = match capped {
                Some((new, q, c, count)) => (
                    cell_moments(e, layout, &new, x),
                    Some((cell_moments(e, layout, values, x), q, c, count)),
                ),
                None => (cell_moments(e, layout, values, x), None),
            };
            let raw = (post == ValueType::Continuous).then_some((*values, x));
            let arm_moments = overall(&cells);
            let present: u64 = arm_moments.iter().map(|m| m.n).sum();
            Prepared {
                summary: MetricSummary {
                    name: m.name.clone(),
                    kind: match post {
                        ValueType::Binary => "proportion",
                        ValueType::Continuous => "mean",
                    },
                    covariate: covariate.as_ref().map(|(n, _)| n.clone()),
                    arms: arm_moments
                        .iter()
                        .map(|m| ArmSummary {
                            n: m.n,
                            mean: m.mean_y,
                            sd: (m.n > 1).then(|| m.var_y().sqrt()),
                        })
                        .collect(),
                    missing: e.arm.len() as u64 - present,
                },
                shape,
                cells,
                uncapped,
                raw,
                guardrail: m.guardrail,
            }
        }
        Source::Ratio {
            numerator,
            denominator,
        } => {
            let (num, den) = (value_type(numerator), value_type(denominator));
            let cells = cell_moments(e, layout, numerator, Some(denominator));
            let kind = |t| {
                if compat_sample {
                    VarianceKind::Sample
                } else {
                    match t {
                        ValueType::Binary => VarianceKind::Bernoulli,
                        ValueType::Continuous => VarianceKind::Sample,
                    }
                }
            };
            let arm_moments = overall(&cells);
            let present: u64 = arm_moments.iter().map(|m| m.n).sum();
            Prepared {
                summary: MetricSummary {
                    name: m.name.clone(),
                    kind: "ratio",
                    covariate: None,
                    arms: arm_moments
                        .iter()
                        .map(|m| {
                            let s = ratio_stat(m, kind(num), kind(den));
                            ArmSummary {
                                n: m.n,
                                mean: s.mean,
                                sd: (m.n > 1).then(|| s.variance.max(0.0).sqrt()),
                            }
                        })
                        .collect(),
                    missing: e.arm.len() as u64 - present,
                },
                shape: Shape::Ratio { num, den },
                cells,
                uncapped: None,
                raw: None,
                guardrail: m.guardrail,
            }
        }
    }
}

/// Comparisons of every metric × treatment arm from per-arm moments, corrected as one
/// family (guardrails excluded: their `p_adjusted` is their own one-sided p-value).
fn family(
    prepared: &[Prepared],
    arm_moments: impl Fn(usize, &Prepared) -> Vec<Moments>,
    arms: usize,
    o: &Options,
) -> Vec<Row> {
    let mut rows = Vec::new();
    for (i, p) in prepared.iter().enumerate() {
        let m = arm_moments(i, p);
        for b in 1..arms {
            let c = compare(p.shape, &m[0], &m[b], &o.settings, p.guardrail.as_ref());
            rows.push(Row {
                metric: p.summary.name.clone(),
                candidate: b,
                comparison: c,
                p_adjusted: None,
                significant: false,
                mann_whitney: None,
                cap: None,
            });
        }
    }
    correct(&mut rows, o);
    rows
}

fn correct(rows: &mut [Row], o: &Options) {
    let in_family: Vec<usize> = (0..rows.len())
        .filter(|&i| rows[i].comparison.guardrail.is_none())
        .collect();
    let p: Vec<Option<f64>> = in_family
        .iter()
        .map(|&i| rows[i].comparison.p_value)
        .collect();
    let adjusted = adjust(&p, o.correction, o.settings.alpha);
    for (k, &i) in in_family.iter().enumerate() {
        rows[i].p_adjusted = adjusted.p_adjusted[k];
        rows[i].significant = adjusted.rejected[k];
    }
    for r in rows.iter_mut().filter(|r| r.comparison.guardrail.is_some()) {
        r.p_adjusted = r.comparison.p_value;
        r.significant = r.comparison.p_value.is_some_and(|p| p < o.settings.alpha);
    }
}

/// The SRM test of observed unit counts.
fn srm_of(observed: &[u64], weights: &[f64], threshold: f64) -> SrmResult {
    let obs: Vec<f64> = observed.iter().map(|&v| v as f64).collect();
    match chi_square(&obs, weights) {
        Some(t) => {
            let status = if !t.sufficient() {
                SrmStatus::Insufficient
            } else if t.p_value < threshold {
                SrmStatus::Mismatch
            } else {
                SrmStatus::Ok
            };
            SrmResult {
                observed: observed.to_vec(),
                expected: t.expected.clone(),
                chi2: Some(t.chi2),
                df: Some(t.df),
                p_value: Some(t.p_value),
                p_adjusted: None,
                status,
            }
        }
        None => SrmResult {
            observed: observed.to_vec(),
            expected: vec![0.0; observed.len()],
            chi2: None,
            df: None,
            p_value: None,
            p_adjusted: None,
            status: SrmStatus::Insufficient,
        },
    }
}

/// Holm across sibling SRM tests; a sufficient group mismatches when its adjusted
/// p-value is below the threshold.
fn holm_srm<'r>(results: impl Iterator<Item = &'r mut SrmResult>, threshold: f64) {
    let results: Vec<&mut SrmResult> = results.collect();
    let p: Vec<Option<f64>> = results.iter().map(|r| r.p_value).collect();
    let adjusted = adjust(&p, Correction::Holm, threshold);
    for (r, padj) in results.into_iter().zip(adjusted.p_adjusted) {
        r.p_adjusted = padj;
        if r.status != SrmStatus::Insufficient {
            r.status = if padj.is_some_and(|p| p < threshold) {
                SrmStatus::Mismatch
            } else {
                SrmStatus::Ok
            };
        }
    }
}

/// Units per (group code, arm).
fn unit_counts(arm: &[u16], codes: Option<&[u32]>, groups: usize, arms: usize) -> Vec<u64> {
    let n = arm.len();
    let blocks: Vec<Vec<u64>> = (0..n.div_ceil(BLOCK))
        .into_par_iter()
        .map(|b| {
            let mut c = vec![0u64; groups * arms];
            for i in b * BLOCK..((b + 1) * BLOCK).min(n) {
                let g = codes.map_or(0, |c| c[i] as usize);
                c[g * arms + arm[i] as usize] += 1;
            }
            c
        })
        .collect();
    let mut total = vec![0u64; groups * arms];
    for b in blocks {
        for (t, v) in total.iter_mut().zip(b) {
            *t += v;
        }
    }
    total
}

/// Runs the whole analysis.
pub fn analyse(e: &Experiment, o: &Options) -> Analysis {
    let arms = e.arms.len();
    let layout = Layout::new(e);
    let compat_sample = o.settings.compat == super::Compat::Scipy;
    let prepared: Vec<Prepared> = e
        .metrics
        .par_iter()
        .map(|m| prepare(e, &layout, m, compat_sample))
        .collect();
    let mut warnings = Vec::new();

    // Overall comparisons.
    let per_arm = |cells: &[Moments]| -> Vec<Moments> {
        (0..arms)
            .map(|a| {
                (0..layout.days).fold(Moments::default(), |acc, d| acc.merge(&cells[d * arms + a]))
            })
            .collect()
    };
    let mut rows = family(&prepared, |_, p| per_arm(&p.cells), arms, o);
    for row in &mut rows {
        let Some(p) = prepared.iter().find(|p| p.summary.name == row.metric) else {
            continue;
        };
        if let Some((cells, q, cap, count)) = &p.uncapped {
            let m = per_arm(cells);
            row.cap = Some(CapInfo {
                quantile: *q,
                cap: *cap,
                capped_units: *count,
                uncapped: compare(
                    p.shape,
                    &m[0],
                    &m[row.candidate],
                    &o.settings,
                    p.guardrail.as_ref(),
                ),
            });
        }
        for issue in &row.comparison.issues {
            warnings.push(format!(
                "{}: {} vs {}: {}",
                row.metric,
                e.arms[row.candidate],
                e.arms[0],
                issue_text(*issue)
            ));
        }
        if let Some(cuped) = &row.comparison.cuped {
            if let Some(p) = cuped.covariate_balance_p.filter(|&p| p < o.srm_threshold) {
                warnings.push(format!(
                    "{}: the covariate differs between {} and {} (Welch p = {p:.3e}): is it \
                     really measured before exposure?",
                    row.metric, e.arms[row.candidate], e.arms[0]
                ));
            }
        }
    }
    // Mann–Whitney, one metric at a time: by counting distinct values when there are
    // few (ties are the rule in metrics), else by sorting each arm (buffers reused).
    let mut per_arm: Vec<Vec<f64>> = Vec::new();
    for p in &prepared {
        let Some((values, x)) = p.raw else {
            continue;
        };
        let tests: Vec<(usize, Option<MannWhitney>)> = match value_counts(e.arm, arms, values, x) {
            Some((keys, counts)) => (1..arms)
                .map(|b| {
                    let groups = keys
                        .iter()
                        .map(|&k| (counts[k * arms + b], counts[k * arms]))
                        .filter(|&(cx, cy)| cx + cy > 0);
                    (b, from_groups(groups))
                })
                .collect(),
            None => {
                sort_by_arm(&mut per_arm, e.arm, arms, values, x);
                (1..arms)
                    .map(|b| (b, mann_whitney(&per_arm[b], &per_arm[0])))
                    .collect()
            }
        };
        for row in rows.iter_mut().filter(|r| r.metric == p.summary.name) {
            row.mann_whitney = tests
                .iter()
                .find(|(b, _)| *b == row.candidate)
                .and_then(|(_, t)| *t);
        }
    }
    drop(per_arm);
    for p in &prepared {
        if p.summary.missing > 0 {
            warnings.push(format!(
                "{}: {} units without a value were left out of this metric",
                p.summary.name, p.summary.missing
            ));
        }
    }

    // SRM overall and per segment value.
    let total_counts = unit_counts(e.arm, None, 1, arms);
    let srm = srm_of(&total_counts, &e.weights, o.srm_threshold);
    let mut segment_srm = Vec::new();
    let mut segments = Vec::new();
    for (s, seg) in e.segments.iter().enumerate() {
        let counts = unit_counts(e.arm, Some(seg.codes), seg.labels.len(), arms);
        let mut these: Vec<SegmentSrm> = seg
            .labels
            .iter()
            .enumerate()
            .map(|(v, label)| SegmentSrm {
                column: seg.name.clone(),
                value: label.clone(),
                srm: srm_of(
                    &counts[v * arms..(v + 1) * arms],
                    &e.weights,
                    o.srm_threshold,
                ),
            })
            .collect();
        holm_srm(these.iter_mut().map(|s| &mut s.srm), o.srm_threshold);
        segment_srm.extend(these);
        let off = layout.segment_offsets[s];
        for (v, label) in seg.labels.iter().enumerate() {
            let rows = family(
                &prepared,
                |_, p| (0..arms).map(|a| p.cells[off + v * arms + a]).collect(),
                arms,
                o,
            );
            segments.push(SegmentResult {
                column: seg.name.clone(),
                value: label.clone(),
                units: counts[v * arms..(v + 1) * arms].iter().sum(),
                rows,
            });
        }
    }
    warnings.extend(srm_warnings(e, &srm, &segment_srm, o.srm_threshold));

    // Cumulative looks and daily cohorts.
    let mut looks = Vec::new();
    if let Some(days) = &e.days {
        let counts = unit_counts(e.arm, Some(days.codes), days.labels.len(), arms);
        let mut cumulative = vec![0u64; arms];
        let mut merged: Vec<Vec<Moments>> = prepared
            .iter()
            .map(|_| vec![Moments::default(); arms])
            .collect();
        for (d, label) in days.labels.iter().enumerate() {
            let today = &counts[d * arms..(d + 1) * arms];
            for (c, t) in cumulative.iter_mut().zip(today) {
                *c += t;
            }
            for (p, acc) in prepared.iter().zip(merged.iter_mut()) {
                for (a, m) in acc.iter_mut().enumerate() {
                    m.absorb(&p.cells[d * arms + a]);
                }
            }
            let rows = family(&prepared, |i, _| merged[i].clone(), arms, o);
            let cohort_rows = family(
                &prepared,
                |_, p| (0..arms).map(|a| p.cells[d * arms + a]).collect(),
                arms,
                o,
            );
            looks.push(Look {
                day: label.clone(),
                units: cumulative.iter().sum(),
                srm: srm_of(&cumulative, &e.weights, o.srm_threshold),
                rows,
                cohort_units: today.iter().sum(),
                cohort_rows,
            });
        }
        holm_srm(looks.iter_mut().map(|l| &mut l.srm), o.srm_threshold);
        if let Some(first) = looks.iter().find(|l| l.srm.status == SrmStatus::Mismatch) {
            warnings.push(format!(
                "sample ratio mismatch in the cumulative looks from {} = {} on (Holm-adjusted \
                 p = {})",
                days.name,
                first.day,
                fmt_p(first.srm.p_adjusted)
            ));
        }
    }
    let undefined = segments
        .iter()
        .flat_map(|s| &s.rows)
        .chain(
            looks
                .iter()
                .flat_map(|l| l.rows.iter().chain(&l.cohort_rows)),
        )
        .filter(|r| r.comparison.p_value.is_none())
        .count();
    if undefined > 0 {
        warnings.push(format!(
            "{undefined} comparisons within segments or looks have no test (too few units, \
             zero variance or a zero control mean): their statistics are null"
        ));
    }

    Analysis {
        units: e.arm.len() as u64,
        srm,
        segment_srm,
        metrics: prepared.into_iter().map(|p| p.summary).collect(),
        rows,
        segments,
        looks,
        warnings,
    }
}

fn issue_text(i: Issue) -> &'static str {
    match i {
        Issue::TooFewUnits => "an arm has fewer than 2 units: statistics are null",
        Issue::ZeroVariance => "zero variance: statistics are null",
        Issue::ZeroControlMean => "the control mean is 0: no relative lift",
        Issue::CovariateConstant => "CUPED not applied: the covariate or the metric is constant",
    }
}

fn fmt_p(p: Option<f64>) -> String {
    p.map_or("null".to_string(), |p| format!("{p:.3e}"))
}

fn fmt_counts(e: &Experiment, r: &SrmResult) -> String {
    let obs: Vec<String> = e
        .arms
        .iter()
        .zip(&r.observed)
        .map(|(a, o)| format!("{a} {o}"))
        .collect();
    let exp: Vec<String> = r.expected.iter().map(|v| format!("{v:.1}")).collect();
    format!("{}; expected {}", obs.join(", "), exp.join(", "))
}

/// One line for an overall mismatch naming where it concentrates, and one per segment
/// column that mismatches while the total does not.
fn srm_warnings(
    e: &Experiment,
    srm: &SrmResult,
    segs: &[SegmentSrm],
    threshold: f64,
) -> Vec<String> {
    let mut out = Vec::new();
    let mut worst: Vec<&SegmentSrm> = segs
        .iter()
        .filter(|s| s.srm.status == SrmStatus::Mismatch)
        .collect();
    worst.sort_by(|a, b| {
        a.srm
            .p_adjusted
            .unwrap_or(1.0)
            .total_cmp(&b.srm.p_adjusted.unwrap_or(1.0))
    });
    let where_ = |s: &SegmentSrm| {
        format!(
            "{}={} (Holm-adjusted p = {}; {})",
            s.column,
            s.value,
            fmt_p(s.srm.p_adjusted),
            fmt_counts(e, &s.srm)
        )
    };
    if srm.status == SrmStatus::Mismatch {
        let mut line = format!(
            "sample ratio mismatch: p = {} < {threshold}: {}",
            fmt_p(srm.p_value),
            fmt_counts(e, srm)
        );
        match worst.first() {
            Some(s) => {
                line.push_str(&format!("; concentrated in {}", where_(s)));
                if worst.len() > 1 {
                    line.push_str(&format!(" and {} more segment values", worst.len() - 1));
                }
            }
            None if !segs.is_empty() => line.push_str("; no single segment value mismatches"),
            None => {}
        }
        out.push(line);
    } else if let Some(s) = worst.first() {
        out.push(format!(
            "sample ratio mismatch within a segment although the total is fine: {}",
            where_(s)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ab::Compat;

    #[test]
    fn numpy_linear_quantile() {
        // numpy.quantile([1, 2, 3, 4, 10], q)
        let v = [4.0, 1.0, 10.0, 3.0, 2.0];
        assert_eq!(pooled_quantile(&v, 0.5), Some(3.0));
        assert_eq!(pooled_quantile(&v, 0.9), Some(7.6000000000000005));
        assert_eq!(pooled_quantile(&v, 1.0), Some(10.0));
    }

    #[test]
    fn row_order_does_not_change_results() {
        let n = 2 * BLOCK + 999;
        let arm: Vec<u16> = (0..n).map(|i| ((i * 31) % 3) as u16).collect();
        let y: Vec<f64> = (0..n)
            .map(|i| ((i * 7919) % 101) as f64 / 7.0 + (i % 3) as f64)
            .collect();
        let x: Vec<f64> = (0..n)
            .map(|i| ((i * 17) % 13) as f64 + y[i] * 0.3)
            .collect();
        let day: Vec<u32> = (0..n).map(|i| (i % 5) as u32).collect();
        // A fixed permutation: i -> (i * 48271) mod n (n is prime to 48271).
        let perm: Vec<usize> = (0..n).map(|i| (i * 48271) % n).collect();
        let shuffled = |v: &[f64]| perm.iter().map(|&i| v[i]).collect::<Vec<f64>>();
        let (y2, x2) = (shuffled(&y), shuffled(&x));
        let arm2: Vec<u16> = perm.iter().map(|&i| arm[i]).collect();
        let day2: Vec<u32> = perm.iter().map(|&i| day[i]).collect();
        let run = |arm: &[u16], y: &[f64], x: &[f64], day: &[u32]| {
            let e = Experiment {
                arms: vec!["a".into(), "b".into(), "c".into()],
                weights: vec![1.0; 3],
                arm,
                metrics: vec![MetricInput {
                    name: "y".into(),
                    source: Source::Column {
                        values: y,
                        covariate: Some(("x".into(), x)),
                        cap: None,
                    },
                    guardrail: None,
                }],
                segments: vec![],
                days: Some(Grouping {
                    name: "d".into(),
                    labels: (0..5).map(|d| d.to_string()).collect(),
                    codes: day,
                }),
            };
            let o = Options {
                settings: Settings {
                    alpha: 0.05,
                    compat: Compat::GrowthBook,
                    sequential: Some(5000.0),
                },
                correction: Correction::Holm,
                srm_threshold: 0.001,
            };
            analyse(&e, &o)
        };
        let (a, b) = (run(&arm, &y, &x, &day), run(&arm2, &y2, &x2, &day2));
        let close = |p: f64, q: f64| (p - q).abs() <= 1e-12 * (1.0 + q.abs());
        for (r, s) in a.rows.iter().zip(&b.rows).chain(
            a.looks
                .iter()
                .zip(&b.looks)
                .flat_map(|(l, k)| l.rows.iter().zip(&k.rows)),
        ) {
            let (c, d) = (&r.comparison, &s.comparison);
            assert!(close(c.delta, d.delta));
            assert!(close(c.p_value.unwrap(), d.p_value.unwrap()));
            assert!(close(c.ci_low.unwrap(), d.ci_low.unwrap()));
            assert!(close(c.cuped.unwrap().theta, d.cuped.unwrap().theta));
            assert!(close(
                r.mann_whitney.map_or(0.0, |m| m.p_value),
                s.mann_whitney.map_or(0.0, |m| m.p_value)
            ));
        }
    }

    #[test]
    fn blocks_do_not_change_results() {
        let n = 3 * BLOCK + 17;
        let arm: Vec<u16> = (0..n).map(|i| (i % 3 == 0) as u16).collect();
        let y: Vec<f64> = (0..n).map(|i| ((i * 7919) % 101) as f64 / 7.0).collect();
        let e = Experiment {
            arms: vec!["a".into(), "b".into()],
            weights: vec![1.0, 2.0],
            arm: &arm,
            metrics: vec![MetricInput {
                name: "y".into(),
                source: Source::Column {
                    values: &y,
                    covariate: None,
                    cap: None,
                },
                guardrail: None,
            }],
            segments: vec![],
            days: None,
        };
        let o = Options {
            settings: Settings {
                alpha: 0.05,
                compat: Compat::Scipy,
                sequential: None,
            },
            correction: Correction::Holm,
            srm_threshold: 0.001,
        };
        let a = analyse(&e, &o);
        let ya: Vec<f64> = (0..n).filter(|&i| arm[i] == 0).map(|i| y[i]).collect();
        let m = Moments::of(&ya, &[]);
        let s = &a.metrics[0].arms[0];
        assert_eq!(s.n, m.n);
        assert!((s.mean - m.mean_y).abs() < 1e-12);
        assert!((s.sd.unwrap() - m.var_y().sqrt()).abs() < 1e-12);
        assert_eq!(a.srm.observed.iter().sum::<u64>(), n as u64);
    }
}
