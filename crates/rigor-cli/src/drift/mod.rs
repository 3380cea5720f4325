//! `rigor drift`: wiring from two files to rigor-stats' drift analysis and the
//! renderers (`render`).

mod render;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use rigor_io::evidence::{
    DriftEvidence, DriftInput, DriftSegment, DriftSettings, Input, Provenance,
};
use rigor_io::frame::{read_frame, Frame, FrameColumn, Values, MISSING};
use rigor_stats::drift::{analyze, ColumnData, ColumnInput, ColumnType, Method, Report, Settings};
use rigor_stats::Correction;

use crate::output::{emit, Format};
use crate::progress::Reading;
use crate::Failure;
use render::{column_evidence, dataset_evidence, render_csv, render_table};

#[derive(clap::Args, Debug)]
#[command(after_help = "\
Methods (--method auto reproduces Evidently 0.7's choice per column; n = reference
rows without missing values, u = distinct values in reference and current together):
  numerical, u > 5:          ks (n <= 1000, drift if p <= 0.05)
                             wasserstein (n > 1000, W1 / std(ref), drift if >= 0.1)
  numerical 3 <= u <= 5,
  categorical u > 2:         chisquare (n <= 1000, drift if p < 0.05)
                             jensenshannon (n > 1000, drift if >= 0.1)
  u <= 2:                    z (n <= 1000, drift if p < 0.05), else jensenshannon
  psi (drift if >= 0.1) on request.
Types come from the reference: integers with at most 10 distinct values are
categorical, other numbers numerical, text categorical. A current column that
disagrees is an error unless forced with --numerical / --categorical.

Every statistic is computed for every column and reported in JSON (stats), with the
missing-share test (two-proportion z), new and vanished categories by name and an
optional correction across columns.

Examples:
  rigor drift --reference examples/drift/reference.csv --current examples/drift/current.csv
  rigor drift --reference ref.csv --current cur.csv --correction holm --format json")]
pub struct DriftArgs {
    /// The reference data (.csv or .jsonl, plain or gzip, or .parquet): what the
    /// current data is compared with.
    #[arg(long, value_name = "REF")]
    reference: PathBuf,

    /// The current data (.csv, .jsonl or .parquet), with the reference's columns.
    #[arg(long, value_name = "CUR")]
    current: PathBuf,

    /// Compare only these columns (comma-separated; default: every column).
    #[arg(long, value_name = "C,...", value_delimiter = ',')]
    columns: Vec<String>,

    /// Leave these columns out (comma-separated).
    #[arg(long, value_name = "C,...", value_delimiter = ',')]
    exclude: Vec<String>,

    /// Treat these columns as numerical, whatever their values suggest.
    #[arg(long, value_name = "C", num_args = 1.., value_delimiter = ',')]
    numerical: Vec<String>,

    /// Treat these columns as categorical, whatever their values suggest.
    #[arg(long, value_name = "C", num_args = 1.., value_delimiter = ',')]
    categorical: Vec<String>,

    /// Drift method for every column it applies to (others keep the automatic choice).
    #[arg(long, default_value = "auto", value_parser = ["auto", "ks", "chisquare", "z", "wasserstein", "jensenshannon", "psi"])]
    method: String,

    /// Drift method for one column, as COL=METHOD (repeatable).
    #[arg(long = "method-for", value_name = "COL=M")]
    method_for: Vec<String>,

    /// Threshold for every column (default: the method's — 0.05 for p-values, 0.1 for
    /// distances).
    #[arg(long, value_name = "X")]
    threshold: Option<f64>,

    /// Threshold for one column, as COL=X (repeatable).
    #[arg(long = "threshold-for", value_name = "COL=X")]
    threshold_for: Vec<String>,

    /// The dataset drifts when at least this share of compared columns drift.
    #[arg(long, default_value_t = 0.5, value_name = "SHARE")]
    drift_share: f64,

    /// Correction of p-value verdicts across columns (none = Evidently's behaviour).
    #[arg(long, default_value = "none", value_parser = ["none", "bonferroni", "holm", "bh"])]
    correction: String,

    /// Level of the two-proportion z-test on each column's share of missing values.
    #[arg(long, default_value_t = 0.05, value_name = "P")]
    missing_threshold: f64,

    /// Also compare the rows of each value of this column separately.
    #[arg(long, value_name = "COL")]
    segment: Option<String>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,

