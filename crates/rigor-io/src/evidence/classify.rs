//! `rigor eval classify --format json`.
//!
//! ```text
//! {"kind": "classify", "n": 1000,
//!  "metrics": {"accuracy": {"value": 0.91, "ci_low": 0.89, "ci_high": 0.93}, ...},
//!  "per_class": {"cat": {"precision": …, "recall": …, "f1": …, "support": 12}},
//!  "confusion_matrix": {"labels": ["cat", "dog"], "matrix": [[10, 2], [1, 9]]},
//!  "fairness": {...},                     (with --sensitive)
//!  "data": "eval.csv", "label": "label", "pred": "pred", "scores": {...},
//!  "positive": "1", "average": "macro", "bins": 15, "classes": [...],
//!  "by": [...], "slices": {"eu": {"by": {...}, "n": …, "metrics": …, ...}},
//!  "confidence": 0.95, "resamples": 1000, "seed": 0, "warnings": [...],
//!  "reliability": [{"lower": 0.0, "upper": 0.1, "n": 40, "confidence": 0.06,
//!                   "accuracy": 0.05}, ...],      (with probabilities)
//!  "roc": {"x": [...], "y": [...]}, "pr": {"x": [...], "y": [...]},  (binary)
//!  "rigor_version": "0.1.0"}
//! ```
//!
//! A metric's `value` is `null` where it is undefined (scikit-learn's NaN);
//! `ci_low`/`ci_high` are absent with `--no-ci` or when no resample defines the metric.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

/// The whole document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassifyEvidence {
    pub kind: String,
    /// The results over every row.
    #[serde(flatten)]
    pub report: ClassifyReport,
    /// The data file.
    pub data: String,
    /// Label and prediction columns.
    pub label: String,
    pub pred: String,
    /// Probability columns by class (binary: the positive class's column).
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub scores: IndexMap<String, String>,
    /// The positive class of a binary problem.
    pub positive: Option<String>,
    /// How precision, recall and f1 are averaged over classes.
    pub average: String,
    /// ECE bins.
    pub bins: usize,
    /// Every class, in class order.
    pub classes: Vec<String>,
    /// `--by` columns, and the results per slice (keyed by the slice's values).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub by: Vec<String>,
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub slices: IndexMap<String, ClassifySlice>,
    /// Bootstrap settings behind the intervals (`resamples` is 0 with `--no-ci`; the
    /// seed is in the provenance).
    pub confidence: f64,
    pub resamples: usize,
    /// Everything printed as a warning on stderr.
    pub warnings: Vec<String>,
    /// With probabilities: the non-empty bins behind `ece`, for a reliability diagram.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reliability: Vec<ReliabilityBin>,
    /// A binary problem with both classes among the labels: the ROC curve (x = false
    /// positive rate, y = true positive rate) and the precision-recall curve (x =
    /// recall, y = precision), each at most 1,001 thresholds plus its start point.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roc: Option<Curve>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pr: Option<Curve>,
    #[serde(flatten)]
    pub provenance: super::Provenance,
}

/// One bin `[lower, upper)` of a reliability diagram: rows, mean confidence, observed
/// frequency of the outcome.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ReliabilityBin {
    pub lower: f64,
    pub upper: f64,
    pub n: u64,
    pub confidence: f64,
    pub accuracy: f64,
}

/// A curve as parallel coordinate lists.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Curve {
    pub x: Vec<f64>,
    pub y: Vec<f64>,
}

/// Results over a set of rows (every row, or one slice).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassifyReport {
    /// Rows evaluated.
    pub n: u64,
    pub metrics: IndexMap<String, Metric>,
    pub per_class: IndexMap<String, ClassMetrics>,
    pub confusion_matrix: ConfusionMatrix,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fairness: Option<FairnessReport>,
}

/// One slice: its `--by` values and its results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassifySlice {
    pub by: IndexMap<String, String>,
    #[serde(flatten)]
    pub report: ClassifyReport,
}

/// A metric's value and percentile-bootstrap interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Metric {
    pub value: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ci_low: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ci_high: Option<f64>,
}

/// One class's scores (scikit-learn's `classification_report` row).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ClassMetrics {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub support: u64,
}

/// Counts; row = label, column = prediction, both in `labels` order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConfusionMatrix {
    pub labels: Vec<String>,
    pub matrix: Vec<Vec<u64>>,
}

/// Fairlearn's group metrics for one set of rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FairnessReport {
    /// The sensitive columns (groups are combinations of their values, joined by `|`).
    pub sensitive: Vec<String>,
    pub positive: String,
    pub groups: IndexMap<String, GroupMetrics>,
    /// `selection_rate`, `tpr`, `fpr`: max − min and min / max over groups.
    pub between_groups: IndexMap<String, Between>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GroupMetrics {
    pub n: u64,
    pub selection_rate: f64,
    pub tpr: f64,
    pub fpr: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Between {
    pub difference: f64,
    pub ratio: Option<f64>,
}
