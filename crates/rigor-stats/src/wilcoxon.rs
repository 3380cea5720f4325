//! Wilcoxon signed-rank test, two-sided — scipy's `wilcoxon(candidate, baseline)` with
//! its defaults (`zero_method='wilcox'`, `correction=False`, `method='auto'`), as
//! implemented in scipy 1.17 (`scipy/stats/_wilcoxon.py`).
//!
//! Zero differences are dropped from the ranking (`wilcox`). The non-zero `|d|` get
//! average ranks, ties meaning exact float equality. `r+`/`r−` are the rank sums of the
//! positive/negative differences and the reported statistic is `min(r+, r−)`. The
//! p-value comes from one of three branches, chosen on `n`, the length *including*
//! zeros, exactly as scipy's `method='auto'` chooses:
//!
//! 1. `n > 50`: normal approximation (below).
//! 2. no ties and no zeros: the exact null distribution of `r+` over the `2^n` equally
//!    likely sign patterns; `p = 2·min(P(R+ ≤ r+), P(R+ ≥ r+))`, capped at 1.
//! 3. ties or zeros and `n ≤ 13`: scipy runs `permutation_test` on `r+`, which
//!    enumerates all `2^n` sign flips of `d` (flipping a zero changes nothing) and
//!    reports the same `2·min(P(≤), P(≥))`, capped at 1. rigor computes that
//!    enumeration's distribution by dynamic programming over the doubled ranks (all
//!    integers), which is exact — the same counts, without the `2^n` loop.
//! 4. otherwise: normal approximation with `m` = number of non-zero differences,
//!    `z = (r+ − m(m+1)/4) / sqrt((m(m+1)(2m+1) − Σ(t³−t)/2)/24)` (ties `t` among the
//!    non-zero `|d|`, no continuity correction), `p = 2·Φ(−|z|)`.
//!
//! Deliberate difference: when every difference is zero rigor returns `p = 1` (no
//! evidence of any difference). scipy agrees for `2 ≤ n ≤ 13` (its enumeration gives 1)
//! but returns NaN for `n ≥ 14` (0/0 in `z`) and raises for `n = 1`.

use crate::distribution::normal_two_sided_p;

/// The branch that produced a p-value (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WilcoxonMethod {
    /// Exact null distribution (no ties, no zeros, `n ≤ 50`).
    Exact,
    /// Exact enumeration of all sign flips (ties or zeros, `n ≤ 13`).
    Permutation,
    /// Normal approximation.
    Normal,
}

/// Result of a Wilcoxon signed-rank test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WilcoxonTest {
    /// `min(r+, r−)`, scipy's two-sided statistic.
    pub statistic: f64,
    /// Two-sided p-value in (0, 1].
    pub p_value: f64,
    pub method: WilcoxonMethod,
    /// Number of non-zero differences (the ones ranked).
    pub nonzero: usize,
    /// `z` of the normal approximation (`None` for the exact branches and when every
    /// difference is zero).
    pub z: Option<f64>,
}

/// Average ranks (1-based) of `values`, ties by exact equality, and `Σ(t³ − t)` over
/// the tie groups.
fn average_ranks(values: &[f64]) -> (Vec<f64>, f64) {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut ranks = vec![0.0; values.len()];
    let mut tie_term = 0.0;
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && values[order[end]] == values[order[start]] {
            end += 1;
        }
        let count = (end - start) as f64;
        // scipy: ordinal rank of the group's first element + (count − 1)/2.
        let rank = (start + 1) as f64 + (count - 1.0) / 2.0;
        for &i in &order[start..end] {
            ranks[i] = rank;
        }
        tie_term += count * count * count - count;
        start = end;
    }
    (ranks, tie_term)
}

/// `2·min(P(S ≤ s), P(S ≥ s))`, capped at 1, where `S = Σ_i ε_i·w_i` over independent
/// fair `ε_i ∈ {0, 1}` and `s` is the observed value; `w` and `s` are integers.
fn exact_two_sided_p(weights: &[u64], observed: u64) -> f64 {
    let total: u64 = weights.iter().sum();
    // counts[k] = number of the 2^m subsets with weight sum k (fits u64 for m ≤ 63).
    let mut counts = vec![0u64; total as usize + 1];
    counts[0] = 1;
    let mut reach = 0usize;
    for &w in weights {
        let w = w as usize;
        for k in (0..=reach).rev() {
            counts[k + w] += counts[k];
        }
        reach += w;
    }
    let obs = observed as usize;
    let below: u64 = counts[..=obs].iter().sum();
    let above: u64 = counts[obs..].iter().sum();
    let subsets = (weights.len() as f64).exp2();
    (2.0 * below.min(above) as f64 / subsets).min(1.0)
}

