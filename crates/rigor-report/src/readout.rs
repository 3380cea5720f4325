//! The decision readout: the decision and its reasons first, then the evidence behind
//! it — forest plot of differences, per-query differences, estimates, slices and
//! groups, classifier diagnostics — and what it takes to reproduce every number.

use indexmap::IndexMap;
use rigor_gate::direction::known;
use rigor_gate::evidence::{Comparison, Estimate, Evidence, Kind, Scores, System};
use rigor_gate::{Decision, Policy};

use crate::doc::{Block, Chart, Document, Row, Table};
use crate::escape;
use crate::fmt::{ci, num, opt, p, pct, signed, signed_ci};
use crate::svg::{self, ForestRow};

/// What a readout is built from.
pub struct Readout<'a> {
    pub title: Option<String>,
    pub evidence: &'a [Evidence],
    pub policy: Option<&'a Policy>,
    pub decision: Option<&'a Decision>,
}

impl Readout<'_> {
    /// The readout as a document (render with [`Document::html`] or
    /// [`Document::markdown`]).
    pub fn document(&self) -> Document {
        let title = self
            .title
            .clone()
            .or_else(|| self.policy.and_then(|p| p.name.clone()))
            .unwrap_or_else(|| "rigor readout".to_string());
        let labels: Vec<String> = self
            .evidence
            .iter()
            .map(|e| format!("`{}` ({})", e.label, e.kind))
            .collect();
        let mut d = Document {
            title,
            subtitle: format!(
                "Decision readout from {} · evidence {}{}",
                version_line(self.evidence),
                labels.join(", "),
                self.policy
                    .map_or(String::new(), |p| format!(" · policy `{}`", p.path))
            ),
            blocks: Vec::new(),
        };
        self.decision_section(&mut d);
        let pairs = self.pairs();
        self.comparisons_section(&mut d, &pairs);
        self.distribution_section(&mut d, &pairs);
        self.estimates_section(&mut d);
        self.slices_section(&mut d);
        self.diagnostics_section(&mut d);
        reproducibility_section(&mut d, self.evidence);
        d
    }

    fn decision_section(&self, d: &mut Document) {
        d.heading(2, "Decision", Some("decision"));
        let Some(dec) = self.decision else {
            d.push(Block::Banner {
                go: None,
                title: "NO DECISION".into(),
                detail: "No policy was given: this readout shows the evidence only. \
                         Pass `--policy POLICY.toml` to decide GO / NO-GO."
                    .into(),
            });
            return;
        };
        let failed: Vec<&str> = dec
            .criteria
            .iter()
            .filter(|c| !c.pass)
            .map(|c| c.criterion.as_str())
            .collect();
        d.push(Block::Banner {
            go: Some(dec.go),
            title: dec.decision.to_string(),
            detail: if dec.go {
                format!("All {} criteria pass.", dec.criteria.len())
            } else {
                format!(
                    "{} of {} criteria fail: {}.",
                    dec.failed,
                    dec.criteria.len(),
                    failed.join("; ")
                )
            },
        });
        let rows = dec
            .criteria
            .iter()
            .map(|c| Row {
                cells: vec![
                    if c.pass { "pass" } else { "FAIL" }.to_string(),
                    c.criterion.clone(),
                    c.required.clone(),
                    c.measured.clone(),
                    c.why.clone(),
                ],
                class: Some(if c.pass { "pass" } else { "fail" }),
            })
            .collect();
        d.push(Block::Table(Table {
            header: ["", "criterion", "required", "measured", "why"]
                .map(String::from)
                .to_vec(),
            rows,
            numeric: vec![],
        }));
        for c in dec.criteria.iter().filter(|c| !c.slices.is_empty()) {
            let failing: Vec<String> = c
                .slices
                .iter()
                .filter(|s| s.pass == Some(false))
                .map(|s| format!("`{}`: {}", s.slice, s.measured))
                .collect();
            if !failing.is_empty() {
                d.para(format!(
                    "{} — failing slices: {}.",
                    c.criterion,
                    failing.join("; ")
                ));
            }
        }
        d.note(format!(
            "Policy `{}`; line numbers in `rigor gate` output. Reproducibility of every \
             document is always checked.",
            dec.policy
        ));
    }

    /// Comparisons to show: each ir/ab document's own, and for single-system kinds
    /// with several documents, every later document against the baseline (the
    /// policy's baseline label, else the first given).
    fn pairs(&self) -> Vec<Pairing<'_>> {
        let mut out = Vec::new();
        for e in self.evidence.iter().filter(|e| !e.comparisons.is_empty()) {
            out.push(Pairing {
                title: format!("{} ({})", e.label, e.kind),
                comparisons: e
                    .comparisons
                    .iter()
                    .filter(|c| c.slice.is_none())
                    .cloned()
                    .collect(),
                relative: e.kind == Kind::Ab,
                doc: Some(e),
                units: None,
            });
        }
        for kind in [Kind::Classify, Kind::Text] {
            let docs: Vec<&Evidence> = self.evidence.iter().filter(|e| e.kind == kind).collect();
            if docs.len() < 2 {
                continue;
            }
            let base = self
                .policy
                .and_then(|p| p.baseline.as_ref())
                .and_then(|b| docs.iter().find(|e| &e.label == b))
                .copied()
                .unwrap_or(docs[0]);
            for cand in docs.iter().filter(|e| e.label != base.label) {
                let (b, k) = (&base.systems[0], &cand.systems[0]);
                let comparisons = b
                    .overall
                    .values
                    .iter()
                    .filter_map(|(m, bv)| {
                        let kv = k.overall.values.get(m)?;
                        let (bv, kv) = (bv.value?, kv.value?);
                        let delta = kv - bv;
                        Some(Comparison {
                            baseline: base.label.clone(),
                            candidate: cand.label.clone(),
                            measure: m.clone(),
                            baseline_value: Some(bv),
                            candidate_value: Some(kv),
                            delta: Some(delta),
                            relative: (bv != 0.0).then(|| delta / bv.abs()),
                            ..Comparison::default()
                        })
                    })
                    .collect();
                out.push(Pairing {
                    title: format!("{} vs {} ({kind})", cand.label, base.label),
                    comparisons,
                    relative: true,
                    doc: None,
                    units: Some((b, k)),
                });
            }
        }
        out
    }

    fn comparisons_section(&self, d: &mut Document, pairs: &[Pairing]) {
        d.heading(2, "Differences from the baseline", Some("comparisons"));
        if pairs.is_empty() {
            d.note(
                "No comparisons in the evidence: `rigor eval ir` with several `--run`, \
                 `rigor ab`, or two documents of one kind (baseline first) give them.",
            );
            return;
        }
        for pr in pairs {
            d.heading(3, &pr.title, None);
            let several = {
                let mut c: Vec<&str> = pr
                    .comparisons
                    .iter()
                    .map(|c| c.candidate.as_str())
                    .collect();
                c.dedup();
                c.len() > 1
            };
            let rows: Vec<ForestRow> =
                pr.comparisons
                    .iter()
                    .filter_map(|c| {
                        let label = if several {
                            format!("{} · {}", c.candidate, c.measure)
                        } else {
                            c.measure.clone()
                        };
                        let worse = c
                            .direction
                            .or_else(|| known(&c.measure))
                            .zip(c.delta)
                            .is_some_and(|(dir, d)| dir.improvement(d) < 0.0);
                        if pr.relative {
                            let v = c.relative?;
                            Some(ForestRow {
                                worse,
                                label,
                                value: v,
                                ci: c.relative_ci_low.zip(c.relative_ci_high),
                                significant: c.significant,
                                note: format!(
                                    "{}{}",
                                    pct(v),
                                    c.relative_ci_low.zip(c.relative_ci_high).map_or(
                                        String::new(),
                                        |(a, b)| format!(" [{}, {}]", pct(a), pct(b))
                                    )
                                ),
                            })
                        } else {
                            let v = c.delta?;
                            Some(ForestRow {
                                worse,
                                label,
                                value: v,
                                ci: c.ci_low.zip(c.ci_high),
                                significant: c.significant,
                                note: format!(
                                    "{}{}",
                                    signed(v),
                                    c.ci_low.zip(c.ci_high).map_or(
                                        String::new(),
                                        |(a, b)| format!(" {}", signed_ci(a, b))
                                    )
                                ),
                            })
                        }
                    })
                    .collect();
            let (base, cand) = pr
                .comparisons
                .first()
                .map_or((String::new(), String::new()), |c| {
                    (c.baseline.clone(), c.candidate.clone())
                });
            let settings = pr.doc.map(settings_text).unwrap_or_default();
            let x_label = if pr.relative {
                "relative difference, candidate vs baseline"
            } else {
                "difference, candidate − baseline"
            };
            if let Some(svg) = svg::forest(
                &format!("Forest plot: {} differences from {base}", pr.title),
                &rows,
                x_label,
                pr.relative,
            ) {
                let tested = pr.comparisons.iter().any(|c| c.significant.is_some());
                d.push(Block::Charts(vec![Chart {
                    svg,
                    caption: format!(
                        "{} of `{}` from baseline `{base}`{}{}. {}",
                        if pr.relative {
                            "Relative differences"
                        } else {
                            "Differences"
                        },
                        if several {
                            "each candidate".to_string()
                        } else {
                            cand.clone()
                        },
                        if pr.comparisons.iter().any(|c| c.ci_low.is_some()) {
                            ", with confidence intervals"
                        } else {
                            " (separate evaluations: no interval of the difference)"
                        },
                        if tested {
                            "; filled markers are significant after correction, red ones \
                             changes for the worse"
                        } else {
                            "; red markers are changes for the worse"
                        },
                        settings
                    ),
                }]));
            }
            let rows = pr
                .comparisons
                .iter()
                .map(|c| Row {
                    cells: vec![
                        c.candidate.clone(),
                        c.measure.clone(),
                        opt(c.baseline_value),
                        opt(c.candidate_value),
                        c.delta.map_or("undefined".into(), signed),
                        c.ci_low
                            .zip(c.ci_high)
                            .map_or(String::new(), |(a, b)| signed_ci(a, b)),
                        c.relative.map_or(String::new(), pct),
                        c.p_adjusted.map_or(String::new(), p),
                        match c.significant {
                            Some(true) => "yes".into(),
                            Some(false) => "no".into(),
                            None => "untested".into(),
                        },
                    ],
                    class: None,
                })
                .collect();
            d.push(Block::Table(Table {
                header: [
                    "candidate",
                    "measure",
                    "baseline",
                    "candidate value",
                    "Δ",
                    "Δ CI",
                    "relative",
                    "p adj",
                    "significant",
                ]
                .map(String::from)
                .to_vec(),
                rows,
                numeric: vec![2, 3, 4, 6, 7],
            }));
        }
    }

    fn distribution_section(&self, d: &mut Document, pairs: &[Pairing]) {
        d.heading(2, "Per-query differences", Some("distribution"));
        let mut any = false;
        for pr in pairs {
            let sides: Vec<(&System, &System, &str)> = match (pr.doc, pr.units) {
                (Some(doc), _) => {
                    let mut v: Vec<(&System, &System, &str)> = Vec::new();
                    for c in &pr.comparisons {
                        if let (Some(b), Some(k)) =
                            (doc.system(&c.baseline), doc.system(&c.candidate))
                        {
                            if !v
                                .iter()
                                .any(|(vb, vk, _)| vb.name == b.name && vk.name == k.name)
                            {
                                v.push((b, k, "query"));
                            }
                        }
                    }
                    v
                }
                (None, Some((b, k))) => vec![(b, k, "item")],
                _ => Vec::new(),
            };
            for (b, k, unit) in sides {
                let (Some(bu), Some(ku)) = (&b.per_unit, &k.per_unit) else {
                    continue;
                };
                let measures: Vec<&String> = k.overall.values.keys().collect();
                let mut charts = Vec::new();
                for m in measures {
                    let deltas: Vec<f64> = ku
                        .iter()
                        .filter_map(|(q, kv)| Some(kv.get(m)? - bu.get(q)?.get(m)?))
                        .collect();
                    if deltas.is_empty() {
                        continue;
                    }
                    let better = deltas.iter().filter(|x| **x > 0.0).count();
                    let worse = deltas.iter().filter(|x| **x < 0.0).count();
                    let tied = deltas.len() - better - worse;
                    let title = format!("{m}: {} − {} per {unit}", k.name, b.name);
                    if let Some(svg) = svg::histogram(&title, &deltas, &format!("{m} difference")) {
                        charts.push(Chart {
                            svg,
                            caption: format!(
                                "`{m}`, {} − {} over {} {}: {better} higher, {worse} lower, \
                                 {tied} tied; median {}",
                                k.name,
                                b.name,
                                deltas.len(),
                                if unit == "query" { "queries" } else { "items" },
                                signed(median(&deltas))
                            ),
                        });
                    }
                }
                if !charts.is_empty() {
                    any = true;
                    d.heading(3, &format!("{} vs {}", k.name, b.name), None);
                    d.push(Block::Charts(charts));
                }
            }
        }
        if !any {
            d.note(
                "No per-query or per-item values in the evidence: `rigor eval ir --per-query` \
                 or `rigor eval text --per-item` adds them.",
            );
        }
    }

    fn estimates_section(&self, d: &mut Document) {
        d.heading(2, "Estimates", Some("estimates"));
        for e in self.evidence {
            d.heading(3, &format!("{} ({})", e.label, e.kind), None);
            let mut measures: Vec<&String> = Vec::new();
            for s in &e.systems {
                for m in s.overall.values.keys() {
                    if !measures.contains(&m) {
                        measures.push(m);
                    }
                }
            }
            let transpose = e.systems.len() == 1;
            if transpose {
                let s = &e.systems[0];
                let rows = s
                    .overall
                    .values
                    .iter()
                    .map(|(m, v)| {
                        Row::new(vec![
                            m.clone(),
                            opt(v.value),
                            v.ci().map_or(String::new(), |(a, b)| ci(a, b)),
                        ])
                    })
                    .collect();
                d.push(Block::Table(Table {
                    header: ["measure", "value", "CI"].map(String::from).to_vec(),
                    rows,
                    numeric: vec![1],
                }));
            } else {
                let mut header = vec![e.kind.system_noun().to_string(), "n".to_string()];
                header.extend(measures.iter().map(|m| m.to_string()));
                let rows = e
                    .systems
                    .iter()
                    .map(|s| {
                        let mut cells = vec![
                            s.name.clone(),
                            s.overall.n.map_or(String::new(), |n| n.to_string()),
                        ];
                        cells.extend(
                            measures
                                .iter()
                                .map(|m| s.overall.values.get(*m).map_or(String::new(), show)),
                        );
                        Row::new(cells)
                    })
                    .collect();
                d.push(Block::Table(Table {
                    numeric: (1..header.len()).collect(),
                    header,
                    rows,
                }));
            }
            let (what, n) = e.min_count().unwrap_or(("units", 0));
            d.note(format!("{n} {what}. {}", settings_text(e)));
        }
    }

    fn slices_section(&self, d: &mut Document) {
        d.heading(2, "Slices and groups", Some("slices"));
        let failing = self.failing_slices();
        let mut any = false;
        for e in self.evidence {
            for s in &e.systems {
                if !s.slices.is_empty() {
                    any = true;
                    let title = match e.kind {
                        Kind::Drift => format!("{}: columns", e.label),
                        _ => format!("{}: slices", e.label),
                    };
                    d.heading(3, &title, None);
                    d.push(Block::Table(scores_table("slice", &s.slices, |name| {
                        failing.contains(&(e.label.clone(), name.to_string()))
                    })));
                }
                if !s.overall.groups.is_empty() {
                    any = true;
                    d.heading(3, &format!("{}: sensitive groups", e.label), None);
                    d.push(Block::Table(scores_table(
                        "group",
                        &s.overall.groups,
                        |name| failing.contains(&(e.label.clone(), name.to_string())),
                    )));
                    let rows = s
                        .overall
                        .fairness
                        .iter()
                        .map(|(k, v)| Row::new(vec![k.clone(), show(v)]))
                        .collect();
                    d.push(Block::Table(Table {
                        header: ["between groups", "value"].map(String::from).to_vec(),
                        rows,
                        numeric: vec![1],
                    }));
                }
            }
            let segments: Vec<&Comparison> =
                e.comparisons.iter().filter(|c| c.slice.is_some()).collect();
            if !segments.is_empty() {
                any = true;
                d.heading(3, &format!("{}: segments", e.label), None);
                let rows = segments
                    .iter()
                    .map(|c| {
                        let slice = c.slice.clone().unwrap_or_default();
                        Row {
                            class: self
                                .failing_segment(&e.label, &slice, &c.measure)
                                .then_some("fail"),
                            cells: vec![
                                slice,
                                c.candidate.clone(),
                                c.measure.clone(),
                                c.n.map_or(String::new(), |n| n.to_string()),
                                c.delta.map_or("undefined".into(), signed),
                                c.ci_low
                                    .zip(c.ci_high)
                                    .map_or(String::new(), |(a, b)| signed_ci(a, b)),
                                c.p_adjusted.or(c.p_value).map_or(String::new(), p),
                            ],
                        }
                    })
                    .collect();
                d.push(Block::Table(Table {
                    header: ["segment", "candidate", "metric", "n", "Δ", "Δ CI", "p"]
                        .map(String::from)
                        .to_vec(),
                    rows,
                    numeric: vec![3, 4, 6],
                }));
            }
        }
        if !any {
            d.note(
                "No slices in the evidence: `rigor eval classify --by COL` / `--sensitive COL`, \
                 `rigor ab --segment COL` and `rigor drift` add them.",
            );
        } else if !failing.is_empty() {
            d.note("Rows highlighted in red fail a gate criterion.");
        }
    }

    /// Whether a segment comparison (evidence, slice, measure) fails a criterion.
    fn failing_segment(&self, label: &str, slice: &str, measure: &str) -> bool {
        self.decision.is_some_and(|dec| {
            dec.criteria.iter().any(|c| {
                c.evidence.iter().any(|l| l == label)
                    && c.measure.as_deref() == Some(measure)
                    && c.slices
                        .iter()
                        .any(|s| s.slice == slice && s.pass == Some(false))
            })
        })
    }

    /// (evidence label, slice) pairs that fail a criterion.
    fn failing_slices(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if let Some(dec) = self.decision {
            for c in &dec.criteria {
                for s in c.slices.iter().filter(|s| s.pass == Some(false)) {
                    for label in &c.evidence {
                        out.push((label.clone(), s.slice.clone()));
                    }
                }
            }
        }
        out
    }

    fn diagnostics_section(&self, d: &mut Document) {
        let classifiers: Vec<&Evidence> = self
            .evidence
            .iter()
            .filter(|e| e.kind == Kind::Classify)
            .collect();
        if classifiers.is_empty() {
            return;
        }
        d.heading(2, "Classifier diagnostics", Some("diagnostics"));
        for e in classifiers {
            d.heading(3, &e.label, None);
            let g = &e.diagnostics;
            let values = &e.systems[0].overall.values;
            let value = |m: &str| values.get(m).and_then(|v| v.value).map(num);
            let mut charts = Vec::new();
            let bins: Vec<svg::Bin> = g
                .reliability
                .iter()
                .map(|b| svg::Bin {
                    lower: b.lower,
                    upper: b.upper,
                    n: b.n,
                    confidence: b.confidence,
                    accuracy: b.accuracy,
                })
                .collect();
            if let Some(svg) = svg::reliability(&format!("Reliability diagram: {}", e.label), &bins)
            {
                charts.push(Chart {
                    svg,
                    caption: format!(
                        "Reliability: observed frequency per confidence bin against the diagonal \
                         of perfect calibration{}",
                        value("ece").map_or(String::new(), |v| format!("; ECE {v}"))
                    ),
                });
            }
            if let Some(roc) = &g.roc {
                if let Some(svg) = svg::curve(
                    "roc",
                    &format!("ROC curve: {}", e.label),
                    &roc.x,
                    &roc.y,
                    ("false positive rate", "true positive rate"),
                    true,
                ) {
                    charts.push(Chart {
                        svg,
                        caption: format!(
                            "ROC curve{}",
                            value("roc_auc").map_or(String::new(), |v| format!("; AUC {v}"))
                        ),
                    });
                }
            }
            if let Some(pr) = &g.pr {
                if let Some(svg) = svg::curve(
                    "pr",
                    &format!("Precision-recall curve: {}", e.label),
                    &pr.x,
                    &pr.y,
                    ("recall", "precision"),
                    false,
                ) {
                    charts.push(Chart {
                        svg,
                        caption: format!(
                            "Precision-recall curve{}",
                            value("average_precision")
                                .map_or(String::new(), |v| format!("; average precision {v}"))
                        ),
                    });
                }
            }
            if charts.is_empty() {
                d.note(
                    "This evidence carries no reliability bins or ROC / PR curves to draw; its \
                     calibration (ece, brier, log_loss) and ranking (roc_auc, \
                     average_precision) metrics, where computed, are in the estimates above.",
                );
            } else {
                d.push(Block::Charts(charts));
            }
        }
    }
}

