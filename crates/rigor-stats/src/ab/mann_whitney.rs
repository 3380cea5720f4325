//! The Mann–Whitney U test as scipy 1.17 computes it (`mannwhitneyu(x, y)`,
//! two-sided, `use_continuity=True`, `method='auto'`), from the two samples sorted.
//!
//! - `U₁ = R₁ − n₁(n₁+1)/2` with `R₁` the sum of the mid-ranks of `x` in the pooled
//!   sample; the statistic reported is `U₁`, the test uses `U = max(U₁, n₁n₂ − U₁)`.
//! - `method='auto'`: exact when either sample has at most 8 values and there are no
//!   ties, otherwise the normal approximation with tie correction,
//!   `σ = √(n₁n₂/12 · ((n+1) − Σ(t³−t)/(n(n−1))))`, `z = (U − n₁n₂/2 − ½)/σ`,
//!   `p = 2·Φ(−z)`.
//! - Exact: `p = 2·P(U' ≥ U)` under the null, the distribution of `U'` counted with the
//!   recurrence scipy uses (`_MWU.build_u_freqs_array`), here in exact integers.
//!   When the count would need more than [`EXACT_LIMIT`] steps (a tiny arm against a
//!   huge one) the normal approximation is used instead and reported as such.
//!
//! Large samples: [`value_counts`] tallies each distinct value per arm (metrics are
//! full of ties: zeros, counts, rounded values), and only when there are too many
//! distinct values does [`sort_by_arm`] sort each arm; either way [`from_groups`] gets
//! the tie groups in ascending order.

use rayon::prelude::*;

use super::dist;

/// Largest `min(U, n₁n₂−U)` for which the exact distribution is computed (its cost is
/// quadratic in this number).
pub const EXACT_LIMIT: u64 = 20_000;

/// How the p-value was computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Exact,
    Asymptotic,
}

/// The test result.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MannWhitney {
    /// `U₁`, the statistic of the first sample (scipy's `statistic`).
    pub u: f64,
    pub p_value: f64,
    pub method: Method,
}

/// Two-sided Mann–Whitney test of `x` against `y`, both sorted ascending (no NaN).
/// `None` when either sample is empty.
pub fn mann_whitney(x: &[f64], y: &[f64]) -> Option<MannWhitney> {
    let (n1, n2) = (x.len(), y.len());
    let (mut i, mut j) = (0usize, 0usize);
    let groups = std::iter::from_fn(|| {
        let v = match (x.get(i), y.get(j)) {
            (Some(&a), Some(&b)) => a.min(b),
            (Some(&a), None) => a,
            (None, Some(&b)) => b,
            (None, None) => return None,
        };
        let (start_i, start_j) = (i, j);
        while i < n1 && x[i] == v {
            i += 1;
        }
        while j < n2 && y[j] == v {
            j += 1;
        }
        Some(((i - start_i) as u64, (j - start_j) as u64))
    });
    from_groups(groups)
}

/// The test from the tie groups of the pooled sample in ascending value order: for
/// each distinct value, how many of `x` and of `y` hold it. Lets a caller count values
/// (by hashing, when there are few distinct ones) instead of sorting them.
pub fn from_groups(groups: impl IntoIterator<Item = (u64, u64)>) -> Option<MannWhitney> {
    let mut rank_sum_x = 0.0f64;
    let mut tie_term = 0.0f64;
    let mut ties = false;
    let (mut n1, mut n2) = (0u64, 0u64);
    let mut position = 0u64; // values already ranked
    for (cx, cy) in groups {
        let t = cx + cy;
        // Mid-rank of ranks position+1 ..= position+t.
        let mid = position as f64 + (t as f64 + 1.0) / 2.0;
        rank_sum_x += cx as f64 * mid;
        if t > 1 {
            ties = true;
            let tf = t as f64;
            tie_term += tf * tf * tf - tf;
        }
        position += t;
        n1 += cx;
        n2 += cy;
    }
    if n1 == 0 || n2 == 0 {
        return None;
    }
    let (n1f, n2f) = (n1 as f64, n2 as f64);
    let u1 = rank_sum_x - n1f * (n1f + 1.0) / 2.0;
    let u2 = n1f * n2f - u1;
    let u = u1.max(u2);
    let exact = !(ties || n1 > 8 && n2 > 8);
    let small = (n1 * n2) - u as u64;
    let (p, method) = if exact && small <= EXACT_LIMIT {
        (
            2.0 * exact_cdf(n1 as usize, n2 as usize, small),
            Method::Exact,
        )
    } else {
        let n = n1f + n2f;
        let s = (n1f * n2f / 12.0 * ((n + 1.0) - tie_term / (n * (n - 1.0)))).sqrt();
        let z = (u - n1f * n2f / 2.0 - 0.5) / s;
        (2.0 * dist::normal_cdf(-z), Method::Asymptotic)
    };
    Some(MannWhitney {
        u: u1,
        p_value: p.clamp(0.0, 1.0),
        method,
    })
}

