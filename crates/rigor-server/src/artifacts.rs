//! The artifact proxy (`/api/2.0/mlflow-artifacts/artifacts`): upload (raw-bytes PUT),
//! list (GET with `?path=`), download (GET) and delete, over the store's
//! [`rigor_store::ArtifactStore`]. `mlflow-artifacts:/<path>` URIs map to `<path>` here.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use futures::TryStreamExt;
use serde_json::{json, Value};

use crate::error::{ApiError, ApiResult};
use crate::extract::MlQuery;
use crate::mlflow::file_info;
use crate::AppState;

const BASE: &str = "/api/2.0/mlflow-artifacts/artifacts";

pub fn routes() -> Router<AppState> {
    Router::new().route(BASE, get(list)).route(
        &format!("{BASE}/{{*path}}"),
        get(download).put(upload).delete(remove),
    )
}

#[derive(serde::Deserialize, Default)]
struct ListQuery {
    path: Option<String>,
}

async fn list(
    State(st): State<AppState>,
    MlQuery(q): MlQuery<ListQuery>,
) -> ApiResult<Json<Value>> {
    let files = st.artifacts.list(q.path.as_deref().unwrap_or("")).await?;
    if files.is_empty() {
        return Ok(Json(json!({})));
    }
    Ok(Json(
        json!({ "files": files.iter().map(file_info).collect::<Vec<_>>() }),
    ))
}

fn content_type(path: &str) -> &'static str {
    let ext = path.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    match ext.as_str() {
        "txt" | "log" | "md" | "py" | "yaml" | "yml" | "csv" | "tsv" => "text/plain; charset=utf-8",
        "json" => "application/json",
        "html" | "htm" => "text/plain; charset=utf-8",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "svg" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

type PathArg = Result<Path<String>, axum::extract::rejection::PathRejection>;

fn path_of(p: PathArg) -> ApiResult<String> {
    p.map(|Path(p)| p)
        .map_err(|e| ApiError::invalid(format!("Invalid artifact path: {}", e.body_text())))
}

async fn download(State(st): State<AppState>, path: PathArg) -> ApiResult<Response> {
    let path = path_of(path)?;
    let (size, stream) = st.artifacts.get(&path).await?;
    Ok((
        [
            (header::CONTENT_TYPE, content_type(&path).to_string()),
            (header::CONTENT_LENGTH, size.to_string()),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}

async fn upload(State(st): State<AppState>, path: PathArg, body: Body) -> ApiResult<Json<Value>> {
    let path = path_of(path)?;
    let stream = body.into_data_stream().map_err(|e| e.to_string());
    st.artifacts.put_stream(&path, stream).await?;
    Ok(Json(json!({})))
}

async fn remove(State(st): State<AppState>, path: PathArg) -> ApiResult<Json<Value>> {
    let path = path_of(path)?;
    st.artifacts.delete(&path).await?;
    Ok(Json(json!({})))
}
