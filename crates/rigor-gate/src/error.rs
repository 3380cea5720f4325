//! The one error type of rigor-gate. Every variant is the user's to fix (exit 2) and
//! prints as one line naming the file — and, for the policy, the line — at fault.

pub type Result<T> = std::result::Result<T, Error>;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// The policy does not parse, or asks for something impossible.
    #[error("{path}:{line}: {problem}")]
    Policy {
        path: String,
        line: usize,
        problem: String,
    },
    /// An evidence document that is not rigor evidence of a known kind.
    #[error("{path}: {problem}")]
    Evidence { path: String, problem: String },
    /// A criterion names a measure, run, slice or statistic the evidence lacks: an
    /// error, never a pass. `path` and `line` locate the criterion in the policy.
    #[error("{path}:{line}: {problem}")]
    Missing {
        path: String,
        line: usize,
        problem: String,
    },
}
