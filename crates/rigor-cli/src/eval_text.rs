//! `rigor eval text`: wiring from aligned segment files to the sacrebleu / rouge-score
//! / SQuAD-exact kernels, the bootstrap over segments, and the renderers.

use std::path::PathBuf;
use std::process::ExitCode;

use indexmap::IndexMap;
use rayon::prelude::*;
use rigor_io::evidence::{TextEvidence, TextMetric};
use rigor_io::segments::Aligned;
use rigor_metrics::text::{Evaluator, Settings, Smoothing, TextMeasure, Tokenizer};
use rigor_stats::statistic_bootstrap::summed_statistic_intervals;
use rigor_stats::Bootstrap;

use crate::output::{csv_field, csv_number, emit, table, Format};
use crate::Failure;

#[derive(clap::Args, Debug)]
#[command(after_help = "\
Measures (default: all):
  BLEU chrF chrF++ TER        sacrebleu 2.x, corpus level, 0-100
  ROUGE-1 ROUGE-2 ROUGE-L ROUGE-Lsum
                              rouge-score 0.1.2, use_stemmer=True, F-measure,
                              mean over segments, 0-1
  ExactMatch TokenF1          official SQuAD v1.1 normalisation, 0-100
  aliases: bleu chrf chrf++ ter rouge1 rouge2 rougeL rougeLsum em f1

Files hold one segment per line (split on \\n only, trailing whitespace stripped),
aligned across files; each --ref file is one reference per segment. Several
references: BLEU clips by the maximum count, chrF keeps the best reference, TER the
fewest edits, ROUGE and SQuAD the maximum per segment.

ROUGE-Lsum splits a segment into sentences at each literal \\n (backslash, n): the
escape is turned into a newline for every ROUGE measure.

Examples:
  rigor eval text --hyp out.txt --ref ref.txt
  rigor eval text --hyp out.txt --ref ref1.txt --ref ref2.txt -m BLEU chrF++ TER
  rigor eval text --hyp answers.txt --ref gold.txt -m ExactMatch TokenF1 --per-item --format json")]
pub struct TextArgs {
    /// System output: one segment per line (plain or .gz).
    #[arg(long, value_name = "FILE")]
    hyp: PathBuf,

    /// References, aligned with --hyp line by line. Repeat for several references.
    #[arg(long = "ref", value_name = "FILE", required = true)]
    refs: Vec<PathBuf>,

    /// Measures to compute (repeatable; several may follow one -m). Default: all.
    #[arg(short = 'm', long = "measure", value_name = "MEASURE", num_args = 1..)]
    measures: Vec<String>,

    /// BLEU tokenizer: 13a (sacrebleu's default), intl, char or none.
    #[arg(long, default_value = "13a", value_name = "NAME")]
    tokenize: String,

    /// Lowercase before BLEU and chrF (sacrebleu -lc). TER is case-insensitive
    /// anyway; ROUGE and SQuAD always lowercase.
    #[arg(long)]
    lowercase: bool,

    /// BLEU smoothing: exp (default), floor, add-k or none.
    #[arg(long, default_value = "exp", value_name = "METHOD")]
    smooth_method: String,

    /// Value for floor (default 0.1) or add-k (default 1) smoothing.
    #[arg(long, value_name = "VALUE")]
    smooth_value: Option<f64>,

    /// Include every segment's sentence-level scores (sacrebleu sentence_bleu with
    /// effective order, sentence_chrf, sentence_ter; per-item ROUGE and SQuAD).
    #[arg(long)]
    per_item: bool,

    /// Skip the bootstrap confidence intervals.
    #[arg(long)]
    no_ci: bool,

    /// Two-sided confidence level of the intervals.
    #[arg(long, default_value_t = 0.95, value_name = "LEVEL")]
    confidence: f64,

    /// Bootstrap resamples over segments (sacrebleu's default, 1000).
    #[arg(long, default_value_t = 1000, value_name = "N")]
    resamples: usize,

