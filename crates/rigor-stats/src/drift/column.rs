//! Every statistic of one column at once: the chosen method's score is one of them.

use super::binning::{distinct_union_sorted, value_counts, Binned, MAX_VALUE_BINS};
use super::chisquare::chi_square;
use super::jensen_shannon::jensen_shannon;
use super::ks::{ks_2samp, KsMethod};
use super::psi::psi;
use super::sort::sort_floats;
use super::wasserstein::{population_std, wasserstein_distance, MIN_NORM};
use super::ztest::z_test;
use super::Method;

/// A numerical sample, missing values already dropped: sorted, with the population
/// standard deviation computed in the original order (as `np.std` on the column).
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    sorted: Vec<f64>,
    std: f64,
}

impl Sample {
    /// Takes finite values in file order.
    pub fn new(mut values: Vec<f64>) -> Sample {
        let std = if values.is_empty() {
            f64::NAN
        } else {
            population_std(&values)
        };
        sort_floats(&mut values);
        Sample {
            sorted: values,
            std,
        }
    }

    pub fn sorted(&self) -> &[f64] {
        &self.sorted
    }

    pub fn len(&self) -> usize {
        self.sorted.len()
    }

    pub fn is_empty(&self) -> bool {
        self.sorted.is_empty()
    }

    /// Population standard deviation (numpy `std`, ddof = 0).
    pub fn std(&self) -> f64 {
        self.std
    }

    /// Distinct values of this sample and `other` together.
    pub fn distinct_with(&self, other: &Sample) -> usize {
        distinct_union_sorted(&self.sorted, &other.sorted)
    }
}

/// Every drift statistic rigor computes for a column; `None` where a statistic does
/// not apply (KS on a categorical column) or is undefined (chi-square with one
/// category).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Statistics {
    pub ks_statistic: Option<f64>,
    pub ks_p_value: Option<f64>,
    pub ks_method: Option<KsMethod>,
    /// W1 in the column's units.
    pub wasserstein: Option<f64>,
    /// W1 / max(std(reference), 0.001): Evidently's score.
    pub wasserstein_normed: Option<f64>,
    pub jensen_shannon: Option<f64>,
    pub psi: Option<f64>,
    /// `+∞` (JSON: null, p = 0) when a category is new.
    pub chi_square: Option<f64>,
    pub chi_square_df: Option<usize>,
    pub chi_square_p_value: Option<f64>,
    pub z: Option<f64>,
    pub z_p_value: Option<f64>,
}

impl Statistics {
    /// The score `method` judges drift by.
    pub fn score(&self, method: Method) -> Option<f64> {
        match method {
            Method::Ks => self.ks_p_value,
            Method::ChiSquare => self.chi_square_p_value,
            Method::Z => self.z_p_value,
            Method::Wasserstein => self.wasserstein_normed,
            Method::JensenShannon => self.jensen_shannon,
            Method::Psi => self.psi,
        }
    }
}

/// All statistics of a numerical column. `integer` is whether both samples are
/// integer columns without missing values (numpy then floors Sturges' bin width at
/// 1). Value-count tests (chi-square, z) are computed when reference ∪ current has at
/// most 20 distinct values, or when `method` needs them.
pub fn numerical_statistics(reference: &Sample, current: &Sample, integer: bool) -> Statistics {
    numerical_statistics_for(reference, current, integer, None)
}

/// As [`numerical_statistics`], making sure `method`'s score is computed.
pub fn numerical_statistics_for(
    reference: &Sample,
    current: &Sample,
    integer: bool,
    method: Option<Method>,
) -> Statistics {
    let (a, b) = (reference.sorted(), current.sorted());
    if a.is_empty() || b.is_empty() {
        return Statistics::default();
    }
    let mut s = Statistics::default();
    if let Some(ks) = ks_2samp(a, b) {
        s.ks_statistic = Some(ks.statistic);
        s.ks_p_value = Some(ks.p_value);
        s.ks_method = Some(ks.method);
    }
    let w = wasserstein_distance(a, b);
    s.wasserstein = Some(w);
    s.wasserstein_normed = Some(w / reference.std().max(MIN_NORM));
    let binned = Binned::numerical(a, b, integer);
    s.jensen_shannon = Some(jensen_shannon(&binned.reference, &binned.current));
    let filled = binned.without_zeros();
    s.psi = Some(psi(&filled.reference, &filled.current));
    let distinct = reference.distinct_with(current);
    let forced = matches!(method, Some(Method::ChiSquare | Method::Z));
    if distinct <= MAX_VALUE_BINS || forced {
        let (_, ca, cb) = value_counts(a, b);
        value_tests(&mut s, &ca, &cb, distinct <= 2 || method == Some(Method::Z));
    }
    s
}

