//! The crate's one error type.
//!
//! The kernels (tests, corrections, tail probabilities) are infallible on the inputs
//! they document; errors arise only where a caller hands over something that cannot
//! be compared at all, or names a test or correction that does not exist.

/// What can go wrong when asking rigor-stats for a comparison.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StatsError {
    #[error("unknown test `{0}` (expected paired-t, wilcoxon, permutation or bootstrap)")]
    UnknownTest(String),
    #[error("unknown correction `{0}` (expected none, bonferroni, holm or bh)")]
    UnknownCorrection(String),
    #[error("paired samples differ in length: baseline has {baseline}, candidate has {candidate}")]
    LengthMismatch { baseline: usize, candidate: usize },
    #[error("no paired observations to compare")]
    Empty,
    #[error("non-finite value at position {index} of the {sample}")]
    NonFinite { sample: &'static str, index: usize },
    #[error("confidence must be strictly between 0 and 1, got {0}")]
    InvalidConfidence(f64),
}
