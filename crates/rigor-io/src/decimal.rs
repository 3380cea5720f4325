//! The plain-decimal fast path shared by the readers that parse numbers themselves
//! (TREC run scores, experiment files in CSV and JSON lines): exact, and several times
//! cheaper than a general float parser on the spellings that dominate such files.

/// Powers of ten that are exact doubles.
pub(crate) const EXACT_POWERS_OF_TEN: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// The common spelling of scores and metric values, `[+-]digits[.digits]` with at most
/// 15 digits, as the correctly rounded double: its digits `m` and the power `10^k` are
/// both exact doubles, so `m / 10^k` is one correctly rounded division, the value any
/// correct parser gives. `None` for anything else (left to the full parser).
#[inline]
pub(crate) fn plain_decimal(field: &[u8]) -> Option<f64> {
    let (negative, digits) = match field.split_first()? {
        (b'-', rest) => (true, rest),
        (b'+', rest) => (false, rest),
        _ => (false, field),
    };
    // At most 15 digits and a point: `m` stays below 10^16, and the digit count is
    // checked once at the end rather than at every digit.
    if digits.len() > 16 {
        return None;
    }
    let mut m: u64 = 0;
    let mut i = 0;
    while let Some(&b) = digits.get(i) {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            break;
        }
        m = m * 10 + u64::from(d);
        i += 1;
    }
    let mut count = i;
    let mut k = 0;
    if i < digits.len() {
        if digits[i] != b'.' {
            return None;
        }
        let fraction = &digits[i + 1..];
        for &b in fraction {
            let d = b.wrapping_sub(b'0');
            if d > 9 {
                return None;
            }
            m = m * 10 + u64::from(d);
        }
        k = fraction.len();
        count += k;
    }
    if count == 0 || count > 15 {
        return None;
    }
    // `m` < 10^15 < 2^63: converted as a signed integer, one instruction (an unsigned
    // 64-bit conversion takes a dozen on x86-64), exactly the same value.
    let v = m as i64 as f64 / EXACT_POWERS_OF_TEN[k];
    Some(if negative { -v } else { v })
}
