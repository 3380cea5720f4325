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
    // A default that names nothing would silently fall back to each document's own
    // default: a typo must be an error instead.
    for (name, line, role) in [
        (&policy.candidate, policy.candidate_line, "candidate"),
        (&policy.baseline, policy.baseline_line, "baseline"),
    ] {
        let Some(name) = name else { continue };
        let known = evidence
            .iter()
            .any(|e| &e.label == name || e.system(name).is_some());
        if !known {
            let names: Vec<String> = evidence
                .iter()
                .map(|e| {
                    if e.single_system() {
                        e.label.clone()
                    } else {
                        format!("{} ({})", e.system_names(), e.label)
                    }
                })
                .collect();
            return Err(Error::Missing {
                path: policy.path.clone(),
                line,
                problem: format!(
                    "[gate] {role} '{name}' is no run, arm or evidence label of the evidence \
                     (it has {})",
                    names.join("; ")
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::parse;

    const HASH: &str = "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262";

    fn ir(delta: f64, significant: bool) -> Evidence {
        let text = format!(
            r#"{{"kind": "ir", "measures": ["AP"],
              "runs": [{{"name": "a", "queries": 10, "aggregate": {{"AP": {{"mean": 0.5, "ci_low": 0.4, "ci_high": 0.6}}}}}},
                       {{"name": "b", "queries": 10, "aggregate": {{"AP": {{"mean": {m}}}}}}}],
              "comparisons": [{{"baseline": "a", "candidate": "b", "measure": "AP", "n": 10,
                               "baseline_mean": 0.5, "candidate_mean": {m}, "delta": {delta},
                               "relative_lift": {rel}, "ci_low": {lo}, "ci_high": {hi},
                               "test": "paired-t", "p_value": 0.01, "p_adjusted": 0.02,
                               "correction": "holm", "significant": {significant}}}],
              "rigor_version": "0.1.0", "command": ["rigor"], "seed": 1,
              "inputs": [{{"role": "qrels", "path": "q", "bytes": 1, "blake3": "{HASH}"}}]}}"#,
            m = 0.5 + delta,
            rel = delta / 0.5,
            lo = delta - 0.01,
            hi = delta + 0.01,
        );
        Evidence::read("ir", "ir.json", &text).unwrap()
    }

    fn decide_on(policy: &str, e: Evidence) -> Result<Decision> {
        decide(&parse("p.toml", policy).unwrap(), &[e], &NoFiles)
    }

    #[test]
    fn lift_conditions_each_decide() {
        let p = "[[lift]]\nmeasure = \"AP\"\nmin_delta = 0.02\nsignificant = true\nci_excludes_zero = true\n";
        assert!(decide_on(p, ir(0.05, true)).unwrap().go);
        let d = decide_on(p, ir(0.015, true)).unwrap();
        assert_eq!(d.criteria[1].why, "Δ +0.015 < +0.02");
        let d = decide_on(p, ir(0.05, false)).unwrap();
        assert_eq!(d.criteria[1].why, "p adj 0.02: not significant");
        let d = decide_on(p, ir(0.005, true)).unwrap();
        assert!(d.criteria[1]
            .why
            .contains("CI [-0.005, +0.015] not above 0"));
        // Significant, but the wrong way.
        let d = decide_on(
            "[[lift]]\nmeasure = \"AP\"\nsignificant = true\n",
            ir(-0.05, true),
        )
        .unwrap();
        assert_eq!(
            d.criteria[1].why,
            "p adj 0.02: significant, but a regression"
        );
        // A stricter alpha than the evidence's.
        let d = decide_on(
            "[[lift]]\nmeasure = \"AP\"\nsignificant = true\nalpha = 0.01\n",
            ir(0.05, true),
        )
        .unwrap();
        assert!(!d.go);
    }

    #[test]
    fn guardrail_tolerance_is_the_stricter_of_absolute_and_relative() {
        // Baseline 0.5: 2% of it is 0.01, stricter than 0.05.
        let p = "[[guardrail]]\nmeasure = \"AP\"\ntolerance = 0.05\nrelative_tolerance = 0.02\n";
        assert!(decide_on(p, ir(-0.009, false)).unwrap().go);
        let d = decide_on(p, ir(-0.02, false)).unwrap();
        assert_eq!(d.criteria[1].why, "Δ -0.02 < -0.01");
        // Non-inferiority on the interval's worse end.
        let p = "[[guardrail]]\nmeasure = \"AP\"\ntolerance = 0.01\nwhole_ci = true\n";
        let d = decide_on(p, ir(-0.005, false)).unwrap();
        assert_eq!(d.criteria[1].why, "CI lower bound -0.015 < -0.01");
    }

    #[test]
    fn reproducibility_needs_well_formed_hashes() {
        let mut e = ir(0.05, true);
        if let Some(inputs) = e.provenance.inputs.as_mut() {
            inputs[0].blake3 = Some("not-a-hash".into());
        }
        let d = decide_on("[[threshold]]\nmeasure = \"AP\"\nmin = 0\n", e).unwrap();
        assert!(!d.go);
        assert_eq!(
            d.criteria[0].why,
            "cannot be reproduced: missing: path, blake3 or bytes of q"
        );
    }

    #[test]
    fn a_gate_default_must_name_something() {
        let err = decide_on(
            "[gate]\nname = \"x\"\nbaseline = \"z\"\n\n[[threshold]]\nmeasure = \"AP\"\nmin = 0\n",
            ir(0.05, true),
        )
        .unwrap_err();
        assert!(
            matches!(&err, Error::Missing { line: 3, problem, .. } if problem.contains("baseline 'z'")),
            "{err}"
        );
    }
}
