//! Percentile-bootstrap intervals of any statistic, recomputed on every resample.
//!
//! [`Bootstrap::mean_intervals`](crate::Bootstrap::mean_intervals) covers means. Many
//! statistics are not means of per-unit values — AUC, F1, MCC, a ratio of two rates —
//! so here the caller supplies the statistic as a closure, evaluated on each resample.
//!
//! **Units with multiplicities.** The population is `N = Σ m_j` rows, where unit `j`
//! stands for `m_j` identical rows. A resample draws `N` rows with replacement and is
//! handed to the statistic as counts: `c_j` = how many draws fell on unit `j`'s rows,
//! so `c ~ Multinomial(N; m_j / N)`. With every `m_j = 1` this is the ordinary bootstrap
//! over rows. Grouping identical rows into one unit changes nothing about the
//! distribution of a statistic of the resampled multiset of rows, but costs the number
//! of units instead of the number of rows per resample: a confusion matrix of 10
//! million rows is 4 units for a binary classifier.
//!
//! **Drawing the counts.** With few units the multinomial is drawn unit by unit as
//! conditional binomials (`c_j ~ Bin(N − Σ_{i<j} c_i, m_j / Σ_{i≥j} m_i)`). Many
//! single-row units (a plain row bootstrap) are drawn in blocks of 64: block totals
//! by conditional binomials, then each block's draws spread uniformly over its rows
//! with six random bits each. Many units of varying multiplicity are drawn by
//! Poissonization: independent `c_j ~ Poisson(m_j)` (sequential
//! memory access, no per-draw random writes), then corrected to exactly `N` draws by
//! adding draws at random (if fewer than `N`) or removing uniformly chosen draws (if
//! more). Given their total, independent Poisson counts are multinomial, and adding
//! i.i.d. draws or deleting a uniformly random subset of exchangeable draws leaves `N`
//! i.i.d. draws, so both paths give exactly the row bootstrap's distribution.
//!
//! **Determinism.** Resample `r` draws only from [`resample_rng`]`(seed, r)`, so the
//! intervals depend on the seed alone, not on how many threads rayon uses.
//!
//! **Undefined statistics.** The closure returns `None` for a statistic that has no
//! value on a resample (an AUC when the resample holds one class only). Those resamples
//! are left out of that statistic's interval, which is the percentile interval of the
//! resamples where it is defined; [`Estimate::defined`] says how many there were, so a
//! caller can tell its users. A statistic defined on no resample has no interval.

use rand::{Rng, RngCore};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Binomial, Distribution, Poisson};
use rayon::prelude::*;

use crate::bootstrap::{quantile_sorted, resample_rng, Bootstrap, Interval};

/// One statistic's interval and how many resamples it rests on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// The percentile interval over the resamples where the statistic is defined;
    /// `None` when it is defined on none of them.
    pub interval: Option<Interval>,
    /// Resamples on which the statistic was defined (at most `resamples`).
    pub defined: usize,
}

/// Units up to this count are drawn as conditional binomials; more by Poissonization.
const BINOMIAL_UNITS: usize = 256;

/// Percentile-bootstrap intervals of the statistics computed by `statistic`.
///
/// `multiplicities[j]` is the number of rows unit `j` stands for (all 1 for a plain
/// row bootstrap). `statistic` receives one resample's counts per unit (same length as
/// `multiplicities`, summing to `N`) and returns every statistic's value on it (always
/// the same number of values). Returns one [`Estimate`] per statistic; empty when there
/// are no rows or no resamples.
///
/// # Panics
/// If `N` exceeds `u32::MAX` (counts are `u32`).
pub fn resampled_intervals<F>(b: &Bootstrap, multiplicities: &[u64], statistic: F) -> Vec<Estimate>
where
    F: Fn(&[u32]) -> Vec<Option<f64>> + Sync,
{
    let n: u64 = multiplicities.iter().sum();
    if n == 0 || b.resamples == 0 {
        return Vec::new();
    }
    assert!(
        n <= u64::from(u32::MAX),
        "at most 2^32 - 1 rows can be resampled"
    );
    let draw = Drawer::new(multiplicities, n);
    let values: Vec<Vec<Option<f64>>> = (0..b.resamples)
        .into_par_iter()
        .map_init(
            || vec![0u32; multiplicities.len()],
            |counts, r| {
                let mut rng = resample_rng(b.seed, r);
                draw.counts(&mut rng, counts);
                statistic(counts)
            },
        )
        .collect();
    let width = values.first().map_or(0, Vec::len);
    let alpha = 1.0 - b.confidence;
    (0..width)
        .map(|s| {
            let mut col: Vec<f64> = values.iter().filter_map(|v| v[s]).collect();
            col.sort_unstable_by(f64::total_cmp);
            Estimate {
                interval: (!col.is_empty()).then(|| Interval {
                    low: quantile_sorted(&col, alpha / 2.0),
                    high: quantile_sorted(&col, 1.0 - alpha / 2.0),
                }),
                defined: col.len(),
            }
        })
        .collect()
}

