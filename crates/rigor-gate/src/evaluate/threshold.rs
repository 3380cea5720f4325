//! `[[threshold]]` and `[[fairness]]`: `min <= value <= max`, overall, for a class, on
//! every slice or in every sensitive group (the worst decides).

use indexmap::IndexMap;

use super::resolve::{find, lookup};
use super::{why, Gate};
use crate::decision::{Outcome, SliceOutcome};
use crate::error::Result;
use crate::evidence::{Estimate, Evidence, Scores, System};
use crate::format::{ci, num};
use crate::policy::{Criterion, Slices, Threshold};

/// Where in a set of scores a criterion reads its measure.
#[derive(Clone, Copy)]
enum Place<'t> {
    Values,
    Class(&'t str),
    Fairness,
}

impl Place<'_> {
    fn map(self, s: &Scores) -> Option<&IndexMap<String, Estimate>> {
        match self {
            Place::Values => Some(&s.values),
            Place::Class(c) => s.per_class.get(c),
            Place::Fairness => (!s.fairness.is_empty()).then_some(&s.fairness),
        }
    }

    fn has(self, s: &Scores, measure: &str) -> bool {
        self.map(s)
            .is_some_and(|m| find(m.keys(), measure).is_some())
    }
}

/// Whether a value is within the bounds, the sentence saying so, and by how much
/// (negative: by how much it misses).
#[derive(Clone)]
struct Verdict {
    ok: bool,
    text: String,
    margin: f64,
}

/// One checked value.
struct Check {
    slice: String,
    n: Option<u64>,
    estimate: Estimate,
    /// The statistic compared with the bounds: (lower side, upper side).
    stat: Option<(f64, f64)>,
    skipped: bool,
}

