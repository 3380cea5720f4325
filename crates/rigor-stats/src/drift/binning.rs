//! How Evidently 0.7 turns two samples into two distributions over the same bins
//! (`evidently.legacy.calculations.stattests.utils.get_binned_data`), for
//! Jensen–Shannon and PSI.
//!
//! - A numerical column whose **reference** has more than 20 distinct values is cut
//!   into equal-width bins by Sturges' rule over the **combined** data
//!   (`np.histogram_bin_edges(concat(ref, cur), bins="sturges")`), and each sample is
//!   counted with `np.histogram(sample, edges)`: bin `i` holds `edges[i] ≤ x <
//!   edges[i+1]`, the last bin also holds its right edge.
//! - Anything else (categorical columns, numerical ones with ≤ 20 reference values)
//!   gets one bin per distinct value of the union of both samples.
//!
//! Shares are `count / n`. PSI additionally replaces zero shares (Evidently's
//! `feel_zeroes`): by `min(nonzero share) / 10^6` when that minimum is ≤ 0.0001, else
//! by 0.0001 — separately for each sample. Jensen–Shannon keeps zeros.

use crate::moments::pairwise_sum;

/// Reference distinct values above which numerical columns are binned by Sturges.
pub const MAX_VALUE_BINS: usize = 20;

/// Evidently's `np.histogram_bin_edges(combined, bins="sturges")`.
///
/// `a` and `b` are sorted and not both empty; `integer` says the combined array has
/// an integer dtype (pandas `int64` on both sides), in which case numpy floors the bin
/// width at 1.
pub fn sturges_edges(a: &[f64], b: &[f64], integer: bool) -> Vec<f64> {
    let first = [a.first(), b.first()]
        .into_iter()
        .flatten()
        .copied()
        .fold(f64::INFINITY, f64::min);
    let last = [a.last(), b.last()]
        .into_iter()
        .flatten()
        .copied()
        .fold(f64::NEG_INFINITY, f64::max);
    let size = (a.len() + b.len()) as f64;
    let ptp = last - first;
    let (first_edge, last_edge) = if first == last {
        (first - 0.5, last + 0.5)
    } else {
        (first, last)
    };
    let mut width = ptp / (size.log2() + 1.0);
    if integer && width < 1.0 {
        width = 1.0;
    }
    let n_bins = if width != 0.0 {
        ((last_edge - first_edge) / width).ceil() as usize
    } else {
        1
    };
    linspace(first_edge, last_edge, n_bins + 1)
}

/// numpy's `linspace(start, stop, num, endpoint=True)`: `i·step + start`, the last
/// point exactly `stop`.
pub fn linspace(start: f64, stop: f64, num: usize) -> Vec<f64> {
    if num == 0 {
        return Vec::new();
    }
    if num == 1 {
        return vec![start];
    }
    let div = (num - 1) as f64;
    let delta = stop - start;
    let step = delta / div;
    let mut out: Vec<f64> = if step == 0.0 {
        (0..num).map(|i| i as f64 / div * delta + start).collect()
    } else {
        (0..num).map(|i| i as f64 * step + start).collect()
    };
    out[num - 1] = stop;
    out
}

/// `np.histogram(sorted, edges)[0]` for a sorted sample.
pub fn histogram(sorted: &[f64], edges: &[f64]) -> Vec<u64> {
    if edges.len() < 2 {
        return Vec::new();
    }
    let last = edges.len() - 1;
    let cum: Vec<usize> = edges
        .iter()
        .enumerate()
        .map(|(i, &e)| {
            if i < last {
                sorted.partition_point(|&x| x < e)
            } else {
                sorted.partition_point(|&x| x <= e)
            }
        })
        .collect();
    cum.windows(2).map(|w| (w[1] - w[0]) as u64).collect()
}

/// Counts of each distinct value of two sorted samples, over the union of values
/// (ascending): `(values, counts_a, counts_b)`.
pub fn value_counts(a: &[f64], b: &[f64]) -> (Vec<f64>, Vec<u64>, Vec<u64>) {
    let (mut i, mut j) = (0, 0);
    let mut values = Vec::new();
    let mut ca = Vec::new();
    let mut cb = Vec::new();
    while i < a.len() || j < b.len() {
        let x = match (a.get(i), b.get(j)) {
            (Some(&x), Some(&y)) => x.min(y),
            (Some(&x), None) => x,
            (None, Some(&y)) => y,
            (None, None) => break,
        };
        let (si, sj) = (i, j);
        while i < a.len() && a[i] <= x {
            i += 1;
        }
        while j < b.len() && b[j] <= x {
            j += 1;
        }
        values.push(x);
        ca.push((i - si) as u64);
        cb.push((j - sj) as u64);
    }
    (values, ca, cb)
}

