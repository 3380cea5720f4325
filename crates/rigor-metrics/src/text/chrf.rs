//! chrF (Popović 2015) and chrF++ (Popović 2017) exact to sacrebleu 2.x
//! (`sacrebleu.metrics.CHRF`, defaults: character order 6, β = 2, whitespace removed,
//! no ε-smoothing; chrF++ adds word order 2).
//!
//! Per order (character n-grams 1..6 of the line with all whitespace removed, then
//! word n-grams 1..2 for chrF++) the statistics are `[hyp, ref, match]`: n-gram
//! counts and clipped matches — with sacrebleu's quirk that `hyp` is 0 when the
//! reference has no n-gram of that order. With several references, a segment keeps
//! the statistics of the reference with the best sentence chrF (the first on ties).
//! The corpus score sums statistics over segments, then
//!
//! P = mean of match/hyp, R = mean of match/ref over the orders where hyp > 0 and
//! ref > 0 (the effective orders), chrF = 100 · (1 + β²)PR / (β²P + R), 0 if P + R = 0.
//!
//! chrF++ words: split on whitespace; a word longer than one character loses one
//! trailing ASCII punctuation mark, or else one leading one, as a separate word.

use super::ngram::{clipped_matches, ngrams, total, CharInterner, Counts, Interner};
use super::unicode::{is_py_space, py_split};

/// Character n-gram order.
pub const CHAR_ORDER: usize = 6;
/// β of the F-score.
pub const BETA: u32 = 2;

/// Which variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChrfConfig {
    /// 0 for chrF, 2 for chrF++.
    pub word_order: usize,
}

impl ChrfConfig {
    pub const CHRF: ChrfConfig = ChrfConfig { word_order: 0 };
    pub const CHRF_PP: ChrfConfig = ChrfConfig { word_order: 2 };

    /// Number of orders (char + word).
    pub fn orders(&self) -> usize {
        CHAR_ORDER + self.word_order
    }

    /// Width of a statistics row: `[hyp, ref, match]` per order.
    pub fn width(&self) -> usize {
        3 * self.orders()
    }

    /// chrF's part of the sacrebleu signature (without `version`).
    pub fn signature(&self, nrefs: usize, lowercase: bool) -> String {
        format!(
            "nrefs:{nrefs}|case:{}|eff:yes|nc:{CHAR_ORDER}|nw:{}|space:no",
            if lowercase { "lc" } else { "mixed" },
            self.word_order
        )
    }
}

/// One side (hypothesis or a reference) as character and word ids.
struct Side {
    chars: Vec<u32>,
    words: Vec<u32>,
}

impl Side {
    fn new<'a>(
        line: &'a str,
        config: ChrfConfig,
        ci: &mut CharInterner,
        wi: &mut Interner<'a>,
    ) -> Side {
        Side {
            chars: line
                .chars()
                .filter(|c| !is_py_space(*c))
                .map(|c| ci.id(c))
                .collect(),
            words: if config.word_order > 0 {
                wi.ids(chrf_words(line))
            } else {
                Vec::new()
            },
        }
    }

    /// Counts per order: characters 1..=6, then words 1..=word_order.
    fn counts(&self, config: ChrfConfig, char_bound: u32, word_bound: u32) -> Vec<Counts> {
        let mut orders: Vec<Counts> = (1..=CHAR_ORDER)
            .map(|n| ngrams(&self.chars, n, char_bound))
            .collect();
        orders.extend((1..=config.word_order).map(|n| ngrams(&self.words, n, word_bound)));
        orders
    }
}

/// sacrebleu's `CHRF._remove_punctuation`.
pub fn chrf_words(line: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for w in py_split(line) {
        let mut cs = w.chars();
        let single = cs.next().is_some() && cs.next().is_none();
        if single {
            out.push(w);
        } else if w.as_bytes()[w.len() - 1].is_ascii_punctuation() {
            out.push(&w[..w.len() - 1]);
            out.push(&w[w.len() - 1..]);
        } else if w.as_bytes()[0].is_ascii_punctuation() {
            out.push(&w[..1]);
            out.push(&w[1..]);
        } else {
            out.push(w);
        }
    }
    out
}

/// Statistics of one hypothesis against its references (after optional lowercasing).
pub fn chrf_stats(hyp: &str, refs: &[&str], config: ChrfConfig) -> Vec<u64> {
    let mut ci = CharInterner::default();
    let mut wi = Interner::new();
    let h = Side::new(hyp, config, &mut ci, &mut wi);
    let rs: Vec<Side> = refs
        .iter()
        .map(|r| Side::new(r, config, &mut ci, &mut wi))
        .collect();
    let (cb, wb) = (ci.bound(), wi.bound());
    let hc = h.counts(config, cb, wb);
    let mut best: Vec<u64> = Vec::new();
    let mut best_f = -1.0;
    for r in &rs {
        let rc = r.counts(config, cb, wb);
        let mut stats = Vec::with_capacity(config.width());
        for (hc, rc) in hc.iter().zip(&rc) {
            let hyp_count = if rc.is_empty() { 0 } else { total(hc) };
            stats.extend([hyp_count, total(rc), clipped_matches(hc, rc)]);
        }
        let f = chrf_score_u64(&stats);
        if f > best_f {
            best_f = f;
            best = stats;
        }
    }
    best
}

/// The score from (summed) statistics, as sacrebleu's `CHRF._compute_f_score`.
pub fn chrf_score(stats: &[f64]) -> f64 {
    let factor = (BETA * BETA) as f64;
    let (mut avg_prec, mut avg_rec) = (0.0f64, 0.0f64);
    let mut effective = 0usize;
    for s in stats.chunks_exact(3) {
        let (n_hyp, n_ref, n_match) = (s[0], s[1], s[2]);
        if n_hyp > 0.0 && n_ref > 0.0 {
            avg_prec += n_match / n_hyp;
            avg_rec += n_match / n_ref;
            effective += 1;
        }
    }
    if effective == 0 {
        return 0.0;
    }
    avg_prec /= effective as f64;
    avg_rec /= effective as f64;
    if avg_prec + avg_rec != 0.0 {
        let mut score = (1.0 + factor) * avg_prec * avg_rec;
        score /= factor * avg_prec + avg_rec;
        100.0 * score
    } else {
        0.0
    }
}

/// [`chrf_score`] on integer statistics.
pub fn chrf_score_u64(stats: &[u64]) -> f64 {
    let v: Vec<f64> = stats.iter().map(|&s| s as f64).collect();
    chrf_score(&v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_is_100() {
        let s = chrf_stats("The cat.", &["The cat."], ChrfConfig::CHRF_PP);
        assert!((chrf_score_u64(&s) - 100.0).abs() < 1e-12);
    }

    #[test]
    fn punctuation_split_for_words() {
        assert_eq!(
            chrf_words("Hello, (world) a . x!"),
            ["Hello", ",", "(world", ")", "a", ".", "x", "!"]
        );
    }

    #[test]
    fn empty_reference_zeroes_hyp_counts() {
        let s = chrf_stats("abc", &[""], ChrfConfig::CHRF);
        assert!(s.iter().all(|&v| v == 0));
        assert_eq!(chrf_score_u64(&s), 0.0);
    }
}
