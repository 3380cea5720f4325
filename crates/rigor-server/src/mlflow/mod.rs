//! The MLflow tracking REST API (`/api/2.0/mlflow/...`): the route table and its
//! handlers. Each handler extracts a request, calls the store, and maps the result.

mod json;
mod requests;

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

use rigor_store::{ExperimentSearch, NewRun, RunSearch, RunStatus, RunUpdate, ViewType};

use crate::error::{ApiError, ApiResult};
use crate::extract::{MlJson, MlQuery};
use crate::AppState;
use requests::*;

pub(crate) use json::file_info;

/// The MLflow routes, relative to the server root.
pub fn routes() -> Router<AppState> {
    let api = "/api/2.0/mlflow";
    Router::new()
        // experiments
        .route(
            &format!("{api}/experiments/create"),
            post(create_experiment),
        )
        .route(&format!("{api}/experiments/get"), get(get_experiment))
        .route(
            &format!("{api}/experiments/get-by-name"),
            get(get_experiment_by_name),
        )
        .route(
            &format!("{api}/experiments/search"),
            post(search_experiments_post).get(search_experiments_get),
        )
        .route(
            &format!("{api}/experiments/update"),
            post(update_experiment),
        )
        .route(
            &format!("{api}/experiments/delete"),
            post(delete_experiment),
        )
        .route(
            &format!("{api}/experiments/restore"),
            post(restore_experiment),
        )
        .route(
            &format!("{api}/experiments/set-experiment-tag"),
            post(set_experiment_tag),
        )
        .route(
            &format!("{api}/experiments/delete-experiment-tag"),
            post(delete_experiment_tag),
        )
        // runs
        .route(&format!("{api}/runs/create"), post(create_run))
        .route(&format!("{api}/runs/get"), get(get_run))
        .route(&format!("{api}/runs/update"), post(update_run))
        .route(&format!("{api}/runs/delete"), post(delete_run))
        .route(&format!("{api}/runs/restore"), post(restore_run))
        .route(&format!("{api}/runs/search"), post(search_runs))
        .route(&format!("{api}/runs/log-metric"), post(log_metric))
        .route(&format!("{api}/runs/log-parameter"), post(log_param))
        .route(&format!("{api}/runs/set-tag"), post(set_tag))
        .route(&format!("{api}/runs/delete-tag"), post(delete_tag))
        .route(&format!("{api}/runs/log-batch"), post(log_batch))
        .route(&format!("{api}/runs/log-inputs"), post(log_inputs))
        .route(
            &format!("{api}/metrics/get-history"),
            get(get_metric_history),
        )
        // what the client asks around artifact downloads: answered as "nothing here"
        .route(&format!("{api}/logged-models/search"), post(empty))
        .route("/api/3.0/mlflow/server-info", get(server_info))
}

type JsonResult = ApiResult<Json<Value>>;

fn view(v: Option<String>) -> ApiResult<ViewType> {
    match v {
        None => Ok(ViewType::ActiveOnly),
        Some(s) => {
            ViewType::parse(&s).ok_or_else(|| ApiError::invalid(format!("Invalid view type '{s}'")))
        }
    }
}

async fn empty() -> Json<Value> {
    Json(json!({}))
}

async fn server_info() -> Json<Value> {
    Json(json!({
        "store_type": "SqlStore",
        "workspaces_enabled": false,
        "trace_archival_enabled": false,
        "multipart_uploads_enabled": false,
        "multipart_downloads_enabled": false,
        "presigned_upload_run_id_supported": false,
        "presigned_upload_model_id_supported": false,
        "features_enabled": {},
    }))
}

// ------------------------------------------------------------------ experiments

async fn create_experiment(
    State(st): State<AppState>,
    MlJson(r): MlJson<CreateExperiment>,
) -> JsonResult {
    let name = required_str(r.name, "name")?;
    let tags = tags(r.tags, "tags")?;
    let id = st
        .store
        .create_experiment(&name, r.artifact_location.as_deref(), &tags)
        .await?;
    Ok(Json(json!({ "experiment_id": id })))
}

