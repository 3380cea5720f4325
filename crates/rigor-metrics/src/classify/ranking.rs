//! Ranking quality of scores: ROC AUC and average precision of one binary problem
//! (the positive class against the rest), in one pass over the rows sorted by score,
//! highest first.
//!
//! Rows with equal scores form one threshold, as in scikit-learn's `roc_curve` and
//! `precision_recall_curve` (scores compared exactly as 64-bit floats).
//!
//! - ROC AUC = P(score of a positive > score of a negative) + ½·P(equal): the area
//!   under scikit-learn's trapezoidal ROC curve, computed from integer pair counts
//!   (`Σ_thresholds negatives·(2·positives above + positives at)` / `2·P·N`), so it is
//!   exact up to one final division. Undefined (`None`) without both classes, where
//!   scikit-learn returns NaN.
//! - Average precision = `Σ_thresholds (R_k − R_{k−1})·P_k` (scikit-learn's
//!   `average_precision_score`, no interpolation). 0.0 without positives, as
//!   scikit-learn returns (it warns that recall is set to 1).
//!
//! Rows carry integer weights (1 per row; bootstrap counts when resampling).

use rayon::prelude::*;

/// ROC AUC and average precision of one ranking.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ranking {
    pub roc_auc: Option<f64>,
    pub average_precision: f64,
    /// Total weight of positive and negative rows.
    pub positives: u64,
    pub negatives: u64,
}

/// `rows` yields `(score, is_positive, weight)` by score descending.
pub fn ranking(rows: impl Iterator<Item = (f64, bool, u64)>) -> Ranking {
    let mut sweep = Sweep::default();
    for (score, positive, w) in rows {
        sweep.push(score, positive, w);
    }
    sweep.finish()
}

/// The ranking metrics, accumulated row by row (by score descending), so callers can
/// compute other per-row sums in the same pass.
///
/// Average precision is accumulated as `Σ_thresholds positives_k · P_k`, divided by
/// the positives at the end — the same sum as scikit-learn's `Σ (R_k − R_{k−1})·P_k`
/// (recall steps are positives_k / P), in one pass.
#[derive(Debug, Clone)]
pub struct Sweep {
    /// Positive weight at strictly higher scores.
    pos_above: u64,
    /// 2 × (concordant pairs + ½ tied pairs).
    pairs2: u128,
    tp: u64,
    fp: u64,
    ap: f64,
    /// The current threshold's score and weights.
    current: f64,
    gp: u64,
    gn: u64,
}

impl Default for Sweep {
    fn default() -> Self {
        Sweep {
            pos_above: 0,
            pairs2: 0,
            tp: 0,
            fp: 0,
            ap: 0.0,
            current: f64::NAN,
            gp: 0,
            gn: 0,
        }
    }
}

impl Sweep {
    /// Adds a row; scores must come in descending order. A row of weight 0 changes
    /// nothing (it may open a threshold that stays empty), so callers need not skip it.
    #[inline]
    pub fn push(&mut self, score: f64, positive: bool, w: u64) {
        if score != self.current {
            self.close();
            self.current = score;
        }
        if positive {
            self.gp += w;
        } else {
            self.gn += w;
        }
    }

    /// Closes the current threshold.
    fn close(&mut self) {
        let (gp, gn) = (self.gp, self.gn);
        if gp + gn == 0 {
            return;
        }
        // gn < 2^32 and 2·pos_above + gp < 2^34: one widening multiplication.
        self.pairs2 += u128::from(gn) * u128::from(2 * self.pos_above + gp);
        self.pos_above += gp;
        self.tp += gp;
        self.fp += gn;
        if gp > 0 {
            self.ap += gp as f64 * (self.tp as f64 / (self.tp + self.fp) as f64);
        }
        self.gp = 0;
        self.gn = 0;
    }

    pub fn finish(mut self) -> Ranking {
        self.close();
        let (positives, negatives) = (self.tp, self.fp);
        let roc_auc = (positives > 0 && negatives > 0).then(|| {
            self.pairs2 as f64 / (2 * u128::from(positives) * u128::from(negatives)) as f64
        });
        Ranking {
            roc_auc,
            average_precision: if positives == 0 {
                0.0
            } else {
                self.ap / positives as f64
            },
            positives,
            negatives,
        }
    }
}