/// Draws multinomial counts over units.
struct Drawer<'a> {
    m: &'a [u64],
    n: u64,
    /// Every multiplicity is 1 (the plain row bootstrap): the fast paths apply.
    unit: bool,
    max_m: u64,
}

impl<'a> Drawer<'a> {
    fn new(m: &'a [u64], n: u64) -> Self {
        Drawer {
            m,
            n,
            unit: m.iter().all(|&x| x == 1),
            max_m: m.iter().copied().max().unwrap_or(0),
        }
    }

    fn counts(&self, rng: &mut ChaCha8Rng, counts: &mut [u32]) {
        if self.m.len() <= BINOMIAL_UNITS {
            self.binomials(rng, counts);
        } else if self.unit {
            self.blocked(rng, counts);
        } else {
            self.poissonized(rng, counts);
        }
    }

    /// Rows (every multiplicity 1) in blocks of 64: block totals by conditional
    /// binomials, then each block's draws spread uniformly over its 64 rows, six random
    /// bits a draw. Exact: a multinomial's block totals are multinomial, and given its
    /// total a block's counts are uniform draws over its rows.
    fn blocked(&self, rng: &mut ChaCha8Rng, counts: &mut [u32]) {
        const BLOCK: usize = 64;
        counts.fill(0);
        let mut rows_left = self.n;
        let mut units_left = counts.len() as u64;
        for block in counts.chunks_mut(BLOCK) {
            let size = block.len() as u64;
            let total = if rows_left == 0 {
                0
            } else if size >= units_left {
                rows_left
            } else {
                let p = size as f64 / units_left as f64;
                Binomial::new(rows_left, p).map_or(0, |d| d.sample(rng))
            };
            rows_left -= total;
            units_left -= size;
            if block.len() == BLOCK {
                let mut left = total;
                while left > 0 {
                    let mut bits = rng.next_u64();
                    for _ in 0..left.min(10) {
                        block[(bits & 63) as usize] += 1;
                        bits >>= 6;
                    }
                    left -= left.min(10);
                }
            } else {
                for _ in 0..total {
                    block[rng.gen_range(0..block.len())] += 1;
                }
            }
        }
    }

    /// Conditional binomials: exact, one draw per unit.
    fn binomials(&self, rng: &mut ChaCha8Rng, counts: &mut [u32]) {
        let mut rows_left = self.n;
        let mut mass_left = self.n;
        for (c, &m) in counts.iter_mut().zip(self.m) {
            let k = if rows_left == 0 || m == 0 {
                0
            } else if m >= mass_left {
                rows_left
            } else {
                let p = m as f64 / mass_left as f64;
                // p is in (0, 1) here, so the distribution always exists.
                Binomial::new(rows_left, p).map_or(0, |d| d.sample(rng))
            };
            *c = k as u32;
            rows_left -= k;
            mass_left -= m;
        }
    }

    /// Poisson counts, then corrected to exactly `n` draws.
    fn poissonized(&self, rng: &mut ChaCha8Rng, counts: &mut [u32]) {
        let mut total: u64 = 0;
        if self.unit {
            for c in counts.iter_mut() {
                *c = poisson1(rng);
                total += u64::from(*c);
            }
        } else {
            for (c, &m) in counts.iter_mut().zip(self.m) {
                *c = match Poisson::new(m as f64) {
                    Ok(d) => {
                        let k: f64 = d.sample(rng);
                        k as u32
                    }
                    Err(_) => 0, // m == 0: the unit holds no rows
                };
                total += u64::from(*c);
            }
        }
        let units = counts.len();
        // Too few draws: add i.i.d. draws (unit j with probability m_j / n).
        while total < self.n {
            let j = rng.gen_range(0..units);
            if self.unit || rng.gen_range(0..self.max_m) < self.m[j] {
                counts[j] += 1;
                total += 1;
            }
        }
        // Too many: delete uniformly chosen draws (unit j with probability c_j / total),
        // by rejection against a bound on the counts that only ever shrink.
        if total > self.n {
            let bound = counts.iter().copied().max().unwrap_or(0);
            while total > self.n {
                let j = rng.gen_range(0..units);
                if rng.gen_range(0..bound) < counts[j] {
                    counts[j] -= 1;
                    total -= 1;
                }
            }
        }
    }
}

