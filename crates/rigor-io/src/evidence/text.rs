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
}
