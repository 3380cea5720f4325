//! Invariants of the drift kernels, and the optimised merge-walks against naive
//! definitions (proptest).

use proptest::prelude::*;
use rigor_stats::drift::binning::{histogram, sturges_edges, value_counts};
use rigor_stats::drift::jensen_shannon::jensen_shannon;
use rigor_stats::drift::ks::{ks_2samp, statistic};
use rigor_stats::drift::psi::psi;
use rigor_stats::drift::sort::sort_floats;
use rigor_stats::drift::wasserstein::wasserstein_distance;
use rigor_stats::drift::{categorical_statistics, numerical_statistics, Sample};

/// Samples with ties: small integers scaled, so equal values across and within samples
/// are common.
fn sample() -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec((-20i32..20).prop_map(|v| f64::from(v) * 0.25), 1..60)
}

fn sorted(mut v: Vec<f64>) -> Vec<f64> {
    v.sort_by(f64::total_cmp);
    v
}

/// ECDF of `s` at `x`, by counting.
fn ecdf(s: &[f64], x: f64) -> f64 {
    s.iter().filter(|&&v| v <= x).count() as f64 / s.len() as f64
}

proptest! {
    #[test]
    fn ks_statistic_is_the_largest_ecdf_gap(a in sample(), b in sample()) {
        let (a, b) = (sorted(a), sorted(b));
        let naive = a
            .iter()
            .chain(&b)
            .map(|&x| (ecdf(&a, x) - ecdf(&b, x)).abs())
            .fold(0.0, f64::max);
        prop_assert!((statistic(&a, &b) - naive).abs() < 1e-12);
        let t = ks_2samp(&a, &b).unwrap();
        prop_assert!((0.0..=1.0).contains(&t.p_value));
        // Symmetric in its samples.
        let u = ks_2samp(&b, &a).unwrap();
        prop_assert!((t.p_value - u.p_value).abs() < 1e-12);
    }

    #[test]
    fn wasserstein_is_the_area_between_ecdfs(a in sample(), b in sample()) {
        let (a, b) = (sorted(a), sorted(b));
        let mut points: Vec<f64> = a.iter().chain(&b).copied().collect();
        points.sort_by(f64::total_cmp);
        points.dedup();
        let naive: f64 = points
            .windows(2)
            .map(|w| (ecdf(&a, w[0]) - ecdf(&b, w[0])).abs() * (w[1] - w[0]))
            .sum();
        prop_assert!((wasserstein_distance(&a, &b) - naive).abs() < 1e-9);
        prop_assert!((wasserstein_distance(&a, &b) - wasserstein_distance(&b, &a)).abs() < 1e-9);
    }

    #[test]
    fn histogram_counts_every_value_once(a in sample(), b in sample(), int in any::<bool>()) {
        let (a, b) = (sorted(a), sorted(b));
        let edges = sturges_edges(&a, &b, int);
        prop_assert!(edges.windows(2).all(|w| w[0] < w[1]));
        let counts = histogram(&a, &edges);
        prop_assert_eq!(counts.iter().sum::<u64>(), a.len() as u64);
        for (i, &c) in counts.iter().enumerate() {
            let last = i + 2 == edges.len();
            let naive = a
                .iter()
                .filter(|&&x| edges[i] <= x && (x < edges[i + 1] || (last && x <= edges[i + 1])))
                .count() as u64;
            prop_assert_eq!(c, naive);
        }
        let (values, ca, cb) = value_counts(&a, &b);
        prop_assert!(values.windows(2).all(|w| w[0] < w[1]));
        prop_assert_eq!(ca.iter().sum::<u64>(), a.len() as u64);
        prop_assert_eq!(cb.iter().sum::<u64>(), b.len() as u64);
    }

    #[test]
    fn distances_are_bounded_and_zero_on_identical_samples(a in sample(), b in sample()) {
        let (ra, rb) = (Sample::new(a.clone()), Sample::new(b));
        let s = numerical_statistics(&ra, &rb, false);
        let js = s.jensen_shannon.unwrap();
        prop_assert!((0.0..=std::f64::consts::LN_2.sqrt() + 1e-12).contains(&js));
        prop_assert!(s.psi.unwrap() >= -1e-12);
        prop_assert!(s.wasserstein_normed.unwrap() >= 0.0);
        let same = numerical_statistics(&ra, &Sample::new(a), false);
        prop_assert_eq!(same.ks_statistic, Some(0.0));
        prop_assert_eq!(same.ks_p_value, Some(1.0));
        prop_assert!(same.jensen_shannon.unwrap().abs() < 1e-12);
        prop_assert!(same.psi.unwrap().abs() < 1e-12);
        prop_assert_eq!(same.wasserstein, Some(0.0));
    }

    #[test]
    fn categorical_statistics_are_bounded(
        counts in prop::collection::vec((0u64..50, 0u64..50), 1..8)
    ) {
        let r: Vec<u64> = counts.iter().map(|c| c.0).collect();
        let c: Vec<u64> = counts.iter().map(|c| c.1).collect();
        prop_assume!(r.iter().sum::<u64>() > 0 && c.iter().sum::<u64>() > 0);
        let s = categorical_statistics(&r, &c);
        for p in [s.chi_square_p_value, s.z_p_value].into_iter().flatten() {
            prop_assert!((0.0..=1.0).contains(&p));
        }
        let js = s.jensen_shannon.unwrap();
        prop_assert!((0.0..=std::f64::consts::LN_2.sqrt() + 1e-12).contains(&js));
        // JS is symmetric; PSI too (its terms are (r − c)·ln(r/c)).
        let t = categorical_statistics(&c, &r);
        prop_assert!((t.jensen_shannon.unwrap() - js).abs() < 1e-12);
        let p = psi(&[0.5, 0.5], &[0.5, 0.5]);
        prop_assert_eq!(p, 0.0);
        prop_assert!(jensen_shannon(&[1.0], &[1.0]).abs() < 1e-15);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    #[test]
    fn radix_sort_equals_comparison_sort(v in prop::collection::vec(any::<f64>(), 0..24_000)) {
        let mut a = v.clone();
        let mut b = v;
        sort_floats(&mut a);
        b.sort_by(f64::total_cmp);
        prop_assert!(a.iter().zip(&b).all(|(x, y)| x.to_bits() == y.to_bits()));
    }
}
