//! `rigor run`, `--track`, `rigor repro` and `rigor kpi repro` against the real binary
//! and a real `rigor server` on a free 127.0.0.1 port, in temporary git repositories
//! the tests make themselves. The Python case drives the official mlflow client from
//! the venv tools/venv.sh prepares (skipped, saying so, where no venv can be made).

// Helpers outside #[test] functions panic on a broken fixture, as tests do.
#![allow(clippy::unwrap_used)]

mod common;

use common::http;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

// ------------------------------------------------------------------ harness

/// `rigor server --port 0` in its own temporary directory.
struct Server {
    child: Child,
    addr: String,
    _dir: tempfile::TempDir,
}

impl Server {
    fn start() -> Server {
        let dir = tempfile::tempdir().expect("tempdir");
        let (child, addr, _) =
            common::spawn_server(dir.path(), &["--artifacts-destination", "./artifacts"], &[]);
        Server {
            child,
            addr,
            _dir: dir,
        }
    }

    fn uri(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn call(&self, method: &str, path: &str, body: Option<&Value>) -> (u16, String) {
        http(&self.addr, method, path, body).unwrap_or_else(|e| panic!("{method} {path}: {e}"))
    }

    fn json(&self, method: &str, path: &str, body: Option<&Value>) -> Value {
        let (status, text) = self.call(method, path, body);
        assert_eq!(status, 200, "{method} {path}: {text}");
        serde_json::from_str(&text).expect("JSON")
    }

    fn run(&self, id: &str) -> Value {
        self.json(
            "GET",
            &format!("/api/2.0/mlflow/runs/get?run_id={id}"),
            None,
        )["run"]
            .clone()
    }

    fn artifact(&self, run: &Value, rel: &str) -> Option<String> {
        let uri = run["info"]["artifact_uri"].as_str().expect("artifact_uri");
        let path = uri.trim_start_matches("mlflow-artifacts:/");
        let (status, body) = self.call(
            "GET",
            &format!("/api/2.0/mlflow-artifacts/artifacts/{path}/{rel}"),
            None,
        );
        (status == 200).then_some(body)
    }

    fn runs_of(&self, experiment: &str) -> Vec<Value> {
        let e = self.json(
            "GET",
            &format!("/api/2.0/mlflow/experiments/get-by-name?experiment_name={experiment}"),
            None,
        );
        let id = e["experiment"]["experiment_id"]
            .as_str()
            .expect("id")
            .to_string();
        let r = self.json(
            "POST",
            "/api/2.0/mlflow/runs/search",
            Some(&json!({"experiment_ids": [id]})),
        );
        r["runs"].as_array().cloned().unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A temporary git repository holding `files`, committed.
fn repo(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, text) in files {
        let p = dir.path().join(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(p, text).expect("write");
    }
    git(dir.path(), &["init", "-q", "-b", "main"]);
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-q", "-m", "initial"]);
    dir
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args([
            "-c",
            "user.email=test@example.invalid",
            "-c",
            "user.name=test",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// `PATH` with the directory of the `rigor` under test first (commands run by
/// `rigor run` call `rigor eval …`).
fn path_with_rigor() -> String {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_rigor"));
    let dir = bin.parent().expect("bin dir").display().to_string();
    format!("{dir}:{}", std::env::var("PATH").unwrap_or_default())
}

/// Runs `rigor ARGS` in `dir`, with no MLflow variables from the developer's shell.
fn rigor(dir: &Path, args: &[&str]) -> Output {
    rigor_env(dir, args, &[])
}

fn rigor_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rigor"));
    cmd.args(args)
        .current_dir(dir)
        .env("PATH", path_with_rigor())
        .env_remove("MLFLOW_TRACKING_URI")
        .env_remove("MLFLOW_RUN_ID")
        .env_remove("MLFLOW_EXPERIMENT_NAME")
        .env_remove("MLFLOW_EXPERIMENT_ID")
        .env_remove("RIGOR_SEED");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run rigor")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The run id `rigor run` printed on stderr.
fn run_id(o: &Output) -> String {
    let err = stderr(o);
    err.lines()
        .find_map(|l| l.strip_prefix("rigor run: run "))
        .and_then(|l| l.split_whitespace().next())
        .unwrap_or_else(|| panic!("no run id in:\n{err}"))
        .to_string()
}

fn tag(run: &Value, key: &str) -> Option<String> {
    run["data"]["tags"]
        .as_array()?
        .iter()
        .find(|t| t["key"] == key)
        .and_then(|t| t["value"].as_str().map(str::to_string))
}

fn param(run: &Value, key: &str) -> Option<String> {
    run["data"]["params"]
        .as_array()?
        .iter()
        .find(|t| t["key"] == key)
        .and_then(|t| t["value"].as_str().map(str::to_string))
}

fn metric(run: &Value, key: &str) -> Option<f64> {
    run["data"]["metrics"]
        .as_array()?
        .iter()
        .find(|m| m["key"] == key)
        .and_then(|m| m["value"].as_f64())
}

fn status(run: &Value) -> String {
    run["info"]["status"].as_str().unwrap_or("").to_string()
}

/// Asserts exit 2 and exactly one line on stderr containing `part`.
fn one_line_error(o: &Output, part: &str) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(2), "stderr:\n{err}");
    assert_eq!(err.lines().count(), 1, "one line on stderr:\n{err}");
    assert!(err.contains(part), "{err:?} lacks {part:?}");
}

/// The venv's python with the mlflow client, or `None` (with a message) where no venv
/// can be made.
fn mlflow_python(test: &str) -> Option<String> {
    common::venv_python(
        test,
        "mlflow-client",
        "tools/mlflow-client/requirements.txt",
    )
}

// ------------------------------------------------------------------ rigor run

#[test]
fn a_shell_command_is_recorded_with_code_seed_inputs_logs_and_resources() {
    let server = Server::start();
    let repo = repo(&[
        ("data/train.txt", "a\nb\n"),
        ("data/extra/more.txt", "c\n"),
        (
            "job.sh",
            "echo \"seed=$RIGOR_SEED run=$MLFLOW_RUN_ID\"\necho oops >&2\n",
        ),
    ]);
    // An uncommitted change: recorded as the diff.
    std::fs::write(
        repo.path().join("job.sh"),
        "echo \"seed=$RIGOR_SEED run=$MLFLOW_RUN_ID\"\necho oops >&2\necho changed\n",
    )
    .unwrap();
    let commit = git(repo.path(), &["rev-parse", "HEAD"]);
    let o = rigor(
        repo.path(),
        &[
            "run",
            "--tracking-uri",
            &server.uri(),
            "--experiment",
            "shell",
            "--run-name",
            "first",
            "--seed",
            "42",
            "--input",
            "data/train.txt",
            "--input",
            "data",
            "--param",
            "lr=0.1",
            "--",
            "sh",
            "job.sh",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let id = run_id(&o);
    // The command's output streams through, and saw the seed and the run id.
    assert_eq!(stdout(&o), format!("seed=42 run={id}\nchanged\n"));
    assert!(stderr(&o).contains("oops"));

    let run = server.run(&id);
    assert_eq!(status(&run), "FINISHED");
    assert_eq!(run["info"]["run_name"], "first");
    assert_eq!(
        tag(&run, "mlflow.source.git.commit").as_deref(),
        Some(commit.as_str())
    );
    assert_eq!(
        tag(&run, "mlflow.source.git.branch").as_deref(),
        Some("main")
    );
    assert_eq!(tag(&run, "mlflow.source.type").as_deref(), Some("LOCAL"));
    assert!(tag(&run, "mlflow.user").is_some());
    assert_eq!(tag(&run, "rigor.git.dirty").as_deref(), Some("true"));
    assert_eq!(
        tag(&run, "rigor.command").as_deref(),
        Some(r#"["sh","job.sh"]"#)
    );
    assert_eq!(tag(&run, "rigor.exit_code").as_deref(), Some("0"));
    assert_eq!(param(&run, "seed").as_deref(), Some("42"));
    assert_eq!(param(&run, "lr").as_deref(), Some("0.1"));
    for m in [
        "rigor.wall_seconds",
        "rigor.cpu_seconds",
        "rigor.peak_rss_bytes",
    ] {
        assert!(metric(&run, m).is_some_and(|v| v >= 0.0), "{m}");
    }
    assert!(metric(&run, "rigor.peak_rss_bytes").unwrap() > 0.0);

    // Inputs: a file (BLAKE3 of its bytes) and a directory (its manifest).
    let inputs = run["inputs"]["dataset_inputs"]
        .as_array()
        .expect("inputs")
        .clone();
    assert_eq!(inputs.len(), 2);
    let file_digest = blake3::hash(b"a\nb\n").to_hex().to_string();
    assert_eq!(inputs[0]["dataset"]["name"], "data/train.txt");
    assert_eq!(inputs[0]["dataset"]["digest"], &file_digest[..32]);
    let profile: Value =
        serde_json::from_str(inputs[0]["dataset"]["profile"].as_str().unwrap()).unwrap();
    assert_eq!(profile["blake3"], file_digest);
    assert_eq!(profile["bytes"], 4);
    let manifest = format!(
        "{}  extra/more.txt\n{}  train.txt\n",
        blake3::hash(b"c\n").to_hex(),
        blake3::hash(b"a\nb\n").to_hex()
    );
    let dir_profile: Value =
        serde_json::from_str(inputs[1]["dataset"]["profile"].as_str().unwrap()).unwrap();
    assert_eq!(
        dir_profile["blake3"],
        blake3::hash(manifest.as_bytes()).to_hex().to_string()
    );
    assert_eq!(dir_profile["files"], 2);

    // Artifacts: output, diff, command.
    assert_eq!(
        server.artifact(&run, "rigor/stdout.txt").as_deref(),
        Some(stdout(&o).as_str())
    );
    assert_eq!(
        server.artifact(&run, "rigor/stderr.txt").as_deref(),
        Some("oops\n")
    );
    let diff = server
        .artifact(&run, "rigor/git.diff")
        .expect("diff artifact");
    assert!(diff.contains("+echo changed"), "{diff}");
    let command: Value =
        serde_json::from_str(&server.artifact(&run, "rigor/command.json").unwrap()).unwrap();
    assert_eq!(command["command"], json!(["sh", "job.sh"]));
    assert!(server.artifact(&run, "rigor/environment.json").is_some());
}

#[test]
fn a_failing_command_fails_the_run_and_passes_its_exit_code_through() {
    let server = Server::start();
    let repo = repo(&[("x.txt", "x")]);
    let o = rigor(
        repo.path(),
        &[
            "run",
            "--tracking-uri",
            &server.uri(),
            "--",
            "sh",
            "-c",
            "echo bad >&2; exit 7",
        ],
    );
    assert_eq!(o.status.code(), Some(7), "{}", stderr(&o));
    let run = server.run(&run_id(&o));
    assert_eq!(status(&run), "FAILED");
    assert_eq!(tag(&run, "rigor.exit_code").as_deref(), Some("7"));
    assert_eq!(tag(&run, "rigor.git.dirty").as_deref(), Some("false"));
    assert!(
        server.artifact(&run, "rigor/git.diff").is_none(),
        "no diff when clean"
    );
}

#[test]
fn ctrl_c_is_forwarded_and_the_run_is_killed() {
    let server = Server::start();
    let repo = repo(&[("x.txt", "x")]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_rigor"))
        .args([
            "run",
            "--tracking-uri",
            &server.uri(),
            "--",
            "sh",
            "-c",
            "trap 'echo interrupted; exit 130' INT; echo started; while true; do sleep 0.05; done",
        ])
        .current_dir(repo.path())
        .env_remove("MLFLOW_TRACKING_URI")
        .env_remove("MLFLOW_RUN_ID")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    // Wait for the command to start, then interrupt rigor alone.
    let mut out = child.stdout.take().unwrap();
    let mut seen = Vec::new();
    let mut buf = [0u8; 64];
    let deadline = Instant::now() + Duration::from_secs(30);
    while !String::from_utf8_lossy(&seen).contains("started") {
        assert!(Instant::now() < deadline, "command never started");
        let n = out.read(&mut buf).unwrap();
        seen.extend_from_slice(&buf[..n]);
    }
    let ok = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok);
    out.read_to_end(&mut seen).unwrap();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    let code = child.wait().unwrap().code();
    assert_eq!(code, Some(130), "{err}");
    assert!(String::from_utf8_lossy(&seen).contains("interrupted"));
    let id = err
        .lines()
        .find_map(|l| l.strip_prefix("rigor run: run "))
        .and_then(|l| l.split_whitespace().next())
        .expect("run id")
        .to_string();
    let run = server.run(&id);
    assert_eq!(status(&run), "KILLED");
    assert_eq!(tag(&run, "rigor.interrupted").as_deref(), Some("true"));
}

#[test]
fn bad_input_is_one_line_and_exit_2() {
    let server = Server::start();
    let repo = repo(&[("x.txt", "x")]);
    let uri = server.uri();
    one_line_error(
        &rigor(
            repo.path(),
            &[
                "run",
                "--tracking-uri",
                &uri,
                "--input",
                "nope.csv",
                "--",
                "true",
            ],
        ),
        "--input nope.csv: no such file or directory",
    );
    one_line_error(
        &rigor(
            repo.path(),
            &[
                "run",
                "--tracking-uri",
                &uri,
                "--",
                "no-such-command-rigor-test",
            ],
        ),
        "command not found: no-such-command-rigor-test",
    );
    one_line_error(
        &rigor(
            repo.path(),
            &["run", "--tracking-uri", "http://127.0.0.1:9", "--", "true"],
        ),
        "tracking server http://127.0.0.1:9 is unreachable",
    );
    one_line_error(
        &rigor(
            repo.path(),
            &["run", "--tracking-uri", "ftp://x", "--", "true"],
        ),
        "tracking URI",
    );
    // Nothing was recorded for any of them.
    let r = server.json(
        "POST",
        "/api/2.0/mlflow/runs/search",
        Some(&json!({"experiment_ids": ["0"]})),
    );
    assert!(r["runs"].as_array().is_none_or(|a| a.is_empty()), "{r}");
}

#[test]
fn the_default_store_is_rigor_server_s_default_in_the_working_directory() {
    let repo = repo(&[("x.txt", "x")]);
    let o = rigor(
        repo.path(),
        &[
            "run",
            "--seed",
            "1",
            "--",
            "sh",
            "-c",
            "echo $MLFLOW_TRACKING_URI",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // The child saw the in-process server's address.
    assert!(
        stdout(&o).starts_with("http://127.0.0.1:"),
        "{}",
        stdout(&o)
    );
    assert!(repo.path().join("rigor.db").exists());
    assert!(repo.path().join("rigor-artifacts").is_dir());
    // `rigor server` on the same default store sees the run.
    let id = run_id(&o);
    let mut server = Command::new(env!("CARGO_BIN_EXE_rigor"))
        .args(["server", "--port", "0"])
        .current_dir(repo.path())
        .env("RUST_LOG", "warn")
        .stderr(Stdio::piped())
        .spawn()
        .expect("server");
    let mut err = std::io::BufReader::new(server.stderr.take().unwrap());
    let mut line = String::new();
    use std::io::BufRead;
    err.read_line(&mut line).unwrap();
    let addr = line
        .trim()
        .strip_prefix("rigor server: listening on http://")
        .expect("addr")
        .to_string();
    let (code, body) = http(
        &addr,
        "GET",
        &format!("/api/2.0/mlflow/runs/get?run_id={id}"),
        None,
    )
    .unwrap();
    let _ = server.kill();
    let _ = server.wait();
    assert_eq!(code, 200, "{body}");
    let run: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(param(&run["run"], "seed").as_deref(), Some("1"));
    assert_eq!(status(&run["run"]), "FINISHED");
}

#[test]
fn a_python_script_logging_through_mlflow_lands_in_the_same_run() {
    let Some(python) =
        mlflow_python("a_python_script_logging_through_mlflow_lands_in_the_same_run")
    else {
        return;
    };
    let server = Server::start();
    let repo = repo(&[(
        "train.py",
        "import os, random\nimport mlflow\nrandom.seed(int(os.environ['RIGOR_SEED']))\n\
         with mlflow.start_run() as run:\n    print('inside', run.info.run_id)\n    \
         mlflow.log_param('epochs', 3)\n    for step in range(3):\n        \
         mlflow.log_metric('loss', 1.0 / (step + 1), step=step)\n    \
         mlflow.log_metric('accuracy', 0.5 + random.random() / 10)\n",
    )]);
    let o = rigor_env(
        repo.path(),
        &[
            "run",
            "--tracking-uri",
            &server.uri(),
            "--experiment",
            "py",
            "--seed",
            "3",
            "--",
            &python,
            "train.py",
        ],
        &[("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")],
    );
    assert_eq!(o.status.code(), Some(0), "{}\n{}", stdout(&o), stderr(&o));
    let id = run_id(&o);
    assert!(
        stdout(&o).contains(&format!("inside {id}")),
        "{}",
        stdout(&o)
    );
    let runs = server.runs_of("py");
    assert_eq!(runs.len(), 1, "one run, not two");
    let run = server.run(&id);
    assert_eq!(status(&run), "FINISHED");
    assert_eq!(metric(&run, "loss"), Some(1.0 / 3.0));
    assert!(metric(&run, "accuracy").is_some());
    assert_eq!(param(&run, "epochs").as_deref(), Some("3"));
    assert_eq!(param(&run, "seed").as_deref(), Some("3"));
    assert!(tag(&run, "mlflow.source.git.commit").is_some());
    assert!(tag(&run, "rigor.command").unwrap().contains("train.py"));
    // pip freeze of the Python on PATH is recorded when there is one.
    assert!(server.artifact(&run, "rigor/environment.json").is_some());
}

// ------------------------------------------------------------------ --track

#[test]
fn track_logs_evaluations_into_the_run_that_rigor_run_made() {
    let server = Server::start();
    let root = common::root();
    let qrels = std::fs::read_to_string(root.join("examples/qrels.txt")).unwrap();
    let bm25 = std::fs::read_to_string(root.join("examples/bm25.run")).unwrap();
    let repo = repo(&[("qrels.txt", &qrels), ("bm25.run", &bm25)]);
    let o = rigor(
        repo.path(),
        &[
            "run",
            "--tracking-uri",
            &server.uri(),
            "--experiment",
            "ir",
            "--seed",
            "0",
            "--input",
            "qrels.txt",
            "--input",
            "bm25.run",
            "--",
            "rigor",
            "eval",
            "ir",
            "--qrels",
            "qrels.txt",
            "--run",
            "bm25.run",
            "-m",
            "nDCG@10",
            "P(rel=2)@10",
            "--resamples",
            "500",
            "--track",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let id = run_id(&o);
    let run = server.run(&id);
    let direct = rigor(
        repo.path(),
        &[
            "eval",
            "ir",
            "--qrels",
            "qrels.txt",
            "--run",
            "bm25.run",
            "-m",
            "nDCG@10",
            "P(rel=2)@10",
            "--resamples",
            "500",
            "--format",
            "json",
        ],
    );
    let evidence: Value = serde_json::from_str(&stdout(&direct)).unwrap();
    let agg = &evidence["runs"][0]["aggregate"];
    assert_eq!(metric(&run, "nDCG_at_10"), agg["nDCG@10"]["mean"].as_f64());
    assert_eq!(
        metric(&run, "nDCG_at_10.ci_low"),
        agg["nDCG@10"]["ci_low"].as_f64()
    );
    assert_eq!(
        metric(&run, "nDCG_at_10.ci_high"),
        agg["nDCG@10"]["ci_high"].as_f64()
    );
    assert_eq!(
        metric(&run, "P_rel_2_at_10"),
        agg["P(rel=2)@10"]["mean"].as_f64()
    );
    let logged: Value =
        serde_json::from_str(&server.artifact(&run, "rigor/evidence-ir.json").unwrap()).unwrap();
    assert_eq!(logged["runs"][0]["aggregate"], *agg);
    assert_eq!(
        tag(&run, "rigor.evidence.ir").as_deref(),
        Some("rigor/evidence-ir.json")
    );
    // The same files from rigor run and from the evaluator are one dataset each (MLflow
    // keeps one input per name and digest).
    let inputs = run["inputs"]["dataset_inputs"].as_array().unwrap();
    assert_eq!(inputs.len(), 2, "{inputs:?}");
    let digest = blake3::hash(qrels.as_bytes()).to_hex().to_string();
    assert!(inputs
        .iter()
        .any(|d| d["dataset"]["digest"] == digest[..32]));
}

#[test]
fn track_makes_its_own_run_and_refuses_an_unknown_one() {
    let server = Server::start();
    let dir = common::dir_with(&[
        ("hyp.txt", "the cat sat\n"),
        ("ref.txt", "the cat sat down\n"),
    ]);
    let o = rigor(
        dir.path(),
        &[
            "eval",
            "text",
            "--hyp",
            "hyp.txt",
            "--ref",
            "ref.txt",
            "-m",
            "chrF++",
            "BLEU",
            "--track",
            "--experiment",
            "text",
            "--tracking-uri",
            &server.uri(),
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let runs = server.runs_of("text");
    assert_eq!(runs.len(), 1);
    let run = &runs[0];
    assert_eq!(status(run), "FINISHED");
    assert!(metric(run, "chrFpp").is_some());
    assert!(metric(run, "BLEU.ci_high").is_some());
    assert_eq!(param(run, "seed").as_deref(), Some("0"));
    let o = rigor(
        dir.path(),
        &[
            "eval",
            "text",
            "--hyp",
            "hyp.txt",
            "--ref",
            "ref.txt",
            "--track",
            "--run-id",
            "0123abc",
            "--tracking-uri",
            &server.uri(),
        ],
    );
    one_line_error(&o, "no run \"0123abc\"");
    assert!(stdout(&o).is_empty(), "nothing evaluated before the check");
}

/// `rigor gate` and `rigor report` read the evidence `--track` logged, as
/// `--evidence runs:/RUN_ID`, and decide as on the file.
#[test]
fn gate_reads_the_evidence_of_a_tracked_run() {
    let server = Server::start();
    let root = common::root();
    let ex = |f: &str| root.join("examples").join(f).display().to_string();
    let dir = common::dir_with(&[(
        "policy.toml",
        "[gate]\nbaseline = \"bm25\"\ncandidate = \"dense\"\n\n\
         [[lift]]\nmeasure = \"nDCG@10\"\nmin_delta = 0.05\nsignificant = true\n",
    )]);
    let o = rigor(
        dir.path(),
        &[
            "eval",
            "ir",
            "--qrels",
            &ex("qrels.txt"),
            "--run",
            &ex("bm25.run"),
            "--run",
            &ex("dense.run"),
            "-m",
            "nDCG@10",
            "--resamples",
            "500",
            "--format",
            "json",
            "--output",
            "ir.json",
            "--track",
            "--experiment",
            "gates",
            "--tracking-uri",
            &server.uri(),
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let runs = server.runs_of("gates");
    assert_eq!(runs.len(), 1);
    let id = runs[0]["info"]["run_id"]
        .as_str()
        .expect("run id")
        .to_string();
    let gate = |evidence: &str| {
        rigor(
            dir.path(),
            &[
                "gate",
                "--policy",
                "policy.toml",
                "--evidence",
                evidence,
                "--tracking-uri",
                &server.uri(),
                "--format",
                "json",
            ],
        )
    };
    let from_file = gate("ir.json");
    let from_run = gate(&format!("ir=runs:/{id}"));
    assert_eq!(from_run.status.code(), Some(0), "{}", stderr(&from_run));
    assert_eq!(from_file.status.code(), from_run.status.code());
    let criteria = |o: &Output| {
        let v: Value = serde_json::from_str(&stdout(o)).expect("gate json");
        v["criteria"]
            .as_array()
            .expect("criteria")
            .iter()
            .map(|c| {
                (
                    c["criterion"].clone(),
                    c["pass"].clone(),
                    c["measured"].clone(),
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(criteria(&from_run), criteria(&from_file));
    let explicit = gate(&format!("ir=runs:/{id}/rigor/evidence-ir.json"));
    assert_eq!(criteria(&explicit), criteria(&from_file));
    // Unlabelled, the document is named after the run.
    let name = runs[0]["info"]["run_name"].as_str().expect("run name");
    let unlabelled = gate(&format!("runs:/{id}"));
    assert_eq!(unlabelled.status.code(), Some(0), "{}", stderr(&unlabelled));
    assert!(stdout(&unlabelled).contains(&format!("reproducible ({name})")));
    let r = rigor(
        dir.path(),
        &[
            "report",
            "--evidence",
            &format!("ir=runs:/{id}"),
            "--tracking-uri",
            &server.uri(),
            "--format",
            "markdown",
        ],
    );
    assert_eq!(r.status.code(), Some(0), "{}", stderr(&r));
    assert!(stdout(&r).contains("nDCG@10"), "{}", stdout(&r));
    // Unknown runs and artifacts are errors naming what is missing.
    one_line_error(&gate("runs:/0123abc"), "0123abc");
    one_line_error(
        &gate(&format!("runs:/{id}/rigor/evidence-text.json")),
        "no artifact rigor/evidence-text.json",
    );
}

// ------------------------------------------------------------------ rigor repro

/// A repository with the example qrels and run committed, and `data/` ignored by git
/// (data beside the code, as datasets usually are).
fn ir_repo() -> tempfile::TempDir {
    let root = common::root();
    let qrels = std::fs::read_to_string(root.join("examples/qrels.txt")).unwrap();
    let bm25 = std::fs::read_to_string(root.join("examples/bm25.run")).unwrap();
    let repo = repo(&[
        ("qrels.txt", &qrels),
        ("bm25.run", &bm25),
        (".gitignore", "data/\nrigor.db*\nrigor-artifacts/\n"),
        (
            "eval.sh",
            "rigor eval ir --qrels \"$1\" --run bm25.run -m nDCG@10 AP --resamples 300 --track\n",
        ),
    ]);
    std::fs::create_dir(repo.path().join("data")).unwrap();
    std::fs::write(repo.path().join("data/qrels.txt"), &qrels).unwrap();
    repo
}

/// `rigor run` of [`ir_repo`]'s `eval.sh` (seed 1, the qrels as input) with `extra`
/// options; the id of the run it made.
fn run_ir_repo(dir: &Path, uri: &str, extra: &[&str]) -> String {
    let mut args = vec!["run", "--tracking-uri", uri];
    args.extend_from_slice(extra);
    args.extend([
        "--seed",
        "1",
        "--input",
        "data/qrels.txt",
        "--",
        "sh",
        "eval.sh",
        "data/qrels.txt",
    ]);
    let o = rigor(dir, &args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    run_id(&o)
}

fn repro(dir: &Path, uri: &str, id: &str, extra: &[&str]) -> Output {
    let mut args = vec!["repro", id, "--tracking-uri", uri];
    args.extend_from_slice(extra);
    rigor(dir, &args)
}

#[test]
fn a_deterministic_run_is_reproduced_even_from_a_dirty_tree() {
    let server = Server::start();
    let repo = ir_repo();
    // An uncommitted change to the script, recorded as the diff and applied again.
    std::fs::write(
        repo.path().join("eval.sh"),
        "rigor eval ir --qrels \"$1\" --run bm25.run -m nDCG@10 AP P@10 --resamples 300 --track\n",
    )
    .unwrap();
    let id = run_ir_repo(repo.path(), &server.uri(), &[]);
    // The working tree moves on; the reproduction uses the recorded state.
    git(repo.path(), &["checkout", "--", "eval.sh"]);
    let r = repro(repo.path(), &server.uri(), &id, &[]);
    assert_eq!(r.status.code(), Some(0), "{}\n{}", stdout(&r), stderr(&r));
    assert!(
        stdout(&r).contains(&format!("reproduces run {id}")),
        "{}",
        stdout(&r)
    );
    let r = repro(repo.path(), &server.uri(), &id, &["--format", "json"]);
    assert_eq!(r.status.code(), Some(0), "{}", stderr(&r));
    let v: Value = serde_json::from_str(&stdout(&r)).expect("one JSON document on stdout");
    assert_eq!(v["verdict"], "REPRODUCED");
    let names: Vec<&str> = v["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"P_at_10"),
        "the diff was applied: {names:?}"
    );
    assert_eq!(names.len(), 9);
    let new_id = v["repro_run_id"].as_str().unwrap();
    let new = server.run(new_id);
    assert_eq!(tag(&new, "rigor.repro_of").as_deref(), Some(id.as_str()));
    assert_eq!(param(&new, "seed").as_deref(), Some("1"));
    // The worktree is gone.
    assert_eq!(git(repo.path(), &["worktree", "list"]).lines().count(), 1);
}

#[test]
fn a_non_deterministic_run_is_different_with_a_table_of_what_moved() {
    let server = Server::start();
    let repo = ir_repo();
    std::fs::write(
        repo.path().join("noisy.sh"),
        "rigor eval ir --qrels qrels.txt --run bm25.run -m AP --resamples 200 --seed \"$(date +%N)\" --track\n",
    )
    .unwrap();
    git(repo.path(), &["add", "noisy.sh"]);
    git(repo.path(), &["commit", "-q", "-m", "noisy"]);
    let o = rigor(
        repo.path(),
        &[
            "run",
            "--tracking-uri",
            &server.uri(),
            "--",
            "sh",
            "noisy.sh",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let id = run_id(&o);
    let r = repro(repo.path(), &server.uri(), &id, &[]);
    assert_eq!(r.status.code(), Some(1), "{}\n{}", stdout(&r), stderr(&r));
    let out = stdout(&r);
    // The command's own output streams first; the verdict follows.
    assert!(out.lines().any(|l| l.starts_with("DIFFERENT: ")), "{out}");
    assert!(out.contains("metric") && out.contains("delta"), "{out}");
    assert!(out.contains("AP.ci_low"), "{out}");
    // The mean does not depend on the seed: it is not in the table.
    assert!(!out.lines().any(|l| l.starts_with("AP ")), "{out}");
    let r = repro(repo.path(), &server.uri(), &id, &["--format", "json"]);
    assert_eq!(r.status.code(), Some(1));
    let v: Value = serde_json::from_str(&stdout(&r)).unwrap();
    assert_eq!(v["verdict"], "DIFFERENT");
    let ap = v["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "AP")
        .unwrap()
        .clone();
    assert_eq!(ap["within"], true);
}

#[test]
fn a_changed_input_is_named_and_nothing_is_rerun() {
    let server = Server::start();
    let repo = ir_repo();
    let id = run_ir_repo(repo.path(), &server.uri(), &[]);
    // One judgement changes in the (untracked) data.
    let path = repo.path().join("data/qrels.txt");
    let text = std::fs::read_to_string(&path).unwrap();
    let changed = text.replacen(" 1\n", " 0\n", 1);
    assert_ne!(changed, text);
    std::fs::write(&path, changed).unwrap();
    let r = repro(repo.path(), &server.uri(), &id, &[]);
    assert_eq!(r.status.code(), Some(2), "{}\n{}", stdout(&r), stderr(&r));
    let out = stdout(&r);
    assert!(out.starts_with("CANNOT: inputs differ"), "{out}");
    assert!(out.contains("data/qrels.txt changed"), "{out}");
    let r = repro(repo.path(), &server.uri(), &id, &["--format", "json"]);
    let v: Value = serde_json::from_str(&stdout(&r)).unwrap();
    assert_eq!(v["verdict"], "CANNOT");
    assert_eq!(v["repro_run_id"], Value::Null);
    let input = &v["inputs"][0];
    assert_eq!(input["path"], "data/qrels.txt");
    assert_eq!(input["same"], false);
    assert_eq!(
        input["recorded"],
        blake3::hash(text.as_bytes()).to_hex().to_string()
    );
    // No new run was made.
    let runs = server.json(
        "POST",
        "/api/2.0/mlflow/runs/search",
        Some(&json!({"experiment_ids": ["0"]})),
    );
    assert_eq!(runs["runs"].as_array().unwrap().len(), 1);
    // A deleted input is named too.
    std::fs::remove_file(&path).unwrap();
    let r = repro(repo.path(), &server.uri(), &id, &[]);
    assert_eq!(r.status.code(), Some(2));
    assert!(
        stdout(&r).contains("data/qrels.txt is missing"),
        "{}",
        stdout(&r)
    );
}

#[test]
fn runs_rigor_did_not_record_and_unknown_runs_cannot_be_reproduced() {
    let server = Server::start();
    let repo = repo(&[("x.txt", "x")]);
    let created = server.json(
        "POST",
        "/api/2.0/mlflow/runs/create",
        Some(&json!({"experiment_id": "0", "tags": [{"key": "mlflow.source.git.commit", "value": "abc"}]})),
    );
    let id = created["run"]["info"]["run_id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = repro(repo.path(), &server.uri(), &id, &[]);
    assert_eq!(r.status.code(), Some(2));
    assert!(
        stdout(&r).contains("was not recorded by `rigor run`"),
        "{}",
        stdout(&r)
    );
    one_line_error(
        &repro(repo.path(), &server.uri(), "0123456789abcdef", &[]),
        "no run \"0123456789abcdef\"",
    );
    one_line_error(
        &repro(repo.path(), "http://127.0.0.1:9", "abc", &[]),
        "unreachable",
    );
}

// ------------------------------------------------------------------ rigor kpi repro

/// A plain MLflow run (no rigor): params without a seed, a dataset input with a digest,
/// the git commit tag, a log artifact — through the official client when its venv can
/// be made, else through the same REST calls.
fn plain_mlflow_run(server: &Server, experiment: &str) {
    let script = format!(
        "import mlflow, pandas as pd\nmlflow.set_experiment('{experiment}')\n\
         with mlflow.start_run(run_name='plain', tags={{'mlflow.source.git.commit': 'abc123'}}):\n    \
         mlflow.log_param('lr', 0.1)\n    mlflow.log_metric('acc', 0.9)\n    \
         ds = mlflow.data.from_pandas(pd.DataFrame({{'x': [1, 2]}}), source='data.csv', name='train')\n    \
         mlflow.log_input(ds, context='training')\n    mlflow.log_text('epoch 1 ok\\n', 'train.log')\n"
    );
    if let Some(python) = mlflow_python("kpi plain-mlflow run") {
        let out = Command::new(&python)
            .args(["-c", &script])
            .env("MLFLOW_TRACKING_URI", server.uri())
            .env("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
            .env_remove("MLFLOW_RUN_ID")
            .output()
            .expect("python");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        return;
    }
    eprintln!("the plain run is made through MLflow's REST API instead of the Python client");
    let e = server.json(
        "POST",
        "/api/2.0/mlflow/experiments/create",
        Some(&json!({"name": experiment})),
    );
    let exp = e["experiment_id"].as_str().unwrap();
    let r = server.json(
        "POST",
        "/api/2.0/mlflow/runs/create",
        Some(&json!({"experiment_id": exp, "run_name": "plain",
                     "tags": [{"key": "mlflow.source.git.commit", "value": "abc123"}]})),
    );
    let id = r["run"]["info"]["run_id"].as_str().unwrap().to_string();
    server.json(
        "POST",
        "/api/2.0/mlflow/runs/log-parameter",
        Some(&json!({"run_id": id, "key": "lr", "value": "0.1"})),
    );
    server.json("POST", "/api/2.0/mlflow/runs/log-inputs", Some(&json!({"run_id": id, "datasets": [
        {"dataset": {"name": "train", "digest": "1234abcd", "source_type": "local", "source": "{}"}}]})));
    let uri = r["run"]["info"]["artifact_uri"]
        .as_str()
        .unwrap()
        .trim_start_matches("mlflow-artifacts:/")
        .to_string();
    let (status, _) = server.call(
        "PUT",
        &format!("/api/2.0/mlflow-artifacts/artifacts/{uri}/train.log"),
        None,
    );
    assert_eq!(status, 200);
}

#[test]
fn compliance_of_a_mixed_experiment_from_the_cli_and_the_server() {
    let server = Server::start();
    let repo = ir_repo();
    let rigor_run = run_ir_repo(repo.path(), &server.uri(), &["--experiment", "mixed"]);
    plain_mlflow_run(&server, "mixed");
    let runs = server.runs_of("mixed");
    assert_eq!(runs.len(), 2);
    let plain = runs
        .iter()
        .find(|r| r["info"]["run_id"] != rigor_run.as_str())
        .unwrap();
    let plain_id = plain["info"]["run_id"].as_str().unwrap();

    let k = rigor(
        repo.path(),
        &[
            "kpi",
            "repro",
            "--experiment",
            "mixed",
            "--format",
            "json",
            "--tracking-uri",
            &server.uri(),
        ],
    );
    assert_eq!(k.status.code(), Some(0), "{}", stderr(&k));
    let v: Value = serde_json::from_str(&stdout(&k)).unwrap();
    assert_eq!(
        (
            v["runs"].as_u64(),
            v["compliant"].as_u64(),
            v["percent"].as_f64()
        ),
        (Some(2), Some(1), Some(50.0))
    );
    let e = &v["experiments"][0];
    assert_eq!(e["name"], "mixed");
    assert_eq!(e["non_compliant"].as_array().unwrap().len(), 1);
    assert_eq!(e["non_compliant"][0]["run_id"], plain_id);
    assert_eq!(
        e["non_compliant"][0]["missing"],
        json!(["seed"]),
        "only the seed is missing"
    );

    let table = rigor(
        repo.path(),
        &[
            "kpi",
            "repro",
            "--experiment",
            "mixed",
            "--tracking-uri",
            &server.uri(),
        ],
    );
    let out = stdout(&table);
    assert!(out.contains("mixed") && out.contains("50.0%"), "{out}");
    assert!(
        out.lines()
            .any(|l| l.contains(plain_id) && l.ends_with("seed")),
        "{out}"
    );

    // The server's API computes the same figure with the same function.
    let id = e["experiment_id"].as_str().unwrap();
    let api = server.json(
        "GET",
        &format!("/api/2.0/rigor/kpi/repro?experiment_id={id}"),
        None,
    );
    assert_eq!(api["experiments"], v["experiments"]);
    assert_eq!(api["percent"], v["percent"]);
    let (status, body) = server.call("GET", "/api/2.0/rigor/kpi/repro?experiment_id=999", None);
    assert_eq!(status, 404, "{body}");

    one_line_error(
        &rigor(
            repo.path(),
            &[
                "kpi",
                "repro",
                "--experiment",
                "nope",
                "--tracking-uri",
                &server.uri(),
            ],
        ),
        "--experiment nope: no such experiment",
    );
}

#[test]
fn track_works_for_classify_drift_ab_and_several_hypotheses_through_the_same_helper() {
    let server = Server::start();
    let root = common::root();
    let dir = common::dir_with(&[(
        "c.csv",
        "label,pred,p1\n1,1,0.9\n0,0,0.2\n1,0,0.4\n0,1,0.6\n1,1,0.8\n0,0,0.1\n",
    )]);
    let uri = server.uri();
    let reference = root.join("examples/drift/reference.csv");
    let current = root.join("examples/drift/current.csv");
    let ab = root.join("examples/ab/experiment.csv");
    let text = |f: &str| root.join("examples/text").join(f).display().to_string();
    let cases: [(&str, Vec<String>, &str); 4] = [
        (
            "classify",
            vec![
                "eval".into(),
                "classify".into(),
                "--data".into(),
                "c.csv".into(),
                "--score".into(),
                "p1".into(),
            ],
            "accuracy.ci_low",
        ),
        (
            "drift",
            vec![
                "drift".into(),
                "--reference".into(),
                reference.display().to_string(),
                "--current".into(),
                current.display().to_string(),
            ],
            "dataset.share",
        ),
        (
            "ab",
            vec!["ab".into(), "--data".into(), ab.display().to_string()],
            "",
        ),
        // Several hypotheses: every system and the comparison are logged.
        (
            "text",
            vec![
                "eval".into(),
                "text".into(),
                "--hyp".into(),
                text("base.txt"),
                "--hyp".into(),
                text("finetuned.txt"),
                "--ref".into(),
                text("ref.txt"),
                "-m".into(),
                "BLEU".into(),
            ],
            "finetuned_vs_base/BLEU.p_adjusted",
        ),
    ];
    for (kind, args, expect) in cases {
        let mut args: Vec<&str> = args.iter().map(String::as_str).collect();
        args.extend(["--track", "--experiment", kind, "--tracking-uri", &uri]);
        let o = rigor(dir.path(), &args);
        assert_eq!(o.status.code(), Some(0), "{kind}: {}", stderr(&o));
        let runs = server.runs_of(kind);
        assert_eq!(runs.len(), 1, "{kind}");
        let run = &runs[0];
        let metrics = run["data"]["metrics"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert!(!metrics.is_empty(), "{kind}");
        if !expect.is_empty() {
            assert!(metric(run, expect).is_some(), "{kind}: {metrics:?}");
        }
        let artifact = format!("rigor/evidence-{kind}.json");
        let doc: Value =
            serde_json::from_str(&server.artifact(run, &artifact).expect("evidence")).unwrap();
        assert_eq!(doc["kind"], kind);
        assert!(
            !run["inputs"]["dataset_inputs"]
                .as_array()
                .unwrap()
                .is_empty(),
            "{kind}"
        );
    }
}

#[test]
fn repro_runs_in_the_same_subdirectory_and_refuses_a_diff_that_does_not_apply() {
    let server = Server::start();
    let repo = repo(&[
        (
            "sub/job.sh",
            "rigor eval text --hyp h.txt --ref r.txt -m chrF --no-ci --track\n",
        ),
        ("sub/h.txt", "the cat sat\n"),
        ("sub/r.txt", "the cat sat down\n"),
    ]);
    let sub = repo.path().join("sub");
    std::fs::write(sub.join("h.txt"), "the cat sat on\n").unwrap();
    let o = rigor(
        &sub,
        &[
            "run",
            "--tracking-uri",
            &server.uri(),
            "--seed",
            "0",
            "--input",
            "h.txt",
            "--",
            "sh",
            "job.sh",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let id = run_id(&o);
    let run = server.run(&id);
    assert_eq!(tag(&run, "rigor.git.subdir").as_deref(), Some("sub"));
    // From the repository's top: the same subdirectory of the checkout, the diff applied
    // (the input's recorded bytes are the uncommitted ones).
    git(repo.path(), &["checkout", "--", "sub/h.txt"]);
    let r = repro(repo.path(), &server.uri(), &id, &[]);
    assert_eq!(r.status.code(), Some(0), "{}\n{}", stdout(&r), stderr(&r));
    // A recorded diff that no longer applies: CANNOT, saying so.
    let uri = run["info"]["artifact_uri"]
        .as_str()
        .unwrap()
        .trim_start_matches("mlflow-artifacts:/")
        .to_string();
    let bogus = json!("not a patch").to_string();
    let (status, _) = server.call(
        "PUT",
        &format!("/api/2.0/mlflow-artifacts/artifacts/{uri}/rigor/git.diff"),
        Some(&Value::String(bogus)),
    );
    assert_eq!(status, 200);
    let r = repro(repo.path(), &server.uri(), &id, &[]);
    assert_eq!(r.status.code(), Some(2), "{}\n{}", stdout(&r), stderr(&r));
    assert!(
        stdout(&r).starts_with("CANNOT: the recorded diff does not apply"),
        "{}",
        stdout(&r)
    );
}
