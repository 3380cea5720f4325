//! The finite-n Kolmogorov distributions behind the asymptotic two-sample KS p-value.
//!
//! [`kstwo_sf`] is `P(D_n ≥ x)` for the two-sided one-sample statistic `D_n`
//! (scipy's `stats.kstwo.sf(x, n)`), computed with the same choice of algorithm as
//! scipy's `_ksstats._kolmogn` (Simard & L'Ecuyer 2011):
//!
//! | region | algorithm |
//! |---|---|
//! | `n·x ≤ 1` | Ruben–Gambino closed form |
//! | `n·x ≥ n − 1` | `2(1 − x)^n` |
//! | `x ≥ 0.5` | `2·smirnov(n, x)` (exact: the one-sided tails cannot overlap) |
//! | `n ≤ 140`, `n·x² ≤ 0.754693` | Durbin matrix (Marsaglia–Tsang–Wang) |
//! | `n ≤ 140`, `n·x² ≤ 4` | Pomeranz recursion |
//! | `n ≤ 140`, otherwise | `2·smirnov(n, x)` (Miller) |
//! | `n > 140`, `n·x² ≥ 370` | 0 |
//! | `n > 140`, `n·x² ≥ 2.2` | `2·smirnov(n, x)` |
//! | `n > 140`, `n·x² ≥ 18` | `1 − 1` |
//! | `n ≤ 100000`, `n·x^1.5 ≤ 1.4` | `1 −` Durbin matrix |
//! | otherwise | `1 −` Pelz–Good asymptotic series |
//!
//! [`smirnov_sf`] is the one-sided `P(D_n^+ ≥ x)` (scipy.special `smirnov`), the
//! Birnbaum–Tingey sum evaluated as cephes/xsf does (same summation side, same early
//! stop), in double precision with scaled binomial coefficients instead of
//! double-double arithmetic: agreement is to about 1e-12, far inside the 1e-9 the
//! goldens demand.

use std::f64::consts::{LN_2, PI};

const E128: i32 = 128;
const EP128: f64 = 3.402_823_669_209_385e38; // 2^128
const EM128: f64 = 2.938_735_877_055_719e-39; // 2^-128
/// cephes `MINLOG`: log(2^-1075).
const MINLOG: f64 = -7.451_332_191_019_412e2;

/// `P(D_n ≥ x)` for the two-sided one-sample Kolmogorov–Smirnov statistic with `n`
/// observations (scipy `stats.kstwo.sf(x, n)`). `n` must be positive.
pub fn kstwo_sf(n: u64, x: f64) -> f64 {
    if x.is_nan() || n == 0 {
        return f64::NAN;
    }
    if x >= 1.0 {
        return 0.0;
    }
    if x <= 0.0 {
        return 1.0;
    }
    let nf = n as f64;
    let t = nf * x;
    if t <= 1.0 {
        // Ruben–Gambino: 1/(2n) ≤ x ≤ 1/n.
        if t <= 0.5 {
            return 1.0;
        }
        let cdf = if n <= 140 {
            let base = 2.0 * t - 1.0;
            let inv = 1.0 / nf;
            (1..=n).fold(1.0, |p, i| p * (i as f64 * inv * base))
        } else {
            (log_nfactorial_div_n_pow_n(nf) + nf * (2.0 * t - 1.0).ln()).exp()
        };
        return clip(1.0 - cdf);
    }
    if t >= nf - 1.0 {
        return clip(2.0 * (1.0 - x).powf(nf));
    }
    if x >= 0.5 {
        return clip(2.0 * smirnov_sf(n, x));
    }
    let nxsquared = t * x;
    if n <= 140 {
        if nxsquared <= 0.754693 {
            return clip(1.0 - durbin_cdf(n, x));
        }
        if nxsquared <= 4.0 {
            return clip(1.0 - pomeranz_cdf(n, x));
        }
        return clip(2.0 * smirnov_sf(n, x));
    }
    if nxsquared >= 370.0 {
        return 0.0;
    }
    if nxsquared >= 2.2 {
        return clip(2.0 * smirnov_sf(n, x));
    }
    let cdf = if nxsquared >= 18.0 {
        1.0
    } else if n <= 100_000 && nf * x.powf(1.5) <= 1.4 {
        durbin_cdf(n, x)
    } else {
        pelz_good_cdf(n, x)
    };
    clip(1.0 - cdf)
}

