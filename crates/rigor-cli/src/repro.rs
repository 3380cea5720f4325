//! `rigor repro`: wiring from the command line to rigor-track's reproduction, and its
//! verdict rendered as text or JSON. Exit 0 REPRODUCED, 1 DIFFERENT, 2 CANNOT.

use std::process::ExitCode;

use rigor_track::repro::{reproduce, Report, Verdict};
use rigor_track::supervise::Echo;
use serde_json::json;

use crate::output::table;
use crate::tracking::{connect, track_failure};
use crate::Failure;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ReproFormat {
    Table,
    Json,
}

#[derive(clap::Args, Debug)]
#[command(after_help = "\
Checks out the run's recorded commit into a temporary git worktree, applies its
recorded diff, checks every input's digest (a changed or missing input: CANNOT, naming
it), re-runs the command in the same directory of the checkout with the same seed and
params under a new run tagged rigor.repro_of=RUN_ID, and compares every metric's latest
value: |original - new| <= tolerance. rigor's own timings (rigor.*) are not compared.

Exit: 0 REPRODUCED, 1 DIFFERENT, 2 CANNOT (or bad input).

Example:
  rigor run --seed 1 --input examples/qrels.txt -- rigor eval ir --qrels examples/qrels.txt \\
      --run examples/bm25.run --track
  rigor repro <RUN_ID>")]
pub struct ReproArgs {
    /// The run to reproduce (recorded by `rigor run`).
    run_id: String,

    /// Largest absolute difference between a metric's values that still reproduces.
    #[arg(long, default_value_t = 1e-9, value_name = "X")]
    tolerance: f64,

    /// Output format.
    #[arg(long, value_enum, default_value_t = ReproFormat::Table)]
    format: ReproFormat,

    /// Tracking server (http://HOST:PORT) or store URI; default MLFLOW_TRACKING_URI,
    /// else sqlite:///rigor.db served in-process.
    #[arg(long, value_name = "URI")]
    tracking_uri: Option<String>,
}

pub fn run(args: ReproArgs) -> Result<ExitCode, Failure> {
    if args.tolerance.is_nan() || args.tolerance < 0.0 {
        return Err(Failure::Input(format!(
            "--tolerance {}: must be a number >= 0",
            args.tolerance
        )));
    }
    let tracking = connect(args.tracking_uri.as_deref())?;
    let cwd = std::env::current_dir()
        .map_err(|e| Failure::Internal(format!("working directory: {e}")))?;
    let echo = match args.format {
        ReproFormat::Json => Echo::Stderr,
        ReproFormat::Table => Echo::Stdout,
    };
    let report = reproduce(
        &tracking.client,
        &args.run_id,
        args.tolerance,
        &cwd,
        echo,
        |run| {
            eprintln!(
                "rigor repro: re-running run {} as run {} on {}",
                args.run_id,
                run.info.run_id,
                tracking.describe()
            );
        },
    )
    .map_err(track_failure)?;
    let text = match args.format {
        ReproFormat::Json => {
            let mut s = serde_json::to_string_pretty(&to_json(&report))
                .map_err(|e| Failure::Internal(format!("serialising JSON: {e}")))?;
            s.push('\n');
            s
        }
        ReproFormat::Table => render(&report),
    };
    print!("{text}");
    Ok(ExitCode::from(match report.verdict {
        Verdict::Reproduced => 0,
        Verdict::Different => 1,
        Verdict::Cannot => 2,
    }))
}

fn num(v: Option<f64>) -> serde_json::Value {
    match v {
        Some(x) if x.is_finite() => json!(x),
        _ => serde_json::Value::Null,
    }
}

fn to_json(r: &Report) -> serde_json::Value {
    json!({
        "verdict": r.verdict.as_str(),
        "run_id": r.run_id,
        "repro_run_id": r.repro_run_id,
        "tolerance": r.tolerance,
        "reasons": r.reasons,
        "inputs": r.inputs.iter().map(|i| json!({
            "path": i.path, "recorded": i.recorded, "now": i.now, "same": i.same(),
        })).collect::<Vec<_>>(),
        "metrics": r.metrics.iter().map(|m| json!({
            "name": m.name, "original": num(m.original), "new": num(m.new),
            "delta": num(m.delta), "within": m.within,
        })).collect::<Vec<_>>(),
    })
}

fn show(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_string(), |x| format!("{x}"))
}

fn render(r: &Report) -> String {
    let mut out = String::new();
    match r.verdict {
        Verdict::Cannot => {
            out.push_str(&format!("CANNOT: {}\n", r.reasons.join("; ")));
            return out;
        }
        Verdict::Reproduced => out.push_str(&format!(
            "REPRODUCED: run {} reproduces run {} ({} metrics within {:e})\n",
            r.repro_run_id.as_deref().unwrap_or("?"),
            r.run_id,
            r.metrics.len(),
            r.tolerance
        )),
        Verdict::Different => {
            let n = r.metrics.iter().filter(|m| !m.within).count();
            out.push_str(&format!(
                "DIFFERENT: run {} differs from run {} ({n} of {} metrics beyond {:e}{})\n",
                r.repro_run_id.as_deref().unwrap_or("?"),
                r.run_id,
                r.metrics.len(),
                r.tolerance,
                if r.reasons.is_empty() {
                    String::new()
                } else {
                    format!("; {}", r.reasons.join("; "))
                }
            ));
            let rows: Vec<Vec<String>> = r
                .metrics
                .iter()
                .filter(|m| !m.within)
                .map(|m| vec![m.name.clone(), show(m.original), show(m.new), show(m.delta)])
                .collect();
            if !rows.is_empty() {
                out.push('\n');
                out.push_str(&table(
                    &["metric", "original", "new", "delta"].map(String::from),
                    &rows,
                ));
            }
        }
    }
    out
}
