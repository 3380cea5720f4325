//! The per-segment driver: one row of sufficient statistics per segment for every
//! requested measure, and scores from (sums of) rows.
//!
//! Row layout, per measure in the order asked: BLEU `[hyp_len, ref_len, correct×4,
//! total×4]`; chrF / chrF++ `[hyp, ref, match]` per order (6 / 8 orders); TER
//! `[edits, mean ref length]`; each ROUGE type its item F; ExactMatch and TokenF1 the
//! item value in [0, 1]. Summing rows over segments in order and calling
//! [`Evaluator::scores`] gives exactly the references' corpus values (integer counts
//! are exact in f64; TER's lengths are summed in segment order as sacrebleu does).

use super::bleu::{bleu_score, bleu_signature, bleu_stats, tokens, BleuStats, Smoothing};
use super::chrf::{chrf_score, chrf_stats, ChrfConfig};
use super::measure::TextMeasure;
use super::rouge::{decode_sentence_breaks, rouge_f_multi, RougeText, RougeType};
use super::squad::squad_item;
use super::ter::{ter_score, ter_signature, ter_stats, ter_words};
use super::tokenizer::Tokenizer;
use super::unicode::{py_lower, py_rstrip};
use super::{ROUGE_SCORE_VERSION, SACREBLEU_VERSION};

/// Options that change what the measures compute.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    /// BLEU's tokenizer.
    pub tokenizer: Tokenizer,
    /// Lowercase before BLEU and chrF (sacrebleu `-lc`). TER is lowercased anyway;
    /// ROUGE and SQuAD always lowercase.
    pub lowercase: bool,
    /// BLEU's smoothing.
    pub smoothing: Smoothing,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            tokenizer: Tokenizer::Thirteen,
            lowercase: false,
            smoothing: Smoothing::Exp,
        }
    }
}

/// Computes statistics rows and scores for a fixed list of measures.
#[derive(Debug, Clone)]
pub struct Evaluator {
    measures: Vec<TextMeasure>,
    settings: Settings,
    nrefs: usize,
    /// Start of each measure's statistics in a row.
    offsets: Vec<usize>,
    width: usize,
    rouge: Vec<RougeType>,
}

fn stats_width(m: TextMeasure) -> usize {
    match m {
        TextMeasure::Bleu => BleuStats::WIDTH,
        TextMeasure::Chrf => ChrfConfig::CHRF.width(),
        TextMeasure::ChrfPlusPlus => ChrfConfig::CHRF_PP.width(),
        TextMeasure::Ter => 2,
        _ => 1,
    }
}

fn rouge_type(m: TextMeasure) -> Option<RougeType> {
    match m {
        TextMeasure::Rouge1 => Some(RougeType::Rouge1),
        TextMeasure::Rouge2 => Some(RougeType::Rouge2),
        TextMeasure::RougeL => Some(RougeType::RougeL),
        TextMeasure::RougeLsum => Some(RougeType::RougeLsum),
        _ => None,
    }
}

impl Evaluator {
    /// An evaluator for `measures` (in output order) with `nrefs` references per segment.
    pub fn new(measures: &[TextMeasure], settings: Settings, nrefs: usize) -> Evaluator {
        let mut offsets = Vec::with_capacity(measures.len());
        let mut width = 0;
        for &m in measures {
            offsets.push(width);
            width += stats_width(m);
        }
        Evaluator {
            measures: measures.to_vec(),
            settings,
            nrefs,
            offsets,
            width,
            rouge: measures.iter().filter_map(|&m| rouge_type(m)).collect(),
        }
    }

    pub fn measures(&self) -> &[TextMeasure] {
        &self.measures
    }

    /// Width of a statistics row.
    pub fn width(&self) -> usize {
        self.width
    }

