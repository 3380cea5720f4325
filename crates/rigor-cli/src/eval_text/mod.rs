//! `rigor eval text`: wiring from aligned segment files to the sacrebleu / rouge-score
//! / SQuAD-exact kernels, the bootstrap over segments, the paired comparisons of
//! several systems ([`compare`]) and the renderers ([`render`]).

mod compare;
mod render;

use std::path::PathBuf;
use std::process::ExitCode;

use indexmap::IndexMap;
use rayon::prelude::*;
use rigor_io::evidence::{TextEvidence, TextMetric, TextSystem};
use rigor_io::segments::{Aligned, Segments};
use rigor_metrics::text::{Evaluator, Settings, Smoothing, TextMeasure, Tokenizer};
use rigor_stats::corpus_paired::sacrebleu_spread;
use rigor_stats::statistic_bootstrap::percentile_columns;
use rigor_stats::{Bootstrap, Correction, Interval, PairedTest};

pub(crate) use compare::CorpusTest;

use crate::output::{emit, Format};
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

Several --hyp: every later system is compared with the first (the baseline) on the
same segments. Corpus measures (BLEU chrF chrF++ TER) by sacrebleu's paired bootstrap
resampling (--corpus-test paired-bs, --resamples, default 1000) or approximate
randomization (paired-ar, --trials, default 10000); sentence-level measures (ROUGE,
ExactMatch, TokenF1) by --test on the item scores. p-values are corrected across every
(candidate, measure) pair with --correction.

Examples:
  rigor eval text --hyp out.txt --ref ref.txt
  rigor eval text --hyp base.txt --hyp new.txt --ref ref.txt -m BLEU chrF ROUGE-L
  rigor eval text --hyp out.txt --ref ref1.txt --ref ref2.txt -m BLEU chrF++ TER
  rigor eval text --hyp answers.txt --ref gold.txt -m ExactMatch TokenF1 --per-item --format json")]
pub struct TextArgs {
    /// System output: one segment per line (plain or .gz). Repeat to compare
    /// systems: every later --hyp is compared with the first (the baseline).
    #[arg(long = "hyp", value_name = "FILE", required = true)]
    hyps: Vec<PathBuf>,

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

    /// Seed of the resampling: the same seed gives the same intervals and p-values.
    #[arg(long, default_value_t = 0)]
    seed: u64,

    /// Paired test of sentence-level measures (ROUGE-*, ExactMatch, TokenF1) on the
    /// item scores, with several --hyp: paired-t (scipy ttest_rel), wilcoxon (scipy
    /// wilcoxon defaults), permutation (sign-flip, p = (hits+1)/(R+1)), bootstrap
    /// (paired bootstrap of the mean difference); R = --resamples.
    #[arg(long, default_value = "paired-t", value_parser = parse_test)]
    test: PairedTest,

    /// Paired test of corpus measures (BLEU, chrF, chrF++, TER), with several --hyp:
    /// sacrebleu's paired bootstrap resampling (--paired-bs, --resamples resamples)
    /// or approximate randomization (--paired-ar, --trials trials).
    #[arg(long, value_enum, default_value_t = CorpusTest::PairedBs)]
    corpus_test: CorpusTest,

    /// Approximate-randomization trials (sacrebleu's --paired-ar-n default).
    #[arg(long, default_value_t = 10_000, value_name = "N")]
    trials: usize,

    /// Multiple-comparison correction across every (candidate, measure) pair
    /// (statsmodels multipletests: bonferroni, holm, fdr_bh as bh).
    #[arg(long, default_value = "holm", value_parser = parse_correction)]
    correction: Correction,

    /// Significance level after correction.
    #[arg(long, default_value_t = 0.05)]
    alpha: f64,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,

    /// Write the output to FILE instead of stdout.
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,

    #[command(flatten)]
    track: crate::tracking::TrackArgs,
}

