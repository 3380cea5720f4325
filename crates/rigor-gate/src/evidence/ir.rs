//! `rigor eval ir --format json`: runs are systems; comparisons against the first run.

use indexmap::IndexMap;
use serde::Deserialize;

use super::{Comparison, Estimate, Evidence, Numbers, Scores, System};

#[derive(Deserialize)]
pub(super) struct Doc {
    runs: Vec<Run>,
    #[serde(default)]
    comparisons: Vec<Compared>,
    #[serde(default)]
    confidence: Option<f64>,
    #[serde(default)]
    qrels: Option<String>,
}

#[derive(Deserialize)]
struct Run {
    name: String,
    queries: u64,
    aggregate: IndexMap<String, Aggregate>,
    #[serde(default)]
    per_query: Option<IndexMap<String, Numbers>>,
}

#[derive(Deserialize)]
struct Aggregate {
    mean: Option<f64>,
    #[serde(default)]
    ci_low: Option<f64>,
    #[serde(default)]
    ci_high: Option<f64>,
}

/// A comparison as `rigor eval ir` and `rigor ab` write it.
#[derive(Deserialize)]
pub(super) struct Compared {
    pub baseline: String,
    pub candidate: String,
    #[serde(alias = "metric")]
    pub measure: String,
    #[serde(default, alias = "candidate_n")]
    pub n: Option<u64>,
    #[serde(default)]
    pub baseline_mean: Option<f64>,
    #[serde(default)]
    pub candidate_mean: Option<f64>,
    pub delta: Option<f64>,
    #[serde(default)]
    pub relative_lift: Option<f64>,
    #[serde(default)]
    pub ci_low: Option<f64>,
    #[serde(default)]
    pub ci_high: Option<f64>,
    #[serde(default)]
    pub relative_ci_low: Option<f64>,
    #[serde(default)]
    pub relative_ci_high: Option<f64>,
    #[serde(default)]
    pub test: Option<String>,
    #[serde(default)]
    pub p_value: Option<f64>,
    #[serde(default)]
    pub p_adjusted: Option<f64>,
    #[serde(default)]
    pub correction: Option<String>,
    #[serde(default)]
    pub significant: Option<bool>,
}

impl Compared {
    pub(super) fn into_comparison(self, slice: Option<String>) -> Comparison {
        Comparison {
            baseline: self.baseline,
            candidate: self.candidate,
            measure: self.measure,
            slice,
            n: self.n,
            baseline_value: self.baseline_mean,
            candidate_value: self.candidate_mean,
            delta: self.delta,
            relative: self.relative_lift,
            ci_low: self.ci_low,
            ci_high: self.ci_high,
            relative_ci_low: self.relative_ci_low,
            relative_ci_high: self.relative_ci_high,
            test: self.test,
            p_value: self.p_value,
            p_adjusted: self.p_adjusted,
            correction: self.correction,
            significant: self.significant,
            direction: None,
        }
    }
}

pub(super) fn read(e: &mut Evidence, doc: Doc) {
    e.baseline = doc.runs.first().map(|r| r.name.clone());
    if let Some(c) = doc.confidence {
        e.settings.insert("confidence".into(), c.to_string());
    }
    if let Some(q) = doc.qrels {
        e.settings.insert("qrels".into(), q);
    }
    if let Some(c) = doc.comparisons.first() {
        if let Some(t) = &c.test {
            e.settings.insert("test".into(), t.clone());
        }
        if let Some(c) = &c.correction {
            e.settings.insert("correction".into(), c.clone());
        }
    }
    for run in doc.runs {
        e.counts
            .push((format!("queries of run {}", run.name), run.queries));
        let values = run
            .aggregate
            .into_iter()
            .map(|(m, a)| {
                (
                    m,
                    Estimate {
                        value: a.mean,
                        ci_low: a.ci_low,
                        ci_high: a.ci_high,
                    },
                )
            })
            .collect();
        e.systems.push(System {
            name: run.name,
            overall: Scores {
                n: Some(run.queries),
                values,
                ..Scores::default()
            },
            slices: IndexMap::new(),
            per_unit: run.per_query.map(|pq| {
                pq.into_iter()
                    .map(|(q, v)| {
                        (
                            q,
                            v.into_iter().filter_map(|(m, x)| Some((m, x?))).collect(),
                        )
                    })
                    .collect()
            }),
        });
    }
    e.comparisons = doc
        .comparisons
        .into_iter()
        .map(|c| c.into_comparison(None))
        .collect();
}
