//! Paired significance tests of corpus-level scores — BLEU, chrF, TER and other
//! statistics that are not means of per-segment values but are recomputed from summed
//! per-segment sufficient statistics — as sacrebleu 2.x defines them
//! (`sacrebleu/significance.py`, `--paired-bs` and `--paired-ar`).
//!
//! Both systems are scored on the same segments. `b` and `c` are the baseline's and
//! the candidate's corpus scores on all segments, `δ = |c − b|`.
//!
//! **Paired bootstrap resampling** (Koehn 2004; sacrebleu `_paired_bs_test`, after
//! Moses' `bootstrap-hypothesis-difference-significance.pl`). Resample `r` draws `n`
//! segments with replacement — the same draw for both systems — and rescoring gives
//! `b_r` and `c_r`. The null distribution is formed by centring the absolute resampled
//! differences at their mean, `s_r = |c_r − b_r| − mean_r'(|c_r' − b_r'|)`, and
//!
//! ```text
//! p = (#{r : s_r > δ} + 1) / (R + 1)        (strictly greater, as sacrebleu)
//! ```
//!
//! sacrebleu's default is `R = 1000`. The resample scores come from
//! [`crate::statistic_bootstrap::summed_statistic_resamples`] (rigor's seeded ChaCha8
//! draws, not numpy's), so p-values agree with sacrebleu's within Monte-Carlo error.
//!
//! **Approximate randomization** (Riezler & Maxwell 2005; sacrebleu `_paired_ar_test`,
//! after multeval). Trial `t` swaps each segment's statistics between the two systems
//! with probability ½, giving pseudo-systems `A_t`, `B_t`, and
//!
//! ```text
//! p = (#{t : |score(A_t) − score(B_t)| > δ} + 1) / (T + 1)
//! ```
//!
//! with sacrebleu's default `T = 10000`. Trial `t`'s swaps are the bits of
//! [`crate::bootstrap::resample_rng`]`(seed, t)`, 64 segments per `u64` (bit `i mod 64`
//! of word `⌊i/64⌋` swaps segment `i`), as the sign flips of [`crate::permutation`].
//!
//! **sacrebleu's "mean ± CI"** of a system ([`sacrebleu_spread`], its `estimate_ci`):
//! the mean of the resampled scores and half the distance between the sorted scores
//! at positions `⌊R/40⌋` and `R − ⌊R/40⌋ − 1` (a 95% interval whatever the level).
//!
//! One deliberate difference: when the two systems have the same score in every
//! resample (or trial) and on the data — identical statistics — sacrebleu reports
//! `p = 1/(R+1)` (nothing is strictly greater than `δ = 0`), calling a system
//! significantly different from itself. rigor returns `None` (undefined), as its other
//! paired tests do for zero differences.

use rand::RngCore;
use rayon::prelude::*;

use crate::bootstrap::resample_rng;
use crate::moments::mean;

/// sacrebleu's summary of a system's resampled scores: `mean ± half_width`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spread {
    pub mean: f64,
    pub half_width: f64,
}

/// sacrebleu's `estimate_ci` of resampled scores (see the module documentation);
/// `None` when there are none.
pub fn sacrebleu_spread(scores: &[f64]) -> Option<Spread> {
    if scores.is_empty() {
        return None;
    }
    let mut sorted = scores.to_vec();
    sorted.sort_unstable_by(f64::total_cmp);
    let n = sorted.len();
    let lower = n / 40;
    let upper = n - lower - 1;
    Some(Spread {
        mean: mean(&sorted)?,
        half_width: 0.5 * (sorted[upper] - sorted[lower]),
    })
}

/// The paired-bootstrap p-value from the two systems' scores in the same resamples
/// (`baseline[r]`, `candidate[r]`) and the observed difference `c − b`. `None` when
/// there are no resamples, the slices differ in length, or the systems tie in every
/// resample and on the data.
pub fn paired_bootstrap_p(baseline: &[f64], candidate: &[f64], observed: f64) -> Option<f64> {
    if baseline.is_empty() || baseline.len() != candidate.len() || !observed.is_finite() {
        return None;
    }
    let diffs: Vec<f64> = candidate
        .iter()
        .zip(baseline)
        .map(|(c, b)| (c - b).abs())
        .collect();
    if observed == 0.0 && diffs.iter().all(|&d| d == 0.0) {
        return None;
    }
    let centre = mean(&diffs)?;
    let delta = observed.abs();
    let hits = diffs.iter().filter(|&&d| d - centre > delta).count();
    Some((hits + 1) as f64 / (diffs.len() + 1) as f64)
}

