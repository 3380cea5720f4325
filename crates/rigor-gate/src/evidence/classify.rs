//! `rigor eval classify --format json`: one system; `--by` slices; `--sensitive`
//! groups and their disparities; reliability bins and ROC/PR curves when present.

use indexmap::IndexMap;
use serde::Deserialize;

use super::{derive_fairness, Curve, Estimate, Evidence, Numbers, ReliabilityBin, Scores, System};

#[derive(Deserialize)]
pub(super) struct Doc {
    #[serde(flatten)]
    report: Report,
    #[serde(default)]
    slices: IndexMap<String, Report>,
    #[serde(default)]
    average: Option<String>,
    #[serde(default)]
    positive: Option<String>,
    #[serde(default)]
    confidence: Option<f64>,
    #[serde(default)]
    data: Option<String>,
    #[serde(default)]
    reliability: Option<Vec<ReliabilityBin>>,
    #[serde(default)]
    roc: Option<Curve>,
    #[serde(default)]
    pr: Option<Curve>,
}

#[derive(Deserialize)]
struct Report {
    n: u64,
    metrics: IndexMap<String, Estimate>,
    #[serde(default)]
    per_class: IndexMap<String, Numbers>,
    #[serde(default)]
    fairness: Option<Fairness>,
}

#[derive(Deserialize)]
struct Fairness {
    #[serde(default)]
    groups: IndexMap<String, Numbers>,
    #[serde(default)]
    between_groups: IndexMap<String, Between>,
}

#[derive(Deserialize)]
struct Between {
    difference: Option<f64>,
    #[serde(default)]
    ratio: Option<f64>,
}

fn scores(r: Report) -> Scores {
    let per_class = r
        .per_class
        .into_iter()
        .map(|(class, m)| {
            (
                class,
                m.into_iter()
                    .map(|(k, v)| (k, Estimate::point(v)))
                    .collect(),
            )
        })
        .collect();
    let values: IndexMap<String, Estimate> = r.metrics;
    let mut groups = IndexMap::new();
    let mut fairness = IndexMap::new();
    if let Some(f) = r.fairness {
        for (g, m) in f.groups {
            let n = m.get("n").copied().flatten().map(|n| n as u64);
            groups.insert(
                g,
                Scores {
                    n,
                    values: m
                        .into_iter()
                        .filter(|(k, _)| k != "n")
                        .map(|(k, v)| (k, Estimate::point(v)))
                        .collect(),
                    ..Scores::default()
                },
            );
        }
        for (rate, b) in f.between_groups {
            fairness.insert(format!("{rate}_difference"), Estimate::point(b.difference));
            fairness.insert(format!("{rate}_ratio"), Estimate::point(b.ratio));
        }
        // Disparities the evaluator reports among its metrics (with intervals) win.
        let named: Vec<String> = values
            .keys()
            .filter(|k| k.ends_with("_difference") || k.ends_with("_ratio"))
            .cloned()
            .collect();
        for k in named {
            if let Some(v) = values.get(&k) {
                fairness.insert(k, *v);
            }
        }
        derive_fairness(&mut fairness);
    }
    Scores {
        n: Some(r.n),
        values,
        per_class,
        groups,
        fairness,
    }
}

pub(super) fn read(e: &mut Evidence, doc: Doc) {
    e.counts.push(("rows".into(), doc.report.n));
    for (k, v) in [
        ("average", doc.average),
        ("positive", doc.positive),
        ("confidence", doc.confidence.map(|c| c.to_string())),
        ("data", doc.data),
    ] {
        if let Some(v) = v {
            e.settings.insert(k.into(), v);
        }
    }
    e.diagnostics.reliability = doc.reliability.unwrap_or_default();
    e.diagnostics.roc = doc.roc;
    e.diagnostics.pr = doc.pr;
    e.systems.push(System {
        name: e.label.clone(),
        overall: scores(doc.report),
        slices: doc
            .slices
            .into_iter()
            .map(|(k, r)| (k, scores(r)))
            .collect(),
        per_unit: None,
    });
}
