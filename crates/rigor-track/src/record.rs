//! `rigor run`'s recording: everything a reproduction needs, on one MLflow run.
//!
//! Before the command starts: the inputs are hashed (a missing one stops everything
//! before a run exists), then the run is created with the code version (MLflow's own
//! `mlflow.source.*` tag names, plus `rigor.git.*`), the command line, the working
//! directory, the seed, params, the environment, and the inputs as dataset inputs.
//! The command then runs with `MLFLOW_TRACKING_URI` and `MLFLOW_RUN_ID` exported, so an
//! MLflow client inside it logs to the same run. Afterwards: its output as artifacts,
//! its resources as metrics, its exit as the run's status.
//!
//! Artifacts live under `rigor/` in the run: `command.json`, `git.diff` (when tracked
//! files differ from the commit), `untracked.txt`, `environment.json`,
//! `pip-freeze.txt`, `stdout.txt`, `stderr.txt`.

use std::path::{Path, PathBuf};

use rigor_store::{DatasetInput, Metric, Param, Run, RunStatus, Tag};
use serde_json::json;

use crate::client::Client;
use crate::error::{Error, Result};
use crate::supervise::Outcome;
use crate::{environment, git, inputs, supervise};

/// The artifact holding the command's standard output.
pub const STDOUT_ARTIFACT: &str = "rigor/stdout.txt";
/// The artifact holding the command's standard error.
pub const STDERR_ARTIFACT: &str = "rigor/stderr.txt";
/// The artifact holding `git diff HEAD --binary` of a dirty working tree.
pub const DIFF_ARTIFACT: &str = "rigor/git.diff";

/// What to run and record.
#[derive(Debug, Clone, Default)]
pub struct RunSpec {
    /// Experiment name; `None` is MLflow's `Default` experiment (id 0).
    pub experiment: Option<String>,
    pub run_name: Option<String>,
    pub seed: Option<String>,
    /// Files or directories, as given (relative to `cwd` or absolute).
    pub inputs: Vec<String>,
    pub params: Vec<(String, String)>,
    pub command: Vec<String>,
    pub cwd: PathBuf,
    /// Tags added to the run (e.g. `rigor.repro_of`).
    pub extra_tags: Vec<Tag>,
    /// An experiment id, taking precedence over `experiment` (a reproduction goes to
    /// the original's experiment).
    pub experiment_id: Option<String>,
    /// Where the command's stdout is shown.
    pub echo: supervise::Echo,
}

/// A finished recording.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub run_id: String,
    pub status: RunStatus,
    pub outcome: Outcome,
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// Checks that `program` can be started from `cwd`, so that a typo is reported before
/// a run is created.
fn check_program(program: &str, cwd: &Path) -> Result<()> {
    let found = if program.contains('/') {
        cwd.join(program).is_file()
    } else {
        std::env::var_os("PATH").is_some_and(|path| {
            std::env::split_paths(&path).any(|dir| {
                let p = dir.join(program);
                p.is_file()
                    && std::fs::metadata(&p)
                        .map(|m| {
                            std::os::unix::fs::PermissionsExt::mode(&m.permissions()) & 0o111 != 0
                        })
                        .unwrap_or(false)
            })
        })
    };
    if found {
        Ok(())
    } else {
        Err(Error::Input(format!("command not found: {program}")))
    }
}

