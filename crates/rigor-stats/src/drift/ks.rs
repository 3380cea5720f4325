//! Two-sample Kolmogorov–Smirnov test, two-sided, as scipy's `ks_2samp(method='auto')`.
//!
//! Statistic: `D = max_x |F_ref(x) − F_cur(x)|` over every observed value, each ECDF
//! evaluated as `count(≤ x) / n` (scipy's `searchsorted(side='right') / n`).
//!
//! p-value (scipy 1.17 rules):
//! - `max(n1, n2) ≤ 10000`: exact. `D` is snapped to the lattice `h / lcm(n1, n2)`
//!   (`h = round(D·lcm)`, half to even); equal sizes use the closed form for
//!   `P(D_{n,n} ≥ h/n)`, unequal sizes Hodges' inside method in Viehmann's stable
//!   `1 − p` recursion. If that fails numerically scipy falls back to the asymptotic
//!   branch, and so does this.
//! - otherwise: asymptotic, `kstwo.sf(D, round(n1·n2/(n1+n2)))` (see [`super::kolmogorov`]).
//!
//! Drift (Evidently `ks`): `p ≤ threshold`.

use super::kolmogorov::kstwo_sf;

/// scipy's `MAX_AUTO_N`: above this the p-value is asymptotic.
pub const MAX_EXACT_N: usize = 10_000;

/// How the p-value was computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KsMethod {
    Exact,
    Asymptotic,
}

impl KsMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            KsMethod::Exact => "exact",
            KsMethod::Asymptotic => "asymptotic",
        }
    }
}

/// Result of [`ks_2samp`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KsTest {
    /// `D`, as scipy reports it (on the lattice for the exact method).
    pub statistic: f64,
    pub p_value: f64,
    pub method: KsMethod,
}

/// The two-sided two-sample KS test of two **sorted**, non-empty, NaN-free samples.
/// Returns `None` when either sample is empty.
pub fn ks_2samp(a: &[f64], b: &[f64]) -> Option<KsTest> {
    let (n1, n2) = (a.len(), b.len());
    if n1 == 0 || n2 == 0 {
        return None;
    }
    debug_assert!(a.windows(2).all(|w| w[0] <= w[1]));
    debug_assert!(b.windows(2).all(|w| w[0] <= w[1]));
    let d = statistic(a, b);
    let g = gcd(n1 as u64, n2 as u64);
    if n1.max(n2) <= MAX_EXACT_N {
        if let Some((d, p)) = exact(n1 as u64, n2 as u64, g, d) {
            return Some(KsTest {
                statistic: d,
                p_value: p.clamp(0.0, 1.0),
                method: KsMethod::Exact,
            });
        }
    }
    let (m, n) = if n1 >= n2 {
        (n1 as f64, n2 as f64)
    } else {
        (n2 as f64, n1 as f64)
    };
    let en = m * n / (m + n);
    let p = kstwo_sf(en.round_ties_even() as u64, d);
    Some(KsTest {
        statistic: d,
        p_value: p.clamp(0.0, 1.0),
        method: KsMethod::Asymptotic,
    })
}

