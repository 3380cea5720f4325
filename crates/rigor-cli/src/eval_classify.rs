//! `rigor eval classify`: wiring from a CSV/JSONL/Parquet file to the
//! scikit-learn- and Fairlearn-exact kernels, the bootstrap, and the renderers.

use std::path::PathBuf;
use std::process::ExitCode;

use indexmap::IndexMap;
use rayon::prelude::*;
use rigor_io::evidence::classify::{
    Between, ClassMetrics, ClassifyReport, ClassifySlice, ConfusionMatrix, Curve, FairnessReport,
    GroupMetrics, Metric, ReliabilityBin,
};
use rigor_io::evidence::ClassifyEvidence;
use rigor_io::table::{read_columns, Column, ColumnSpec, Kind, TextColumn};
use rigor_metrics::classify::{
    build, Average, Coded, Diagnostics, Evaluator, Input, Rows, ScoreInput, Setup,
};
use rigor_stats::{resampled_intervals, Bootstrap, Estimate};

use crate::output::{csv_field, csv_number, emit, table, Format};
use crate::progress::Reading;
use crate::Failure;

#[derive(clap::Args, Debug)]
#[command(after_help = "\
Metrics (scikit-learn 1.9 / Fairlearn 0.15 to 1e-9):
  accuracy balanced_accuracy precision recall f1 (--average) mcc cohen_kappa,
  per-class precision/recall/f1/support and the confusion matrix;
  with --score: roc_auc (multiclass: one-vs-rest macro) average_precision
  log_loss brier ece;
  with --sensitive: selection rate, TPR and FPR per group, their differences and
  ratios, demographic_parity_difference/_ratio, equalized_odds_difference/_ratio.

Undefined values (roc_auc with one class, cohen_kappa with one shared class) are
null with a warning; 0/0 precision or recall is 0.0 with a warning, as
scikit-learn's zero_division default.

ECE: confidence c = P(positive) (binary) or the largest class probability,
outcome = label is positive / the most probable class is the label;
bin = min(floor(c*B), B-1); ECE = sum over bins of (n_b/N)*|mean outcome - mean c|.

Examples:
  rigor eval classify --data eval.csv --score p1
  rigor eval classify --data eval.parquet --score cat=p_cat --score dog=p_dog --score fox=p_fox
  rigor eval classify --data eval.jsonl --score p --positive yes --by region --sensitive sex")]
pub struct ClassifyArgs {
    /// One row per example: CSV, JSONL or Parquet, chosen by extension (CSV and JSONL
    /// may be gzip-compressed).
    #[arg(long, value_name = "FILE")]
    data: PathBuf,

    /// Column of true labels (text or integers; compared as text).
    #[arg(long, default_value = "label", value_name = "COL")]
    label: String,

    /// Column of predicted labels.
    #[arg(long, default_value = "pred", value_name = "COL")]
    pred: String,

    /// Predicted probabilities in [0, 1]. One column: P(positive class) of a binary
    /// problem. Or one CLASS=COL per class (repeat the option); with three or more the
    /// problem is multiclass and every label needs a column.
    #[arg(long = "score", value_name = "COL|CLASS=COL")]
    scores: Vec<String>,

    /// The positive class of a binary problem (default: the greater of the two
    /// classes, as scikit-learn). Must occur in the data.
    #[arg(long, value_name = "LABEL")]
    positive: Option<String>,

    /// Equal-width bins of the expected calibration error.
    #[arg(long, default_value_t = 15, value_name = "B")]
    bins: usize,

    /// How precision, recall and f1 average over classes.
    #[arg(long, value_enum, default_value_t = AverageArg::Macro)]
    average: AverageArg,

    /// Repeat every metric per value of COL (repeatable: slices are the
    /// combinations of the columns' values, named `a|b`).
    #[arg(long = "by", value_name = "COL")]
    by: Vec<String>,

    /// Sensitive feature for Fairlearn's group metrics (binary problems; repeatable:
    /// groups are the combinations of the columns' values).
    #[arg(long = "sensitive", value_name = "COL")]
    sensitive: Vec<String>,

    /// Skip the bootstrap confidence intervals.
    #[arg(long)]
    no_ci: bool,

    /// Two-sided confidence level of the intervals.
    #[arg(long, default_value_t = 0.95, value_name = "LEVEL")]
    confidence: f64,

