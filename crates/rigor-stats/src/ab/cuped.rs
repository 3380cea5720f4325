//! CUPED (Deng et al. 2013) as gbstats computes it (`RegressionAdjustedStatistic`,
//! `compute_theta`).
//!
//! For a comparison of arms `a` and `b`, `θ = Cov(Y, X) / Var(X)` over the units of
//! both arms pooled (sample covariance and variance around the pooled means; under
//! `--compat growthbook` a 0/1 covariate's variance is `p(1−p)`). `θ = 0` — CUPED is not
//! applied — when the pooled variance of `X` or of `Y` is 0. Each arm's adjusted mean is
//! `ȳ − θ·x̄` and its per-unit variance `v_y + θ²·v_x − 2θ·c_xy`; the unadjusted mean
//! `ȳ` stays the denominator of relative differences.
//!
//! With sample variances this is exactly Welch's t on the adjusted values `y − θx`.

use super::moments::Moments;
use super::welch::ArmStat;
use super::VarianceKind;

/// `θ` pooled over the two arms; 0 when either pooled variance is 0.
pub fn theta(a: &Moments, b: &Moments, post: VarianceKind, pre: VarianceKind) -> f64 {
    let joint = a.merge(b);
    let var_post = post.variance(joint.mean_y, joint.var_y());
    let var_pre = pre.variance(joint.mean_x, joint.var_x());
    if var_pre == 0.0 || var_post == 0.0 {
        return 0.0;
    }
    joint.cov_xy() / var_pre
}

/// The adjusted arm statistic for a given `θ`.
pub fn adjusted(m: &Moments, theta: f64, post: VarianceKind, pre: VarianceKind) -> ArmStat {
    let variance = if m.n <= 1 {
        0.0
    } else {
        post.variance(m.mean_y, m.var_y()) + theta * theta * pre.variance(m.mean_x, m.var_x())
            - 2.0 * theta * m.cov_xy()
    };
    ArmStat {
        n: m.n_f64(),
        mean: m.mean_y - theta * m.mean_x,
        unadjusted_mean: m.mean_y,
        variance,
    }
}

/// The unadjusted statistic of `y`.
pub fn plain(m: &Moments, kind: VarianceKind) -> ArmStat {
    ArmStat {
        n: m.n_f64(),
        mean: m.mean_y,
        unadjusted_mean: m.mean_y,
        variance: kind.variance(m.mean_y, m.var_y()),
    }
}