/// Sorts sort keys ascending, fast on millions of keys: one counting pass scatters
/// them into buckets by their top 16 bits, then the buckets are sorted in parallel,
/// each small enough to stay in cache.
pub fn radix_sort(keys: &mut Vec<u64>) {
    const BUCKETS: usize = 1 << 16;
    if keys.len() < 1 << 16 {
        keys.sort_unstable();
        return;
    }
    let bucket = |k: u64| (k >> 48) as usize;
    let mut starts = vec![0usize; BUCKETS + 1];
    for &k in keys.iter() {
        starts[bucket(k) + 1] += 1;
    }
    for b in 0..BUCKETS {
        starts[b + 1] += starts[b];
    }
    let mut next = starts.clone();
    let mut sorted = vec![0u64; keys.len()];
    for &k in keys.iter() {
        let b = bucket(k);
        sorted[next[b]] = k;
        next[b] += 1;
    }
    // Split the output into the buckets' disjoint ranges and sort them in parallel.
    let mut ranges: Vec<&mut [u64]> = Vec::new();
    let mut rest: &mut [u64] = &mut sorted;
    for b in 0..BUCKETS {
        let len = starts[b + 1] - starts[b];
        if len == 0 {
            continue;
        }
        let (head, tail) = rest.split_at_mut(len);
        ranges.push(head);
        rest = tail;
    }
    ranges.into_par_iter().for_each(|r| r.sort_unstable());
    *keys = sorted;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive_auc(rows: &[(f64, bool)]) -> f64 {
        let mut s = 0.0;
        let mut n = 0.0;
        for a in rows.iter().filter(|r| r.1) {
            for b in rows.iter().filter(|r| !r.1) {
                n += 1.0;
                s += if a.0 > b.0 {
                    1.0
                } else if a.0 == b.0 {
                    0.5
                } else {
                    0.0
                };
            }
        }
        s / n
    }

    fn run(rows: &[(f64, bool)]) -> Ranking {
        let mut sorted = rows.to_vec();
        sorted.sort_by(|a, b| b.0.total_cmp(&a.0));
        ranking(sorted.iter().map(|&(s, y)| (s, y, 1)))
    }

    #[test]
    fn ties_get_half_credit() {
        let rows = [
            (0.9, true),
            (0.5, false),
            (0.5, true),
            (0.1, false),
            (0.5, false),
        ];
        assert_eq!(run(&rows).roc_auc.unwrap(), naive_auc(&rows));
        // Thresholds: 0.9 → P=1, R=1/2; 0.5 → P=2/4, R=1.
        assert_eq!(run(&rows).average_precision, 0.5 * 1.0 + 0.5 * 0.5);
    }

    #[test]
    fn radix_sort_sorts() {
        let mut keys: Vec<u64> = (0..200_000u64)
            .map(|i| (((i * 2_654_435_761) % 1000) as f64 / 999.0).to_bits() << 1 | (i & 1))
            .collect();
        let mut expected = keys.clone();
        expected.sort_unstable();
        radix_sort(&mut keys);
        assert_eq!(keys, expected);
        let mut same = vec![7u64; 10];
        radix_sort(&mut same);
        assert_eq!(same, vec![7u64; 10]);
    }

    #[test]
    fn undefined_without_both_classes() {
        let r = run(&[(0.2, false), (0.4, false)]);
        assert_eq!(r.roc_auc, None);
        assert_eq!(r.average_precision, 0.0);
        assert_eq!(run(&[(0.2, true)]).roc_auc, None);
    }

    #[test]
    fn weights_are_repeated_rows() {
        let rows = [(0.3f64, true), (0.3, false), (0.8, false), (0.6, true)];
        let weights = [2u64, 1, 3, 1];
        let mut expanded = Vec::new();
        for (r, &w) in rows.iter().zip(&weights) {
            expanded.extend(std::iter::repeat_n(*r, w as usize));
        }
        let mut order: Vec<usize> = (0..4).collect();
        order.sort_by(|&a, &b| rows[b].0.total_cmp(&rows[a].0));
        let weighted = ranking(order.iter().map(|&i| (rows[i].0, rows[i].1, weights[i])));
        assert_eq!(weighted, run(&expanded));
    }

    proptest::proptest! {
        /// The one-pass sweep equals the pairwise definitions on any ranking with ties.
        #[test]
        fn sweep_equals_pairwise_definitions(
            rows in proptest::collection::vec((0u8..12, proptest::bool::ANY), 1..60)
        ) {
            let rows: Vec<(f64, bool)> = rows.iter().map(|&(s, y)| (f64::from(s) / 11.0, y)).collect();
            let r = run(&rows);
            let p = rows.iter().filter(|r| r.1).count();
            if p > 0 && p < rows.len() {
                proptest::prop_assert!((r.roc_auc.unwrap() - naive_auc(&rows)).abs() < 1e-12);
            } else {
                proptest::prop_assert!(r.roc_auc.is_none());
            }
            // AP: mean over positives of the precision at their score's threshold.
            let naive_ap = if p == 0 { 0.0 } else {
                rows.iter().filter(|r| r.1).map(|a| {
                    let above: Vec<_> = rows.iter().filter(|b| b.0 >= a.0).collect();
                    above.iter().filter(|b| b.1).count() as f64 / above.len() as f64
                }).sum::<f64>() / p as f64
            };
            proptest::prop_assert!((r.average_precision - naive_ap).abs() < 1e-12);
        }
    }
}