impl Gate<'_> {
    pub(crate) fn threshold(
        &self,
        c: &Criterion,
        t: &Threshold,
        fairness: bool,
    ) -> Result<Outcome> {
        let measure = t.measure.as_str();
        let place = match (&t.class, fairness) {
            (_, true) => Place::Fairness,
            (Some(class), false) => Place::Class(class),
            (None, false) => Place::Values,
        };
        if fairness && t.slices == Slices::Groups {
            return Err(self.policy_error(
                c.line,
                "a fairness bound is already between the sensitive groups: use slices = \"all\" \
                 to check it within every --by slice, or a [[threshold]] with slices = \"groups\" \
                 to bound each group",
            ));
        }
        let what = match (place, fairness) {
            (_, true) => format!("fairness measure '{measure}'"),
            (Place::Class(class), _) => format!("'{measure}' for class '{class}'"),
            _ => format!("'{measure}'"),
        };
        let has = |s: &System| {
            place.has(&s.overall, measure)
                || s.slices.values().any(|x| place.has(x, measure))
                || s.overall.groups.values().any(|x| place.has(x, measure))
        };
        let available = |e: &Evidence| available(e, place);
        let (doc, system) = self.subject(c, &what, &has, &available)?;

        let units: Vec<(String, &Scores)> = match &t.slices {
            Slices::Overall => vec![("overall".to_string(), &system.overall)],
            Slices::All => {
                if system.slices.is_empty() {
                    return Err(self.missing(
                        c.line,
                        format!("evidence {} has no slices ({})", doc.label, slice_hint(doc)),
                    ));
                }
                system.slices.iter().map(|(k, v)| (k.clone(), v)).collect()
            }
            Slices::Groups => {
                if system.overall.groups.is_empty() {
                    return Err(self.missing(
                        c.line,
                        format!(
                            "evidence {} has no sensitive groups (rigor eval classify --sensitive COL)",
                            doc.label
                        ),
                    ));
                }
                system
                    .overall
                    .groups
                    .iter()
                    .map(|(k, v)| (k.clone(), v))
                    .collect()
            }
            Slices::Named(names) => names
                .iter()
                .map(|n| {
                    system.slices.get(n).map(|s| (n.clone(), s)).ok_or_else(|| {
                        let have: Vec<&str> = system.slices.keys().map(String::as_str).collect();
                        self.missing(
                            c.line,
                            format!(
                                "evidence {} has no slice '{n}' (slices: {})",
                                doc.label,
                                if have.is_empty() {
                                    "none".to_string()
                                } else {
                                    have.join(", ")
                                }
                            ),
                        )
                    })
                })
                .collect::<Result<_>>()?,
        };

        let mut checks = Vec::new();
        for (slice, scores) in units {
            let map = place.map(scores);
            let estimate = map
                .and_then(|m| lookup(m, measure))
                .copied()
                .ok_or_else(|| {
                    self.missing(
                        c.line,
                        format!(
                            "evidence {}{} has no {what} (it has {})",
                            doc.label,
                            if slice == "overall" {
                                String::new()
                            } else {
                                format!(" slice '{slice}'")
                            },
                            map.map_or("none".to_string(), |m| {
                                m.keys().cloned().collect::<Vec<_>>().join(", ")
                            })
                        ),
                    )
                })?;
            let stat = if t.whole_ci {
                if estimate.value.is_some() && estimate.ci().is_none() {
                    return Err(self.missing(
                        c.line,
                        format!(
                            "whole_ci: evidence {} has no interval for '{measure}' (evaluated \
                             with --no-ci?)",
                            doc.label
                        ),
                    ));
                }
                estimate.ci()
            } else {
                estimate.value.map(|v| (v, v))
            };
            let skipped = matches!((t.min_slice_size, scores.n), (Some(min), Some(n)) if n < min);
            checks.push(Check {
                slice,
                n: scores.n,
                estimate,
                stat,
                skipped,
            });
        }

        let judge = |k: &Check| -> Verdict {
            let Some((lo, hi)) = k.stat else {
                return Verdict {
                    ok: false,
                    text: "undefined in the evidence".into(),
                    margin: f64::NEG_INFINITY,
                };
            };
            let (lo_name, hi_name) = if t.whole_ci {
                ("CI lower bound ", "CI upper bound ")
            } else {
                ("", "")
            };
            let mut parts = Vec::new();
            let mut margin = f64::INFINITY;
            if let Some(min) = t.min {
                let ok = lo >= min;
                margin = margin.min(lo - min);
                parts.push((
                    ok,
                    format!(
                        "{lo_name}{} {} {}",
                        num(lo),
                        if ok { "≥" } else { "<" },
                        num(min)
                    ),
                ));
            }
            if let Some(max) = t.max {
                let ok = hi <= max;
                margin = margin.min(max - hi);
                parts.push((
                    ok,
                    format!(
                        "{hi_name}{} {} {}",
                        num(hi),
                        if ok { "≤" } else { ">" },
                        num(max)
                    ),
                ));
            }
            let (ok, text) = why(&parts);
            Verdict { ok, text, margin }
        };

        let judged: Vec<(&Check, Option<Verdict>)> = checks
            .iter()
            .map(|k| (k, (!k.skipped).then(|| judge(k))))
            .collect();
        let active: Vec<(&Check, &Verdict)> = judged
            .iter()
            .filter_map(|(k, j)| j.as_ref().map(|j| (*k, j)))
            .collect();
        let worst = active
            .iter()
            .min_by(|a, b| a.1.margin.total_cmp(&b.1.margin))
            .copied();

        let place_text = match place {
            Place::Class(class) => format!(" for class '{class}'"),
            _ => String::new(),
        };
        let scope_text = match &t.slices {
            Slices::Overall => String::new(),
            Slices::All => " on every slice (worst decides)".to_string(),
            Slices::Groups => " in every sensitive group (worst decides)".to_string(),
            Slices::Named(n) => format!(" on slices {} (worst decides)", n.join(", ")),
        };
        let bound = match (t.min, t.max) {
            (Some(lo), Some(hi)) => format!("between {} and {}", num(lo), num(hi)),
            (Some(lo), None) => format!("≥ {}", num(lo)),
            (None, Some(hi)) => format!("≤ {}", num(hi)),
            (None, None) => String::new(),
        };
        let required = format!(
            "{measure}{place_text} {}{bound}{scope_text}{}",
            if t.whole_ci { "whole CI " } else { "" },
            t.min_slice_size
                .map_or(String::new(), |m| format!(", slices with n < {m} skipped"))
        );

        let skipped = checks.iter().filter(|k| k.skipped).count();
        let (pass, why_text, measured, value) = match (worst, t.slices == Slices::Overall) {
            (None, _) => (
                false,
                format!(
                    "every one of {} slices has n < min_slice_size: nothing was checked",
                    checks.len()
                ),
                "nothing checked".to_string(),
                None,
            ),
            (Some((k, j)), true) => (j.ok, j.text.clone(), show(&k.estimate), k.estimate.value),
            (Some((k, j)), false) => {
                let failing = active.iter().filter(|(_, j)| !j.ok).count();
                let (ok, text) = (j.ok, j.text.clone());
                let pass = failing == 0;
                let counted = format!(
                    "{} checked{}",
                    active.len(),
                    if skipped > 0 {
                        format!(", {skipped} skipped")
                    } else {
                        String::new()
                    }
                );
                (
                    pass && ok,
                    if pass {
                        format!("worst '{}': {text}", k.slice)
                    } else {
                        format!("'{}': {text} ({failing} of {} fail)", k.slice, active.len())
                    },
                    format!(
                        "worst '{}'{}: {} ({counted})",
                        k.slice,
                        n_text(k.n),
                        show(&k.estimate)
                    ),
                    k.estimate.value,
                )
            }
        };
        let slices = if t.slices == Slices::Overall {
            Vec::new()
        } else {
            judged
                .iter()
                .map(|(k, j)| SliceOutcome {
                    slice: k.slice.clone(),
                    n: k.n,
                    measured: show(&k.estimate),
                    value: k.estimate.value,
                    pass: j.as_ref().map(|j| j.ok),
                })
                .collect()
        };
        let who = if doc.single_system() {
            doc.label.clone()
        } else {
            system.name.clone()
        };
        Ok(Outcome {
            rule: c.rule.name().to_string(),
            line: c.line,
            criterion: format!(
                "{} {measure}{} ({who})",
                c.rule.name(),
                match place {
                    Place::Class(class) => format!("[{class}]"),
                    _ => String::new(),
                }
            ),
            evidence: vec![doc.label.clone()],
            measure: Some(measure.to_string()),
            required,
            measured,
            pass,
            why: why_text,
            value,
            slices,
        })
    }
}

