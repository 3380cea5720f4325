//! ROUGE-1, ROUGE-2, ROUGE-L and ROUGE-Lsum F-measures exact to Google's rouge-score
//! 0.1.2 (`RougeScorer(types, use_stemmer=True)`), on its 0–1 scale.
//!
//! Tokens (`rouge_score.tokenize`): Python-lowercase the text, replace every run of
//! characters outside `[a-z0-9]` by a space (so `café` → `caf`, accents and non-Latin
//! scripts vanish), split, Porter-stem ([`super::porter`], NLTK's) tokens longer than
//! three characters.
//!
//! - ROUGE-N: clipped n-gram overlap o; P = o / max(#hyp n-grams, 1),
//!   R = o / max(#ref n-grams, 1).
//! - ROUGE-L: LCS length l over the whole text; P = l/|hyp|, R = l/|ref|, 0 when either
//!   side has no token.
//! - ROUGE-Lsum (summary-level LCS, Lin 2004 §3.2, as ROUGE-1.5.5 counts it): the text
//!   is split into sentences on newlines (empty ones dropped); for each reference
//!   sentence, the union of its LCS with every hypothesis sentence (one LCS each, read
//!   back as rouge-score does) contributes hits, each token counted at most as often as
//!   it occurs on both sides; P = hits / hyp tokens, R = hits / ref tokens.
//!
//! F = 2PR / (P + R), 0 when P + R = 0. With several references each type takes the
//! largest F. The corpus value is the mean of the items' F.
//!
//! Sentences: rigor reads one segment per line, so a segment cannot hold a newline.
//! [`decode_sentence_breaks`] turns the two-character escape `\n` (backslash, `n`)
//! into a newline before ROUGE sees the text; rigor applies it to every ROUGE type.

use std::borrow::Cow;

use super::ngram::{clipped_matches, ngrams, total, Interner};
use super::porter::stem;
use super::unicode::py_lower;

/// The ROUGE types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RougeType {
    Rouge1,
    Rouge2,
    RougeL,
    RougeLsum,
}

/// Replaces each literal `\n` (backslash, `n`) by a newline: how a one-line segment
/// carries several sentences for ROUGE-Lsum.
pub fn decode_sentence_breaks(line: &str) -> Cow<'_, str> {
    if line.contains("\\n") {
        Cow::Owned(line.replace("\\n", "\n"))
    } else {
        Cow::Borrowed(line)
    }
}

/// rouge-score's tokenizer with `use_stemmer=True`.
pub fn rouge_tokens(text: &str) -> Vec<String> {
    let lower = py_lower(text);
    lower
        .split(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit()))
        .filter(|t| !t.is_empty())
        .map(|t| {
            if t.len() > 3 {
                cached_stem(t)
            } else {
                t.to_string()
            }
        })
        .filter(|t| !t.is_empty())
        .collect()
}

/// Stems held per thread: words repeat across segments, and stemming is most of the
/// tokenizer's cost. A pure function memoised, so results are unchanged.
const STEM_CACHE_LIMIT: usize = 200_000;

thread_local! {
    static STEMS: std::cell::RefCell<rustc_hash::FxHashMap<String, String>> =
        std::cell::RefCell::new(Default::default());
}

fn cached_stem(word: &str) -> String {
    STEMS.with(|cache| {
        let mut cache = cache.borrow_mut();
        if let Some(s) = cache.get(word) {
            return s.clone();
        }
        let s = stem(word);
        if cache.len() >= STEM_CACHE_LIMIT {
            cache.clear();
        }
        cache.insert(word.to_string(), s.clone());
        s
    })
}

/// One side (hypothesis or reference) tokenized for every requested type.
pub struct RougeText {
    /// Tokens of the whole text (ROUGE-1/2/L).
    tokens: Vec<String>,
    /// Tokens per non-empty sentence (ROUGE-Lsum).
    sentences: Vec<Vec<String>>,
}

impl RougeText {
    /// Tokenizes `text` (sentence breaks already decoded); sentences only when
    /// ROUGE-Lsum is wanted.
    pub fn new(text: &str, sentences: bool) -> RougeText {
        RougeText {
            tokens: rouge_tokens(text),
            sentences: if sentences {
                text.split('\n')
                    .filter(|s| !s.is_empty())
                    .map(rouge_tokens)
                    .collect()
            } else {
                Vec::new()
            },
        }
    }
}

fn fmeasure(p: f64, r: f64) -> f64 {
    if p + r > 0.0 {
        2.0 * p * r / (p + r)
    } else {
        0.0
    }
}

/// F-measures of `types` for one hypothesis against one reference.
pub fn rouge_f(types: &[RougeType], hyp: &RougeText, reference: &RougeText) -> Vec<f64> {
    let mut int = Interner::new();
    let h = int.ids(hyp.tokens.iter().map(String::as_str));
    let r = int.ids(reference.tokens.iter().map(String::as_str));
    types
        .iter()
        .map(|t| match t {
            RougeType::Rouge1 => rouge_n(&h, &r, 1, int.bound()),
            RougeType::Rouge2 => rouge_n(&h, &r, 2, int.bound()),
            RougeType::RougeL => rouge_l(&h, &r),
            RougeType::RougeLsum => {
                let hs: Vec<Vec<u32>> = hyp
                    .sentences
                    .iter()
                    .map(|s| int.ids(s.iter().map(String::as_str)))
                    .collect();
                let rs: Vec<Vec<u32>> = reference
                    .sentences
                    .iter()
                    .map(|s| int.ids(s.iter().map(String::as_str)))
                    .collect();
                rouge_lsum(&hs, &rs)
            }
        })
        .collect()
}

