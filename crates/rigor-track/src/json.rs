//! MLflow's response JSON read back into rigor-store's domain types, tolerantly: the
//! protobuf JSON mapping omits empty lists and may send numbers as strings.

use rigor_store::{
    Dataset, DatasetInput, Experiment, Lifecycle, Metric, Run, RunData, RunInfo, RunStatus, Tag,
};
use serde_json::Value;

use crate::error::{Error, Result};

pub(crate) fn str_field(v: &Value, key: &str) -> Result<String> {
    match &v[key] {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        _ => Err(Error::Protocol(format!("no {key:?} in {v}"))),
    }
}

fn opt_str(v: &Value, key: &str) -> Option<String> {
    str_field(v, key).ok()
}

fn int(v: &Value, key: &str) -> Option<i64> {
    match &v[key] {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

fn number(v: &Value) -> f64 {
    match v {
        Value::Number(n) => n.as_f64().unwrap_or(f64::NAN),
        Value::String(s) => match s.as_str() {
            "Infinity" => f64::INFINITY,
            "-Infinity" => f64::NEG_INFINITY,
            other => other.parse().unwrap_or(f64::NAN),
        },
        _ => f64::NAN,
    }
}

fn tags(v: &Value) -> Vec<Tag> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| {
            Some(Tag::new(
                opt_str(t, "key")?,
                opt_str(t, "value").unwrap_or_default(),
            ))
        })
        .collect()
}

pub(crate) fn experiment(v: &Value) -> Result<Experiment> {
    Ok(Experiment {
        experiment_id: str_field(v, "experiment_id")?,
        name: str_field(v, "name")?,
        artifact_location: opt_str(v, "artifact_location").unwrap_or_default(),
        lifecycle_stage: Lifecycle::parse(&opt_str(v, "lifecycle_stage").unwrap_or_default()),
        creation_time: int(v, "creation_time").unwrap_or(0),
        last_update_time: int(v, "last_update_time").unwrap_or(0),
        tags: tags(&v["tags"]),
    })
}

pub(crate) fn run(v: &Value) -> Result<Run> {
    let info = &v["info"];
    let run_id = opt_str(info, "run_id")
        .or_else(|| opt_str(info, "run_uuid"))
        .ok_or_else(|| Error::Protocol(format!("a run without an id: {v}")))?;
    let info = RunInfo {
        run_id,
        experiment_id: opt_str(info, "experiment_id").unwrap_or_default(),
        run_name: opt_str(info, "run_name").unwrap_or_default(),
        user_id: opt_str(info, "user_id").unwrap_or_default(),
        status: RunStatus::parse(&opt_str(info, "status").unwrap_or_default())
            .unwrap_or(RunStatus::Running),
        start_time: int(info, "start_time").unwrap_or(0),
        end_time: int(info, "end_time"),
        artifact_uri: opt_str(info, "artifact_uri").unwrap_or_default(),
        lifecycle_stage: Lifecycle::parse(&opt_str(info, "lifecycle_stage").unwrap_or_default()),
    };
    let data = &v["data"];
    let metrics = data["metrics"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| {
            Some(Metric::new(
                opt_str(m, "key")?,
                number(&m["value"]),
                int(m, "timestamp").unwrap_or(0),
                int(m, "step").unwrap_or(0),
            ))
        })
        .collect();
    let inputs = v["inputs"]["dataset_inputs"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|d| {
            let ds = &d["dataset"];
            DatasetInput {
                tags: tags(&d["tags"]),
                dataset: Dataset {
                    name: opt_str(ds, "name").unwrap_or_default(),
                    digest: opt_str(ds, "digest").unwrap_or_default(),
                    source_type: opt_str(ds, "source_type").unwrap_or_default(),
                    source: opt_str(ds, "source").unwrap_or_default(),
                    schema: opt_str(ds, "schema"),
                    profile: opt_str(ds, "profile"),
                },
            }
        })
        .collect();
    Ok(Run {
        info,
        data: RunData {
            metrics,
            params: tags(&data["params"]),
            tags: tags(&data["tags"]),
        },
        inputs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_run_reads_back_with_nan_and_missing_lists() {
        let v = json!({
            "info": {"run_uuid": "abc", "experiment_id": "1", "status": "FINISHED",
                     "start_time": "5", "artifact_uri": "mlflow-artifacts:/1/abc/artifacts"},
            "data": {"metrics": [{"key": "loss", "value": "NaN", "timestamp": 1, "step": 0}],
                     "tags": [{"key": "t", "value": "v"}]},
        });
        let r = run(&v).unwrap();
        assert_eq!(r.info.run_id, "abc");
        assert_eq!(r.info.start_time, 5);
        assert_eq!(r.info.status, RunStatus::Finished);
        assert!(r.data.metrics[0].value.is_nan());
        assert!(r.data.params.is_empty() && r.inputs.is_empty());
        assert_eq!(r.data.tags[0], Tag::new("t", "v"));
    }
}
