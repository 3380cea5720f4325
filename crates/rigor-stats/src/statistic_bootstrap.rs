//! Percentile-bootstrap intervals of any statistic recomputed per resample — for
//! corpus-level measures that are not means of per-unit values (corpus BLEU, chrF,
//! TER), where each resample must recompute the statistic from the units it drew.
//!
//! Resample `r` draws `n` unit indices with replacement from the same ChaCha8 stream
//! as [`crate::bootstrap`] ([`for_each_draw`]), so results
//! depend only on the seed, not on the number of threads, and a statistic that is a
//! mean gets exactly the intervals of [`Bootstrap::mean_intervals`]. The interval is
//! numpy's linear percentile of the resampled statistics.

use rayon::prelude::*;

use crate::bootstrap::{for_each_draw, quantile_sorted, Bootstrap, Interval};

/// Percentile intervals of every component of `statistic`, which maps the unit
/// indices drawn in one resample (with repeats) to a fixed-width vector of statistics.
/// `None` when there are no units or no resamples.
pub fn statistic_intervals<F>(b: &Bootstrap, n: usize, statistic: F) -> Option<Vec<Interval>>
where
    F: Fn(&[usize]) -> Vec<f64> + Sync,
{
    if n == 0 || b.resamples == 0 {
        return None;
    }
    let values: Vec<Vec<f64>> = (0..b.resamples)
        .into_par_iter()
        .map_init(
            || Vec::with_capacity(n),
            |idx, r| {
                idx.clear();
                for_each_draw(b.seed, r, n, |i| idx.push(i));
                statistic(idx)
            },
        )
        .collect();
    Some(percentile_columns(&values, b.confidence))
}

/// Resamples processed together by [`summed_statistic_intervals`]: one pass over the
/// rows serves them all, so memory traffic does not grow with the resample count.
const BATCH: usize = 16;

/// [`statistic_intervals`] for statistics computed from the column sums of unit rows
/// (sufficient statistics): `rows` holds `n` rows of `width` values, and `statistic`
/// maps the summed row of a resample (and the number of units, `n`) to statistics.
///
/// The draws are those of [`statistic_intervals`]; the sums are formed as
/// Σ count_i · row_i in unit order (equal up to floating-point rounding of
/// non-integer rows), a batch of resamples per pass over the rows.
pub fn summed_statistic_intervals<F>(
    b: &Bootstrap,
    rows: &[f64],
    width: usize,
    statistic: F,
) -> Option<Vec<Interval>>
where
    F: Fn(&[f64], usize) -> Vec<f64> + Sync,
{
    let values = summed_statistic_resamples(b, rows, width, statistic)?;
    Some(percentile_columns(&values, b.confidence))
}

/// The statistics of every resample of [`summed_statistic_intervals`], in resample
/// order (`values[r]` is `statistic` of resample `r`'s summed row): for tests and
/// summaries that need the resampled values themselves, such as the paired tests of
/// [`crate::corpus_paired`]. `None` when there are no units, no columns or no
/// resamples.
pub fn summed_statistic_resamples<F>(
    b: &Bootstrap,
    rows: &[f64],
    width: usize,
    statistic: F,
) -> Option<Vec<Vec<f64>>>
where
    F: Fn(&[f64], usize) -> Vec<f64> + Sync,
{
    if width == 0 || b.resamples == 0 {
        return None;
    }
    let n = rows.len() / width;
    if n == 0 {
        return None;
    }
    let batches = b.resamples.div_ceil(BATCH);
    let values: Vec<Vec<f64>> = (0..batches)
        .into_par_iter()
        .flat_map_iter(|batch| {
            let first = batch * BATCH;
            let size = BATCH.min(b.resamples - first);
            // counts[i * size + k]: how often resample first + k drew unit i.
            let mut counts = vec![0u32; n * size];
            for k in 0..size {
                for_each_draw(b.seed, first + k, n, |i| counts[i * size + k] += 1);
            }
            let mut sums = vec![0.0f64; size * width];
            for (i, row) in rows.chunks_exact(width).enumerate() {
                for (k, &c) in counts[i * size..(i + 1) * size].iter().enumerate() {
                    if c != 0 {
                        let c = c as f64;
                        for (s, v) in sums[k * width..(k + 1) * width].iter_mut().zip(row) {
                            *s += c * v;
                        }
                    }
                }
            }
            (0..size)
                .map(|k| statistic(&sums[k * width..(k + 1) * width], n))
                .collect::<Vec<_>>()
        })
        .collect();
    Some(values)
}

/// Percentile intervals (numpy's linear percentile) of each column of resampled
/// statistics (`values[r][c]`).
pub fn percentile_columns(values: &[Vec<f64>], confidence: f64) -> Vec<Interval> {
    let width = values.first().map_or(0, Vec::len);
    let alpha = 1.0 - confidence;
    (0..width)
        .map(|c| {
            let mut col: Vec<f64> = values.iter().map(|v| v[c]).collect();
            col.sort_unstable_by(f64::total_cmp);
            Interval {
                low: quantile_sorted(&col, alpha / 2.0),
                high: quantile_sorted(&col, 1.0 - alpha / 2.0),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mean_gets_the_mean_bootstrap_intervals() {
        let rows: Vec<Vec<f64>> = (0..40)
            .map(|i| vec![(i % 5) as f64, (i % 3) as f64])
            .collect();
        let b = Bootstrap {
            resamples: 500,
            ..Default::default()
        };
        let flat: Vec<f64> = rows.iter().flatten().copied().collect();
        let ours = summed_statistic_intervals(&b, &flat, 2, |s, n| {
            s.iter().map(|v| v / n as f64).collect()
        })
        .unwrap();
        let theirs = b.mean_intervals(&rows).unwrap();
        for (o, t) in ours.iter().zip(&theirs) {
            assert!((o.low - t.low).abs() < 1e-12 && (o.high - t.high).abs() < 1e-12);
        }
        // The general form on the same draws agrees too.
        let general = statistic_intervals(&b, 40, |idx| {
            let mut s = [0.0; 2];
            for &i in idx {
                s[0] += rows[i][0];
                s[1] += rows[i][1];
            }
            vec![s[0] / 40.0, s[1] / 40.0]
        })
        .unwrap();
        for (o, g) in ours.iter().zip(&general) {
            assert!((o.low - g.low).abs() < 1e-12 && (o.high - g.high).abs() < 1e-12);
        }
    }

    #[test]
    fn a_ratio_of_sums_is_deterministic() {
        let rows: Vec<f64> = (0..30).flat_map(|i| [(i % 4) as f64, 3.0]).collect();
        let b = Bootstrap {
            resamples: 300,
            seed: 7,
            ..Default::default()
        };
        let ratio = |s: &[f64], _: usize| vec![s[0] / s[1]];
        let a = summed_statistic_intervals(&b, &rows, 2, ratio).unwrap();
        assert_eq!(a, summed_statistic_intervals(&b, &rows, 2, ratio).unwrap());
        let point = (0..30).map(|i| (i % 4) as f64).sum::<f64>() / 90.0;
        assert!(a[0].low <= point && point <= a[0].high);
        assert!(statistic_intervals(&b, 0, |_| vec![0.0]).is_none());
    }
}
