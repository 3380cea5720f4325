//! Evidence as the gate sees it: every evaluator's JSON document (CONTRACT.md shapes),
//! read by its `kind` into one model of systems, scores, slices and comparisons.
//!
//! - a **system** is what a criterion is about: a run (`ir`), an arm (`ab`), or the
//!   whole document for single-system kinds (`classify`, `text`, `drift`), named by
//!   the document's label;
//! - its **scores** are estimates (value and CI) by measure, overall and per slice
//!   (`--by` slices, ab segments, drift columns), with per-class values and
//!   sensitive-group values where the evidence has them;
//! - **comparisons** are the evaluator's own baseline-vs-candidate tests (`ir`, `ab`).
//!
//! Readers are lenient about fields they do not need (fields may be added to evidence,
//! never renamed) and strict about the ones they do: a malformed document is an error
//! naming the file, line and column.

mod ab;
mod classify;
mod drift;
mod ir;
mod text;

use std::fmt;
use std::str::FromStr;

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use crate::direction::Direction;
use crate::error::{Error, Result};

/// What produced a document: `rigor eval ir|classify|text`, `rigor ab`, `rigor drift`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Ir,
    Classify,
    Text,
    Ab,
    Drift,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Ir => "ir",
            Kind::Classify => "classify",
            Kind::Text => "text",
            Kind::Ab => "ab",
            Kind::Drift => "drift",
        }
    }

    /// Whether one document describes one system (so that comparing two systems takes
    /// two documents) rather than several runs or arms with their own comparisons.
    /// Whether documents of this kind usually hold one system; see
    /// [`Evidence::single_system`] for a given document.
    pub fn single_system(self) -> bool {
        matches!(self, Kind::Classify | Kind::Text | Kind::Drift)
    }

    /// What a document of this kind calls its systems.
    pub fn system_noun(self) -> &'static str {
        match self {
            Kind::Ir => "run",
            Kind::Ab => "arm",
            _ => "evidence",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Kind {
    type Err = ();

    fn from_str(s: &str) -> std::result::Result<Kind, ()> {
        Ok(match s {
            "ir" => Kind::Ir,
            "classify" => Kind::Classify,
            "text" => Kind::Text,
            "ab" => Kind::Ab,
            "drift" => Kind::Drift,
            _ => return Err(()),
        })
    }
}

/// An estimate: a value (null where the evaluator left it undefined) and its interval.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Estimate {
    pub value: Option<f64>,
    #[serde(default)]
    pub ci_low: Option<f64>,
    #[serde(default)]
    pub ci_high: Option<f64>,
}

impl Estimate {
    pub fn point(value: Option<f64>) -> Estimate {
        Estimate {
            value,
            ci_low: None,
            ci_high: None,
        }
    }

    pub fn ci(&self) -> Option<(f64, f64)> {
        self.ci_low.zip(self.ci_high)
    }
}

/// Scores over one set of units: all of them, or one slice.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Scores {
    /// Units behind the scores (queries, rows, segments, users).
    pub n: Option<u64>,
    pub values: IndexMap<String, Estimate>,
    /// Per-class values (classify: precision, recall, f1, support).
    pub per_class: IndexMap<String, IndexMap<String, Estimate>>,
    /// Sensitive groups (classify `--sensitive`): n, selection_rate, tpr, fpr.
    pub groups: IndexMap<String, Scores>,
    /// Between-group disparities: `tpr_difference`, `demographic_parity_ratio` …
    pub fairness: IndexMap<String, Estimate>,
}

/// A system: a run, an arm, or a single-system document.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct System {
    pub name: String,
    pub overall: Scores,
    pub slices: IndexMap<String, Scores>,
    /// Values per unit (ir `per_query`, text `per_item` keyed by line number).
    pub per_unit: Option<IndexMap<String, IndexMap<String, f64>>>,
}