    /// Write the output to FILE instead of stdout.
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,

    #[command(flatten)]
    track: crate::tracking::TrackArgs,
}

pub fn run(args: DriftArgs) -> Result<ExitCode, Failure> {
    let settings = settings(&args)?;
    let tracker = crate::tracking::Tracker::prepare(&args.track)?;
    let (reference, current) = rayon::join(|| read(&args.reference), || read(&args.current));
    let (reference, current) = (reference?, current?);
    let names = selected_columns(&args, &reference, &current)?;
    let context = |e: rigor_stats::drift::DriftError| {
        Failure::Input(format!(
            "{} vs {}: {e}",
            args.reference.display(),
            args.current.display()
        ))
    };

    let inputs: Vec<ColumnInput<'_>> = names
        .iter()
        .map(|n| column_input(n, &reference, &current))
        .collect();
    let report = analyze(&inputs, &settings).map_err(context)?;

    let mut warnings = report.warnings.clone();
    let segments = match &args.segment {
        Some(segment) => {
            let others: Vec<&String> = names.iter().filter(|n| *n != segment).collect();
            // Segments keep the types resolved on the whole files: a subset must not
            // turn a numerical column categorical because it holds fewer values.
            let mut within = settings.clone();
            for c in &report.columns {
                if let Some(t) = c.column_type {
                    within.types.insert(c.name.clone(), t);
                }
            }
            segment_reports(
                segment,
                &others,
                &reference,
                &current,
                &within,
                &mut warnings,
            )
            .map_err(context)?
        }
        None => Vec::new(),
    };
    for w in &warnings {
        eprintln!("warning: {w}");
    }

    let evidence = DriftEvidence {
        kind: "drift".to_string(),
        reference: DriftInput {
            path: args.reference.display().to_string(),
            rows: reference.rows,
        },
        current: DriftInput {
            path: args.current.display().to_string(),
            rows: current.rows,
        },
        columns: report.columns.iter().map(column_evidence).collect(),
        dataset: dataset_evidence(&report.dataset),
        segments,
        warnings,
        settings: DriftSettings {
            method: args.method.clone(),
            correction: args.correction.clone(),
            missing_threshold: args.missing_threshold,
        },
        provenance: Provenance::of_this_process(
            vec![
                Input::new("reference", &args.reference, &reference.digest),
                Input::new("current", &args.current, &current.digest),
            ],
            0,
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
        Format::Table => render_table(&evidence),
    };
    emit(&text, args.output.as_deref())?;
    if let Some(t) = &tracker {
        t.log(&evidence)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn read(path: &Path) -> Result<Frame, Failure> {
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let reading = Reading::new(&path.display().to_string(), size);
    let update = |bytes| reading.update(bytes);
    let frame = read_frame(path, Some(&update));
    reading.finish();
    Ok(frame?)
}

fn settings(args: &DriftArgs) -> Result<Settings, Failure> {
    let bad = |msg: String| Failure::Input(msg);
    let unit = |name: &str, v: f64| {
        if v > 0.0 && v <= 1.0 {
            Ok(v)
        } else {
            Err(bad(format!("{name} must be in (0, 1], got {v}")))
        }
    };
    let drift_share = unit("--drift-share", args.drift_share)?;
    let missing_threshold = unit("--missing-threshold", args.missing_threshold)?;
    let finite = |name: &str, v: f64| {
        if v.is_finite() && v >= 0.0 {
            Ok(v)
        } else {
            Err(bad(format!(
                "{name} must be a non-negative number, got {v}"
            )))
        }
    };
    let threshold = args
        .threshold
        .map(|t| finite("--threshold", t))
        .transpose()?;
    let method = match args.method.as_str() {
        "auto" => None,
        m => Some(m.parse::<Method>().map_err(|e| bad(e.to_string()))?),
    };
    let mut method_for = HashMap::new();
    for spec in &args.method_for {
        let (col, m) = split_pair("--method-for", spec)?;
        let m: Method = m.parse().map_err(|e: rigor_stats::drift::UnknownMethod| {
            bad(format!("--method-for {spec}: {e}"))
        })?;
        method_for.insert(col.to_string(), m);
    }
    let mut threshold_for = HashMap::new();
    for spec in &args.threshold_for {
        let (col, x) = split_pair("--threshold-for", spec)?;
        let x: f64 = x
            .parse()
            .map_err(|_| bad(format!("--threshold-for {spec}: '{x}' is not a number")))?;
        threshold_for.insert(col.to_string(), finite("--threshold-for", x)?);
    }
    let mut types = HashMap::new();
    for c in &args.numerical {
        types.insert(c.clone(), ColumnType::Numerical);
    }
    for c in &args.categorical {
        if types.insert(c.clone(), ColumnType::Categorical).is_some() {
            return Err(bad(format!(
                "column '{c}' is given both --numerical and --categorical"
            )));
        }
    }
    let correction: Correction = args
        .correction
        .parse()
        .map_err(|e: rigor_stats::StatsError| bad(e.to_string()))?;
    Ok(Settings {
        method,
        method_for,
        threshold,
        threshold_for,
        types,
        drift_share,
        correction,
        missing_threshold,
    })
}

fn split_pair<'a>(flag: &str, spec: &'a str) -> Result<(&'a str, &'a str), Failure> {
    match spec.rsplit_once('=') {
        Some((col, v)) if !col.is_empty() && !v.is_empty() => Ok((col, v)),
        _ => Err(Failure::Input(format!(
            "{flag} {spec}: expected COLUMN=VALUE"
        ))),
    }
}

/// The columns to compare, in reference order, after checking that every column the
/// user named exists and that both files hold the same columns.
fn selected_columns(
    args: &DriftArgs,
    reference: &Frame,
    current: &Frame,
) -> Result<Vec<String>, Failure> {
    let (rp, cp) = (args.reference.display(), args.current.display());
    let ref_names = reference.names();
    let cur_names = current.names();
    let in_ref: HashSet<&str> = ref_names.iter().copied().collect();
    let in_cur: HashSet<&str> = cur_names.iter().copied().collect();
    let listed = |names: &[&str]| {
        names
            .iter()
            .map(|n| format!("'{n}'"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut named: Vec<(&str, &str)> = Vec::new();
    named.extend(args.columns.iter().map(|c| ("--columns", c.as_str())));
    named.extend(args.exclude.iter().map(|c| ("--exclude", c.as_str())));
    named.extend(args.numerical.iter().map(|c| ("--numerical", c.as_str())));
    named.extend(
        args.categorical
            .iter()
            .map(|c| ("--categorical", c.as_str())),
    );
    let pairs: Vec<String> = args
        .method_for
        .iter()
        .chain(&args.threshold_for)
        .filter_map(|s| s.rsplit_once('=').map(|(c, _)| c.to_string()))
        .collect();
    named.extend(
        pairs
            .iter()
            .map(|c| ("--method-for/--threshold-for", c.as_str())),
    );
    if let Some(s) = &args.segment {
        named.push(("--segment", s.as_str()));
    }
    for (flag, name) in &named {
        if !in_ref.contains(name) {
            return Err(Failure::Input(format!(
                "{rp}: {flag}: no column '{name}'; the columns are: {}",
                listed(&ref_names)
            )));
        }
        if !in_cur.contains(name) {
            return Err(Failure::Input(format!(
                "{cp}: {flag}: no column '{name}'; the columns are: {}",
                listed(&cur_names)
            )));
        }
    }
    let excluded: HashSet<&str> = args.exclude.iter().map(String::as_str).collect();
    let chosen: Vec<String> = if args.columns.is_empty() {
        if let Some(only) = ref_names
            .iter()
            .find(|n| !in_cur.contains(**n) && !excluded.contains(**n))
        {
            return Err(Failure::Input(format!(
                "{rp}: column '{only}' is not in {cp} (--exclude {only} compares the others)"
            )));
        }
        if let Some(only) = cur_names
            .iter()
            .find(|n| !in_ref.contains(**n) && !excluded.contains(**n))
        {
            return Err(Failure::Input(format!(
                "{cp}: column '{only}' is not in {rp} (--exclude {only} compares the others)"
            )));
        }
        ref_names
            .iter()
            .filter(|n| !excluded.contains(**n))
            .map(|n| n.to_string())
            .collect()
    } else {
        let wanted: HashSet<&str> = args.columns.iter().map(String::as_str).collect();
        ref_names
            .iter()
            .filter(|n| wanted.contains(**n) && !excluded.contains(**n))
            .map(|n| n.to_string())
            .collect()
    };
    if chosen.is_empty() {
        return Err(Failure::Input(
            "no column left to compare after --columns/--exclude".to_string(),
        ));
    }
    Ok(chosen)
}

fn data(column: &FrameColumn) -> ColumnData<'_> {
    match &column.values {
        Values::Numbers(values) => ColumnData::Numbers {
            values,
            dtype: column.dtype,
        },
        Values::Labels { codes, labels } => ColumnData::Labels {
            codes,
            labels,
            dtype: column.dtype,
        },
    }
}

fn column_input<'a>(name: &'a str, reference: &'a Frame, current: &'a Frame) -> ColumnInput<'a> {
    let get = |f: &'a Frame| {
        f.column(name)
            .unwrap_or_else(|| unreachable!("selected columns exist in both files"))
    };
    ColumnInput {
        name,
        reference: data(get(reference)),
        current: data(get(current)),
    }
}

/// The values of `column` in the rows `rows`.
fn subset(column: &FrameColumn, rows: &[usize]) -> FrameColumn {
    let values = match &column.values {
        Values::Numbers(v) => Values::Numbers(rows.iter().map(|&i| v[i]).collect()),
        Values::Labels { codes, labels } => Values::Labels {
            codes: rows.iter().map(|&i| codes[i]).collect(),
            labels: labels.clone(),
        },
    };
    FrameColumn {
        name: column.name.clone(),
        dtype: column.dtype,
        values,
    }
}

/// Segment label of every row (`None` for missing).
fn segment_labels(column: &FrameColumn) -> Vec<Option<String>> {
    match &column.values {
        Values::Numbers(v) => v
            .iter()
            .map(|x| (!x.is_nan()).then(|| format!("{x}")))
            .collect(),
        Values::Labels { codes, labels } => codes
            .iter()
            .map(|&c| (c != MISSING).then(|| labels[c as usize].clone()))
            .collect(),
    }
}

fn segment_reports(
    segment: &str,
    others: &[&String],
    reference: &Frame,
    current: &Frame,
    settings: &Settings,
    warnings: &mut Vec<String>,
) -> Result<Vec<DriftSegment>, rigor_stats::drift::DriftError> {
    let rows_by_value = |f: &Frame| {
        let mut by: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        if let Some(col) = f.column(segment) {
            for (i, v) in segment_labels(col).into_iter().enumerate() {
                if let Some(v) = v {
                    by.entry(v).or_default().push(i);
                }
            }
        }
        by
    };
    let ref_rows = rows_by_value(reference);
    let cur_rows = rows_by_value(current);
    let values: Vec<&String> = {
        let mut v: Vec<&String> = ref_rows.keys().chain(cur_rows.keys()).collect();
        v.sort();
        v.dedup();
        v
    };
    let empty = Vec::new();
    let mut out = Vec::new();
    for value in values {
        let r = ref_rows.get(value).unwrap_or(&empty);
        let c = cur_rows.get(value).unwrap_or(&empty);
        if r.is_empty() || c.is_empty() {
            warnings.push(format!(
                "segment {segment}={value}: no rows in the {} file; not compared (null)",
                if r.is_empty() { "reference" } else { "current" }
            ));
            out.push(DriftSegment {
                column: segment.to_string(),
                value: value.clone(),
                reference_rows: r.len(),
                current_rows: c.len(),
                columns: Vec::new(),
                dataset: None,
            });
            continue;
        }
        let pick = |f: &Frame, rows: &[usize]| -> Vec<FrameColumn> {
            others
                .iter()
                .filter_map(|n| f.column(n))
                .map(|col| subset(col, rows))
                .collect()
        };
        let (ref_cols, cur_cols) = (pick(reference, r), pick(current, c));
        let inputs: Vec<ColumnInput<'_>> = ref_cols
            .iter()
            .zip(&cur_cols)
            .map(|(a, b)| ColumnInput {
                name: &a.name,
                reference: data(a),
                current: data(b),
            })
            .collect();
        let report: Report = analyze(&inputs, settings)?;
        warnings.extend(
            report
                .warnings
                .iter()
                .map(|w| format!("segment {segment}={value}: {w}")),
        );
        out.push(DriftSegment {
            column: segment.to_string(),
            value: value.clone(),
            reference_rows: r.len(),
            current_rows: c.len(),
            columns: report.columns.iter().map(column_evidence).collect(),
            dataset: Some(dataset_evidence(&report.dataset)),
        });
    }
    Ok(out)
}