/// Trials processed together by [`approximate_randomization`]: one pass over the
/// segments serves them all.
const BATCH: usize = 16;

/// Approximate-randomization p-values of every component of `statistic` (see the
/// module documentation). `baseline` and `candidate` hold `n` rows of `width`
/// sufficient statistics each (segment `i` is `rows[i*width..(i+1)*width]`), and
/// `statistic` maps a summed row (and `n`) to scores. `None` for a component whose
/// scores tie in every trial and on the data; an empty vector when there are no
/// segments, no trials, or the row counts differ.
pub fn approximate_randomization<F>(
    seed: u64,
    trials: usize,
    baseline: &[f64],
    candidate: &[f64],
    width: usize,
    statistic: F,
) -> Vec<Option<f64>>
where
    F: Fn(&[f64], usize) -> Vec<f64> + Sync,
{
    if width == 0 || trials == 0 || baseline.len() != candidate.len() {
        return Vec::new();
    }
    let n = baseline.len() / width;
    if n == 0 {
        return Vec::new();
    }
    let total = |rows: &[f64]| {
        let mut sum = vec![0.0; width];
        for row in rows.chunks_exact(width) {
            sum.iter_mut().zip(row).for_each(|(s, v)| *s += v);
        }
        sum
    };
    let (total_b, total_c) = (total(baseline), total(candidate));
    let observed: Vec<f64> = statistic(&total_b, n)
        .iter()
        .zip(statistic(&total_c, n))
        .map(|(b, c)| (c - b).abs())
        .collect();
    let k = observed.len();
    // Swapping segment i moves (b_i − c_i) from B to A.
    let moved: Vec<f64> = baseline.iter().zip(candidate).map(|(b, c)| b - c).collect();
    let words = n.div_ceil(64);
    let batches = trials.div_ceil(BATCH);
    // (hits, trials with any difference) per component.
    let (hits, moving) = (0..batches)
        .into_par_iter()
        .map(|batch| {
            let first = batch * BATCH;
            let size = BATCH.min(trials - first);
            let bits: Vec<Vec<u64>> = (0..size)
                .map(|j| {
                    let mut rng = resample_rng(seed, first + j);
                    (0..words).map(|_| rng.next_u64()).collect()
                })
                .collect();
            let mut sums = vec![0.0f64; size * width];
            for (i, row) in moved.chunks_exact(width).enumerate() {
                let (word, bit) = (i / 64, i % 64);
                for (j, b) in bits.iter().enumerate() {
                    if (b[word] >> bit) & 1 == 1 {
                        let s = &mut sums[j * width..(j + 1) * width];
                        s.iter_mut().zip(row).for_each(|(s, v)| *s += v);
                    }
                }
            }
            let mut hits = vec![0usize; k];
            let mut moving = vec![0usize; k];
            let (mut a, mut b) = (vec![0.0; width], vec![0.0; width]);
            for j in 0..size {
                let s = &sums[j * width..(j + 1) * width];
                for c in 0..width {
                    a[c] = total_c[c] + s[c];
                    b[c] = total_b[c] - s[c];
                }
                let (sa, sb) = (statistic(&a, n), statistic(&b, n));
                for c in 0..k {
                    let d = (sa[c] - sb[c]).abs();
                    hits[c] += usize::from(d > observed[c]);
                    moving[c] += usize::from(d != 0.0);
                }
            }
            (hits, moving)
        })
        .reduce(
            || (vec![0; k], vec![0; k]),
            |(mut h, mut m), (h2, m2)| {
                h.iter_mut().zip(h2).for_each(|(x, y)| *x += y);
                m.iter_mut().zip(m2).for_each(|(x, y)| *x += y);
                (h, m)
            },
        );
    (0..k)
        .map(|c| {
            (observed[c] != 0.0 || moving[c] > 0)
                .then(|| (hits[c] + 1) as f64 / (trials + 1) as f64)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::statistic_bootstrap::summed_statistic_resamples;
    use crate::Bootstrap;

    /// A ratio of sums, like a corpus precision: rows are `[matches, total]`.
    fn ratio(s: &[f64], _: usize) -> Vec<f64> {
        vec![if s[1] == 0.0 {
            0.0
        } else {
            100.0 * s[0] / s[1]
        }]
    }

    fn rows(shift: usize) -> Vec<f64> {
        (0..200)
            .flat_map(|i| [((i * 7 + shift) % 5) as f64, 4.0 + (i % 3) as f64])
            .collect()
    }

    #[test]
    fn spread_follows_sacrebleu_estimate_ci() {
        let scores: Vec<f64> = (0..1000).map(|i| ((i * 37) % 1000) as f64).collect();
        let s = sacrebleu_spread(&scores).unwrap();
        // np.sort -> 0..999; lower index 25, upper 974.
        assert_eq!(s.half_width, 0.5 * (974.0 - 25.0));
        assert!((s.mean - 499.5).abs() < 1e-12);
        assert_eq!(sacrebleu_spread(&[]), None);
    }

    #[test]
    fn bootstrap_p_value_definition() {
        let b = [10.0, 11.0, 12.0, 10.5];
        let c = [11.0, 11.5, 12.0, 13.0];
        // |diffs| = 1, .5, 0, 2.5; mean 1; centred 0, −.5, −1, 1.5; > 0.6: one.
        assert_eq!(paired_bootstrap_p(&b, &c, 0.6), Some(2.0 / 5.0));
        assert_eq!(paired_bootstrap_p(&b, &c, -0.6), Some(2.0 / 5.0));
        assert_eq!(paired_bootstrap_p(&b, &b, 0.0), None);
        assert_eq!(paired_bootstrap_p(&[], &[], 1.0), None);
    }

    #[test]
    fn paired_bootstrap_on_summed_rows_is_deterministic() {
        let (base, cand) = (rows(0), rows(1));
        let joined: Vec<f64> = base
            .chunks_exact(2)
            .zip(cand.chunks_exact(2))
            .flat_map(|(b, c)| [b[0], b[1], c[0], c[1]])
            .collect();
        let bs = Bootstrap {
            resamples: 500,
            confidence: 0.95,
            seed: 4,
        };
        let run = || {
            let values = summed_statistic_resamples(&bs, &joined, 4, |s, n| {
                [ratio(&s[..2], n), ratio(&s[2..], n)].concat()
            })
            .unwrap();
            let (b, c): (Vec<f64>, Vec<f64>) = values.iter().map(|v| (v[0], v[1])).unzip();
            let observed = ratio(&[column_sum(&cand, 0), column_sum(&cand, 1)], 0)[0]
                - ratio(&[column_sum(&base, 0), column_sum(&base, 1)], 0)[0];
            paired_bootstrap_p(&b, &c, observed).unwrap()
        };
        let p = run();
        assert_eq!(p, run());
        assert!(p > 0.0 && p <= 1.0);
    }

    fn column_sum(rows: &[f64], c: usize) -> f64 {
        rows.iter().skip(c).step_by(2).sum()
    }

    #[test]
    fn approximate_randomization_behaves() {
        let (base, cand) = (rows(0), rows(1));
        let p = approximate_randomization(9, 2000, &base, &cand, 2, ratio);
        assert_eq!(p.len(), 1);
        let p = p[0].unwrap();
        assert_eq!(
            Some(p),
            approximate_randomization(9, 2000, &base, &cand, 2, ratio)[0]
        );
        assert!(p > 0.0 && p <= 1.0);
        // Identical systems: undefined, not "significant".
        assert_eq!(
            approximate_randomization(9, 100, &base, &base, 2, ratio),
            vec![None]
        );
        // A large, consistent difference: nothing as extreme in any trial.
        let better: Vec<f64> = base.chunks_exact(2).flat_map(|r| [r[1], r[1]]).collect();
        assert_eq!(
            approximate_randomization(1, 999, &base, &better, 2, ratio),
            vec![Some(1.0 / 1000.0)]
        );
        assert!(approximate_randomization(1, 0, &base, &cand, 2, ratio).is_empty());
    }
}