/// One `--hyp` file, evaluated.
pub(crate) struct System {
    pub name: String,
    pub path: PathBuf,
    /// `n` rows of `width` sufficient statistics, segment after segment.
    pub rows: Vec<f64>,
    /// The rows summed in segment order.
    pub sum: Vec<f64>,
    /// Corpus scores, one per measure.
    pub scores: Vec<f64>,
}

pub fn run(args: TextArgs) -> Result<ExitCode, Failure> {
    let (measures, settings) = parse_settings(&args)?;
    let tracker = crate::tracking::Tracker::prepare(&args.track)?;
    let Aligned { hyp, refs } = Aligned::read(&args.hyps[0], &args.refs)?;
    let n = hyp.len();
    let mut hyps = vec![hyp];
    for path in &args.hyps[1..] {
        let segments = Segments::read(path)?;
        if segments.len() != n {
            return Err(Failure::Input(format!(
                "{}: {} segments (lines), but the baseline {} has {n}: every --hyp must be aligned line by line with the references",
                path.display(),
                segments.len(),
                args.hyps[0].display()
            )));
        }
        hyps.push(segments);
    }
    let evaluator = Evaluator::new(&measures, settings, args.refs.len());
    let width = evaluator.width();

    // Tokenize and count once per segment, in parallel; everything after works on rows.
    let names = system_names(&args.hyps);
    let systems: Vec<System> = hyps
        .iter()
        .zip(names)
        .zip(&args.hyps)
        .map(|((segments, name), path)| {
            let rows: Vec<f64> = (0..n)
                .into_par_iter()
                .flat_map_iter(|i| {
                    let r: Vec<&str> = refs.iter().map(|r| r.get(i)).collect();
                    evaluator.segment(segments.get(i), &r)
                })
                .collect();
            let mut sum = vec![0.0; width];
            for row in rows.chunks_exact(width) {
                for (s, v) in sum.iter_mut().zip(row) {
                    *s += v;
                }
            }
            let scores = evaluator.scores(&sum, n);
            System {
                name,
                path: path.clone(),
                rows,
                sum,
                scores,
            }
        })
        .collect();
    let several = systems.len() > 1;

    let bootstrap = Bootstrap {
        resamples: args.resamples,
        confidence: args.confidence,
        seed: args.seed,
    };
    // Every system's corpus scores in the same resamples of segments (the draws depend
    // only on the seed and the number of segments): the intervals, sacrebleu's
    // paired-bootstrap test and its "mean ± CI" all read these.
    let paired_bs = several
        && args.corpus_test == CorpusTest::PairedBs
        && measures.iter().any(|m| m.corpus_level());
    let resampled = (!args.no_ci || paired_bs)
        .then(|| compare::resample_systems(&bootstrap, &systems, &evaluator))
        .flatten();
    let k = measures.len();
    let intervals: Option<Vec<Interval>> = resampled
        .as_ref()
        .filter(|_| !args.no_ci)
        .map(|v| percentile_columns(v, args.confidence));

    let per_item = |s: &System| {
        args.per_item.then(|| {
            s.rows
                .par_chunks_exact(width)
                .map(|row| {
                    measures
                        .iter()
                        .map(|m| m.name().to_string())
                        .zip(evaluator.item_scores(row))
                        .collect::<IndexMap<String, f64>>()
                })
                .collect::<Vec<_>>()
        })
    };
    let metrics_of = |j: usize, s: &System| -> IndexMap<String, TextMetric> {
        measures
            .iter()
            .enumerate()
            .map(|(mi, &m)| {
                let ci = intervals.as_ref().map(|c| c[j * k + mi]);
                let spread = resampled
                    .as_ref()
                    .filter(|_| paired_bs && m.corpus_level())
                    .and_then(|v| {
                        let column: Vec<f64> = v.iter().map(|r| r[j * k + mi]).collect();
                        sacrebleu_spread(&column)
                    });
                (
                    m.name().to_string(),
                    TextMetric {
                        score: s.scores[mi],
                        ci_low: ci.map(|c| c.low),
                        ci_high: ci.map(|c| c.high),
                        signature: evaluator.signature(m),
                        scale: if m.unit_scale() { 1.0 } else { 100.0 },
                        verbose: evaluator.explain(m, &s.sum),
                        bootstrap_mean: spread.map(|s| s.mean),
                        bootstrap_ci: spread.map(|s| s.half_width),
                    },
                )
            })
            .collect()
    };
    let system_evidence: Vec<TextSystem> = systems
        .iter()
        .enumerate()
        .map(|(j, s)| TextSystem {
            name: s.name.clone(),
            hyp: s.path.display().to_string(),
            metrics: metrics_of(j, s),
            per_item: per_item(s),
        })
        .collect();
    let comparisons = several.then(|| {
        compare::compare(
            &systems,
            &measures,
            &evaluator,
            resampled.as_deref(),
            &compare::Options {
                test: args.test,
                corpus_test: args.corpus_test,
                trials: args.trials,
                bootstrap,
                intervals: !args.no_ci,
                correction: args.correction,
                alpha: args.alpha,
            },
        )
    });
    let comparisons = comparisons.transpose()?;
    let baseline = system_evidence[0].clone();
    let evidence = TextEvidence {
        kind: "text".to_string(),
        segments: n,
        metrics: baseline.metrics,
        per_item: baseline.per_item,
        hyp: args.hyps[0].display().to_string(),
        refs: args.refs.iter().map(|r| r.display().to_string()).collect(),
        confidence: args.confidence,
        resamples: args.resamples,
        systems: several.then_some(system_evidence),
        comparisons,
        alpha: several.then_some(args.alpha),
        provenance: rigor_io::evidence::Provenance::of_this_process(
            args.hyps
                .iter()
                .map(|h| ("hyp", h))
                .chain(args.refs.iter().map(|r| ("ref", r)))
                .map(|(role, path)| {
                    rigor_io::input::digest_file(path)
                        .map(|d| rigor_io::evidence::Input::new(role, path, &d))
                })
                .collect::<Result<Vec<_>, _>>()?,
            args.seed,
        ),
    };
    let shown = (!args.no_ci).then_some(&bootstrap);
    let text = match args.format {
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&evidence)
                .map_err(|e| Failure::Internal(format!("serialising JSON: {e}")))?;
            s.push('\n');
            s
        }
        Format::Csv if several => render::systems_csv(&evidence),
        Format::Csv => render::render_csv(&evidence),
        Format::Table if several => render::systems_table(&evidence, shown, args.trials),
        Format::Table => render::render_table(&evidence, shown),
    };
    emit(&text, args.output.as_deref())?;
    if let Some(t) = &tracker {
        t.log(&evidence)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Systems are named by their file stem (`out.de.txt.gz` → `out.de`); when two stems
/// coincide, by their paths.
fn system_names(paths: &[PathBuf]) -> Vec<String> {
    let stems: Vec<String> = paths
        .iter()
        .map(|p| {
            let file = p
                .file_name()
                .map(|f| f.to_string_lossy().trim_end_matches(".gz").to_string())
                .unwrap_or_default();
            match file.rsplit_once('.') {
                Some((stem, _)) if !stem.is_empty() => stem.to_string(),
                _ if !file.is_empty() => file,
                _ => p.display().to_string(),
            }
        })
        .collect();
    let mut seen = std::collections::HashSet::new();
    if stems.iter().all(|s| seen.insert(s.clone())) {
        return stems;
    }
    paths.iter().map(|p| p.display().to_string()).collect()
}

fn parse_test(s: &str) -> Result<PairedTest, String> {
    s.parse()
        .map_err(|e: rigor_stats::StatsError| e.to_string())
}

fn parse_correction(s: &str) -> Result<Correction, String> {
    s.parse()
        .map_err(|e: rigor_stats::StatsError| e.to_string())
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
    if !(args.alpha > 0.0 && args.alpha < 1.0) {
        return Err(Failure::Input(format!(
            "--alpha must be between 0 and 1 (exclusive), got {}",
            args.alpha
        )));
    }
    if args.trials == 0 {
        return Err(Failure::Input("--trials must be at least 1".to_string()));
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