/// Wilcoxon signed-rank test on the differences `d = candidate − baseline`; `None`
/// when `d` is empty.
pub fn wilcoxon(differences: &[f64]) -> Option<WilcoxonTest> {
    let n = differences.len();
    if n == 0 {
        return None;
    }
    let nonzero: Vec<f64> = differences.iter().copied().filter(|&v| v != 0.0).collect();
    let zeros = n - nonzero.len();
    let magnitudes: Vec<f64> = nonzero.iter().map(|v| v.abs()).collect();
    let (ranks, tie_term) = average_ranks(&magnitudes);
    let has_ties = tie_term > 0.0;
    let r_plus: f64 = nonzero
        .iter()
        .zip(&ranks)
        .filter(|(v, _)| **v > 0.0)
        .map(|(_, r)| r)
        .sum();
    let r_minus: f64 = nonzero
        .iter()
        .zip(&ranks)
        .filter(|(v, _)| **v < 0.0)
        .map(|(_, r)| r)
        .sum();
    let method = if n > 50 {
        WilcoxonMethod::Normal
    } else if !has_ties && zeros == 0 {
        WilcoxonMethod::Exact
    } else if n <= 13 {
        WilcoxonMethod::Permutation
    } else {
        WilcoxonMethod::Normal
    };
    let statistic = r_plus.min(r_minus);
    let m = nonzero.len();
    if m == 0 {
        return Some(WilcoxonTest {
            statistic,
            p_value: 1.0,
            method,
            nonzero: 0,
            z: None,
        });
    }
    let (p_value, z) = match method {
        WilcoxonMethod::Exact | WilcoxonMethod::Permutation => {
            // Ranks are multiples of ½, so doubled ranks are exact integers.
            let weights: Vec<u64> = ranks.iter().map(|r| (2.0 * r) as u64).collect();
            (exact_two_sided_p(&weights, (2.0 * r_plus) as u64), None)
        }
        WilcoxonMethod::Normal => {
            let count = m as f64;
            let mean = count * (count + 1.0) * 0.25;
            let var = count * (count + 1.0) * (2.0 * count + 1.0);
            let se = ((var - tie_term / 2.0) / 24.0).sqrt();
            let z = (r_plus - mean) / se;
            (normal_two_sided_p(z), Some(z))
        }
    };
    Some(WilcoxonTest {
        statistic,
        p_value,
        method,
        nonzero: m,
        z,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scipy_small_examples() {
        // scipy.stats.wilcoxon([1, 2, 3, 4, 5, 6]) → (0.0, 0.03125), exact branch.
        let r = wilcoxon(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]).unwrap();
        assert_eq!((r.statistic, r.p_value), (0.0, 0.03125));
        assert_eq!(r.method, WilcoxonMethod::Exact);
        // scipy.stats.wilcoxon([1, -2, 2, 0, 5, 6]) → (2.5, 0.25), enumeration branch.
        let r = wilcoxon(&[1.0, -2.0, 2.0, 0.0, 5.0, 6.0]).unwrap();
        assert_eq!((r.statistic, r.p_value), (2.5, 0.25));
        assert_eq!(r.method, WilcoxonMethod::Permutation);
    }

    #[test]
    fn all_zero_differences_give_p_one() {
        assert_eq!(wilcoxon(&[]), None);
        for n in [1, 5, 14, 60] {
            let r = wilcoxon(&vec![0.0; n]).unwrap();
            assert_eq!((r.statistic, r.p_value, r.nonzero), (0.0, 1.0, 0));
        }
    }

    #[test]
    fn enumeration_matches_brute_force() {
        // Brute force over all 2^n sign patterns of the doubled ranks.
        let weights = [2u64, 5, 5, 8, 9, 12, 12];
        for observed in 0..=53u64 {
            let (mut le, mut ge) = (0u64, 0u64);
            for mask in 0u32..(1 << weights.len()) {
                let s: u64 = (0..weights.len())
                    .filter(|i| mask >> i & 1 == 1)
                    .map(|i| weights[i])
                    .sum();
                le += u64::from(s <= observed);
                ge += u64::from(s >= observed);
            }
            let brute = (2.0 * le.min(ge) as f64 / 128.0).min(1.0);
            assert_eq!(exact_two_sided_p(&weights, observed), brute);
        }
    }

    #[test]
    fn average_ranks_and_tie_term() {
        let (ranks, ties) = average_ranks(&[3.0, 1.0, 3.0, 2.0, 3.0]);
        assert_eq!(ranks, vec![4.0, 1.0, 4.0, 2.0, 4.0]);
        assert_eq!(ties, 24.0);
    }
}
