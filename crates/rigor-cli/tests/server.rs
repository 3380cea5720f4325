//! `rigor server` as a real process on a free 127.0.0.1 port: startup and `/health`,
//! graceful shutdown on SIGTERM, concurrent clients losing nothing, `kill -9` losing no
//! acknowledged write, and the official MLflow client's compatibility suite
//! (tests/mlflow_compat.py, in a venv made by tools/venv.sh).

mod common;

use common::http;

use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

struct Server {
    child: Child,
    addr: String,
    ready_after: Duration,
    stderr: Arc<Mutex<String>>,
}

impl Server {
    /// Starts `rigor server --port 0` in `dir` and waits for its address.
    fn start(dir: &Path) -> Server {
        Server::start_with(dir, "./artifacts", &[])
    }

    /// [`Server::start`] with an artifact destination and extra environment.
    fn start_with(dir: &Path, artifacts: &str, env: &[(&str, &str)]) -> Server {
        let started = Instant::now();
        let (child, addr, log) = common::spawn_server(
            dir,
            &[
                "--backend-store-uri",
                "sqlite:///rigor.db",
                "--artifacts-destination",
                artifacts,
            ],
            env,
        );
        let mut server = Server {
            child,
            addr,
            ready_after: Duration::ZERO,
            stderr: log,
        };
        loop {
            if let Ok((200, body)) = server.try_request("GET", "/health", None) {
                assert_eq!(body, "OK");
                break;
            }
            assert!(started.elapsed() < Duration::from_secs(30), "never healthy");
            std::thread::sleep(Duration::from_millis(2));
        }
        server.ready_after = started.elapsed();
        server
    }

    fn try_request(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
    ) -> std::io::Result<(u16, String)> {
        http(&self.addr, method, path, body)
    }

    fn request(&self, method: &str, path: &str, body: Option<&Value>) -> (u16, Value) {
        let (status, text) = self
            .try_request(method, path, body)
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let v = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, v)
    }

    fn signal(&self, sig: &str) {
        let ok = Command::new("kill")
            .args([sig, &self.child.id().to_string()])
            .status()
            .expect("kill")
            .success();
        assert!(ok, "kill {sig}");
    }

    fn wait(&mut self) -> std::process::ExitStatus {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(s) = self.child.try_wait().expect("wait") {
                return s;
            }
            assert!(Instant::now() < deadline, "server did not exit");
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn create_run(server: &Server, experiment_id: &str) -> String {
    let (status, v) = server.request(
        "POST",
        "/api/2.0/mlflow/runs/create",
        Some(&json!({"experiment_id": experiment_id, "start_time": 1})),
    );
    assert_eq!(status, 200, "{v}");
    v["run"]["info"]["run_id"]
        .as_str()
        .expect("run id")
        .to_string()
}

fn history_len(server: &Server, run: &str, key: &str) -> usize {
    let (status, v) = server.request(
        "GET",
        &format!("/api/2.0/mlflow/metrics/get-history?run_id={run}&metric_key={key}"),
        None,
    );
    assert_eq!(status, 200, "{v}");
    v["metrics"].as_array().map(|a| a.len()).unwrap_or(0)
}

#[test]
fn starts_fast_answers_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut server = Server::start(dir.path());
    eprintln!(
        "ready (first healthy /health) after {:?}",
        server.ready_after
    );
    let (status, v) = server.request(
        "GET",
        "/api/2.0/mlflow/experiments/get?experiment_id=0",
        None,
    );
    assert_eq!(status, 200);
    assert_eq!(v["experiment"]["name"], "Default");
    let (status, v) = server.request("POST", "/api/2.0/mlflow/nope", Some(&json!({})));
    assert_eq!(status, 404);
    assert_eq!(v["error_code"], "ENDPOINT_NOT_FOUND");
    let (status, v) = server.request("GET", "/", None);
    assert_eq!(status, 200);
    assert!(v.as_str().unwrap_or("").contains("Experiments"));
    server.signal("-TERM");
    let exit = server.wait();
    assert!(exit.success(), "exit {exit:?}");
    let log = server.stderr.lock().map(|l| l.clone()).unwrap_or_default();
    assert!(log.contains("rigor server: stopped"), "{log}");
    assert!(dir.path().join("rigor.db").exists());
    assert!(dir.path().join("artifacts").is_dir());
}

#[test]
fn bad_store_uri_is_exit_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    let run = common::rigor(
        dir.path(),
        &[
            "server",
            "--backend-store-uri",
            "mysql://x/y",
            "--port",
            "0",
        ],
    );
    run.bad_input(&["--backend-store-uri", "mysql://x/y"]);
}

