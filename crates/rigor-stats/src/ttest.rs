//! Paired Student t test, two-sided — scipy's `ttest_rel(candidate, baseline)`.
//!
//! On the differences `d`: `t = mean(d) / sqrt(var(d)/n)` with the sample variance
//! (ddof = 1), `df = n − 1`, `p = P(|T_df| ≥ |t|)`. The mean and variance follow
//! scipy's floating-point evaluation order (see [`crate::moments`]), and the tail
//! probability is [`crate::distribution::student_t_two_sided_p`].
//!
//! Undefined cases (rigor reports `None` where scipy returns NaN or infinity):
//! - `n < 2`: no variance; the test is not returned at all.
//! - all differences exactly equal ("zero variance", including all zeros): statistic
//!   and p-value are `None`. scipy gives `t = ±inf, p = 0` for equal non-zero
//!   differences whose variance happens to round to 0, NaN for all zeros, and a finite
//!   but meaningless t when the rounded variance is a tiny positive number; rigor
//!   decides on exact equality instead, so the answer does not depend on rounding.

use crate::distribution::student_t_two_sided_p;
use crate::moments::{all_equal, mean, variance};

/// Result of a paired t test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TTest {
    /// `mean(d) / (sd(d)/√n)`; `None` when the differences have zero variance.
    pub statistic: Option<f64>,
    /// Degrees of freedom, `n − 1`.
    pub df: usize,
    /// Two-sided p-value; `None` exactly when `statistic` is.
    pub p_value: Option<f64>,
}

/// Paired t test on the differences `d = candidate − baseline`; `None` when `n < 2`.
pub fn paired_t(differences: &[f64]) -> Option<TTest> {
    let n = differences.len();
    if n < 2 {
        return None;
    }
    let df = n - 1;
    let undefined = TTest {
        statistic: None,
        df,
        p_value: None,
    };
    if all_equal(differences) {
        return Some(undefined);
    }
    let m = mean(differences)?;
    let v = variance(differences)?;
    let t = m / (v / n as f64).sqrt();
    if !t.is_finite() {
        // Distinct values whose squared deviations all underflow (|d| < 1e-154).
        return Some(undefined);
    }
    Some(TTest {
        statistic: Some(t),
        df,
        p_value: Some(student_t_two_sided_p(t, df as f64)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn textbook_example() {
        // d = [1, 2, 3, 4]: mean 2.5, sd √(5/3), t = 2.5/(√(5/3)/2) = 3.872983346207417
        let r = paired_t(&[1.0, 2.0, 3.0, 4.0]).unwrap();
        assert_eq!(r.df, 3);
        let t = r.statistic.unwrap();
        assert!((t - 3.872983346207417).abs() < 1e-14);
        // scipy.stats.ttest_rel([1,2,3,4], [0,0,0,0]).pvalue
        assert!((r.p_value.unwrap() - 0.030466291662170977).abs() < 1e-15);
    }

    #[test]
    fn undefined_cases() {
        assert_eq!(paired_t(&[]), None);
        assert_eq!(paired_t(&[1.0]), None);
        let zero = paired_t(&[0.0, 0.0, 0.0]).unwrap();
        assert_eq!((zero.statistic, zero.p_value), (None, None));
        let constant = paired_t(&[0.1, 0.1, 0.1]).unwrap();
        assert_eq!((constant.statistic, constant.p_value), (None, None));
    }

    #[test]
    fn sign_follows_direction() {
        let up = paired_t(&[0.1, 0.3, 0.2, 0.4]).unwrap();
        let down = paired_t(&[-0.1, -0.3, -0.2, -0.4]).unwrap();
        assert_eq!(up.statistic.map(|t| -t), down.statistic);
        assert_eq!(up.p_value, down.p_value);
    }
}
