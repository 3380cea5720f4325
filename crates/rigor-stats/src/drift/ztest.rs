//! Two-proportion z-test, two-sided, with the pooled variance — Evidently 0.7's `z`
//! test for binary columns, also used by rigor for the missing-share test (the same
//! statistic as statsmodels' `proportions_ztest`).
//!
//! `z = (p1 − p2) / sqrt(P(1 − P)(1/n1 + 1/n2))`, `P = (p1·n1 + p2·n2)/(n1 + n2)`,
//! p = `2·(1 − Φ(|z|))` — computed as Evidently does, so a p-value below ~1e-16
//! rounds to 0 exactly as there. When both samples hold one and the same value the
//! p-value is 1 (Evidently's special case). Drift: `p < threshold`.

use crate::distribution::{normal_cdf, normal_two_sided_p};

/// Result of [`z_test`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ZTest {
    /// `None` where Evidently skips the statistic (one shared value).
    pub statistic: Option<f64>,
    pub p_value: f64,
}

/// The z-test of `x1` successes in `n1` against `x2` in `n2`. `None` when a sample is
/// empty. `P = 0` or `P = 1` (no variance: both samples constant and equal) gives
/// p = 1.
pub fn z_test(x1: u64, n1: u64, x2: u64, n2: u64) -> Option<ZTest> {
    if n1 == 0 || n2 == 0 {
        return None;
    }
    let (n1f, n2f) = (n1 as f64, n2 as f64);
    let p1 = x1 as f64 / n1f;
    let p2 = x2 as f64 / n2f;
    let pooled = (p1 * n1f + p2 * n2f) / (n1f + n2f);
    if pooled == 0.0 || pooled == 1.0 {
        return Some(ZTest {
            statistic: None,
            p_value: 1.0,
        });
    }
    let z = (p1 - p2) / (pooled * (1.0 - pooled) * (1.0 / n1f + 1.0 / n2f)).sqrt();
    Some(ZTest {
        statistic: Some(z),
        p_value: 2.0 * (1.0 - normal_cdf(z.abs())),
    })
}

/// statsmodels' `proportions_ztest([x1, x2], [n1, n2])` (two-sided, pooled):
/// `P = (x1 + x2)/(n1 + n2)`, `z = (x1/n1 − x2/n2) / sqrt(P(1 − P)(1/n1 + 1/n2))`,
/// p = `2·Φ(−|z|)`. `None` where statsmodels returns NaN (`P` is 0 or 1, or a sample
/// is empty). rigor's missing-share test.
pub fn proportions_ztest(x1: u64, n1: u64, x2: u64, n2: u64) -> Option<ZTest> {
    if n1 == 0 || n2 == 0 {
        return None;
    }
    let (n1f, n2f) = (n1 as f64, n2 as f64);
    let pooled = (x1 + x2) as f64 / (n1f + n2f);
    if pooled == 0.0 || pooled == 1.0 {
        return None;
    }
    let var = pooled * (1.0 - pooled) * (1.0 / n1f + 1.0 / n2f);
    let z = (x1 as f64 / n1f - x2 as f64 / n2f) / var.sqrt();
    Some(ZTest {
        statistic: Some(z),
        p_value: normal_two_sided_p(z),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_proportions() {
        let t = z_test(5, 10, 10, 20).unwrap();
        assert_eq!(t.statistic, Some(0.0));
        assert_eq!(t.p_value, 1.0);
    }

    #[test]
    fn constant_samples() {
        assert_eq!(z_test(0, 10, 0, 5).unwrap().p_value, 1.0);
        assert_eq!(z_test(10, 10, 5, 5).unwrap().p_value, 1.0);
    }

    #[test]
    fn proportions_ztest_is_undefined_without_variance() {
        assert!(proportions_ztest(0, 10, 0, 10).is_none());
        let t = proportions_ztest(0, 100, 20, 100).unwrap();
        assert!(t.statistic.unwrap() < 0.0 && t.p_value < 1e-4);
    }
}