fn clip(p: f64) -> f64 {
    p.clamp(0.0, 1.0)
}

/// `x · 2^e` without overflowing on the way (C `ldexp`).
fn ldexp(mut x: f64, mut e: i32) -> f64 {
    while e > 1000 {
        x *= 2f64.powi(1000);
        e -= 1000;
    }
    while e < -1000 {
        x *= 2f64.powi(-1000);
        e += 1000;
    }
    x * 2f64.powi(e)
}

/// `log(n! / n^n)` by Stirling's series with the `n·log n` term removed.
fn log_nfactorial_div_n_pow_n(n: f64) -> f64 {
    const STIRLING: [f64; 8] = [
        -2.955_065_359_477_124e-2,
        6.410_256_410_256_41e-3,
        -1.917_526_917_526_917_4e-3,
        8.417_508_417_508_417e-4,
        -5.952_380_952_380_952e-4,
        7.936_507_936_507_937e-4,
        -2.777_777_777_777_778e-3,
        8.333_333_333_333_333e-2,
    ];
    let rn = 1.0 / n;
    let x = rn / n;
    let poly = STIRLING[1..].iter().fold(STIRLING[0], |p, c| p * x + c);
    n.ln() / 2.0 - n + (2.0 * PI).ln() / 2.0 + rn * poly
}

/// `P(D_n ≤ d)` by Durbin's matrix method as Marsaglia, Tsang & Wang (2003) compute it.
fn durbin_cdf(n: u64, d: f64) -> f64 {
    if d >= 1.0 {
        return 1.0;
    }
    let nf = n as f64;
    let nd = nf * d;
    if nd <= 0.5 {
        return 0.0;
    }
    let k = nd.ceil() as usize;
    let h = k as f64 - nd;
    let m = 2 * k - 1;

    let mut v: Vec<f64> = (1..=m).map(|j| 1.0 - h.powi(j as i32)).collect();
    let mut w = vec![0.0; m];
    let mut fac = 1.0;
    for j in 1..=m {
        w[j - 1] = fac;
        fac /= j as f64;
        v[j - 1] *= fac;
    }
    let tt = (2.0 * h - 1.0).max(0.0).powi(m as i32) - 2.0 * h.powi(m as i32);
    v[m - 1] = (1.0 + tt) * fac;

    let mut hm = vec![0.0; m * m];
    for i in 1..m {
        for (r, wv) in (i - 1..m).zip(&w[..m - i + 1]) {
            hm[r * m + i] = *wv;
        }
    }
    for r in 0..m {
        hm[r * m] = v[r];
    }
    for c in 0..m {
        hm[(m - 1) * m + c] = v[m - 1 - c];
    }

    let mut power = vec![0.0; m * m];
    for i in 0..m {
        power[i * m + i] = 1.0;
    }
    let mut nn = n;
    let mut expnt: i32 = 0;
    let mut h_expnt: i32 = 0;
    while nn > 0 {
        if nn % 2 == 1 {
            power = matmul(&power, &hm, m);
            expnt += h_expnt;
        }
        hm = matmul(&hm, &hm, m);
        h_expnt *= 2;
        if hm[(k - 1) * m + (k - 1)].abs() > EP128 {
            for x in hm.iter_mut() {
                *x /= EP128;
            }
            h_expnt += E128;
        }
        nn /= 2;
    }
    let mut p = power[(k - 1) * m + (k - 1)];
    for i in 1..=n {
        p = i as f64 * p / nf;
        if p.abs() < EM128 {
            p *= EP128;
            expnt -= E128;
        }
    }
    if expnt != 0 {
        p = ldexp(p, expnt);
    }
    clip(p)
}

fn matmul(a: &[f64], b: &[f64], m: usize) -> Vec<f64> {
    let mut out = vec![0.0; m * m];
    for i in 0..m {
        for l in 0..m {
            let ail = a[i * m + l];
            if ail == 0.0 {
                continue;
            }
            for j in 0..m {
                out[i * m + j] += ail * b[l * m + j];
            }
        }
    }
    out
}

