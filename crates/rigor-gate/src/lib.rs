//! rigor-gate: release gates as code. A TOML [`policy`] of criteria — absolute
//! thresholds, lift over a baseline, guardrails on every slice, fairness bounds and
//! evidence requirements — is evaluated against the JSON [`evidence`] of rigor's
//! evaluators into a GO / NO-GO [`Decision`] with one line per criterion.
//!
//! Pure logic: text in, decisions out. Reading files (and re-hashing inputs for
//! `verify_inputs`, through [`InputFiles`]) is the caller's job.
//!
//! Design rules:
//! - anything a criterion names that the evidence lacks is an [`Error::Missing`], never
//!   a pass; undefined values fail;
//! - every document's reproducibility (rigor version, command, seed, hashed inputs)
//!   is always checked;
//! - which way is better is known for rigor's own measures and must be stated for any
//!   other, never guessed.
//!
//! ```
//! use rigor_gate::{decide, policy, Evidence, NoFiles};
//! let evidence = Evidence::read("ir", "ir.json", r#"{
//!   "kind": "ir", "measures": ["AP"],
//!   "runs": [{"name": "bm25", "queries": 30, "aggregate": {"AP": {"mean": 0.45}}},
//!            {"name": "dense", "queries": 30, "aggregate": {"AP": {"mean": 0.60}}}],
//!   "comparisons": [{"baseline": "bm25", "candidate": "dense", "measure": "AP",
//!                    "delta": 0.15, "relative_lift": 0.33, "significant": true}],
//!   "rigor_version": "0.1.0", "command": ["rigor", "eval", "ir"], "seed": 0,
//!   "inputs": [{"role": "qrels", "path": "qrels.txt", "bytes": 20,
//!               "blake3": "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262"}]
//! }"#).unwrap();
//! let policy = policy::parse("gate.toml", "[[lift]]\nmeasure = \"AP\"\nmin_delta = 0.1\n").unwrap();
//! let decision = decide(&policy, &[evidence], &NoFiles).unwrap();
//! assert!(decision.go);
//! assert_eq!(decision.criteria.len(), 2); // reproducibility, then the lift
//! ```

pub mod decision;
pub mod direction;
pub mod error;
pub mod evaluate;
pub mod evidence;
pub mod format;
pub mod policy;
pub mod render;

pub use decision::{Decision, Outcome, SliceOutcome};
pub use error::{Error, Result};
pub use evaluate::{decide, InputFiles, NoFiles};
pub use evidence::{Evidence, Kind};
pub use policy::Policy;