/// A candidate against a baseline on one measure, overall or in one slice.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Comparison {
    pub baseline: String,
    pub candidate: String,
    pub measure: String,
    pub slice: Option<String>,
    /// Units both share.
    pub n: Option<u64>,
    pub baseline_value: Option<f64>,
    pub candidate_value: Option<f64>,
    /// candidate − baseline.
    pub delta: Option<f64>,
    /// delta / |baseline|.
    pub relative: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    /// Interval of the relative difference, where the evidence has one (ab).
    pub relative_ci_low: Option<f64>,
    pub relative_ci_high: Option<f64>,
    pub test: Option<String>,
    pub p_value: Option<f64>,
    pub p_adjusted: Option<f64>,
    pub correction: Option<String>,
    pub significant: Option<bool>,
    /// The better direction, where the evidence states it (ab guardrails).
    pub direction: Option<Direction>,
}

/// Provenance: what a result needs to be reproduced. Every field optional here so
/// that missing provenance fails the reproducibility check by name, rather than
/// making the document unreadable.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Provenance {
    #[serde(default)]
    pub rigor_version: Option<String>,
    #[serde(default)]
    pub command: Option<Vec<String>>,
    #[serde(default)]
    pub inputs: Option<Vec<InputRef>>,
    #[serde(default)]
    pub seed: Option<u64>,
}

/// One input file of an evaluation.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct InputRef {
    #[serde(default)]
    pub role: Option<String>,
    #[serde(default)]
    pub path: Option<String>,
    #[serde(default)]
    pub blake3: Option<String>,
    #[serde(default)]
    pub bytes: Option<u64>,
}

/// The sample-ratio-mismatch check of `rigor ab`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Srm {
    pub status: String,
    #[serde(default)]
    pub p_value: Option<f64>,
}

/// One bin of a reliability diagram.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ReliabilityBin {
    pub lower: f64,
    pub upper: f64,
    pub n: u64,
    /// Mean predicted confidence in the bin.
    pub confidence: f64,
    /// Observed frequency of the outcome in the bin.
    pub accuracy: f64,
}

/// A curve as parallel coordinate lists (ROC: x = fpr, y = tpr; PR: x = recall,
/// y = precision).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Curve {
    pub x: Vec<f64>,
    pub y: Vec<f64>,
}

/// Classifier diagnostics a readout draws when the evidence carries them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Diagnostics {
    pub reliability: Vec<ReliabilityBin>,
    pub roc: Option<Curve>,
    pub pr: Option<Curve>,
}

/// One evidence document.
#[derive(Debug, Clone, PartialEq)]
pub struct Evidence {
    /// How criteria and readouts name it (`--evidence LABEL=FILE`, else the file stem).
    pub label: String,
    pub path: String,
    pub kind: Kind,
    pub provenance: Provenance,
    /// The document itself, for required fields and readouts.
    pub raw: serde_json::Value,
    pub systems: Vec<System>,
    /// Multi-system kinds: the system every comparison is against (first run, control).
    pub baseline: Option<String>,
    pub comparisons: Vec<Comparison>,
    /// What was counted and how many: (`queries of run bm25`, 30).
    pub counts: Vec<(String, u64)>,
    pub srm: Option<Srm>,
    pub diagnostics: Diagnostics,
    /// Settings worth showing beside the numbers (test, correction, confidence …).
    pub settings: IndexMap<String, String>,
    pub warnings: Vec<String>,
}

impl Evidence {
    /// Whether the document is one system, named by its label (a classifier, a drift
    /// check, a single `eval text` hypothesis) rather than a set of named systems
    /// compared within it (runs, arms, several hypotheses).
    pub fn single_system(&self) -> bool {
        self.kind.single_system() && self.systems.len() == 1
    }

