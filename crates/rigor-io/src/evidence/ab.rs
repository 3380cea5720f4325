//! `rigor ab --format json` (CONTRACT.md, `rigor ab`).
//!
//! Every float is a plain number or `null` (undefined: zero variance, a zero control
//! mean, too few units) — never NaN. `cuped`, `sequential`, `guardrail`, `mann_whitney`
//! and `cap` are `null` where they do not apply. Maps are keyed by arm name in arm
//! order (control first).

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

/// The whole document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AbEvidence {
    pub kind: String,
    /// The unit table.
    pub data: String,
    /// Units (rows) analysed.
    pub units: u64,
    pub control: String,
    /// Arm names, control first.
    pub arms: Vec<String>,
    pub alpha: f64,
    /// `scipy` or `growthbook`.
    pub compat: String,
    /// `none`, `bonferroni`, `holm` or `bh`, across every non-guardrail metric ×
    /// treatment arm.
    pub correction: String,
    pub primary: Option<String>,
    /// Tuning parameter of the always-valid intervals (`null` without `--sequential`).
    pub sequential_tuning: Option<f64>,
    pub srm: Srm,
    pub metrics: IndexMap<String, Metric>,
    pub comparisons: Vec<AbComparison>,
    pub segments: Vec<Segment>,
    pub looks: Vec<Look>,
    pub warnings: Vec<String>,
    /// rigor version, command line, the data file's digest (no randomness: seed 0).
    #[serde(flatten)]
    pub provenance: super::Provenance,
}

/// Sample-ratio mismatch overall, with the per-segment tests.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Srm {
    pub observed: IndexMap<String, u64>,
    pub expected: IndexMap<String, f64>,
    pub chi2: Option<f64>,
    pub df: Option<f64>,
    pub p_value: Option<f64>,
    pub threshold: f64,
    /// `ok`, `mismatch` or `insufficient` (some arm expects fewer than 5 units).
    pub status: String,
    /// One per value of each `--segment` column, Holm-adjusted within the column.
    pub segments: Vec<SrmGroup>,
}

/// The SRM test of one segment value (or one cumulative look).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SrmGroup {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    pub observed: IndexMap<String, u64>,
    pub expected: IndexMap<String, f64>,
    pub chi2: Option<f64>,
    pub df: Option<f64>,
    pub p_value: Option<f64>,
    pub p_adjusted: Option<f64>,
    pub status: String,
}

/// How a metric was analysed, with its per-arm description.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metric {
    /// `mean`, `proportion` or `ratio`.
    #[serde(rename = "type")]
    pub kind: String,
    /// CUPED covariate column.
    pub covariate: Option<String>,
    /// Units left out for a missing value.
    pub missing: u64,
    pub arms: IndexMap<String, ArmStats>,
}

/// One arm of one metric. For ratios, `mean` is `Σnum/Σden` and `sd` the delta-method
/// per-unit standard deviation.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ArmStats {
    pub n: u64,
    pub mean: f64,
    pub sd: Option<f64>,
}

/// A treatment arm against the control on one metric.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AbComparison {
    pub metric: String,
    pub baseline: String,
    pub candidate: String,
    pub baseline_n: u64,
    pub candidate_n: u64,
    pub baseline_mean: f64,
    pub candidate_mean: f64,
    /// Candidate − baseline (CUPED-adjusted where CUPED applies).
    pub delta: f64,
    pub se: Option<f64>,
    /// Welch degrees of freedom; `null` for z tests.
    pub df: Option<f64>,
    /// The statistic behind `p_value`.
    pub statistic: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    pub relative_lift: Option<f64>,
    pub relative_ci_low: Option<f64>,
    pub relative_ci_high: Option<f64>,
    pub test: String,
    pub p_value: Option<f64>,
    pub p_adjusted: Option<f64>,
    pub significant: bool,
    pub cuped: Option<Cuped>,
    pub sequential: Option<Sequential>,
    pub guardrail: Option<Guardrail>,
    pub mann_whitney: Option<MannWhitney>,
    pub cap: Option<Cap>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Cuped {
    pub theta: f64,
    pub unadjusted_delta: f64,
    pub variance_reduction: Option<f64>,
    pub covariate_balance_p: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Sequential {
    pub ci_low: f64,
    pub ci_high: f64,
    pub p_value: f64,
    pub relative_ci_low: Option<f64>,
    pub relative_ci_high: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Guardrail {
    /// Non-inferiority margin in the metric's units.
    pub margin: f64,
    /// Which direction is good: `higher` or `lower`.
    pub direction: String,
    /// `pass`, `fail` or `inconclusive`.
    pub verdict: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MannWhitney {
    /// scipy's `statistic`: U of the candidate.
    pub u: f64,
    pub p_value: f64,
    /// `exact` or `asymptotic`.
    pub method: String,
}

/// `--cap`: the comparison above is on capped values; this is what was capped and the
/// uncapped result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cap {
    pub quantile: f64,
    pub cap: f64,
    pub capped_units: u64,
    pub uncapped: Uncapped,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Uncapped {
    pub baseline_mean: f64,
    pub candidate_mean: f64,
    pub delta: f64,
    pub se: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    pub relative_lift: Option<f64>,
    pub p_value: Option<f64>,
}

/// Effects within one value of a `--segment` column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Segment {
    pub column: String,
    pub value: String,
    pub units: u64,
    pub comparisons: Vec<AbComparison>,
}

/// The cumulative result at the end of one `--day-col` day, and that day's cohort.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Look {
    pub day: String,
    pub units: u64,
    pub srm: SrmGroup,
    pub comparisons: Vec<AbComparison>,
    pub cohort: Cohort,
}

/// Units first exposed on one day (the novelty check).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cohort {
    pub units: u64,
    pub comparisons: Vec<AbComparison>,
}

/// `rigor ab power --format json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PowerEvidence {
    pub kind: String,
    /// `proportion` or `mean`.
    pub metric: String,
    pub p_control: Option<f64>,
    pub mean: Option<f64>,
    pub sd: Option<f64>,
    /// The minimum detectable effect as given, and as an absolute difference.
    pub mde: f64,
    pub relative: bool,
    pub mde_absolute: f64,
    /// Standardized effect size (Cohen's h for proportions, δ/σ for means).
    pub effect_size: f64,
    pub alpha: f64,
    pub power: f64,
    /// Treatment units per control unit.
    pub ratio: f64,
    /// Control units needed (exact root of the power equation) and rounded up.
    pub n_control_exact: f64,
    pub n_control: u64,
    pub n_treatment: u64,
    pub n_total: u64,
    /// With `--n`: the power reached with that many control units, and the smallest
    /// effect detectable there with the requested power.
    pub at_n: Option<AtN>,
    /// rigor version and command line (no inputs, no randomness: seed 0).
    #[serde(flatten)]
    pub provenance: super::Provenance,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AtN {
    pub n_control: f64,
    pub power: f64,
    pub effect_size: f64,
    /// The detectable effect in the metric's units (absolute) and relative to the
    /// control.
    pub mde_absolute: Option<f64>,
    pub mde_relative: Option<f64>,
}