/// The column range of row `i` in the Pomeranz recursion (scipy `_pomeranz_compute_j1j2`).
fn pomeranz_j1j2(i: i64, n: i64, ll: i64, ceilf: i64, roundf: i64) -> (i64, i64) {
    let (j1, j2) = if i == 0 {
        (-ll - ceilf - 1, ll + ceilf - 1)
    } else {
        let (ip1div2, ip1mod2) = ((i + 1) / 2, (i + 1) % 2);
        if ip1mod2 == 0 {
            if ip1div2 == n + 1 {
                (n - ll - ceilf - 1, n + ll + ceilf - 1)
            } else {
                (ip1div2 - 1 - ll - roundf - 1, ip1div2 + ll - 1 + ceilf - 1)
            }
        } else {
            (ip1div2 - 1 - ll - 1, ip1div2 + ll + roundf - 1)
        }
    };
    ((j1 + 2).max(0), j2.min(n))
}

/// `P(D_n ≤ x)` by the Pomeranz (1974) recursion.
fn pomeranz_cdf(n: u64, x: f64) -> f64 {
    let nf = n as f64;
    let ni = n as i64;
    let t = nf * x;
    let ll = t.floor() as i64;
    let f = t - ll as f64;
    let g = f.min(1.0 - f);
    let ceilf = i64::from(f > 0.0);
    let roundf = i64::from(f > 0.5);
    let npwrs = (2 * (ll + 1)) as usize;
    let mut gpower = vec![0.0; npwrs];
    let mut twogpower = vec![0.0; npwrs];
    let mut onem2gpower = vec![0.0; npwrs];
    gpower[0] = 1.0;
    twogpower[0] = 1.0;
    onem2gpower[0] = 1.0;
    let (g_n, two_g_n, one_m2g_n) = (g / nf, 2.0 * g / nf, (1.0 - 2.0 * g) / nf);
    for m in 1..npwrs {
        gpower[m] = gpower[m - 1] * g_n / m as f64;
        twogpower[m] = twogpower[m - 1] * two_g_n / m as f64;
        onem2gpower[m] = onem2gpower[m - 1] * one_m2g_n / m as f64;
    }

    let mut v0 = vec![0.0; npwrs];
    let mut v1 = vec![0.0; npwrs];
    v1[0] = 1.0;
    let (mut v0s, mut v1s) = (0i64, 0i64);
    let mut expnt: i32 = 0;
    let (mut j1, _) = pomeranz_j1j2(0, ni, ll, ceilf, roundf);
    for i in 1..(2 * ni + 2) {
        let k1 = j1;
        std::mem::swap(&mut v0, &mut v1);
        std::mem::swap(&mut v0s, &mut v1s);
        v1.fill(0.0);
        let (nj1, j2) = pomeranz_j1j2(i, ni, ll, ceilf, roundf);
        j1 = nj1;
        let pwrs = if i == 1 || i == 2 * ni + 1 {
            &gpower
        } else if i % 2 == 1 {
            &twogpower
        } else {
            &onem2gpower
        };
        let ln2 = j2 - k1 + 1;
        if ln2 > 0 {
            let start = (k1 - v0s) as usize;
            let end = (start + ln2 as usize).min(npwrs);
            let a = &v0[start.min(end)..end];
            let b = &pwrs[..(ln2 as usize).min(npwrs)];
            let conv_start = (j1 - k1) as usize;
            let conv_len = (j2 - j1 + 1).max(0) as usize;
            for (out, idx) in v1[..conv_len].iter_mut().zip(conv_start..) {
                // Full convolution, element idx: Σ a[p]·b[idx − p].
                let lo = idx.saturating_sub(b.len() - 1);
                let hi = idx.min(a.len().saturating_sub(1));
                let mut s = 0.0;
                for p in lo..=hi {
                    s += a[p] * b[idx - p];
                }
                *out = s;
            }
            let max = v1.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            if 0.0 < max && max < EM128 {
                for x in v1.iter_mut() {
                    *x *= EP128;
                }
                expnt -= E128;
            }
            v1s = v0s + j1 - k1;
        }
    }
    let mut ans = v1[(ni - v1s) as usize];
    for m in 1..=n {
        if ans.abs() > EP128 {
            ans *= EM128;
            expnt += E128;
        }
        ans *= m as f64;
    }
    if expnt != 0 {
        ans = ldexp(ans, expnt);
    }
    clip(ans)
}

