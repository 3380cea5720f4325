//! The `rigor` binary: command-line definitions and wiring only. Each command parses
//! its arguments, calls the library crates and maps errors to CONTRACT.md's exit codes.

mod ab;
mod comparisons;
mod drift;
mod eval_classify;
mod eval_ir;
mod eval_text;
mod evidence_args;
mod gate;
mod kpi;
mod output;
mod progress;
mod report;
mod repro;
mod run;
mod server;
mod tracking;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// mimalloc rather than glibc's allocator: glibc returns large freed blocks to the OS
/// and faults fresh zeroed pages in for the next, which made a tenth of `eval ir`'s
/// time page faults and mmap lock contention between the pool threads.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// rigor — decision-quality evidence for ML research teams.
///
/// Offline evaluation exact to the reference implementations, with confidence
/// intervals and paired significance tests by default.
#[derive(Parser)]
#[command(name = "rigor", version, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Evaluate system outputs against references.
    #[command(subcommand)]
    Eval(Eval),
    /// Data drift between a reference and a current file, Evidently 0.7's verdicts
    /// and more.
    Drift(drift::DriftArgs),
    /// Online experiment (A/B test) analysis: SRM, CUPED, ratios, guardrails,
    /// sequential intervals; `rigor ab power` for sample sizes.
    Ab(Box<ab::AbCommand>),
    /// MLflow-compatible tracking server on an embedded SQLite store.
    Server(server::ServerArgs),
    /// Release gate: a policy of criteria against evidence; GO (exit 0) or NO-GO (exit 1).
    Gate(gate::GateArgs),
    /// Decision readout: the decision first, then the evidence, as one HTML file or Markdown.
    Report(report::ReportArgs),
    /// Model card (Mitchell et al. 2019) filled from evidence; missing fields listed, never invented.
    Card(report::CardArgs),
    /// Run a command as a tracked, reproducible MLflow run: code version, seed, input
    /// digests, environment, logs, resources, exit status.
    Run(run::RunArgs),
    /// Re-run a recorded run from its commit, diff and inputs, and compare every
    /// metric: REPRODUCED (exit 0), DIFFERENT (1) or CANNOT (2).
    Repro(repro::ReproArgs),
    /// Research KPIs computed from what was tracked (`rigor kpi repro`: reproducibility
    /// compliance per experiment).
    #[command(subcommand)]
    Kpi(kpi::KpiCommand),
}

#[derive(Subcommand)]
enum Eval {
    /// Ranking evaluation exact to trec_eval 9 (pytrec_eval), with bootstrap CIs.
    Ir(eval_ir::IrArgs),
    /// Classification, calibration and fairness exact to scikit-learn and Fairlearn,
    /// with bootstrap CIs.
    Classify(eval_classify::ClassifyArgs),
    /// Text generation metrics exact to sacrebleu, rouge-score and SQuAD v1.1, with
    /// bootstrap CIs over segments.
    Text(eval_text::TextArgs),
}

/// A failure, classified for the exit code.
#[derive(Debug)]
pub enum Failure {
    /// Bad input or usage (exit 2).
    Input(String),
    /// Internal or I/O failure (exit 3).
    Internal(String),
}

impl From<rigor_io::Error> for Failure {
    fn from(e: rigor_io::Error) -> Failure {
        if e.is_bad_input() {
            Failure::Input(e.to_string())
        } else {
            Failure::Internal(e.to_string())
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Eval(Eval::Ir(args)) => eval_ir::run(args),
        Command::Eval(Eval::Classify(args)) => eval_classify::run(args),
        Command::Drift(args) => drift::run(args),
        Command::Ab(cmd) => ab::run(*cmd),
        Command::Eval(Eval::Text(args)) => eval_text::run(args),
        Command::Server(args) => server::run(args),
        Command::Gate(args) => gate::run(args),
        Command::Report(args) => report::run_report(args),
        Command::Card(args) => report::run_card(args),
        Command::Run(args) => run::run(args),
        Command::Repro(args) => repro::run(args),
        Command::Kpi(cmd) => kpi::run(cmd),
    };
    match result {
        Ok(code) => code,
        Err(Failure::Input(msg)) => {
            eprintln!("error: {msg}");
            ExitCode::from(2)
        }
        Err(Failure::Internal(msg)) => {
            if msg.contains("Broken pipe") {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {msg}");
            ExitCode::from(3)
        }
    }
}
