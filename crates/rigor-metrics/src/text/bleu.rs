//! BLEU exact to sacrebleu 2.x (`sacrebleu.metrics.BLEU`).
//!
//! Per segment the sufficient statistics are the hypothesis length, the closest
//! reference length (ties to the shorter), and for n = 1..4 the clipped n-gram
//! matches (`correct`, clipped by the maximum count over references) and the
//! hypothesis n-gram count (`total`). The corpus score sums them over segments:
//!
//! BLEU = BP · exp(Σ_{n ≤ N} log p_n / N), p_n = 100 · correct_n / total_n,
//! BP = 1 if c ≥ r, exp(1 − r/c) if 0 < c < r, 0 if c = 0,
//!
//! with N = 4, or with effective order (sentence BLEU) the last order having any
//! n-grams. When no n-gram of any order matches the score is 0. `log 0` is
//! sacrebleu's `-9999999999`, which drives the score to 0. Smoothing (Chen & Cherry
//! 2014), applied in sacrebleu's order:
//! - `exp` (default, mteval's NIST method 3): the k-th order with no match gets
//!   p = 100 / (2^k · total_n);
//! - `floor`: an order with no match gets p = 100 · value / total_n (value 0.1);
//! - `add-k`: orders n ≥ 2 add k (default 1) to correct and total;
//! - `none`.
//!
//! Signature as sacrebleu prints it: `nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0`.

use std::fmt;
use std::str::FromStr;

use super::ngram::{clipped_matches, max_counts, ngrams, total, Interner};
use super::unicode::py_split;

/// BLEU's maximum n-gram order.
pub const MAX_ORDER: usize = 4;

/// sacrebleu's `my_log(0)`.
const LOG_ZERO: f64 = -9_999_999_999.0;

/// Per-segment sufficient statistics (sacrebleu's `[hyp_len, ref_len, correct…, total…]`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BleuStats {
    pub hyp_len: u64,
    pub ref_len: u64,
    pub correct: [u64; MAX_ORDER],
    pub total: [u64; MAX_ORDER],
}

impl BleuStats {
    /// Number of values in [`BleuStats::to_row`].
    pub const WIDTH: usize = 2 + 2 * MAX_ORDER;

    /// Flattens in sacrebleu's order, for summing over resamples.
    pub fn to_row(&self, out: &mut Vec<f64>) {
        out.push(self.hyp_len as f64);
        out.push(self.ref_len as f64);
        out.extend(self.correct.iter().map(|&c| c as f64));
        out.extend(self.total.iter().map(|&t| t as f64));
    }

    /// The inverse of [`BleuStats::to_row`] (on sums of rows).
    pub fn from_row(row: &[f64]) -> BleuStats {
        let mut s = BleuStats {
            hyp_len: row[0] as u64,
            ref_len: row[1] as u64,
            ..Default::default()
        };
        for n in 0..MAX_ORDER {
            s.correct[n] = row[2 + n] as u64;
            s.total[n] = row[2 + MAX_ORDER + n] as u64;
        }
        s
    }

    /// Adds another segment's statistics.
    pub fn add(&mut self, o: &BleuStats) {
        self.hyp_len += o.hyp_len;
        self.ref_len += o.ref_len;
        for n in 0..MAX_ORDER {
            self.correct[n] += o.correct[n];
            self.total[n] += o.total[n];
        }
    }
}

/// A smoothing method with its value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Smoothing {
    None,
    Floor(f64),
    AddK(f64),
    Exp,
}

impl Smoothing {
    pub const NAMES: [&'static str; 4] = ["exp", "floor", "add-k", "none"];

    /// A method by name, with sacrebleu's default value unless one is given.
    pub fn new(method: &str, value: Option<f64>) -> Result<Smoothing, String> {
        match method {
            "exp" => Ok(Smoothing::Exp),
            "none" => Ok(Smoothing::None),
            "floor" => Ok(Smoothing::Floor(value.unwrap_or(0.1))),
            "add-k" => Ok(Smoothing::AddK(value.unwrap_or(1.0))),
            _ => Err(format!(
                "unknown smoothing method '{method}' (expected one of: {})",
                Smoothing::NAMES.join(", ")
            )),
        }
    }

    /// As in the signature: `exp`, `none`, `floor[0.10]`, `add-k[1.00]`.
    pub fn signature(&self) -> String {
        match self {
            Smoothing::Exp => "exp".to_string(),
            Smoothing::None => "none".to_string(),
            Smoothing::Floor(v) => format!("floor[{v:.2}]"),
            Smoothing::AddK(v) => format!("add-k[{v:.2}]"),
        }
    }
}

impl FromStr for Smoothing {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Smoothing::new(s, None)
    }
}

/// A BLEU score with the parts sacrebleu reports.
#[derive(Debug, Clone, PartialEq)]
pub struct BleuScore {
    pub score: f64,
    pub precisions: [f64; MAX_ORDER],
    pub bp: f64,
    pub stats: BleuStats,
}

impl BleuScore {
    /// sacrebleu's verbose part: `60.0/40.0/25.0/10.0 (BP = 1.000 ratio = 1.000 hyp_len = 10 ref_len = 10)`.
    pub fn verbose(&self) -> String {
        let prec: Vec<String> = self.precisions.iter().map(|p| format!("{p:.1}")).collect();
        let ratio = if self.stats.ref_len > 0 {
            self.stats.hyp_len as f64 / self.stats.ref_len as f64
        } else {
            0.0
        };
        format!(
            "{} (BP = {:.3} ratio = {ratio:.3} hyp_len = {} ref_len = {})",
            prec.join("/"),
            self.bp,
            self.stats.hyp_len,
            self.stats.ref_len
        )
    }
}

