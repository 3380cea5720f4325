//! ExactMatch and TokenF1 with the official SQuAD v1.1 evaluation script's
//! normalisation, on its 0–100 scale.
//!
//! `normalize_answer`: Python-lowercase; delete ASCII punctuation
//! (`string.punctuation`); replace the articles `a`, `an`, `the` standing as whole
//! words (`\b(a|an|the)\b` with Python `re`'s Unicode word characters) by a space;
//! collapse whitespace. ExactMatch = 100 if the normalised strings are equal. TokenF1
//! = 100 · 2PR/(P + R) over the multiset of shared normalised tokens, 0 when none is
//! shared — even when both sides are empty. With several references each item takes
//! the maximum. The corpus value is 100 · Σ item / n, as the script computes it.

use rustc_hash::FxHashMap;

use super::unicode::{is_py_word, py_lower, py_split};

/// The SQuAD v1.1 `normalize_answer`.
pub fn normalize_answer(s: &str) -> String {
    let lower = py_lower(s);
    let no_punct: Vec<char> = lower
        .chars()
        .filter(|c| !c.is_ascii_punctuation())
        .collect();
    let no_articles = remove_articles(&no_punct);
    let mut out = String::with_capacity(no_articles.len());
    for t in py_split(&no_articles) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(t);
    }
    out
}

/// `re.sub(r'\b(a|an|the)\b', ' ', text)`.
fn remove_articles(s: &[char]) -> String {
    let word = |i: usize| i < s.len() && is_py_word(s[i]);
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        let boundary_before = i == 0 || !is_py_word(s[i - 1]);
        if boundary_before && word(i) {
            // Alternatives in the regex's order: a, an, the.
            let len = [&['a'][..], &['a', 'n'][..], &['t', 'h', 'e'][..]]
                .iter()
                .find(|art| s[i..].starts_with(art) && !word(i + art.len()))
                .map(|art| art.len());
            if let Some(len) = len {
                out.push(' ');
                i += len;
                continue;
            }
        }
        out.push(s[i]);
        i += 1;
    }
    out
}

/// 1 if the normalised strings are equal (before scaling).
pub fn exact_match(prediction: &str, reference: &str) -> f64 {
    if normalize_answer(prediction) == normalize_answer(reference) {
        1.0
    } else {
        0.0
    }
}

/// Token F1 in [0, 1] (before scaling).
pub fn token_f1(prediction: &str, reference: &str) -> f64 {
    let p = normalize_answer(prediction);
    let r = normalize_answer(reference);
    let pt: Vec<&str> = py_split(&p).collect();
    let rt: Vec<&str> = py_split(&r).collect();
    let mut counts: FxHashMap<&str, i64> = FxHashMap::default();
    for t in &rt {
        *counts.entry(t).or_default() += 1;
    }
    let mut same = 0usize;
    for t in &pt {
        if let Some(c) = counts.get_mut(t) {
            if *c > 0 {
                *c -= 1;
                same += 1;
            }
        }
    }
    if same == 0 {
        return 0.0;
    }
    let precision = 1.0 * same as f64 / pt.len() as f64;
    let recall = 1.0 * same as f64 / rt.len() as f64;
    (2.0 * precision * recall) / (precision + recall)
}

/// `(ExactMatch, TokenF1)` of one prediction: the maximum over references, in [0, 1].
pub fn squad_item(prediction: &str, refs: &[&str]) -> (f64, f64) {
    let em = refs
        .iter()
        .map(|r| exact_match(prediction, r))
        .fold(0.0, f64::max);
    let f1 = refs
        .iter()
        .map(|r| token_f1(prediction, r))
        .fold(0.0, f64::max);
    (em, f1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisation() {
        assert_eq!(
            normalize_answer("The  Cat, an apple & a dog!"),
            "cat apple dog"
        );
        assert_eq!(normalize_answer("theatre a-team"), "theatre ateam");
        // Combining marks are not \w in Python's re: "the" before U+0301 is a word.
        assert_eq!(normalize_answer("the\u{301}x"), "\u{301}x");
    }

    #[test]
    fn f1_and_em() {
        assert_eq!(squad_item("the cat", &["a cat", "dog"]), (1.0, 1.0));
        assert_eq!(token_f1("", ""), 0.0);
        assert_eq!(exact_match("", "the"), 1.0);
        assert!((token_f1("cat dog", "cat") - 2.0 / 3.0).abs() < 1e-15);
    }
}
