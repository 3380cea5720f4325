//! GrowthBook's always-valid ("sequential") confidence interval and p-value
//! (gbstats `SequentialTwoSidedTTest`), after Waudby-Smith et al. (2023),
//! "Time-uniform central limit theory and asymptotic confidence sequences",
//! arXiv:2103.06476v7.
//!
//! With `N = n_a + n_b` units, an estimate `Δ` with variance `V`, level `α` and tuning
//! parameter `τ` (the sample size at which the interval is tightest; gbstats' default
//! 5000):
//!
//! - `ρ = √((−2 ln α + ln(−2 ln α + 1)) / τ)` (eq. 161);
//! - half-width `√(V·N) · √(2(Nρ² + 1) · ln(√(Nρ² + 1)/α) / (Nρ)²)` (eq. 9);
//! - `p = min(1, 1/E)` with the e-value `E = exp(ρ²·S/(2(Nρ² + 1))) / √(Nρ² + 1)`,
//!   `S = (Δ − Δ₀)²·N/V` (eq. 155).
//!
//! The interval and p-value stay valid however often the experiment is looked at.

use super::welch::Estimate;

/// The always-valid interval and p-value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sequential {
    pub ci_low: f64,
    pub ci_high: f64,
    pub p_value: f64,
}

/// gbstats' `rho` for level `alpha` and tuning parameter `tuning`.
pub fn rho(alpha: f64, tuning: f64) -> f64 {
    let l = -2.0 * alpha.ln();
    ((l + (l + 1.0).ln()) / tuning).sqrt()
}

/// The always-valid interval around `e` and the p-value of `e.value = 0`, for `n_total`
/// units in the two arms; `None` without a positive variance.
pub fn always_valid(e: &Estimate, n_total: f64, alpha: f64, tuning: f64) -> Option<Sequential> {
    e.se()?;
    let rho = rho(alpha, tuning);
    let nr2 = n_total * rho * rho;
    let s2 = e.variance * n_total;
    let half = s2.sqrt()
        * ((2.0 * (nr2 + 1.0)) * ((nr2 + 1.0).sqrt() / alpha).ln() / (n_total * rho).powi(2))
            .sqrt();
    let st2 = e.value.powi(2) * n_total / e.variance;
    let tr2p1 = nr2 + 1.0;
    let evalue = (rho * rho * st2 / (2.0 * tr2p1)).exp() / tr2p1.sqrt();
    Some(Sequential {
        ci_low: e.value - half,
        ci_high: e.value + half,
        p_value: (1.0 / evalue).min(1.0),
    })
}
