//! Evaluator evidence (the JSON of `rigor eval …`, `rigor drift`, `rigor ab`) as MLflow
//! metrics and dataset inputs: one mapping for every kind, used by `--track`.
//!
//! Names go through [`metric_name`]; an interval's bounds are the value's name with
//! `.ci_low` / `.ci_high`. Per kind:
//!
//! | kind | metrics |
//! |---|---|
//! | `ir` | each measure's mean (`nDCG_at_10`); with several runs prefixed by the run (`bm25/nDCG_at_10`); comparisons as `CAND_vs_BASE/MEASURE.delta`, `.p_value`, `.p_adjusted`, `.ci_low`, `.ci_high` |
//! | `classify` | each metric's value (`accuracy`), `per_class/CLASS/precision` …, `slices/SLICE/METRIC` |
//! | `text` | each measure's score (`BLEU`, `chrFpp`); with several hypotheses prefixed by the system (`finetuned/BLEU`) and comparisons as for `ir` |
//! | `drift` | `dataset.share`, `dataset.drifted`, `columns/COL.score`, `columns/COL.drifted` (0/1) |
//! | `ab` | `METRIC/CAND.delta`, `.relative_lift`, `.p_value`, `.ci_low`, `.ci_high` |
//!
//! Undefined values (`null`) are not logged.

use rigor_store::{Dataset, DatasetInput, Tag};
use serde_json::{json, Value};

use crate::names::metric_name;

/// `(name, value)` of every metric the document holds, in document order.
pub fn metrics(evidence: &Value) -> Vec<(String, f64)> {
    let mut out = Vec::new();
    let mut push = |name: String, v: &Value| {
        if let Some(x) = v.as_f64() {
            out.push((name, x));
        } else if let Some(b) = v.as_bool() {
            out.push((name, if b { 1.0 } else { 0.0 }));
        }
    };
    let with_ci = |push: &mut dyn FnMut(String, &Value), name: &str, o: &Value, key: &str| {
        push(name.to_string(), &o[key]);
        push(format!("{name}.ci_low"), &o["ci_low"]);
        push(format!("{name}.ci_high"), &o["ci_high"]);
    };
    match evidence["kind"].as_str().unwrap_or("") {
        "ir" => {
            let runs = evidence["runs"].as_array().cloned().unwrap_or_default();
            let prefix = |run: &Value| -> String {
                if runs.len() > 1 {
                    format!("{}/", metric_name(run["name"].as_str().unwrap_or("run")))
                } else {
                    String::new()
                }
            };
            for run in &runs {
                let p = prefix(run);
                for (measure, agg) in run["aggregate"].as_object().into_iter().flatten() {
                    with_ci(
                        &mut push,
                        &format!("{p}{}", metric_name(measure)),
                        agg,
                        "mean",
                    );
                }
            }
            paired_comparisons(&mut push, evidence);
        }
        "classify" => {
            classify_block(&mut push, "", evidence, &with_ci);
            for (slice, block) in evidence["slices"].as_object().into_iter().flatten() {
                let p = format!("slices/{}/", metric_name(slice));
                classify_block(&mut push, &p, block, &with_ci);
            }
        }
        "text" => match evidence["systems"].as_array().filter(|s| s.len() > 1) {
            // Several hypotheses: every system's scores, prefixed by its name.
            Some(systems) => {
                for system in systems {
                    let p = metric_name(system["name"].as_str().unwrap_or("system"));
                    for (measure, m) in system["metrics"].as_object().into_iter().flatten() {
                        with_ci(
                            &mut push,
                            &format!("{p}/{}", metric_name(measure)),
                            m,
                            "score",
                        );
                    }
                }
                paired_comparisons(&mut push, evidence);
            }
            None => {
                for (measure, m) in evidence["metrics"].as_object().into_iter().flatten() {
                    with_ci(&mut push, &metric_name(measure), m, "score");
                }
            }
        },
        "drift" => {
            push("dataset.share".into(), &evidence["dataset"]["share"]);
            push("dataset.drifted".into(), &evidence["dataset"]["drift"]);
            for c in evidence["columns"].as_array().into_iter().flatten() {
                let name = format!("columns/{}", metric_name(c["name"].as_str().unwrap_or("")));
                push(format!("{name}.score"), &c["score"]);
                push(format!("{name}.drifted"), &c["drifted"]);
            }
        }
        "ab" => {
            for c in evidence["comparisons"].as_array().into_iter().flatten() {
                let name = format!(
                    "{}/{}",
                    metric_name(c["metric"].as_str().unwrap_or("")),
                    metric_name(c["candidate"].as_str().unwrap_or(""))
                );
                for key in ["delta", "relative_lift", "p_value", "ci_low", "ci_high"] {
                    push(format!("{name}.{key}"), &c[key]);
                }
            }
        }
        _ => {}
    }
    out
}

