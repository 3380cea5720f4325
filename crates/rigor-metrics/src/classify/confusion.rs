//! The confusion matrix: counts of (true class, predicted class) pairs.
//!
//! Every label-based metric of scikit-learn (accuracy, precision/recall/F1, balanced
//! accuracy, MCC, Cohen's kappa) is a function of this matrix. Counts are integers, so
//! the metrics are exact functions of the data; a bootstrap resample only changes
//! the counts.

/// A `k × k` matrix of counts; row = true class, column = predicted class.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confusion {
    k: usize,
    counts: Vec<u64>,
}

impl Confusion {
    pub fn new(k: usize) -> Self {
        Confusion {
            k,
            counts: vec![0; k * k],
        }
    }

    /// Counts the pairs `(labels[i], preds[i])` (class codes below `k`).
    pub fn from_codes(k: usize, labels: &[u32], preds: &[u32]) -> Self {
        let mut c = Confusion::new(k);
        for (&y, &p) in labels.iter().zip(preds) {
            c.add(y, p, 1);
        }
        c
    }

    pub fn add(&mut self, label: u32, pred: u32, weight: u64) {
        self.counts[label as usize * self.k + pred as usize] += weight;
    }

    pub fn classes(&self) -> usize {
        self.k
    }

    /// Rows whose true class is `t` and predicted class `p`.
    pub fn get(&self, t: usize, p: usize) -> u64 {
        self.counts[t * self.k + p]
    }

    /// Rows whose true class is `c` (scikit-learn's support).
    pub fn true_count(&self, c: usize) -> u64 {
        (0..self.k).map(|p| self.get(c, p)).sum()
    }

    /// Rows predicted as `c`.
    pub fn pred_count(&self, c: usize) -> u64 {
        (0..self.k).map(|t| self.get(t, c)).sum()
    }

    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }

    pub fn correct(&self) -> u64 {
        (0..self.k).map(|c| self.get(c, c)).sum()
    }

    /// Classes that occur as a label or a prediction, in class order: scikit-learn's
    /// `unique_labels(y_true, y_pred)`, the rows and columns it reports.
    pub fn present(&self) -> Vec<usize> {
        (0..self.k)
            .filter(|&c| self.true_count(c) + self.pred_count(c) > 0)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_margins() {
        let c = Confusion::from_codes(3, &[0, 0, 1, 2, 2], &[0, 1, 1, 2, 0]);
        assert_eq!(c.total(), 5);
        assert_eq!(c.correct(), 3);
        assert_eq!(c.true_count(0), 2);
        assert_eq!(c.pred_count(0), 2);
        assert_eq!(c.get(2, 0), 1);
        assert_eq!(c.present(), vec![0, 1, 2]);
        assert_eq!(Confusion::from_codes(3, &[0], &[2]).present(), vec![0, 2]);
    }
}
