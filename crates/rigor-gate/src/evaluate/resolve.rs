//! Which document, system and comparison a criterion reads.
//!
//! - `evidence = "label"` and `kind = "…"` narrow the documents;
//! - in `ir` and `ab` evidence, `candidate` names a run or arm (default: `[gate]
//!   candidate` when the document has it, else the only candidate the document
//!   compares) and `baseline` defaults likewise to the document's own baseline;
//! - `classify`, `text` and `drift` documents are systems themselves: with several of
//!   a kind, `candidate`/`baseline` name them by label, and two documents with no names
//!   are baseline (first given) and candidate (second).
//!
//! Every ambiguity and every name the evidence lacks is an error naming the line.

use indexmap::IndexMap;

use super::Gate;
use crate::error::Result;
use crate::evidence::{Comparison, Estimate, Evidence, Kind, Scores, System};
use crate::policy::{Criterion, Slices};

/// Two systems to compare.
pub(crate) enum Pair<'a> {
    /// Within one document that compares them itself (ir runs, ab arms).
    Within {
        doc: &'a Evidence,
        baseline: String,
        candidate: String,
    },
    /// Two single-system documents.
    Across {
        baseline: &'a Evidence,
        candidate: &'a Evidence,
    },
}

impl Pair<'_> {
    pub fn names(&self) -> (String, String) {
        match self {
            Pair::Within {
                baseline,
                candidate,
                ..
            } => (baseline.clone(), candidate.clone()),
            Pair::Across {
                baseline,
                candidate,
            } => (baseline.label.clone(), candidate.label.clone()),
        }
    }

    pub fn labels(&self) -> Vec<String> {
        match self {
            Pair::Within { doc, .. } => vec![doc.label.clone()],
            Pair::Across {
                baseline,
                candidate,
            } => vec![baseline.label.clone(), candidate.label.clone()],
        }
    }
}

/// Finds a measure by name: exactly, then by its canonical ranking-measure name
/// (`ndcg_cut_10` = `nDCG@10`), then case-insensitively when that is unambiguous.
pub(crate) fn find<'m>(
    names: impl Iterator<Item = &'m String> + Clone,
    name: &str,
) -> Option<String> {
    if let Some(n) = names.clone().find(|n| *n == name) {
        return Some(n.clone());
    }
    if let Ok(m) = name.parse::<rigor_metrics::ir::Measure>() {
        let canonical = m.to_string();
        if let Some(n) = names.clone().find(|n| **n == canonical) {
            return Some(n.clone());
        }
    }
    let mut folded = names.filter(|n| n.eq_ignore_ascii_case(name));
    match (folded.next(), folded.next()) {
        (Some(n), None) => Some(n.clone()),
        _ => None,
    }
}

/// An estimate by (fuzzy) name.
pub(crate) fn lookup<'s>(map: &'s IndexMap<String, Estimate>, name: &str) -> Option<&'s Estimate> {
    find(map.keys(), name).and_then(|k| map.get(&k))
}

fn list<'s>(names: impl Iterator<Item = &'s String>) -> String {
    let v: Vec<&str> = names.map(String::as_str).collect();
    if v.is_empty() {
        "none".into()
    } else {
        v.join(", ")
    }
}