/// The comparisons of `eval ir` / `eval text` against their baseline, as
/// `CAND_vs_BASE/MEASURE.delta`, `.ci_low`, `.ci_high`, `.p_value`, `.p_adjusted`.
fn paired_comparisons(push: &mut dyn FnMut(String, &Value), evidence: &Value) {
    for c in evidence["comparisons"].as_array().into_iter().flatten() {
        let name = format!(
            "{}_vs_{}/{}",
            metric_name(c["candidate"].as_str().unwrap_or("")),
            metric_name(c["baseline"].as_str().unwrap_or("")),
            metric_name(c["measure"].as_str().unwrap_or(""))
        );
        for key in ["delta", "ci_low", "ci_high", "p_value", "p_adjusted"] {
            push(format!("{name}.{key}"), &c[key]);
        }
    }
}

type WithCi = dyn Fn(&mut dyn FnMut(String, &Value), &str, &Value, &str);

fn classify_block(
    push: &mut dyn FnMut(String, &Value),
    prefix: &str,
    block: &Value,
    with_ci: &WithCi,
) {
    for (name, m) in block["metrics"].as_object().into_iter().flatten() {
        with_ci(push, &format!("{prefix}{}", metric_name(name)), m, "value");
    }
    for (class, m) in block["per_class"].as_object().into_iter().flatten() {
        for (key, v) in m.as_object().into_iter().flatten() {
            push(
                format!(
                    "{prefix}per_class/{}/{}",
                    metric_name(class),
                    metric_name(key)
                ),
                v,
            );
        }
    }
}

