//! MLflow's request messages (mlflow/protos/service.proto) as they arrive in JSON or a
//! query string. Input types only: handlers turn them into store calls.

use serde::Deserialize;

use crate::error::ApiError;
use crate::extract::de;

#[derive(Debug, Default, Deserialize)]
pub struct KeyValue {
    #[serde(default)]
    pub key: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    pub value: Option<String>,
}

impl KeyValue {
    pub fn into_tag(self, what: &str) -> Result<rigor_store::Tag, ApiError> {
        let key = self
            .key
            .filter(|k| !k.is_empty())
            .ok_or_else(|| ApiError::missing(&format!("{what}.key")))?;
        Ok(rigor_store::Tag::new(key, self.value.unwrap_or_default()))
    }
}

pub fn tags(list: Vec<KeyValue>, what: &str) -> Result<Vec<rigor_store::Tag>, ApiError> {
    list.into_iter().map(|kv| kv.into_tag(what)).collect()
}

/// A required field, or MLflow's "Missing value for required parameter" error.
pub fn required<T>(v: Option<T>, name: &str) -> Result<T, ApiError> {
    v.ok_or_else(|| ApiError::missing(name))
}

/// A required non-empty string (proto3 cannot tell "" from unset).
pub fn required_str(v: Option<String>, name: &str) -> Result<String, ApiError> {
    v.filter(|s| !s.is_empty())
        .ok_or_else(|| ApiError::missing(name))
}

#[derive(Debug, Default, Deserialize)]
pub struct CreateExperiment {
    pub name: Option<String>,
    pub artifact_location: Option<String>,
    #[serde(default)]
    pub tags: Vec<KeyValue>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ExperimentId {
    #[serde(default, deserialize_with = "de::opt_string")]
    pub experiment_id: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ExperimentByName {
    pub experiment_name: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct SearchExperiments {
    #[serde(default, deserialize_with = "de::opt_i64")]
    pub max_results: Option<i64>,
    pub page_token: Option<String>,
    pub filter: Option<String>,
    #[serde(default, deserialize_with = "de::string_list")]
    pub order_by: Vec<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    pub view_type: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct UpdateExperiment {
    #[serde(default, deserialize_with = "de::opt_string")]
    pub experiment_id: Option<String>,
    pub new_name: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ExperimentTag {
    #[serde(default, deserialize_with = "de::opt_string")]
    pub experiment_id: Option<String>,
    pub key: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    pub value: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct CreateRun {
    #[serde(default, deserialize_with = "de::opt_string")]
    pub experiment_id: Option<String>,
    pub user_id: Option<String>,
    pub run_name: Option<String>,
    #[serde(default, deserialize_with = "de::opt_i64")]
    pub start_time: Option<i64>,
    #[serde(default)]
    pub tags: Vec<KeyValue>,
}

/// Any request that names a run: MLflow clients send `run_id`, `run_uuid` or both.
#[derive(Debug, Default, Deserialize)]
pub struct RunRef {
    pub run_id: Option<String>,
    pub run_uuid: Option<String>,
}

impl RunRef {
    pub fn id(&self) -> Result<String, ApiError> {
        self.run_id
            .clone()
            .filter(|s| !s.is_empty())
            .or_else(|| self.run_uuid.clone().filter(|s| !s.is_empty()))
            .ok_or_else(|| ApiError::missing("run_id"))
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct UpdateRun {
    #[serde(flatten)]
    pub run: RunRef,
    #[serde(default, deserialize_with = "de::opt_string")]
    pub status: Option<String>,
    #[serde(default, deserialize_with = "de::opt_i64")]
    pub end_time: Option<i64>,
    pub run_name: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct MetricIn {
    pub key: Option<String>,
    #[serde(default, deserialize_with = "de::opt_f64")]
    pub value: Option<f64>,
    #[serde(default, deserialize_with = "de::opt_i64")]
    pub timestamp: Option<i64>,
    #[serde(default, deserialize_with = "de::opt_i64")]
    pub step: Option<i64>,
}

impl MetricIn {
    pub fn into_metric(self) -> Result<rigor_store::Metric, ApiError> {
        Ok(rigor_store::Metric {
            key: required_str(self.key, "key")?,
            value: required(self.value, "value")?,
            timestamp: required(self.timestamp, "timestamp")?,
            step: self.step.unwrap_or(0),
        })
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct LogMetric {
    #[serde(flatten)]
    pub run: RunRef,
    #[serde(flatten)]
    pub metric: MetricIn,
}

#[derive(Debug, Default, Deserialize)]
pub struct LogKeyValue {
    #[serde(flatten)]
    pub run: RunRef,
    pub key: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    pub value: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct LogBatch {
    #[serde(flatten)]
    pub run: RunRef,
    #[serde(default)]
    pub metrics: Vec<MetricIn>,
    #[serde(default)]
    pub params: Vec<KeyValue>,
    #[serde(default)]
    pub tags: Vec<KeyValue>,
}

#[derive(Debug, Default, Deserialize)]
pub struct DatasetIn {
    pub name: Option<String>,
    pub digest: Option<String>,
    pub source_type: Option<String>,
    pub source: Option<String>,
    pub schema: Option<String>,
    pub profile: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct DatasetInputIn {
    #[serde(default)]
    pub tags: Vec<KeyValue>,
    pub dataset: Option<DatasetIn>,
}

#[derive(Debug, Default, Deserialize)]
pub struct LogInputs {
    #[serde(flatten)]
    pub run: RunRef,
    #[serde(default)]
    pub datasets: Vec<DatasetInputIn>,
}

impl DatasetInputIn {
    pub fn into_input(self) -> Result<rigor_store::DatasetInput, ApiError> {
        let d = required(self.dataset, "datasets.dataset")?;
        Ok(rigor_store::DatasetInput {
            tags: tags(self.tags, "datasets.tags")?,
            dataset: rigor_store::Dataset {
                name: required_str(d.name, "dataset.name")?,
                digest: required_str(d.digest, "dataset.digest")?,
                source_type: required_str(d.source_type, "dataset.source_type")?,
                source: required_str(d.source, "dataset.source")?,
                schema: d.schema,
                profile: d.profile,
            },
        })
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct SearchRuns {
    #[serde(default, deserialize_with = "de::string_list")]
    pub experiment_ids: Vec<String>,
    pub filter: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    pub run_view_type: Option<String>,
    #[serde(default, deserialize_with = "de::opt_i64")]
    pub max_results: Option<i64>,
    #[serde(default, deserialize_with = "de::string_list")]
    pub order_by: Vec<String>,
    pub page_token: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct MetricHistory {
    #[serde(flatten)]
    pub run: RunRef,
    pub metric_key: Option<String>,
    pub page_token: Option<String>,
    #[serde(default, deserialize_with = "de::opt_i64")]
    pub max_results: Option<i64>,
}
