//! The distribution functions the A/B tests need: normal and Student t tails and
//! quantiles, and the chi-square survival function.
//!
//! Tails come from [`crate::distribution`] (scipy's `ndtr` and `stdtr` to ~1e-13);
//! quantiles are the roots of those tails, so a confidence bound and its p-value agree
//! to the last digits (scipy's `t.ppf` is Boost's inverse of the same CDF).
//!
//! - [`normal_isf`]: Wichura's AS 241 (`PPND16`, ~1e-16 relative) refined by one
//!   Newton step on the tail;
//! - [`t_isf`]: a bracketed Newton iteration on the t tail;
//! - [`chi2_sf`]: the regularized upper incomplete gamma `Q(k/2, x/2)` by its series
//!   or Legendre's continued fraction (Numerical Recipes' `gser`/`gcf`).

use statrs::function::gamma::ln_gamma;

use crate::distribution::{normal_cdf as ndtr, student_t_two_sided_p};

/// `P(Z > z)` for a standard normal `Z`.
pub fn normal_sf(z: f64) -> f64 {
    ndtr(-z)
}

/// `P(Z ≤ z)` for a standard normal `Z`.
pub fn normal_cdf(z: f64) -> f64 {
    ndtr(z)
}

/// The standard normal density.
pub fn normal_pdf(z: f64) -> f64 {
    (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt()
}

/// `P(T > t)` for Student's t with `df` degrees of freedom (`df = ∞` is the normal).
pub fn t_sf(t: f64, df: f64) -> f64 {
    if t.is_nan() || df.is_nan() || df <= 0.0 {
        return f64::NAN;
    }
    if df.is_infinite() {
        return normal_sf(t);
    }
    let half = 0.5 * student_t_two_sided_p(t, df);
    if t >= 0.0 {
        half
    } else {
        1.0 - half
    }
}

/// `P(T ≤ t)`.
pub fn t_cdf(t: f64, df: f64) -> f64 {
    t_sf(-t, df)
}

/// The t density.
fn t_pdf(t: f64, df: f64) -> f64 {
    if df.is_infinite() {
        return normal_pdf(t);
    }
    let ln = ln_gamma((df + 1.0) / 2.0)
        - ln_gamma(df / 2.0)
        - 0.5 * (df * std::f64::consts::PI).ln()
        - (df + 1.0) / 2.0 * (t * t / df).ln_1p();
    ln.exp()
}

// Wichura's published AS 241 coefficients, lowest order first.
#[allow(clippy::excessive_precision)]
const AS241_A: [f64; 8] = [
    3.387132872796366608,
    133.14166789178437745,
    1971.5909503065514427,
    13731.693765509461125,
    45921.953931549871457,
    67265.770927008700853,
    33430.575583588128105,
    2509.0809287301226727,
];
#[allow(clippy::excessive_precision)]
const AS241_B: [f64; 8] = [
    1.0,
    42.313330701600911252,
    687.1870074920579083,
    5394.1960214247511077,
    21213.794301586595867,
    39307.89580009271061,
    28729.085735721942674,
    5226.495278852545925,
];
#[allow(clippy::excessive_precision)]
const AS241_C: [f64; 8] = [
    1.42343711074968357734,
    4.6303378461565452959,
    5.7694972214606914055,
    3.64784832476320460504,
    1.27045825245236838258,
    0.24178072517745061177,
    0.0227238449892691845833,
    7.7454501427834140764e-4,
];
#[allow(clippy::excessive_precision)]
const AS241_D: [f64; 8] = [
    1.0,
    2.05319162663775882187,
    1.6763848301838038494,
    0.68976733498510000455,
    0.14810397642748007459,
    0.0151986665636164571966,
    5.475938084995344946e-4,
    1.05075007164441684324e-9,
];
#[allow(clippy::excessive_precision)]
const AS241_E: [f64; 8] = [
    6.6579046435011037772,
    5.4637849111641143699,
    1.7848265399172913358,
    0.29656057182850489123,
    0.026532189526576123093,
    0.0012426609473880784386,
    2.71155556874348757815e-5,
    2.01033439929228813265e-7,
];
#[allow(clippy::excessive_precision)]
const AS241_F: [f64; 8] = [
    1.0,
    0.59983220655588793769,
    0.13692988092273580531,
    0.0148753612908506148525,
    7.868691311456132591e-4,
    1.8463183175100546818e-5,
    1.4215117583164458887e-7,
    2.04426310338993978564e-15,
];

/// `Σ c_k·r^k` by Horner's rule.
fn horner(c: &[f64; 8], r: f64) -> f64 {
    c.iter().rev().fold(0.0, |acc, &k| acc * r + k)
}

/// The lower-tail standard normal quantile `Φ⁻¹(p)` (AS 241, PPND16).
fn ppnd16(p: f64) -> f64 {
    let q = p - 0.5;
    if q.abs() <= 0.425 {
        let r = 0.180625 - q * q;
        return q * horner(&AS241_A, r) / horner(&AS241_B, r);
    }
    let r = (-(if q < 0.0 { p } else { 1.0 - p }).ln()).sqrt();
    let v = if r <= 5.0 {
        horner(&AS241_C, r - 1.6) / horner(&AS241_D, r - 1.6)
    } else {
        horner(&AS241_E, r - 5.0) / horner(&AS241_F, r - 5.0)
    };
    if q < 0.0 {
        -v
    } else {
        v
    }
}

/// The upper standard normal quantile: `z` with `P(Z > z) = q` (scipy `norm.isf`).
pub fn normal_isf(q: f64) -> f64 {
    if !(0.0..=1.0).contains(&q) || q.is_nan() {
        return f64::NAN;
    }
    if q == 0.0 {
        return f64::INFINITY;
    }
    if q == 1.0 {
        return f64::NEG_INFINITY;
    }
    let mut z = -ppnd16(q);
    // One Newton step on the tail removes AS 241's last-digit error.
    let pdf = normal_pdf(z);
    if pdf > 0.0 {
        z += (normal_sf(z) - q) / pdf;
    }
    z
}

/// The upper t quantile: `t` with `P(T > t) = q` (scipy `t.isf`, i.e. `t.ppf(1 − q)`).
pub fn t_isf(q: f64, df: f64) -> f64 {
    if df.is_infinite() {
        return normal_isf(q);
    }
    if q.is_nan() || df.is_nan() || df <= 0.0 || !(0.0..=1.0).contains(&q) {
        return f64::NAN;
    }
    if q == 0.5 {
        return 0.0;
    }
    if q > 0.5 {
        return -t_isf(1.0 - q, df);
    }
    // Bracket the root on (0, hi], then Newton steps kept inside the bracket.
    let (mut lo, mut hi) = (0.0f64, normal_isf(q).max(1.0));
    while t_sf(hi, df) > q {
        lo = hi;
        hi *= 2.0;
        if !hi.is_finite() {
            return f64::INFINITY;
        }
    }
    let mut x = 0.5 * (lo + hi);
    for _ in 0..200 {
        let f = t_sf(x, df) - q;
        if f == 0.0 {
            return x;
        }
        if f > 0.0 {
            lo = x;
        } else {
            hi = x;
        }
        let pdf = t_pdf(x, df);
        let mut next = x + f / pdf;
        if !(next > lo && next < hi && next.is_finite()) {
            next = 0.5 * (lo + hi);
        }
        if (next - x).abs() <= 4.0 * f64::EPSILON * x.abs() || hi - lo <= f64::EPSILON * hi {
            return next;
        }
        x = next;
    }
    x
}

/// `P(X > x)` for a chi-square `X` with `df` degrees of freedom (scipy `chi2.sf`).
pub fn chi2_sf(x: f64, df: f64) -> f64 {
    if x.is_nan() || df.is_nan() || df <= 0.0 {
        return f64::NAN;
    }
    if x <= 0.0 {
        return 1.0;
    }
    if x.is_infinite() {
        return 0.0;
    }
    gamma_q(0.5 * df, 0.5 * x)
}

/// The regularized upper incomplete gamma function `Q(a, x)`.
fn gamma_q(a: f64, x: f64) -> f64 {
    let ln_front = -x + a * x.ln() - ln_gamma(a);
    if x < a + 1.0 {
        // Series for P(a, x).
        let mut ap = a;
        let mut del = 1.0 / a;
        let mut sum = del;
        for _ in 0..10_000 {
            ap += 1.0;
            del *= x / ap;
            sum += del;
            if del.abs() < sum.abs() * 1e-17 {
                break;
            }
        }
        1.0 - sum * ln_front.exp()
    } else {
        // Legendre's continued fraction for Q(a, x), modified Lentz.
        let tiny = 1e-300;
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / tiny;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..10_000 {
            let an = -(i as f64) * (i as f64 - a);
            b += 2.0;
            d = an * d + b;
            if d.abs() < tiny {
                d = tiny;
            }
            c = b + an / c;
            if c.abs() < tiny {
                c = tiny;
            }
            d = 1.0 / d;
            let del = d * c;
            h *= del;
            if (del - 1.0).abs() < 1e-17 {
                break;
            }
        }
        ln_front.exp() * h
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rel(a: f64, b: f64) -> f64 {
        ((a - b) / b).abs()
    }

    #[test]
    fn normal_quantiles_match_scipy() {
        // scipy.stats.norm.isf
        assert!(rel(normal_isf(0.025), 1.9599639845400545) < 1e-15);
        assert!(rel(normal_isf(0.05), 1.6448536269514729) < 1e-15);
        assert!(rel(normal_isf(1e-10), 6.361340902404056) < 1e-14);
        assert!(rel(normal_isf(0.2), 0.8416212335729142) < 1e-15);
    }

    #[test]
    fn t_quantiles_match_scipy() {
        // scipy.stats.t.ppf(0.975, df)
        assert!(rel(t_isf(0.025, 1.0), 12.706204736174705) < 1e-12);
        assert!(rel(t_isf(0.025, 10.0), 2.2281388519862753) < 1e-12);
        assert!(rel(t_isf(0.025, 1234.5), 1.9618874833313455) < 1e-12);
        assert!(rel(t_isf(0.05, 3.0), 2.353363434801824) < 1e-12);
    }

    #[test]
    fn chi_square_tails_match_scipy() {
        // scipy.stats.chi2.sf
        assert!(rel(chi2_sf(3.84, 1.0), 0.05004352124870519) < 1e-12);
        assert!(rel(chi2_sf(10.0, 2.0), 0.006737946999085468) < 1e-12);
        assert!(rel(chi2_sf(0.5, 3.0), 0.9188914116546758) < 1e-12);
        assert!(rel(chi2_sf(80.0, 4.0), 1.7418252446695558e-16) < 1e-10);
    }
}
