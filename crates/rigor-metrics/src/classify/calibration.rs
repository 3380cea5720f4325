//! Probability quality: log loss, Brier score and expected calibration error.
//!
//! Per-row terms are computed once ([`log_loss_term`], the Brier terms); a metric is
//! the (weighted) mean of its terms, so a bootstrap resample only re-weights rows.
//!
//! - log loss (scikit-learn `log_loss`): `−ln(clip(P(true class)))`, probabilities
//!   clipped to `[ε, 1−ε]` with ε = f64 machine epsilon (2.22e-16), so a confident
//!   wrong prediction costs at most −ln ε = 36.04. Binary: a single probability `p` of
//!   the positive class is expanded to `[1−p, p]` before clipping, as scikit-learn.
//! - Brier (scikit-learn ≥ 1.7 `brier_score_loss`): mean over rows of
//!   `Σ_k (P_k − 1[y = k])²`; halved for two classes (so binary is the classic
//!   `mean (p − y)²`), not halved for three or more.
//! - ECE (no scikit-learn reference): confidence `c` = P(positive) (binary) or the
//!   largest class probability (multiclass), outcome = the label is the positive class
//!   / the most probable class (first in class order on ties) is the label; with `B`
//!   equal-width bins, row → bin `min(⌊c·B⌋, B−1)` (so `c = 1` falls in the last bin);
//!   `ECE = Σ_b (n_b/N)·|mean outcome_b − mean confidence_b|`, empty bins skipped.

/// scikit-learn's clipping bound for log loss: `np.finfo(float64).eps`.
pub const EPS: f64 = f64::EPSILON;

/// `np.clip(p, eps, 1 - eps)`.
pub fn clip(p: f64) -> f64 {
    p.clamp(EPS, 1.0 - EPS)
}

/// One row's log loss given the probability assigned to its true class.
pub fn log_loss_term(p_true: f64) -> f64 {
    -clip(p_true).ln()
}

/// One binary row's log loss: `p` is P(positive), as scikit-learn expands it to
/// `[1 − p, p]` before clipping.
pub fn binary_log_loss_term(p: f64, positive: bool) -> f64 {
    log_loss_term(if positive { p } else { 1.0 - p })
}

/// One binary row's Brier term before halving: `(t0 − (1−p))² + (t1 − p)²`, the
/// two-column form scikit-learn evaluates.
pub fn binary_brier_term(p: f64, positive: bool) -> f64 {
    let (t0, t1) = if positive { (0.0, 1.0) } else { (1.0, 0.0) };
    let a = t0 - (1.0 - p);
    let b = t1 - p;
    a * a + b * b
}

/// One row's multiclass Brier term: `Σ_k (P_k − 1[k = true])²` in class order.
pub fn brier_term(probabilities: impl Iterator<Item = f64>, true_index: Option<usize>) -> f64 {
    probabilities
        .enumerate()
        .map(|(k, p)| {
            let d = if Some(k) == true_index { 1.0 } else { 0.0 } - p;
            d * d
        })
        .sum()
}

/// The ECE bin of a confidence in [0, 1]: `min(⌊c·B⌋, B−1)`. (For a non-negative
/// value the truncating cast is the floor, without a libm call per row.)
#[inline]
pub fn ece_bin(confidence: f64, bins: usize) -> usize {
    ((confidence * bins as f64) as usize).min(bins - 1)
}

/// Per-bin sums for ECE.
#[derive(Debug, Clone, PartialEq)]
pub struct EceBins<A = Sum> {
    weight: Vec<u64>,
    outcome: Vec<u64>,
    confidence: Vec<A>,
}

impl<A: Accumulate + Clone> EceBins<A> {
    pub fn new(bins: usize) -> Self {
        EceBins {
            weight: vec![0; bins],
            outcome: vec![0; bins],
            confidence: vec![A::default(); bins],
        }
    }

    #[inline]
    pub fn add(&mut self, confidence: f64, outcome: bool, weight: u64) {
        let b = ece_bin(confidence, self.weight.len());
        self.weight[b] += weight;
        self.outcome[b] += if outcome { weight } else { 0 };
        self.confidence[b].add(confidence * weight as f64);
    }

    /// `Σ_b (n_b/N)·|mean outcome_b − mean confidence_b|` over non-empty bins.
    pub fn ece(&self) -> f64 {
        let total: u64 = self.weight.iter().sum();
        let mut ece = 0.0;
        for b in 0..self.weight.len() {
            let n = self.weight[b] as f64;
            if n == 0.0 {
                continue;
            }
            let gap = self.outcome[b] as f64 / n - self.confidence[b].value() / n;
            ece += n / total as f64 * gap.abs();
        }
        ece
    }
}

