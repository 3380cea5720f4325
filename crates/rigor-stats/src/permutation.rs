//! Paired sign-flip permutation (randomization) test of the mean difference.
//!
//! Under the null hypothesis that baseline and candidate are exchangeable within each
//! pair, every difference is as likely to have the opposite sign. Each resample flips
//! the sign of each difference independently with probability ½ and recomputes the
//! mean; the statistic is `|mean|`, so the test is two-sided. With `R` resamples and
//! `hits` = resamples whose `|mean|` is at least the observed `|mean|`,
//! `p = (hits + 1) / (R + 1)` — the observed sign pattern counts as one of the
//! resamples, so `p` is never 0 and the test is valid at any `R` (Phipson & Smyth 2010).
//!
//! Ties within float noise: resamples that are mathematically tied with the observed
//! statistic (flipping a zero, or swapping equal magnitudes) can differ from it in the
//! last bits because sums are rounded. A resample is a hit when
//! `|Σ ε_i·d_i| ≥ |Σ d_i| − 1e-12·Σ|d_i|`: the tolerance is relative to the scale of
//! the sums, far above their rounding error (≈ n·2⁻⁵³·Σ|d_i|) for any realistic `n`,
//! and far below any real difference between two resamples.
//!
//! Randomness: resample `r` draws its flips from [`crate::bootstrap::resample_rng`]
//! `(seed, r)`, 64 flips per `u64` (bit `i mod 64` of word `⌊i/64⌋` flips `d_i`), so
//! the p-value depends only on the seed, never on the number of rayon threads.
//!
//! scipy's `permutation_test(..., permutation_type='samples')` is the reference; it
//! reports `2·min(P(≤), P(≥))` and enumerates all `2^n` patterns when it can, so the
//! two agree within Monte-Carlo error, not to the bit (see `tests/goldens.rs`).

use rand::RngCore;
use rayon::prelude::*;

use crate::bootstrap::resample_rng;

/// Relative tolerance for "at least as extreme" (see the module documentation).
pub const TIE_TOLERANCE: f64 = 1e-12;

/// Two-sided sign-flip test of `mean(d) = 0` on the differences `d`.
///
/// Returns `None` when `d` is empty or `resamples` is 0. When every difference is
/// zero, every resample ties with the observed 0 and `p = 1`.
pub fn sign_flip_test(differences: &[f64], resamples: usize, seed: u64) -> Option<f64> {
    sign_flip_tests(&[differences], resamples, seed)[0]
}

/// [`sign_flip_test`] on several columns of differences over the same units (several
/// measures of one candidate): resample `r` flips the same units in every column, so
/// one stream of random bits serves them all. Each column's p-value is a valid test on
/// its own; with one column this is exactly [`sign_flip_test`].
///
/// The inner loop is allocation-free and branch-free (a flip is an XOR of the sign
/// bit) and keeps four partial sums per column so it pipelines; the observed statistic
/// is compared with the tolerance above, which dwarfs the reordering's rounding.
pub fn sign_flip_tests(columns: &[&[f64]], resamples: usize, seed: u64) -> Vec<Option<f64>> {
    let n = columns.first().map_or(0, |c| c.len());
    if n == 0 || resamples == 0 || columns.iter().any(|c| c.len() != n) {
        return vec![None; columns.len()];
    }
    let thresholds: Vec<f64> = columns
        .iter()
        .map(|d| {
            let observed = d.iter().sum::<f64>().abs();
            let scale: f64 = d.iter().map(|v| v.abs()).sum();
            observed - TIE_TOLERANCE * scale
        })
        .collect();
    let width = columns.len();
    let hits = (0..resamples)
        .into_par_iter()
        .fold(
            || (vec![0usize; width], vec![0.0f64; width]),
            |(mut hits, mut sums), r| {
                let mut rng = resample_rng(seed, r);
                sums.iter_mut().for_each(|s| *s = 0.0);
                for start in (0..n).step_by(64) {
                    let bits = rng.next_u64();
                    let end = (start + 64).min(n);
                    for (sum, column) in sums.iter_mut().zip(columns) {
                        *sum += flipped_sum(&column[start..end], bits);
                    }
                }
                for ((h, sum), t) in hits.iter_mut().zip(&sums).zip(&thresholds) {
                    *h += usize::from(sum.abs() >= *t);
                }
                (hits, sums)
            },
        )
        .map(|(hits, _)| hits)
        .reduce(
            || vec![0usize; width],
            |mut a, b| {
                a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
                a
            },
        );
    hits.into_iter()
        .map(|h| Some((h + 1) as f64 / (resamples + 1) as f64))
        .collect()
}

