//! `rigor run`: wiring from the command line to rigor-track's recorder, on the
//! tracking server [`crate::tracking`] resolves.

use std::path::PathBuf;
use std::process::ExitCode;

use rigor_track::record::{record, RunSpec};

use crate::tracking::{connect, track_failure};
use crate::Failure;

#[derive(clap::Args, Debug)]
#[command(after_help = "\
Records on one MLflow run: git commit, branch, dirty flag and `git diff HEAD`
(mlflow.source.git.* tags, rigor/git.diff), the command line and working directory,
the seed (param `seed`, exported as RIGOR_SEED), each --input's BLAKE3 digest as a
dataset input, the environment (OS, CPU, lock-file digests, pip freeze), the command's
stdout and stderr (streamed live and saved as artifacts), wall time, CPU time and peak
memory as metrics, and its exit as the run's status (FINISHED, FAILED, or KILLED after
Ctrl-C). The command sees MLFLOW_TRACKING_URI and MLFLOW_RUN_ID, so its own MLflow
calls land in the same run. rigor run exits with the command's exit code.

Tracking server: --tracking-uri, else MLFLOW_TRACKING_URI, else the store `rigor server`
uses by default (sqlite:///rigor.db and ./rigor-artifacts), served in-process while the
command runs.

Examples:
  rigor run --seed 1 --input data/train.csv -- python train.py --lr 0.1
  rigor run --experiment bm25 --seed 0 --input examples/qrels.txt -- \\
      rigor eval ir --qrels examples/qrels.txt --run examples/bm25.run --track")]
pub struct RunArgs {
    /// Experiment to record the run in (created if missing). Default:
    /// MLFLOW_EXPERIMENT_NAME, else MLflow's `Default` experiment.
    #[arg(long, value_name = "NAME")]
    experiment: Option<String>,

    /// Name of the run.
    #[arg(long, value_name = "NAME")]
    run_name: Option<String>,

    /// Seed for the command: logged as param `seed`, exported as RIGOR_SEED.
    #[arg(long, value_name = "S")]
    seed: Option<u64>,

    /// An input file or directory to hash and record (repeatable). A directory's
    /// digest covers every file under it, by relative path.
    #[arg(long = "input", value_name = "PATH")]
    inputs: Vec<String>,

    /// A param to log (repeatable).
    #[arg(long = "param", value_name = "KEY=VALUE", value_parser = parse_param)]
    params: Vec<(String, String)>,

    /// Tracking server (http://HOST:PORT) or store URI (sqlite:///PATH, postgresql://…).
    #[arg(long, value_name = "URI")]
    tracking_uri: Option<String>,

    /// The command and its arguments (after --).
    #[arg(
        required = true,
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "CMD"
    )]
    command: Vec<String>,
}

fn parse_param(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.to_string())),
        _ => Err(format!("expected KEY=VALUE, got {s:?}")),
    }
}

/// The exit code of a process as an `ExitCode` (0–255).
pub fn exit_code(code: i32) -> ExitCode {
    ExitCode::from(code.clamp(0, 255) as u8)
}

pub fn run(args: RunArgs) -> Result<ExitCode, Failure> {
    let cwd: PathBuf = std::env::current_dir()
        .map_err(|e| Failure::Internal(format!("working directory: {e}")))?;
    // A param logged twice with two values would be refused by the server mid-run.
    let mut keys: Vec<&str> = args.params.iter().map(|(k, _)| k.as_str()).collect();
    if args.seed.is_some() {
        keys.push("seed");
    }
    keys.sort_unstable();
    if let Some(dup) = keys.windows(2).find(|w| w[0] == w[1]) {
        return Err(Failure::Input(format!(
            "--param {}: given twice (--seed is logged as param `seed`)",
            dup[0]
        )));
    }
    // Missing inputs are reported before anything else (no server needed to say so).
    for path in &args.inputs {
        if !cwd.join(path).exists() {
            return Err(Failure::Input(format!(
                "--input {path}: no such file or directory"
            )));
        }
    }
    let tracking = connect(args.tracking_uri.as_deref())?;
    let spec = RunSpec {
        experiment: args.experiment.or_else(|| {
            std::env::var("MLFLOW_EXPERIMENT_NAME")
                .ok()
                .filter(|s| !s.is_empty())
        }),
        run_name: args.run_name,
        seed: args.seed.map(|s| s.to_string()),
        inputs: args.inputs,
        params: args.params,
        command: args.command,
        cwd,
        extra_tags: Vec::new(),
        experiment_id: None,
        echo: Default::default(),
    };
    let where_ = tracking.describe();
    let done = record(&tracking.client, &spec, |run| {
        eprintln!(
            "rigor run: run {} (experiment {}) on {where_}",
            run.info.run_id, run.info.experiment_id
        );
    })
    .map_err(track_failure)?;
    eprintln!(
        "rigor run: run {} {} (exit {}) in {:.2} s",
        done.run_id,
        done.status.as_str(),
        done.outcome.code(),
        done.outcome.wall_seconds
    );
    Ok(exit_code(done.outcome.code()))
}
