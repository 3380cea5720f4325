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

/// The lower-tail standard normal quantile `Φ⁻¹(p)` (AS 241, PPND16).
fn ppnd16(p: f64) -> f64 {
    let q = p - 0.5;
    if q.abs() <= 0.425 {
        let r = 0.180625 - q * q;
        return q
            * (((((((2509.080_928_730_122_7 * r + 33430.575_583_588_128) * r
                + 67265.770_927_008_700_853)
                * r
                + 45921.953_931_549_871_457)
                * r
                + 13731.693_765_509_461_125)
                * r
                + 1971.590_950_306_551_442_7)
                * r
                + 133.141_667_891_784_377_37)
                * r
                + 3.387_132_872_796_366_608)
            / (((((((5226.495_278_852_545_925 * r + 28729.085_735_721_942_674) * r
                + 39307.895_800_092_710_61)
                * r
                + 21213.794_301_586_595_867)
                * r
                + 5394.196_021_424_751_077_1)
                * r
                + 687.187_007_492_057_908_95)
                * r
                + 42.313_330_701_600_911_252)
                * r
                + 1.0);
    }
    let mut r = if q < 0.0 { p } else { 1.0 - p };
    r = (-r.ln()).sqrt();
    let v = if r <= 5.0 {
        let r = r - 1.6;
        (((((((7.745_450_142_783_414_076_4e-4 * r + 0.022_723_844_989_269_184_583) * r
            + 0.241_780_725_177_450_611_77)
            * r
            + 1.270_458_252_452_368_382_58)
            * r
            + 3.647_848_324_763_204_605_04)
            * r
            + 5.769_497_221_460_691_405_5)
            * r
            + 4.630_337_846_156_545_295_9)
            * r
            + 1.423_437_110_749_683_577_34)
            / (((((((1.050_750_071_644_416_843_24e-9 * r + 5.475_938_084_995_344_946e-4)
                * r
                + 0.015_198_666_563_616_457_2)
                * r
                + 0.148_103_976_427_480_074_59)
                * r
                + 0.689_767_334_985_100_004_55)
                * r
                + 1.676_384_830_183_803_849_4)
                * r
                + 2.053_191_626_637_758_821_87)
                * r
                + 1.0)
    } else {
        let r = r - 5.0;
        (((((((2.010_334_399_292_288_132_65e-7 * r + 2.711_555_568_743_487_578_87e-5)
            * r
            + 0.001_242_660_947_388_078_438_6)
            * r
            + 0.026_532_189_526_576_123_093)
            * r
            + 0.296_560_571_828_504_891_23)
            * r
            + 1.784_826_539_917_291_335_8)
            * r
            + 5.463_784_911_164_114_369_9)
            * r
            + 6.657_904_643_501_103_777_2)
            / (((((((2.044_263_103_389_939_785_64e-15 * r + 1.421_511_758_316_445_887_88e-7)
                * r
                + 1.846_318_317_510_054_681_9e-5)
                * r
                + 7.868_691_311_456_132_591e-4)
                * r
                + 0.014_875_361_290_850_615_025)
                * r
                + 0.136_929_880_922_735_805_31)
                * r
                + 0.599_832_206_555_887_937_69)
                * r
                + 1.0)
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
        if !(next > lo && next < hi) || !next.is_finite() {
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