/// `0.8027 [0.7693, 0.8351]`, or `undefined`.
pub(crate) fn show(e: &Estimate) -> String {
    match (e.value, e.ci()) {
        (Some(v), Some((lo, hi))) => format!("{} {}", num(v), ci(lo, hi)),
        (Some(v), None) => num(v),
        (None, _) => "undefined".into(),
    }
}

fn n_text(n: Option<u64>) -> String {
    n.map_or(String::new(), |n| format!(" (n = {n})"))
}

fn slice_hint(e: &Evidence) -> &'static str {
    match e.kind {
        crate::evidence::Kind::Classify => "rigor eval classify --by COL adds them",
        crate::evidence::Kind::Ab => {
            "ab evidence has per-segment comparisons only: use a [[guardrail]]"
        }
        crate::evidence::Kind::Drift => "drift evidence has one slice per column",
        _ => "this kind of evidence has no slices",
    }
}

fn available(e: &Evidence, place: Place) -> String {
    let mut names: Vec<String> = Vec::new();
    for s in &e.systems {
        let maps = std::iter::once(&s.overall)
            .chain(s.slices.values())
            .filter_map(|sc| place.map(sc));
        for m in maps {
            for k in m.keys() {
                if !names.contains(k) {
                    names.push(k.clone());
                }
            }
        }
        if let Place::Class(_) = place {
            for k in s.overall.per_class.keys() {
                let k = format!("class {k}");
                if !names.contains(&k) {
                    names.push(k);
                }
            }
        }
    }
    if names.is_empty() {
        match place {
            Place::Fairness => "no fairness results (rigor eval classify --sensitive COL)".into(),
            _ => "nothing".into(),
        }
    } else {
        names.join(", ")
    }
}
