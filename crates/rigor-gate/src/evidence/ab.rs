//! `rigor ab --format json`: arms are systems; comparisons against the control,
//! overall and per segment (slice `column=value`); the sample-ratio check.

use indexmap::IndexMap;
use serde::Deserialize;

use super::ir::Compared;
use super::{Estimate, Evidence, Scores, Srm, System};
use crate::direction::Direction;

#[derive(Deserialize)]
pub(super) struct Doc {
    units: u64,
    control: String,
    arms: Vec<String>,
    #[serde(default)]
    srm: Option<Srm>,
    #[serde(default)]
    metrics: IndexMap<String, Metric>,
    #[serde(default)]
    comparisons: Vec<AbCompared>,
    #[serde(default)]
    segments: Vec<Segment>,
    #[serde(default)]
    alpha: Option<f64>,
    #[serde(default)]
    correction: Option<String>,
    #[serde(default)]
    data: Option<String>,
}

#[derive(Deserialize)]
struct Metric {
    arms: IndexMap<String, Arm>,
}

#[derive(Deserialize)]
struct Arm {
    n: u64,
    mean: Option<f64>,
}

#[derive(Deserialize)]
struct AbCompared {
    #[serde(flatten)]
    compared: Compared,
    #[serde(default)]
    guardrail: Option<Guardrail>,
}

#[derive(Deserialize)]
struct Guardrail {
    direction: String,
}

#[derive(Deserialize)]
struct Segment {
    column: String,
    value: String,
    #[serde(default)]
    units: Option<u64>,
    #[serde(default)]
    comparisons: Vec<AbCompared>,
}

fn comparison(
    c: AbCompared,
    correction: &Option<String>,
    slice: Option<String>,
) -> super::Comparison {
    let direction = c.guardrail.and_then(|g| match g.direction.as_str() {
        "higher" => Some(Direction::Higher),
        "lower" => Some(Direction::Lower),
        _ => None,
    });
    let mut out = c.compared.into_comparison(slice);
    out.direction = direction;
    if out.correction.is_none() {
        out.correction.clone_from(correction);
    }
    out
}

pub(super) fn read(e: &mut Evidence, doc: Doc) {
    e.counts.push(("units".into(), doc.units));
    e.baseline = Some(doc.control.clone());
    e.srm = doc.srm;
    for (k, v) in [
        ("alpha", doc.alpha.map(|a| a.to_string())),
        ("correction", doc.correction.clone()),
        ("data", doc.data),
    ] {
        if let Some(v) = v {
            e.settings.insert(k.into(), v);
        }
    }
    for arm in &doc.arms {
        let mut values = IndexMap::new();
        let mut n = None;
        for (metric, m) in &doc.metrics {
            if let Some(a) = m.arms.get(arm) {
                values.insert(metric.clone(), Estimate::point(a.mean));
                n = Some(n.unwrap_or(0).max(a.n));
            }
        }
        e.systems.push(System {
            name: arm.clone(),
            overall: Scores {
                n,
                values,
                ..Scores::default()
            },
            ..System::default()
        });
    }
    let correction = doc.correction;
    e.comparisons = doc
        .comparisons
        .into_iter()
        .map(|c| comparison(c, &correction, None))
        .collect();
    for s in doc.segments {
        let slice = format!("{}={}", s.column, s.value);
        for c in s.comparisons {
            let mut c = comparison(c, &correction, Some(slice.clone()));
            if c.n.is_none() {
                c.n = s.units;
            }
            e.comparisons.push(c);
        }
    }
}
