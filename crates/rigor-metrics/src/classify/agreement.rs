//! Agreement beyond chance between labels and predictions: Matthews correlation
//! coefficient and Cohen's kappa, in scikit-learn's floating-point formulation.

use super::confusion::Confusion;

/// Matthews correlation coefficient (multiclass: Gorodkin's R_K), as scikit-learn's
/// `matthews_corrcoef`:
/// `(c·s − t·p) / sqrt((s² − p·p)(s² − t·t))` with `t`, `p` the true and predicted
/// class counts, `c` the correct count and `s` the rows. When the denominator is 0
/// (all labels or all predictions one class) it is 0.0, as scikit-learn returns.
/// Returns the value and whether it was undefined.
pub fn mcc(c: &Confusion) -> (f64, bool) {
    let k = c.classes();
    let t: Vec<f64> = (0..k).map(|i| c.true_count(i) as f64).collect();
    let p: Vec<f64> = (0..k).map(|i| c.pred_count(i) as f64).collect();
    let correct = c.correct() as f64;
    let n: f64 = p.iter().sum();
    let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
    let cov_ytyp = correct * n - dot(&t, &p);
    let cov_ypyp = n * n - dot(&p, &p);
    let cov_ytyt = n * n - dot(&t, &t);
    let denominator = cov_ypyp * cov_ytyt;
    if denominator == 0.0 {
        (0.0, true)
    } else {
        (cov_ytyp / denominator.sqrt(), false)
    }
}

/// Cohen's kappa (unweighted), as scikit-learn's `cohen_kappa_score`:
/// `1 − Σ_{i≠j} C_ij / Σ_{i≠j} E_ij`, `E_ij = pred_i · true_j / n`. `None` when the
/// expected disagreement is 0 (labels and predictions share one class only), where
/// scikit-learn returns NaN.
pub fn cohen_kappa(c: &Confusion) -> Option<f64> {
    let k = c.classes();
    let sum0: Vec<f64> = (0..k).map(|i| c.pred_count(i) as f64).collect();
    let sum1: Vec<f64> = (0..k).map(|i| c.true_count(i) as f64).collect();
    let n: f64 = sum0.iter().sum();
    if n == 0.0 {
        return None;
    }
    let mut observed = 0.0;
    let mut expected = 0.0;
    // scikit-learn's confusion matrix is indexed [true][pred]; kappa is symmetric in
    // the two, and its expected matrix is outer(sum0, sum1) / n.
    for (i, s0) in sum0.iter().enumerate() {
        for (j, s1) in sum1.iter().enumerate() {
            if i != j {
                observed += c.get(i, j) as f64;
                expected += s0 * s1 / n;
            }
        }
    }
    if expected == 0.0 {
        None
    } else {
        Some(1.0 - observed / expected)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perfect_and_undefined() {
        let c = Confusion::from_codes(2, &[0, 1, 1], &[0, 1, 1]);
        assert_eq!(mcc(&c), (1.0, false));
        assert_eq!(cohen_kappa(&c), Some(1.0));
        let one = Confusion::from_codes(2, &[1, 1], &[1, 1]);
        assert_eq!(mcc(&one), (0.0, true));
        assert_eq!(cohen_kappa(&one), None);
    }
}
