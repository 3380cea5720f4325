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

impl Bootstrap {
    /// Percentile intervals of the mean of each column, all columns resampled jointly.
    ///
    /// `rows[i]` holds unit `i`'s value for every column (all rows the same width).
    /// Returns one interval per column, or `None` when there are no units or no
    /// resamples.
    pub fn mean_intervals(&self, rows: &[Vec<f64>]) -> Option<Vec<Interval>> {
        let n = rows.len();
        if n == 0 || self.resamples == 0 {
            return None;
        }
        let width = rows[0].len();
        let flat: Vec<f64> = rows.iter().flat_map(|r| r.iter().copied()).collect();
        // means[r * width + c]: the mean of column c in resample r.
        let means: Vec<f64> = (0..self.resamples)
            .into_par_iter()
            .flat_map_iter(|r| {
                let mut rng = resample_rng(self.seed, r);
                let mut sums = vec![0.0; width];
                for _ in 0..n {
                    let i = rng.gen_range(0..n);
                    for (s, v) in sums.iter_mut().zip(&flat[i * width..(i + 1) * width]) {
                        *s += v;
                    }
                }
                sums.into_iter().map(move |s| s / n as f64)
            })
            .collect();
        let alpha = 1.0 - self.confidence;
        Some(
            (0..width)
                .map(|c| {
                    let mut col: Vec<f64> =
                        (0..self.resamples).map(|r| means[r * width + c]).collect();
                    col.sort_unstable_by(f64::total_cmp);
                    Interval {
                        low: quantile_sorted(&col, alpha / 2.0),
                        high: quantile_sorted(&col, 1.0 - alpha / 2.0),
                    }
                })
                .collect(),
        )
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