/// All statistics of a categorical column from aligned counts over the union of
/// categories, ordered as Python sorts the values (the z-test compares the first
/// category with the rest).
pub fn categorical_statistics(reference: &[u64], current: &[u64]) -> Statistics {
    categorical_statistics_for(reference, current, None)
}

/// As [`categorical_statistics`], making sure `method`'s score is computed.
pub fn categorical_statistics_for(
    reference: &[u64],
    current: &[u64],
    method: Option<Method>,
) -> Statistics {
    // Categories are the values either sample holds (Evidently's union of observed
    // values): a category absent from both is not one.
    let (reference, current): (Vec<u64>, Vec<u64>) = reference
        .iter()
        .zip(current)
        .filter(|(&r, &c)| r > 0 || c > 0)
        .map(|(&r, &c)| (r, c))
        .unzip();
    let (reference, current) = (&reference[..], &current[..]);
    let n_ref: u64 = reference.iter().sum();
    let n_cur: u64 = current.iter().sum();
    if n_ref == 0 || n_cur == 0 {
        return Statistics::default();
    }
    let mut s = Statistics::default();
    let binned = Binned::from_counts(reference, current, n_ref as usize, n_cur as usize);
    s.jensen_shannon = Some(jensen_shannon(&binned.reference, &binned.current));
    let filled = binned.without_zeros();
    s.psi = Some(psi(&filled.reference, &filled.current));
    value_tests(
        &mut s,
        reference,
        current,
        reference.len() <= 2 || method == Some(Method::Z),
    );
    s
}

/// Chi-square (two or more categories) and, when asked, the z-test of the first
/// category against the rest — with Evidently's p = 1 when both samples hold one
/// and the same value.
fn value_tests(s: &mut Statistics, reference: &[u64], current: &[u64], with_z: bool) {
    if let Some(chi) = chi_square(reference, current) {
        s.chi_square = Some(chi.statistic);
        s.chi_square_df = Some(chi.df);
        s.chi_square_p_value = Some(chi.p_value);
    }
    if with_z {
        let n_ref: u64 = reference.iter().sum();
        let n_cur: u64 = current.iter().sum();
        let present = |c: &[u64]| c.iter().filter(|&&x| x > 0).count();
        let single_same = present(reference) == 1
            && present(current) == 1
            && reference.iter().zip(current).any(|(&r, &c)| r > 0 && c > 0);
        if single_same {
            s.z = None;
            s.z_p_value = Some(1.0);
        } else if let (Some(&r0), Some(&c0)) = (reference.first(), current.first()) {
            if let Some(z) = z_test(n_ref - r0, n_ref, n_cur - c0, n_cur) {
                s.z = z.statistic;
                s.z_p_value = Some(z.p_value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numerical_shift_is_seen_by_every_statistic() {
        let r = Sample::new((0..200).map(|i| f64::from(i) / 10.0).collect());
        let c = Sample::new((0..200).map(|i| f64::from(i) / 10.0 + 5.0).collect());
        let s = numerical_statistics(&r, &c, false);
        // scipy: ks_2samp → D = 0.25, p = 4.8e-6 (exact).
        assert_eq!(s.ks_statistic, Some(0.25));
        assert!(s.ks_p_value.unwrap() < 1e-5);
        assert!((s.wasserstein.unwrap() - 5.0).abs() < 1e-9);
        assert!(s.jensen_shannon.unwrap() > 0.1);
        assert!(s.psi.unwrap() > 0.1);
        assert!(s.chi_square.is_none(), "200 distinct values: no chi-square");
    }

    #[test]
    fn categorical_single_shared_value() {
        let s = categorical_statistics(&[10], &[5]);
        assert_eq!(s.z_p_value, Some(1.0));
        assert_eq!(s.chi_square_p_value, None);
        assert_eq!(s.jensen_shannon, Some(0.0));
    }

    #[test]
    fn empty_sample_gives_nothing() {
        let s = numerical_statistics(&Sample::new(vec![]), &Sample::new(vec![1.0]), false);
        assert_eq!(s, Statistics::default());
    }
}
