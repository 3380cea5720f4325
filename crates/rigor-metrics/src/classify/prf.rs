//! Precision, recall, F1 and support per class, and their averages, exactly as
//! scikit-learn's `precision_recall_fscore_support`.
//!
//! For class `c`: precision = tp / predicted, recall = tp / true, F1 =
//! 2·tp / (true + predicted) (scikit-learn ≥ 1.3 computes F from counts, not from P and
//! R). Classes are those that occur as a label or a prediction. A zero denominator
//! gives 0.0 — scikit-learn's default `zero_division="warn"` — and the class still
//! counts in the macro and weighted averages; [`ClassScores`] records that it happened
//! so callers can warn.
//!
//! Averages: `macro` = unweighted mean over classes; `weighted` = mean weighted by
//! support; `micro` = the same ratios on counts summed over classes (equal to accuracy
//! when every class is included, as here).

use super::confusion::Confusion;

/// How per-class precision, recall and F1 are averaged into one number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Average {
    Macro,
    Micro,
    Weighted,
}

impl Average {
    pub fn name(self) -> &'static str {
        match self {
            Average::Macro => "macro",
            Average::Micro => "micro",
            Average::Weighted => "weighted",
        }
    }
}

/// One class's scores.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClassScores {
    /// The class code (index in class order).
    pub class: usize,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    /// Rows whose true class this is.
    pub support: u64,
    /// No row was predicted as this class: precision is 0/0, reported as 0.0.
    pub precision_undefined: bool,
    /// No row has this class as its label: recall is 0/0, reported as 0.0.
    pub recall_undefined: bool,
}

/// `num / den`, or 0.0 when `den` is 0 (scikit-learn's `zero_division` default).
fn divide(num: f64, den: f64) -> f64 {
    if den == 0.0 {
        0.0
    } else {
        num / den
    }
}

/// Scores of every class that occurs as a label or a prediction, in class order.
pub fn per_class(c: &Confusion) -> Vec<ClassScores> {
    c.present()
        .into_iter()
        .map(|k| {
            let tp = c.get(k, k) as f64;
            let pred = c.pred_count(k) as f64;
            let support = c.true_count(k);
            let truth = support as f64;
            ClassScores {
                class: k,
                precision: divide(tp, pred),
                recall: divide(tp, truth),
                f1: divide(2.0 * tp, truth + pred),
                support,
                precision_undefined: pred == 0.0,
                recall_undefined: support == 0,
            }
        })
        .collect()
}

/// Averaged (precision, recall, f1).
pub fn averaged(c: &Confusion, classes: &[ClassScores], average: Average) -> (f64, f64, f64) {
    match average {
        Average::Micro => {
            let tp = classes.iter().map(|s| c.get(s.class, s.class)).sum::<u64>() as f64;
            let pred = classes.iter().map(|s| c.pred_count(s.class)).sum::<u64>() as f64;
            let truth = classes.iter().map(|s| s.support).sum::<u64>() as f64;
            (
                divide(tp, pred),
                divide(tp, truth),
                divide(2.0 * tp, truth + pred),
            )
        }
        Average::Macro => {
            let n = classes.len() as f64;
            let mean = |f: fn(&ClassScores) -> f64| classes.iter().map(f).sum::<f64>() / n;
            (mean(|s| s.precision), mean(|s| s.recall), mean(|s| s.f1))
        }
        Average::Weighted => {
            let total = classes.iter().map(|s| s.support).sum::<u64>() as f64;
            let mean = |f: fn(&ClassScores) -> f64| {
                classes.iter().map(|s| f(s) * s.support as f64).sum::<f64>() / total
            };
            (mean(|s| s.precision), mean(|s| s.recall), mean(|s| s.f1))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_division_is_zero_and_counts_in_macro() {
        // Class 2 is never predicted, class 1 never a label.
        let c = Confusion::from_codes(3, &[0, 0, 2, 2], &[0, 1, 0, 0]);
        let s = per_class(&c);
        assert_eq!(s.len(), 3);
        assert_eq!((s[0].precision, s[0].recall), (1.0 / 3.0, 1.0 / 2.0));
        assert_eq!(s[0].f1, 2.0 / 5.0);
        assert!(s[1].recall_undefined && s[1].recall == 0.0 && s[1].f1 == 0.0);
        assert!(s[2].precision_undefined && s[2].precision == 0.0);
        let (p, r, f) = averaged(&c, &s, Average::Macro);
        assert_eq!(p, (1.0 / 3.0) / 3.0);
        assert_eq!(r, 0.5 / 3.0);
        assert_eq!(f, 0.4 / 3.0);
        let (p, r, f) = averaged(&c, &s, Average::Micro);
        assert_eq!((p, r, f), (0.25, 0.25, 0.25));
        let (_, r, _) = averaged(&c, &s, Average::Weighted);
        assert_eq!(r, (0.5 * 2.0 + 0.0 * 2.0) / 4.0);
    }
}
