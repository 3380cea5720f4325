//! Normed first Wasserstein distance — Evidently 0.7's `wasserstein` test:
//! `W1(ref, cur) / max(std(ref), 0.001)` with `W1` as scipy's `wasserstein_distance`
//! (the area between the two ECDFs) and `std` numpy's population standard deviation.
//! Drift: `score ≥ threshold` (0.1).

use crate::moments::pairwise_sum;

/// The floor of the reference standard deviation.
pub const MIN_NORM: f64 = 0.001;

/// `∫ |F_a − F_b|` for two **sorted**, non-empty samples.
pub fn wasserstein_distance(a: &[f64], b: &[f64]) -> f64 {
    let (n1, n2) = (a.len() as f64, b.len() as f64);
    let (mut i, mut j) = (0usize, 0usize);
    let mut total = 0.0;
    let mut prev: Option<(f64, f64)> = None; // (value, |F_a − F_b| right after it)
    while i < a.len() || j < b.len() {
        let x = match (a.get(i), b.get(j)) {
            (Some(&x), Some(&y)) => x.min(y),
            (Some(&x), None) => x,
            (None, Some(&y)) => y,
            (None, None) => break,
        };
        if let Some((px, diff)) = prev {
            total += diff * (x - px);
        }
        while i < a.len() && a[i] <= x {
            i += 1;
        }
        while j < b.len() && b[j] <= x {
            j += 1;
        }
        prev = Some((x, (i as f64 / n1 - j as f64 / n2).abs()));
    }
    total
}

/// `np.std(values)` (population, ddof = 0) in numpy's floating-point order:
/// `sqrt(sum((x − mean)²) / n)` with pairwise sums. NaN when empty.
pub fn population_std(values: &[f64]) -> f64 {
    let n = values.len() as f64;
    let mean = pairwise_sum(values) / n;
    let squares: Vec<f64> = values.iter().map(|&x| (x - mean) * (x - mean)).collect();
    (pairwise_sum(&squares) / n).sqrt()
}

/// Evidently's normed distance, given the reference's population standard deviation.
pub fn wasserstein_normed(a: &[f64], b: &[f64], reference_std: f64) -> f64 {
    wasserstein_distance(a, b) / reference_std.max(MIN_NORM)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shift_by_one() {
        assert!((wasserstein_distance(&[0.0, 1.0], &[1.0, 2.0]) - 1.0).abs() < 1e-15);
        assert_eq!(wasserstein_distance(&[3.0], &[3.0]), 0.0);
        // scipy.stats.wasserstein_distance([0, 1, 3], [5, 6, 8]) = 5.0
        assert!((wasserstein_distance(&[0.0, 1.0, 3.0], &[5.0, 6.0, 8.0]) - 5.0).abs() < 1e-15);
        assert_eq!(population_std(&[1.0, 1.0, 1.0]), 0.0);
        assert!((population_std(&[0.0, 2.0]) - 1.0).abs() < 1e-15);
    }
}
