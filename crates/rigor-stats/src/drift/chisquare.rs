//! Pearson chi-square goodness of fit of the current counts against the reference
//! distribution, as Evidently 0.7's `chisquare` test (scipy `chisquare(f_obs, f_exp)`).
//!
//! Over the union of categories `k`: `f_obs[k]` = current count,
//! `f_exp[k]` = reference count · `n_cur / n_ref`; statistic `Σ (f_obs − f_exp)² / f_exp`,
//! `df = categories − 1`, p = `chi2.sf(statistic, df)`. A category absent from the
//! reference has `f_exp = 0`, so the statistic is infinite and p = 0 — Evidently's
//! "new category" verdict. Drift: `p < threshold`.

use statrs::function::gamma::gamma_ur;

/// Result of [`chi_square`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChiSquare {
    /// `+∞` when a category is new in the current sample.
    pub statistic: f64,
    pub df: usize,
    pub p_value: f64,
}

/// Chi-square test of aligned category counts. `None` with fewer than two categories
/// (no degrees of freedom) or an empty sample.
pub fn chi_square(reference: &[u64], current: &[u64]) -> Option<ChiSquare> {
    let n_ref: u64 = reference.iter().sum();
    let n_cur: u64 = current.iter().sum();
    if reference.len() < 2 || n_ref == 0 || n_cur == 0 {
        return None;
    }
    let k_norm = n_cur as f64 / n_ref as f64;
    let mut statistic = 0.0;
    for (&r, &c) in reference.iter().zip(current) {
        let expected = r as f64 * k_norm;
        let d = c as f64 - expected;
        statistic += d * d / expected;
    }
    let df = reference.len() - 1;
    Some(ChiSquare {
        statistic,
        df,
        p_value: chi2_sf(statistic, df as f64),
    })
}

/// `P(χ²_df ≥ x)` (scipy `chi2.sf`, cephes `chdtrc`).
pub fn chi2_sf(x: f64, df: f64) -> f64 {
    if x.is_nan() || df <= 0.0 {
        return f64::NAN;
    }
    if x <= 0.0 {
        return 1.0;
    }
    if x.is_infinite() {
        return 0.0;
    }
    gamma_ur(df / 2.0, x / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_category_gives_zero_p() {
        let t = chi_square(&[10, 10, 0], &[10, 10, 1]).unwrap();
        assert!(t.statistic.is_infinite());
        assert_eq!(t.p_value, 0.0);
    }

    #[test]
    fn same_shares_give_p_one() {
        let t = chi_square(&[10, 20], &[20, 40]).unwrap();
        assert_eq!(t.statistic, 0.0);
        assert_eq!(t.p_value, 1.0);
    }

    #[test]
    fn known_value() {
        // scipy.stats.chi2.sf(3.0, 2) = exp(-1.5)
        assert!((chi2_sf(3.0, 2.0) - (-1.5f64).exp()).abs() < 1e-15);
    }
}
