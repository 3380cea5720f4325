//! sacrebleu's `13a` tokenizer (mteval-v13a, the WMT standard) and the Western
//! punctuation passes it shares with Tercom's normaliser.
//!
//! Order, as `Tokenizer13a.__call__` then `TokenizerRegexp`:
//! 1. drop `<skipped>`; delete `-\n`; `\n` → space;
//! 2. only if the line holds `&`: `&quot;` → `"`, `&amp;` → `&`, `&lt;` → `<`,
//!    `&gt;` → `>` (in that order, so `&amp;lt;` becomes `<`);
//! 3. pad with one space on each side;
//! 4. four regex substitutions, each left to right without overlap:
//!    `([\{-\~\[-\` -\&\(-\+\:-\@\/])` → ` \1 `;
//!    `([^0-9])([\.,])` → `\1 \2 `; `([\.,])([^0-9])` → ` \1 \2`;
//!    `([0-9])(-)` → `\1 \2 ` (ASCII digits only);
//! 5. `' '.join(line.split())` with Python's whitespace.

use super::unicode::py_normalize_spaces;

/// Tokenizes one segment as sacrebleu's `13a`.
pub fn tokenize_13a(line: &str) -> String {
    let mut line = line.replace("<skipped>", "");
    if line.contains('\n') {
        line = line.replace("-\n", "").replace('\n', " ");
    }
    if line.contains('&') {
        line = line
            .replace("&quot;", "\"")
            .replace("&amp;", "&")
            .replace("&lt;", "<")
            .replace("&gt;", ">");
    }
    let padded = format!(" {line} ");
    py_normalize_spaces(&western_passes(&padded))
}

/// Pass 1 of mteval's language-dependent part: the ASCII punctuation and symbols
/// `{|}~ [\]^_` space !"#$%& ()*+ :;<=>?@ /` are surrounded by spaces.
#[inline]
pub(crate) fn is_13a_split_char(c: char) -> bool {
    matches!(c, '{'..='~' | '['..='`' | ' '..='&' | '('..='+' | ':'..='@' | '/')
}

/// Passes 1–4 above on a padded line.
pub(crate) fn western_passes(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    // Pass 1: single characters, so no overlap question.
    let mut p1 = Vec::with_capacity(chars.len() * 2);
    for &c in &chars {
        if is_13a_split_char(c) {
            p1.extend([' ', c, ' ']);
        } else {
            p1.push(c);
        }
    }
    let p2 = pair_pass(
        &p1,
        |a, b| !a.is_ascii_digit() && matches!(b, '.' | ','),
        Split::After,
    );
    let p3 = pair_pass(
        &p2,
        |a, b| matches!(a, '.' | ',') && !b.is_ascii_digit(),
        Split::Before,
    );
    let p4 = pair_pass(&p3, |a, b| a.is_ascii_digit() && b == '-', Split::After);
    p4.into_iter().collect()
}

/// Where a two-character match gains spaces.
#[derive(Clone, Copy)]
pub(crate) enum Split {
    /// `\1 \2 `
    After,
    /// ` \1 \2`
    Before,
}

/// One `re.sub(r'(X)(Y)', ...)` over a character sequence: scanning left to right,
/// a match consumes both characters, and the next match starts after them.
pub(crate) fn pair_pass(
    s: &[char],
    is_match: impl Fn(char, char) -> bool,
    split: Split,
) -> Vec<char> {
    let mut out = Vec::with_capacity(s.len() + s.len() / 4 + 4);
    let mut i = 0;
    while i < s.len() {
        if i + 1 < s.len() && is_match(s[i], s[i + 1]) {
            match split {
                Split::After => out.extend([s[i], ' ', s[i + 1], ' ']),
                Split::Before => out.extend([' ', s[i], ' ', s[i + 1]]),
            }
            i += 2;
        } else {
            out.push(s[i]);
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mteval_examples() {
        assert_eq!(tokenize_13a("Hello, world!"), "Hello , world !");
        assert_eq!(tokenize_13a("It costs $1,000.50."), "It costs $ 1,000.50 .");
        assert_eq!(tokenize_13a("1990-2000 a-b"), "1990 - 2000 a-b");
        assert_eq!(tokenize_13a("a &amp;lt; b &quot;"), "a < b \"");
        assert_eq!(tokenize_13a("x<skipped>y"), "xy");
        // Non-overlapping matches: the second '.' of "x.." is split by pass 3 only.
        assert_eq!(tokenize_13a("x..y"), "x . . y");
        assert_eq!(tokenize_13a(""), "");
    }
}
