//! Property tests: invariants every paired test and correction must satisfy, and the
//! Wilcoxon enumeration checked against a naive brute force.

use proptest::prelude::*;
use rigor_stats::distribution::student_t_two_sided_p;
use rigor_stats::{adjust, paired_t, sign_flip_test, wilcoxon, Correction, WilcoxonMethod};

/// Differences on a coarse grid, so ties and zeros are common.
fn grid_differences(max_len: usize) -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec((-6i32..=6).prop_map(|k| f64::from(k) / 4.0), 1..max_len)
}

/// Naive signed-rank p-value: rank by brute force, enumerate all 2^n sign flips.
fn brute_force_wilcoxon(d: &[f64]) -> f64 {
    let rank = |v: f64| {
        let below = d.iter().filter(|x| x.abs() < v && **x != 0.0).count() as f64;
        let equal = d.iter().filter(|x| x.abs() == v && **x != 0.0).count() as f64;
        below + (equal + 1.0) / 2.0
    };
    let r_plus = |signs: u32| -> f64 {
        d.iter()
            .enumerate()
            .filter(|&(i, &v)| v != 0.0 && ((v > 0.0) != (signs >> i & 1 == 1)))
            .map(|(_, &v)| rank(v.abs()))
            .sum()
    };
    let observed = r_plus(0);
    let total = 1u32 << d.len();
    let le = (0..total).filter(|&s| r_plus(s) <= observed).count();
    let ge = (0..total).filter(|&s| r_plus(s) >= observed).count();
    (2.0 * le.min(ge) as f64 / f64::from(total)).min(1.0)
}

proptest! {
    #[test]
    fn wilcoxon_enumeration_equals_brute_force(d in grid_differences(12)) {
        let w = wilcoxon(&d).unwrap();
        if w.method != WilcoxonMethod::Normal {
            prop_assert_eq!(w.p_value, brute_force_wilcoxon(&d));
        }
    }

    #[test]
    fn wilcoxon_is_symmetric_and_order_free(d in grid_differences(60), rot in 0usize..60) {
        let w = wilcoxon(&d).unwrap();
        prop_assert!(w.p_value > 0.0 && w.p_value <= 1.0);
        let flipped: Vec<f64> = d.iter().map(|v| -v).collect();
        let wf = wilcoxon(&flipped).unwrap();
        prop_assert_eq!(w.p_value, wf.p_value);
        prop_assert_eq!(w.statistic, wf.statistic);
        let mut rotated = d.clone();
        rotated.rotate_left(rot % d.len());
        prop_assert_eq!(w.p_value, wilcoxon(&rotated).unwrap().p_value);
    }

    #[test]
    fn t_test_is_antisymmetric_and_scale_free(
        d in prop::collection::vec(-1.0f64..1.0, 2..80),
        scale in 0.01f64..100.0,
    ) {
        let t = paired_t(&d).unwrap();
        let flipped: Vec<f64> = d.iter().map(|v| -v).collect();
        let tf = paired_t(&flipped).unwrap();
        prop_assert_eq!(t.statistic.map(|s| -s), tf.statistic);
        prop_assert_eq!(t.p_value, tf.p_value);
        let scaled: Vec<f64> = d.iter().map(|v| v * scale).collect();
        let ts = paired_t(&scaled).unwrap();
        if let (Some(a), Some(b)) = (t.p_value, ts.p_value) {
            prop_assert!((a - b).abs() <= 1e-9 * a.max(1e-300) + 1e-15, "{a} vs {b}");
            prop_assert!(a > 0.0 && a <= 1.0);
        }
    }

    #[test]
    fn t_tail_decreases_in_t(df in 1u32..2000, t in 0.0f64..40.0, step in 0.001f64..5.0) {
        let df = f64::from(df);
        let p = student_t_two_sided_p(t, df);
        let q = student_t_two_sided_p(t + step, df);
        prop_assert!(q <= p, "df={df} t={t}: {p} then {q}");
        prop_assert!((0.0..=1.0).contains(&p));
    }

    #[test]
    fn permutation_p_is_a_valid_probability(d in grid_differences(40), seed in 0u64..1000) {
        let p = sign_flip_test(&d, 199, seed).unwrap();
        prop_assert!((1.0 / 200.0..=1.0).contains(&p));
        prop_assert_eq!(Some(p), sign_flip_test(&d, 199, seed));
    }

    #[test]
    fn corrections_are_ordered(
        p in prop::collection::vec(prop::option::weighted(0.9, 0.0f64..=1.0), 0..30),
    ) {
        let none = adjust(&p, Correction::None, 0.05);
        let bonferroni = adjust(&p, Correction::Bonferroni, 0.05);
        let holm = adjust(&p, Correction::Holm, 0.05);
        let bh = adjust(&p, Correction::Bh, 0.05);
        for (i, &raw_p) in p.iter().enumerate() {
            prop_assert_eq!(none.p_adjusted[i], raw_p);
            match raw_p {
                None => {
                    prop_assert_eq!(bonferroni.p_adjusted[i], None);
                    prop_assert!(!holm.rejected[i] && !bh.rejected[i]);
                }
                Some(raw) => {
                    let (b, h, f) = (
                        bonferroni.p_adjusted[i].unwrap(),
                        holm.p_adjusted[i].unwrap(),
                        bh.p_adjusted[i].unwrap(),
                    );
                    // BH ≤ Holm ≤ Bonferroni holds with equality at the ends of the
                    // family (p·m against p/(1/m)), so allow a few ulps of rounding.
                    let le = |a: f64, b: f64| a <= b * (1.0 + 4.0 * f64::EPSILON);
                    prop_assert!(le(raw, f) && le(f, h) && le(h, b) && b <= 1.0);
                    // Each procedure rejects at least what the more conservative one does.
                    prop_assert!(!bonferroni.rejected[i] || holm.rejected[i]);
                    prop_assert!(!holm.rejected[i] || bh.rejected[i]);
                    prop_assert!(!bh.rejected[i] || none.rejected[i]);
                }
            }
        }
    }
}