/// The tokens of a tokenized line (sacrebleu's `line.split()`).
pub fn tokens(tokenized: &str) -> Vec<&str> {
    py_split(tokenized).collect()
}

/// Statistics of one hypothesis against its references (all already tokenized).
pub fn bleu_stats(hyp: &[&str], refs: &[Vec<&str>]) -> BleuStats {
    let mut int = Interner::new();
    let h = int.ids(hyp.iter().copied());
    let r: Vec<Vec<u32>> = refs.iter().map(|t| int.ids(t.iter().copied())).collect();
    let hyp_len = h.len() as u64;
    let mut ref_len = 0u64;
    let mut closest: Option<u64> = None;
    for rl in r.iter().map(|t| t.len() as u64) {
        let diff = hyp_len.abs_diff(rl);
        match closest {
            None => {
                closest = Some(diff);
                ref_len = rl;
            }
            Some(d) if diff < d => {
                closest = Some(diff);
                ref_len = rl;
            }
            Some(d) if diff == d && rl < ref_len => ref_len = rl,
            _ => {}
        }
    }
    let mut s = BleuStats {
        hyp_len,
        ref_len,
        ..Default::default()
    };
    for n in 1..=MAX_ORDER {
        let bound = int.bound();
        let hc = ngrams(&h, n, bound);
        let rc = max_counts(r.iter().map(|t| ngrams(t, n, bound)).collect());
        s.total[n - 1] = total(&hc);
        s.correct[n - 1] = clipped_matches(&hc, &rc);
    }
    s
}

/// The score from (summed) statistics, as sacrebleu's `BLEU.compute_bleu`.
pub fn bleu_score(stats: &BleuStats, smoothing: Smoothing, effective_order: bool) -> BleuScore {
    let (sys_len, ref_len) = (stats.hyp_len, stats.ref_len);
    let mut bp = 1.0;
    if sys_len < ref_len {
        bp = if sys_len > 0 {
            (1.0 - ref_len as f64 / sys_len as f64).exp()
        } else {
            0.0
        };
    }
    let mut precisions = [0.0f64; MAX_ORDER];
    let zero = BleuScore {
        score: 0.0,
        precisions,
        bp,
        stats: *stats,
    };
    if stats.correct.iter().all(|&c| c == 0) {
        return zero;
    }
    let mut correct: [f64; MAX_ORDER] = stats.correct.map(|c| c as f64);
    let mut totals: [f64; MAX_ORDER] = stats.total.map(|t| t as f64);
    let mut smooth_mteval = 1.0f64;
    let mut eff_order = MAX_ORDER;
    for n in 1..=MAX_ORDER {
        if let Smoothing::AddK(k) = smoothing {
            if n > 1 {
                correct[n - 1] += k;
                totals[n - 1] += k;
            }
        }
        if totals[n - 1] == 0.0 {
            break;
        }
        if effective_order {
            eff_order = n;
        }
        if correct[n - 1] == 0.0 {
            match smoothing {
                Smoothing::Exp => {
                    smooth_mteval *= 2.0;
                    precisions[n - 1] = 100.0 / (smooth_mteval * totals[n - 1]);
                }
                Smoothing::Floor(v) => precisions[n - 1] = 100.0 * v / totals[n - 1],
                _ => {}
            }
        } else {
            precisions[n - 1] = 100.0 * correct[n - 1] / totals[n - 1];
        }
    }
    let log_sum = precisions[..eff_order].iter().fold(0.0f64, |acc, &p| {
        acc + if p == 0.0 { LOG_ZERO } else { p.ln() }
    });
    BleuScore {
        score: bp * (log_sum / eff_order as f64).exp(),
        precisions,
        bp,
        stats: *stats,
    }
}

/// BLEU's part of the sacrebleu signature (without `version`).
pub fn bleu_signature(
    nrefs: usize,
    lowercase: bool,
    effective_order: bool,
    tokenizer: &str,
    smoothing: Smoothing,
) -> String {
    format!(
        "nrefs:{nrefs}|case:{}|eff:{}|tok:{tokenizer}|smooth:{}",
        if lowercase { "lc" } else { "mixed" },
        if effective_order { "yes" } else { "no" },
        smoothing.signature()
    )
}

impl fmt::Display for Smoothing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.signature())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stats(h: &str, refs: &[&str]) -> BleuStats {
        let r: Vec<Vec<&str>> = refs.iter().map(|r| tokens(r)).collect();
        bleu_stats(&tokens(h), &r)
    }

    #[test]
    fn identical_is_100() {
        let s = stats("the cat sat on the mat", &["the cat sat on the mat"]);
        let b = bleu_score(&s, Smoothing::Exp, false);
        assert!((b.score - 100.0).abs() < 1e-12);
    }

    #[test]
    fn closest_reference_length_ties_to_shorter() {
        let s = stats("a b c", &["a b c d", "a b"]);
        assert_eq!(s.ref_len, 2);
    }

    #[test]
    fn no_match_is_zero() {
        let s = stats("x y", &["a b"]);
        assert_eq!(bleu_score(&s, Smoothing::Exp, true).score, 0.0);
    }

    #[test]
    fn rows_round_trip() {
        let s = stats("a b c d e", &["a b c", "a c d e"]);
        let mut row = Vec::new();
        s.to_row(&mut row);
        assert_eq!(row.len(), BleuStats::WIDTH);
        assert_eq!(BleuStats::from_row(&row), s);
    }
}