    /// The statistics row of one segment (`refs`: one string per reference file).
    pub fn segment(&self, hyp: &str, refs: &[&str]) -> Vec<f64> {
        let mut row = Vec::with_capacity(self.width);
        let mut rouge_values: Option<Vec<f64>> = None;
        let mut squad: Option<(f64, f64)> = None;
        for &m in &self.measures {
            match m {
                TextMeasure::Bleu => {
                    let prep = |s: &str| {
                        let s = if self.settings.lowercase {
                            py_lower(s)
                        } else {
                            s.into()
                        };
                        self.settings.tokenizer.tokenize(py_rstrip(&s))
                    };
                    let h = prep(hyp);
                    let r: Vec<String> = refs.iter().map(|r| prep(r)).collect();
                    let rt: Vec<Vec<&str>> = r.iter().map(|r| tokens(r)).collect();
                    bleu_stats(&tokens(&h), &rt).to_row(&mut row);
                }
                TextMeasure::Chrf | TextMeasure::ChrfPlusPlus => {
                    let config = if m == TextMeasure::Chrf {
                        ChrfConfig::CHRF
                    } else {
                        ChrfConfig::CHRF_PP
                    };
                    let stats = if self.settings.lowercase {
                        let r: Vec<String> =
                            refs.iter().map(|r| py_lower(r).into_owned()).collect();
                        let r: Vec<&str> = r.iter().map(String::as_str).collect();
                        chrf_stats(&py_lower(hyp), &r, config)
                    } else {
                        chrf_stats(hyp, refs, config)
                    };
                    row.extend(stats.iter().map(|&s| s as f64));
                }
                TextMeasure::Ter => {
                    let r: Vec<Vec<String>> = refs.iter().map(|r| ter_words(r)).collect();
                    let (edits, len) = ter_stats(&ter_words(hyp), &r);
                    row.extend([edits as f64, len]);
                }
                TextMeasure::Rouge1
                | TextMeasure::Rouge2
                | TextMeasure::RougeL
                | TextMeasure::RougeLsum => {
                    let values = rouge_values.get_or_insert_with(|| self.rouge_segment(hyp, refs));
                    let k = self
                        .rouge
                        .iter()
                        .position(|t| Some(*t) == rouge_type(m))
                        .unwrap_or(0);
                    row.push(values[k]);
                }
                TextMeasure::ExactMatch => {
                    row.push(squad.get_or_insert_with(|| squad_item(hyp, refs)).0)
                }
                TextMeasure::TokenF1 => {
                    row.push(squad.get_or_insert_with(|| squad_item(hyp, refs)).1)
                }
            }
        }
        row
    }

    fn rouge_segment(&self, hyp: &str, refs: &[&str]) -> Vec<f64> {
        let lsum = self.rouge.contains(&RougeType::RougeLsum);
        let h = RougeText::new(&decode_sentence_breaks(hyp), lsum);
        let r: Vec<RougeText> = refs
            .iter()
            .map(|r| RougeText::new(&decode_sentence_breaks(r), lsum))
            .collect();
        rouge_f_multi(&self.rouge, &h, &r)
    }

    /// Corpus scores from the sum of `n` segments' rows (in segment order for exact
    /// parity), one per measure.
    pub fn scores(&self, sum: &[f64], n: usize) -> Vec<f64> {
        self.measures
            .iter()
            .zip(&self.offsets)
            .map(|(&m, &o)| {
                let s = &sum[o..o + stats_width(m)];
                match m {
                    TextMeasure::Bleu => {
                        bleu_score(&BleuStats::from_row(s), self.settings.smoothing, false).score
                    }
                    TextMeasure::Chrf | TextMeasure::ChrfPlusPlus => chrf_score(s),
                    TextMeasure::Ter => ter_score(s[0], s[1]),
                    TextMeasure::ExactMatch | TextMeasure::TokenF1 => {
                        if n == 0 {
                            0.0
                        } else {
                            100.0 * s[0] / n as f64
                        }
                    }
                    _ => {
                        if n == 0 {
                            0.0
                        } else {
                            s[0] / n as f64
                        }
                    }
                }
            })
            .collect()
    }