    /// Reads a document. `label` names it in policies and readouts; `path` in errors.
    pub fn read(label: &str, path: &str, text: &str) -> Result<Evidence> {
        #[derive(Deserialize)]
        struct Head {
            kind: Option<serde_json::Value>,
        }
        let head: Head = parse(path, text)?;
        let kind = match head.kind {
            Some(serde_json::Value::String(k)) => {
                k.parse::<Kind>().map_err(|_| Error::Evidence {
                    path: path.to_string(),
                    problem: format!(
                    "unknown evidence kind '{k}' (rigor gate reads ir, classify, text, ab, drift)"
                ),
                })?
            }
            _ => {
                return Err(Error::Evidence {
                    path: path.to_string(),
                    problem: "not rigor evidence: no \"kind\" field (expected the JSON of \
                              rigor eval, rigor ab or rigor drift with --format json)"
                        .to_string(),
                })
            }
        };
        let raw: serde_json::Value = parse(path, text)?;
        let provenance = Provenance::deserialize(&raw).unwrap_or_default();
        let mut e = Evidence {
            label: label.to_string(),
            path: path.to_string(),
            kind,
            provenance,
            raw: serde_json::Value::Null,
            systems: Vec::new(),
            baseline: None,
            comparisons: Vec::new(),
            counts: Vec::new(),
            srm: None,
            diagnostics: Diagnostics::default(),
            settings: IndexMap::new(),
            warnings: Vec::new(),
        };
        match kind {
            Kind::Ir => ir::read(&mut e, parse(path, text)?),
            Kind::Classify => classify::read(&mut e, parse(path, text)?),
            Kind::Text => text::read(&mut e, parse(path, text)?),
            Kind::Ab => ab::read(&mut e, parse(path, text)?),
            Kind::Drift => drift::read(&mut e, parse(path, text)?),
        }
        if let Some(w) = raw.get("warnings").and_then(|w| w.as_array()) {
            e.warnings = w
                .iter()
                .filter_map(|w| w.as_str().map(str::to_string))
                .collect();
        }
        e.raw = raw;
        Ok(e)
    }

    pub fn system(&self, name: &str) -> Option<&System> {
        self.systems.iter().find(|s| s.name == name)
    }

    /// The names of its systems, for error messages.
    pub fn system_names(&self) -> String {
        let names: Vec<&str> = self.systems.iter().map(|s| s.name.as_str()).collect();
        names.join(", ")
    }

    /// The smallest count of units behind the document.
    pub fn min_count(&self) -> Option<(&str, u64)> {
        self.counts
            .iter()
            .min_by_key(|(_, n)| *n)
            .map(|(what, n)| (what.as_str(), *n))
    }
}

/// Parses JSON text into `T`, with errors as `path:line:column: problem`.
fn parse<T: serde::de::DeserializeOwned>(path: &str, text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| {
        let message = e.to_string();
        let problem = message
            .rsplit_once(" at line ")
            .map_or(message.as_str(), |(m, _)| m)
            .to_string();
        Error::Evidence {
            path: format!("{path}:{}:{}", e.line(), e.column()),
            problem,
        }
    })
}

/// Lenient number maps: a `null` or non-number value is kept as undefined.
pub(crate) type Numbers = IndexMap<String, Option<f64>>;

/// Fairlearn's summary disparities from per-rate differences and ratios:
/// demographic parity is the selection-rate disparity; equalized odds the larger
/// difference (smaller ratio) of the TPR and FPR disparities.
pub(crate) fn derive_fairness(f: &mut IndexMap<String, Estimate>) {
    let get = |f: &IndexMap<String, Estimate>, k: &str| f.get(k).and_then(|e| e.value);
    let derived = [
        (
            "demographic_parity_difference",
            get(f, "selection_rate_difference"),
        ),
        ("demographic_parity_ratio", get(f, "selection_rate_ratio")),
        (
            "equalized_odds_difference",
            get(f, "tpr_difference")
                .zip(get(f, "fpr_difference"))
                .map(|(a, b)| a.max(b)),
        ),
        (
            "equalized_odds_ratio",
            get(f, "tpr_ratio")
                .zip(get(f, "fpr_ratio"))
                .map(|(a, b)| a.min(b)),
        ),
    ];
    for (name, value) in derived {
        if let (Some(v), false) = (value, f.contains_key(name)) {
            f.insert(name.to_string(), Estimate::point(Some(v)));
        }
    }
}
