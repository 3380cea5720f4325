//! Handler tests through `router(state)` with `oneshot`: request shapes the MLflow
//! client sends, MLflow's error shape for everything that goes wrong, the artifact
//! proxy's path checks, /health, /metrics and the UI.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use serde_json::{json, Value};
use tower::ServiceExt;

struct App {
    router: Router,
    dir: tempfile::TempDir,
}

async fn app() -> App {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = rigor_store::SqlStore::connect(&format!("sqlite:///{}/t.db", dir.path().display()))
        .await
        .expect("store");
    let artifacts =
        rigor_store::ArtifactStore::open(dir.path().join("artifacts").to_str().expect("utf8 path"))
            .expect("artifacts");
    App {
        router: rigor_server::router(rigor_server::AppState::new(store, artifacts)),
        dir,
    }
}

impl App {
    async fn raw(&self, method: &str, uri: &str, body: Body) -> (StatusCode, String, String) {
        let req = Request::builder()
            .method(method)
            .uri(uri)
            .body(body)
            .expect("request");
        let resp = self.router.clone().oneshot(req).await.expect("response");
        let status = resp.status();
        let ctype = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
            .await
            .expect("body");
        (status, ctype, String::from_utf8_lossy(&bytes).into_owned())
    }

    async fn call(&self, method: &str, uri: &str, body: Option<Value>) -> (StatusCode, Value) {
        let body = body.map(|b| Body::from(b.to_string())).unwrap_or_default();
        let (status, _, text) = self.raw(method, uri, body).await;
        let v = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, v)
    }

    async fn post(&self, uri: &str, body: Value) -> (StatusCode, Value) {
        self.call("POST", uri, Some(body)).await
    }

    async fn get(&self, uri: &str) -> (StatusCode, Value) {
        self.call("GET", uri, None).await
    }

    async fn new_run(&self) -> String {
        let (s, v) = self
            .post("/api/2.0/mlflow/runs/create", json!({"experiment_id": "0"}))
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        v["run"]["info"]["run_id"].as_str().expect("id").to_string()
    }
}

