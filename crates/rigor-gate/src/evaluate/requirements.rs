//! `[evidence]` requirements. Reproducibility is checked for every document whether or
//! not the policy asks: a gate never passes on evidence that cannot be reproduced.

use super::{why, Gate};
use crate::decision::Outcome;
use crate::error::Result;
use crate::evidence::{Evidence, Kind};
use crate::policy::MinUnits;

impl Gate<'_> {
    pub(crate) fn requirements(&self) -> Result<Vec<Outcome>> {
        let r = &self.policy.requirements;
        let mut out = Vec::new();
        for e in self.evidence {
            out.push(self.reproducible(e));
        }
        if r.srm {
            for e in self.evidence.iter().filter(|e| e.kind == Kind::Ab) {
                out.push(self.srm(e));
            }
        }
        for m in &r.min_units {
            let docs: Vec<&Evidence> = self
                .evidence
                .iter()
                .filter(|e| m.units.applies_to(e.kind))
                .collect();
            if docs.is_empty() {
                return Err(self.missing(
                    m.line,
                    format!(
                        "{} applies to {} evidence, and none was given (given: {})",
                        m.units.key(),
                        match m.units {
                            crate::policy::Units::Queries => "ir",
                            crate::policy::Units::Rows => "classify or drift",
                            crate::policy::Units::Segments => "text",
                            crate::policy::Units::Any => "any",
                        },
                        self.evidence
                            .iter()
                            .map(|e| format!("{} ({})", e.label, e.kind))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            }
            for e in docs {
                out.push(min_units(m, e));
            }
        }
        Ok(out)
    }

    fn reproducible(&self, e: &Evidence) -> Outcome {
        let r = &self.policy.requirements;
        let p = &e.provenance;
        let mut checks: Vec<(bool, String)> = Vec::new();
        let mut missing = Vec::new();
        match &p.rigor_version {
            Some(v) if !v.is_empty() => checks.push((true, format!("rigor {v}"))),
            _ => missing.push("rigor_version".to_string()),
        }
        match &p.command {
            Some(c) if !c.is_empty() => checks.push((true, "command recorded".into())),
            _ => missing.push("command".to_string()),
        }
        match p.seed {
            Some(s) => checks.push((true, format!("seed {s}"))),
            None => missing.push("seed".to_string()),
        }
        match &p.inputs {
            Some(inputs) if !inputs.is_empty() => {
                let unhashed: Vec<String> = inputs
                    .iter()
                    .enumerate()
                    .filter(|(_, i)| {
                        i.path.as_deref().is_none_or(str::is_empty)
                            || !i.blake3.as_deref().is_some_and(is_blake3)
                            || i.bytes.is_none()
                    })
                    .map(|(k, i)| i.path.clone().unwrap_or_else(|| format!("inputs[{k}]")))
                    .collect();
                if unhashed.is_empty() {
                    checks.push((true, format!("{} inputs hashed", inputs.len())));
                } else {
                    missing.push(format!("path, blake3 or bytes of {}", unhashed.join(", ")));
                }
                if r.verify_inputs {
                    let mut changed = Vec::new();
                    for i in inputs {
                        let (Some(path), Some(b3)) = (&i.path, &i.blake3) else {
                            continue;
                        };
                        match self.files.digest(path) {
                            Ok((digest, bytes)) if &digest == b3 && Some(bytes) == i.bytes => {}
                            Ok((digest, _)) => changed.push(format!(
                                "{path} changed (blake3 {} now, {} in evidence)",
                                short(&digest),
                                short(b3)
                            )),
                            Err(why) => changed.push(format!("{path}: {why}")),
                        }
                    }
                    if changed.is_empty() {
                        checks.push((true, "inputs on disk match their hashes".into()));
                    } else {
                        checks.push((false, changed.join("; ")));
                    }
                }
            }
            _ => missing.push("inputs (with blake3 hashes)".to_string()),
        }
        for field in &r.require {
            let present = field
                .split('.')
                .try_fold(&e.raw, |v, k| v.get(k))
                .is_some_and(|v| !v.is_null());
            if present {
                checks.push((true, format!("{field} present")));
            } else {
                missing.push(field.clone());
            }
        }
        if !missing.is_empty() {
            checks.push((false, format!("missing: {}", missing.join(", "))));
        }
        let (pass, why_text) = why(&checks);
        let mut required = "rigor_version, command, seed, inputs with blake3".to_string();
        for f in &r.require {
            required.push_str(&format!(", {f}"));
        }
        if r.verify_inputs {
            required.push_str("; inputs on disk unchanged");
        }
        Outcome {
            rule: "reproducible".into(),
            line: r.line,
            criterion: format!("reproducible ({})", e.label),
            evidence: vec![e.label.clone()],
            measure: None,
            required,
            measured: measured(e),
            pass,
            why: if pass {
                if r.verify_inputs {
                    "provenance complete; inputs unchanged on disk".into()
                } else {
                    "provenance complete".into()
                }
            } else {
                format!("cannot be reproduced: {why_text}")
            },
            value: None,
            slices: Vec::new(),
        }
    }

    fn srm(&self, e: &Evidence) -> Outcome {
        let (pass, measured) = match &e.srm {
            Some(s) => (
                s.status == "ok",
                format!(
                    "{}{}",
                    s.status,
                    s.p_value
                        .map_or(String::new(), |p| format!(" (p {})", crate::format::p(p)))
                ),
            ),
            None => (false, "no SRM check in the evidence".to_string()),
        };
        Outcome {
            rule: "srm".into(),
            line: self.policy.requirements.line,
            criterion: format!("sample ratio ({})", e.label),
            evidence: vec![e.label.clone()],
            measure: None,
            required: "sample-ratio check ok".into(),
            measured: measured.clone(),
            pass,
            why: if pass {
                "assignment matches the expected split".into()
            } else {
                format!("sample ratio mismatch or unchecked ({measured}): the comparison is not trustworthy")
            },
            value: e.srm.as_ref().and_then(|s| s.p_value),
            slices: Vec::new(),
        }
    }
}

fn min_units(m: &MinUnits, e: &Evidence) -> Outcome {
    let (what, n) = e.min_count().unwrap_or(("units", 0));
    let ok = n >= m.min;
    Outcome {
        rule: m.units.key().into(),
        line: m.line,
        criterion: format!("{} ({})", m.units.key(), e.label),
        evidence: vec![e.label.clone()],
        measure: None,
        required: format!("≥ {}", m.min),
        measured: format!("{n} {what}"),
        pass: ok,
        why: format!("{n} {} {}", if ok { "≥" } else { "<" }, m.min),
        value: Some(n as f64),
        slices: Vec::new(),
    }
}

fn is_blake3(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

fn short(h: &str) -> &str {
    h.get(..12).unwrap_or(h)
}

fn measured(e: &Evidence) -> String {
    let p = &e.provenance;
    let mut parts = Vec::new();
    if let Some(v) = &p.rigor_version {
        parts.push(format!("rigor {v}"));
    }
    if let Some(s) = p.seed {
        parts.push(format!("seed {s}"));
    }
    if let Some(i) = &p.inputs {
        let roles: Vec<&str> = i.iter().filter_map(|i| i.role.as_deref()).collect();
        parts.push(format!("{} inputs ({})", i.len(), roles.join(", ")));
    }
    if parts.is_empty() {
        "no provenance".into()
    } else {
        parts.join(", ")
    }
}
