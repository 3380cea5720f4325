//! Paired bootstrap test of the mean difference.
//!
//! Resampling units (queries) with replacement approximates the sampling distribution
//! of the mean difference without assuming normality. For a test, that distribution is
//! moved to the null hypothesis by centring the differences: resampling
//! `d_i − mean(d)` gives resample means `m_r − mean(d)`, where `m_r` is the mean of
//! resample `r` of the original differences. The two-sided p-value is
//!
//! ```text
//! p = (#{r : |m_r − mean(d)| ≥ |mean(d)| − 1e-12·mean(|d|)} + 1) / (R + 1)
//! ```
//!
//! (the observed sample counts as one resample; the tolerance absorbs rounding, as in
//! [`crate::permutation`]).
//!
//! The resamples are exactly those of [`crate::Bootstrap::mean_intervals`] for the same
//! seed — both come from [`crate::Bootstrap::resampled_means`] — so the
//! p-value and the percentile interval reported beside it describe one bootstrap
//! distribution (a unit test holds the two in lockstep).
//!
//! `None` when `n < 2`, when `resamples` is 0, or when the differences have zero
//! variance (all exactly equal): every resample then equals the observed sample, the
//! centred distribution is a point, and the test says nothing (the paired t test is
//! undefined there too).

use crate::bootstrap::Bootstrap;
use crate::moments::{all_equal, mean};

/// Relative tolerance for "at least as extreme", in units of `mean(|d|)`.
pub const TIE_TOLERANCE: f64 = 1e-12;

/// The mean of each bootstrap resample of `values`, in resample order; the same draws
/// as [`crate::Bootstrap::mean_intervals`] for one column.
pub fn resampled_means(values: &[f64], resamples: usize, seed: u64) -> Vec<f64> {
    let b = Bootstrap {
        resamples,
        confidence: 0.95,
        seed,
    };
    b.resampled_means(values, 1).unwrap_or_default()
}

/// The bootstrap p-value of the observed mean difference from resampled means of the
/// same differences (see the module documentation).
pub fn bootstrap_p(differences: &[f64], resampled: &[f64]) -> Option<f64> {
    let n = differences.len();
    if n < 2 || resampled.is_empty() || all_equal(differences) {
        return None;
    }
    let observed = mean(differences)?;
    let scale = differences.iter().map(|v| v.abs()).sum::<f64>() / n as f64;
    let threshold = observed.abs() - TIE_TOLERANCE * scale;
    let hits = resampled
        .iter()
        .filter(|m| (*m - observed).abs() >= threshold)
        .count();
    Some((hits + 1) as f64 / (resampled.len() + 1) as f64)
}

/// Two-sided paired bootstrap test of `mean(d) = 0` on the differences `d`.
pub fn bootstrap_test(differences: &[f64], resamples: usize, seed: u64) -> Option<f64> {
    if differences.len() < 2 || all_equal(differences) {
        return None;
    }
    bootstrap_p(differences, &resampled_means(differences, resamples, seed))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bootstrap::quantile_sorted;

    fn differences() -> Vec<f64> {
        (0..60)
            .map(|i| ((i * 29 % 17) as f64 - 6.0) / 20.0)
            .collect()
    }

    #[test]
    fn draws_match_bootstrap_mean_intervals() {
        let d = differences();
        let b = Bootstrap {
            resamples: 3000,
            confidence: 0.9,
            seed: 11,
        };
        let rows: Vec<Vec<f64>> = d.iter().map(|&v| vec![v]).collect();
        let interval = b.mean_intervals(&rows).unwrap()[0];
        let mut means = resampled_means(&d, b.resamples, b.seed);
        means.sort_unstable_by(f64::total_cmp);
        assert_eq!(interval.low, quantile_sorted(&means, 0.05));
        assert_eq!(interval.high, quantile_sorted(&means, 0.95));
    }

    #[test]
    fn p_value_formula_and_determinism() {
        let d = differences();
        let p = bootstrap_test(&d, 2000, 5).unwrap();
        assert_eq!(Some(p), bootstrap_test(&d, 2000, 5));
        let m = mean(&d).unwrap();
        let scale = d.iter().map(|v| v.abs()).sum::<f64>() / d.len() as f64;
        let hits = resampled_means(&d, 2000, 5)
            .iter()
            .filter(|&&x| (x - m).abs() >= m.abs() - TIE_TOLERANCE * scale)
            .count();
        assert_eq!((hits + 1) as f64 / 2001.0, p);
        assert!(p > 0.0 && p < 1.0);
        // Mean difference exactly zero: every resample is at least as extreme.
        assert_eq!(bootstrap_test(&[-0.5, 0.5, -0.25, 0.25], 100, 0), Some(1.0));
    }

    #[test]
    fn undefined_cases() {
        assert_eq!(bootstrap_test(&[0.4], 100, 0), None);
        assert_eq!(bootstrap_test(&[0.4, 0.4, 0.4], 100, 0), None);
        assert_eq!(bootstrap_test(&[0.0, 0.0], 100, 0), None);
        assert_eq!(bootstrap_test(&[0.1, 0.2], 0, 0), None);
    }

    #[test]
    fn strong_effect_is_significant() {
        let d: Vec<f64> = (0..40).map(|i| 0.2 + (i % 5) as f64 * 0.01).collect();
        let p = bootstrap_test(&d, 999, 0).unwrap();
        assert_eq!(p, 1.0 / 1000.0);
    }
}