/// Many clients log batches at once; every acknowledged value is there afterwards.
#[test]
fn concurrent_clients_lose_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Arc::new(Server::start(dir.path()));
    let clients = 50;
    let per_client = 20;
    let batch = 100;
    let runs: Vec<String> = (0..5).map(|_| create_run(&server, "0")).collect();
    let started = Instant::now();
    let handles: Vec<_> = (0..clients)
        .map(|c| {
            let server = server.clone();
            let run = runs[c % runs.len()].clone();
            std::thread::spawn(move || {
                for b in 0..per_client {
                    let metrics: Vec<Value> = (0..batch)
                        .map(|i| {
                            let n = (b * batch + i) as i64;
                            json!({"key": format!("c{c}"), "value": n as f64, "timestamp": n, "step": n})
                        })
                        .collect();
                    let (status, v) = server.request(
                        "POST",
                        "/api/2.0/mlflow/runs/log-batch",
                        Some(&json!({"run_id": run, "metrics": metrics, "params": [{"key": format!("p{c}_{b}"), "value": "v"}]})),
                    );
                    assert_eq!(status, 200, "{v}");
                }
            })
        })
        .collect();
    for h in handles {
        h.join().expect("client");
    }
    let secs = started.elapsed().as_secs_f64();
    let total = clients * per_client * batch;
    eprintln!(
        "{clients} clients logged {total} values in {secs:.2}s: {:.0} values/s (debug build)",
        total as f64 / secs
    );
    for c in 0..clients {
        assert_eq!(
            history_len(&server, &runs[c % runs.len()], &format!("c{c}")),
            per_client * batch
        );
    }
}

