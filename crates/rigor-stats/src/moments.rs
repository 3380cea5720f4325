//! Sums, means and variances evaluated in the same floating-point order as numpy/scipy.
//!
//! Why not a plain loop: rigor promises scipy's numbers to ~1e-12, and a t statistic
//! divides a mean by a standard error that can be small next to the values summed.
//! Reproducing numpy's pairwise summation (`np.add.reduce`) and scipy's variance chain
//! (`_var` → `_moment`) makes the intermediate values bit-identical instead of merely
//! close, so the goldens can be compared tightly and disagreements mean real bugs.

/// numpy's unroll width and block size in `pairwise_sum` (`loops_utils.h.src`).
const UNROLL: usize = 8;
const BLOCK: usize = 128;

/// Sum in numpy's pairwise order (`np.sum` of a contiguous `float64` array).
///
/// Below 8 values a left-to-right loop; up to 128 values eight interleaved
/// accumulators combined as `((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7))`, then the remainder;
/// above that, split at half rounded down to a multiple of 8 and recurse.
pub fn pairwise_sum(values: &[f64]) -> f64 {
    let n = values.len();
    if n < UNROLL {
        values.iter().fold(0.0, |acc, v| acc + v)
    } else if n <= BLOCK {
        let mut r = [0.0; UNROLL];
        r.copy_from_slice(&values[..UNROLL]);
        let whole = n - n % UNROLL;
        for chunk in values[UNROLL..whole].chunks_exact(UNROLL) {
            for (acc, v) in r.iter_mut().zip(chunk) {
                *acc += v;
            }
        }
        let mut res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for v in &values[whole..] {
            res += v;
        }
        res
    } else {
        let mut half = n / 2;
        half -= half % UNROLL;
        pairwise_sum(&values[..half]) + pairwise_sum(&values[half..])
    }
}

/// `np.mean`: the pairwise sum divided by the count. `None` when empty.
pub fn mean(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        None
    } else {
        Some(pairwise_sum(values) / values.len() as f64)
    }
}

/// `Σ (x − m)²` in numpy's order: the deviations squared, then a pairwise sum.
fn sum_squared_deviations(values: &[f64], m: f64) -> f64 {
    let squares: Vec<f64> = values
        .iter()
        .map(|v| {
            let dev = v - m;
            dev * dev
        })
        .collect();
    pairwise_sum(&squares)
}

/// Sample variance (ddof = 1) as scipy computes it for `ttest_1samp`:
/// `mean((x - mean(x))**2) * (n / (n - 1))`. `None` when `n < 2`.
pub fn variance(values: &[f64]) -> Option<f64> {
    let n = values.len();
    if n < 2 {
        return None;
    }
    let nf = n as f64;
    Some(sum_squared_deviations(values, mean(values)?) / nf * (nf / (nf - 1.0)))
}

/// Sample standard deviation (ddof = 1) as numpy computes `np.std(x, ddof=1)`:
/// `sqrt(sum((x - mean(x))**2) / (n - 1))`. `None` when `n < 2`.
pub fn std_dev(values: &[f64]) -> Option<f64> {
    let n = values.len();
    if n < 2 {
        return None;
    }
    Some((sum_squared_deviations(values, mean(values)?) / (n - 1) as f64).sqrt())
}

/// True when every value is exactly equal to the first (float equality), or the slice
/// is empty. This is rigor's test for "zero variance": the rounded variance of equal
/// values can be a tiny positive number (e.g. `[0.1; 3]`), which would otherwise turn
/// into a huge, meaningless t statistic.
pub fn all_equal(values: &[f64]) -> bool {
    values.windows(2).all(|w| w[0] == w[1])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairwise_sum_matches_numpy_order() {
        // Bit-exact parity with numpy is checked by the goldens (means, t statistics);
        // here only the recursion's bookkeeping: nothing is lost or counted twice.
        let v: Vec<f64> = (0..300).map(|i| 1.0 / (i as f64 + 1.0)).collect();
        let loop_sum: f64 = v.iter().sum();
        assert!((pairwise_sum(&v) - loop_sum).abs() < 1e-13);
        assert_eq!(pairwise_sum(&[]), 0.0);
        assert_eq!(pairwise_sum(&[1.5]), 1.5);
    }

    #[test]
    fn variance_of_small_samples() {
        assert_eq!(variance(&[1.0]), None);
        assert_eq!(variance(&[1.0, 3.0]), Some(2.0));
        assert_eq!(mean(&[]), None);
        assert!(all_equal(&[0.25, 0.25, 0.25]));
        assert!(!all_equal(&[0.25, 0.25, 0.5]));
    }
}
