//! Sample size and power of a two-sample z test, as statsmodels' `NormalIndPower`
//! (and `zt_ind_solve_power`) computes them.
//!
//! With standardized effect `d`, control size `n₁`, treatment size `n₂ = r·n₁` and the
//! effective size `n = 1/(1/n₁ + 1/n₂)`, the two-sided power at level `α` is
//!
//! `Φ̄(z_{α/2} − d√n) + Φ(−z_{α/2} − d√n)`
//!
//! (statsmodels `normal_power`, both tails counted). Solving for `n₁` or `d` inverts this
//! monotone function by bisection to machine precision. statsmodels' `solve_power`
//! stops its root search (`brentq_expanding`) at `xtol = 1e-5`, so its answers are
//! within 1e-5 (absolute) of the root rigor reports; the goldens check rigor against a
//! tight brentq root of statsmodels' own `power` function, and against `solve_power`
//! within its tolerance.
//!
//! Effect sizes: a mean difference `δ` with standard deviation `σ` is `δ/σ`; two
//! proportions use Cohen's `h = 2·asin√p₂ − 2·asin√p₁` (statsmodels
//! `proportion_effectsize(p₂, p₁)`).

use super::dist;

/// statsmodels `proportion_effectsize(prop1, prop2)`: `2·(asin√p₁ − asin√p₂)`.
pub fn proportion_effectsize(prop1: f64, prop2: f64) -> f64 {
    2.0 * (prop1.sqrt().asin() - prop2.sqrt().asin())
}

/// The inverse of [`proportion_effectsize`] in its first argument: the rate `p₁` with
/// effect size `h` against `p₂` (on the branch where `asin√p₁ ∈ [0, π/2]`).
pub fn proportion_for_effectsize(h: f64, prop2: f64) -> Option<f64> {
    let a = prop2.sqrt().asin() + h / 2.0;
    (0.0..=std::f64::consts::FRAC_PI_2)
        .contains(&a)
        .then(|| a.sin().powi(2))
}

/// Two-sided power of the z test (statsmodels `NormalIndPower().power`).
pub fn power(effect_size: f64, nobs1: f64, alpha: f64, ratio: f64) -> f64 {
    let nobs = if ratio > 0.0 {
        1.0 / (1.0 / nobs1 + 1.0 / (nobs1 * ratio))
    } else {
        nobs1
    };
    let shift = effect_size * nobs.sqrt();
    let crit = dist::normal_isf(alpha / 2.0);
    dist::normal_sf(crit - shift) + dist::normal_cdf(-crit - shift)
}

/// Bisection for the root of an increasing function on `(lo, ∞)`, to machine precision.
fn solve_increasing(f: impl Fn(f64) -> f64, mut lo: f64, start: f64) -> Option<f64> {
    let mut hi = start;
    let mut steps = 0;
    while f(hi) < 0.0 {
        lo = hi;
        hi *= 2.0;
        steps += 1;
        if steps > 2000 || !hi.is_finite() {
            return None;
        }
    }
    for _ in 0..2000 {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        if f(mid) < 0.0 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Some(0.5 * (lo + hi))
}

/// Control-arm size `n₁` giving `power` (statsmodels `solve_power(nobs1=None)`);
/// `None` when the effect size is 0 or the power is not above `alpha`.
pub fn solve_nobs1(effect_size: f64, alpha: f64, target: f64, ratio: f64) -> Option<f64> {
    if effect_size == 0.0 || !effect_size.is_finite() || target <= alpha || target >= 1.0 {
        return None;
    }
    solve_increasing(|n| power(effect_size, n, alpha, ratio) - target, 0.0, 2.0)
}

/// The (positive) standardized effect size detectable with `power` at control size
/// `nobs1` (statsmodels `solve_power(effect_size=None)`).
pub fn solve_effect_size(nobs1: f64, alpha: f64, target: f64, ratio: f64) -> Option<f64> {
    if nobs1.is_nan() || nobs1 <= 0.0 || target <= alpha || target >= 1.0 {
        return None;
    }
    solve_increasing(|d| power(d, nobs1, alpha, ratio) - target, 0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_statsmodels() {
        // The root of NormalIndPower().power(0.2, n, 0.05, 1.0) = 0.8 by scipy brentq
        // (rtol 8.9e-16); solve_power itself stops at xtol 1e-5: 392.4430232577885.
        let n = solve_nobs1(0.2, 0.05, 0.8, 1.0).unwrap();
        assert!((n - 392.4430254663101).abs() < 1e-10, "{n}");
        assert!((n - 392.4430232577885).abs() < 1e-5);
        // NormalIndPower().power(0.1, 1000, 0.05, 1.0)
        let p = power(0.1, 1000.0, 0.05, 1.0);
        assert!((p - 0.6087794846454566).abs() < 1e-12, "{p}");
    }
}
