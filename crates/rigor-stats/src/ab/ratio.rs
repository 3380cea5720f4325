//! Ratio metrics by the delta method (gbstats `RatioStatistic`): per arm,
//! `R = Σm / Σd` over units, with per-unit variance
//!
//! `Var = v_m/μ_d² − 2·c_md·μ_m/μ_d³ + μ_m²·v_d/μ_d⁴`
//!
//! where `μ` are the unit means of numerator and denominator, `v` their variances
//! (sample variance, or `p(1−p)` for a 0/1 column under `--compat growthbook`) and `c`
//! their sample covariance. The test then treats `R` as a mean over the arm's units.

use super::moments::Moments;
use super::welch::ArmStat;
use super::VarianceKind;

/// The arm statistic of `Σy/Σx` from moments of (numerator `y`, denominator `x`).
/// gbstats conventions: mean 0 when `Σx = 0`, variance 0 when `μ_x = 0` or `n ≤ 1`.
pub fn ratio_stat(m: &Moments, num: VarianceKind, den: VarianceKind) -> ArmStat {
    let n = m.n_f64();
    let sum_d = m.sum_x();
    let mean = if sum_d == 0.0 { 0.0 } else { m.sum_y() / sum_d };
    let (mu_m, mu_d) = (m.mean_y, m.mean_x);
    let variance = if mu_d == 0.0 || m.n <= 1 {
        0.0
    } else {
        let v_m = num.variance(mu_m, m.var_y());
        let v_d = den.variance(mu_d, m.var_x());
        v_m / mu_d.powi(2) - 2.0 * m.cov_xy() * mu_m / mu_d.powi(3)
            + mu_m.powi(2) * v_d / mu_d.powi(4)
    };
    ArmStat {
        n,
        mean,
        unadjusted_mean: mean,
        variance,
    }
}
