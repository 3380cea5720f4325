//! rigor-server: an MLflow-compatible tracking server as a library.
//!
//! [`router`] builds the whole HTTP surface from an [`AppState`] — the MLflow REST API
//! (`/api/2.0/mlflow/...`), the artifact proxy (`/api/2.0/mlflow-artifacts/...`), a
//! server-rendered web UI at `/`, `GET /health`, `GET /metrics` and rigor's own API
//! (`GET /api/2.0/rigor/kpi/repro`: reproducibility compliance) — and [`serve`] runs
//! it on a listener until a shutdown future resolves. Handlers only extract, call the
//! [`rigor_store::Store`], and map; every error is MLflow's
//! `{"error_code", "message"}` shape, and paths rigor does not serve answer
//! `ENDPOINT_NOT_FOUND`.
//!
//! ```
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! use tower::ServiceExt;
//! let dir = tempfile::tempdir().unwrap();
//! let store = rigor_store::SqlStore::connect(&format!("sqlite:///{}/t.db", dir.path().display()))
//!     .await
//!     .unwrap();
//! let artifacts = rigor_store::ArtifactStore::open(dir.path().join("a").to_str().unwrap()).unwrap();
//! let app = rigor_server::router(rigor_server::AppState::new(store, artifacts));
//! let req = axum::http::Request::get("/health").body(axum::body::Body::empty()).unwrap();
//! let resp = app.oneshot(req).await.unwrap();
//! assert_eq!(resp.status(), 200);
//! # });
//! ```

mod artifacts;
mod error;
mod extract;
mod kpi;
mod metrics;
mod mlflow;
mod ui;

use std::future::Future;
use std::sync::Arc;

use axum::extract::Request;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::Level;

pub use error::ApiError;
use rigor_store::{ArtifactStore, Store};

/// What every handler shares; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub artifacts: ArtifactStore,
    registry: Arc<metrics::Registry>,
}

impl AppState {
    pub fn new(store: impl Store, artifacts: ArtifactStore) -> AppState {
        AppState {
            store: Arc::new(store),
            artifacts,
            registry: Arc::default(),
        }
    }
}

async fn health() -> &'static str {
    "OK"
}

async fn not_found(req: Request) -> impl IntoResponse {
    ApiError::endpoint_not_found(req.method().as_str(), req.uri().path())
}

async fn method_not_allowed(req: Request) -> impl IntoResponse {
    let mut e = ApiError::endpoint_not_found(req.method().as_str(), req.uri().path());
    e.status = StatusCode::METHOD_NOT_ALLOWED;
    e.message = format!(
        "Method {} is not allowed on {}",
        req.method(),
        req.uri().path()
    );
    e
}

/// The whole HTTP surface.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(mlflow::routes())
        .merge(artifacts::routes())
        .merge(kpi::routes())
        .merge(ui::routes())
        .route("/health", get(health))
        .route("/metrics", get(metrics::render))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .layer(
            // One structured log line per request: method, path, status, latency.
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
                .on_request(())
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .with_state(state)
}

/// Serves [`router`]`(state)` on `listener` until `shutdown` resolves, then lets
/// in-flight requests finish.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
}
