//! One paired comparison of a candidate with a baseline over the same units.
//!
//! [`compare_paired`] is the entry point the evaluators use: given per-unit scores of
//! the two systems (aligned: `baseline[i]` and `candidate[i]` belong to the same query),
//! it reports the means, the mean difference with its percentile-bootstrap interval,
//! Cohen's d_z and the p-value of the chosen [`PairedTest`]. All statistics are on the
//! differences `d_i = candidate_i − baseline_i`, so a positive delta, t statistic or
//! effect size means the candidate scores higher.

use std::fmt;
use std::str::FromStr;

use crate::bootstrap::Bootstrap;
use crate::effect::cohen_dz;
use crate::error::StatsError;
use crate::moments::mean;
use crate::paired_bootstrap::{bootstrap_p, bootstrap_test};
use crate::permutation::{sign_flip_test, sign_flip_tests};
use crate::ttest::paired_t;
use crate::wilcoxon::wilcoxon;

/// Which significance test to run on the paired differences.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PairedTest {
    /// Two-sided paired Student t ([`crate::ttest`]); scipy `ttest_rel`.
    #[default]
    PairedT,
    /// Two-sided Wilcoxon signed-rank ([`mod@crate::wilcoxon`]); scipy `wilcoxon`.
    Wilcoxon,
    /// Sign-flip randomization test of the mean ([`crate::permutation`]).
    Permutation,
    /// Paired bootstrap test of the mean ([`crate::paired_bootstrap`]).
    Bootstrap,
}

impl PairedTest {
    /// All tests, in CLI order.
    pub const ALL: [PairedTest; 4] = [
        PairedTest::PairedT,
        PairedTest::Wilcoxon,
        PairedTest::Permutation,
        PairedTest::Bootstrap,
    ];

    /// The name used on the command line and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            PairedTest::PairedT => "paired-t",
            PairedTest::Wilcoxon => "wilcoxon",
            PairedTest::Permutation => "permutation",
            PairedTest::Bootstrap => "bootstrap",
        }
    }

    /// Two-sided p-value of this test on the differences `d`; `None` where the test is
    /// undefined (see each test's module). `resamples` and `seed` are used only by the
    /// resampling tests.
    pub fn p_value(self, differences: &[f64], resamples: usize, seed: u64) -> Option<f64> {
        match self {
            PairedTest::PairedT => paired_t(differences).and_then(|t| t.p_value),
            PairedTest::Wilcoxon => wilcoxon(differences).map(|w| w.p_value),
            PairedTest::Permutation => sign_flip_test(differences, resamples, seed),
            PairedTest::Bootstrap => bootstrap_test(differences, resamples, seed),
        }
    }
}

impl fmt::Display for PairedTest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for PairedTest {
    type Err = StatsError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PairedTest::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| StatsError::UnknownTest(s.to_string()))
    }
}

/// The outcome of [`compare_paired`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PairedComparison {
    /// Number of pairs.
    pub n: usize,
    pub baseline_mean: f64,
    pub candidate_mean: f64,
    /// `mean(candidate − baseline)`: equal to `candidate_mean − baseline_mean` up to
    /// rounding, and the quantity the interval and the tests are about.
    pub delta: f64,
    /// `delta / |baseline_mean|`; `None` when the baseline mean is 0. Dividing by the
    /// magnitude keeps the sign of the lift equal to the sign of `delta`.
    pub relative_lift: Option<f64>,
    /// Percentile-bootstrap interval of the mean difference ([`Bootstrap`], same seed);
    /// `None` when `resamples` is 0.
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    /// Cohen's d_z ([`crate::effect`]).
    pub effect_size: Option<f64>,
    /// Two-sided p-value of the chosen test.
    pub p_value: Option<f64>,
}

/// Compare `candidate` with `baseline`, unit by unit.
///
/// `resamples` and `seed` drive the bootstrap interval and the resampling tests;
/// `confidence` is the interval's two-sided level in (0, 1). Errors when the slices
/// differ in length, are empty, or hold a non-finite value, or when `confidence` is
/// outside (0, 1).
pub fn compare_paired(
    baseline: &[f64],
    candidate: &[f64],
    test: PairedTest,
    resamples: usize,
    seed: u64,
    confidence: f64,
) -> Result<PairedComparison, StatsError> {
    let bootstrap = Bootstrap {
        resamples,
        confidence,
        seed,
    };
    let mut all = compare_paired_columns(&[baseline], &[candidate], test, &bootstrap, true)?;
    Ok(all.remove(0))
}