/// The user running rigor, as MLflow's client finds it.
fn user() -> String {
    ["USER", "LOGNAME", "USERNAME"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
        .or_else(|| {
            let out = std::process::Command::new("id").arg("-un").output().ok()?;
            let name = String::from_utf8_lossy(&out.stdout).trim().to_string();
            (out.status.success() && !name.is_empty()).then_some(name)
        })
        .unwrap_or_else(|| "unknown".to_string())
}

/// Runs `spec.command` under a new run on `client`'s server. `on_start` is called
/// once the run exists, before the command starts (to print its id).
pub fn record(client: &Client, spec: &RunSpec, on_start: impl FnOnce(&Run)) -> Result<Recorded> {
    let program = spec
        .command
        .first()
        .ok_or_else(|| Error::Input("no command to run (give it after --)".into()))?;
    check_program(program, &spec.cwd)?;
    let mut datasets: Vec<DatasetInput> = Vec::new();
    for path in &spec.inputs {
        datasets.push(inputs::dataset_input(&spec.cwd, path, "input")?.0);
    }
    let git = git::state(&spec.cwd)?;
    let env = environment::capture(&spec.cwd);
    let experiment_id = match (&spec.experiment_id, &spec.experiment) {
        (Some(id), _) => id.clone(),
        (None, Some(name)) => client.experiment_id(name)?,
        (None, None) => "0".to_string(),
    };

    let command_json = serde_json::to_string(&spec.command)
        .map_err(|e| Error::Io(format!("serialising the command: {e}")))?;
    let mut tags = vec![
        Tag::new("mlflow.source.type", "LOCAL"),
        Tag::new("mlflow.source.name", spec.command.join(" ")),
        Tag::new("mlflow.user", user()),
        Tag::new("rigor.command", &command_json),
        Tag::new("rigor.cwd", spec.cwd.display().to_string()),
        Tag::new("rigor.version", &env.rigor_version),
        Tag::new("rigor.os", &env.os),
        Tag::new("rigor.cpus", env.cpus.to_string()),
    ];
    if let Some(cpu) = &env.cpu {
        tags.push(Tag::new("rigor.cpu", cpu));
    }
    if let Some(host) = &env.hostname {
        tags.push(Tag::new("rigor.host", host));
    }
    for (name, digest) in &env.lock_files {
        tags.push(Tag::new(format!("rigor.lock.{name}"), digest));
    }
    if let Some(seed) = &spec.seed {
        tags.push(Tag::new("rigor.seed", seed));
    }
    if !spec.params.is_empty() {
        let keys: Vec<&str> = spec.params.iter().map(|(k, _)| k.as_str()).collect();
        tags.push(Tag::new(
            "rigor.params",
            serde_json::to_string(&keys).unwrap_or_default(),
        ));
    }
    match &git {
        Some(g) => {
            if let Some(c) = &g.commit {
                tags.push(Tag::new("mlflow.source.git.commit", c));
            }
            if let Some(b) = &g.branch {
                tags.push(Tag::new("mlflow.source.git.branch", b));
            }
            if let Some(r) = &g.remote {
                tags.push(Tag::new("mlflow.source.git.repoURL", r));
            }
            tags.push(Tag::new("rigor.git.root", g.root.display().to_string()));
            tags.push(Tag::new("rigor.git.subdir", &g.subdir));
            tags.push(Tag::new("rigor.git.dirty", g.dirty.to_string()));
            if g.dirty && !g.diff.is_empty() {
                tags.push(Tag::new("rigor.git.diff", DIFF_ARTIFACT));
            }
        }
        None => eprintln!(
            "rigor run: warning: {} is not in a git repository: no code version recorded",
            spec.cwd.display()
        ),
    }
    tags.extend(spec.extra_tags.iter().cloned());
    let run = client.create_run(&experiment_id, spec.run_name.as_deref(), now_ms(), &tags)?;
    let run_id = run.info.run_id.clone();
    on_start(&run);

    // From here on a failure leaves the run FAILED with the reason, never RUNNING.
    let result = record_in(client, spec, &run, &datasets, git.as_ref(), &env);
    if let Err(e) = &result {
        let _ = client.log_batch(&run_id, &[], &[], &[Tag::new("rigor.error", e.to_string())]);
        let _ = client.end_run(&run_id, RunStatus::Failed, now_ms());
    }
    result
}

fn record_in(
    client: &Client,
    spec: &RunSpec,
    run: &Run,
    datasets: &[DatasetInput],
    git: Option<&git::GitState>,
    env: &environment::Environment,
) -> Result<Recorded> {
    let run_id = &run.info.run_id;
    let mut params: Vec<Param> = spec
        .params
        .iter()
        .map(|(k, v)| Tag::new(k.as_str(), v.as_str()))
        .collect();
    if let Some(seed) = &spec.seed {
        params.push(Tag::new("seed", seed));
    }
    client.log_batch(run_id, &[], &params, &[])?;
    client.log_inputs(run_id, datasets)?;

    let json_bytes =
        |v: serde_json::Value| -> Vec<u8> { serde_json::to_vec_pretty(&v).unwrap_or_default() };
    client.upload_bytes(
        run,
        "rigor/command.json",
        &json_bytes(json!({
            "command": spec.command,
            "cwd": spec.cwd.display().to_string(),
            "git_subdir": git.map(|g| g.subdir.clone()),
            "seed": spec.seed,
            "inputs": spec.inputs,
        })),
    )?;
    if let Some(g) = git {
        if g.dirty && !g.diff.is_empty() {
            client.upload_bytes(run, DIFF_ARTIFACT, &g.diff)?;
        }
        if !g.untracked.is_empty() {
            let mut list = g.untracked.join("\n");
            list.push('\n');
            client.upload_bytes(run, "rigor/untracked.txt", list.as_bytes())?;
        }
    }
    client.upload_bytes(run, "rigor/environment.json", &json_bytes(json!({
        "os": env.os,
        "cpu": env.cpu,
        "cpus": env.cpus,
        "rigor_version": env.rigor_version,
        "hostname": env.hostname,
        "lock_files": env.lock_files.iter().map(|(n, d)| json!({"file": n, "blake3": d})).collect::<Vec<_>>(),
    })))?;
    if let Some(freeze) = &env.pip_freeze {
        client.upload_bytes(run, "rigor/pip-freeze.txt", freeze.as_bytes())?;
    }

    let logs = tempfile::tempdir().map_err(|e| Error::Io(format!("temporary directory: {e}")))?;
    let (out_log, err_log) = (
        logs.path().join("stdout.txt"),
        logs.path().join("stderr.txt"),
    );
    let mut child_env = vec![
        ("MLFLOW_TRACKING_URI".to_string(), client.uri().to_string()),
        ("MLFLOW_RUN_ID".to_string(), run_id.clone()),
        (
            "MLFLOW_EXPERIMENT_ID".to_string(),
            run.info.experiment_id.clone(),
        ),
    ];
    if let Some(seed) = &spec.seed {
        child_env.push(("RIGOR_SEED".to_string(), seed.clone()));
    }
    // Python buffers a piped stdout; unbuffered, its output streams live.
    if std::env::var_os("PYTHONUNBUFFERED").is_none() {
        child_env.push(("PYTHONUNBUFFERED".to_string(), "1".to_string()));
    }
    let outcome = supervise::run_echo(
        &spec.command,
        &spec.cwd,
        &child_env,
        &out_log,
        &err_log,
        spec.echo,
    );
    let outcome = outcome?;
    client.upload_file(run, STDOUT_ARTIFACT, &out_log)?;
    client.upload_file(run, STDERR_ARTIFACT, &err_log)?;

    let now = now_ms();
    let metrics = vec![
        Metric::new("rigor.wall_seconds", outcome.wall_seconds, now, 0),
        Metric::new("rigor.cpu_seconds", outcome.cpu_seconds, now, 0),
        Metric::new(
            "rigor.peak_rss_bytes",
            outcome.peak_rss_bytes as f64,
            now,
            0,
        ),
    ];
    let mut tags = vec![
        Tag::new("rigor.exit_code", outcome.code().to_string()),
        Tag::new("rigor.logs", format!("{STDOUT_ARTIFACT} {STDERR_ARTIFACT}")),
    ];
    if let Some(s) = outcome.signal {
        tags.push(Tag::new("rigor.signal", s.to_string()));
    }
    let status = if outcome.interrupted {
        tags.push(Tag::new("rigor.interrupted", "true"));
        RunStatus::Killed
    } else if outcome.exit_code == Some(0) {
        RunStatus::Finished
    } else {
        RunStatus::Failed
    };
    client.log_batch(run_id, &metrics, &[], &tags)?;
    client.end_run(run_id, status, now_ms())?;
    Ok(Recorded {
        run_id: run_id.clone(),
        status,
        outcome,
    })
}

/// Where `--track` logs: an existing run, or a new run in an experiment (`None`: the
/// `Default` experiment).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Run(String),
    Experiment(Option<String>),
}

