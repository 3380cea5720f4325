//! A small MLflow REST client (blocking, plain HTTP): what `rigor run`, `rigor repro`,
//! `rigor kpi` and `--track` need, spoken in MLflow's own protocol so that any MLflow
//! tracking server works, not only rigor's. Responses become rigor-store's domain
//! types.

use std::io::Read;
use std::path::Path;
use std::time::Duration;

use rigor_store::{mlflow_json, DatasetInput, Experiment, Metric, Param, Run, RunStatus, Tag};
use serde_json::{json, Value};

use crate::error::{Error, Result};
use crate::json;

/// A connection to one tracking server.
#[derive(Clone)]
pub struct Client {
    base: String,
    agent: ureq::Agent,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client").field("uri", &self.base).finish()
    }
}

impl Client {
    /// A client for `uri` (`http://host:port[/prefix]`). Nothing is sent yet.
    pub fn new(uri: &str) -> Result<Client> {
        let base = uri.trim_end_matches('/').to_string();
        if base.starts_with("https://") {
            return Err(Error::Input(format!(
                "tracking URI {uri}: this build of rigor speaks plain http:// only"
            )));
        }
        if !base.starts_with("http://") {
            return Err(Error::Input(format!(
                "tracking URI {uri:?}: expected http://HOST:PORT"
            )));
        }
        let agent = ureq::AgentBuilder::new()
            .timeout_connect(Duration::from_secs(5))
            .timeout_read(Duration::from_secs(300))
            .build();
        Ok(Client { base, agent })
    }

    /// The URI the client talks to.
    pub fn uri(&self) -> &str {
        &self.base
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn answer(&self, res: std::result::Result<ureq::Response, ureq::Error>) -> Result<Value> {
        match res {
            Ok(resp) => {
                let text = resp
                    .into_string()
                    .map_err(|e| Error::Protocol(e.to_string()))?;
                if text.trim().is_empty() {
                    return Ok(json!({}));
                }
                serde_json::from_str(&text).map_err(|e| Error::Protocol(format!("{e}: {text}")))
            }
            Err(ureq::Error::Status(status, resp)) => {
                let text = resp.into_string().unwrap_or_default();
                let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
                let code = v["error_code"].as_str().unwrap_or("HTTP_ERROR").to_string();
                let message = v["message"]
                    .as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| format!("HTTP {status}: {}", text.trim()));
                Err(Error::Api {
                    status,
                    code,
                    message,
                })
            }
            Err(ureq::Error::Transport(t)) => Err(Error::Unreachable {
                uri: self.base.clone(),
                why: t.to_string(),
            }),
        }
    }

    fn post(&self, path: &str, body: &Value) -> Result<Value> {
        let res = self.agent.post(&self.url(path)).send_json(body.clone());
        self.answer(res)
    }

    fn get(&self, path: &str, query: &[(&str, &str)]) -> Result<Value> {
        let mut req = self.agent.get(&self.url(path));
        for (k, v) in query {
            req = req.query(k, v);
        }
        self.answer(req.call())
    }

    /// Checks that an MLflow server answers (any experiment listing).
    pub fn ping(&self) -> Result<()> {
        self.post(
            "/api/2.0/mlflow/experiments/search",
            &json!({"max_results": 1}),
        )
        .map(|_| ())
    }

    /// The id of experiment `name`, created when missing.
    pub fn experiment_id(&self, name: &str) -> Result<String> {
        match self.get(
            "/api/2.0/mlflow/experiments/get-by-name",
            &[("experiment_name", name)],
        ) {
            Ok(v) => json::str_field(&v["experiment"], "experiment_id"),
            Err(Error::Api { code, .. }) if code == "RESOURCE_DOES_NOT_EXIST" => {
                let v = self.post("/api/2.0/mlflow/experiments/create", &json!({"name": name}))?;
                json::str_field(&v, "experiment_id")
            }
            Err(e) => Err(e),
        }
    }

