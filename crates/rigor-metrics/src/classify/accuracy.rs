//! Accuracy and balanced accuracy (scikit-learn `accuracy_score`,
//! `balanced_accuracy_score`).

use super::confusion::Confusion;

/// Share of rows predicted correctly.
pub fn accuracy(c: &Confusion) -> f64 {
    c.correct() as f64 / c.total() as f64
}

/// Mean recall over the classes that occur as labels. Classes that occur only as
/// predictions are left out, as scikit-learn does (it warns "y_pred contains classes
/// not in y_true").
pub fn balanced_accuracy(c: &Confusion) -> f64 {
    let recalls: Vec<f64> = (0..c.classes())
        .filter(|&k| c.true_count(k) > 0)
        .map(|k| c.get(k, k) as f64 / c.true_count(k) as f64)
        .collect();
    recalls.iter().sum::<f64>() / recalls.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn balanced_accuracy_ignores_prediction_only_classes() {
        let c = Confusion::from_codes(3, &[0, 0, 0, 1], &[0, 0, 2, 1]);
        assert_eq!(accuracy(&c), 0.75);
        assert_eq!(balanced_accuracy(&c), (2.0 / 3.0 + 1.0) / 2.0);
    }
}
