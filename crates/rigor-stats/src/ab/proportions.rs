//! Two-sample tests of proportions as statsmodels computes them.
//!
//! - [`pooled_z`]: `proportions_ztest([x_b, x_a], [n_b, n_a])` — the pooled z test,
//!   `z = (p_b − p_a) / √(p̂(1−p̂)(1/n_b + 1/n_a))` with `p̂ = (x_a + x_b)/(n_a + n_b)`,
//!   two-sided `p = 2·Φ(−|z|)`;
//! - [`wald`]: the unpooled difference `p_b − p_a` with
//!   `Var = p_a(1−p_a)/n_a + p_b(1−p_b)/n_b` — the interval of
//!   `confint_proportions_2indep(method='wald')` and, with a shifted null, the
//!   non-inferiority test of `test_proportions_2indep(method='wald', value=…)`.

use super::dist;
use super::welch::Estimate;

/// Successes out of trials in one arm.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Counts {
    pub successes: f64,
    pub n: f64,
}

impl Counts {
    pub fn rate(&self) -> f64 {
        self.successes / self.n
    }
}

/// The pooled two-proportion z test: `(statistic, two-sided p)`; `None` when the pooled
/// rate is 0 or 1 (no variance).
pub fn pooled_z(a: Counts, b: Counts) -> Option<(f64, f64)> {
    let diff = b.rate() - a.rate();
    let pooled = (b.successes + a.successes) / (b.n + a.n);
    let var = pooled * (1.0 - pooled) * (1.0 / b.n + 1.0 / a.n);
    if var.is_nan() || var <= 0.0 || !var.is_finite() {
        return None;
    }
    let z = diff / var.sqrt();
    Some((z, (dist::normal_sf(z.abs()) * 2.0).min(1.0)))
}

/// The unpooled (Wald) difference `p_b − p_a` as a z estimate.
pub fn wald(a: Counts, b: Counts) -> Estimate {
    let (pa, pb) = (a.rate(), b.rate());
    Estimate {
        value: pb - pa,
        variance: pa * (1.0 - pa) / a.n + pb * (1.0 - pb) / b.n,
        df: f64::INFINITY,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pooled_z_matches_statsmodels() {
        // statsmodels proportions_ztest([130, 100], [1000, 1000])
        let a = Counts {
            successes: 100.0,
            n: 1000.0,
        };
        let b = Counts {
            successes: 130.0,
            n: 1000.0,
        };
        let (z, p) = pooled_z(a, b).unwrap();
        assert!((z - 2.102740605622114).abs() < 1e-12, "{z}");
        assert!((p - 0.03548845046647471).abs() < 1e-12, "{p}");
    }
}
