//! The `Store` trait: every operation of MLflow's tracking store that rigor serves.
//! Implementations validate with [`crate::validate`] and run each write in one
//! transaction, so a request is applied whole or not at all.

use async_trait::async_trait;

use crate::error::Result;
use crate::model::{
    DatasetInput, Experiment, ExperimentSearch, Metric, NewRun, Page, Param, Run, RunInfo,
    RunSearch, RunUpdate, StoreStats, Tag,
};

#[async_trait]
pub trait Store: Send + Sync + 'static {
    // ---- experiments
    /// Creates an experiment; `artifact_location` defaults to `mlflow-artifacts:/<id>`.
    /// Returns its id.
    async fn create_experiment(
        &self,
        name: &str,
        artifact_location: Option<&str>,
        tags: &[Tag],
    ) -> Result<String>;
    async fn get_experiment(&self, experiment_id: &str) -> Result<Experiment>;
    async fn get_experiment_by_name(&self, name: &str) -> Result<Experiment>;
    async fn search_experiments(&self, search: &ExperimentSearch) -> Result<Page<Experiment>>;
    async fn rename_experiment(&self, experiment_id: &str, new_name: &str) -> Result<()>;
    /// Marks an experiment and its runs deleted.
    async fn delete_experiment(&self, experiment_id: &str) -> Result<()>;
    async fn restore_experiment(&self, experiment_id: &str) -> Result<()>;
    async fn set_experiment_tag(&self, experiment_id: &str, tag: &Tag) -> Result<()>;
    async fn delete_experiment_tag(&self, experiment_id: &str, key: &str) -> Result<()>;

    // ---- runs
    async fn create_run(&self, new: &NewRun) -> Result<Run>;
    async fn get_run(&self, run_id: &str) -> Result<Run>;
    async fn update_run(&self, run_id: &str, update: &RunUpdate) -> Result<RunInfo>;
    async fn delete_run(&self, run_id: &str) -> Result<()>;
    async fn restore_run(&self, run_id: &str) -> Result<()>;
    async fn search_runs(&self, search: &RunSearch) -> Result<Page<Run>>;

    // ---- logging
    async fn log_metric(&self, run_id: &str, metric: &Metric) -> Result<()>;
    async fn log_param(&self, run_id: &str, param: &Param) -> Result<()>;
    async fn set_tag(&self, run_id: &str, tag: &Tag) -> Result<()>;
    async fn delete_tag(&self, run_id: &str, key: &str) -> Result<()>;
    /// Logs metrics, params and tags atomically: all of them or none.
    async fn log_batch(
        &self,
        run_id: &str,
        metrics: &[Metric],
        params: &[Param],
        tags: &[Tag],
    ) -> Result<()>;
    async fn log_inputs(&self, run_id: &str, datasets: &[DatasetInput]) -> Result<()>;
    /// Every value of one metric, ordered by (timestamp, step, value).
    async fn get_metric_history(
        &self,
        run_id: &str,
        key: &str,
        max_results: Option<i64>,
        page_token: Option<&str>,
    ) -> Result<Page<Metric>>;

    // ---- operations
    async fn stats(&self) -> Result<StoreStats>;
}
