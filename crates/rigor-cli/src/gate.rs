//! `rigor gate`: a policy of release criteria against evidence; GO (exit 0) or
//! NO-GO (exit 1) with one line per criterion; exit 2 for a malformed policy or
//! evidence, or a criterion naming something the evidence lacks.

use std::path::PathBuf;
use std::process::ExitCode;

use rigor_gate::{decide, Decision};

use crate::evidence_args::{self, gate_failure, Disk};
use crate::output::emit;
use crate::Failure;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum GateFormat {
    /// Aligned columns for people.
    Table,
    /// One JSON document.
    Json,
    /// A Markdown table for a pull-request comment.
    Markdown,
}

#[derive(clap::Args, Debug)]
#[command(after_help = "\
Exit codes: 0 GO, 1 NO-GO, 2 malformed policy or evidence, or a criterion naming a
measure, run, slice or statistic the evidence lacks (never a silent pass).

Every evidence document must be reproducible: rigor version, command line, seed and
BLAKE3 hashes of its inputs (checked whether or not the policy asks).

Examples:
  rigor eval ir --qrels examples/qrels.txt --run examples/bm25.run \\
      --run examples/dense.run --format json --output ir.json
  rigor gate --policy examples/gate.toml --evidence ir.json
  rigor gate --policy gate.toml --evidence base=old.json --evidence cand=new.json --format markdown")]
pub struct GateArgs {
    /// The policy: TOML criteria (see the README's `rigor gate` section).
    #[arg(long, value_name = "POLICY.toml")]
    policy: PathBuf,

    /// Evidence: the JSON of `rigor eval …`, `rigor ab` or `rigor drift`, or a tracked
    /// run's (`runs:/RUN_ID`, what `--track` logged). Repeatable; `LABEL=FILE` names a
    /// document for the policy (default: the file stem, or the run's name); `-` reads
    /// standard input.
    #[arg(long = "evidence", value_name = "[LABEL=]FILE", required = true)]
    evidence: Vec<String>,

    /// Tracking server for `--evidence runs:/RUN_ID[/PATH]` (the evidence `--track`
    /// logged on a run): http://HOST:PORT or a store URI. Default: MLFLOW_TRACKING_URI,
    /// else the local store `rigor server` uses (sqlite:///rigor.db).
    #[arg(long, value_name = "URI")]
    tracking_uri: Option<String>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = GateFormat::Table)]
    format: GateFormat,

    /// Write the output to FILE instead of stdout.
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
}

pub fn run(args: GateArgs) -> Result<ExitCode, Failure> {
    let policy = evidence_args::policy(&args.policy)?;
    let evidence = evidence_args::read(&args.evidence, args.tracking_uri.as_deref())?;
    let decision = decide(&policy, &evidence, &Disk).map_err(gate_failure)?;
    let text = match args.format {
        GateFormat::Json => {
            let mut s = serde_json::to_string_pretty(&decision)
                .map_err(|e| Failure::Internal(format!("serialising JSON: {e}")))?;
            s.push('\n');
            s
        }
        GateFormat::Markdown => rigor_gate::render::markdown(&decision),
        GateFormat::Table => render_table(&decision),
    };
    emit(&text, args.output.as_deref())?;
    Ok(if decision.go {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn render_table(d: &Decision) -> String {
    let mut out = format!(
        "{}{} — {} of {} criteria pass (policy {})\n\n",
        d.decision,
        d.name.as_ref().map_or(String::new(), |n| format!(": {n}")),
        d.passed,
        d.criteria.len(),
        d.policy
    );
    let mut rows: Vec<[String; 6]> = vec![[
        String::new(),
        "criterion".into(),
        "line".into(),
        "required".into(),
        "measured".into(),
        "why".into(),
    ]];
    for c in &d.criteria {
        rows.push([
            if c.pass { "pass" } else { "FAIL" }.to_string(),
            c.criterion.clone(),
            if c.line == 0 {
                "-".to_string()
            } else {
                c.line.to_string()
            },
            c.required.clone(),
            c.measured.clone(),
            c.why.clone(),
        ]);
        for s in c.slices.iter().filter(|s| s.pass == Some(false)) {
            rows.push([
                String::new(),
                format!("  slice {}", s.slice),
                String::new(),
                String::new(),
                s.measured.clone(),
                "fails".to_string(),
            ]);
        }
    }
    let mut width = [0usize; 6];
    for row in &rows {
        for (w, cell) in width.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    for (i, row) in rows.iter().enumerate() {
        let cells: Vec<String> = row
            .iter()
            .zip(width)
            .map(|(cell, w)| format!("{cell:<w$}"))
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
        if i == 0 {
            let rule: Vec<String> = width.iter().map(|w| "-".repeat(*w)).collect();
            out.push_str(&rule.join("  "));
            out.push('\n');
        }
    }
    out
}