    /// Sentence-level scores of one segment's row: sacrebleu's `sentence_bleu`
    /// (effective order), `sentence_chrf`, `sentence_ter`; the item's ROUGE F; the
    /// item's ExactMatch / TokenF1 on 0–100.
    pub fn item_scores(&self, row: &[f64]) -> Vec<f64> {
        self.measures
            .iter()
            .zip(&self.offsets)
            .map(|(&m, &o)| {
                let s = &row[o..o + stats_width(m)];
                match m {
                    TextMeasure::Bleu => {
                        bleu_score(&BleuStats::from_row(s), self.settings.smoothing, true).score
                    }
                    _ => self.scores_one(m, s),
                }
            })
            .collect()
    }

    fn scores_one(&self, m: TextMeasure, s: &[f64]) -> f64 {
        match m {
            TextMeasure::Chrf | TextMeasure::ChrfPlusPlus => chrf_score(s),
            TextMeasure::Ter => ter_score(s[0], s[1]),
            TextMeasure::ExactMatch | TextMeasure::TokenF1 => 100.0 * s[0],
            _ => s[0],
        }
    }

    /// The sacrebleu-style signature of a measure's score.
    pub fn signature(&self, m: TextMeasure) -> String {
        let nrefs = self.nrefs;
        let version = SACREBLEU_VERSION;
        match m {
            TextMeasure::Bleu => format!(
                "{}|version:{version}",
                bleu_signature(
                    nrefs,
                    self.settings.lowercase,
                    false,
                    self.settings.tokenizer.name(),
                    self.settings.smoothing
                )
            ),
            TextMeasure::Chrf => format!(
                "{}|version:{version}",
                ChrfConfig::CHRF.signature(nrefs, self.settings.lowercase)
            ),
            TextMeasure::ChrfPlusPlus => format!(
                "{}|version:{version}",
                ChrfConfig::CHRF_PP.signature(nrefs, self.settings.lowercase)
            ),
            TextMeasure::Ter => format!("{}|version:{version}", ter_signature(nrefs)),
            TextMeasure::Rouge1
            | TextMeasure::Rouge2
            | TextMeasure::RougeL
            | TextMeasure::RougeLsum => format!(
                "nrefs:{nrefs}|case:lc|tok:rouge-score|stem:porter-nltk|sent:escaped-newline|agg:max-ref,mean|version:rouge-score-{ROUGE_SCORE_VERSION}"
            ),
            TextMeasure::ExactMatch | TextMeasure::TokenF1 => {
                format!("nrefs:{nrefs}|norm:squad-v1.1|agg:max-ref,mean")
            }
        }
    }

    /// A human explanation of a corpus score, where the reference prints one
    /// (BLEU: sacrebleu's precisions, brevity penalty and lengths).
    pub fn explain(&self, m: TextMeasure, sum: &[f64]) -> Option<String> {
        let i = self.measures.iter().position(|&x| x == m)?;
        let o = self.offsets[i];
        match m {
            TextMeasure::Bleu => Some(
                bleu_score(
                    &BleuStats::from_row(&sum[o..o + BleuStats::WIDTH]),
                    self.settings.smoothing,
                    false,
                )
                .verbose(),
            ),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_segments_score_perfectly() {
        let ev = Evaluator::new(&TextMeasure::ALL, Settings::default(), 1);
        let row = ev.segment("The cat sat on the mat.", &["The cat sat on the mat."]);
        assert_eq!(row.len(), ev.width());
        let s = ev.scores(&row, 1);
        let expect = [100.0, 100.0, 100.0, 0.0, 1.0, 1.0, 1.0, 1.0, 100.0, 100.0];
        for ((m, got), want) in TextMeasure::ALL.iter().zip(&s).zip(expect) {
            assert!((got - want).abs() < 1e-9, "{m}: {got}");
        }
        assert_eq!(
            ev.signature(TextMeasure::Bleu),
            "nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0"
        );
    }
}
