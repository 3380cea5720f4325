//! `rigor kpi`: research KPIs from what was tracked. `rigor kpi repro` fetches runs
//! over MLflow's REST API (so it works against any MLflow server) and computes the
//! figure with [`rigor_store::kpi`], the function behind the server's
//! `GET /api/2.0/rigor/kpi/repro`.

use std::process::ExitCode;

use rigor_store::kpi::{self, ExperimentCompliance};
use serde_json::json;

use crate::output::table;
use crate::tracking::{connect, track_failure};
use crate::Failure;

#[derive(clap::Subcommand, Debug)]
pub enum KpiCommand {
    /// Reproducibility compliance: the share of runs that carry a code version (git
    /// commit), config (a param), a seed, digests of their inputs and their logs.
    #[command(after_help = "\
A run is compliant when it has all five:
  code_version   tag mlflow.source.git.commit
  config         at least one param
  seed           param `seed` (or tag rigor.seed / seed)
  input_digests  at least one dataset input, each with a digest
  logs           tag rigor.logs, or a stdout/stderr/*.log artifact
Runs logged by plain MLflow clients are judged by the same rule. The same figure is
served at GET /api/2.0/rigor/kpi/repro?experiment_id=ID by `rigor server`.

Examples:
  rigor kpi repro
  rigor kpi repro --experiment bm25 --format json")]
    Repro(ReproKpiArgs),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum KpiFormat {
    Table,
    Json,
}

#[derive(clap::Args, Debug)]
pub struct ReproKpiArgs {
    /// Only this experiment (default: every active experiment).
    #[arg(long, value_name = "NAME")]
    experiment: Option<String>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = KpiFormat::Table)]
    format: KpiFormat,

    /// Tracking server (http://HOST:PORT) or store URI; default MLFLOW_TRACKING_URI,
    /// else sqlite:///rigor.db served in-process.
    #[arg(long, value_name = "URI")]
    tracking_uri: Option<String>,
}

pub fn run(cmd: KpiCommand) -> Result<ExitCode, Failure> {
    match cmd {
        KpiCommand::Repro(args) => repro(args),
    }
}

fn repro(args: ReproKpiArgs) -> Result<ExitCode, Failure> {
    let tracking = connect(args.tracking_uri.as_deref())?;
    let client = &tracking.client;
    let experiments = match &args.experiment {
        Some(name) => match client.experiment_by_name(name).map_err(track_failure)? {
            Some(e) => vec![e],
            None => {
                return Err(Failure::Input(format!(
                    "--experiment {name}: no such experiment on {}",
                    tracking.describe()
                )))
            }
        },
        None => client.experiments().map_err(track_failure)?,
    };
    let mut results = Vec::new();
    for e in &experiments {
        let runs = client
            .search_runs(std::slice::from_ref(&e.experiment_id))
            .map_err(track_failure)?;
        let mut judged = Vec::with_capacity(runs.len());
        for run in runs {
            let logs = kpi::has_log_tag(&run) || {
                let mut found = false;
                for dir in ["", "rigor"] {
                    let names = client.list_artifacts(&run, dir).unwrap_or_default();
                    found |= names.iter().any(|n| kpi::is_log_artifact(n));
                }
                found
            };
            judged.push((run, logs));
        }
        results.push(kpi::repro_compliance(e, &judged));
    }
    let text = match args.format {
        KpiFormat::Json => {
            let runs: usize = results.iter().map(|e| e.runs).sum();
            let compliant: usize = results.iter().map(|e| e.compliant).sum();
            let doc = json!({
                "runs": runs,
                "compliant": compliant,
                "percent": (runs > 0).then(|| 100.0 * compliant as f64 / runs as f64),
                "experiments": results,
            });
            let mut s = serde_json::to_string_pretty(&doc)
                .map_err(|e| Failure::Internal(format!("serialising JSON: {e}")))?;
            s.push('\n');
            s
        }
        KpiFormat::Table => render(&results),
    };
    print!("{text}");
    Ok(ExitCode::SUCCESS)
}

fn render(results: &[ExperimentCompliance]) -> String {
    let rows: Vec<Vec<String>> = results
        .iter()
        .map(|e| {
            vec![
                e.name.clone(),
                e.runs.to_string(),
                e.compliant.to_string(),
                e.percent
                    .map_or_else(|| "—".to_string(), |p| format!("{p:.1}%")),
            ]
        })
        .collect();
    let mut out = String::from("reproducibility compliance\n\n");
    out.push_str(&table(
        &["experiment", "runs", "compliant", "compliant %"].map(String::from),
        &rows,
    ));
    let gaps: Vec<Vec<String>> = results
        .iter()
        .flat_map(|e| {
            e.non_compliant.iter().map(|r| {
                vec![
                    e.name.clone(),
                    r.run_id.clone(),
                    r.run_name.clone(),
                    r.missing
                        .iter()
                        .map(|m| m.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                ]
            })
        })
        .collect();
    if !gaps.is_empty() {
        out.push_str("\nnon-compliant runs\n\n");
        out.push_str(&table(
            &["experiment", "run", "name", "missing"].map(String::from),
            &gaps,
        ));
    }
    out
}
