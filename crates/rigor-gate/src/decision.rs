//! The result of a gate: GO or NO-GO, and one outcome per criterion saying what was
//! required, what was measured, whether it passed and why. `rigor gate --format json`
//! prints [`Decision`] as is.

use serde::Serialize;

/// GO when every outcome passed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Decision {
    pub kind: &'static str,
    /// `"GO"` or `"NO-GO"`.
    pub decision: &'static str,
    pub go: bool,
    pub policy: String,
    pub name: Option<String>,
    pub evidence: Vec<EvidenceRef>,
    pub passed: usize,
    pub failed: usize,
    pub criteria: Vec<Outcome>,
}

impl Decision {
    pub fn new(
        policy: String,
        name: Option<String>,
        evidence: Vec<EvidenceRef>,
        criteria: Vec<Outcome>,
    ) -> Decision {
        let failed = criteria.iter().filter(|c| !c.pass).count();
        let go = failed == 0;
        Decision {
            kind: "gate",
            decision: if go { "GO" } else { "NO-GO" },
            go,
            policy,
            name,
            evidence,
            passed: criteria.len() - failed,
            failed,
            criteria,
        }
    }
}

/// A document the gate read.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvidenceRef {
    pub label: String,
    pub path: String,
    pub kind: String,
}

/// One criterion's verdict.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    /// Policy table (`threshold`, `lift`, `guardrail`, `fairness`) or requirement
    /// (`reproducible`, `min_queries` …, `srm`).
    pub rule: String,
    /// Policy line (0: a requirement every gate checks, not written in the policy).
    pub line: usize,
    /// Short name: `lift nDCG@10 (dense vs bm25)`.
    pub criterion: String,
    /// Labels of the evidence read.
    pub evidence: Vec<String>,
    /// The measure as the evidence names it (criteria on a measure only).
    pub measure: Option<String>,
    pub required: String,
    pub measured: String,
    pub pass: bool,
    pub why: String,
    /// The decisive number (the worst slice's, for slices), when there is one.
    pub value: Option<f64>,
    /// Per slice or group, when the criterion covers several.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub slices: Vec<SliceOutcome>,
}

/// One slice or group of a criterion.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SliceOutcome {
    pub slice: String,
    pub n: Option<u64>,
    pub measured: String,
    pub value: Option<f64>,
    /// None when skipped (below `min_slice_size`).
    pub pass: Option<bool>,
}