/// Sign masks for four values: entry `b` has bit 63 set in lane `k` when bit `k` of
/// `b` is set.
const SIGNS: [[u64; 4]; 16] = {
    let mut t = [[0u64; 4]; 16];
    let mut b = 0;
    while b < 16 {
        let mut k = 0;
        while k < 4 {
            t[b][k] = ((b as u64 >> k) & 1) << 63;
            k += 1;
        }
        b += 1;
    }
    t
};

/// Σ ±v over up to 64 values, bit `i` of `bits` negating `values[i]`. Four lanes take
/// their sign masks from a 16-entry table, so the loop compiles to vector XORs and
/// adds.
#[inline]
fn flipped_sum(values: &[f64], bits: u64) -> f64 {
    let mut acc = [0.0f64; 4];
    let mut quads = values.chunks_exact(4);
    for (q, v) in (&mut quads).enumerate() {
        let signs = &SIGNS[((bits >> (4 * q)) & 15) as usize];
        for k in 0..4 {
            acc[k] += f64::from_bits(v[k].to_bits() ^ signs[k]);
        }
    }
    let done = values.len() - quads.remainder().len();
    let tail: f64 = quads
        .remainder()
        .iter()
        .enumerate()
        .map(|(i, v)| f64::from_bits(v.to_bits() ^ (((bits >> (done + i)) & 1) << 63)))
        .sum();
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_for_a_seed_and_varies_with_it() {
        let d: Vec<f64> = (0..40)
            .map(|i| ((i * 37 % 11) as f64 - 4.0) / 10.0)
            .collect();
        let a = sign_flip_test(&d, 2000, 7).unwrap();
        assert_eq!(Some(a), sign_flip_test(&d, 2000, 7));
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        assert_eq!(Some(a), pool.install(|| sign_flip_test(&d, 2000, 7)));
        assert_ne!(Some(a), sign_flip_test(&d, 2000, 8));
    }

    #[test]
    fn p_formula_counts_the_observed_pattern() {
        // All differences zero: every resample ties, hits = R, p = (R+1)/(R+1).
        assert_eq!(sign_flip_test(&[0.0; 5], 99, 0), Some(1.0));
        // One difference: every resample has |mean| = |d|, p = 1.
        assert_eq!(sign_flip_test(&[0.3], 10, 0), Some(1.0));
        // 30 equal positive differences: only the all-positive and all-negative
        // patterns (probability 2^-29) are as extreme, so almost surely hits = 0.
        assert_eq!(sign_flip_test(&[0.25; 30], 999, 0), Some(1.0 / 1000.0));
        assert_eq!(sign_flip_test(&[], 10, 0), None);
        assert_eq!(sign_flip_test(&[1.0], 0, 0), None);
    }

    #[test]
    fn ties_within_rounding_are_hits() {
        // The observed sum is 0 mathematically but 2.8e-17 after rounding; every sign
        // pattern is at least as extreme as a mean of 0, so p must be exactly 1.
        let d = [0.1, 0.2, -0.3, 0.3, -0.1, -0.2];
        assert_eq!(sign_flip_test(&d, 500, 3), Some(1.0));
    }
}
