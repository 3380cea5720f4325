//! Percentile-bootstrap confidence intervals for means.
//!
//! Resampling is over units (queries, rows, segments): each resample draws `n` unit
//! indices with replacement and recomputes every column's mean from the same draw, so
//! the intervals of several measures come from one joint resampling of the units.
//!
//! Determinism: resample `r` uses a ChaCha8 stream seeded with `seed` and stream id `r`,
//! so results depend only on the seed — not on the number of threads rayon uses.
//!
//! The interval is the percentile interval with numpy's default (`linear`) quantile
//! interpolation: `np.percentile(means, [100·α/2, 100·(1−α/2)])`.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

/// How to resample.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bootstrap {
    /// Number of resamples (10,000 by default).
    pub resamples: usize,
    /// Two-sided confidence level in (0, 1), e.g. 0.95.
    pub confidence: f64,
    /// Seed of the random stream.
    pub seed: u64,
}

impl Default for Bootstrap {
    fn default() -> Self {
        Bootstrap {
            resamples: 10_000,
            confidence: 0.95,
            seed: 0,
        }
    }
}

/// A two-sided interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    pub low: f64,
    pub high: f64,
}

/// The RNG of resample `r`: independent of thread scheduling.
pub fn resample_rng(seed: u64, r: usize) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(r as u64);
    rng
}

/// Calls `f` with each of the `n` unit indices resample `r` draws (uniform over
/// `0..n`, `Uniform<u32>` from [`resample_rng`]`(seed, r)`): the one definition of a
/// bootstrap draw that every resampling statistic shares, so the same seed resamples
/// the same units whatever is computed from them. `n` must be below 2^31.
pub fn for_each_draw(seed: u64, r: usize, n: usize, f: impl FnMut(usize)) {
    let Ok(units) = u32::try_from(n) else {
        return;
    };
    if units == 0 {
        return;
    }
    uniform_draws(&mut resample_rng(seed, r), units, n, f);
}

/// `count` draws of rand 0.8's `Uniform::new(0, units)` (`units` > 0), bit for bit:
/// each takes the next 32-bit word `v`, computes `v · units` in 64 bits, and keeps the
/// high half unless the low half falls in the rejected zone (then the word is skipped).
/// The words are fetched 64 at a time (one ChaCha refill) instead of one call each;
/// the generator is left wherever the last batch ends, so use it for nothing after.
fn uniform_draws(rng: &mut ChaCha8Rng, units: u32, count: usize, mut f: impl FnMut(usize)) {
    let range = u64::from(units);
    // rand's `ints_to_reject`: 2^32 mod range, so that accepted words are equally
    // likely for every value.
    let zone = u32::MAX - (u32::MAX - units + 1) % units;
    let mut words = [0u32; 64];
    let mut left = count;
    while left > 0 {
        rng.fill(&mut words[..]);
        for &v in &words {
            let m = u64::from(v) * range;
            if m as u32 <= zone {
                f((m >> 32) as usize);
                left -= 1;
                if left == 0 {
                    return;
                }
            }
        }
    }
}

impl Bootstrap {
    /// Percentile intervals of the mean of each column, all columns resampled jointly.
    ///
    /// `rows[i]` holds unit `i`'s value for every column (all rows the same width).
    /// Returns one interval per column, or `None` when there are no units or no
    /// resamples.
    pub fn mean_intervals(&self, rows: &[Vec<f64>]) -> Option<Vec<Interval>> {
        let width = rows.first()?.len();
        let flat: Vec<f64> = rows.iter().flat_map(|r| r.iter().copied()).collect();
        let means = self.resampled_means(&flat, width)?;
        Some(self.percentile_intervals(&means, width))
    }

    /// The mean of every column in every resample, resample-major: entry
    /// `r * width + c` is column `c`'s mean in resample `r`. `flat` holds the units'
    /// rows back to back (`flat[i * width + c]`). `None` when there are no units, no
    /// columns or no resamples.
    ///
    /// Resample `r` draws `n` unit indices uniformly from [`resample_rng`]`(seed, r)`
    /// (`Uniform<u32>` over `0..n`), counts how often each unit was drawn, and takes each
    /// column's mean as `Σ count_i · x_i / n`. Counting first turns the random-access
    /// sums into one pass of sequential dot products, several times faster than
    /// summing in draw order, and the draws do not depend on the number of columns —
    /// so one column's intervals are the same whether it is resampled alone or with
    /// others.
    pub fn resampled_means(&self, flat: &[f64], width: usize) -> Option<Vec<f64>> {
        if width == 0 || flat.is_empty() || self.resamples == 0 {
            return None;
        }
        let n = flat.len() / width;
        u32::try_from(n).ok().filter(|&u| u < i32::MAX as u32)?;
        let columns: Vec<Vec<f64>> = (0..width)
            .map(|c| flat.iter().skip(c).step_by(width).copied().collect())
            .collect();
        let arch = pulp::Arch::new();
        let mut means = vec![0.0; self.resamples * width];
        means.par_chunks_mut(width).enumerate().for_each_init(
            // Counts as f64 (exact up to 2^53): the sums then convert nothing.
            || vec![0.0f64; n],
            |counts, (r, out)| {
                counts.fill(0.0);
                for_each_draw(self.seed, r, n, |i| counts[i] += 1.0);
                arch.dispatch(WeightedSums {
                    counts,
                    columns: &columns,
                    out: &mut *out,
                });
                for mean in out.iter_mut() {
                    *mean /= n as f64;
                }
            },
        );
        Some(means)
    }

