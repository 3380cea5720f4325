//! `rigor eval text --format json`: one system, corpus scores, sentence scores per line.

use indexmap::IndexMap;
use serde::Deserialize;

use super::{Estimate, Evidence, Numbers, Scores, System};

#[derive(Deserialize)]
pub(super) struct Doc {
    segments: u64,
    metrics: IndexMap<String, Metric>,
    #[serde(default)]
    per_item: Option<Vec<Numbers>>,
}

#[derive(Deserialize)]
struct Metric {
    score: Option<f64>,
    #[serde(default)]
    ci_low: Option<f64>,
    #[serde(default)]
    ci_high: Option<f64>,
}

pub(super) fn read(e: &mut Evidence, doc: Doc) {
    e.counts.push(("segments".into(), doc.segments));
    let values = doc
        .metrics
        .into_iter()
        .map(|(m, s)| {
            (
                m,
                Estimate {
                    value: s.score,
                    ci_low: s.ci_low,
                    ci_high: s.ci_high,
                },
            )
        })
        .collect();
    e.systems.push(System {
        name: e.label.clone(),
        overall: Scores {
            n: Some(doc.segments),
            values,
            ..Scores::default()
        },
        slices: IndexMap::new(),
        per_unit: doc.per_item.map(|items| {
            items
                .into_iter()
                .enumerate()
                .map(|(i, v)| {
                    (
                        (i + 1).to_string(),
                        v.into_iter().filter_map(|(m, x)| Some((m, x?))).collect(),
                    )
                })
                .collect()
        }),
    });
}
