//! The JSON documents rigor's evaluators print (`--format json`): the evidence that
//! gates and readouts consume. Shapes follow CONTRACT.md; fields may be added, never
//! renamed. Maps keep insertion order so output is stable and reads in the order the
//! user asked for measures.
//!
//! One module per document kind.

pub mod ir;
pub mod text;

pub use ir::{Aggregate, Comparison, IrEvidence, IrRun};
pub use text::{TextEvidence, TextMetric};
