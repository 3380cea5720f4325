//! Text generation measures exact to their references: BLEU, chrF, chrF++ and TER as
//! sacrebleu 2.x computes them, ROUGE-1/2/L/Lsum as Google's rouge-score 0.1.2 with
//! `use_stemmer=True`, ExactMatch and TokenF1 as the official SQuAD v1.1 script.
//!
//! Every measure reduces a segment to sufficient statistics ([`Evaluator::segment`]);
//! corpus scores — and every bootstrap resample — are recomputed from sums of those
//! rows ([`Evaluator::scores`]) without tokenizing again.
//!
//! One concept per module: tokenizers ([`tokenize_13a`], [`tokenize_intl`],
//! [`tokenizer`]), the measures ([`bleu`], [`chrf`], [`ter`], [`rouge`] with
//! [`porter`], [`squad`]), Python's Unicode behaviour ([`unicode`]), n-gram counting
//! ([`ngram`]), measure names ([`measure`]) and the per-segment driver ([`evaluate`]).
//!
//! ```
//! use rigor_metrics::text::{Evaluator, Settings, TextMeasure};
//! let ev = Evaluator::new(&[TextMeasure::Bleu, TextMeasure::RougeL], Settings::default(), 1);
//! let row = ev.segment("The cat sat on the mat.", &["The cat is on the mat."]);
//! let scores = ev.scores(&row, 1);
//! // sacrebleu 2.6.0 corpus_bleu and rouge-score 0.1.2 (use_stemmer=True) on this pair:
//! assert!((scores[0] - 48.892302243490086).abs() < 1e-9);
//! assert!((scores[1] - 0.8333333333333334).abs() < 1e-12);
//! ```

pub mod bleu;
pub mod chrf;
pub mod evaluate;
pub mod measure;
pub mod ngram;
pub mod porter;
pub mod rouge;
pub mod squad;
pub mod ter;
pub mod tokenize_13a;
pub mod tokenize_intl;
pub mod tokenizer;
pub mod unicode;
#[rustfmt::skip]
mod unicode_tables;

pub use bleu::Smoothing;
pub use evaluate::{Evaluator, Settings};
pub use measure::{TextMeasure, UnknownMeasure};
pub use tokenizer::Tokenizer;

/// The sacrebleu version whose behaviour (and signature `version:` field) rigor follows.
pub const SACREBLEU_VERSION: &str = "2.6.0";
/// The rouge-score version rigor follows.
pub const ROUGE_SCORE_VERSION: &str = "0.1.2";
