//! ROC and precision-recall curves of one binary ranking, for drawing.
//!
//! A point per score threshold (rows with equal scores form one threshold, as in
//! scikit-learn's `roc_curve` and `precision_recall_curve`), taken after the whole
//! threshold is included. Millions of distinct scores would make millions of points
//! that no chart can show, so a curve keeps at most `max_points` thresholds, spaced
//! evenly in the number of rows ranked above them, always including the last; the
//! curve's ends are exact. The areas under these curves are *not* the reported
//! `roc_auc` and `average_precision`, which [`super::ranking`] computes from every
//! threshold.

/// A curve as parallel coordinate lists.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Curve {
    pub x: Vec<f64>,
    pub y: Vec<f64>,
}

/// ROC (x = false positive rate, y = true positive rate, from (0, 0)) and
/// precision-recall (x = recall, y = precision, from scikit-learn's (0, 1)).
#[derive(Debug, Clone, PartialEq)]
pub struct Curves {
    pub roc: Curve,
    pub pr: Curve,
}

/// `rows` yields `(score, is_positive)` by score descending; `positives` and
/// `negatives` are their totals. `None` without both classes (the ROC curve is
/// undefined, as scikit-learn warns).
pub fn curves(
    rows: impl Iterator<Item = (f64, bool)>,
    positives: u64,
    negatives: u64,
    max_points: usize,
) -> Option<Curves> {
    if positives == 0 || negatives == 0 || max_points == 0 {
        return None;
    }
    let total = positives + negatives;
    let mut roc = Curve {
        x: vec![0.0],
        y: vec![0.0],
    };
    let mut pr = Curve {
        x: vec![0.0],
        y: vec![1.0],
    };
    let (mut tp, mut fp) = (0u64, 0u64);
    let mut current = f64::NAN;
    let step = total.div_ceil(max_points as u64);
    // A threshold is kept once at least `next` rows rank at or above it.
    let mut next = step;
    let mut keep = |tp: u64, fp: u64, last: bool| {
        let ranked = tp + fp;
        if ranked < next && !last {
            return;
        }
        next = ranked + step;
        roc.x.push(fp as f64 / negatives as f64);
        roc.y.push(tp as f64 / positives as f64);
        pr.x.push(tp as f64 / positives as f64);
        pr.y.push(tp as f64 / ranked as f64);
    };
    for (score, positive) in rows {
        if score != current && !current.is_nan() {
            keep(tp, fp, false);
        }
        current = score;
        if positive {
            tp += 1;
        } else {
            fp += 1;
        }
    }
    keep(tp, fp, true);
    Some(Curves { roc, pr })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_threshold_of_a_small_ranking() {
        // Scores 0.9 (+), 0.8 (−), 0.8 (+), 0.1 (−): three thresholds.
        let rows = [(0.9, true), (0.8, false), (0.8, true), (0.1, false)];
        let c = curves(rows.into_iter(), 2, 2, 1000).expect("both classes");
        // scikit-learn roc_curve(drop_intermediate=False): fpr [0, 0, .5, 1], tpr [0, .5, 1, 1].
        assert_eq!(c.roc.x, vec![0.0, 0.0, 0.5, 1.0]);
        assert_eq!(c.roc.y, vec![0.0, 0.5, 1.0, 1.0]);
        // precision_recall_curve, reversed: recall [0, .5, 1, 1], precision [1, 1, 2/3, 1/2].
        assert_eq!(c.pr.x, vec![0.0, 0.5, 1.0, 1.0]);
        assert_eq!(c.pr.y, vec![1.0, 1.0, 2.0 / 3.0, 0.5]);
    }

    #[test]
    fn thinned_to_at_most_max_points_with_exact_ends() {
        let n = 100_000u64;
        let rows = (0..n).map(|i| ((n - i) as f64, i % 3 == 0));
        let positives = n.div_ceil(3);
        let c = curves(rows, positives, n - positives, 100).expect("both classes");
        assert!(c.roc.x.len() <= 102, "{}", c.roc.x.len());
        assert!(c.roc.x.len() >= 90, "{}", c.roc.x.len());
        assert_eq!(
            (c.roc.x[c.roc.x.len() - 1], c.roc.y[c.roc.y.len() - 1]),
            (1.0, 1.0)
        );
        assert!(c.roc.x.windows(2).all(|w| w[0] <= w[1]));
        assert!(c.pr.x.windows(2).all(|w| w[0] <= w[1]));
    }

    #[test]
    fn one_class_has_no_curve() {
        assert!(curves([(0.5, true)].into_iter(), 1, 0, 10).is_none());
    }
}
