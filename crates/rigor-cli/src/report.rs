//! `rigor report` (a decision readout) and `rigor card` (a model card): evidence, and
//! optionally a policy, rendered to one self-contained HTML file or Markdown.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use rigor_gate::decide;
use rigor_report::card::{self, Card};
use rigor_report::readout::Readout;

use crate::evidence_args::{self, gate_failure, Disk};
use crate::output::emit;
use crate::Failure;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum PageFormat {
    /// One self-contained HTML file: inline CSS and SVG, no scripts, no network.
    Html,
    /// Markdown for wikis and pull requests (tables; charts only in HTML).
    Markdown,
}

#[derive(clap::Args, Debug)]
#[command(after_help = "\
The readout puts the decision and its reasons first (with --policy), then a forest
plot of differences with their confidence intervals, per-query difference
histograms (eval ir --per-query), estimates, per-slice and per-group tables,
reliability diagram and ROC / PR curves for classifiers (when the evidence has them)
and a reproducibility block: inputs, BLAKE3 hashes, seeds, versions, commands.
A NO-GO decision still exits 0: the readout is a document, `rigor gate` is the check.

Examples:
  rigor report --evidence ir.json --policy gate.toml --out readout.html
  rigor report --evidence ir.json --format markdown")]
pub struct ReportArgs {
    /// Evidence: the JSON of `rigor eval …`, `rigor ab` or `rigor drift`, or a tracked
    /// run's (`runs:/RUN_ID`). Repeatable; `LABEL=FILE` names a document (default: the
    /// file stem, or the run's name).
    #[arg(long = "evidence", value_name = "[LABEL=]FILE", required = true)]
    evidence: Vec<String>,

    /// Tracking server for `--evidence runs:/RUN_ID[/PATH]` (the evidence `--track`
    /// logged on a run): http://HOST:PORT or a store URI. Default: MLFLOW_TRACKING_URI,
    /// else the local store `rigor server` uses (sqlite:///rigor.db).
    #[arg(long, value_name = "URI")]
    tracking_uri: Option<String>,

    /// A gate policy: the readout opens with its decision.
    #[arg(long, value_name = "POLICY.toml")]
    policy: Option<PathBuf>,

    /// Output format (default: from the --out extension, .md → markdown; else html).
    #[arg(long, value_enum)]
    format: Option<PageFormat>,

    /// Title (default: the policy's [gate] name).
    #[arg(long)]
    title: Option<String>,

    /// Write to FILE instead of stdout.
    #[arg(long, visible_alias = "output", value_name = "FILE")]
    out: Option<PathBuf>,
}

#[derive(clap::Args, Debug)]
#[command(after_help = "\
Sections after Mitchell et al. (2019): model details, intended use, factors, metrics
(with confidence intervals), evaluation data (inputs with BLAKE3 hashes), training
data, quantitative analyses (comparisons, slices, groups, the gate decision), ethical
considerations, caveats and recommendations. Values come from the evidence; what only
the owners know comes from --meta, and every such field not supplied is listed as
missing — never invented. See the README for the metadata keys.

Examples:
  rigor card --evidence ir.json --meta card.toml --out card.md
  rigor card --evidence ir.json --meta card.toml --policy gate.toml --out card.html")]
pub struct CardArgs {
    /// Evidence about the model (repeatable; `LABEL=FILE` names a document).
    #[arg(long = "evidence", value_name = "[LABEL=]FILE", required = true)]
    evidence: Vec<String>,

    /// Tracking server for `--evidence runs:/RUN_ID[/PATH]` (the evidence `--track`
    /// logged on a run): http://HOST:PORT or a store URI. Default: MLFLOW_TRACKING_URI,
    /// else the local store `rigor server` uses (sqlite:///rigor.db).
    #[arg(long, value_name = "URI")]
    tracking_uri: Option<String>,

    /// Card metadata: TOML with [model], [intended_use], [factors], [metrics],
    /// [evaluation_data], [training_data], [ethical_considerations], [caveats].
    #[arg(long, value_name = "CARD.toml")]
    meta: Option<PathBuf>,

    /// A gate policy: its thresholds and decision go into the card.
    #[arg(long, value_name = "POLICY.toml")]
    policy: Option<PathBuf>,

    /// Output format (default: from the --out extension, .html → html; else markdown).
    #[arg(long, value_enum)]
    format: Option<PageFormat>,

    /// Write to FILE instead of stdout.
    #[arg(long, visible_alias = "output", value_name = "FILE")]
    out: Option<PathBuf>,
}

fn extension(path: Option<&Path>) -> Option<String> {
    path.and_then(|p| p.extension())
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
}

fn render(doc: &rigor_report::doc::Document, format: PageFormat) -> String {
    match format {
        PageFormat::Html => doc.html(rigor_report::CSS),
        PageFormat::Markdown => doc.markdown(),
    }
}

pub fn run_report(args: ReportArgs) -> Result<ExitCode, Failure> {
    let evidence = evidence_args::read(&args.evidence, args.tracking_uri.as_deref())?;
    let policy = args
        .policy
        .as_deref()
        .map(evidence_args::policy)
        .transpose()?;
    let decision = policy
        .as_ref()
        .map(|p| decide(p, &evidence, &Disk))
        .transpose()
        .map_err(gate_failure)?;
    let doc = Readout {
        title: args.title,
        evidence: &evidence,
        policy: policy.as_ref(),
        decision: decision.as_ref(),
    }
    .document();
    let format = args
        .format
        .unwrap_or(match extension(args.out.as_deref()).as_deref() {
            Some("md" | "markdown") => PageFormat::Markdown,
            _ => PageFormat::Html,
        });
    emit(&render(&doc, format), args.out.as_deref())?;
    Ok(ExitCode::SUCCESS)
}

pub fn run_card(args: CardArgs) -> Result<ExitCode, Failure> {
    let evidence = evidence_args::read(&args.evidence, args.tracking_uri.as_deref())?;
    let meta = match &args.meta {
        Some(path) => {
            let name = path.display().to_string();
            let text = std::fs::read_to_string(path).map_err(|e| {
                Failure::Input(match e.kind() {
                    std::io::ErrorKind::NotFound => format!("{name}: no such file"),
                    _ => format!("{name}: {e}"),
                })
            })?;
            card::parse_meta(&name, &text).map_err(|e| Failure::Input(e.to_string()))?
        }
        None => card::Meta::default(),
    };
    let policy = args
        .policy
        .as_deref()
        .map(evidence_args::policy)
        .transpose()?;
    let decision = policy
        .as_ref()
        .map(|p| decide(p, &evidence, &Disk))
        .transpose()
        .map_err(gate_failure)?;
    let card = Card {
        meta: &meta,
        evidence: &evidence,
        policy: policy.as_ref(),
        decision: decision.as_ref(),
    };
    let doc = card.document().map_err(|e| Failure::Input(e.to_string()))?;
    let format = args
        .format
        .unwrap_or(match extension(args.out.as_deref()).as_deref() {
            Some("html" | "htm") => PageFormat::Html,
            _ => PageFormat::Markdown,
        });
    let missing = card.missing();
    if !missing.is_empty() {
        eprintln!(
            "warning: {} card field{} not supplied (listed as missing in the card): {}",
            missing.len(),
            if missing.len() == 1 { "" } else { "s" },
            missing.join(", ")
        );
    }
    emit(&render(&doc, format), args.out.as_deref())?;
    Ok(ExitCode::SUCCESS)
}
