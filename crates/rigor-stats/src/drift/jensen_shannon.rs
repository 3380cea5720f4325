//! Jensen–Shannon distance — Evidently 0.7's `jensenshannon` test: scipy's
//! `distance.jensenshannon(p, q)` (natural log) over Evidently's bins (see
//! [`super::binning`], zero shares kept). Drift: `score ≥ threshold` (0.1).
//!
//! `p` and `q` are normalised to sum 1, `m = (p + q)/2`,
//! `JS = sqrt((Σ rel_entr(p, m) + Σ rel_entr(q, m)) / 2)` with
//! `rel_entr(x, y) = x·ln(x/y)` (0 when `x = 0`).

use crate::moments::pairwise_sum;

/// The Jensen–Shannon distance between two aligned share vectors.
pub fn jensen_shannon(p: &[f64], q: &[f64]) -> f64 {
    let sp = pairwise_sum(p);
    let sq = pairwise_sum(q);
    let p: Vec<f64> = p.iter().map(|x| x / sp).collect();
    let q: Vec<f64> = q.iter().map(|x| x / sq).collect();
    let m: Vec<f64> = p.iter().zip(&q).map(|(a, b)| (a + b) / 2.0).collect();
    let left: Vec<f64> = p.iter().zip(&m).map(|(&x, &y)| rel_entr(x, y)).collect();
    let right: Vec<f64> = q.iter().zip(&m).map(|(&x, &y)| rel_entr(x, y)).collect();
    let js = pairwise_sum(&left) + pairwise_sum(&right);
    (js / 2.0).sqrt()
}

/// scipy.special `rel_entr`.
fn rel_entr(x: f64, y: f64) -> f64 {
    if x.is_nan() || y.is_nan() {
        f64::NAN
    } else if x > 0.0 && y > 0.0 {
        x * (x / y).ln()
    } else if x == 0.0 && y >= 0.0 {
        0.0
    } else {
        f64::INFINITY
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_and_disjoint() {
        assert_eq!(jensen_shannon(&[0.5, 0.5], &[0.5, 0.5]), 0.0);
        // Disjoint supports: sqrt(ln 2).
        let d = jensen_shannon(&[1.0, 0.0], &[0.0, 1.0]);
        assert!((d - std::f64::consts::LN_2.sqrt()).abs() < 1e-15);
    }
}
