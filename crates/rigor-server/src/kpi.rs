//! rigor's own API: `GET /api/2.0/rigor/kpi/repro[?experiment_id=ID]` answers the
//! reproducibility compliance of one experiment (or of every active one) — the same
//! figure `rigor kpi repro` prints, computed by [`rigor_store::kpi`].
//!
//! ```json
//! {"runs": 2, "compliant": 1, "percent": 50.0,
//!  "experiments": [{"experiment_id": "1", "name": "mixed", "runs": 2, "compliant": 1,
//!                   "percent": 50.0,
//!                   "non_compliant": [{"run_id": "…", "run_name": "…", "missing": ["seed"]}]}]}
//! ```

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use rigor_store::kpi::{self, ExperimentCompliance};
use rigor_store::{ExperimentSearch, Run, RunSearch};
use serde_json::{json, Value};

use crate::error::ApiResult;
use crate::extract::MlQuery;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/2.0/rigor/kpi/repro", get(repro))
}

#[derive(serde::Deserialize, Default)]
struct KpiQuery {
    #[serde(default, deserialize_with = "crate::extract::de::opt_string")]
    experiment_id: Option<String>,
}

/// Whether the run's artifacts hold its output (the root and `rigor/` are looked at).
async fn has_log_artifact(st: &AppState, run: &Run) -> bool {
    if kpi::has_log_tag(run) {
        return true;
    }
    let Some(root) = run.info.artifact_uri.strip_prefix("mlflow-artifacts:") else {
        return false;
    };
    let root = root.trim_start_matches('/');
    for dir in [root.to_string(), format!("{root}/rigor")] {
        if let Ok(files) = st.artifacts.list(&dir).await {
            if files
                .iter()
                .any(|f| !f.is_dir && kpi::is_log_artifact(&f.path))
            {
                return true;
            }
        }
    }
    false
}

async fn experiment_compliance(
    st: &AppState,
    experiment: &rigor_store::Experiment,
) -> ApiResult<ExperimentCompliance> {
    let mut runs = Vec::new();
    let mut token = None;
    loop {
        let page = st
            .store
            .search_runs(&RunSearch {
                experiment_ids: vec![experiment.experiment_id.clone()],
                max_results: Some(1000),
                page_token: token,
                ..Default::default()
            })
            .await?;
        for run in page.items {
            let logs = has_log_artifact(st, &run).await;
            runs.push((run, logs));
        }
        token = page.next_page_token;
        if token.is_none() {
            break;
        }
    }
    Ok(kpi::repro_compliance(experiment, &runs))
}

async fn repro(
    State(st): State<AppState>,
    MlQuery(q): MlQuery<KpiQuery>,
) -> ApiResult<Json<Value>> {
    let experiments = match q.experiment_id.filter(|s| !s.is_empty()) {
        Some(id) => vec![st.store.get_experiment(&id).await?],
        None => {
            let mut all = Vec::new();
            let mut token = None;
            loop {
                let page = st
                    .store
                    .search_experiments(&ExperimentSearch {
                        max_results: Some(1000),
                        page_token: token,
                        ..Default::default()
                    })
                    .await?;
                all.extend(page.items);
                token = page.next_page_token;
                if token.is_none() {
                    break;
                }
            }
            all
        }
    };
    let mut out = Vec::new();
    for e in &experiments {
        out.push(experiment_compliance(&st, e).await?);
    }
    let runs: usize = out.iter().map(|e| e.runs).sum();
    let compliant: usize = out.iter().map(|e| e.compliant).sum();
    let percent = (runs > 0).then(|| 100.0 * compliant as f64 / runs as f64);
    Ok(Json(json!({
        "runs": runs,
        "compliant": compliant,
        "percent": percent,
        "experiments": out,
    })))
}