async fn get_experiment(
    State(st): State<AppState>,
    MlQuery(r): MlQuery<ExperimentId>,
) -> JsonResult {
    let id = required_str(r.experiment_id, "experiment_id")?;
    let e = st.store.get_experiment(&id).await?;
    Ok(Json(json!({ "experiment": json::experiment(&e) })))
}

async fn get_experiment_by_name(
    State(st): State<AppState>,
    MlQuery(r): MlQuery<ExperimentByName>,
) -> JsonResult {
    let name = required_str(r.experiment_name, "experiment_name")?;
    let e = st.store.get_experiment_by_name(&name).await?;
    Ok(Json(json!({ "experiment": json::experiment(&e) })))
}

async fn search_experiments(st: AppState, r: SearchExperiments) -> JsonResult {
    let search = ExperimentSearch {
        filter: r.filter.unwrap_or_default(),
        view: view(r.view_type)?,
        max_results: r.max_results,
        order_by: r.order_by,
        page_token: r.page_token,
    };
    let page = st.store.search_experiments(&search).await?;
    let items = page.items.iter().map(json::experiment).collect();
    Ok(Json(json::page("experiments", items, page.next_page_token)))
}

async fn search_experiments_post(
    State(st): State<AppState>,
    MlJson(r): MlJson<SearchExperiments>,
) -> JsonResult {
    search_experiments(st, r).await
}

async fn search_experiments_get(
    State(st): State<AppState>,
    MlQuery(r): MlQuery<SearchExperiments>,
) -> JsonResult {
    search_experiments(st, r).await
}

async fn update_experiment(
    State(st): State<AppState>,
    MlJson(r): MlJson<UpdateExperiment>,
) -> JsonResult {
    let id = required_str(r.experiment_id, "experiment_id")?;
    if let Some(name) = r.new_name.filter(|n| !n.is_empty()) {
        st.store.rename_experiment(&id, &name).await?;
    } else {
        st.store.get_experiment(&id).await?;
    }
    Ok(Json(json!({})))
}

async fn delete_experiment(
    State(st): State<AppState>,
    MlJson(r): MlJson<ExperimentId>,
) -> JsonResult {
    let id = required_str(r.experiment_id, "experiment_id")?;
    st.store.delete_experiment(&id).await?;
    Ok(Json(json!({})))
}

async fn restore_experiment(
    State(st): State<AppState>,
    MlJson(r): MlJson<ExperimentId>,
) -> JsonResult {
    let id = required_str(r.experiment_id, "experiment_id")?;
    st.store.restore_experiment(&id).await?;
    Ok(Json(json!({})))
}

async fn set_experiment_tag(
    State(st): State<AppState>,
    MlJson(r): MlJson<ExperimentTag>,
) -> JsonResult {
    let id = required_str(r.experiment_id, "experiment_id")?;
    let key = required_str(r.key, "key")?;
    let tag = rigor_store::Tag::new(key, r.value.unwrap_or_default());
    st.store.set_experiment_tag(&id, &tag).await?;
    Ok(Json(json!({})))
}

async fn delete_experiment_tag(
    State(st): State<AppState>,
    MlJson(r): MlJson<ExperimentTag>,
) -> JsonResult {
    let id = required_str(r.experiment_id, "experiment_id")?;
    let key = required_str(r.key, "key")?;
    st.store.delete_experiment_tag(&id, &key).await?;
    Ok(Json(json!({})))
}

// ------------------------------------------------------------------ runs

async fn create_run(State(st): State<AppState>, MlJson(r): MlJson<CreateRun>) -> JsonResult {
    let new = NewRun {
        experiment_id: r
            .experiment_id
            .filter(|e| !e.is_empty())
            .unwrap_or_else(|| "0".into()),
        user_id: r.user_id,
        run_name: r.run_name,
        start_time: r.start_time,
        tags: tags(r.tags, "tags")?,
    };
    let run = st.store.create_run(&new).await?;
    Ok(Json(json!({ "run": json::run(&run, false) })))
}

async fn get_run(State(st): State<AppState>, MlQuery(r): MlQuery<RunRef>) -> JsonResult {
    let run = st.store.get_run(&r.id()?).await?;
    Ok(Json(json!({ "run": json::run(&run, true) })))
}

