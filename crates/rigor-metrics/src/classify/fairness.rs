//! Group fairness of a binary classifier, as Fairlearn 0.15 defines it.
//!
//! Per group of the sensitive feature(s): selection rate = share predicted positive;
//! TPR = tp / (tp + fn); FPR = fp / (fp + tn). A group without positive (negative)
//! labels has TPR (FPR) 0.0: Fairlearn computes them from scikit-learn's
//! `confusion_matrix(normalize="true")`, which turns 0/0 into 0.
//!
//! Between groups (Fairlearn's `method="between_groups"`): difference = max − min,
//! ratio = min / max (undefined when max is 0: 0/0).
//! - demographic_parity_difference / _ratio: of the selection rates;
//! - equalized_odds_difference = max(TPR difference, FPR difference);
//! - equalized_odds_ratio = min(TPR ratio, FPR ratio). Fairlearn takes these with
//!   Python's `max`/`min` over `[tpr, fpr]`, where a NaN in first place wins and a NaN
//!   in second place is ignored; rigor reproduces that exactly (see [`python_min`]).

/// A group's confusion counts for the positive class.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GroupCounts {
    pub tp: u64,
    pub fp: u64,
    pub tn: u64,
    pub fn_: u64,
}

impl GroupCounts {
    pub fn add(&mut self, label_positive: bool, pred_positive: bool, weight: u64) {
        match (label_positive, pred_positive) {
            (true, true) => self.tp += weight,
            (false, true) => self.fp += weight,
            (false, false) => self.tn += weight,
            (true, false) => self.fn_ += weight,
        }
    }

    pub fn n(&self) -> u64 {
        self.tp + self.fp + self.tn + self.fn_
    }
}

/// A group's rates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GroupRates {
    pub n: u64,
    pub selection_rate: f64,
    pub tpr: f64,
    pub fpr: f64,
    /// No positive labels: TPR is 0/0, reported as 0.0 (as Fairlearn).
    pub no_positives: bool,
    /// No negative labels: FPR is 0/0, reported as 0.0 (as Fairlearn).
    pub no_negatives: bool,
}

pub fn rates(c: &GroupCounts) -> GroupRates {
    let div = |a: u64, b: u64| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    GroupRates {
        n: c.n(),
        selection_rate: div(c.tp + c.fp, c.n()),
        tpr: div(c.tp, c.tp + c.fn_),
        fpr: div(c.fp, c.fp + c.tn),
        no_positives: c.tp + c.fn_ == 0,
        no_negatives: c.fp + c.tn == 0,
    }
}

/// Difference and ratio between the largest and smallest group value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Disparity {
    pub difference: f64,
    /// `None` when the largest value is 0 (0/0, NaN in Fairlearn).
    pub ratio: Option<f64>,
}

pub fn disparity(values: impl Iterator<Item = f64>) -> Disparity {
    let (min, max) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    Disparity {
        difference: max - min,
        ratio: (max != 0.0).then(|| min / max),
    }
}

/// Fairlearn's four headline metrics.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fairness {
    pub selection_rate: Disparity,
    pub tpr: Disparity,
    pub fpr: Disparity,
    pub demographic_parity_difference: f64,
    pub demographic_parity_ratio: Option<f64>,
    pub equalized_odds_difference: f64,
    pub equalized_odds_ratio: Option<f64>,
}

/// Fairness over the groups that hold rows.
pub fn fairness(groups: &[GroupRates]) -> Fairness {
    let present = || groups.iter().filter(|g| g.n > 0);
    let selection_rate = disparity(present().map(|g| g.selection_rate));
    let tpr = disparity(present().map(|g| g.tpr));
    let fpr = disparity(present().map(|g| g.fpr));
    Fairness {
        selection_rate,
        tpr,
        fpr,
        demographic_parity_difference: selection_rate.difference,
        demographic_parity_ratio: selection_rate.ratio,
        equalized_odds_difference: python_max(tpr.difference, fpr.difference),
        equalized_odds_ratio: python_min(tpr.ratio, fpr.ratio),
    }
}

/// Python's `max([a, b])` (never NaN here: differences are always defined).
fn python_max(a: f64, b: f64) -> f64 {
    if b > a {
        b
    } else {
        a
    }
}

/// Python's `min([a, b])` with NaN as `None`: `b` replaces `a` only if `b < a`, a
/// comparison that is false whenever either is NaN. So an undefined `a` stays
/// undefined and an undefined `b` is ignored.
pub fn python_min(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) if b < a => Some(b),
        (a, _) => a,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(tp: u64, fp: u64, tn: u64, fn_: u64) -> GroupRates {
        rates(&GroupCounts { tp, fp, tn, fn_ })
    }

    #[test]
    fn headline_metrics() {
        let a = group(3, 1, 4, 2); // sel 0.4, tpr 0.6, fpr 0.2
        let b = group(1, 0, 3, 1); // sel 0.2, tpr 0.5, fpr 0
        let f = fairness(&[a, b]);
        assert!((f.demographic_parity_difference - 0.2).abs() < 1e-15);
        assert_eq!(f.demographic_parity_ratio, Some(0.2 / 0.4));
        assert!((f.equalized_odds_difference - 0.2).abs() < 1e-15);
        assert_eq!(f.equalized_odds_ratio, Some(0.0));
    }

    #[test]
    fn undefined_rates_follow_fairlearn() {
        let no_pos = group(0, 1, 1, 0);
        assert!(no_pos.no_positives && no_pos.tpr == 0.0);
        // No false positives anywhere: FPR ratio is 0/0 and Python's min ignores it.
        let f = fairness(&[group(1, 0, 1, 1), group(2, 0, 3, 0)]);
        assert_eq!(f.fpr.ratio, None);
        assert_eq!(f.equalized_odds_ratio, Some(0.5));
        // No true positives anywhere: the TPR ratio is NaN and wins.
        let f = fairness(&[group(0, 1, 1, 1), group(0, 2, 3, 1)]);
        assert_eq!(f.equalized_odds_ratio, None);
        assert_eq!(python_min(Some(0.3), Some(0.2)), Some(0.2));
    }
}