    /// Percentile intervals from [`Bootstrap::resampled_means`]' output.
    pub fn percentile_intervals(&self, means: &[f64], width: usize) -> Vec<Interval> {
        let alpha = 1.0 - self.confidence;
        let resamples = means.len() / width;
        (0..width)
            .map(|c| {
                let mut col: Vec<f64> = (0..resamples).map(|r| means[r * width + c]).collect();
                col.sort_unstable_by(f64::total_cmp);
                Interval {
                    low: quantile_sorted(&col, alpha / 2.0),
                    high: quantile_sorted(&col, 1.0 - alpha / 2.0),
                }
            })
            .collect()
    }
}

/// Partial sums per weighted sum: enough independent chains that the additions'
/// latency no longer bounds the loop, and a fixed summation order, so the result is the
/// same on every machine.
const LANES: usize = 8;

/// Σ counts_i · values_i, the definition: partial sum `k` adds the products of units
/// `i ≡ k (mod 8)` in order, the units past the last multiple of eight are summed
/// apart, and all are combined by [`combine`]. [`WeightedSums`] computes exactly this.
/// (Kept as the reference the vector code is tested against.)
#[cfg(test)]
fn weighted_sum(counts: &[f64], values: &[f64]) -> f64 {
    let mut acc = [0.0f64; LANES];
    let mut c8 = counts.chunks_exact(LANES);
    let mut v8 = values.chunks_exact(LANES);
    for (c, v) in (&mut c8).zip(&mut v8) {
        for k in 0..LANES {
            acc[k] += c[k] * v[k];
        }
    }
    combine(&acc, tail_sum(c8.remainder(), v8.remainder()))
}

/// The products of the units past the last multiple of [`LANES`], summed in order.
fn tail_sum(counts: &[f64], values: &[f64]) -> f64 {
    counts.iter().zip(values).map(|(c, v)| c * v).sum()
}

/// The partial sums and the tail, added in a fixed order.
fn combine(acc: &[f64], tail: f64) -> f64 {
    let half = |a: &[f64]| (a[0] + a[1]) + (a[2] + a[3]);
    (half(&acc[..4]) + half(&acc[4..])) + tail
}

/// Every column's `weighted_sum` with the counts of one resample, into `out`, in the
/// widest vectors the CPU has (chosen at run time through `pulp`): the eight partial
/// sums are one AVX2 vector pair, the same additions in the same order as the scalar
/// definition, so the bits are the same on every machine. Three columns go through
/// the counts together, so that six chains of additions overlap rather than two.
/// This halves the bootstrap's summing time on an AVX2 machine.
struct WeightedSums<'a> {
    counts: &'a [f64],
    columns: &'a [Vec<f64>],
    out: &'a mut [f64],
}

impl pulp::WithSimd for WeightedSums<'_> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, simd: S) {
        const TOGETHER: usize = 3;
        // Vectors per eight partial sums (S::F64_LANES is 1, 2, 4 or 8).
        let per = LANES / S::F64_LANES;
        debug_assert_eq!(per * S::F64_LANES, LANES);
        let full = self.counts.len() / LANES * LANES;
        let (counts, _) = S::as_simd_f64s(&self.counts[..full]);
        let zero = simd.splat_f64s(0.0);
        for (columns, out) in self
            .columns
            .chunks(TOGETHER)
            .zip(self.out.chunks_mut(TOGETHER))
        {
            let mut acc = [[zero; LANES]; TOGETHER];
            let values: [&[S::f64s]; TOGETHER] = std::array::from_fn(|c| match columns.get(c) {
                Some(column) => S::as_simd_f64s(&column[..full]).0,
                None => &[],
            });
            for (j, c8) in counts.chunks_exact(per).enumerate() {
                for (acc, values) in acc.iter_mut().zip(values).take(columns.len()) {
                    let v8 = &values[j * per..(j + 1) * per];
                    for k in 0..per {
                        acc[k] = simd.add_f64s(acc[k], simd.mul_f64s(c8[k], v8[k]));
                    }
                }
            }
            for ((acc, column), out) in acc.iter().zip(columns).zip(out) {
                let lanes: &[f64] = pulp::bytemuck::cast_slice(&acc[..per]);
                *out = combine(lanes, tail_sum(&self.counts[full..], &column[full..]));
            }
        }
    }
}