/// [`compare_paired`] for many columns over the same number of units at once (pair
/// `k` is `baseline[k]` against `candidate[k]`: several measures, or several
/// candidates). The resampling is joint: one bootstrap draw of units and one set of
/// sign flips per resample serve every column. Because the draws depend only on the
/// number of units and the seed, each column's result is exactly what
/// [`compare_paired`] gives for it alone — batching only saves time.
///
/// `intervals = false` skips the bootstrap interval (it is still computed when the
/// test is the bootstrap test, which needs the same resamples).
pub fn compare_paired_columns(
    baseline: &[&[f64]],
    candidate: &[&[f64]],
    test: PairedTest,
    bootstrap: &Bootstrap,
    intervals: bool,
) -> Result<Vec<PairedComparison>, StatsError> {
    let Bootstrap {
        resamples,
        confidence,
        seed,
    } = *bootstrap;
    if !(confidence > 0.0 && confidence < 1.0) {
        return Err(StatsError::InvalidConfidence(confidence));
    }
    let n = baseline.first().map_or(0, |c| c.len());
    let mut differences: Vec<Vec<f64>> = Vec::with_capacity(baseline.len());
    for (b, c) in baseline.iter().zip(candidate) {
        if b.len() != n || c.len() != n {
            return Err(StatsError::LengthMismatch {
                baseline: b.len(),
                candidate: c.len(),
            });
        }
        for (sample, values) in [("baseline", b), ("candidate", c)] {
            if let Some(index) = values.iter().position(|v| !v.is_finite()) {
                return Err(StatsError::NonFinite { sample, index });
            }
        }
        differences.push(c.iter().zip(b.iter()).map(|(c, b)| c - b).collect());
    }
    if n == 0 || baseline.len() != candidate.len() {
        return Err(StatsError::Empty);
    }
    let width = differences.len();
    let means = if intervals || test == PairedTest::Bootstrap {
        let flat: Vec<f64> = (0..n)
            .flat_map(|i| differences.iter().map(move |d| d[i]))
            .collect();
        bootstrap.resampled_means(&flat, width)
    } else {
        None
    };
    let intervals = means
        .as_ref()
        .filter(|_| intervals)
        .map(|m| bootstrap.percentile_intervals(m, width));
    let columns: Vec<&[f64]> = differences.iter().map(Vec::as_slice).collect();
    let p_values: Vec<Option<f64>> = match test {
        PairedTest::Permutation => sign_flip_tests(&columns, resamples, seed),
        PairedTest::Bootstrap => (0..width)
            .map(|c| {
                let m = means.as_ref()?;
                let resampled: Vec<f64> = m.iter().skip(c).step_by(width).copied().collect();
                bootstrap_p(columns[c], &resampled)
            })
            .collect(),
        _ => columns
            .iter()
            .map(|d| test.p_value(d, resamples, seed))
            .collect(),
    };
    Ok((0..width)
        .map(|c| {
            let (baseline_mean, candidate_mean, delta) = (
                mean(baseline[c]).unwrap_or(0.0),
                mean(candidate[c]).unwrap_or(0.0),
                mean(columns[c]).unwrap_or(0.0),
            );
            let interval = intervals.as_ref().map(|i| i[c]);
            PairedComparison {
                n,
                baseline_mean,
                candidate_mean,
                delta,
                relative_lift: (baseline_mean != 0.0).then(|| delta / baseline_mean.abs()),
                ci_low: interval.map(|i| i.low),
                ci_high: interval.map(|i| i.high),
                effect_size: cohen_dz(columns[c]),
                p_value: p_values[c],
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for t in PairedTest::ALL {
            assert_eq!(t.as_str().parse::<PairedTest>(), Ok(t));
            assert_eq!(t.to_string(), t.as_str());
        }
        assert_eq!(
            "ttest".parse::<PairedTest>(),
            Err(StatsError::UnknownTest("ttest".into()))
        );
    }

    #[test]
    fn comparison_fields() {
        let baseline = [0.2, 0.4, 0.5, 0.1, 0.3, 0.6];
        let candidate = [0.3, 0.45, 0.5, 0.25, 0.35, 0.7];
        let c = compare_paired(&baseline, &candidate, PairedTest::PairedT, 2000, 0, 0.95).unwrap();
        assert_eq!(c.n, 6);
        assert!((c.delta - (c.candidate_mean - c.baseline_mean)).abs() < 1e-15);
        assert!((c.relative_lift.unwrap() - c.delta / c.baseline_mean).abs() < 1e-15);
        let (low, high) = (c.ci_low.unwrap(), c.ci_high.unwrap());
        assert!(low <= c.delta && c.delta <= high);
        assert!(c.effect_size.unwrap() > 0.0);
        let p = c.p_value.unwrap();
        assert!(p > 0.0 && p < 0.05);
        for test in PairedTest::ALL {
            let c = compare_paired(&baseline, &candidate, test, 999, 1, 0.9).unwrap();
            assert!(c.p_value.is_some(), "{test}");
        }
    }

    #[test]
    fn edge_cases() {
        let zero =
            compare_paired(&[0.0, 0.0], &[0.1, 0.3], PairedTest::Wilcoxon, 100, 0, 0.95).unwrap();
        assert_eq!(zero.relative_lift, None);
        let no_ci =
            compare_paired(&[0.1, 0.2], &[0.3, 0.3], PairedTest::PairedT, 0, 0, 0.95).unwrap();
        assert_eq!((no_ci.ci_low, no_ci.ci_high), (None, None));
        assert_eq!(
            compare_paired(&[0.1], &[0.1, 0.2], PairedTest::PairedT, 10, 0, 0.95),
            Err(StatsError::LengthMismatch {
                baseline: 1,
                candidate: 2
            })
        );
        assert_eq!(
            compare_paired(&[], &[], PairedTest::PairedT, 10, 0, 0.95),
            Err(StatsError::Empty)
        );
        assert_eq!(
            compare_paired(
                &[0.1, f64::NAN],
                &[0.1, 0.2],
                PairedTest::PairedT,
                10,
                0,
                0.95
            ),
            Err(StatsError::NonFinite {
                sample: "baseline",
                index: 1
            })
        );
        assert_eq!(
            compare_paired(&[0.1], &[0.2], PairedTest::PairedT, 10, 0, 1.0),
            Err(StatsError::InvalidConfidence(1.0))
        );
    }

    #[test]
    fn negative_baseline_lift_keeps_the_sign_of_delta() {
        let c = compare_paired(
            &[-2.0, -2.0],
            &[-1.0, -1.0],
            PairedTest::PairedT,
            0,
            0,
            0.95,
        )
        .unwrap();
        assert_eq!(c.relative_lift, Some(0.5));
    }

    #[test]
    fn columns_agree_with_single_comparisons() {
        let b1: Vec<f64> = (0..40).map(|i| ((i * 7) % 11) as f64 / 10.0).collect();
        let c1: Vec<f64> = (0..40).map(|i| ((i * 5) % 13) as f64 / 10.0).collect();
        let b2: Vec<f64> = (0..40).map(|i| ((i * 3) % 7) as f64).collect();
        let c2: Vec<f64> = (0..40)
            .map(|i| ((i * 3) % 7) as f64 + (i % 3) as f64)
            .collect();
        for test in PairedTest::ALL {
            let b = Bootstrap {
                resamples: 500,
                confidence: 0.9,
                seed: 3,
            };
            let joint = compare_paired_columns(&[&b1, &b2], &[&c1, &c2], test, &b, true).unwrap();
            for (k, (b, c)) in [(&b1, &c1), (&b2, &c2)].into_iter().enumerate() {
                let single = compare_paired(b, c, test, 500, 3, 0.9).unwrap();
                // Draws depend only on the number of units and the seed, so every
                // column sees exactly the random stream of a lone comparison.
                assert_eq!(joint[k], single, "{test} column {k}");
                assert_ne!(single.ci_low, None);
            }
        }
    }
}