/// `max(max(cdf1 − cdf2), clip(−min(cdf1 − cdf2), 0, 1))` over all observed values.
pub fn statistic(a: &[f64], b: &[f64]) -> f64 {
    let (n1, n2) = (a.len() as f64, b.len() as f64);
    let (mut i, mut j) = (0usize, 0usize);
    let mut max_s = f64::NEG_INFINITY;
    let mut min_s = f64::INFINITY;
    while i < a.len() || j < b.len() {
        let x = match (a.get(i), b.get(j)) {
            (Some(&x), Some(&y)) => x.min(y),
            (Some(&x), None) => x,
            (None, Some(&y)) => y,
            (None, None) => unreachable!(),
        };
        while i < a.len() && a[i] <= x {
            i += 1;
        }
        while j < b.len() && b[j] <= x {
            j += 1;
        }
        let diff = i as f64 / n1 - j as f64 / n2;
        max_s = max_s.max(diff);
        min_s = min_s.min(diff);
    }
    let min_s = (-min_s).clamp(0.0, 1.0);
    if min_s > max_s {
        min_s
    } else {
        max_s
    }
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// scipy `_attempt_exact_2kssamp` (two-sided): the lattice statistic and its p-value,
/// or `None` when the computation is not usable.
fn exact(n1: u64, n2: u64, g: u64, d: f64) -> Option<(f64, f64)> {
    let lcm = (n1 / g) * n2;
    let h = (d * lcm as f64).round_ties_even() as u64;
    let d = h as f64 / lcm as f64;
    if h == 0 {
        return Some((d, 1.0));
    }
    let p = if n1 == n2 {
        prob_outside_square(n1, h)
    } else {
        outer_prob_inside_method(n1, n2, g, h)
    };
    if !(0.0..=1.0).contains(&p) {
        return None;
    }
    Some((d, p))
}

/// `P(D_{n,n} ≥ h/n)` (scipy `_compute_prob_outside_square`):
/// `2·(A0·(1 − A1·(1 − A2·(1 − …))))` with the alternating binomial ratios.
fn prob_outside_square(n: u64, h: u64) -> f64 {
    let (nf, hf) = (n as f64, h as f64);
    let mut p = 0.0;
    let mut k = (nf / hf).floor() as i64;
    while k >= 0 {
        let kf = k as f64;
        let mut p1 = 1.0;
        for j in 0..h {
            let jf = j as f64;
            p1 = (nf - kf * hf - jf) * p1 / (nf + kf * hf + jf + 1.0);
        }
        p = p1 * (1.0 - p);
        k -= 1;
    }
    2.0 * p
}

/// The proportion of lattice paths from (0,0) to (m,n) that leave the band
/// `|x/m − y/n| < h/lcm(m,n)` (scipy `_compute_outer_prob_inside_method`).
fn outer_prob_inside_method(m: u64, n: u64, g: u64, h: u64) -> f64 {
    let (m, n) = if m < n { (n, m) } else { (m, n) };
    let (mg, ng) = ((m / g) as i64, (n / g) as i64);
    let (n, h) = (n as i64, h as i64);
    let ceil_div = |num: i64, den: i64| (num as f64 / den as f64).ceil() as i64;
    let floor_div = |num: i64, den: i64| (num as f64 / den as f64).floor() as i64;

    let mut minj: i64 = 0;
    let mut maxj: i64 = ceil_div(h, mg).min(n + 1);
    let mut curlen = maxj - minj;
    let len_a = (2 * maxj + 2).min(n + 1) as usize;
    let mut a = vec![1.0f64; len_a];
    for v in a.iter_mut().take(maxj as usize).skip(minj as usize) {
        *v = 0.0;
    }
    for i in 1..=(m as i64) {
        let (lastminj, lastlen) = (minj, curlen);
        minj = (floor_div(ng * i - h, mg) + 1).max(0).min(n);
        maxj = ceil_div(ng * i + h, mg).min(n + 1);
        if maxj <= minj {
            return 1.0;
        }
        let fi = i as f64;
        let mut val = if minj == 0 { 0.0 } else { 1.0 };
        for jj in 0..(maxj - minj) {
            let j = (jj + minj) as f64;
            // Out of range would be a bug in the band arithmetic: NaN sends the caller
            // to the asymptotic branch instead of panicking.
            let prev = a
                .get((jj + minj - lastminj) as usize)
                .copied()
                .unwrap_or(f64::NAN);
            val = (prev * fi + val * j) / (fi + j);
            match a.get_mut(jj as usize) {
                Some(slot) => *slot = val,
                None => return f64::NAN,
            }
        }
        curlen = maxj - minj;
        if lastlen > curlen {
            let from = (maxj - minj) as usize;
            let to = (from + (lastlen - curlen) as usize).min(len_a);
            for v in &mut a[from..to] {
                *v = 1.0;
            }
        }
    }
    a.get((maxj - minj - 1) as usize)
        .copied()
        .unwrap_or(f64::NAN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_samples_have_p_one() {
        let a = [1.0, 2.0, 3.0];
        let t = ks_2samp(&a, &a).unwrap();
        assert_eq!(t.statistic, 0.0);
        assert_eq!(t.p_value, 1.0);
    }

    #[test]
    fn statistic_handles_ties_across_samples() {
        // ECDFs at 1: 2/3 vs 1/2; at 2: 1 vs 1.
        let t = statistic(&[1.0, 1.0, 2.0], &[1.0, 2.0]);
        assert!((t - (2.0 / 3.0 - 0.5)).abs() < 1e-15);
    }

    #[test]
    fn empty_sample_is_none() {
        assert!(ks_2samp(&[], &[1.0]).is_none());
    }
}
