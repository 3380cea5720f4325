//! `rigor eval text --format json`: corpus scores, sentence scores per line. One
//! `--hyp` is one system named after the document; several are `systems` (the first
//! the baseline) with `comparisons` against it, as in `rigor eval ir`.

use indexmap::IndexMap;
use serde::Deserialize;

use super::ir::Compared;
use super::{Estimate, Evidence, Numbers, Scores, System};

#[derive(Deserialize)]
pub(super) struct Doc {
    segments: u64,
    metrics: IndexMap<String, Metric>,
    #[serde(default)]
    per_item: Option<Vec<Numbers>>,
    #[serde(default)]
    systems: Vec<Hyp>,
    #[serde(default)]
    comparisons: Vec<Compared>,
}

/// One hypothesis file of a comparison.
#[derive(Deserialize)]
struct Hyp {
    name: String,
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
    let systems = if doc.systems.is_empty() {
        vec![Hyp {
            name: e.label.clone(),
            metrics: doc.metrics,
            per_item: doc.per_item,
        }]
    } else {
        e.baseline = doc.systems.first().map(|s| s.name.clone());
        doc.systems
    };
    if let Some(c) = doc.comparisons.first() {
        if let Some(c) = &c.correction {
            e.settings.insert("correction".into(), c.clone());
        }
    }
    for hyp in systems {
        e.systems.push(system(hyp, doc.segments));
    }
    e.comparisons = doc
        .comparisons
        .into_iter()
        .map(|c| c.into_comparison(None))
        .collect();
}

fn system(hyp: Hyp, segments: u64) -> System {
    let values = hyp
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
    System {
        name: hyp.name,
        overall: Scores {
            n: Some(segments),
            values,
            ..Scores::default()
        },
        slices: IndexMap::new(),
        per_unit: hyp.per_item.map(|items| {
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
    }
}