/// Comparisons of one document, or of two single-system documents.
struct Pairing<'a> {
    title: String,
    comparisons: Vec<Comparison>,
    /// Plot relative differences (ab metrics and separate documents have unrelated
    /// scales).
    relative: bool,
    doc: Option<&'a Evidence>,
    /// Baseline and candidate systems of separate documents.
    units: Option<(&'a System, &'a System)>,
}

fn show(e: &Estimate) -> String {
    match (e.value, e.ci()) {
        (Some(v), Some((a, b))) => format!("{} {}", num(v), ci(a, b)),
        (Some(v), None) => num(v),
        (None, _) => "undefined".into(),
    }
}

fn median(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let n = s.len();
    if n % 2 == 1 {
        s[n / 2]
    } else {
        (s[n / 2 - 1] + s[n / 2]) / 2.0
    }
}

fn scores_table(
    noun: &str,
    map: &IndexMap<String, Scores>,
    failing: impl Fn(&str) -> bool,
) -> Table {
    let mut measures: Vec<&String> = Vec::new();
    for s in map.values() {
        for m in s.values.keys() {
            if !measures.contains(&m) {
                measures.push(m);
            }
        }
    }
    let mut header = vec![noun.to_string(), "n".to_string()];
    header.extend(measures.iter().map(|m| m.to_string()));
    let rows = map
        .iter()
        .map(|(name, s)| {
            let mut cells = vec![name.clone(), s.n.map_or(String::new(), |n| n.to_string())];
            cells.extend(
                measures
                    .iter()
                    .map(|m| s.values.get(*m).map_or(String::new(), |e| opt(e.value))),
            );
            Row {
                cells,
                class: failing(name).then_some("fail"),
            }
        })
        .collect();
    Table {
        numeric: (1..header.len()).collect(),
        header,
        rows,
    }
}