fn assert_error(got: (StatusCode, Value), status: StatusCode, code: &str) {
    assert_eq!(got.0, status, "{}", got.1);
    assert_eq!(got.1["error_code"], code, "{}", got.1);
    assert!(
        got.1["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{}",
        got.1
    );
    assert_eq!(
        got.1.as_object().map(|o| o.len()),
        Some(2),
        "exactly error_code and message: {}",
        got.1
    );
}

#[tokio::test]
async fn health_is_ok() {
    let a = app().await;
    let (s, _, body) = a.raw("GET", "/health", Body::empty()).await;
    assert_eq!((s, body.as_str()), (StatusCode::OK, "OK"));
}

#[tokio::test]
async fn unknown_endpoints_answer_endpoint_not_found() {
    let a = app().await;
    for (m, uri) in [
        ("GET", "/api/2.0/mlflow/registered-models/search"),
        ("POST", "/api/2.0/mlflow/runs/nope"),
        ("GET", "/ajax-api/2.0/mlflow/experiments/search"),
        ("DELETE", "/whatever"),
    ] {
        assert_error(
            a.call(m, uri, None).await,
            StatusCode::NOT_FOUND,
            "ENDPOINT_NOT_FOUND",
        );
    }
    // A known endpoint with the wrong method: 405 in MLflow's shape.
    let got = a.call("GET", "/api/2.0/mlflow/runs/log-metric", None).await;
    assert_eq!(got.0, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(got.1["error_code"], "ENDPOINT_NOT_FOUND");
}

#[tokio::test]
async fn broken_requests_never_crash() {
    let a = app().await;
    let run = a.new_run().await;
    let bodies = [
        "{bad",
        "[]",
        "null",
        "\"x\"",
        "{\"run_id\": 5}",
        "{\"run_id\": \"RUN\", \"key\": \"k\", \"value\": \"abc\", \"timestamp\": 1}",
        "{\"run_id\": \"RUN\", \"key\": \"k\", \"value\": 1.0}",
        "{\"run_id\": \"RUN\", \"key\": \"\", \"value\": 1.0, \"timestamp\": 1}",
        "{\"run_id\": \"RUN\", \"key\": \"k\", \"value\": 1.0, \"timestamp\": 1, \"step\": \"x\"}",
        "{\"run_id\": \"RUN\", \"key\": {\"a\": 1}, \"value\": 1.0, \"timestamp\": 1}",
        "{\"run_id\": \"RUN\", \"key\": \"k\", \"value\": 1e400, \"timestamp\": 1}",
    ];
    for b in bodies {
        let b = b.replace("RUN", &run);
        let (s, _, text) = a
            .raw(
                "POST",
                "/api/2.0/mlflow/runs/log-metric",
                Body::from(b.clone()),
            )
            .await;
        let v: Value =
            serde_json::from_str(&text).unwrap_or_else(|_| panic!("{b}: not JSON: {text}"));
        assert_eq!(s, StatusCode::BAD_REQUEST, "{b}: {v}");
        assert_eq!(v["error_code"], "INVALID_PARAMETER_VALUE", "{b}: {v}");
    }
    for b in [
        "{\"metrics\": 3}",
        "{\"run_id\": \"RUN\", \"metrics\": [{\"key\": \"a\"}]}",
        "{\"run_id\": \"RUN\", \"params\": [{\"value\": \"x\"}]}",
    ] {
        let b = b.replace("RUN", &run);
        let (s, v) = a
            .call(
                "POST",
                "/api/2.0/mlflow/runs/log-batch",
                Some(serde_json::from_str(&b).expect("json")),
            )
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{b}: {v}");
    }
    assert_error(
        a.get("/api/2.0/mlflow/runs/get").await,
        StatusCode::BAD_REQUEST,
        "INVALID_PARAMETER_VALUE",
    );
    assert_error(
        a.get("/api/2.0/mlflow/experiments/get?experiment_id=abc")
            .await,
        StatusCode::BAD_REQUEST,
        "INVALID_PARAMETER_VALUE",
    );
    assert_error(
        a.get("/api/2.0/mlflow/metrics/get-history?run_id=x&metric_key=m&max_results=zz")
            .await,
        StatusCode::BAD_REQUEST,
        "INVALID_PARAMETER_VALUE",
    );
    assert_error(
        a.post(
            "/api/2.0/mlflow/runs/update",
            json!({"run_id": run, "status": "BOGUS"}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "INVALID_PARAMETER_VALUE",
    );
    assert_error(
        a.post(
            "/api/2.0/mlflow/runs/search",
            json!({"experiment_ids": ["0"], "run_view_type": "SOME"}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "INVALID_PARAMETER_VALUE",
    );
}

#[tokio::test]
async fn client_request_shapes() {
    let a = app().await;
    let (s, v) = a
        .post(
            "/api/2.0/mlflow/experiments/create",
            json!({"name": "e", "tags": [{"key": "k", "value": "v"}]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let eid = v["experiment_id"].as_str().expect("id").to_string();
    let (_, v) = a
        .get(&format!(
            "/api/2.0/mlflow/experiments/get?experiment_id={eid}"
        ))
        .await;
    assert_eq!(v["experiment"]["tags"], json!([{"key": "k", "value": "v"}]));
    assert_eq!(
        v["experiment"]["artifact_location"],
        format!("mlflow-artifacts:/{eid}")
    );
    let (s, v) = a
        .get("/api/2.0/mlflow/experiments/get-by-name?experiment_name=e")
        .await;
    assert_eq!(
        (s, v["experiment"]["experiment_id"].as_str()),
        (StatusCode::OK, Some(eid.as_str()))
    );
    assert_error(
        a.get("/api/2.0/mlflow/experiments/get-by-name?experiment_name=zz")
            .await,
        StatusCode::NOT_FOUND,
        "RESOURCE_DOES_NOT_EXIST",
    );
    assert_error(
        a.post("/api/2.0/mlflow/experiments/create", json!({"name": "e"}))
            .await,
        StatusCode::BAD_REQUEST,
        "RESOURCE_ALREADY_EXISTS",
    );

    let (_, v) = a
        .post("/api/2.0/mlflow/runs/create", json!({"experiment_id": eid, "run_name": "r", "start_time": 5, "tags": [{"key": "mlflow.user", "value": "u"}]}))
        .await;
    let run = v["run"]["info"]["run_id"].as_str().expect("id").to_string();
    assert_eq!(v["run"]["info"]["run_uuid"], run.as_str());
    assert!(
        v["run"].get("outputs").is_none(),
        "create answers without outputs"
    );
    // The client sends the id twice; numbers may come as strings (proto JSON).
    let (s, _) = a
        .post("/api/2.0/mlflow/runs/log-metric", json!({"run_id": run, "run_uuid": run, "key": "m", "value": "NaN", "timestamp": "7", "step": "2"}))
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = a
        .post(
            "/api/2.0/mlflow/runs/log-parameter",
            json!({"run_uuid": run, "key": "p", "value": "1"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = a.post("/api/2.0/mlflow/runs/log-batch", json!({"run_id": run, "metrics": [{"key": "inf", "value": "Infinity", "timestamp": 1}]})).await;
    assert_eq!(s, StatusCode::OK);
    let (_, v) = a
        .get(&format!(
            "/api/2.0/mlflow/runs/get?run_uuid={run}&run_id={run}"
        ))
        .await;
    let metrics = v["run"]["data"]["metrics"]
        .as_array()
        .expect("metrics")
        .clone();
    let m = |k: &str| metrics.iter().find(|m| m["key"] == k).expect(k).clone();
    assert_eq!(
        m("m"),
        json!({"key": "m", "value": "NaN", "timestamp": 7, "step": 2})
    );
    assert_eq!(m("inf")["value"], json!(f64::MAX));
    assert_eq!(v["run"]["outputs"], json!({}));
    let (_, v) = a
        .get(&format!(
            "/api/2.0/mlflow/metrics/get-history?run_id={run}&metric_key=m&max_results=25000"
        ))
        .await;
    assert_eq!(v["metrics"][0]["value"], "NaN");
    let (_, v) = a
        .post(
            "/api/2.0/mlflow/runs/update",
            json!({"run_id": run, "status": "FINISHED", "end_time": 9}),
        )
        .await;
    assert_eq!(v["run_info"]["status"], "FINISHED");
    assert_eq!(v["run_info"]["end_time"], 9);
    // search: empty results are an empty object, as protobuf JSON.
    let (_, v) = a
        .post(
            "/api/2.0/mlflow/runs/search",
            json!({"experiment_ids": [eid], "filter": "metrics.m > 0"}),
        )
        .await;
    assert_eq!(v, json!({}));
    let (_, v) = a
        .post(
            "/api/2.0/mlflow/runs/search",
            json!({"experiment_ids": [eid], "filter": "params.p = '1'", "max_results": 1}),
        )
        .await;
    assert_eq!(v["runs"].as_array().map(Vec::len), Some(1));
    let (_, v) = a
        .get("/api/2.0/mlflow/experiments/search?max_results=1&view_type=ALL")
        .await;
    assert!(v["next_page_token"].is_string(), "{v}");
    let (_, v) = a
        .post(
            "/api/2.0/mlflow/logged-models/search",
            json!({"experiment_ids": [eid]}),
        )
        .await;
    assert_eq!(v, json!({}));
    let (s, v) = a.get("/api/3.0/mlflow/server-info").await;
    assert_eq!(
        (s, v["store_type"].as_str()),
        (StatusCode::OK, Some("SqlStore"))
    );
    assert_error(
        a.get("/api/2.0/mlflow/runs/get?run_id=0123456789abcdef0123456789abcdef")
            .await,
        StatusCode::NOT_FOUND,
        "RESOURCE_DOES_NOT_EXIST",
    );
}

#[tokio::test]
async fn artifacts_round_trip() {
    let a = app().await;
    let base = "/api/2.0/mlflow-artifacts/artifacts";
    let (s, _, _) = a
        .raw(
            "PUT",
            &format!("{base}/1/r/artifacts/a.txt"),
            Body::from("hello"),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _, _) = a
        .raw(
            "PUT",
            &format!("{base}/1/r/artifacts/d/b%20c.bin"),
            Body::from(vec![0u8; 70000]),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, ctype, body) = a
        .raw("GET", &format!("{base}/1/r/artifacts/a.txt"), Body::empty())
        .await;
    assert_eq!((s, body.as_str()), (StatusCode::OK, "hello"));
    assert!(ctype.starts_with("text/plain"));
    let (_, v) = a.get(&format!("{base}?path=1/r/artifacts")).await;
    assert_eq!(
        v,
        json!({"files": [{"path": "a.txt", "is_dir": false, "file_size": 5}, {"path": "d", "is_dir": true}]})
    );
    let (_, v) = a.get(&format!("{base}?path=1/r/artifacts/d")).await;
    assert_eq!(
        v["files"][0],
        json!({"path": "b c.bin", "is_dir": false, "file_size": 70000})
    );
    let (_, v) = a.get(&format!("{base}?path=1/r/artifacts/a.txt")).await;
    assert_eq!(v, json!({}), "listing a file lists nothing");
    assert_error(
        a.get(&format!("{base}/1/r/artifacts/missing")).await,
        StatusCode::NOT_FOUND,
        "RESOURCE_DOES_NOT_EXIST",
    );
    let (s, _) = a
        .call("DELETE", &format!("{base}/1/r/artifacts/d"), None)
        .await;
    assert_eq!(s, StatusCode::OK);
    let (_, v) = a.get(&format!("{base}?path=1/r/artifacts")).await;
    assert_eq!(v["files"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn artifact_paths_cannot_escape_the_root() {
    let a = app().await;
    let outside = a.dir.path().join("secret.txt");
    std::fs::write(&outside, "secret").expect("write");
    #[cfg(unix)]
    std::os::unix::fs::symlink(a.dir.path(), a.dir.path().join("artifacts/link")).expect("symlink");
    let base = "/api/2.0/mlflow-artifacts/artifacts";
    for p in [
        "../secret.txt",
        "%2e%2e/secret.txt",
        "a/%2E%2E/%2e%2e/secret.txt",
        "a/..%2f..%2fsecret.txt",
        "%2Fetc%2Fpasswd",
        "a/./b",
        "a//b",
        "a%5c..%5csecret.txt",
        "link/secret.txt",
        "x%00y",
    ] {
        for m in ["GET", "PUT", "DELETE"] {
            let (s, _, body) = a.raw(m, &format!("{base}/{p}"), Body::from("pwned")).await;
            assert_eq!(s, StatusCode::BAD_REQUEST, "{m} {p}: {body}");
            let v: Value = serde_json::from_str(&body).expect("json");
            assert_eq!(v["error_code"], "INVALID_PARAMETER_VALUE");
        }
        let (s, _) = a.get(&format!("{base}?path={p}")).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "list {p}");
    }
    assert_eq!(std::fs::read_to_string(&outside).expect("read"), "secret");
    assert!(!a.dir.path().join("pwned").exists());
}

#[tokio::test]
async fn metrics_and_ui() {
    let a = app().await;
    let run = a.new_run().await;
    a.post("/api/2.0/mlflow/runs/log-batch", json!({"run_id": run, "metrics": [{"key": "loss", "value": 1.0, "timestamp": 1, "step": 0}, {"key": "loss", "value": 0.5, "timestamp": 2, "step": 1}], "params": [{"key": "lr", "value": "<b>0.1</b>"}]}))
        .await;
    let (s, ctype, text) = a.raw("GET", "/metrics", Body::empty()).await;
    assert_eq!(s, StatusCode::OK);
    assert!(ctype.starts_with("text/plain; version=0.0.4"));
    assert!(text.contains("rigor_http_requests_total{method=\"POST\",route=\"/api/2.0/mlflow/runs/log-batch\",status=\"200\"} 1"), "{text}");
    assert!(text.contains("rigor_http_request_duration_seconds_bucket{route=\"/api/2.0/mlflow/runs/create\",le=\"+Inf\"} 1"), "{text}");
    assert!(text.contains("rigor_store_metric_values 2"), "{text}");
    assert!(text.contains("rigor_store_size_bytes "), "{text}");
    let (s, ctype, html) = a.raw("GET", "/", Body::empty()).await;
    assert_eq!(s, StatusCode::OK);
    assert!(ctype.starts_with("text/html"));
    assert!(html.contains("/ui/experiments/0"));
    let (_, _, html) = a.raw("GET", "/ui/experiments/0", Body::empty()).await;
    assert!(html.contains(&format!("/ui/runs/{run}")));
    assert!(
        html.contains("&lt;b&gt;0.1&lt;/b&gt;"),
        "params are escaped"
    );
    let (s, _, html) = a
        .raw("GET", &format!("/ui/runs/{run}"), Body::empty())
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("<polyline"), "a metric chart");
    let (s, _, _) = a
        .raw(
            "GET",
            "/ui/runs/0123456789abcdef0123456789abcdef",
            Body::empty(),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _, _) = a.raw("GET", "/ui/runs/..%2Fx", Body::empty()).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn repro_compliance_kpi() {
    let app = app().await;
    // An empty store: no runs, no percentage.
    let (s, v) = app.get("/api/2.0/rigor/kpi/repro").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["runs"], 0);
    assert_eq!(v["percent"], Value::Null);

    let full = app.new_run().await;
    app.post(
        "/api/2.0/mlflow/runs/log-batch",
        json!({"run_id": full, "params": [{"key": "seed", "value": "1"}],
               "tags": [{"key": "mlflow.source.git.commit", "value": "abc"}]}),
    )
    .await;
    app.post(
        "/api/2.0/mlflow/runs/log-inputs",
        json!({"run_id": full, "datasets": [{"dataset": {"name": "d", "digest": "12ab",
               "source_type": "local", "source": "{}"}}]}),
    )
    .await;
    // Its logs are an artifact, found in the artifact store.
    let (s, _, _) = app
        .raw(
            "PUT",
            &format!("/api/2.0/mlflow-artifacts/artifacts/0/{full}/artifacts/rigor/stdout.txt"),
            Body::from("ok\n"),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let bare = app.new_run().await;
    let (s, v) = app.get("/api/2.0/rigor/kpi/repro?experiment_id=0").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        (v["runs"].as_u64(), v["compliant"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(v["percent"], 50.0);
    let gaps = &v["experiments"][0]["non_compliant"];
    assert_eq!(gaps.as_array().map(Vec::len), Some(1));
    assert_eq!(gaps[0]["run_id"], bare.as_str());
    assert_eq!(
        gaps[0]["missing"],
        json!(["code_version", "config", "seed", "input_digests", "logs"])
    );
    assert_error(
        app.get("/api/2.0/rigor/kpi/repro?experiment_id=42").await,
        StatusCode::NOT_FOUND,
        "RESOURCE_DOES_NOT_EXIST",
    );
}
