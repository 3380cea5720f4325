//! Python's view of Unicode, which the references inherit: whitespace as `str.split()`
//! and `str.rstrip()` see it, `str.lower()`, `re`'s `\w`, and the `regex` module's
//! general categories `\p{N}`, `\p{P}`, `\p{S}` (sacrebleu's `intl` tokenizer).
//!
//! The tables in `unicode_tables.rs` are generated from Python 3.11 and `regex` by
//! `tools/goldens/text/unicode_tables.py`, so a character class here is the
//! reference's to the code point — not whatever Unicode version Rust ships.

use std::borrow::Cow;

use super::unicode_tables::{LOWER_OVERRIDES, NUMBER, PUNCTUATION, PY_WORD, SYMBOL};

/// Python's `str.isspace()`: Unicode White_Space plus U+001C–U+001F (bidi class B/S).
/// Rust's `char::is_whitespace` lacks U+001C–U+001F.
#[inline]
pub fn is_py_space(c: char) -> bool {
    matches!(
        c,
        '\t'..='\r'
            | '\u{1C}'..='\u{20}'
            | '\u{85}'
            | '\u{A0}'
            | '\u{1680}'
            | '\u{2000}'..='\u{200A}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202F}'
            | '\u{205F}'
            | '\u{3000}'
    )
}

/// Python's `str.split()` with no argument: runs of whitespace separate, leading and
/// trailing whitespace yields nothing.
pub fn py_split(s: &str) -> impl Iterator<Item = &str> {
    s.split(is_py_space).filter(|t| !t.is_empty())
}

/// Python's `str.rstrip()` with no argument.
pub fn py_rstrip(s: &str) -> &str {
    s.trim_end_matches(is_py_space)
}

/// Python's `' '.join(s.split())`.
pub fn py_normalize_spaces(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for tok in py_split(s) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(tok);
    }
    out
}

/// Python 3.11's `str.lower()`: full case mapping with the final-sigma rule (Rust's
/// `str::to_lowercase` implements the same rule), minus the mappings of characters
/// that Python 3.11's Unicode 14 does not know.
pub fn py_lower(s: &str) -> Cow<'_, str> {
    if s.is_ascii() {
        if s.bytes().any(|b| b.is_ascii_uppercase()) {
            return Cow::Owned(s.to_ascii_lowercase());
        }
        return Cow::Borrowed(s);
    }
    // Characters Python does not lowercase are neither cased nor case-ignorable for
    // it, so splitting the string at them leaves every final-sigma context intact.
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some((i, c)) = rest
        .char_indices()
        .find(|(_, c)| lower_override(*c).is_some())
    {
        out.push_str(&rest[..i].to_lowercase());
        out.push_str(lower_override(c).unwrap_or_default());
        rest = &rest[i + c.len_utf8()..];
    }
    out.push_str(&rest.to_lowercase());
    Cow::Owned(out)
}

fn lower_override(c: char) -> Option<&'static str> {
    let cp = c as u32;
    if cp < 0x1C80 {
        return None;
    }
    LOWER_OVERRIDES
        .binary_search_by_key(&cp, |(k, _)| *k)
        .ok()
        .map(|i| LOWER_OVERRIDES[i].1)
}

#[inline]
fn in_table(table: &[(u32, u32)], c: char) -> bool {
    let cp = c as u32;
    table
        .binary_search_by(|&(lo, hi)| {
            if hi < cp {
                std::cmp::Ordering::Less
            } else if lo > cp {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

/// `regex`'s `\p{N}` (any number: Nd, Nl, No).
#[inline]
pub fn is_number(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_digit();
    }
    in_table(NUMBER, c)
}

/// `regex`'s `\p{P}` (any punctuation).
#[inline]
pub fn is_punctuation(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_punctuation()
            && !matches!(c, '$' | '+' | '<' | '=' | '>' | '^' | '`' | '|' | '~');
    }
    in_table(PUNCTUATION, c)
}

/// `regex`'s `\p{S}` (any symbol).
#[inline]
pub fn is_symbol(c: char) -> bool {
    if c.is_ascii() {
        return matches!(c, '$' | '+' | '<' | '=' | '>' | '^' | '`' | '|' | '~');
    }
    in_table(SYMBOL, c)
}

/// Python `re`'s `\w` on str: `[a-zA-Z0-9_]` and every character for which
/// `str.isalnum()` holds (combining marks are not word characters).
#[inline]
pub fn is_py_word(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric() || c == '_';
    }
    in_table(PY_WORD, c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_fast_paths_agree_with_the_tables() {
        for b in 0u8..128 {
            let c = b as char;
            assert_eq!(is_number(c), in_table(NUMBER, c), "{c:?}");
            assert_eq!(is_punctuation(c), in_table(PUNCTUATION, c), "{c:?}");
            assert_eq!(is_symbol(c), in_table(SYMBOL, c), "{c:?}");
            assert_eq!(is_py_word(c), in_table(PY_WORD, c), "{c:?}");
        }
    }

    #[test]
    fn python_whitespace() {
        assert!(is_py_space('\u{1F}') && is_py_space('\u{85}') && is_py_space('\u{3000}'));
        assert!(!is_py_space('\u{200B}') && !is_py_space('\u{FEFF}'));
        assert_eq!(
            py_split(" a\t\u{1C}b  c\u{A0}").collect::<Vec<_>>(),
            ["a", "b", "c"]
        );
        assert_eq!(py_rstrip("x \r\u{2029}"), "x");
    }

    #[test]
    fn python_lower() {
        assert_eq!(py_lower("ABC"), "abc");
        assert_eq!(py_lower("ΟΔΟΣ ΣΑ"), "οδος σα");
        assert_eq!(py_lower("İ"), "i\u{307}");
        assert_eq!(py_lower("\u{212A}"), "k");
        // U+A7CB is uppercase only since Unicode 16: Python 3.11 leaves it.
        assert_eq!(py_lower("A\u{A7CB}Σ"), "a\u{A7CB}σ");
    }
}