/// A Poisson(1) variate by inversion of its CDF at a uniform 64-bit integer: `k` is
/// the number of CDF thresholds (scaled to 2^64) at or below the draw. The first eight
/// are compared without branches; the rest (probability 1e-5) only when needed.
#[inline]
fn poisson1(rng: &mut ChaCha8Rng) -> u32 {
    const T: [u64; 18] = poisson1_thresholds();
    let r = rng.next_u64();
    let mut k: u32 = T[..8].iter().map(|&t| u32::from(r >= t)).sum();
    if k == 8 {
        k += T[8..].iter().map(|&t| u32::from(r >= t)).sum::<u32>();
    }
    k
}

/// `CDF(k) · 2^64` of Poisson(1) for k = 0..=17; past 17 the remaining mass is below
/// 2^-53. (A threshold that rounds to 2^64 saturates at u64::MAX.)
const fn poisson1_thresholds() -> [u64; 18] {
    let cdf = poisson1_cdf();
    let mut t = [0u64; 18];
    let mut k = 0;
    while k < 18 {
        let scaled = cdf[k] * 18_446_744_073_709_551_616.0;
        t[k] = if scaled >= 18_446_744_073_709_551_615.0 {
            u64::MAX
        } else {
            scaled as u64
        };
        k += 1;
    }
    t
}

const fn poisson1_cdf() -> [f64; 18] {
    // e^-1 to f64 precision; the CDF accumulates e^-1 / k!.
    const E_INV: f64 = 0.367_879_441_171_442_33;
    let mut cdf = [0.0; 18];
    let mut term = E_INV;
    let mut acc = 0.0;
    let mut k = 0;
    while k < 18 {
        acc += term;
        cdf[k] = acc;
        term /= (k + 1) as f64;
        k += 1;
    }
    cdf
}

#[cfg(test)]
mod tests {
    use super::*;

    fn boot(resamples: usize) -> Bootstrap {
        Bootstrap {
            resamples,
            confidence: 0.95,
            seed: 7,
        }
    }

    #[test]
    fn counts_always_sum_to_the_rows() {
        for m in [vec![1u64; 1000], vec![3, 0, 5, 1, 9], {
            let mut v = vec![1u64; 400];
            v[3] = 40;
            v
        }] {
            let n: u64 = m.iter().sum();
            let d = Drawer::new(&m, n);
            let mut c = vec![0u32; m.len()];
            for r in 0..50 {
                d.counts(&mut resample_rng(1, r), &mut c);
                assert_eq!(c.iter().map(|&x| u64::from(x)).sum::<u64>(), n);
                // A unit standing for no rows is never drawn.
                for (&cj, &mj) in c.iter().zip(&m) {
                    assert!(mj > 0 || cj == 0);
                }
            }
        }
    }

    #[test]
    fn both_draws_give_the_multinomial_moments() {
        // Unit j's count has mean N·p_j and variance N·p_j·(1 − p_j) under both paths.
        let mut m = vec![1u64; 300];
        m[0] = 100; // p_0 = 100/399
        let n: u64 = m.iter().sum();
        let p0 = 100.0 / n as f64;
        let d = Drawer::new(&m, n);
        let mut c = vec![0u32; m.len()];
        let reps = 1500;
        for path in 0..2 {
            let (mut s, mut s2) = (0.0, 0.0);
            for r in 0..reps {
                let mut rng = resample_rng(3, r);
                if path == 0 {
                    d.binomials(&mut rng, &mut c);
                } else {
                    d.poissonized(&mut rng, &mut c);
                }
                let x = f64::from(c[0]);
                s += x;
                s2 += x * x;
            }
            let mean = s / reps as f64;
            let var = s2 / reps as f64 - mean * mean;
            let (em, ev) = (n as f64 * p0, n as f64 * p0 * (1.0 - p0));
            assert!(
                (mean - em).abs() < 4.0 * (ev / reps as f64).sqrt(),
                "{path}: {mean} vs {em}"
            );
            assert!((var / ev - 1.0).abs() < 0.15, "{path}: {var} vs {ev}");
        }
    }

