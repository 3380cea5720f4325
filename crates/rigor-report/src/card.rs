//! Model cards after Mitchell et al. (2019), "Model Cards for Model Reporting":
//! model details, intended use, factors, metrics, evaluation data, training data,
//! quantitative analyses, ethical considerations, caveats and recommendations.
//!
//! What evidence can say — metric values with intervals, how they vary by slice and
//! group, evaluation inputs with their hashes, the gate decision — is filled in from
//! it. What only the model's owners know comes from a metadata TOML; a field they did
//! not supply is listed as missing, never invented.
//!
//! ```toml
//! [model]
//! name = "dense-retriever"
//! version = "2.0.0"
//! type = "bi-encoder dense retriever"
//! date = "2026-11-20"
//! developers = "Search relevance team"
//! license = "Apache-2.0"
//! contact = "search@example.com"
//! system = "dense"            # the run / arm / evidence label this card describes
//!
//! [intended_use]
//! primary_uses = "…"
//! primary_users = "…"
//! out_of_scope = "…"
//! ```

use serde::Deserialize;
use toml::Spanned;

use rigor_gate::evidence::{Evidence, Kind, System};
use rigor_gate::{Decision, Policy};

use crate::doc::{Block, Document, Row, Table};
use crate::fmt::{ci, num, opt, p, pct, signed, signed_ci};
use crate::readout::reproducibility_section;
use crate::Error;

