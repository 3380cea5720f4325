//! Population Stability Index — Evidently 0.7's `psi` test: over Evidently's bins with
//! zero shares replaced (see [`super::binning`]),
//! `PSI = Σ (ref − cur) · ln(ref / cur)`. Drift: `score ≥ threshold` (0.1).

use crate::moments::pairwise_sum;

/// PSI of two aligned share vectors without zeros.
pub fn psi(reference: &[f64], current: &[f64]) -> f64 {
    let terms: Vec<f64> = reference
        .iter()
        .zip(current)
        .map(|(&r, &c)| (r - c) * (r / c).ln())
        .collect();
    pairwise_sum(&terms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_when_equal() {
        assert_eq!(psi(&[0.2, 0.8], &[0.2, 0.8]), 0.0);
        let v = psi(&[0.5, 0.5], &[0.25, 0.75]);
        let expected = 0.25 * 2f64.ln() + (-0.25) * (0.5f64 / 0.75).ln();
        assert!((v - expected).abs() < 1e-15);
    }
}
