//! `rigor eval ir --format json`.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

/// `rigor eval ir --format json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IrEvidence {
    pub kind: String,
    /// Canonical measure names, in the order asked.
    pub measures: Vec<String>,
    pub runs: Vec<IrRun>,
    pub comparisons: Vec<Comparison>,
    /// The qrels file.
    pub qrels: String,
    /// Whether judged queries missing from a run scored 0 (trec_eval `-c`).
    pub complete: bool,
    /// Bootstrap settings behind every interval and randomised test (the seed is in
    /// the provenance).
    pub confidence: f64,
    pub resamples: usize,
    #[serde(flatten)]
    pub provenance: super::Provenance,
}

/// One run's results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IrRun {
    pub name: String,
    pub path: String,
    /// Queries evaluated (the denominator of every mean).
    pub queries: usize,
    /// Judged queries the run does not answer (scored 0 with `--complete`).
    pub queries_missing_from_run: usize,
    /// Queries of the run that the qrels do not judge (always ignored).
    pub queries_missing_from_qrels: usize,
    pub aggregate: IndexMap<String, Aggregate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_query: Option<IndexMap<String, IndexMap<String, f64>>>,
}

/// A mean over units with its percentile-bootstrap interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Aggregate {
    pub mean: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ci_low: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ci_high: Option<f64>,
}

/// A candidate against the baseline on one measure, over the units both share.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    pub baseline: String,
    pub candidate: String,
    pub measure: String,
    /// Units (queries) both runs have.
    pub n: usize,
    pub baseline_mean: f64,
    pub candidate_mean: f64,
    pub delta: f64,
    pub relative_lift: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    pub effect_size: Option<f64>,
    pub test: String,
    pub p_value: Option<f64>,
    pub p_adjusted: Option<f64>,
    pub correction: String,
    pub significant: bool,
}