    #[test]
    fn blocked_rows_have_multinomial_moments() {
        // 1000 single-row units: every count is Bin(1000, 1/1000), mean 1, var 0.999.
        let m = vec![1u64; 1000];
        let d = Drawer::new(&m, 1000);
        let mut c = vec![0u32; m.len()];
        let (mut s, mut s2, mut k) = (0.0, 0.0, 0.0);
        for r in 0..300 {
            d.blocked(&mut resample_rng(9, r), &mut c);
            assert_eq!(c.iter().map(|&x| u64::from(x)).sum::<u64>(), 1000);
            for &x in &c {
                let x = f64::from(x);
                s += x;
                s2 += x * x;
                k += 1.0;
            }
        }
        let mean = s / k;
        let var = s2 / k - mean * mean;
        assert!((mean - 1.0).abs() < 1e-12, "{mean}");
        assert!((var - 0.999).abs() < 0.02, "{var}");
        // Row 0 (first block) and row 999 (the partial last block) alike.
        let mut zero_share = |row: usize| {
            (0..2000)
                .filter(|&r| {
                    d.blocked(&mut resample_rng(11, r), &mut c);
                    c[row] == 0
                })
                .count() as f64
                / 2000.0
        };
        for row in [0, 999] {
            assert!((zero_share(row) - 0.3677).abs() < 0.04, "{row}");
        }
    }

    #[test]
    fn grouped_units_match_the_row_bootstrap_of_a_mean() {
        // 30 rows of 1 and 70 of 0, as 100 units or as 2 units: the same distribution.
        let rows: Vec<u64> = vec![1; 100];
        let ones = |c: &[u32]| c[..30].iter().map(|&x| f64::from(x)).sum::<f64>() / 100.0;
        let a = resampled_intervals(&boot(4000), &rows, |c| vec![Some(ones(c))]);
        let b = resampled_intervals(&boot(4000), &[30, 70], |c| {
            vec![Some(f64::from(c[0]) / 100.0)]
        });
        let (a, b) = (a[0].interval.unwrap(), b[0].interval.unwrap());
        assert!((a.low - b.low).abs() <= 0.02 && (a.high - b.high).abs() <= 0.02);
        assert!(a.low < 0.3 && 0.3 < a.high);
    }

    #[test]
    fn deterministic_for_a_seed_and_undefined_values_are_skipped() {
        let m = vec![1u64; 20];
        let stat = |c: &[u32]| {
            let first = f64::from(c[0]);
            vec![Some(first), (c[1] > 0).then_some(first), None]
        };
        let a = resampled_intervals(&boot(500), &m, stat);
        assert_eq!(a, resampled_intervals(&boot(500), &m, stat));
        assert_eq!(a[0].defined, 500);
        // Row 1 is missing from about (19/20)^20 = 36% of resamples.
        assert!(a[1].defined > 200 && a[1].defined < 450, "{}", a[1].defined);
        assert_eq!(
            a[2],
            Estimate {
                interval: None,
                defined: 0
            }
        );
        let other = resampled_intervals(
            &Bootstrap {
                seed: 8,
                ..boot(500)
            },
            &m,
            stat,
        );
        assert_ne!(a[1], other[1]);
    }

    #[test]
    fn no_rows_no_estimates() {
        assert!(resampled_intervals(&boot(10), &[], |_| vec![Some(1.0)]).is_empty());
        assert!(resampled_intervals(&boot(0), &[1], |_| vec![Some(1.0)]).is_empty());
    }

    #[test]
    fn poisson1_has_mean_and_variance_one() {
        let mut rng = resample_rng(5, 0);
        let draws: Vec<f64> = (0..200_000)
            .map(|_| f64::from(poisson1(&mut rng)))
            .collect();
        let mean = draws.iter().sum::<f64>() / draws.len() as f64;
        let var = draws.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / draws.len() as f64;
        assert!(
            (mean - 1.0).abs() < 0.01 && (var - 1.0).abs() < 0.02,
            "{mean} {var}"
        );
        let zeros = draws.iter().filter(|&&x| x == 0.0).count() as f64 / draws.len() as f64;
        assert!((zeros - (-1.0f64).exp()).abs() < 0.005, "{zeros}");
    }

    #[test]
    fn poisson1_cdf_ends_at_one() {
        let cdf = poisson1_cdf();
        assert!((cdf[17] - 1.0).abs() < 1e-15);
        assert!((cdf[0] - (-1.0f64).exp()).abs() < 1e-17);
    }
}