    /// Seed of the resampling: the same seed gives the same intervals.
    #[arg(long, default_value_t = 0)]
    seed: u64,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,

    /// Write the output to FILE instead of stdout.
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,

    #[command(flatten)]
    track: crate::tracking::TrackArgs,
}

pub fn run(args: TextArgs) -> Result<ExitCode, Failure> {
    let (measures, settings) = parse_settings(&args)?;
    let tracker = crate::tracking::Tracker::prepare(&args.track)?;
    let aligned = Aligned::read(&args.hyp, &args.refs)?;
    let n = aligned.len();
    let evaluator = Evaluator::new(&measures, settings, args.refs.len());
    let width = evaluator.width();

    // Tokenize and count once per segment, in parallel; everything after works on rows.
    let rows: Vec<f64> = (0..n)
        .into_par_iter()
        .flat_map_iter(|i| evaluator.segment(aligned.hyp.get(i), &aligned.refs(i)))
        .collect();
    let mut sum = vec![0.0; width];
    for row in rows.chunks_exact(width) {
        for (s, v) in sum.iter_mut().zip(row) {
            *s += v;
        }
    }
    let scores = evaluator.scores(&sum, n);

    let bootstrap = (!args.no_ci).then_some(Bootstrap {
        resamples: args.resamples,
        confidence: args.confidence,
        seed: args.seed,
    });
    let intervals = bootstrap
        .as_ref()
        .and_then(|b| summed_statistic_intervals(b, &rows, width, |s, n| evaluator.scores(s, n)));

    let metrics: IndexMap<String, TextMetric> = measures
        .iter()
        .enumerate()
        .map(|(k, &m)| {
            let ci = intervals.as_ref().map(|c| c[k]);
            (
                m.name().to_string(),
                TextMetric {
                    score: scores[k],
                    ci_low: ci.map(|c| c.low),
                    ci_high: ci.map(|c| c.high),
                    signature: evaluator.signature(m),
                    scale: if m.unit_scale() { 1.0 } else { 100.0 },
                    verbose: evaluator.explain(m, &sum),
                },
            )
        })
        .collect();
    let per_item = args.per_item.then(|| {
        rows.par_chunks_exact(width)
            .map(|row| {
                measures
                    .iter()
                    .map(|m| m.name().to_string())
                    .zip(evaluator.item_scores(row))
                    .collect::<IndexMap<String, f64>>()
            })
            .collect::<Vec<_>>()
    });
    let evidence = TextEvidence {
        kind: "text".to_string(),
        segments: n,
        metrics,
        per_item,
        hyp: args.hyp.display().to_string(),
        refs: args.refs.iter().map(|r| r.display().to_string()).collect(),
        confidence: args.confidence,
        resamples: args.resamples,
        provenance: rigor_io::evidence::Provenance::of_this_process(
            std::iter::once(("hyp", &args.hyp))
                .chain(args.refs.iter().map(|r| ("ref", r)))
                .map(|(role, path)| {
                    rigor_io::input::digest_file(path)
                        .map(|d| rigor_io::evidence::Input::new(role, path, &d))
                })
                .collect::<Result<Vec<_>, _>>()?,
            args.seed,
        ),
    };
    let text = match args.format {
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&evidence)
                .map_err(|e| Failure::Internal(format!("serialising JSON: {e}")))?;
            s.push('\n');
            s
        }
        Format::Csv => render_csv(&evidence),
        Format::Table => render_table(&evidence, bootstrap.as_ref()),
    };
    emit(&text, args.output.as_deref())?;
    if let Some(t) = &tracker {
        t.log(&evidence)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Validates options and parses names; every problem is one line, exit 2.
fn parse_settings(args: &TextArgs) -> Result<(Vec<TextMeasure>, Settings), Failure> {
    if !(args.confidence > 0.0 && args.confidence < 1.0) {
        return Err(Failure::Input(format!(
            "--confidence must be between 0 and 1 (exclusive), got {}",
            args.confidence
        )));
    }
    if args.resamples == 0 {
        return Err(Failure::Input(
            "--resamples must be at least 1 (use --no-ci to skip intervals)".to_string(),
        ));
    }
    let tokenizer: Tokenizer =
        args.tokenize
            .parse()
            .map_err(|e: rigor_metrics::text::tokenizer::UnknownTokenizer| {
                Failure::Input(format!("--tokenize: {e}"))
            })?;
    if let Some(v) = args.smooth_value {
        if !v.is_finite() || v < 0.0 {
            return Err(Failure::Input(format!(
                "--smooth-value must be a non-negative number, got {v}"
            )));
        }
    }
    let smoothing = Smoothing::new(&args.smooth_method, args.smooth_value)
        .map_err(|e| Failure::Input(format!("--smooth-method: {e}")))?;
    let mut measures = Vec::new();
    if args.measures.is_empty() {
        measures.extend(TextMeasure::ALL);
    }
    for name in &args.measures {
        let m: TextMeasure = name
            .parse()
            .map_err(|e: rigor_metrics::text::UnknownMeasure| Failure::Input(e.to_string()))?;
        if !measures.contains(&m) {
            measures.push(m);
        }
    }
    Ok((
        measures,
        Settings {
            tokenizer,
            lowercase: args.lowercase,
            smoothing,
        },
    ))
}

fn render_csv(e: &TextEvidence) -> String {
    let mut out = String::from("measure,segment,score,ci_low,ci_high,signature\n");
    for (m, v) in &e.metrics {
        out.push_str(&format!(
            "{},all,{},{},{},{}\n",
            csv_field(m),
            v.score,
            csv_number(v.ci_low),
            csv_number(v.ci_high),
            csv_field(&v.signature)
        ));
    }
    for (i, item) in e.per_item.iter().flatten().enumerate() {
        for (m, v) in item {
            out.push_str(&format!("{},{},{v},,,\n", csv_field(m), i + 1));
        }
    }
    out
}

fn render_table(e: &TextEvidence, bootstrap: Option<&Bootstrap>) -> String {
    let mut out = String::new();
    let ci = match bootstrap {
        Some(b) => format!(
            "corpus score [{:.0}% percentile-bootstrap CI over segments, {} resamples, seed {}]",
            b.confidence * 100.0,
            b.resamples,
            b.seed
        ),
        None => "corpus score".to_string(),
    };
    out.push_str(&format!(
        "hyp: {} ({} segments)\nrefs: {}\nvalues: {ci}\n\n",
        e.hyp,
        e.segments,
        e.refs.join(", ")
    ));
    let header: Vec<String> = ["measure", "score", "scale", "signature"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let rows: Vec<Vec<String>> = e
        .metrics
        .iter()
        .map(|(m, v)| {
            let score = match (v.ci_low, v.ci_high) {
                (Some(lo), Some(hi)) => format!("{:.4} [{lo:.4}, {hi:.4}]", v.score),
                _ => format!("{:.4}", v.score),
            };
            let scale = if v.scale == 1.0 { "0-1" } else { "0-100" };
            vec![m.clone(), score, scale.to_string(), v.signature.clone()]
        })
        .collect();
    out.push_str(&table(&header, &rows));
    if let Some(bleu) = e.metrics.get("BLEU").and_then(|b| b.verbose.as_ref()) {
        out.push_str(&format!("\nBLEU: {bleu}\n"));
    }
    if let Some(items) = &e.per_item {
        out.push_str("\nper segment (line):\n");
        let mut header = vec!["line".to_string()];
        header.extend(e.metrics.keys().cloned());
        let rows: Vec<Vec<String>> = items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                std::iter::once((i + 1).to_string())
                    .chain(item.values().map(|v| format!("{v:.4}")))
                    .collect()
            })
            .collect();
        out.push_str(&table(&header, &rows));
    }
    out
}