    /// Experiment `name`, if it exists.
    pub fn experiment_by_name(&self, name: &str) -> Result<Option<Experiment>> {
        match self.get(
            "/api/2.0/mlflow/experiments/get-by-name",
            &[("experiment_name", name)],
        ) {
            Ok(v) => json::experiment(&v["experiment"]).map(Some),
            Err(Error::Api { code, .. }) if code == "RESOURCE_DOES_NOT_EXIST" => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Every active experiment.
    pub fn experiments(&self) -> Result<Vec<Experiment>> {
        self.paged(
            "/api/2.0/mlflow/experiments/search",
            json!({"max_results": 1000}),
            "experiments",
            json::experiment,
        )
    }

    /// Every item under `key` of a paged search, following `next_page_token`.
    fn paged<T>(
        &self,
        path: &str,
        mut body: Value,
        key: &str,
        parse: fn(&Value) -> Result<T>,
    ) -> Result<Vec<T>> {
        let mut out = Vec::new();
        loop {
            let v = self.post(path, &body)?;
            for item in v[key].as_array().into_iter().flatten() {
                out.push(parse(item)?);
            }
            match v["next_page_token"].as_str() {
                Some(t) if !t.is_empty() => body["page_token"] = json!(t),
                _ => return Ok(out),
            }
        }
    }

    /// Creates a run; returns it.
    pub fn create_run(
        &self,
        experiment_id: &str,
        run_name: Option<&str>,
        start_time: i64,
        tags: &[Tag],
    ) -> Result<Run> {
        let mut body = json!({
            "experiment_id": experiment_id,
            "start_time": start_time,
            "tags": mlflow_json::tags(tags),
        });
        if let Some(n) = run_name {
            body["run_name"] = json!(n);
        }
        if let Some(user) = tags.iter().find(|t| t.key == "mlflow.user") {
            body["user_id"] = json!(user.value);
        }
        let v = self.post("/api/2.0/mlflow/runs/create", &body)?;
        json::run(&v["run"])
    }

    /// One run, or a clear "no run" error naming the id.
    pub fn get_run(&self, run_id: &str) -> Result<Run> {
        match self.get("/api/2.0/mlflow/runs/get", &[("run_id", run_id)]) {
            Ok(v) => json::run(&v["run"]),
            Err(Error::Api { code, .. })
                if code == "RESOURCE_DOES_NOT_EXIST" || code == "INVALID_PARAMETER_VALUE" =>
            {
                Err(Error::Input(format!(
                    "no run {run_id:?} on the tracking server {}",
                    self.base
                )))
            }
            Err(e) => Err(e),
        }
    }

    /// Every active run of the experiments.
    pub fn search_runs(&self, experiment_ids: &[String]) -> Result<Vec<Run>> {
        self.paged(
            "/api/2.0/mlflow/runs/search",
            json!({"experiment_ids": experiment_ids, "max_results": 1000}),
            "runs",
            json::run,
        )
    }

    /// Logs metrics, params and tags, in batches of MLflow's limits.
    pub fn log_batch(
        &self,
        run_id: &str,
        metrics: &[Metric],
        params: &[Param],
        tags: &[Tag],
    ) -> Result<()> {
        for chunk in params.chunks(100) {
            self.post(
                "/api/2.0/mlflow/runs/log-batch",
                &json!({"run_id": run_id, "params": mlflow_json::tags(chunk)}),
            )?;
        }
        for chunk in tags.chunks(100) {
            self.post(
                "/api/2.0/mlflow/runs/log-batch",
                &json!({"run_id": run_id, "tags": mlflow_json::tags(chunk)}),
            )?;
        }
        for chunk in metrics.chunks(1000) {
            let list: Vec<Value> = chunk.iter().map(mlflow_json::metric).collect();
            self.post(
                "/api/2.0/mlflow/runs/log-batch",
                &json!({"run_id": run_id, "metrics": list}),
            )?;
        }
        Ok(())
    }

    /// Logs dataset inputs (MLflow's log-inputs).
    pub fn log_inputs(&self, run_id: &str, inputs: &[DatasetInput]) -> Result<()> {
        if inputs.is_empty() {
            return Ok(());
        }
        let list: Vec<Value> = inputs
            .iter()
            .map(|d| json!({"tags": mlflow_json::tags(&d.tags), "dataset": mlflow_json::dataset(&d.dataset)}))
            .collect();
        self.post(
            "/api/2.0/mlflow/runs/log-inputs",
            &json!({"run_id": run_id, "datasets": list}),
        )
        .map(|_| ())
    }

    /// Ends a run with `status` at `end_time` (ms since the epoch).
    pub fn end_run(&self, run_id: &str, status: RunStatus, end_time: i64) -> Result<()> {
        self.post(
            "/api/2.0/mlflow/runs/update",
            &json!({"run_id": run_id, "status": status.as_str(), "end_time": end_time}),
        )
        .map(|_| ())
    }

    /// Uploads `bytes` as artifact `rel` of `run` (through the artifact proxy).
    pub fn upload_bytes(&self, run: &Run, rel: &str, bytes: &[u8]) -> Result<()> {
        let url = self.artifact_url(run, rel)?;
        let res = self.agent.put(&url).send_bytes(bytes);
        self.answer(res).map(|_| ())
    }

    /// Uploads a file as artifact `rel` of `run`, streaming it.
    pub fn upload_file(&self, run: &Run, rel: &str, path: &Path) -> Result<()> {
        let url = self.artifact_url(run, rel)?;
        let file =
            std::fs::File::open(path).map_err(|e| Error::Io(format!("{}: {e}", path.display())))?;
        let res = self.agent.put(&url).send(file);
        self.answer(res).map(|_| ())
    }

    /// The bytes of artifact `rel` of `run`; `None` when it does not exist.
    pub fn download(&self, run: &Run, rel: &str) -> Result<Option<Vec<u8>>> {
        let url = self.artifact_url(run, rel)?;
        match self.agent.get(&url).call() {
            Ok(resp) => {
                let mut out = Vec::new();
                resp.into_reader()
                    .read_to_end(&mut out)
                    .map_err(|e| Error::Protocol(e.to_string()))?;
                Ok(Some(out))
            }
            Err(ureq::Error::Status(404, _)) => Ok(None),
            Err(e) => self.answer(Err(e)).map(|_| None),
        }
    }

    /// Names of the files directly under artifact directory `rel` of `run` (`""`: the
    /// root); empty when there is none or the run's artifacts are not proxied.
    pub fn list_artifacts(&self, run: &Run, rel: &str) -> Result<Vec<String>> {
        let Some(root) = proxy_path(&run.info.artifact_uri) else {
            return Ok(Vec::new());
        };
        let path = if rel.is_empty() {
            root.to_string()
        } else {
            format!("{}/{rel}", root.trim_end_matches('/'))
        };
        let v = self.get("/api/2.0/mlflow-artifacts/artifacts", &[("path", &path)])?;
        Ok(v["files"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|f| f["is_dir"] != json!(true))
            .filter_map(|f| f["path"].as_str().map(str::to_string))
            .collect())
    }

    /// The proxy URL of artifact `rel` of `run`: its `mlflow-artifacts:` URI mapped to
    /// `/api/2.0/mlflow-artifacts/artifacts/…`. Other artifact URIs (a bucket the client
    /// would write directly) are refused with a message saying so.
    fn artifact_url(&self, run: &Run, rel: &str) -> Result<String> {
        let uri = &run.info.artifact_uri;
        let Some(path) = proxy_path(uri) else {
            return Err(Error::Input(format!(
                "run {}: artifact URI {uri} is not served by the tracking server's artifact \
                 proxy (start the server with --serve-artifacts / an artifacts destination)",
                run.info.run_id
            )));
        };
        let full = format!("{}/{rel}", path.trim_end_matches('/'));
        let encoded: Vec<String> = full.split('/').map(encode_segment).collect();
        Ok(self.url(&format!(
            "/api/2.0/mlflow-artifacts/artifacts/{}",
            encoded.join("/")
        )))
    }
}

/// The proxy path of an `mlflow-artifacts:/path` or `mlflow-artifacts://host:port/path`
/// URI; `None` for other artifact URIs.
fn proxy_path(uri: &str) -> Option<&str> {
    let rest = uri.strip_prefix("mlflow-artifacts:")?;
    Some(match rest.strip_prefix("//") {
        Some(hosted) => hosted.split_once('/').map_or("", |(_, p)| p),
        None => rest.trim_start_matches('/'),
    })
}

/// Percent-encodes one path segment (RFC 3986 unreserved characters kept).
fn encode_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_checked_before_anything_is_sent() {
        assert!(Client::new("http://127.0.0.1:5000/").is_ok());
        assert!(Client::new("https://x").unwrap_err().is_bad_input());
        assert!(Client::new("127.0.0.1:5000").unwrap_err().is_bad_input());
    }

    #[test]
    fn segments_are_percent_encoded() {
        assert_eq!(encode_segment("a b%.txt"), "a%20b%25.txt");
    }

    #[test]
    fn an_unreachable_server_is_named() {
        // Port 9 (discard) on loopback: nothing listens there in a test environment.
        let c = Client::new("http://127.0.0.1:9").unwrap();
        let e = c.ping().unwrap_err();
        assert!(matches!(e, Error::Unreachable { .. }), "{e}");
        assert!(e.to_string().contains("127.0.0.1:9"));
    }
}
