//! Effect size of a paired comparison: Cohen's d_z.
//!
//! `d_z = mean(d) / sd(d)` on the differences, with the sample standard deviation
//! (ddof = 1, evaluated as numpy's `np.std(d, ddof=1)`). It measures the mean change in
//! units of its own variability across units (queries), so it is comparable across
//! measures with different scales; note `d_z = t/√n` for the paired t statistic.
//!
//! `None` when `n < 2` or the differences have zero variance (all exactly equal), where
//! the ratio is undefined or infinite.

use crate::moments::{all_equal, mean, std_dev};

/// Cohen's d_z of the paired differences.
pub fn cohen_dz(differences: &[f64]) -> Option<f64> {
    if differences.len() < 2 || all_equal(differences) {
        return None;
    }
    let dz = mean(differences)? / std_dev(differences)?;
    dz.is_finite().then_some(dz)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_value_and_undefined_cases() {
        // d = [1, 2, 3, 4]: mean 2.5, sd √(5/3).
        let dz = cohen_dz(&[1.0, 2.0, 3.0, 4.0]).unwrap();
        assert!((dz - 2.5 / (5.0f64 / 3.0).sqrt()).abs() < 1e-15);
        assert_eq!(cohen_dz(&[1.0]), None);
        assert_eq!(cohen_dz(&[0.2, 0.2]), None);
        assert_eq!(cohen_dz(&[0.0, 0.0, 0.0]), None);
    }
}