/// numpy's default (`linear`) quantile of an ascending slice; `q` in [0, 1].
pub fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    debug_assert!(!sorted.is_empty());
    let pos = q * (sorted.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    let frac = pos - lo as f64;
    sorted[lo] + frac * (sorted[hi] - sorted[lo])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_are_rand_uniform_bit_for_bit() {
        use rand::distributions::{Distribution, Uniform};
        // Small ranges (rejection all but impossible) and ranges above 2^31, where
        // about a third of the words are rejected.
        for (seed, r, units, count) in [
            (0, 0, 1u32, 5usize),
            (7, 3, 10, 1000),
            (42, 99, 10_000, 100_003),
            (1, 5, 3_000_000_000, 20_000),
            (2, 8, 2_147_483_649, 20_000),
        ] {
            let mut reference = resample_rng(seed, r);
            let uniform = Uniform::new(0, units);
            let want: Vec<usize> = (0..count)
                .map(|_| uniform.sample(&mut reference) as usize)
                .collect();
            let mut got = Vec::with_capacity(count);
            uniform_draws(&mut resample_rng(seed, r), units, count, |i| got.push(i));
            assert_eq!(got, want, "seed {seed}, stream {r}, units {units}");
        }
    }

    #[test]
    fn vector_sums_are_the_scalar_definition_bit_for_bit() {
        use pulp::Simd;
        let mut rng = resample_rng(3, 1);
        for n in (0..40).chain([1000, 10_007]) {
            for width in 1..=7 {
                let counts: Vec<f64> = (0..n).map(|_| f64::from(rng.gen_range(0..5u8))).collect();
                let columns: Vec<Vec<f64>> = (0..width)
                    .map(|_| (0..n).map(|_| rng.gen::<f64>() * 1e3 - 1.0).collect())
                    .collect();
                let want: Vec<u64> = (columns.iter())
                    .map(|c| weighted_sum(&counts, c).to_bits())
                    .collect();
                let mut dispatched = vec![0.0; width];
                pulp::Arch::new().dispatch(WeightedSums {
                    counts: &counts,
                    columns: &columns,
                    out: &mut dispatched,
                });
                let mut scalar = vec![0.0; width];
                pulp::Scalar::new().vectorize(WeightedSums {
                    counts: &counts,
                    columns: &columns,
                    out: &mut scalar,
                });
                for got in [dispatched, scalar] {
                    let got: Vec<u64> = got.iter().map(|x| x.to_bits()).collect();
                    assert_eq!(got, want, "n {n}, width {width}");
                }
            }
        }
    }

    #[test]
    fn quantile_matches_numpy_linear() {
        // np.percentile([1, 2, 3, 4], [2.5, 97.5]) == [1.075, 3.925]
        let v = [1.0, 2.0, 3.0, 4.0];
        assert!((quantile_sorted(&v, 0.025) - 1.075).abs() < 1e-12);
        assert!((quantile_sorted(&v, 0.975) - 3.925).abs() < 1e-12);
    }

    #[test]
    fn intervals_are_deterministic_and_bracket_the_mean() {
        let rows: Vec<Vec<f64>> = (0..50).map(|i| vec![(i % 7) as f64, 1.0]).collect();
        let b = Bootstrap {
            resamples: 2000,
            ..Default::default()
        };
        let a = b.mean_intervals(&rows).unwrap();
        assert_eq!(a, b.mean_intervals(&rows).unwrap());
        let mean = rows.iter().map(|r| r[0]).sum::<f64>() / 50.0;
        assert!(a[0].low < mean && mean < a[0].high);
        // A constant column has a degenerate interval.
        assert_eq!(
            a[1],
            Interval {
                low: 1.0,
                high: 1.0
            }
        );
        let other = Bootstrap { seed: 1, ..b }.mean_intervals(&rows).unwrap();
        assert_ne!(a[0], other[0]);
    }

    #[test]
    fn empty_input_has_no_interval() {
        assert!(Bootstrap::default().mean_intervals(&[]).is_none());
    }
}
