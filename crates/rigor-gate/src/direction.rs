//! Which way is better for a measure: what turns a difference into an improvement
//! or a regression. Known names come from the evaluators; anything else must be said
//! in the policy (`direction = "lower"`), never guessed.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Higher,
    Lower,
}

impl Direction {
    /// The improvement a signed difference (candidate − baseline) represents.
    pub fn improvement(self, delta: f64) -> f64 {
        match self {
            Direction::Higher => delta,
            Direction::Lower => -delta,
        }
    }

    /// "higher" / "lower".
    pub fn word(self) -> &'static str {
        match self {
            Direction::Higher => "higher",
            Direction::Lower => "lower",
        }
    }
}

/// The better direction of a measure rigor's evaluators produce, if rigor knows it.
///
/// ```
/// use rigor_gate::direction::{known, Direction};
/// assert_eq!(known("nDCG@10"), Some(Direction::Higher));
/// assert_eq!(known("ece"), Some(Direction::Lower));
/// assert_eq!(known("latency_ms"), None);
/// ```
pub fn known(measure: &str) -> Option<Direction> {
    use Direction::*;
    const LOWER: [&str; 8] = [
        "ece",
        "log_loss",
        "brier",
        "TER",
        "fpr",
        "drift_share",
        "drifted_columns",
        "dataset_drift",
    ];
    const HIGHER: [&str; 22] = [
        "accuracy",
        "balanced_accuracy",
        "precision",
        "recall",
        "f1",
        "mcc",
        "cohen_kappa",
        "roc_auc",
        "average_precision",
        "tpr",
        "BLEU",
        "chrF",
        "chrF++",
        "ROUGE-1",
        "ROUGE-2",
        "ROUGE-L",
        "ROUGE-Lsum",
        "ExactMatch",
        "TokenF1",
        "demographic_parity_ratio",
        "equalized_odds_ratio",
        "selection_rate_ratio",
    ];
    if LOWER.contains(&measure) || measure.ends_with("_difference") {
        return Some(Lower);
    }
    if HIGHER.contains(&measure)
        || measure.ends_with("_ratio")
        || measure.starts_with("precision")
        || measure.starts_with("recall")
        || measure.starts_with("f1")
    {
        return Some(Higher);
    }
    // Ranking measures (every one is better higher, except the raw counts).
    match measure.parse::<rigor_metrics::ir::Measure>() {
        Ok(m) if !m.kind.is_count() => Some(Higher),
        _ => None,
    }
}