/// Logs an evaluator's evidence: its metrics ([`crate::evidence::metrics`]), its inputs
/// as dataset inputs, the whole document as artifact `rigor/evidence-KIND.json`. A new
/// run also gets the code version, the command and the seed, and ends FINISHED; an
/// existing run is left as it is (`rigor run` ends its own). Returns the run id and
/// the number of metrics.
pub fn log_evidence(
    client: &Client,
    target: &Target,
    evidence: &serde_json::Value,
    cwd: &Path,
) -> Result<(String, usize)> {
    let kind = evidence["kind"].as_str().unwrap_or("evidence").to_string();
    let command: Vec<String> = evidence["command"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect();
    let (run, created) = match target {
        Target::Run(id) => (client.get_run(id)?, false),
        Target::Experiment(name) => {
            let experiment_id = match name {
                Some(n) => client.experiment_id(n)?,
                None => "0".to_string(),
            };
            let mut tags = vec![
                Tag::new("mlflow.source.type", "LOCAL"),
                Tag::new("mlflow.source.name", command.join(" ")),
                Tag::new("mlflow.user", user()),
                Tag::new(
                    "rigor.command",
                    serde_json::to_string(&command).unwrap_or_default(),
                ),
                Tag::new("rigor.cwd", cwd.display().to_string()),
                // The evidence is this run's output: its log.
                Tag::new("rigor.logs", format!("rigor/evidence-{kind}.json")),
            ];
            if let Some(g) = git::state(cwd)? {
                if let Some(c) = g.commit {
                    tags.push(Tag::new("mlflow.source.git.commit", c));
                }
                if let Some(b) = g.branch {
                    tags.push(Tag::new("mlflow.source.git.branch", b));
                }
                tags.push(Tag::new("rigor.git.dirty", g.dirty.to_string()));
            }
            if let Some(seed) = evidence["seed"].as_u64() {
                tags.push(Tag::new("rigor.seed", seed.to_string()));
            }
            (
                client.create_run(&experiment_id, None, now_ms(), &tags)?,
                true,
            )
        }
    };
    let run_id = run.info.run_id.clone();
    let now = now_ms();
    let metrics: Vec<Metric> = crate::evidence::metrics(evidence)
        .into_iter()
        .map(|(k, v)| Metric::new(k, v, now, 0))
        .collect();
    let artifact = format!("rigor/evidence-{kind}.json");
    let params: Vec<Param> = match (created, evidence["seed"].as_u64()) {
        (true, Some(seed)) => vec![Tag::new("seed", seed.to_string())],
        _ => Vec::new(),
    };
    client.log_batch(
        &run_id,
        &metrics,
        &params,
        &[Tag::new(format!("rigor.evidence.{kind}"), &artifact)],
    )?;
    client.log_inputs(&run_id, &crate::evidence::dataset_inputs(evidence))?;
    let body = serde_json::to_vec_pretty(evidence)
        .map_err(|e| Error::Io(format!("serialising evidence: {e}")))?;
    client.upload_bytes(&run, &artifact, &body)?;
    if created {
        client.end_run(&run_id, RunStatus::Finished, now_ms())?;
    }
    Ok((run_id, metrics.len()))
}
