//! Multiple-testing corrections, matching statsmodels' `multipletests` (0.15).
//!
//! With `m` defined p-values sorted ascending, `p_(1) ≤ … ≤ p_(m)`:
//!
//! | correction | adjusted `p_(i)` | rejected |
//! |---|---|---|
//! | `none` | `p_(i)` | `p ≤ α` |
//! | `bonferroni` | `min(1, m·p)` | `p ≤ α/m` |
//! | `holm` | `min(1, max_{j≤i} (m−j+1)·p_(j))` | step-down: `p_(j) ≤ α/(m−j+1)` for all `j ≤ i` |
//! | `bh` (`fdr_bh`) | `min(1, min_{j≥i} p_(j)·m/j)` | step-up: `i ≤ max{j : p_(j) ≤ α·j/m}` |
//!
//! Rejection is decided the way statsmodels decides it — by comparing the raw p-values
//! with the step thresholds (`α/m`, `α/(m−j+1)`, `α·(j/m)`, each evaluated with the
//! same floating-point operations) — not by `p_adjusted ≤ α`. Mathematically the two
//! are the same; in floating point they can disagree when a p-value sits exactly on a
//! threshold (e.g. `p = 0.05/11` with `m = 11`: `p ≤ α/m` holds, but `11·p` rounds to
//! 0.05000000000000001 > α). rigor follows statsmodels, so `significant` can be true
//! with a `p_adjusted` that prints one ulp above α. The goldens include such cases.
//!
//! Undefined tests: a p-value that is `None` (or not finite) is left out of the family
//! — `m` counts only defined p-values — and comes back as `None`, never rejected.

use std::fmt;
use std::str::FromStr;

use crate::error::StatsError;

/// Which family-wise or false-discovery correction to apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Correction {
    /// No correction: adjusted = raw.
    #[default]
    None,
    /// Bonferroni (family-wise error rate).
    Bonferroni,
    /// Holm's step-down (family-wise error rate, uniformly more powerful).
    Holm,
    /// Benjamini–Hochberg step-up (false discovery rate); statsmodels' `fdr_bh`.
    Bh,
}

impl Correction {
    /// All corrections, in CLI order.
    pub const ALL: [Correction; 4] = [
        Correction::None,
        Correction::Bonferroni,
        Correction::Holm,
        Correction::Bh,
    ];

    /// The name used on the command line and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Correction::None => "none",
            Correction::Bonferroni => "bonferroni",
            Correction::Holm => "holm",
            Correction::Bh => "bh",
        }
    }
}

impl fmt::Display for Correction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Correction {
    type Err = StatsError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Correction::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| StatsError::UnknownCorrection(s.to_string()))
    }
}

/// Adjusted p-values and decisions, in the order of the input.
#[derive(Debug, Clone, PartialEq)]
pub struct Adjusted {
    /// Adjusted p-value per input; `None` where the input was undefined.
    pub p_adjusted: Vec<Option<f64>>,
    /// Whether each hypothesis is rejected at `alpha`; false where undefined.
    pub rejected: Vec<bool>,
}

/// Apply `correction` at level `alpha` to a family of p-values.
pub fn adjust(p_values: &[Option<f64>], correction: Correction, alpha: f64) -> Adjusted {
    let defined: Vec<(usize, f64)> = p_values
        .iter()
        .enumerate()
        .filter_map(|(i, p)| p.filter(|v| v.is_finite()).map(|v| (i, v)))
        .collect();
    let mut sorted = defined;
    sorted.sort_by(|a, b| a.1.total_cmp(&b.1));
    let p: Vec<f64> = sorted.iter().map(|&(_, v)| v).collect();
    let (adjusted, rejected) = adjust_sorted(&p, correction, alpha);
    let mut out = Adjusted {
        p_adjusted: vec![None; p_values.len()],
        rejected: vec![false; p_values.len()],
    };
    for (k, &(i, _)) in sorted.iter().enumerate() {
        out.p_adjusted[i] = Some(adjusted[k]);
        out.rejected[i] = rejected[k];
    }
    out
}

