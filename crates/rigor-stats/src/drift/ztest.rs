//! Two-proportion z-test, two-sided, with the pooled variance — Evidently 0.7's `z`
//! test for binary columns, also used by rigor for the missing-share test (the same
//! statistic as statsmodels' `proportions_ztest`).
//!
//! `z = (p1 − p2) / sqrt(P(1 − P)(1/n1 + 1/n2))`, `P = (p1·n1 + p2·n2)/(n1 + n2)`,
//! p = `2·(1 − Φ(|z|))` — computed as Evidently does, so a p-value below ~1e-16
//! rounds to 0 exactly as there. When both samples hold one and the same value the
//! p-value is 1 (Evidently's special case). Drift: `p < threshold`.

use statrs::function::erf::{erf, erfc};

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
        p_value: 2.0 * (1.0 - ndtr(z.abs())),
    })
}

/// The standard normal CDF as cephes `ndtr` computes it.
pub fn ndtr(a: f64) -> f64 {
    let x = a * std::f64::consts::FRAC_1_SQRT_2;
    let z = x.abs();
    if z < std::f64::consts::FRAC_1_SQRT_2 {
        0.5 + 0.5 * erf(x)
    } else {
        let y = 0.5 * erfc(z);
        if x > 0.0 {
            1.0 - y
        } else {
            y
        }
    }
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
    fn normal_cdf() {
        assert!((ndtr(1.959963984540054) - 0.975).abs() < 1e-11);
        assert!((ndtr(-1.0) - 0.15865525393145707).abs() < 1e-10);
    }
}
