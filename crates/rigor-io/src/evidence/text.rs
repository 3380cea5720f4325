//! `rigor eval text --format json`.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

/// `rigor eval text --format json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TextEvidence {
    pub kind: String,
    /// Number of segments (lines) evaluated.
    pub segments: usize,
    /// Corpus scores by canonical measure name, in the order asked.
    pub metrics: IndexMap<String, TextMetric>,
    /// Sentence-level scores per segment, in file order (only with `--per-item`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_item: Option<Vec<IndexMap<String, f64>>>,
    /// The hypothesis file.
    pub hyp: String,
    /// The reference files, one reference per segment each.
    pub refs: Vec<String>,
    /// Bootstrap settings behind every interval (the seed is in the provenance).
    pub confidence: f64,
    pub resamples: usize,
    /// Every system, baseline first — only with several `--hyp` (the top-level
    /// `hyp`, `metrics` and `per_item` are then the baseline's, so the document still
    /// reads as the single-system shape).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub systems: Option<Vec<TextSystem>>,
    /// Every later system against the first, measure by measure (the shape of
    /// `rigor eval ir`'s comparisons) — only with several `--hyp`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comparisons: Option<Vec<super::Comparison>>,
    /// Significance level of `significant` — only with several `--hyp`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alpha: Option<f64>,
    #[serde(flatten)]
    pub provenance: super::Provenance,
}

/// One corpus score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TextMetric {
    /// On the reference's scale: 0–100 (sacrebleu, SQuAD) or 0–1 (rouge-score).
    pub score: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ci_low: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ci_high: Option<f64>,
    /// sacrebleu-style settings string (`nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0`).
    pub signature: String,
    /// The top of the scale (100 or 1).
    pub scale: f64,
    /// What the reference prints beside the score (BLEU: precisions, BP, lengths).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verbose: Option<String>,
    /// sacrebleu's paired-bootstrap "mean ± CI" of a corpus measure: the mean of the
    /// resampled scores and half the width of their 95% range (sacrebleu's
    /// `estimate_ci`) — only for corpus measures with several `--hyp`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bootstrap_mean: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bootstrap_ci: Option<f64>,
}

/// One system of a several-`--hyp` evaluation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TextSystem {
    /// The hypothesis file's stem (with its path when two stems coincide).
    pub name: String,
    pub hyp: String,
    pub metrics: IndexMap<String, TextMetric>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_item: Option<Vec<IndexMap<String, f64>>>,
}