/// The Pelz–Good (1976) approximation to `P(D_n ≤ x)` (not clipped).
fn pelz_good_cdf(n: u64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let nf = n as f64;
    let z = nf.sqrt() * x;
    let (zsquared, zthree, zfour, zsix) = (z.powi(2), z.powi(3), z.powi(4), z.powi(6));
    let pi2 = PI * PI;
    let pi4 = pi2 * pi2;
    let pi6 = pi4 * pi2;
    let qlog = -pi2 / 8.0 / zsquared;
    if qlog < -708.0 {
        return 0.0;
    }
    let q = qlog.exp();

    let k1a = -zsquared;
    let k1b = pi2 / 4.0;
    let k2a = 6.0 * zsix + 2.0 * zfour;
    let k2b = (2.0 * zfour - 5.0 * zsquared) * pi2 / 4.0;
    let k2c = pi4 * (1.0 - 2.0 * zsquared) / 16.0;
    let k3d = pi6 * (5.0 - 30.0 * zsquared) / 64.0;
    let k3c = pi4 * (-60.0 * zsquared + 212.0 * zfour) / 16.0;
    let k3b = pi2 * (135.0 * zfour - 96.0 * zsix) / 4.0;
    let k3a = -30.0 * zsix - 90.0 * z.powi(8);

    let mut k = [0.0f64; 4];
    let maxk = (16.0 * z / PI).ceil() as i64;
    for kk in (1..=maxk).rev() {
        let m = (2 * kk - 1) as f64;
        let (m2, m4, m6) = (m.powi(2), m.powi(4), m.powi(6));
        let qpower = q.powf((8 * kk) as f64);
        let coeffs = [
            1.0,
            k1a + k1b * m2,
            k2a + k2b * m2 + k2c * m4,
            k3a + k3b * m2 + k3c * m4 + k3d * m6,
        ];
        for (v, c) in k.iter_mut().zip(coeffs) {
            *v = *v * qpower + c;
        }
    }
    let sqrt2pi = (2.0 * PI).sqrt();
    let denominators = [z, 6.0 * zfour, 72.0 * z.powi(7), 6480.0 * z.powi(10)];
    for (v, d) in k.iter_mut().zip(denominators) {
        *v = *v * q * sqrt2pi / d;
    }

    let q = (-pi2 / 2.0 / zsquared).exp();
    let sqrt3z = 3f64.sqrt() * z;
    let mut k2extra = 0.0;
    let mut k3extra = 0.0;
    for kk in (1..=maxk).rev() {
        let ks = kk as f64;
        let ksq = ks * ks;
        let qp = q.powf(ksq);
        let kspi = PI * ks;
        k2extra += ksq * qp;
        k3extra += (sqrt3z + kspi) * (sqrt3z - kspi) * ksq * qp;
    }
    k[2] += k2extra * pi2 * sqrt2pi / (-36.0 * zthree);
    k[3] += k3extra * pi2 * sqrt2pi / (216.0 * zsix);
    for (i, v) in k.iter_mut().enumerate() {
        *v /= nf.powf(i as f64 / 2.0);
    }
    k.iter().sum()
}