/// Card metadata as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Meta {
    #[serde(default)]
    pub model: ModelMeta,
    #[serde(default)]
    pub intended_use: IntendedUse,
    #[serde(default)]
    pub factors: Factors,
    #[serde(default)]
    pub metrics: Metrics,
    #[serde(default)]
    pub evaluation_data: DataMeta,
    #[serde(default)]
    pub training_data: DataMeta,
    #[serde(default)]
    pub ethical_considerations: Ethics,
    #[serde(default)]
    pub caveats: Caveats,
    /// The metadata file (for errors); empty when none was given.
    #[serde(skip)]
    pub path: String,
    #[serde(skip)]
    system_line: usize,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelMeta {
    pub name: Option<String>,
    pub version: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub date: Option<String>,
    pub developers: Option<String>,
    pub license: Option<String>,
    pub contact: Option<String>,
    pub citation: Option<String>,
    pub paper: Option<String>,
    pub system: Option<Spanned<String>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntendedUse {
    pub primary_uses: Option<String>,
    pub primary_users: Option<String>,
    pub out_of_scope: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Factors {
    pub relevant: Option<String>,
    pub evaluation: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Metrics {
    pub rationale: Option<String>,
    pub thresholds: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataMeta {
    pub datasets: Option<String>,
    pub motivation: Option<String>,
    pub preprocessing: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ethics {
    pub risks: Option<String>,
    pub mitigations: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Caveats {
    pub notes: Option<String>,
    pub recommendations: Option<String>,
}

impl Meta {
    /// Keys of the fields only the model's owners can supply that were not supplied.
    pub fn missing(&self) -> Vec<&'static str> {
        let m = self;
        [
            ("model.name", &m.model.name),
            ("model.version", &m.model.version),
            ("model.type", &m.model.kind),
            ("model.date", &m.model.date),
            ("model.developers", &m.model.developers),
            ("model.license", &m.model.license),
            ("model.contact", &m.model.contact),
            ("intended_use.primary_uses", &m.intended_use.primary_uses),
            ("intended_use.primary_users", &m.intended_use.primary_users),
            ("intended_use.out_of_scope", &m.intended_use.out_of_scope),
            ("factors.relevant", &m.factors.relevant),
            ("factors.evaluation", &m.factors.evaluation),
            ("metrics.rationale", &m.metrics.rationale),
            ("evaluation_data.datasets", &m.evaluation_data.datasets),
            ("evaluation_data.motivation", &m.evaluation_data.motivation),
            (
                "evaluation_data.preprocessing",
                &m.evaluation_data.preprocessing,
            ),
            ("training_data.datasets", &m.training_data.datasets),
            ("training_data.motivation", &m.training_data.motivation),
            (
                "training_data.preprocessing",
                &m.training_data.preprocessing,
            ),
            (
                "ethical_considerations.risks",
                &m.ethical_considerations.risks,
            ),
            (
                "ethical_considerations.mitigations",
                &m.ethical_considerations.mitigations,
            ),
            ("caveats.notes", &m.caveats.notes),
            ("caveats.recommendations", &m.caveats.recommendations),
        ]
        .into_iter()
        .filter(|(_, v)| v.as_deref().is_none_or(|v| v.trim().is_empty()))
        .map(|(k, _)| k)
        .collect()
    }
}

/// Parses card metadata; errors name the line.
pub fn parse_meta(path: &str, text: &str) -> Result<Meta, Error> {
    let line_of = |offset: usize| text[..offset.min(text.len())].matches('\n').count() + 1;
    let mut meta: Meta = toml::from_str(text).map_err(|e| Error {
        path: path.to_string(),
        line: e.span().map_or(1, |s| line_of(s.start)),
        problem: e.message().trim().replace('\n', " "),
    })?;
    meta.path = path.to_string();
    meta.system_line = meta
        .model
        .system
        .as_ref()
        .map_or(1, |s| line_of(s.span().start));
    Ok(meta)
}

/// A field: its key (for the missing list), label and value.
struct Field<'m> {
    key: &'static str,
    label: &'static str,
    value: Option<&'m String>,
}

fn field<'m>(key: &'static str, label: &'static str, value: &'m Option<String>) -> Field<'m> {
    Field {
        key,
        label,
        value: value.as_ref().filter(|v| !v.trim().is_empty()),
    }
}

/// What a card is built from.
pub struct Card<'a> {
    pub meta: &'a Meta,
    pub evidence: &'a [Evidence],
    pub policy: Option<&'a Policy>,
    pub decision: Option<&'a Decision>,
}

impl Card<'_> {
    /// Fields the card lists as missing.
    pub fn missing(&self) -> Vec<&'static str> {
        self.meta.missing()
    }

    /// The systems of the evidence this card describes, one per document.
    fn systems(&self) -> Result<Vec<(&Evidence, &System)>, Error> {
        let name = self
            .meta
            .model
            .system
            .as_ref()
            .map(|s| s.get_ref().clone())
            .or_else(|| self.policy.and_then(|p| p.candidate.clone()));
        let err = |problem: String| Error {
            path: if self.meta.path.is_empty() {
                "card metadata".into()
            } else {
                self.meta.path.clone()
            },
            line: self.meta.system_line,
            problem,
        };
        let mut out = Vec::new();
        for kind in [Kind::Ir, Kind::Classify, Kind::Text, Kind::Ab, Kind::Drift] {
            let docs: Vec<&Evidence> = self.evidence.iter().filter(|e| e.kind == kind).collect();
            if docs.is_empty() {
                continue;
            }
            if docs.iter().all(|e| e.single_system()) {
                if docs.len() == 1 {
                    out.push((docs[0], &docs[0].systems[0]));
                    continue;
                }
                let Some(e) = name
                    .as_ref()
                    .and_then(|n| docs.iter().find(|e| &e.label == n))
                else {
                    let labels: Vec<&str> = docs.iter().map(|e| e.label.as_str()).collect();
                    return Err(err(format!(
                        "several {kind} documents ({}): set [model] system = \"LABEL\" to say \
                         which one this card describes",
                        labels.join(", ")
                    )));
                };
                out.push((e, &e.systems[0]));
                continue;
            }
            for e in docs {
                let chosen = match &name {
                    Some(n) => e.system(n),
                    None if e.systems.len() == 1 => e.systems.first(),
                    None => {
                        let mut c: Vec<&str> =
                            e.comparisons.iter().map(|c| c.candidate.as_str()).collect();
                        c.dedup();
                        match c.as_slice() {
                            [one] => e.system(one),
                            _ => None,
                        }
                    }
                };
                let Some(s) = chosen else {
                    return Err(err(format!(
                        "evidence {} has {}s {}: set [model] system = \"NAME\" to say which one \
                         this card describes",
                        e.label,
                        kind.system_noun(),
                        e.system_names()
                    )));
                };
                out.push((e, s));
            }
        }
        Ok(out)
    }

    /// The card as a document.
    pub fn document(&self) -> Result<Document, Error> {
        let m = self.meta;
        let systems = self.systems()?;
        let mut missing: Vec<&'static str> = Vec::new();
        let name = m.model.name.clone().filter(|n| !n.trim().is_empty());
        let mut d = Document {
            title: format!(
                "Model card: {}",
                name.as_deref().unwrap_or("(name missing)")
            ),
            subtitle: format!(
                "After Mitchell et al. (2019). Measured values come from the evidence ({}); \
                 fields only the model's owners can supply come from {} and are marked \
                 missing where absent.",
                self.evidence
                    .iter()
                    .map(|e| format!("`{}`", e.path))
                    .collect::<Vec<_>>()
                    .join(", "),
                if m.path.is_empty() {
                    "card metadata (none given)".to_string()
                } else {
                    format!("`{}`", m.path)
                }
            ),
            blocks: Vec::new(),
        };

        d.heading(2, "Model details", Some("model-details"));
        let mut fields = vec![
            field("model.name", "name", &m.model.name),
            field("model.version", "version", &m.model.version),
            field("model.type", "type", &m.model.kind),
            field("model.date", "date", &m.model.date),
            field("model.developers", "developers", &m.model.developers),
            field("model.license", "license", &m.model.license),
            field("model.contact", "questions and comments", &m.model.contact),
        ];
        fields_table(&mut d, &fields, &mut missing);
        fields = vec![
            field("model.citation", "citation", &m.model.citation),
            field("model.paper", "paper or resource", &m.model.paper),
        ];
        optional_fields(&mut d, &fields);
        let described: Vec<String> = systems
            .iter()
            .map(|(e, s)| {
                if e.single_system() {
                    format!("evidence `{}` ({})", e.label, e.kind)
                } else {
                    format!(
                        "{} `{}` of `{}` ({})",
                        e.kind.system_noun(),
                        s.name,
                        e.label,
                        e.kind
                    )
                }
            })
            .collect();
        d.note(format!("This card describes {}.", described.join(", ")));

        d.heading(2, "Intended use", Some("intended-use"));
        fields_table(
            &mut d,
            &[
                field(
                    "intended_use.primary_uses",
                    "primary intended uses",
                    &m.intended_use.primary_uses,
                ),
                field(
                    "intended_use.primary_users",
                    "primary intended users",
                    &m.intended_use.primary_users,
                ),
                field(
                    "intended_use.out_of_scope",
                    "out-of-scope uses",
                    &m.intended_use.out_of_scope,
                ),
            ],
            &mut missing,
        );

        d.heading(2, "Factors", Some("factors"));
        fields_table(
            &mut d,
            &[
                field("factors.relevant", "relevant factors", &m.factors.relevant),
                field(
                    "factors.evaluation",
                    "evaluation factors",
                    &m.factors.evaluation,
                ),
            ],
            &mut missing,
        );
        let evaluated = evaluated_factors(&systems);
        if evaluated.is_empty() {
            d.note("The evidence is not broken down by any factor (no slices or groups).");
        } else {
            d.para("Factors the evidence is broken down by:");
            d.push(Block::List(evaluated));
        }

        d.heading(2, "Metrics", Some("metrics"));
        fields_table(
            &mut d,
            &[field(
                "metrics.rationale",
                "why these measures",
                &m.metrics.rationale,
            )],
            &mut missing,
        );
        match (&m.metrics.thresholds, self.policy) {
            (Some(t), _) if !t.trim().is_empty() => d.para(format!("Decision thresholds: {t}")),
            (_, Some(policy)) => {
                let items: Vec<String> = self
                    .decision
                    .map(|dec| {
                        dec.criteria
                            .iter()
                            .filter(|c| c.line > 0)
                            .map(|c| format!("{}: {}", c.criterion, c.required))
                            .collect()
                    })
                    .unwrap_or_default();
                d.para(format!(
                    "Decision thresholds, from the release policy `{}`:",
                    policy.path
                ));
                d.push(Block::List(items));
            }
            _ => d.note(
                "No decision thresholds: neither `metrics.thresholds` nor a policy was given.",
            ),
        }
        d.para("Variation: every value below is reported with its confidence interval where the evaluator computed one.");
        let variation: Vec<String> = systems
            .iter()
            .filter(|(e, _)| !e.settings.is_empty() || e.provenance.seed.is_some())
            .map(|(e, _)| {
                let mut s: Vec<String> = e
                    .settings
                    .iter()
                    .map(|(k, v)| format!("{k} `{v}`"))
                    .collect();
                if let Some(seed) = e.provenance.seed {
                    s.push(format!("seed `{seed}`"));
                }
                format!("`{}`: {}", e.label, s.join(", "))
            })
            .collect();
        if !variation.is_empty() {
            d.push(Block::List(variation));
        }
        for (e, s) in &systems {
            d.heading(3, &format!("{} ({})", e.label, e.kind), None);
            let rows = s
                .overall
                .values
                .iter()
                .map(|(k, v)| {
                    Row::new(vec![
                        k.clone(),
                        opt(v.value),
                        v.ci().map_or("not computed".into(), |(a, b)| ci(a, b)),
                    ])
                })
                .collect();
            d.push(Block::Table(Table {
                header: ["measure", "value", "confidence interval"]
                    .map(String::from)
                    .to_vec(),
                rows,
                numeric: vec![1],
            }));
        }

        d.heading(2, "Evaluation data", Some("evaluation-data"));
        fields_table(
            &mut d,
            &[
                field(
                    "evaluation_data.datasets",
                    "datasets",
                    &m.evaluation_data.datasets,
                ),
                field(
                    "evaluation_data.motivation",
                    "motivation",
                    &m.evaluation_data.motivation,
                ),
                field(
                    "evaluation_data.preprocessing",
                    "preprocessing",
                    &m.evaluation_data.preprocessing,
                ),
            ],
            &mut missing,
        );
        let mut rows = Vec::new();
        for e in self.evidence {
            for i in e.provenance.inputs.iter().flatten() {
                rows.push(Row::new(vec![
                    e.label.clone(),
                    i.role.clone().unwrap_or_default(),
                    format!("`{}`", i.path.clone().unwrap_or_default()),
                    i.bytes.map_or(String::new(), |b| b.to_string()),
                    i.blake3
                        .as_ref()
                        .map_or("not recorded".into(), |h| format!("`{h}`")),
                ]));
            }
        }
        if rows.is_empty() {
            d.note("The evidence records no input files.");
        } else {
            d.para("Evaluation inputs as recorded in the evidence, with their content hashes:");
            d.push(Block::Table(Table {
                header: ["evidence", "role", "path", "bytes", "BLAKE3"]
                    .map(String::from)
                    .to_vec(),
                rows,
                numeric: vec![3],
            }));
        }
        let counts: Vec<String> = self
            .evidence
            .iter()
            .flat_map(|e| {
                e.counts
                    .iter()
                    .map(move |(w, n)| format!("`{}`: {n} {w}", e.label))
            })
            .collect();
        d.push(Block::List(counts));

        d.heading(2, "Training data", Some("training-data"));
        fields_table(
            &mut d,
            &[
                field(
                    "training_data.datasets",
                    "datasets",
                    &m.training_data.datasets,
                ),
                field(
                    "training_data.motivation",
                    "motivation",
                    &m.training_data.motivation,
                ),
                field(
                    "training_data.preprocessing",
                    "preprocessing",
                    &m.training_data.preprocessing,
                ),
            ],
            &mut missing,
        );

        d.heading(2, "Quantitative analyses", Some("quantitative-analyses"));
        self.analyses(&mut d, &systems);

        d.heading(2, "Ethical considerations", Some("ethical-considerations"));
        fields_table(
            &mut d,
            &[
                field(
                    "ethical_considerations.risks",
                    "risks and harms",
                    &m.ethical_considerations.risks,
                ),
                field(
                    "ethical_considerations.mitigations",
                    "mitigations",
                    &m.ethical_considerations.mitigations,
                ),
            ],
            &mut missing,
        );

        d.heading(2, "Caveats and recommendations", Some("caveats"));
        fields_table(
            &mut d,
            &[
                field("caveats.notes", "caveats", &m.caveats.notes),
                field(
                    "caveats.recommendations",
                    "recommendations",
                    &m.caveats.recommendations,
                ),
            ],
            &mut missing,
        );
        let warnings: Vec<String> = self
            .evidence
            .iter()
            .flat_map(|e| {
                e.warnings
                    .iter()
                    .map(move |w| format!("`{}`: {w}", e.label))
            })
            .collect();
        if !warnings.is_empty() {
            d.para("Warnings recorded by the evaluators:");
            d.push(Block::List(warnings));
        }

        d.heading(2, "Missing information", Some("missing"));
        if missing.is_empty() {
            d.para("Every field the card asks of its owners was supplied.");
        } else {
            d.para(format!(
                "{} field{} only the model's owners can supply {} not given{}; add {} to the \
                 card metadata:",
                missing.len(),
                if missing.len() == 1 { "" } else { "s" },
                if missing.len() == 1 { "was" } else { "were" },
                if m.path.is_empty() {
                    String::new()
                } else {
                    format!(" in `{}`", m.path)
                },
                if missing.len() == 1 { "it" } else { "them" }
            ));
            d.push(Block::List(
                missing.iter().map(|k| format!("`{k}`")).collect(),
            ));
        }

        reproducibility_section(&mut d, self.evidence);
        Ok(d)
    }

    fn analyses(&self, d: &mut Document, systems: &[(&Evidence, &System)]) {
        let mut any = false;
        if let Some(dec) = self.decision {
            any = true;
            d.para(format!(
                "Release gate `{}`: {} ({} of {} criteria pass).",
                dec.policy,
                dec.decision,
                dec.passed,
                dec.criteria.len()
            ));
            let rows = dec
                .criteria
                .iter()
                .map(|c| Row {
                    cells: vec![
                        if c.pass { "pass" } else { "FAIL" }.into(),
                        c.criterion.clone(),
                        c.measured.clone(),
                    ],
                    class: Some(if c.pass { "pass" } else { "fail" }),
                })
                .collect();
            d.push(Block::Table(Table {
                header: ["", "criterion", "measured"].map(String::from).to_vec(),
                rows,
                numeric: vec![],
            }));
        }
        for (e, s) in systems {
            let comparisons: Vec<_> = e
                .comparisons
                .iter()
                .filter(|c| c.candidate == s.name && c.slice.is_none())
                .collect();
            if !comparisons.is_empty() {
                any = true;
                d.heading(
                    3,
                    &format!("{} against {}", s.name, comparisons[0].baseline),
                    None,
                );
                let rows = comparisons
                    .iter()
                    .map(|c| {
                        Row::new(vec![
                            c.measure.clone(),
                            c.delta.map_or("undefined".into(), signed),
                            c.ci_low
                                .zip(c.ci_high)
                                .map_or(String::new(), |(a, b)| signed_ci(a, b)),
                            c.relative.map_or(String::new(), pct),
                            c.p_adjusted.map_or(String::new(), p),
                        ])
                    })
                    .collect();
                d.push(Block::Table(Table {
                    header: ["measure", "Δ", "Δ CI", "relative", "p adj"]
                        .map(String::from)
                        .to_vec(),
                    rows,
                    numeric: vec![1, 3, 4],
                }));
            }
            for (title, map) in [("slice", &s.slices), ("group", &s.overall.groups)] {
                if map.is_empty() {
                    continue;
                }
                any = true;
                d.heading(3, &format!("{} by {title}", e.label), None);
                let mut measures: Vec<&String> = Vec::new();
                for sc in map.values() {
                    for k in sc.values.keys() {
                        if !measures.contains(&k) {
                            measures.push(k);
                        }
                    }
                }
                let mut header = vec![title.to_string(), "n".into()];
                header.extend(measures.iter().map(|m| m.to_string()));
                let rows = map
                    .iter()
                    .map(|(k, sc)| {
                        let mut cells =
                            vec![k.clone(), sc.n.map_or(String::new(), |n| n.to_string())];
                        cells.extend(measures.iter().map(|m| {
                            sc.values
                                .get(*m)
                                .map_or(String::new(), |v| match (v.value, v.ci()) {
                                    (Some(x), Some((a, b))) => format!("{} {}", num(x), ci(a, b)),
                                    (x, _) => opt(x),
                                })
                        }));
                        Row::new(cells)
                    })
                    .collect();
                d.push(Block::Table(Table {
                    numeric: (1..header.len()).collect(),
                    header,
                    rows,
                }));
            }
            if !s.overall.fairness.is_empty() {
                let rows = s
                    .overall
                    .fairness
                    .iter()
                    .map(|(k, v)| Row::new(vec![k.clone(), opt(v.value)]))
                    .collect();
                d.push(Block::Table(Table {
                    header: ["between groups", "value"].map(String::from).to_vec(),
                    rows,
                    numeric: vec![1],
                }));
            }
        }
        if !any {
            d.note(
                "The evidence holds overall values only: no comparisons, slices or groups \
                 (see Metrics above).",
            );
        }
    }
}