/// `kill -9` in the middle of a load loses no acknowledged write, and the server
/// restarts cleanly on the same database.
#[test]
fn kill_9_loses_no_acknowledged_write() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut server = Server::start(dir.path());
    let run = create_run(&server, "0");
    let addr = server.addr.clone();
    let stop = Arc::new(AtomicBool::new(false));
    let acked: Vec<Arc<AtomicU64>> = (0..8).map(|_| Arc::new(AtomicU64::new(0))).collect();
    let handles: Vec<_> = (0..8)
        .map(|c| {
            let (addr, run, stop, acked) = (addr.clone(), run.clone(), stop.clone(), acked[c].clone());
            std::thread::spawn(move || {
                let mut b: i64 = 0;
                while !stop.load(Ordering::SeqCst) {
                    let metrics: Vec<Value> = (0..50)
                        .map(|i| {
                            let n = b * 50 + i;
                            json!({"key": format!("k{c}"), "value": n as f64, "timestamp": n, "step": n})
                        })
                        .collect();
                    let body = json!({"run_id": run, "metrics": metrics});
                    match http(&addr, "POST", "/api/2.0/mlflow/runs/log-batch", Some(&body)) {
                        Ok((200, _)) => {
                            b += 1;
                            acked.store(b as u64, Ordering::SeqCst);
                        }
                        _ => break,
                    }
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(1500));
    server.signal("-KILL");
    let _ = server.wait();
    stop.store(true, Ordering::SeqCst);
    for h in handles {
        h.join().expect("client");
    }
    drop(server);
    let restarted = Server::start(dir.path());
    let mut total = 0;
    for (c, a) in acked.iter().enumerate() {
        let acknowledged = a.load(Ordering::SeqCst) as usize * 50;
        let stored = history_len(&restarted, &run, &format!("k{c}"));
        // Every acknowledged batch is there; a batch in flight at the kill is there
        // whole or not at all.
        assert!(
            stored == acknowledged || stored == acknowledged + 50,
            "client {c}: acked {acknowledged}, stored {stored}"
        );
        total += acknowledged;
    }
    assert!(total > 0, "the load ran");
    eprintln!("kill -9 after {total} acknowledged values: none lost");
}

/// The official MLflow client, unchanged, against the real binary.
#[test]
fn mlflow_client_compatibility_suite() {
    let root = common::root();
    let Some(python) = common::venv_python(
        "mlflow_client_compatibility_suite",
        "mlflow-client",
        "tools/mlflow-client/requirements.txt",
    ) else {
        return;
    };

    let dir = tempfile::tempdir().expect("tempdir");
    let mut server = Server::start(dir.path());
    let out = Command::new(&python)
        .arg(root.join("crates/rigor-cli/tests/mlflow_compat.py"))
        .env("MLFLOW_TRACKING_URI", format!("http://{}", server.addr))
        .env("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
        .env("PYTHONUNBUFFERED", "1")
        .current_dir(dir.path())
        .output()
        .expect("run the compatibility suite");
    let stdout = String::from_utf8_lossy(&out.stdout);
    eprintln!("{stdout}");
    assert!(
        out.status.success(),
        "compatibility suite failed:\n{stdout}\n{}\nserver log:\n{}",
        String::from_utf8_lossy(&out.stderr),
        server.stderr.lock().map(|l| l.clone()).unwrap_or_default()
    );
    assert!(stdout.contains(" passed, 0 failed"), "{stdout}");
    server.signal("-TERM");
    assert!(server.wait().success());
}

/// Artifacts in an S3 bucket (`--artifacts-destination s3://BUCKET/PREFIX`): the
/// official client logs, lists and downloads through the proxy, and the object is in
/// the bucket under the prefix. The S3 service is moto's standalone server on
/// 127.0.0.1 (tools/s3/requirements.txt).
#[test]
fn s3_artifacts_through_the_mlflow_client() {
    let test = "s3_artifacts_through_the_mlflow_client";
    let Some(client) = common::venv_python(
        test,
        "mlflow-client",
        "tools/mlflow-client/requirements.txt",
    ) else {
        return;
    };
    let Some(s3_python) = common::venv_python(test, "s3", "tools/s3/requirements.txt") else {
        return;
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let s3_addr = format!("127.0.0.1:{port}");
    let moto = Path::new(&s3_python).with_file_name("moto_server");
    let mut s3 = Command::new(&moto)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("start {}: {e}", moto.display()));
    struct Kill<'a>(&'a mut Child);
    impl Drop for Kill<'_> {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let _s3 = Kill(&mut s3);
    let deadline = Instant::now() + Duration::from_secs(60);
    while TcpStream::connect(&s3_addr).is_err() {
        assert!(Instant::now() < deadline, "moto_server did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    let (status, _) = http(&s3_addr, "PUT", "/rigor-test", None).expect("create bucket");
    assert_eq!(status, 200, "create bucket");

    let dir = tempfile::tempdir().expect("tempdir");
    let endpoint = format!("http://{s3_addr}");
    let server = Server::start_with(
        dir.path(),
        "s3://rigor-test/mlflow",
        &[
            ("AWS_ENDPOINT_URL", endpoint.as_str()),
            ("AWS_ACCESS_KEY_ID", "testing"),
            ("AWS_SECRET_ACCESS_KEY", "testing"),
            ("AWS_REGION", "us-east-1"),
        ],
    );
    let script = r#"
import mlflow, os, sys
mlflow.set_experiment("s3")
with mlflow.start_run() as run:
    mlflow.log_text("hello from s3\n", "notes/hello.txt")
client = mlflow.MlflowClient()
names = [f.path for f in client.list_artifacts(run.info.run_id, "notes")]
assert names == ["notes/hello.txt"], names
path = mlflow.artifacts.download_artifacts(run_id=run.info.run_id, artifact_path="notes/hello.txt", dst_path=sys.argv[1])
assert open(path).read() == "hello from s3\n"
print("IDS", run.info.experiment_id, run.info.run_id)
"#;
    let out = Command::new(&client)
        .args(["-c", script])
        .arg(dir.path().join("download"))
        .env("MLFLOW_TRACKING_URI", format!("http://{}", server.addr))
        .env("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
        .current_dir(dir.path())
        .output()
        .expect("run the mlflow client");
    assert!(
        out.status.success(),
        "mlflow client against s3 artifacts failed:\n{}\nserver log:\n{}",
        String::from_utf8_lossy(&out.stderr),
        server.stderr.lock().map(|l| l.clone()).unwrap_or_default()
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix("IDS "))
        .unwrap_or_else(|| panic!("no ids in {stdout}"));
    let mut ids = line.split_whitespace();
    let (experiment, run) = (ids.next().expect("experiment"), ids.next().expect("run"));
    let key = format!("/rigor-test/mlflow/{experiment}/{run}/artifacts/notes/hello.txt");
    let (status, body) = http(&s3_addr, "GET", &key, None).expect("get object");
    assert_eq!((status, body.as_str()), (200, "hello from s3\n"), "{key}");
    assert!(
        !dir.path().join("artifacts").exists() && !dir.path().join("rigor-artifacts").exists(),
        "nothing written locally"
    );
}
