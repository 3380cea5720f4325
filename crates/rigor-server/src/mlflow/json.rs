//! Domain types rendered as MLflow's response JSON (protobuf JSON mapping: empty lists
//! and unset optionals are omitted; NaN is the string `"NaN"`).

use rigor_store::{Experiment, FileInfo, Run, RunInfo};
use serde_json::{json, Map, Value};

pub use rigor_store::mlflow_json::{metric, tags};

pub fn experiment(e: &Experiment) -> Value {
    let mut o = json!({
        "experiment_id": e.experiment_id,
        "name": e.name,
        "artifact_location": e.artifact_location,
        "lifecycle_stage": e.lifecycle_stage.as_str(),
        "last_update_time": e.last_update_time,
        "creation_time": e.creation_time,
    });
    if !e.tags.is_empty() {
        o["tags"] = tags(&e.tags);
    }
    o
}

pub fn run_info(i: &RunInfo) -> Value {
    let mut o = json!({
        "run_uuid": i.run_id,
        "experiment_id": i.experiment_id,
        "run_name": i.run_name,
        "user_id": i.user_id,
        "status": i.status.as_str(),
        "start_time": i.start_time,
        "artifact_uri": i.artifact_uri,
        "lifecycle_stage": i.lifecycle_stage.as_str(),
        "run_id": i.run_id,
    });
    if let Some(t) = i.end_time {
        o["end_time"] = json!(t);
    }
    o
}

/// A run; `with_outputs` adds the empty `outputs` that get/search responses carry.
pub fn run(r: &Run, with_outputs: bool) -> Value {
    let mut data = Map::new();
    if !r.data.metrics.is_empty() {
        data.insert(
            "metrics".into(),
            Value::Array(r.data.metrics.iter().map(metric).collect()),
        );
    }
    if !r.data.params.is_empty() {
        data.insert("params".into(), tags(&r.data.params));
    }
    if !r.data.tags.is_empty() {
        data.insert("tags".into(), tags(&r.data.tags));
    }
    let mut inputs = Map::new();
    if !r.inputs.is_empty() {
        let list = r
            .inputs
            .iter()
            .map(|d| {
                let mut o = json!({"dataset": rigor_store::mlflow_json::dataset(&d.dataset)});
                if !d.tags.is_empty() {
                    o["tags"] = tags(&d.tags);
                }
                o
            })
            .collect();
        inputs.insert("dataset_inputs".into(), Value::Array(list));
    }
    let mut o = json!({"info": run_info(&r.info), "data": data, "inputs": inputs});
    if with_outputs {
        o["outputs"] = json!({});
    }
    o
}

pub fn file_info(f: &FileInfo) -> Value {
    let mut o = json!({"path": f.path, "is_dir": f.is_dir});
    if let Some(s) = f.file_size {
        o["file_size"] = json!(s);
    }
    o
}

/// `{"<key>": [...], "next_page_token": ...}`, omitting what is empty.
pub fn page(key: &str, items: Vec<Value>, token: Option<String>) -> Value {
    let mut o = Map::new();
    if !items.is_empty() {
        o.insert(key.into(), Value::Array(items));
    }
    if let Some(t) = token {
        o.insert("next_page_token".into(), Value::String(t));
    }
    Value::Object(o)
}
