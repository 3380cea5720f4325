//! Two-sample tests on arm summaries: Welch's t (scipy `ttest_ind(equal_var=False)`,
//! gbstats `TwoSidedTTest`), the delta-method relative difference, and one-sided
//! non-inferiority tests.
//!
//! An arm enters a test as an [`ArmStat`]: its size, the mean the test compares, the
//! unadjusted mean (different only under CUPED), and the per-unit variance. The caller
//! chooses the variance: the sample variance (ddof = 1) for scipy and gbstats means,
//! `p(1−p)` for gbstats proportions, the delta-method or CUPED variance for ratios and
//! adjusted metrics.
//!
//! Formulas (arm `a` = control, `b` = treatment, `v` = per-unit variance):
//!
//! - absolute: `Δ = m_b − m_a`, `Var Δ = v_a/n_a + v_b/n_b`;
//! - relative (gbstats `frequentist_variance`, relative): `Δ_rel = (m_b − m_a)/|ū_a|`
//!   where `ū` is the unadjusted mean, and
//!   `Var Δ_rel = v_b/(ū_a²·n_b) + v_a·ū_b²/(ū_a⁴·n_a)`;
//! - Welch–Satterthwaite: `df = (v_a/n_a + v_b/n_b)² / ((v_a/n_a)²/(n_a−1) + (v_b/n_b)²/(n_b−1))`,
//!   used for both the absolute and the relative difference, as gbstats does.
//!
//! gbstats divides by `ū_a` (its `frequentist_diff`), not `|ū_a|`; rigor does the same
//! so that results agree, and refuses a relative difference when `ū_a = 0`.

use super::dist;

/// One arm's summary as a test sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ArmStat {
    /// Units.
    pub n: f64,
    /// The mean the test compares (CUPED-adjusted where CUPED applies).
    pub mean: f64,
    /// The raw mean (the denominator of relative differences).
    pub unadjusted_mean: f64,
    /// Per-unit variance.
    pub variance: f64,
}

/// A point estimate with its variance and degrees of freedom (`∞` for a z test).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    pub value: f64,
    pub variance: f64,
    pub df: f64,
}

impl Estimate {
    /// Standard error; `None` unless the variance is positive and finite.
    pub fn se(&self) -> Option<f64> {
        (self.variance > 0.0 && self.variance.is_finite()).then(|| self.variance.sqrt())
    }
}

/// Welch–Satterthwaite degrees of freedom (scipy `_unequal_var_ttest_denom`: an
/// undefined value, both variances zero, becomes 1).
pub fn welch_df(a: &ArmStat, b: &ArmStat) -> f64 {
    let va = a.variance / a.n;
    let vb = b.variance / b.n;
    let df = (va + vb).powi(2) / (va * va / (a.n - 1.0) + vb * vb / (b.n - 1.0));
    if df.is_nan() {
        1.0
    } else {
        df
    }
}

/// `m_b − m_a` with Welch's variance and degrees of freedom.
pub fn absolute(a: &ArmStat, b: &ArmStat) -> Estimate {
    Estimate {
        value: b.mean - a.mean,
        variance: a.variance / a.n + b.variance / b.n,
        df: welch_df(a, b),
    }
}

/// `(m_b − m_a)/ū_a` by the delta method, with the given degrees of freedom; `None`
/// when the control's unadjusted mean is 0.
pub fn relative(a: &ArmStat, b: &ArmStat, df: f64) -> Option<Estimate> {
    let ua = a.unadjusted_mean;
    if ua == 0.0 || !ua.is_finite() {
        return None;
    }
    let ub = b.unadjusted_mean;
    Some(Estimate {
        value: (b.mean - a.mean) / ua,
        variance: b.variance / (ua * ua * b.n) + a.variance * ub * ub / (ua.powi(4) * a.n),
        df,
    })
}

/// A two-sided test of `value = 0` with its interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TwoSided {
    /// `value / se`.
    pub statistic: f64,
    pub p_value: f64,
    pub ci_low: f64,
    pub ci_high: f64,
}

/// Two-sided t (or z, for `df = ∞`) test and `1 − alpha` interval; `None` when the
/// standard error is zero or undefined.
pub fn two_sided(e: &Estimate, alpha: f64) -> Option<TwoSided> {
    let se = e.se()?;
    if !e.value.is_finite() || e.df.is_nan() || e.df <= 0.0 {
        return None;
    }
    let statistic = e.value / se;
    let p_value = 2.0 * dist::t_sf(statistic.abs(), e.df);
    let half = dist::t_isf(alpha / 2.0, e.df) * se;
    Some(TwoSided {
        statistic,
        p_value: p_value.min(1.0),
        ci_low: e.value - half,
        ci_high: e.value + half,
    })
}

/// Which way a one-sided alternative points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// `H1: value > test_value` (scipy `alternative='greater'`).
    Greater,
    /// `H1: value < test_value` (scipy `alternative='less'`).
    Less,
}

/// One-sided p-value of `H0: value = test_value` against `side` (gbstats
/// `OneSidedTreatmentGreaterTTest` / `…LesserTTest`); `None` without a standard error.
pub fn one_sided(e: &Estimate, test_value: f64, side: Side) -> Option<f64> {
    let se = e.se()?;
    let t = (e.value - test_value) / se;
    Some(match side {
        Side::Greater => dist::t_sf(t, e.df),
        Side::Less => dist::t_cdf(t, e.df),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ab::Moments;

    fn arm(values: &[f64]) -> ArmStat {
        let m = Moments::of(values, &[]);
        ArmStat {
            n: m.n_f64(),
            mean: m.mean_y,
            unadjusted_mean: m.mean_y,
            variance: m.var_y(),
        }
    }

    #[test]
    fn welch_matches_scipy() {
        // scipy.stats.ttest_ind(b, a, equal_var=False) and .confidence_interval(0.95)
        let a = arm(&[3.1, 2.4, 5.6, 4.4, 3.9, 2.2, 4.8]);
        let b = arm(&[4.2, 5.1, 6.3, 3.8, 5.9, 6.6, 4.9, 5.5, 7.0]);
        let e = absolute(&a, &b);
        let t = two_sided(&e, 0.05).unwrap();
        let close = |x: f64, y: f64| (x - y).abs() < 1e-12 * (1.0 + y.abs());
        assert!(close(t.statistic, 2.848469270482576), "{}", t.statistic);
        assert!(close(e.df, 11.875161698639868), "{}", e.df);
        assert!(close(t.p_value, 0.014798555857550286), "{}", t.p_value);
        assert!(close(t.ci_low, 0.3996280985485532), "{}", t.ci_low);
        assert!(close(t.ci_high, 3.01307031414986), "{}", t.ci_high);
    }

    #[test]
    fn zero_variance_has_no_test() {
        let a = arm(&[1.0, 1.0, 1.0]);
        let b = arm(&[1.0, 1.0]);
        assert!(two_sided(&absolute(&a, &b), 0.05).is_none());
    }
}