/// The largest F per type over several references (rouge-score's `score_multi`).
pub fn rouge_f_multi(types: &[RougeType], hyp: &RougeText, refs: &[RougeText]) -> Vec<f64> {
    let mut best = vec![f64::NEG_INFINITY; types.len()];
    for r in refs {
        for (b, f) in best.iter_mut().zip(rouge_f(types, hyp, r)) {
            if f > *b {
                *b = f;
            }
        }
    }
    best.iter().map(|b| b.max(0.0)).collect()
}

fn rouge_n(h: &[u32], r: &[u32], n: usize, bound: u32) -> f64 {
    let hc = ngrams(h, n, bound);
    let rc = ngrams(r, n, bound);
    let overlap = clipped_matches(&hc, &rc) as f64;
    let p = overlap / total(&hc).max(1) as f64;
    let rec = overlap / total(&rc).max(1) as f64;
    fmeasure(p, rec)
}

/// LCS length with one rolling row.
fn lcs_length(a: &[u32], b: &[u32]) -> usize {
    let mut row = vec![0usize; b.len() + 1];
    for &x in a {
        let mut diag = 0;
        for j in 1..=b.len() {
            let up = row[j];
            row[j] = if x == b[j - 1] {
                diag + 1
            } else {
                up.max(row[j - 1])
            };
            diag = up;
        }
    }
    row[b.len()]
}

fn rouge_l(h: &[u32], r: &[u32]) -> f64 {
    if h.is_empty() || r.is_empty() {
        return 0.0;
    }
    let l = lcs_length(r, h) as f64;
    fmeasure(l / h.len() as f64, l / r.len() as f64)
}

/// rouge-score's `lcs_ind`: the indices into `reference` of one LCS with `candidate`,
/// read back from the DP table exactly as `_backtrack_norec` does.
fn lcs_indices(reference: &[u32], candidate: &[u32]) -> Vec<usize> {
    let (rows, cols) = (reference.len(), candidate.len());
    let w = cols + 1;
    let mut t = vec![0u32; (rows + 1) * w];
    for i in 1..=rows {
        for j in 1..=cols {
            t[i * w + j] = if reference[i - 1] == candidate[j - 1] {
                t[(i - 1) * w + j - 1] + 1
            } else {
                t[(i - 1) * w + j].max(t[i * w + j - 1])
            };
        }
    }
    let (mut i, mut j) = (rows, cols);
    let mut out = Vec::new();
    while i > 0 && j > 0 {
        if reference[i - 1] == candidate[j - 1] {
            out.push(i - 1);
            i -= 1;
            j -= 1;
        } else if t[i * w + j - 1] > t[(i - 1) * w + j] {
            j -= 1;
        } else {
            i -= 1;
        }
    }
    out.reverse();
    out
}

fn rouge_lsum(hyp: &[Vec<u32>], reference: &[Vec<u32>]) -> f64 {
    if hyp.is_empty() || reference.is_empty() {
        return 0.0;
    }
    let m: usize = reference.iter().map(Vec::len).sum();
    let n: usize = hyp.iter().map(Vec::len).sum();
    if m == 0 || n == 0 {
        return 0.0;
    }
    let mut counts_r: rustc_hash::FxHashMap<u32, i64> = Default::default();
    let mut counts_c: rustc_hash::FxHashMap<u32, i64> = Default::default();
    for t in reference.iter().flatten() {
        *counts_r.entry(*t).or_default() += 1;
    }
    for t in hyp.iter().flatten() {
        *counts_c.entry(*t).or_default() += 1;
    }
    let mut hits = 0usize;
    for r in reference {
        let mut union: Vec<usize> = hyp.iter().flat_map(|c| lcs_indices(r, c)).collect();
        union.sort_unstable();
        union.dedup();
        for i in union {
            let t = r[i];
            let (c, rr) = (
                counts_c.get(&t).copied().unwrap_or(0),
                counts_r.get(&t).copied().unwrap_or(0),
            );
            if c > 0 && rr > 0 {
                hits += 1;
                counts_c.insert(t, c - 1);
                counts_r.insert(t, rr - 1);
            }
        }
    }
    fmeasure(hits as f64 / n as f64, hits as f64 / m as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(types: &[RougeType], h: &str, r: &str) -> Vec<f64> {
        let lsum = types.contains(&RougeType::RougeLsum);
        rouge_f(types, &RougeText::new(h, lsum), &RougeText::new(r, lsum))
    }

    #[test]
    fn rouge_score_readme_example() {
        // RougeScorer(['rouge1', 'rougeL'], use_stemmer=True).score(
        //   'The quick brown fox jumps over the lazy dog',
        //   'The quick brown dog jumps on the log.')
        let v = f(
            &[RougeType::Rouge1, RougeType::RougeL],
            "The quick brown dog jumps on the log.",
            "The quick brown fox jumps over the lazy dog",
        );
        assert!((v[0] - 0.7058823529411765).abs() < 1e-12, "{v:?}");
        assert!((v[1] - 0.5882352941176471).abs() < 1e-12, "{v:?}");
    }

    #[test]
    fn tokens_drop_non_ascii_letters_and_stem() {
        assert_eq!(rouge_tokens("Café running, DOGS!"), ["caf", "run", "dog"]);
    }

    #[test]
    fn empty_sides_score_zero() {
        let all = [
            RougeType::Rouge1,
            RougeType::Rouge2,
            RougeType::RougeL,
            RougeType::RougeLsum,
        ];
        assert_eq!(f(&all, "", "a b"), vec![0.0; 4]);
        assert_eq!(f(&all, "a b", ""), vec![0.0; 4]);
    }
}