fn settings_text(e: &Evidence) -> String {
    let s: Vec<String> = e
        .settings
        .iter()
        .map(|(k, v)| format!("{k} `{v}`"))
        .collect();
    if s.is_empty() {
        String::new()
    } else {
        format!("Settings: {}.", s.join(", "))
    }
}

fn version_line(evidence: &[Evidence]) -> String {
    let mut v: Vec<&str> = evidence
        .iter()
        .filter_map(|e| e.provenance.rigor_version.as_deref())
        .collect();
    v.dedup();
    if v.is_empty() {
        "rigor (version not recorded)".into()
    } else {
        format!("rigor {}", v.join(", "))
    }
}

/// Inputs, hashes, seeds, versions and commands of every document.
pub(crate) fn reproducibility_section(d: &mut Document, evidence: &[Evidence]) {
    d.heading(2, "Reproducibility", Some("reproducibility"));
    for e in evidence {
        d.heading(3, &format!("{} ({})", e.label, e.kind), None);
        let p = &e.provenance;
        d.push(Block::List(vec![
            format!("evidence file: `{}`", e.path),
            format!(
                "rigor version: {}",
                p.rigor_version
                    .as_deref()
                    .map_or("NOT RECORDED".to_string(), |v| format!("`{v}`"))
            ),
            format!(
                "seed: {}",
                p.seed
                    .map_or("NOT RECORDED".to_string(), |s| format!("`{s}`"))
            ),
        ]));
        match &p.command {
            Some(c) if !c.is_empty() => d.push(Block::Code(escape::shell(c))),
            _ => d.note("Command line not recorded."),
        }
        match &p.inputs {
            Some(inputs) if !inputs.is_empty() => {
                let rows = inputs
                    .iter()
                    .map(|i| {
                        Row::new(vec![
                            i.role.clone().unwrap_or_default(),
                            format!("`{}`", i.path.clone().unwrap_or_default()),
                            i.bytes.map_or(String::new(), |b| b.to_string()),
                            i.blake3
                                .as_ref()
                                .map_or("NOT RECORDED".into(), |h| format!("`{h}`")),
                        ])
                    })
                    .collect();
                d.push(Block::Table(Table {
                    header: ["role", "path", "bytes", "BLAKE3"]
                        .map(String::from)
                        .to_vec(),
                    rows,
                    numeric: vec![2],
                }));
            }
            _ => {
                d.note("Inputs and their hashes not recorded: this evidence cannot be reproduced.")
            }
        }
        if !e.warnings.is_empty() {
            d.para("Warnings recorded by the evaluator:");
            d.push(Block::List(e.warnings.clone()));
        }
    }
}
