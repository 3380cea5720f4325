//! Online experiment (A/B test) analysis: the statistics behind `rigor ab`.
//!
//! Kernels, each small and checked against its reference (scipy, statsmodels, or
//! GrowthBook's `gbstats` 0.8.0 source):
//!
//! - [`moments`]: mergeable per-group moments — every test below needs only these;
//! - [`welch`]: Welch's t, the delta-method relative difference, one-sided tests;
//! - [`proportions`]: the pooled z test and the Wald interval (statsmodels);
//! - [`ratio`]: ratio metrics by the delta method (gbstats `RatioStatistic`);
//! - [`cuped`]: CUPED with `θ` pooled over the compared arms (gbstats);
//! - [`sequential`]: GrowthBook's always-valid interval and p-value;
//! - [`srm`]: the sample-ratio-mismatch chi-square test;
//! - [`mann_whitney`]: the rank test reported beside mean metrics;
//! - [`power`]: sample size and power (statsmodels `NormalIndPower`);
//! - [`compare`]: one metric, one treatment arm against control, in either
//!   compatibility mode; [`experiment`]: a whole experiment — arms, metrics,
//!   correction, segments, daily looks, SRM.
//!
//! ```
//! use rigor_stats::ab::{srm, Moments};
//! let t = srm::chi_square(&[5150.0, 4850.0], &[1.0, 1.0]).unwrap();
//! assert_eq!(t.chi2, 9.0);
//! let m = Moments::of(&[1.0, 2.0, 3.0], &[]);
//! assert_eq!(m.var_y(), 1.0);
//! ```

pub mod compare;
pub mod cuped;
pub mod dist;
pub mod experiment;
pub mod mann_whitney;
pub mod moments;
pub mod power;
pub mod proportions;
pub mod ratio;
pub mod sequential;
pub mod srm;
pub mod welch;

pub use compare::{compare, Comparison, Compat, Direction, Guardrail, Margin, Settings, Shape};
pub use moments::Moments;

/// Which per-unit variance a column gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VarianceKind {
    /// The sample variance (ddof = 1; 0 for fewer than two units).
    Sample,
    /// `p(1−p)` from the mean (gbstats `ProportionStatistic`).
    Bernoulli,
}

impl VarianceKind {
    /// The variance for a column with this `mean` and sample variance.
    pub fn variance(self, mean: f64, sample_variance: f64) -> f64 {
        match self {
            VarianceKind::Sample => sample_variance,
            VarianceKind::Bernoulli => mean * (1.0 - mean),
        }
    }
}
