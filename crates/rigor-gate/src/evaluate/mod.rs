//! Evaluating a policy against evidence: one [`Outcome`] per requirement and criterion,
//! GO only when all pass. Anything a criterion names that the evidence lacks — a
//! measure, run, arm, slice, interval or test — is an [`Error::Missing`], never a pass.

mod compare;
mod requirements;
mod resolve;
mod threshold;

use crate::decision::{Decision, EvidenceRef, Outcome};
use crate::error::{Error, Result};
use crate::evidence::Evidence;
use crate::policy::{Criterion, Policy, Rule};

/// Access to the input files evidence names, for `verify_inputs`: the library does no
/// I/O itself.
pub trait InputFiles {
    /// BLAKE3 (lowercase hex) and size in bytes of the file at `path`, or why not.
    fn digest(&self, path: &str) -> std::result::Result<(String, u64), String>;
}

/// For policies that do not verify inputs.
pub struct NoFiles;

impl InputFiles for NoFiles {
    fn digest(&self, _: &str) -> std::result::Result<(String, u64), String> {
        Err("input files are not available to this gate".into())
    }
}

/// Evaluates `policy` against `evidence`.
///
/// Errors when two documents share a label, or when a criterion cannot be evaluated
/// on this evidence (see [`Error::Missing`]).
pub fn decide(policy: &Policy, evidence: &[Evidence], files: &dyn InputFiles) -> Result<Decision> {
    if evidence.is_empty() {
        return Err(Error::Evidence {
            path: policy.path.clone(),
            problem: "no evidence given".into(),
        });
    }
    for (i, e) in evidence.iter().enumerate() {
        if let Some(other) = evidence[..i].iter().find(|o| o.label == e.label) {
            return Err(Error::Evidence {
                path: e.path.clone(),
                problem: format!(
                    "label '{}' is also the label of {}: name them with --evidence LABEL=FILE",
                    e.label, other.path
                ),
            });
        }
    }
    let gate = Gate {
        policy,
        evidence,
        files,
    };
    let mut outcomes = gate.requirements()?;
    for c in &policy.criteria {
        outcomes.push(gate.criterion(c)?);
    }
    let refs = evidence
        .iter()
        .map(|e| EvidenceRef {
            label: e.label.clone(),
            path: e.path.clone(),
            kind: e.kind.name().to_string(),
        })
        .collect();
    Ok(Decision::new(
        policy.path.clone(),
        policy.name.clone(),
        refs,
        outcomes,
    ))
}

/// A policy and the evidence it is checked against.
pub(crate) struct Gate<'a> {
    pub policy: &'a Policy,
    pub evidence: &'a [Evidence],
    pub files: &'a dyn InputFiles,
}

impl Gate<'_> {
    fn criterion(&self, c: &Criterion) -> Result<Outcome> {
        match &c.rule {
            Rule::Threshold(t) => self.threshold(c, t, false),
            Rule::Fairness(t) => self.threshold(c, t, true),
            Rule::Lift(l) => self.lift(c, l),
            Rule::Guardrail(g) => self.guardrail(c, g),
        }
    }

    /// A criterion names something the evidence lacks.
    pub(crate) fn missing(&self, line: usize, problem: impl Into<String>) -> Error {
        Error::Missing {
            path: self.policy.path.clone(),
            line,
            problem: problem.into(),
        }
    }

    /// The policy asks for something that cannot be decided as written.
    pub(crate) fn policy_error(&self, line: usize, problem: impl Into<String>) -> Error {
        Error::Policy {
            path: self.policy.path.clone(),
            line,
            problem: problem.into(),
        }
    }
}

/// Joins reasons: the failing ones when any failed, else all.
pub(crate) fn why(checks: &[(bool, String)]) -> (bool, String) {
    let failed: Vec<&str> = checks
        .iter()
        .filter(|(ok, _)| !ok)
        .map(|(_, s)| s.as_str())
        .collect();
    if failed.is_empty() {
        (
            true,
            checks
                .iter()
                .map(|(_, s)| s.as_str())
                .collect::<Vec<_>>()
                .join("; "),
        )
    } else {
        (false, failed.join("; "))
    }
}