fn fields_table(d: &mut Document, fields: &[Field], missing: &mut Vec<&'static str>) {
    let rows = fields
        .iter()
        .map(|f| match f.value {
            Some(v) => Row::new(vec![f.label.to_string(), v.trim().to_string()]),
            None => {
                missing.push(f.key);
                Row {
                    cells: vec![f.label.to_string(), format!("missing — supply `{}`", f.key)],
                    class: Some("fail"),
                }
            }
        })
        .collect();
    d.push(Block::Table(Table {
        header: vec!["field".into(), "value".into()],
        rows,
        numeric: vec![],
    }));
}

/// Optional fields: shown when given, not listed as missing.
fn optional_fields(d: &mut Document, fields: &[Field]) {
    let given: Vec<String> = fields
        .iter()
        .filter_map(|f| f.value.map(|v| format!("{}: {}", f.label, v.trim())))
        .collect();
    if !given.is_empty() {
        d.push(Block::List(given));
    }
}

fn evaluated_factors(systems: &[(&Evidence, &System)]) -> Vec<String> {
    let mut out = Vec::new();
    for (e, s) in systems {
        let strings = |key: &str| -> Vec<String> {
            e.raw
                .get(key)
                .and_then(|v| v.as_array())
                .map(|a| {
                    a.iter()
                        .filter_map(|x| x.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default()
        };
        let by = strings("by");
        if !s.slices.is_empty() {
            out.push(format!(
                "`{}`: {} slices{}",
                e.label,
                s.slices.len(),
                if by.is_empty() {
                    String::new()
                } else {
                    format!(" by {}", by.join(", "))
                }
            ));
        }
        if !s.overall.groups.is_empty() {
            let sensitive: Vec<String> = e
                .raw
                .get("fairness")
                .and_then(|f| f.get("sensitive"))
                .and_then(|v| v.as_array())
                .map(|a| {
                    a.iter()
                        .filter_map(|x| x.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            out.push(format!(
                "`{}`: {} sensitive groups{}",
                e.label,
                s.overall.groups.len(),
                if sensitive.is_empty() {
                    String::new()
                } else {
                    format!(" of {}", sensitive.join(", "))
                }
            ));
        }
        let segments: Vec<&String> = e
            .comparisons
            .iter()
            .filter_map(|c| c.slice.as_ref())
            .collect();
        if !segments.is_empty() {
            let mut names: Vec<&String> = segments.clone();
            names.dedup();
            out.push(format!("`{}`: {} segments", e.label, names.len()));
        }
    }
    out
}
