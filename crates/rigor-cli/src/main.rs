//! The `rigor` binary: command-line definitions and wiring only. Each command parses
//! its arguments, calls the library crates and maps errors to CONTRACT.md's exit codes.

mod ab;
mod drift;
mod eval_classify;
mod eval_ir;
mod output;
mod progress;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

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
}

#[derive(Subcommand)]
enum Eval {
    /// Ranking evaluation exact to trec_eval 9 (pytrec_eval), with bootstrap CIs.
    Ir(eval_ir::IrArgs),
    /// Classification, calibration and fairness exact to scikit-learn and Fairlearn,
    /// with bootstrap CIs.
    Classify(eval_classify::ClassifyArgs),
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