/// The correction on ascending p-values, as statsmodels evaluates it.
fn adjust_sorted(p: &[f64], correction: Correction, alpha: f64) -> (Vec<f64>, Vec<bool>) {
    let m = p.len();
    let mf = m as f64;
    let (mut adjusted, rejected): (Vec<f64>, Vec<bool>) = match correction {
        Correction::None => (p.to_vec(), p.iter().map(|&v| v <= alpha).collect()),
        Correction::Bonferroni => {
            let threshold = alpha / mf;
            (
                p.iter().map(|&v| v * mf).collect(),
                p.iter().map(|&v| v <= threshold).collect(),
            )
        }
        Correction::Holm => {
            // Step-down: reject until the first p above α/(m − i).
            let stop = (0..m).find(|&i| p[i] > alpha / (m - i) as f64).unwrap_or(m);
            let mut running = f64::NEG_INFINITY;
            let adjusted = (0..m)
                .map(|i| {
                    running = running.max(p[i] * (m - i) as f64);
                    running
                })
                .collect();
            (adjusted, (0..m).map(|i| i < stop).collect())
        }
        Correction::Bh => {
            let factor = |i: usize| (i + 1) as f64 / mf;
            // Step-up: reject everything up to the last p below α·(i+1)/m.
            let last = (0..m).rev().find(|&i| p[i] <= factor(i) * alpha);
            let mut running = f64::INFINITY;
            let mut adjusted = vec![0.0; m];
            for i in (0..m).rev() {
                running = running.min(p[i] / factor(i));
                adjusted[i] = running;
            }
            (
                adjusted,
                (0..m).map(|i| last.is_some_and(|l| i <= l)).collect(),
            )
        }
    };
    for v in &mut adjusted {
        if *v > 1.0 {
            *v = 1.0;
        }
    }
    (adjusted, rejected)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(p: &[f64], c: Correction) -> (Vec<f64>, Vec<bool>) {
        let input: Vec<Option<f64>> = p.iter().map(|&v| Some(v)).collect();
        let out = adjust(&input, c, 0.05);
        (out.p_adjusted.into_iter().flatten().collect(), out.rejected)
    }

    #[test]
    fn names_round_trip() {
        for c in Correction::ALL {
            assert_eq!(c.as_str().parse::<Correction>(), Ok(c));
            assert_eq!(c.to_string(), c.as_str());
        }
        assert!(matches!(
            "fdr_bh".parse::<Correction>(),
            Err(StatsError::UnknownCorrection(_))
        ));
    }

    #[test]
    fn textbook_values() {
        let p = [0.01, 0.04, 0.03, 0.005];
        let (adj, rej) = run(&p, Correction::Holm);
        assert_eq!(adj, vec![0.03, 0.06, 0.06, 0.02]);
        assert_eq!(rej, vec![true, false, false, true]);
        let (adj, rej) = run(&p, Correction::Bh);
        assert_eq!(adj, vec![0.02, 0.04, 0.04, 0.02]);
        assert_eq!(rej, vec![true; 4]);
        let (adj, _) = run(&p, Correction::Bonferroni);
        assert_eq!(adj, vec![0.04, 0.16, 0.12, 0.02]);
    }

    #[test]
    fn undefined_tests_leave_the_family() {
        let out = adjust(
            &[Some(0.02), None, Some(0.04), Some(f64::NAN)],
            Correction::Bonferroni,
            0.05,
        );
        assert_eq!(out.p_adjusted, vec![Some(0.04), None, Some(0.08), None]);
        assert_eq!(out.rejected, vec![true, false, false, false]);
        let empty = adjust(&[], Correction::Holm, 0.05);
        assert!(empty.p_adjusted.is_empty() && empty.rejected.is_empty());
    }
}