/// Number of distinct values of a sorted sample (`-0.0 == 0.0`, as pandas' `nunique`).
pub fn distinct_sorted(a: &[f64]) -> usize {
    if a.is_empty() {
        return 0;
    }
    1 + a.windows(2).filter(|w| w[0] != w[1]).count()
}

/// Number of distinct values of the union of two sorted samples.
pub fn distinct_union_sorted(a: &[f64], b: &[f64]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() || j < b.len() {
        let x = match (a.get(i), b.get(j)) {
            (Some(&x), Some(&y)) => x.min(y),
            (Some(&x), None) => x,
            (None, Some(&y)) => y,
            (None, None) => break,
        };
        while i < a.len() && a[i] <= x {
            i += 1;
        }
        while j < b.len() && b[j] <= x {
            j += 1;
        }
        n += 1;
    }
    n
}

/// Two aligned distributions (shares of each sample per bin).
#[derive(Debug, Clone, PartialEq)]
pub struct Binned {
    pub reference: Vec<f64>,
    pub current: Vec<f64>,
}

impl Binned {
    /// Shares from aligned counts: `count / n` with `n` the sample size.
    pub fn from_counts(reference: &[u64], current: &[u64], n_ref: usize, n_cur: usize) -> Binned {
        Binned {
            reference: reference.iter().map(|&c| c as f64 / n_ref as f64).collect(),
            current: current.iter().map(|&c| c as f64 / n_cur as f64).collect(),
        }
    }

    /// Evidently's numerical binning of two sorted samples: Sturges bins over the
    /// combined data when the reference has more than 20 distinct values, else one bin
    /// per distinct value.
    pub fn numerical(a: &[f64], b: &[f64], integer: bool) -> Binned {
        if distinct_sorted(a) > MAX_VALUE_BINS {
            let edges = sturges_edges(a, b, integer);
            Binned::from_counts(
                &histogram(a, &edges),
                &histogram(b, &edges),
                a.len(),
                b.len(),
            )
        } else {
            let (_, ca, cb) = value_counts(a, b);
            Binned::from_counts(&ca, &cb, a.len(), b.len())
        }
    }

    /// Evidently's `feel_zeroes` (used by PSI): zero shares replaced, per sample.
    pub fn without_zeros(mut self) -> Binned {
        fill_zeros(&mut self.reference);
        fill_zeros(&mut self.current);
        self
    }
}

fn fill_zeros(shares: &mut [f64]) {
    let min = shares
        .iter()
        .copied()
        .filter(|&s| s != 0.0)
        .fold(f64::INFINITY, f64::min);
    if !min.is_finite() {
        return;
    }
    let fill = if min <= 0.0001 { min / 1e6 } else { 0.0001 };
    for s in shares.iter_mut().filter(|s| **s == 0.0) {
        *s = fill;
    }
}

/// Sum of shares (pairwise, as numpy), for normalising.
pub fn total(shares: &[f64]) -> f64 {
    pairwise_sum(shares)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sturges_on_a_simple_range() {
        // 8 values: log2(8) + 1 = 4 bins over [0, 7].
        let a = [0.0, 1.0, 2.0, 3.0];
        let b = [4.0, 5.0, 6.0, 7.0];
        let e = sturges_edges(&a, &b, false);
        assert_eq!(e, vec![0.0, 1.75, 3.5, 5.25, 7.0]);
        assert_eq!(histogram(&a, &e), vec![2, 2, 0, 0]);
        assert_eq!(histogram(&b, &e), vec![0, 0, 2, 2]);
    }

    #[test]
    fn integer_width_is_at_least_one() {
        let a: Vec<f64> = (0..100).map(|i| (i % 3) as f64).collect();
        let mut a = a;
        a.sort_by(f64::total_cmp);
        let e = sturges_edges(&a, &a, true);
        assert_eq!(e, vec![0.0, 1.0, 2.0]);
    }

    #[test]
    fn zeros_are_filled_per_sample() {
        let b = Binned {
            reference: vec![0.5, 0.5, 0.0],
            current: vec![0.00005, 0.0, 0.99995],
        }
        .without_zeros();
        assert_eq!(b.reference[2], 0.0001);
        assert_eq!(b.current[1], 0.00005 / 1e6);
    }

    #[test]
    fn value_counts_align() {
        let (v, a, b) = value_counts(&[1.0, 1.0, 3.0], &[2.0, 3.0]);
        assert_eq!(v, vec![1.0, 2.0, 3.0]);
        assert_eq!(a, vec![2, 0, 1]);
        assert_eq!(b, vec![0, 1, 1]);
        assert_eq!(distinct_union_sorted(&[1.0, 1.0, 3.0], &[2.0, 3.0]), 3);
    }
}
