//! Sample-ratio mismatch: Pearson's chi-square goodness of fit of the units per arm
//! against the planned split (scipy `chisquare(f_obs, f_exp)`, gbstats `check_srm`).
//!
//! `E_i = w_i/Σw · Σo`, `χ² = Σ (o_i − E_i)²/E_i`, `df = k − 1`, `p = P(χ²_df > χ²)`.

use super::dist;

/// The test of one group of units.
#[derive(Debug, Clone, PartialEq)]
pub struct SrmTest {
    /// Units expected per arm under the planned split.
    pub expected: Vec<f64>,
    pub chi2: f64,
    pub df: f64,
    pub p_value: f64,
}

impl SrmTest {
    /// Whether the chi-square approximation is trustworthy: every expected count ≥ 5.
    pub fn sufficient(&self) -> bool {
        self.expected.iter().all(|&e| e >= 5.0)
    }
}

/// Chi-square goodness of fit of `observed` against `weights` (positive, any scale);
/// `None` when there are no units or fewer than two arms.
pub fn chi_square(observed: &[f64], weights: &[f64]) -> Option<SrmTest> {
    let total: f64 = observed.iter().sum();
    if total <= 0.0 || observed.len() < 2 || observed.len() != weights.len() {
        return None;
    }
    let wsum: f64 = weights.iter().sum();
    let expected: Vec<f64> = weights.iter().map(|w| w / wsum * total).collect();
    let chi2: f64 = observed
        .iter()
        .zip(&expected)
        .map(|(o, e)| (o - e) * (o - e) / e)
        .sum();
    let df = (observed.len() - 1) as f64;
    Some(SrmTest {
        p_value: dist::chi2_sf(chi2, df),
        expected,
        chi2,
        df,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_scipy_chisquare() {
        // scipy.stats.chisquare([5150, 4850], [5000, 5000])
        let t = chi_square(&[5150.0, 4850.0], &[1.0, 1.0]).unwrap();
        assert_eq!(t.chi2, 9.0);
        assert!((t.p_value - 0.0026997960632601883).abs() < 1e-15);
    }
}
