//! The JSON documents rigor's evaluators print (`--format json`): the evidence that
//! gates and readouts consume. Shapes follow CONTRACT.md; fields may be added, never
//! renamed. Maps keep insertion order so output is stable and reads in the order the
//! user asked for measures.
//!
//! One module per document kind.

pub mod classify;
pub mod ir;
pub mod text;

pub use classify::ClassifyEvidence;
pub mod drift;

pub use drift::{
    DriftColumn, DriftDataset, DriftEvidence, DriftInput, DriftSegment, DriftSettings,
};
pub mod ab;

pub use ab::{AbComparison, AbEvidence, PowerEvidence};
pub use ir::{Aggregate, Comparison, IrEvidence, IrRun};

use serde::{Deserialize, Serialize};

use crate::input::FileDigest;

/// What a result needs to be reproduced and trusted: every evaluator's document
/// carries it (flattened into the top level), and a gate refuses evidence without it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Provenance {
    /// The rigor version that produced the document.
    pub rigor_version: String,
    /// The command line, as given (program name first).
    pub command: Vec<String>,
    /// Every input file with its content digest.
    pub inputs: Vec<Input>,
    /// The seed of every randomised procedure.
    pub seed: u64,
}

/// One input file of an evaluation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Input {
    /// What the file is to the evaluator (`qrels`, `run`, `data`, `hyp`, `ref` …).
    pub role: String,
    pub path: String,
    /// BLAKE3 of the bytes on disk (compressed bytes for gzip), lowercase hex.
    pub blake3: String,
    pub bytes: u64,
}

impl Input {
    pub fn new(role: &str, path: &std::path::Path, digest: &FileDigest) -> Input {
        Input {
            role: role.to_string(),
            path: path.display().to_string(),
            blake3: digest.blake3.clone(),
            bytes: digest.bytes,
        }
    }
}

impl Provenance {
    /// Provenance of the running process: this rigor's version and command line.
    pub fn of_this_process(inputs: Vec<Input>, seed: u64) -> Provenance {
        Provenance {
            rigor_version: env!("CARGO_PKG_VERSION").to_string(),
            command: std::env::args().collect(),
            inputs,
            seed,
        }
    }
}
pub use text::{TextEvidence, TextMetric, TextSystem};