// ---- the pooled sample of an experiment's arms ------------------------------------

/// Most distinct values [`value_counts`] tallies before giving up for sorting.
const MAX_DISTINCT: usize = 1 << 16;

/// Integers `0..SMALL` are counted in a table rather than a hash map.
const SMALL: usize = 1024;

/// Counts per (distinct value, arm), values in ascending order (`keys[r]` = the index
/// of the `r`-th smallest value's counts); `None` when there are more than
/// [`MAX_DISTINCT`] distinct values. −0 counts as 0 (they tie).
pub fn value_counts(
    arm: &[u16],
    arms: usize,
    values: &[f64],
    x: Option<&[f64]>,
) -> Option<(Vec<usize>, Vec<u64>)> {
    let step = (1 << 20).max(values.len().div_ceil(64));
    value_counts_in_blocks(arm, arms, values, x, step)
}

/// [`value_counts`] with blocks of `step` units counted in parallel.
fn value_counts_in_blocks(
    arm: &[u16],
    arms: usize,
    values: &[f64],
    x: Option<&[f64]>,
    step: usize,
) -> Option<(Vec<usize>, Vec<u64>)> {
    type Tally = (rustc_hash::FxHashMap<u64, usize>, Vec<f64>, Vec<u64>);
    let count = |range: std::ops::Range<usize>| -> Option<Tally> {
        let mut index: rustc_hash::FxHashMap<u64, usize> = rustc_hash::FxHashMap::default();
        let mut distinct: Vec<f64> = Vec::new();
        let mut counts: Vec<u64> = Vec::new();
        // Small non-negative integers (flags, counts) are tallied by value, unhashed.
        let mut small = vec![0u64; SMALL * arms];
        for i in range {
            let v = values[i];
            if v.is_nan() || x.is_some_and(|x| x[i].is_nan()) {
                continue;
            }
            let v = v + 0.0;
            if (0.0..SMALL as f64).contains(&v) && v.trunc() == v {
                small[v as usize * arms + arm[i] as usize] += 1;
                continue;
            }
            let k = *index.entry(v.to_bits()).or_insert_with(|| {
                distinct.push(v);
                counts.extend(std::iter::repeat_n(0, arms));
                distinct.len() - 1
            });
            if distinct.len() > MAX_DISTINCT {
                return None;
            }
            counts[k * arms + arm[i] as usize] += 1;
        }
        for (value, per_arm) in small.chunks(arms).enumerate() {
            if per_arm.iter().any(|&c| c > 0) {
                distinct.push(value as f64);
                counts.extend_from_slice(per_arm);
            }
        }
        Some((index, distinct, counts))
    };
    // Blocks counted in parallel, merged in block order.
    let n = values.len();
    let blocks: Vec<Option<Tally>> = (0..n.div_ceil(step))
        .into_par_iter()
        .map(|b| count(b * step..((b + 1) * step).min(n)))
        .collect();
    let mut total: Tally = Default::default();
    for block in blocks {
        let (_, distinct, counts) = block?;
        for (j, v) in distinct.iter().enumerate() {
            let (index, all, sums) = &mut total;
            let k = *index.entry(v.to_bits()).or_insert_with(|| {
                all.push(*v);
                sums.extend(std::iter::repeat_n(0, arms));
                all.len() - 1
            });
            for a in 0..arms {
                sums[k * arms + a] += counts[j * arms + a];
            }
        }
        if total.1.len() > MAX_DISTINCT {
            return None;
        }
    }
    let (_, distinct, counts) = total;
    let mut keys: Vec<usize> = (0..distinct.len()).collect();
    keys.sort_unstable_by(|&a, &b| distinct[a].total_cmp(&distinct[b]));
    Some((keys, counts))
}

/// Fills `per_arm` with each arm's values (units with a covariate value, if any),
/// sorted; the buffers keep their capacity from one metric to the next.
pub fn sort_by_arm(
    per_arm: &mut Vec<Vec<f64>>,
    arm: &[u16],
    arms: usize,
    values: &[f64],
    x: Option<&[f64]>,
) {
    per_arm.resize_with(arms, Vec::new);
    per_arm.iter_mut().for_each(Vec::clear);
    for (i, &v) in values.iter().enumerate() {
        if !v.is_nan() && x.is_none_or(|x| !x[i].is_nan()) {
            per_arm[arm[i] as usize].push(v);
        }
    }
    for v in per_arm.iter_mut() {
        v.par_sort_unstable_by(f64::total_cmp);
    }
}