/// `P(D_n^+ ≥ x)`: the one-sided Smirnov survival function (scipy.special `smirnov`).
pub fn smirnov_sf(n: u64, x: f64) -> f64 {
    if !(n > 0 && (0.0..=1.0).contains(&x)) {
        return f64::NAN;
    }
    if n == 1 {
        return 1.0 - x;
    }
    if x == 0.0 {
        return 1.0;
    }
    if x == 1.0 {
        return 0.0;
    }
    let nf = n as f64;
    let ni = n as i64;
    // floor(n·x) and its remainder, exactly (the product as hi + lo).
    let hi = nf * x;
    let lo = nf.mul_add(x, -hi);
    let mut nxfl = hi.floor();
    let mut alpha = (hi - nxfl) + lo;
    if alpha < 0.0 {
        nxfl -= 1.0;
        alpha += 1.0;
    }
    if alpha >= 1.0 {
        nxfl += 1.0;
        alpha -= 1.0;
    }
    let nxfl = nxfl as i64;
    let mut n1mxfl = ni - nxfl - i64::from(alpha != 0.0);
    let mut n1mxceil = ni - nxfl;
    if alpha == 0.0 {
        n1mxfl -= 1;
        n1mxceil += 1;
    }
    if nxfl == 0 || (nxfl == 1 && alpha == 0.0) {
        let t = (1.0 + x).powf(nf - 1.0);
        return 1.0 - x * t;
    }
    if -2.0 * nf * x * x < MINLOG {
        return 0.0;
    }
    if nxfl >= ni - 1 {
        return (1.0 - x).powf(nf);
    }
    if n > 1_000_000 {
        let logp = -(6.0 * nf * x + 1.0).powi(2) / 18.0 / nf;
        return if logp < -LN_2 {
            logp.exp()
        } else {
            1.0 + logp.exp_m1()
        };
    }
    let n_upper_terms = ni - n1mxceil + 1;
    let use_upper =
        (n_upper_terms <= 1 && x < 0.5) || (ni >= 10 && n_upper_terms <= 3 && x <= 0.5 / nf.sqrt());

    // Binomial coefficient C(n, v) as mantissa · 2^exponent.
    let mut c_man = 1.0f64;
    let mut c_exp: i32 = 0;
    let update_binomial = |c_man: &mut f64, c_exp: &mut i32, j: i64| {
        let (m, e) = frexp(*c_man * ((ni - j) as f64 / (j as f64 + 1.0)));
        *c_man = m;
        *c_exp += e;
    };
    let term = |v: i64, c_man: f64, c_exp: i32| -> f64 {
        // A_v = C(n, v) · (1 − x − v/n)^(n−v) · (x + v/n)^(v−1)
        let a = (ni - v) as f64 / nf - x;
        let b = v as f64 / nf + x;
        let ea = (ni - v) as f64;
        if a == 0.0 {
            return 0.0;
        }
        let sign = if a < 0.0 && (ni - v) % 2 == 1 {
            -1.0
        } else {
            1.0
        };
        let log = c_man.ln() + c_exp as f64 * LN_2 + ea * a.abs().ln() + (v - 1) as f64 * b.ln();
        sign * log.exp()
    };

    let (start, step, n_terms) = if use_upper {
        (ni, -1i64, ni - n1mxceil + 1)
    } else {
        (0i64, 1i64, n1mxfl + 1)
    };
    let mut sum = if use_upper {
        (1.0 + x).powf(nf - 1.0)
    } else {
        (1.0 - x).powf(nf) / x
    };
    update_binomial(&mut c_man, &mut c_exp, 0);
    let vmid = ni / 2;
    for j in 1..n_terms {
        let v = start + j * step;
        let aj = term(v, c_man, c_exp);
        if aj.is_finite() && aj != 0.0 {
            sum += aj;
        }
        if aj != 0.0 {
            if 4.0 * (n_terms - j) as f64 * aj.abs() < f64::EPSILON * sum && j != n_terms - 1 {
                break;
            }
        } else if j > vmid {
            break;
        }
        update_binomial(&mut c_man, &mut c_exp, j);
    }
    let prob = x * sum;
    let sf = if step < 0 { 1.0 - prob } else { prob };
    clip(sf)
}

/// Splits `x` into a mantissa in [0.5, 1) and a power of two (C `frexp`).
fn frexp(x: f64) -> (f64, i32) {
    if x == 0.0 || !x.is_finite() {
        return (x, 0);
    }
    let e = x.abs().log2().floor() as i32 + 1;
    let mut m = ldexp(x, -e);
    let mut e = e;
    // log2 rounding can be off by one near powers of two.
    if m.abs() >= 1.0 {
        m /= 2.0;
        e += 1;
    } else if m.abs() < 0.5 {
        m *= 2.0;
        e -= 1;
    }
    (m, e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boundaries() {
        assert_eq!(kstwo_sf(10, 0.0), 1.0);
        assert_eq!(kstwo_sf(10, 1.0), 0.0);
        assert_eq!(kstwo_sf(10, 0.04), 1.0);
        assert_eq!(smirnov_sf(1, 0.25), 0.75);
    }

    #[test]
    fn frexp_is_exact() {
        for x in [1.0, 0.5, 3.0, 1e-300, 1e300, 0.75, 1024.0, 1023.999] {
            let (m, e) = frexp(x);
            assert!((0.5..1.0).contains(&m), "{x}: {m}");
            assert_eq!(ldexp(m, e), x);
        }
    }
}
