//! `rigor drift --format json`.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

/// `rigor drift --format json` (CONTRACT.md, `rigor drift`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DriftEvidence {
    pub kind: String,
    pub reference: DriftInput,
    pub current: DriftInput,
    /// Columns in reference-file order.
    pub columns: Vec<DriftColumn>,
    pub dataset: DriftDataset,
    /// Per-segment comparisons (`--segment`), in the segment values' sorted order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub segments: Vec<DriftSegment>,
    pub warnings: Vec<String>,
    /// Settings behind every verdict.
    pub settings: DriftSettings,
    #[serde(flatten)]
    pub provenance: super::Provenance,
}

/// One input file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DriftInput {
    pub path: String,
    /// Data rows (header excluded).
    pub rows: usize,
}

/// One column's comparison. A column that cannot be compared (every value missing on
/// a side) has `score`, `drifted` and the statistics `null`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DriftColumn {
    pub name: String,
    /// `numerical` or `categorical`; `null` when no file holds a value.
    #[serde(rename = "type")]
    pub column_type: Option<String>,
    /// The method judging drift (Evidently's stattest name: `ks`, `chisquare`, `z`,
    /// `wasserstein`, `jensenshannon`, `psi`).
    pub method: Option<String>,
    /// That method's score: a p-value (`ks`, `chisquare`, `z`) or a distance.
    pub score: Option<f64>,
    pub threshold: Option<f64>,
    pub drifted: Option<bool>,
    /// The p-value after `--correction` across columns judged by a p-value
    /// (= `score` with `none`); `null` for distances.
    pub p_adjusted: Option<f64>,
    /// Non-missing values compared.
    pub n_reference: usize,
    pub n_current: usize,
    pub missing_share_reference: Option<f64>,
    pub missing_share_current: Option<f64>,
    /// Two-proportion z-test of the missing shares at `--missing-threshold`.
    pub missing_drifted: bool,
    pub new_categories: Vec<String>,
    pub vanished_categories: Vec<String>,
    /// Every statistic computed for the column (`null` where undefined).
    pub stats: IndexMap<String, serde_json::Value>,
}

/// The dataset verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DriftDataset {
    /// Columns with a verdict.
    pub columns: usize,
    pub drifted: usize,
    /// `drifted / columns`; `null` when no column could be compared.
    pub share: Option<f64>,
    pub drift_share: f64,
    /// `share ≥ drift_share` (Evidently's rule).
    pub drift: Option<bool>,
    /// Columns without a verdict.
    pub skipped: usize,
    /// Columns whose share of missing values drifted.
    pub missing_drifted: usize,
}

/// The comparison restricted to rows with one value of the `--segment` column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DriftSegment {
    pub column: String,
    pub value: String,
    pub reference_rows: usize,
    pub current_rows: usize,
    pub columns: Vec<DriftColumn>,
    /// `null` when a file has no row of the segment.
    pub dataset: Option<DriftDataset>,
}

/// Settings of a drift comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DriftSettings {
    /// `auto` or one method for every column.
    pub method: String,
    pub correction: String,
    pub missing_threshold: f64,
}
