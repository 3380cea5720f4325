//! `rigor drift --format json`: one system; dataset-level measures (`drift_share`,
//! `drifted_columns`, `dataset_drift`) and one slice per column (`score`, `drifted`,
//! `missing_share_current` …).

use indexmap::IndexMap;
use serde::Deserialize;

use super::{Estimate, Evidence, Scores, System};

#[derive(Deserialize)]
pub(super) struct Doc {
    reference: Side,
    current: Side,
    columns: Vec<Column>,
    dataset: Dataset,
}

#[derive(Deserialize)]
struct Side {
    #[serde(default)]
    path: Option<String>,
    rows: u64,
}

#[derive(Deserialize)]
struct Column {
    name: String,
    score: Option<f64>,
    #[serde(default)]
    threshold: Option<f64>,
    drifted: bool,
    #[serde(default)]
    p_adjusted: Option<f64>,
    #[serde(default)]
    n_current: Option<u64>,
    #[serde(default)]
    missing_share_reference: Option<f64>,
    #[serde(default)]
    missing_share_current: Option<f64>,
}

#[derive(Deserialize)]
struct Dataset {
    drifted: u64,
    share: Option<f64>,
    #[serde(default)]
    drift_share: Option<f64>,
    drift: bool,
}

fn flag(b: bool) -> Estimate {
    Estimate::point(Some(if b { 1.0 } else { 0.0 }))
}

pub(super) fn read(e: &mut Evidence, doc: Doc) {
    e.counts.push(("reference rows".into(), doc.reference.rows));
    e.counts.push(("current rows".into(), doc.current.rows));
    for (k, v) in [
        ("reference", doc.reference.path),
        ("current", doc.current.path),
        (
            "drift_share threshold",
            doc.dataset.drift_share.map(|s| s.to_string()),
        ),
    ] {
        if let Some(v) = v {
            e.settings.insert(k.into(), v);
        }
    }
    let mut values = IndexMap::new();
    values.insert("drift_share".into(), Estimate::point(doc.dataset.share));
    values.insert(
        "drifted_columns".into(),
        Estimate::point(Some(doc.dataset.drifted as f64)),
    );
    values.insert("dataset_drift".into(), flag(doc.dataset.drift));
    let slices = doc
        .columns
        .into_iter()
        .map(|c| {
            let mut v = IndexMap::new();
            v.insert("score".to_string(), Estimate::point(c.score));
            v.insert("threshold".to_string(), Estimate::point(c.threshold));
            v.insert("drifted".to_string(), flag(c.drifted));
            v.insert("p_adjusted".to_string(), Estimate::point(c.p_adjusted));
            v.insert(
                "missing_share_reference".to_string(),
                Estimate::point(c.missing_share_reference),
            );
            v.insert(
                "missing_share_current".to_string(),
                Estimate::point(c.missing_share_current),
            );
            let scores = Scores {
                n: c.n_current,
                values: v,
                ..Scores::default()
            };
            (c.name, scores)
        })
        .collect();
    e.systems.push(System {
        name: e.label.clone(),
        overall: Scores {
            n: Some(doc.current.rows),
            values,
            ..Scores::default()
        },
        slices,
        per_unit: None,
    });
}