async fn update_run(State(st): State<AppState>, MlJson(r): MlJson<UpdateRun>) -> JsonResult {
    let status = match r.status {
        None => None,
        Some(s) => Some(
            RunStatus::parse(&s)
                .ok_or_else(|| ApiError::invalid(format!("Invalid run status '{s}'")))?,
        ),
    };
    let update = RunUpdate {
        status,
        end_time: r.end_time,
        run_name: r.run_name,
    };
    let info = st.store.update_run(&r.run.id()?, &update).await?;
    Ok(Json(json!({ "run_info": json::run_info(&info) })))
}

async fn delete_run(State(st): State<AppState>, MlJson(r): MlJson<RunRef>) -> JsonResult {
    st.store.delete_run(&r.id()?).await?;
    Ok(Json(json!({})))
}

async fn restore_run(State(st): State<AppState>, MlJson(r): MlJson<RunRef>) -> JsonResult {
    st.store.restore_run(&r.id()?).await?;
    Ok(Json(json!({})))
}

async fn search_runs(State(st): State<AppState>, MlJson(r): MlJson<SearchRuns>) -> JsonResult {
    let search = RunSearch {
        experiment_ids: r.experiment_ids,
        filter: r.filter.unwrap_or_default(),
        view: view(r.run_view_type)?,
        max_results: r.max_results,
        order_by: r.order_by,
        page_token: r.page_token,
    };
    let page = st.store.search_runs(&search).await?;
    let items = page.items.iter().map(|r| json::run(r, true)).collect();
    Ok(Json(json::page("runs", items, page.next_page_token)))
}

async fn log_metric(State(st): State<AppState>, MlJson(r): MlJson<LogMetric>) -> JsonResult {
    let id = r.run.id()?;
    st.store.log_metric(&id, &r.metric.into_metric()?).await?;
    Ok(Json(json!({})))
}

async fn log_param(State(st): State<AppState>, MlJson(r): MlJson<LogKeyValue>) -> JsonResult {
    let id = r.run.id()?;
    let key = required_str(r.key, "key")?;
    let value = required(r.value, "value")?;
    st.store
        .log_param(&id, &rigor_store::Tag::new(key, value))
        .await?;
    Ok(Json(json!({})))
}

async fn set_tag(State(st): State<AppState>, MlJson(r): MlJson<LogKeyValue>) -> JsonResult {
    let id = r.run.id()?;
    let key = required_str(r.key, "key")?;
    st.store
        .set_tag(
            &id,
            &rigor_store::Tag::new(key, r.value.unwrap_or_default()),
        )
        .await?;
    Ok(Json(json!({})))
}

async fn delete_tag(State(st): State<AppState>, MlJson(r): MlJson<LogKeyValue>) -> JsonResult {
    let id = r.run.id()?;
    let key = required_str(r.key, "key")?;
    st.store.delete_tag(&id, &key).await?;
    Ok(Json(json!({})))
}

async fn log_batch(State(st): State<AppState>, MlJson(r): MlJson<LogBatch>) -> JsonResult {
    let id = r.run.id()?;
    let metrics = r
        .metrics
        .into_iter()
        .map(MetricIn::into_metric)
        .collect::<ApiResult<Vec<_>>>()?;
    let params = tags(r.params, "params")?;
    let tags = tags(r.tags, "tags")?;
    st.store.log_batch(&id, &metrics, &params, &tags).await?;
    Ok(Json(json!({})))
}

async fn log_inputs(State(st): State<AppState>, MlJson(r): MlJson<LogInputs>) -> JsonResult {
    let id = r.run.id()?;
    let inputs = r
        .datasets
        .into_iter()
        .map(DatasetInputIn::into_input)
        .collect::<ApiResult<Vec<_>>>()?;
    st.store.log_inputs(&id, &inputs).await?;
    Ok(Json(json!({})))
}

async fn get_metric_history(
    State(st): State<AppState>,
    MlQuery(r): MlQuery<MetricHistory>,
) -> JsonResult {
    let id = r.run.id()?;
    let key = required_str(r.metric_key, "metric_key")?;
    let page = st
        .store
        .get_metric_history(&id, &key, r.max_results, r.page_token.as_deref())
        .await?;
    let items = page.items.iter().map(json::metric).collect();
    Ok(Json(json::page("metrics", items, page.next_page_token)))
}
