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
///
/// Average precision is accumulated as `Σ_thresholds positives_k · P_k`, divided by
/// the positives at the end — the same sum as scikit-learn's `Σ (R_k − R_{k−1})·P_k`
/// (recall steps are positives_k / P), in one pass.
pub fn ranking(rows: impl Iterator<Item = (f64, bool, u64)>) -> Ranking {
    let mut pos_above: u128 = 0; // positive weight at strictly higher scores
    let mut pairs2: u128 = 0; // 2 × (concordant pairs + ½ tied pairs)
    let (mut tp, mut fp) = (0u64, 0u64);
    let mut ap = 0.0;
    let (mut gp, mut gn) = (0u64, 0u64);
    let mut current = f64::NAN;
    let mut close = |gp: u64, gn: u64, tp: &mut u64, fp: &mut u64| {
        pairs2 += u128::from(gn) * (2 * pos_above + u128::from(gp));
        pos_above += u128::from(gp);
        *tp += gp;
        *fp += gn;
        if gp > 0 {
            ap += gp as f64 * (*tp as f64 / (*tp + *fp) as f64);
        }
    };
    for (score, positive, w) in rows {
        if w == 0 {
            continue;
        }
        if score != current {
            if gp + gn > 0 {
                close(gp, gn, &mut tp, &mut fp);
            }
            current = score;
            gp = 0;
            gn = 0;
        }
        if positive {
            gp += w;
        } else {
            gn += w;
        }
    }
    if gp + gn > 0 {
        close(gp, gn, &mut tp, &mut fp);
    }
    let (positives, negatives) = (tp, fp);
    let roc_auc = (positives > 0 && negatives > 0)
        .then(|| pairs2 as f64 / (2 * u128::from(positives) * u128::from(negatives)) as f64);
    Ranking {
        roc_auc,
        average_precision: if positives == 0 {
            0.0
        } else {
            ap / positives as f64
        },
        positives,
        negatives,
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
}