/// The document's `inputs` (role, path, blake3, bytes) as dataset inputs.
pub fn dataset_inputs(evidence: &Value) -> Vec<DatasetInput> {
    let mut out = Vec::new();
    for i in evidence["inputs"].as_array().into_iter().flatten() {
        let (Some(path), Some(blake3)) = (i["path"].as_str(), i["blake3"].as_str()) else {
            continue;
        };
        let role = i["role"].as_str().unwrap_or("input");
        let absolute = std::fs::canonicalize(path)
            .map(|p| p.display().to_string())
            .unwrap_or_else(|_| path.to_string());
        out.push(DatasetInput {
            tags: vec![
                Tag::new("mlflow.data.context", role),
                Tag::new("rigor.path", path),
                Tag::new("rigor.blake3", blake3),
            ],
            dataset: Dataset {
                name: path.chars().take(500).collect(),
                digest: blake3.chars().take(32).collect(),
                source_type: "local".into(),
                source: json!({"uri": absolute}).to_string(),
                schema: None,
                profile: Some(
                    json!({"blake3": blake3, "bytes": i["bytes"], "files": 1, "kind": "file"})
                        .to_string(),
                ),
            },
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ir_aggregates_and_comparisons_become_metrics() {
        let one = json!({"kind": "ir", "runs": [{"name": "bm25", "aggregate": {
            "nDCG@10": {"mean": 0.5, "ci_low": 0.4, "ci_high": 0.6}, "AP": {"mean": 0.3}}}]});
        assert_eq!(
            metrics(&one),
            vec![
                ("nDCG_at_10".to_string(), 0.5),
                ("nDCG_at_10.ci_low".to_string(), 0.4),
                ("nDCG_at_10.ci_high".to_string(), 0.6),
                ("AP".to_string(), 0.3),
            ]
        );
        let two = json!({"kind": "ir", "runs": [
            {"name": "bm25", "aggregate": {"AP": {"mean": 0.3}}},
            {"name": "dense", "aggregate": {"AP": {"mean": 0.4}}}],
            "comparisons": [{"baseline": "bm25", "candidate": "dense", "measure": "AP",
                             "delta": 0.1, "p_value": 0.01, "p_adjusted": null}]});
        let names: Vec<String> = metrics(&two).into_iter().map(|(n, _)| n).collect();
        assert_eq!(
            names,
            [
                "bm25/AP",
                "dense/AP",
                "dense_vs_bm25/AP.delta",
                "dense_vs_bm25/AP.p_value"
            ]
        );
    }

    #[test]
    fn classify_text_drift_and_ab_map_too() {
        let c = json!({"kind": "classify", "metrics": {"accuracy": {"value": 0.75, "ci_low": null}},
            "per_class": {"cat": {"f1": 0.5, "support": 2}},
            "slices": {"region=eu": {"metrics": {"accuracy": {"value": 1.0}}}}});
        let names: Vec<String> = metrics(&c).into_iter().map(|(n, _)| n).collect();
        assert_eq!(
            names,
            [
                "accuracy",
                "per_class/cat/f1",
                "per_class/cat/support",
                "slices/region_eu/accuracy"
            ]
        );
        let t = json!({"kind": "text", "metrics": {"chrF++": {"score": 70.0, "signature": "x"}}});
        assert_eq!(metrics(&t), vec![("chrFpp".to_string(), 70.0)]);
        // Several hypotheses (the shape of `eval text --hyp A --hyp B`): each system's
        // scores and the comparison, not the baseline alone.
        let t = json!({"kind": "text", "metrics": {"BLEU": {"score": 44.4}},
            "systems": [
                {"name": "base", "metrics": {"BLEU": {"score": 44.4, "ci_low": 41.0, "ci_high": 47.9}}},
                {"name": "fine tuned", "metrics": {"BLEU": {"score": 58.1}}}],
            "comparisons": [{"baseline": "base", "candidate": "fine tuned", "measure": "BLEU",
                "delta": 13.7, "ci_low": 10.0, "ci_high": 17.4, "p_value": 0.001,
                "p_adjusted": 0.002}]});
        let names: Vec<String> = metrics(&t).into_iter().map(|(n, _)| n).collect();
        assert_eq!(
            names,
            [
                "base/BLEU",
                "base/BLEU.ci_low",
                "base/BLEU.ci_high",
                "fine_tuned/BLEU",
                "fine_tuned_vs_base/BLEU.delta",
                "fine_tuned_vs_base/BLEU.ci_low",
                "fine_tuned_vs_base/BLEU.ci_high",
                "fine_tuned_vs_base/BLEU.p_value",
                "fine_tuned_vs_base/BLEU.p_adjusted"
            ]
        );
        let d = json!({"kind": "drift", "dataset": {"share": 0.5, "drift": true},
            "columns": [{"name": "age", "score": 0.01, "drifted": false}]});
        assert_eq!(metrics(&d).len(), 4);
        let a = json!({"kind": "ab", "comparisons": [{"metric": "ctr", "candidate": "B", "delta": 0.1}]});
        assert_eq!(metrics(&a), vec![("ctr/B.delta".to_string(), 0.1)]);
        for (n, _) in metrics(&c) {
            let m = rigor_store::Metric::new(n.clone(), 0.0, 0, 0);
            assert!(rigor_store::validate::metric("m", &m).is_ok(), "{n}");
        }
    }

    #[test]
    fn provenance_inputs_become_dataset_inputs() {
        let e = json!({"inputs": [{"role": "qrels", "path": "q.txt", "blake3": "ab".repeat(32), "bytes": 3}]});
        let d = dataset_inputs(&e);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].dataset.digest.len(), 32);
        rigor_store::validate::dataset_input(&d[0]).unwrap();
        assert_eq!(crate::inputs::recorded(&d[0]).blake3, "ab".repeat(32));
    }
}
