//! rigor-report: decision readouts and model cards rendered from evidence.
//!
//! - [`readout`]: the decision and its reasons first, then a forest plot of
//!   differences with their intervals, per-query difference distributions, estimates,
//!   per-slice and per-group tables, reliability diagram and ROC / PR curves for
//!   classifiers, and a reproducibility block — one self-contained HTML file (inline
//!   CSS and SVG, no scripts, no network) or Markdown.
//! - [`card`]: a model card after Mitchell et al. (2019) filled from evidence; fields
//!   only the user can supply are listed as missing when absent, never invented.
//!
//! Pure rendering: evidence and decisions in, text out.
//!
//! ```
//! use rigor_gate::Evidence;
//! use rigor_report::readout::Readout;
//! let e = Evidence::read("t", "t.json", r#"{"kind": "text", "segments": 2,
//!     "metrics": {"BLEU": {"score": 31.2, "ci_low": 28.0, "ci_high": 34.1}}}"#).unwrap();
//! let page = Readout { title: None, evidence: &[e], policy: None, decision: None }.document();
//! let html = page.html(rigor_report::CSS);
//! assert!(html.starts_with("<!DOCTYPE html>") && !html.contains("<script"));
//! assert!(page.markdown().contains("| BLEU | 31.2 | [28, 34.1] |"));
//! ```

pub mod card;
pub mod doc;
pub mod escape;
pub mod readout;
pub mod svg;

pub use rigor_gate::format as fmt;

/// The stylesheet every HTML page inlines.
pub const CSS: &str = include_str!("style.css");

/// The error of this crate: bad card metadata (exit 2), naming file and line.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{path}:{line}: {problem}")]
pub struct Error {
    pub path: String,
    pub line: usize,
    pub problem: String,
}
