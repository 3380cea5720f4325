//! Numbers as criteria lines show them: short, signed where a sign matters, never
//! `NaN` (an undefined value is "undefined").

/// A value: 4 decimals, trailing zeros trimmed; thousands and up with one decimal.
///
/// ```
/// use rigor_gate::format::num;
/// assert_eq!(num(0.61160), "0.6116");
/// assert_eq!(num(0.5), "0.5");
/// assert_eq!(num(30.0), "30");
/// assert_eq!(num(12345.678), "12345.7");
/// ```
pub fn num(v: f64) -> String {
    if !v.is_finite() {
        return "undefined".into();
    }
    let s = if v.abs() >= 1000.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.4}")
    };
    let s = trim(&s);
    if s == "-0" {
        "0".into()
    } else {
        s
    }
}

/// A signed value: `+0.0431`, `-0.004`, `0`.
pub fn signed(v: f64) -> String {
    let s = num(v);
    if v > 0.0 && s != "0" {
        format!("+{s}")
    } else {
        s
    }
}

/// An optional value.
pub fn opt(v: Option<f64>) -> String {
    v.map_or("undefined".into(), num)
}

/// A fraction as a signed percentage: `+31.3%`.
pub fn pct(v: f64) -> String {
    if !v.is_finite() {
        return "undefined".into();
    }
    format!("{:+.1}%", v * 100.0)
}

/// A p-value: 4 decimals, or scientific below 0.001.
pub fn p(v: f64) -> String {
    if v < 1e-3 && v > 0.0 {
        format!("{v:.1e}")
    } else {
        num(v)
    }
}

/// An interval: `[0.7693, 0.8351]`.
pub fn ci(lo: f64, hi: f64) -> String {
    format!("[{}, {}]", num(lo), num(hi))
}

/// A signed interval: `[+0.0139, +0.0744]`.
pub fn signed_ci(lo: f64, hi: f64) -> String {
    format!("[{}, {}]", signed(lo), signed(hi))
}

fn trim(s: &str) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        assert_eq!(num(-0.00001), "0");
        assert_eq!(signed(0.1911), "+0.1911");
        assert_eq!(signed(-0.004), "-0.004");
        assert_eq!(signed(0.0), "0");
        assert_eq!(pct(0.3125), "+31.2%");
        assert_eq!(p(8.6e-7), "8.6e-7");
        assert_eq!(p(0.0067), "0.0067");
        assert_eq!(num(f64::NAN), "undefined");
    }
}