/// One non-empty bin of a reliability diagram: bounds `[lower, upper)` (the last bin
/// includes 1), rows, mean confidence and observed frequency of the outcome.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReliabilityBin {
    pub lower: f64,
    pub upper: f64,
    pub n: u64,
    pub confidence: f64,
    pub accuracy: f64,
}

impl<A: Accumulate + Clone> EceBins<A> {
    /// The non-empty bins behind [`EceBins::ece`], for a reliability diagram.
    pub fn reliability(&self) -> Vec<ReliabilityBin> {
        let bins = self.weight.len() as f64;
        (0..self.weight.len())
            .filter(|&b| self.weight[b] > 0)
            .map(|b| {
                let n = self.weight[b] as f64;
                ReliabilityBin {
                    lower: b as f64 / bins,
                    upper: (b + 1) as f64 / bins,
                    n: self.weight[b],
                    confidence: self.confidence[b].value() / n,
                    accuracy: self.outcome[b] as f64 / n,
                }
            })
            .collect()
    }
}

/// A running sum: [`Sum`] where every ulp counts (the reported values), plain `f64`
/// where speed does (bootstrap resamples, whose percentiles do not need 1e-16).
pub trait Accumulate: Default {
    fn add(&mut self, x: f64);
    fn value(&self) -> f64;
}

impl Accumulate for f64 {
    #[inline]
    fn add(&mut self, x: f64) {
        *self += x;
    }

    fn value(&self) -> f64 {
        *self
    }
}

impl Accumulate for Sum {
    #[inline]
    fn add(&mut self, x: f64) {
        Sum::add(self, x);
    }

    fn value(&self) -> f64 {
        Sum::value(self)
    }
}

/// Compensated (Neumaier) summation: sums of millions of terms stay exact to a few
/// ulps, like numpy's pairwise sums, whatever the order.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Sum {
    sum: f64,
    compensation: f64,
}

impl Sum {
    pub fn add(&mut self, x: f64) {
        let t = self.sum + x;
        if self.sum.abs() >= x.abs() {
            self.compensation += (self.sum - t) + x;
        } else {
            self.compensation += (x - t) + self.sum;
        }
        self.sum = t;
    }

    pub fn value(&self) -> f64 {
        self.sum + self.compensation
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clipping_bounds_the_loss() {
        assert_eq!(log_loss_term(0.0), -EPS.ln());
        assert!((log_loss_term(0.0) - 36.04365338911715).abs() < 1e-12);
        assert_eq!(binary_log_loss_term(1.0, false), -EPS.ln());
        assert_eq!(log_loss_term(1.0), -(1.0 - EPS).ln());
        assert_eq!(binary_log_loss_term(0.25, true), -(0.25f64).ln());
    }

    #[test]
    fn brier_terms() {
        assert_eq!(binary_brier_term(0.75, true) / 2.0, 0.0625);
        assert_eq!(binary_brier_term(0.5, false) / 2.0, 0.25);
        assert_eq!(
            brier_term([0.5, 0.25, 0.25].into_iter(), Some(1)),
            0.25 + 0.5625 + 0.0625
        );
    }

    #[test]
    fn ece_bins_edges_and_one() {
        assert_eq!(ece_bin(1.0, 10), 9);
        assert_eq!(ece_bin(0.0, 10), 0);
        assert_eq!(ece_bin(0.5, 2), 1);
        let mut b = EceBins::<Sum>::new(2);
        b.add(0.2, false, 1);
        b.add(0.4, true, 1);
        b.add(1.0, true, 2);
        // bin 0: n=2, outcome 1/2, confidence 0.3; bin 1: n=2, outcome 1, confidence 1.
        assert!((b.ece() - (0.5 * 0.2 + 0.5 * 0.0)).abs() < 1e-15);
        let r = b.reliability();
        assert_eq!(r.len(), 2);
        assert_eq!(
            (r[0].lower, r[0].upper, r[0].n, r[0].accuracy),
            (0.0, 0.5, 2, 0.5)
        );
        assert!((r[0].confidence - 0.3).abs() < 1e-15);
        assert_eq!((r[1].lower, r[1].upper, r[1].n), (0.5, 1.0, 2));
        assert_eq!((r[1].confidence, r[1].accuracy), (1.0, 1.0));
        let mut empty_middle = EceBins::<Sum>::new(3);
        empty_middle.add(0.1, false, 1);
        empty_middle.add(0.9, true, 1);
        let bounds: Vec<f64> = empty_middle.reliability().iter().map(|b| b.lower).collect();
        assert_eq!(bounds, vec![0.0, 2.0 / 3.0]);
    }

    #[test]
    fn compensated_sum() {
        let mut s = Sum::default();
        for _ in 0..10 {
            s.add(0.1);
        }
        s.add(1e100);
        s.add(-1e100);
        assert_eq!(s.value(), 1.0);
    }
}