/// `P(U' ≤ k)` under the null for samples of sizes `n1`, `n2` (no ties), `k ≤ n1n2/2`.
fn exact_cdf(n1: usize, n2: usize, k: u64) -> f64 {
    let (m, n) = (n1.min(n2), n1.max(n2));
    let k = k as usize;
    // sigma[u] = Σ_{d | u, d ≤ m} d − Σ_{d | u, n < d ≤ n + m} d
    let mut sigma = vec![0i128; k + 1];
    for d in 1..=m {
        let mut u = d;
        while u <= k {
            sigma[u] += d as i128;
            u += d;
        }
    }
    for d in n + 1..=n + m {
        let mut u = d;
        while u <= k {
            sigma[u] -= d as i128;
            u += d;
        }
    }
    // Counts of arrangements with U' = u: u·c_u = Σ_{j<u} c_j·sigma[u−j].
    let mut counts = vec![0i128; k + 1];
    counts[0] = 1;
    for u in 1..=k {
        let s: i128 = (0..u).map(|j| counts[j] * sigma[u - j]).sum();
        counts[u] = s / u as i128;
    }
    let total = binomial(n1 + n2, m);
    let mut cdf = 0.0;
    for c in counts {
        cdf += c as f64 / total;
    }
    cdf
}

/// `C(n, k)` as a float (scipy `special.binom`).
fn binomial(n: usize, k: usize) -> f64 {
    let mut r = 1.0f64;
    for i in 0..k {
        r = r * (n - i) as f64 / (i + 1) as f64;
    }
    r.round()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(v: &[f64]) -> Vec<f64> {
        let mut v = v.to_vec();
        v.sort_by(f64::total_cmp);
        v
    }

    #[test]
    fn counting_and_sorting_give_the_same_mann_whitney() {
        let n = 5000;
        let arm: Vec<u16> = (0..n).map(|i| ((i * 7) % 3) as u16).collect();
        let values: Vec<f64> = (0..n)
            .map(|i| match i % 5 {
                0 => 0.0,
                1 => -0.0,
                // Either side of the table of small integers.
                2 => 1023.0 + (i % 3) as f64,
                _ => ((i * 7919) % 37) as f64 * 0.25 - 2.0,
            })
            .collect();
        let (keys, counts) = value_counts_in_blocks(&arm, 3, &values, None, 777).unwrap();
        assert_eq!(
            value_counts(&arm, 3, &values, None).map(|(_, c)| c.iter().sum::<u64>()),
            Some(n as u64)
        );
        let mut per_arm = Vec::new();
        sort_by_arm(&mut per_arm, &arm, 3, &values, None);
        for b in 1..3 {
            let counted =
                from_groups(keys.iter().map(|&k| (counts[k * 3 + b], counts[k * 3]))).unwrap();
            let sorted = mann_whitney(&per_arm[b], &per_arm[0]).unwrap();
            assert_eq!(counted.u, sorted.u);
            assert!((counted.p_value - sorted.p_value).abs() < 1e-15);
        }
    }

    #[test]
    fn exact_and_asymptotic_match_scipy() {
        // scipy.stats.mannwhitneyu(x, y): exact (no ties, n ≤ 8)
        let x = sorted(&[1.1, 3.4, 5.2, 7.7, 2.9]);
        let y = sorted(&[4.0, 6.1, 8.8, 9.3, 10.5, 6.6]);
        let r = mann_whitney(&x, &y).unwrap();
        assert_eq!(r.method, Method::Exact);
        assert_eq!(r.u, 4.0);
        assert!(
            (r.p_value - 0.05194805194805195).abs() < 1e-15,
            "{}",
            r.p_value
        );
        // asymptotic with ties
        let x = sorted(&[1.0, 2.0, 2.0, 3.0, 5.0, 5.0, 5.0, 8.0, 9.0, 9.0]);
        let y = sorted(&[2.0, 3.0, 3.0, 4.0, 6.0, 7.0, 8.0, 8.0, 10.0, 11.0, 12.0]);
        let r = mann_whitney(&x, &y).unwrap();
        assert_eq!(r.method, Method::Asymptotic);
        assert_eq!(r.u, 38.0);
        assert!(
            (r.p_value - 0.24266091767727815).abs() < 1e-14,
            "{}",
            r.p_value
        );
    }
}