    /// Bootstrap resamples over rows. Each resample re-evaluates every metric, so
    /// with --score the cost is rows × resamples.
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

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum AverageArg {
    Macro,
    Micro,
    Weighted,
}

impl From<AverageArg> for Average {
    fn from(a: AverageArg) -> Average {
        match a {
            AverageArg::Macro => Average::Macro,
            AverageArg::Micro => Average::Micro,
            AverageArg::Weighted => Average::Weighted,
        }
    }
}

/// How `--score` was given.
enum ScoreColumns {
    None,
    One(String),
    PerClass(Vec<(String, String)>),
}

/// Per-class probabilities may be off by rounding; beyond this they are not
/// probabilities and the user is told (metrics still use them as given).
const SUM_TOLERANCE: f64 = 1e-6;

pub fn run(args: ClassifyArgs) -> Result<ExitCode, Failure> {
    check_settings(&args)?;
    let score_columns = parse_scores(&args.scores)?;
    let tracker = crate::tracking::Tracker::prepare(&args.track)?;
    let path = &args.data;
    let (input, mut warnings) = read_input(&args, &score_columns)?;
    let problem = build(input).map_err(|e| Failure::Input(format!("{}: {e}", path.display())))?;
    warnings.extend(problem.notes.iter().cloned());

    let bootstrap = (!args.no_ci).then_some(Bootstrap {
        resamples: args.resamples,
        confidence: args.confidence,
        seed: args.seed,
    });
    let setup = &problem.setup;
    let slices: Vec<(String, ClassifySlice, Vec<String>)> = problem
        .slices
        .iter()
        .map(|s| {
            let rows = problem.rows.select(&s.rows);
            let (report, notes, _) =
                evaluate(setup, rows, bootstrap.as_ref(), &args.sensitive, false);
            let slice = ClassifySlice {
                by: s.by.iter().cloned().collect(),
                report,
            };
            (s.name.clone(), slice, notes)
        })
        .collect();
    let (report, notes, diagnostics) = evaluate(
        setup,
        problem.rows,
        bootstrap.as_ref(),
        &args.sensitive,
        true,
    );
    let diagnostics = diagnostics.unwrap_or_default();
    let curve = |c: &rigor_metrics::classify::curves::Curve| Curve {
        x: c.x.clone(),
        y: c.y.clone(),
    };
    warnings.extend(notes);
    for (name, _, notes) in &slices {
        warnings.extend(notes.iter().map(|n| format!("slice '{name}': {n}")));
    }
    for w in &warnings {
        eprintln!("warning: {w}");
    }

    let evidence = ClassifyEvidence {
        kind: "classify".to_string(),
        report,
        data: path.display().to_string(),
        label: args.label.clone(),
        pred: args.pred.clone(),
        scores: match &score_columns {
            ScoreColumns::None => IndexMap::new(),
            ScoreColumns::One(c) => setup
                .positive
                .map(|p| (setup.class_names[p as usize].clone(), c.clone()))
                .into_iter()
                .collect(),
            ScoreColumns::PerClass(v) => v.iter().cloned().collect(),
        },
        positive: setup
            .positive
            .map(|p| setup.class_names[p as usize].clone()),
        average: Average::from(args.average).name().to_string(),
        bins: args.bins,
        classes: setup.class_names.clone(),
        by: args.by.clone(),
        slices: slices.into_iter().map(|(n, s, _)| (n, s)).collect(),
        confidence: args.confidence,
        resamples: if args.no_ci { 0 } else { args.resamples },
        warnings,
        reliability: diagnostics
            .reliability
            .iter()
            .map(|b| ReliabilityBin {
                lower: b.lower,
                upper: b.upper,
                n: b.n,
                confidence: b.confidence,
                accuracy: b.accuracy,
            })
            .collect(),
        roc: diagnostics.curves.as_ref().map(|c| curve(&c.roc)),
        pr: diagnostics.curves.as_ref().map(|c| curve(&c.pr)),
        provenance: rigor_io::evidence::Provenance::of_this_process(
            vec![rigor_io::evidence::Input::new(
                "data",
                path,
                &rigor_io::input::digest_file(path)?,
            )],
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

/// Reads the columns the options name, checking every value as it is read.
fn read_input(
    args: &ClassifyArgs,
    score_columns: &ScoreColumns,
) -> Result<(Input, Vec<String>), Failure> {
    let path = &args.data;

    let not_nan = |v: &str| {
        if v.eq_ignore_ascii_case("nan") {
            Err("NaN".to_string())
        } else {
            Ok(())
        }
    };
    let probability = |v: f64| {
        if v.is_nan() {
            Err("NaN".to_string())
        } else if !(0.0..=1.0).contains(&v) {
            Err(format!("{v} is outside [0, 1]"))
        } else {
            Ok(())
        }
    };
    let mut specs = vec![
        ColumnSpec {
            name: &args.label,
            kind: Kind::Text(Some(&not_nan)),
        },
        ColumnSpec {
            name: &args.pred,
            kind: Kind::Text(Some(&not_nan)),
        },
    ];
    let score_names: Vec<&str> = match score_columns {
        ScoreColumns::None => Vec::new(),
        ScoreColumns::One(c) => vec![c.as_str()],
        ScoreColumns::PerClass(v) => v.iter().map(|(_, c)| c.as_str()).collect(),
    };
    for name in &score_names {
        specs.push(ColumnSpec {
            name,
            kind: Kind::Number(Some(&probability)),
        });
    }
    for name in args.by.iter().chain(&args.sensitive) {
        specs.push(ColumnSpec {
            name,
            kind: Kind::Text(Some(&not_nan)),
        });
    }
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let reading = Reading::new(&path.display().to_string(), size);
    let update = |bytes| reading.update(bytes);
    let table = read_columns(path, &specs, Some(&update));
    reading.finish();
    let table = table?;

    let mut columns = table.columns.into_iter();
    let mut text = || match columns.next() {
        Some(Column::Text(t)) => coded(t),
        _ => unreachable!("columns come back as requested"),
    };
    let labels = text();
    let preds = text();
    let mut warnings = Vec::new();
    let mut numbers: Vec<Vec<f64>> = Vec::new();
    for _ in &score_names {
        match columns.next() {
            Some(Column::Number(v)) => numbers.push(v),
            _ => unreachable!("columns come back as requested"),
        }
    }
    let mut columns = columns.map(|c| match c {
        Column::Text(t) => coded(t),
        Column::Number(_) => unreachable!("columns come back as requested"),
    });
    let by: Vec<(String, Coded)> = args
        .by
        .iter()
        .map(|n| (n.clone(), columns.next().unwrap_or_default()))
        .collect();
    let sensitive: Vec<(String, Coded)> = args
        .sensitive
        .iter()
        .map(|n| (n.clone(), columns.next().unwrap_or_default()))
        .collect();

    let scores = match score_columns {
        ScoreColumns::None => ScoreInput::None,
        ScoreColumns::One(_) => ScoreInput::Binary(numbers.pop().unwrap_or_default()),
        ScoreColumns::PerClass(classes) => {
            if let Some(w) = sum_warning(&numbers, &score_names) {
                warnings.push(format!("{}: {w}", path.display()));
            }
            ScoreInput::PerClass(
                classes
                    .iter()
                    .map(|(class, _)| class.clone())
                    .zip(numbers)
                    .collect(),
            )
        }
    };
    let input = Input {
        labels,
        preds,
        scores,
        positive: args.positive.clone(),
        sensitive,
        by,
        average: args.average.into(),
        bins: args.bins,
    };
    Ok((input, warnings))
}

fn check_settings(args: &ClassifyArgs) -> Result<(), Failure> {
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
    if args.bins == 0 {
        return Err(Failure::Input("--bins must be at least 1".to_string()));
    }
    Ok(())
}

/// `--score COL` (once) or `--score CLASS=COL` (per class; split at the first `=`).
fn parse_scores(raw: &[String]) -> Result<ScoreColumns, Failure> {
    if raw.is_empty() {
        return Ok(ScoreColumns::None);
    }
    let pairs: Vec<Option<(&str, &str)>> = raw.iter().map(|s| s.split_once('=')).collect();
    if let [None] = pairs.as_slice() {
        return Ok(ScoreColumns::One(raw[0].clone()));
    }
    let mut out = Vec::new();
    for (s, p) in raw.iter().zip(pairs) {
        match p {
            Some((class, col)) if !class.is_empty() && !col.is_empty() => {
                out.push((class.to_string(), col.to_string()))
            }
            _ => {
                return Err(Failure::Input(format!(
                    "--score '{s}': with several --score options each must be CLASS=COL"
                )))
            }
        }
    }
    Ok(ScoreColumns::PerClass(out))
}

fn coded(t: TextColumn) -> Coded {
    Coded {
        values: t.values,
        codes: t.codes,
    }
}

/// "N rows' probabilities do not sum to 1 within 1e-6 (first: row R, sum S)".
fn sum_warning(columns: &[Vec<f64>], names: &[&str]) -> Option<String> {
    let n = columns.first()?.len();
    let (count, first) = (0..n)
        .into_par_iter()
        .filter_map(|i| {
            let sum: f64 = columns.iter().map(|c| c[i]).sum();
            ((sum - 1.0).abs() > SUM_TOLERANCE).then_some((1usize, Some((i, sum))))
        })
        .reduce(
            || (0, None),
            |a, b| {
                let first = match (a.1, b.1) {
                    (Some(x), Some(y)) => Some(if x.0 < y.0 { x } else { y }),
                    (x, y) => x.or(y),
                };
                (a.0 + b.0, first)
            },
        );
    let (row, sum) = first?;
    Some(format!(
        "{count} row{} whose probabilities ({}) do not sum to 1 within 1e-6 (first: \
         row {}, sum {sum}); they are used as given, not renormalised",
        if count == 1 { "" } else { "s" },
        names.join(", "),
        row + 1
    ))
}

/// Points per curve in the evidence: enough for any chart, small beside the data.
const CURVE_POINTS: usize = 1000;

/// Evaluates one set of rows, with intervals; returns the report, its notes and, when
/// asked, the diagnostics a readout draws.
fn evaluate(
    setup: &Setup,
    rows: Rows,
    bootstrap: Option<&Bootstrap>,
    sensitive: &[String],
    with_diagnostics: bool,
) -> (ClassifyReport, Vec<String>, Option<Diagnostics>) {
    let evaluator = Evaluator::new(setup, rows);
    let result = evaluator.evaluate();
    let diagnostics = with_diagnostics.then(|| evaluator.diagnostics(CURVE_POINTS));
    let mut notes = result.notes.clone();
    // Label metrics resample the (label, prediction, group) cells, score metrics the
    // scored rows: both are the bootstrap over rows of the metrics they compute.
    let mut estimates: IndexMap<&str, Estimate> = IndexMap::new();
    if let Some(b) = bootstrap {
        let label = resampled_intervals(b, evaluator.label_units(), |c| evaluator.label_values(c));
        estimates.extend(evaluator.label_metric_names().into_iter().zip(label));
        let score = resampled_intervals(b, &evaluator.score_units(), |c| evaluator.score_values(c));
        estimates.extend(evaluator.score_metric_names().into_iter().zip(score));
    }
    let mut thin = Vec::new();
    let metrics: IndexMap<String, Metric> = result
        .metrics
        .iter()
        .map(|&(name, value)| {
            let est = estimates.get(name);
            let interval = value.and(est.and_then(|e| e.interval));
            if let (Some(_), Some(e)) = (value, est) {
                if bootstrap.is_some_and(|b| e.defined < b.resamples) {
                    thin.push(format!("{name} {}", e.defined));
                }
            }
            (
                name.to_string(),
                Metric {
                    value,
                    ci_low: interval.map(|i| i.low),
                    ci_high: interval.map(|i| i.high),
                },
            )
        })
        .collect();
    if let (false, Some(b)) = (thin.is_empty(), bootstrap) {
        notes.push(format!(
            "some metrics are undefined on some resamples (a resample without one of the \
             classes or groups they need); their intervals rest on the resamples where they \
             are defined, of {}: {}",
            b.resamples,
            thin.join(", ")
        ));
    }
    let names = &setup.class_names;
    let per_class = result
        .per_class
        .iter()
        .map(|s| {
            (
                names[s.class].clone(),
                ClassMetrics {
                    precision: s.precision,
                    recall: s.recall,
                    f1: s.f1,
                    support: s.support,
                },
            )
        })
        .collect();
    let present = result.confusion.present();
    let confusion_matrix = ConfusionMatrix {
        labels: present.iter().map(|&c| names[c].clone()).collect(),
        matrix: present
            .iter()
            .map(|&t| {
                present
                    .iter()
                    .map(|&p| result.confusion.get(t, p))
                    .collect()
            })
            .collect(),
    };
    let fairness = result.fairness.as_ref().map(|f| FairnessReport {
        sensitive: sensitive.to_vec(),
        positive: setup
            .positive
            .map(|p| names[p as usize].clone())
            .unwrap_or_default(),
        groups: f
            .groups
            .iter()
            .map(|(g, r)| {
                (
                    setup.group_names[*g as usize].clone(),
                    GroupMetrics {
                        n: r.n,
                        selection_rate: r.selection_rate,
                        tpr: r.tpr,
                        fpr: r.fpr,
                    },
                )
            })
            .collect(),
        between_groups: [
            ("selection_rate", f.summary.selection_rate),
            ("tpr", f.summary.tpr),
            ("fpr", f.summary.fpr),
        ]
        .into_iter()
        .map(|(n, d)| {
            (
                n.to_string(),
                Between {
                    difference: d.difference,
                    ratio: d.ratio,
                },
            )
        })
        .collect(),
    });
    let report = ClassifyReport {
        n: result.n,
        metrics,
        per_class,
        confusion_matrix,
        fairness,
    };
    (report, notes, diagnostics)
}

fn render_csv(e: &ClassifyEvidence) -> String {
    let mut out = String::from("slice,group,metric,label,pred,value,ci_low,ci_high\n");
    let mut report = |slice: &str, r: &ClassifyReport| {
        let s = csv_field(slice);
        out.push_str(&format!("{s},,n,,,{},,\n", r.n));
        for (name, m) in &r.metrics {
            out.push_str(&format!(
                "{s},,{name},,,{},{},{}\n",
                csv_number(m.value),
                csv_number(m.ci_low),
                csv_number(m.ci_high)
            ));
        }
        for (class, c) in &r.per_class {
            let class = csv_field(class);
            for (name, v) in [
                ("precision", c.precision),
                ("recall", c.recall),
                ("f1", c.f1),
                ("support", c.support as f64),
            ] {
                out.push_str(&format!("{s},,{name},{class},,{v},,\n"));
            }
        }
        let labels = &r.confusion_matrix.labels;
        for (t, row) in labels.iter().zip(&r.confusion_matrix.matrix) {
            for (p, count) in labels.iter().zip(row) {
                out.push_str(&format!(
                    "{s},,count,{},{},{count},,\n",
                    csv_field(t),
                    csv_field(p)
                ));
            }
        }
        if let Some(f) = &r.fairness {
            for (group, g) in &f.groups {
                let group = csv_field(group);
                for (name, v) in [
                    ("n", g.n as f64),
                    ("selection_rate", g.selection_rate),
                    ("tpr", g.tpr),
                    ("fpr", g.fpr),
                ] {
                    out.push_str(&format!("{s},{group},{name},,,{v},,\n"));
                }
            }
            for (name, b) in &f.between_groups {
                out.push_str(&format!("{s},,{name}_difference,,,{},,\n", b.difference));
                out.push_str(&format!("{s},,{name}_ratio,,,{},,\n", csv_number(b.ratio)));
            }
        }
    };
    report("", &e.report);
    for (name, slice) in &e.slices {
        report(name, &slice.report);
    }
    out
}

fn cell(m: &Metric) -> (String, String) {
    let value = m
        .value
        .map_or("undefined".to_string(), |v| format!("{v:.4}"));
    let ci = match (m.ci_low, m.ci_high) {
        (Some(lo), Some(hi)) => format!("[{lo:.4}, {hi:.4}]"),
        _ => String::new(),
    };
    (value, ci)
}

fn render_table(e: &ClassifyEvidence, bootstrap: Option<&Bootstrap>) -> String {
    let mut out = String::new();
    let positive = e
        .positive
        .as_ref()
        .map(|p| format!(", positive class '{p}'"))
        .unwrap_or_default();
    out.push_str(&format!(
        "data: {} ({} rows; {} classes{positive}; {} average)\n",
        e.data,
        e.report.n,
        e.classes.len(),
        e.average
    ));
    let ci_header = match bootstrap {
        Some(b) => {
            out.push_str(&format!(
                "intervals: {:.0}% percentile bootstrap over rows, {} resamples, seed {}\n",
                b.confidence * 100.0,
                b.resamples,
                b.seed
            ));
            format!("{:.0}% CI", b.confidence * 100.0)
        }
        None => String::new(),
    };
    out.push('\n');
    let header = vec!["metric".to_string(), "value".to_string(), ci_header.clone()];
    let rows: Vec<Vec<String>> = e
        .report
        .metrics
        .iter()
        .map(|(name, m)| {
            let (v, ci) = cell(m);
            vec![name.clone(), v, ci]
        })
        .collect();
    out.push_str(&table(&header, &rows));

    out.push_str("\nper class\n");
    let header: Vec<String> = ["class", "precision", "recall", "f1", "support"]
        .map(String::from)
        .to_vec();
    let rows: Vec<Vec<String>> = e
        .report
        .per_class
        .iter()
        .map(|(class, c)| {
            vec![
                class.clone(),
                format!("{:.4}", c.precision),
                format!("{:.4}", c.recall),
                format!("{:.4}", c.f1),
                c.support.to_string(),
            ]
        })
        .collect();
    out.push_str(&table(&header, &rows));

    out.push_str("\nconfusion matrix (rows: label, columns: prediction)\n");
    let cm = &e.report.confusion_matrix;
    let mut header = vec![String::new()];
    header.extend(cm.labels.iter().cloned());
    let rows: Vec<Vec<String>> = cm
        .labels
        .iter()
        .zip(&cm.matrix)
        .map(|(l, row)| {
            std::iter::once(l.clone())
                .chain(row.iter().map(u64::to_string))
                .collect()
        })
        .collect();
    out.push_str(&table(&header, &rows));

    if let Some(f) = &e.report.fairness {
        out.push_str(&format!(
            "\nfairness by {} (positive class '{}')\n",
            f.sensitive.join(", "),
            f.positive
        ));
        let header: Vec<String> = ["group", "n", "selection_rate", "tpr", "fpr"]
            .map(String::from)
            .to_vec();
        let rows: Vec<Vec<String>> = f
            .groups
            .iter()
            .map(|(g, r)| {
                vec![
                    g.clone(),
                    r.n.to_string(),
                    format!("{:.4}", r.selection_rate),
                    format!("{:.4}", r.tpr),
                    format!("{:.4}", r.fpr),
                ]
            })
            .collect();
        out.push_str(&table(&header, &rows));
        let header: Vec<String> = ["between groups", "difference", "ratio"]
            .map(String::from)
            .to_vec();
        let rows: Vec<Vec<String>> = f
            .between_groups
            .iter()
            .map(|(n, b)| {
                vec![
                    n.clone(),
                    format!("{:.4}", b.difference),
                    b.ratio
                        .map_or("undefined".to_string(), |r| format!("{r:.4}")),
                ]
            })
            .collect();
        out.push('\n');
        out.push_str(&table(&header, &rows));
    }

    if !e.slices.is_empty() {
        // One column per slice, metrics down the side: slices compare at a glance.
        out.push_str(&format!("\nslices by {}\n", e.by.join(", ")));
        let mut header = vec!["metric".to_string()];
        header.extend(e.slices.keys().cloned());
        let mut rows = vec![std::iter::once("n".to_string())
            .chain(e.slices.values().map(|s| s.report.n.to_string()))
            .collect::<Vec<_>>()];
        for name in e.report.metrics.keys() {
            let mut row = vec![name.clone()];
            row.extend(e.slices.values().map(|s| match s.report.metrics.get(name) {
                Some(m) => {
                    let (v, ci) = cell(m);
                    if ci.is_empty() {
                        v
                    } else {
                        format!("{v} {ci}")
                    }
                }
                None => String::new(),
            }));
            rows.push(row);
        }
        out.push_str(&table(&header, &rows));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn score_options() {
        assert!(matches!(parse_scores(&[]).unwrap(), ScoreColumns::None));
        assert!(matches!(parse_scores(&["p".into()]).unwrap(), ScoreColumns::One(c) if c == "p"));
        let ScoreColumns::PerClass(v) = parse_scores(&["a=p(y=a)".into(), "b=pb".into()]).unwrap()
        else {
            panic!("per class")
        };
        assert_eq!(v[0], ("a".to_string(), "p(y=a)".to_string()));
        assert!(parse_scores(&["a=pa".into(), "pb".into()]).is_err());
        // One CLASS=COL alone is per-class (two are needed for a binary problem).
        assert!(matches!(
            parse_scores(&["a=pa".into()]).unwrap(),
            ScoreColumns::PerClass(_)
        ));
    }

    #[test]
    fn probability_sums() {
        let cols = vec![vec![0.5, 0.5, 0.2], vec![0.5, 0.4, 0.8]];
        let w = sum_warning(&cols, &["a", "b"]).unwrap();
        assert!(w.starts_with("1 row whose probabilities (a, b)"), "{w}");
        assert!(w.contains("first: row 2, sum 0.9"), "{w}");
        assert!(sum_warning(&[vec![0.3], vec![0.7 + 1e-9]], &["a", "b"]).is_none());
    }
}