impl<'a> Gate<'a> {
    /// The documents a criterion may read.
    pub(crate) fn narrow(&self, c: &Criterion) -> Result<Vec<&'a Evidence>> {
        let labels = || list(self.evidence.iter().map(|e| &e.label));
        let mut docs: Vec<&Evidence> = self.evidence.iter().collect();
        if let Some(label) = &c.target.evidence {
            docs.retain(|e| &e.label == label);
            if docs.is_empty() {
                return Err(self.missing(
                    c.line,
                    format!("no evidence labelled '{label}' (given: {})", labels()),
                ));
            }
        }
        if let Some(kind) = c.target.kind {
            docs.retain(|e| e.kind == kind);
            if docs.is_empty() {
                return Err(self.missing(
                    c.line,
                    format!("no {kind} evidence (given: {})", self.kinds()),
                ));
            }
        }
        Ok(docs)
    }

    fn kinds(&self) -> String {
        let v: Vec<String> = self
            .evidence
            .iter()
            .map(|e| format!("{} ({})", e.label, e.kind))
            .collect();
        v.join(", ")
    }

    /// Narrows to the documents `has` accepts, all of one kind.
    fn with(
        &self,
        c: &Criterion,
        what: &str,
        has: &dyn Fn(&Evidence) -> bool,
        available: &dyn Fn(&Evidence) -> String,
    ) -> Result<Vec<&'a Evidence>> {
        let docs = self.narrow(c)?;
        let with: Vec<&Evidence> = docs.iter().copied().filter(|e| has(e)).collect();
        if with.is_empty() {
            let have: Vec<String> = docs
                .iter()
                .map(|e| format!("{} has {}", e.label, available(e)))
                .collect();
            return Err(self.missing(
                c.line,
                format!("no evidence has {what} ({})", have.join("; ")),
            ));
        }
        let kind = with[0].kind;
        if with.iter().any(|e| e.kind != kind) {
            let kinds: Vec<String> = with
                .iter()
                .map(|e| format!("{} ({})", e.label, e.kind))
                .collect();
            return Err(self.policy_error(
                c.line,
                format!(
                    "{what} is in evidence of several kinds ({}): say kind = \"…\" or evidence = \"…\"",
                    kinds.join(", ")
                ),
            ));
        }
        Ok(with)
    }

    /// The run or arm a multi-system document is decided on, if it can tell.
    fn default_candidate(doc: &Evidence) -> Option<String> {
        if doc.systems.len() == 1 {
            return Some(doc.systems[0].name.clone());
        }
        let mut candidates: Vec<&str> = doc
            .comparisons
            .iter()
            .filter(|c| c.slice.is_none())
            .map(|c| c.candidate.as_str())
            .collect();
        candidates.dedup();
        match candidates.as_slice() {
            [one] => Some(one.to_string()),
            _ => None,
        }
    }

    /// A system of a multi-system document: named in the criterion (must exist), else
    /// `[gate]`'s name when the document has it, else `default`.
    fn system_name(
        &self,
        c: &Criterion,
        doc: &Evidence,
        explicit: Option<&String>,
        gate: Option<&String>,
        default: Option<String>,
        role: &str,
    ) -> Result<String> {
        let noun = doc.kind.system_noun();
        if let Some(name) = explicit {
            return match doc.system(name) {
                Some(_) => Ok(name.clone()),
                None => Err(self.missing(
                    c.line,
                    format!(
                        "evidence {} has no {noun} '{name}' ({noun}s: {})",
                        doc.label,
                        doc.system_names()
                    ),
                )),
            };
        }
        if let Some(name) = gate.filter(|n| doc.system(n).is_some()) {
            return Ok(name.clone());
        }
        default.ok_or_else(|| {
            self.policy_error(
                c.line,
                format!(
                    "evidence {} has {noun}s {}: say {role} = \"…\" (here or in [gate])",
                    doc.label,
                    doc.system_names()
                ),
            )
        })
    }

    /// One of several single-system documents, by label.
    fn by_label(
        &self,
        c: &Criterion,
        docs: &[&'a Evidence],
        explicit: Option<&String>,
        gate: Option<&String>,
    ) -> Result<Option<&'a Evidence>> {
        if let Some(name) = explicit {
            return match docs.iter().find(|e| &e.label == name) {
                Some(e) => Ok(Some(e)),
                None => Err(self.missing(
                    c.line,
                    format!(
                        "no {} evidence labelled '{name}' has it (labels: {})",
                        docs[0].kind,
                        list(docs.iter().map(|e| &e.label))
                    ),
                )),
            };
        }
        Ok(gate.and_then(|n| docs.iter().copied().find(|e| &e.label == n)))
    }

    /// The system a threshold or fairness bound reads: one that `has` the measure.
    pub(crate) fn subject(
        &self,
        c: &Criterion,
        what: &str,
        has: &dyn Fn(&System) -> bool,
        available: &dyn Fn(&Evidence) -> String,
    ) -> Result<(&'a Evidence, &'a System)> {
        let with = self.with(c, what, &|e| e.systems.iter().any(has), available)?;
        let explicit = c.target.candidate.as_ref();
        let gate = self.policy.candidate.as_ref();
        let doc = if with[0].single_system() {
            match (with.len(), self.by_label(c, &with, explicit, gate)?) {
                (_, Some(doc)) => doc,
                (1, None) => with[0],
                (_, None) => {
                    return Err(self.policy_error(
                        c.line,
                        format!(
                            "several {} documents have {what} ({}): say candidate = \"label\" \
                             or evidence = \"label\"",
                            with[0].kind,
                            list(with.iter().map(|e| &e.label))
                        ),
                    ))
                }
            }
        } else {
            if with.len() > 1 {
                return Err(self.policy_error(
                    c.line,
                    format!(
                        "several {} documents have {what} ({}): say evidence = \"label\"",
                        with[0].kind,
                        list(with.iter().map(|e| &e.label))
                    ),
                ));
            }
            with[0]
        };
        let system = if doc.single_system() {
            &doc.systems[0]
        } else {
            let name = self.system_name(
                c,
                doc,
                explicit,
                gate,
                Self::default_candidate(doc),
                "candidate",
            )?;
            doc.system(&name).unwrap_or(&doc.systems[0])
        };
        if !has(system) {
            return Err(self.missing(
                c.line,
                format!(
                    "{} {} of evidence {} has no {what} (it has {})",
                    doc.kind.system_noun(),
                    system.name,
                    doc.label,
                    available(doc)
                ),
            ));
        }
        Ok((doc, system))
    }

    /// The two systems a lift or guardrail compares.
    pub(crate) fn pair(&self, c: &Criterion, measure: &str) -> Result<Pair<'a>> {
        let has = |e: &Evidence| {
            e.systems.iter().any(|s| {
                std::iter::once(&s.overall)
                    .chain(s.slices.values())
                    .chain(s.overall.groups.values())
                    .any(|sc| find(sc.values.keys(), measure).is_some())
            }) || find(e.comparisons.iter().map(|c| &c.measure), measure).is_some()
        };
        let what = format!("'{measure}'");
        let with = self.with(c, &what, &has, &|e| measures(e))?;
        let kind = with[0].kind;
        if !with[0].single_system() {
            if with.len() > 1 {
                return Err(self.policy_error(
                    c.line,
                    format!(
                        "several {kind} documents have '{measure}' ({}): say evidence = \"label\"",
                        list(with.iter().map(|e| &e.label))
                    ),
                ));
            }
            let doc = with[0];
            let candidate = self.system_name(
                c,
                doc,
                c.target.candidate.as_ref(),
                self.policy.candidate.as_ref(),
                Self::default_candidate(doc),
                "candidate",
            )?;
            let baseline = self.system_name(
                c,
                doc,
                c.target.baseline.as_ref(),
                self.policy.baseline.as_ref(),
                doc.baseline.clone(),
                "baseline",
            )?;
            if baseline == candidate {
                return Err(self.policy_error(
                    c.line,
                    format!("baseline and candidate are both '{baseline}'"),
                ));
            }
            return Ok(Pair::Within {
                doc,
                baseline,
                candidate,
            });
        }
        let cand = self.by_label(
            c,
            &with,
            c.target.candidate.as_ref(),
            self.policy.candidate.as_ref(),
        )?;
        let base = self.by_label(
            c,
            &with,
            c.target.baseline.as_ref(),
            self.policy.baseline.as_ref(),
        )?;
        let other = |x: &Evidence| with.iter().copied().find(|e| e.label != x.label);
        let (baseline, candidate) = match (base, cand, with.len()) {
            (Some(b), Some(k), _) => (b, k),
            (Some(b), None, 2) => (b, other(b).unwrap_or(b)),
            (None, Some(k), 2) => (other(k).unwrap_or(k), k),
            (None, None, 2) => (with[0], with[1]),
            _ => {
                return Err(self.policy_error(
                    c.line,
                    format!(
                        "comparing {kind} evidence takes two documents, a baseline and a \
                         candidate: say baseline = \"label\" and candidate = \"label\" \
                         (documents with '{measure}': {})",
                        list(with.iter().map(|e| &e.label))
                    ),
                ))
            }
        };
        if baseline.label == candidate.label {
            return Err(self.policy_error(
                c.line,
                format!("baseline and candidate are both '{}'", baseline.label),
            ));
        }
        Ok(Pair::Across {
            baseline,
            candidate,
        })
    }

    /// The comparisons a criterion covers, one per slice (or one overall).
    pub(crate) fn comparisons(
        &self,
        c: &Criterion,
        pair: &Pair,
        measure: &str,
        slices: &Slices,
    ) -> Result<Vec<Comparison>> {
        match pair {
            Pair::Within {
                doc,
                baseline,
                candidate,
            } => {
                let canonical = find(doc.comparisons.iter().map(|c| &c.measure), measure);
                let matching: Vec<&Comparison> = doc
                    .comparisons
                    .iter()
                    .filter(|x| {
                        &x.baseline == baseline
                            && &x.candidate == candidate
                            && Some(&x.measure) == canonical.as_ref()
                    })
                    .collect();
                let described = || {
                    let mut seen: Vec<String> = doc
                        .comparisons
                        .iter()
                        .filter(|x| x.slice.is_none())
                        .map(|x| format!("{} vs {} on {}", x.candidate, x.baseline, x.measure))
                        .collect();
                    seen.dedup();
                    if seen.is_empty() {
                        "none".to_string()
                    } else {
                        seen.join(", ")
                    }
                };
                let pick = |slice: Option<&String>| -> Option<Comparison> {
                    matching
                        .iter()
                        .find(|x| x.slice.as_ref() == slice)
                        .map(|x| (*x).clone())
                };
                match slices {
                    Slices::Overall => pick(None).map(|x| vec![x]).ok_or_else(|| {
                        self.missing(
                            c.line,
                            format!(
                                "evidence {} does not compare {candidate} with {baseline} on \
                                 '{measure}' (its comparisons: {})",
                                doc.label,
                                described()
                            ),
                        )
                    }),
                    Slices::All => {
                        let v: Vec<Comparison> = matching
                            .iter()
                            .filter(|x| x.slice.is_some())
                            .map(|x| (*x).clone())
                            .collect();
                        if v.is_empty() {
                            return Err(self.missing(
                                c.line,
                                format!(
                                    "evidence {} has no per-slice comparisons of '{measure}' \
                                     ({})",
                                    doc.label,
                                    match doc.kind {
                                        Kind::Ab => "rigor ab --segment COL adds them",
                                        _ => "this kind of evidence has no slices",
                                    }
                                ),
                            ));
                        }
                        Ok(v)
                    }
                    Slices::Named(names) => names
                        .iter()
                        .map(|n| {
                            pick(Some(n)).ok_or_else(|| {
                                let have = list(matching.iter().filter_map(|x| x.slice.as_ref()));
                                self.missing(
                                    c.line,
                                    format!(
                                        "evidence {} has no slice '{n}' comparing '{measure}' \
                                         (slices: {have})",
                                        doc.label
                                    ),
                                )
                            })
                        })
                        .collect(),
                    Slices::Groups => Err(self.missing(
                        c.line,
                        format!(
                            "evidence {} ({}) has no sensitive groups",
                            doc.label, doc.kind
                        ),
                    )),
                }
            }
            Pair::Across {
                baseline,
                candidate,
            } => {
                let (b, k) = (&baseline.systems[0], &candidate.systems[0]);
                let units: Vec<(Option<String>, &Scores, &Scores)> = match slices {
                    Slices::Overall => vec![(None, &b.overall, &k.overall)],
                    Slices::All | Slices::Named(_) | Slices::Groups => {
                        let (bs, ks, noun) = match slices {
                            Slices::Groups => (&b.overall.groups, &k.overall.groups, "group"),
                            _ => (&b.slices, &k.slices, "slice"),
                        };
                        let names: Vec<String> = match slices {
                            Slices::Named(n) => n.clone(),
                            _ => {
                                if let Some(extra) = bs.keys().find(|s| !ks.contains_key(*s)) {
                                    return Err(self.missing(
                                        c.line,
                                        format!(
                                            "candidate {} has no {noun} '{extra}', which baseline \
                                             {} has: non-regression on it cannot be checked",
                                            candidate.label, baseline.label
                                        ),
                                    ));
                                }
                                ks.keys().cloned().collect()
                            }
                        };
                        if names.is_empty() {
                            return Err(self.missing(
                                c.line,
                                format!(
                                    "evidence {} has no {noun}s (rigor eval classify {})",
                                    candidate.label,
                                    if noun == "group" {
                                        "--sensitive COL"
                                    } else {
                                        "--by COL"
                                    }
                                ),
                            ));
                        }
                        let mut v = Vec::new();
                        for n in names {
                            let bsc = bs.get(&n);
                            let ksc = ks.get(&n);
                            let (Some(bsc), Some(ksc)) = (bsc, ksc) else {
                                let (doc, map) = if bsc.is_none() {
                                    (baseline, bs)
                                } else {
                                    (candidate, ks)
                                };
                                return Err(self.missing(
                                    c.line,
                                    format!(
                                        "evidence {} has no {noun} '{n}' ({noun}s: {})",
                                        doc.label,
                                        list(map.keys())
                                    ),
                                ));
                            };
                            v.push((Some(n.clone()), bsc, ksc));
                        }
                        v
                    }
                };
                units
                    .into_iter()
                    .map(|(slice, bsc, ksc)| {
                        let get = |doc: &Evidence, s: &Scores| {
                            lookup(&s.values, measure).copied().ok_or_else(|| {
                                self.missing(
                                    c.line,
                                    format!(
                                        "evidence {}{} has no '{measure}' (it has {})",
                                        doc.label,
                                        slice
                                            .as_ref()
                                            .map_or(String::new(), |s| format!(" slice '{s}'")),
                                        list(s.values.keys())
                                    ),
                                )
                            })
                        };
                        let (bv, kv) = (get(baseline, bsc)?.value, get(candidate, ksc)?.value);
                        let delta = bv.zip(kv).map(|(b, k)| k - b);
                        Ok(Comparison {
                            baseline: baseline.label.clone(),
                            candidate: candidate.label.clone(),
                            measure: find(ksc.values.keys(), measure)
                                .unwrap_or_else(|| measure.to_string()),
                            slice,
                            n: match (bsc.n, ksc.n) {
                                (Some(x), Some(y)) => Some(x.min(y)),
                                (x, y) => x.or(y),
                            },
                            baseline_value: bv,
                            candidate_value: kv,
                            delta,
                            relative: delta
                                .zip(bv)
                                .and_then(|(d, b)| (b != 0.0).then(|| d / b.abs())),
                            ..Comparison::default()
                        })
                    })
                    .collect()
            }
        }
    }
}

/// The measures of a document, for error messages.
pub(crate) fn measures(e: &Evidence) -> String {
    let mut names: Vec<&String> = Vec::new();
    for s in &e.systems {
        for k in s.overall.values.keys() {
            if !names.contains(&k) {
                names.push(k);
            }
        }
    }
    list(names.into_iter())
}
