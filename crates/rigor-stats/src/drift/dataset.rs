//! Drift of a whole dataset: every column compared, Evidently's verdicts, and what
//! Evidently leaves out — missing-share drift, new and vanished categories by name,
//! a multiple-comparison correction across columns, and explicit `None` (never a
//! silent pass) where a column cannot be compared.
//!
//! Columns are compared in parallel (rayon); each is independent.

use std::collections::HashMap;

use rayon::prelude::*;

use super::column::{categorical_statistics_for, numerical_statistics_for, Sample, Statistics};
use super::types::{infer_type, Dtype, InferredType, INTEGER_CARDINALITY_LIMIT};
use super::ztest::proportions_ztest;
use super::{auto_method, ColumnType, Method};
use crate::correction::{adjust, Correction};

/// Marks a missing value in [`ColumnData::Labels`] codes.
pub const MISSING: u32 = u32::MAX;

/// One side of a column, as read from a file.
#[derive(Debug, Clone, Copy)]
pub enum ColumnData<'a> {
    /// Numbers; NaN (and ±∞) is missing. `dtype` is `Int`, `Float` or `Empty`.
    Numbers { values: &'a [f64], dtype: Dtype },
    /// Text labels by code ([`MISSING`] = missing). `dtype` is `Text` or `Bool`.
    Labels {
        codes: &'a [u32],
        labels: &'a [String],
        dtype: Dtype,
    },
}

impl ColumnData<'_> {
    pub fn rows(&self) -> usize {
        match self {
            ColumnData::Numbers { values, .. } => values.len(),
            ColumnData::Labels { codes, .. } => codes.len(),
        }
    }

    pub fn dtype(&self) -> Dtype {
        match self {
            ColumnData::Numbers { dtype, .. } | ColumnData::Labels { dtype, .. } => *dtype,
        }
    }

    fn missing(&self) -> usize {
        match self {
            ColumnData::Numbers { values, .. } => values.iter().filter(|v| !v.is_finite()).count(),
            ColumnData::Labels { codes, .. } => codes.iter().filter(|&&c| c == MISSING).count(),
        }
    }

    fn infinities(&self) -> usize {
        match self {
            ColumnData::Numbers { values, .. } => values.iter().filter(|v| v.is_infinite()).count(),
            ColumnData::Labels { .. } => 0,
        }
    }

    /// Distinct non-missing values and their count (pandas `nunique`, `count`).
    fn distinct_and_count(&self) -> (usize, usize) {
        match self {
            ColumnData::Numbers { values, .. } => {
                let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
                v.sort_unstable_by(f64::total_cmp);
                let n = v.len();
                let distinct = if n == 0 {
                    0
                } else {
                    1 + v.windows(2).filter(|w| w[0] != w[1]).count()
                };
                (distinct, n)
            }
            ColumnData::Labels { codes, labels, .. } => {
                let mut seen = vec![false; labels.len()];
                let mut n = 0;
                for &c in codes.iter().filter(|&&c| c != MISSING) {
                    seen[c as usize] = true;
                    n += 1;
                }
                (seen.iter().filter(|&&s| s).count(), n)
            }
        }
    }

    /// Evidently's type for this side.
    /// Counting distinct values is only needed for integers (up to 11 of them) and
    /// text, so a float column is never sorted here.
    pub fn inferred_type(&self) -> InferredType {
        let (distinct, count) = match self {
            ColumnData::Numbers { values, dtype } => {
                let count = values.iter().filter(|v| v.is_finite()).count();
                let distinct = if *dtype == Dtype::Int {
                    let mut seen: Vec<f64> = Vec::with_capacity(INTEGER_CARDINALITY_LIMIT + 1);
                    for &v in values.iter().filter(|v| v.is_finite()) {
                        if !seen.contains(&v) {
                            seen.push(v);
                            if seen.len() > INTEGER_CARDINALITY_LIMIT {
                                break;
                            }
                        }
                    }
                    seen.len()
                } else {
                    0
                };
                (distinct, count)
            }
            ColumnData::Labels { .. } => self.distinct_and_count(),
        };
        let dtype = if count == 0 {
            Dtype::Empty
        } else {
            self.dtype()
        };
        infer_type(dtype, distinct, count)
    }
}

/// A column of both files.
#[derive(Debug, Clone, Copy)]
pub struct ColumnInput<'a> {
    pub name: &'a str,
    pub reference: ColumnData<'a>,
    pub current: ColumnData<'a>,
}

/// How to compare.
#[derive(Debug, Clone)]
pub struct Settings {
    /// One method for every column it applies to; `None` = Evidently's automatic choice.
    pub method: Option<Method>,
    pub method_for: HashMap<String, Method>,
    pub threshold: Option<f64>,
    pub threshold_for: HashMap<String, f64>,
    /// Types forced by the user (`--numerical`, `--categorical`).
    pub types: HashMap<String, ColumnType>,
    /// Share of drifted columns at which the dataset drifts (Evidently: `≥`).
    pub drift_share: f64,
    pub correction: Correction,
    /// Significance level of the missing-share test (`p <` level is drift).
    pub missing_threshold: f64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            method: None,
            method_for: HashMap::new(),
            threshold: None,
            threshold_for: HashMap::new(),
            types: HashMap::new(),
            drift_share: 0.5,
            correction: Correction::None,
            missing_threshold: 0.05,
        }
    }
}

/// Why a dataset cannot be compared: bad input the user must fix.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DriftError {
    #[error("column '{column}' is {reference} in the reference but {current} in the current file ({why}); force one with --numerical {column} or --categorical {column}")]
    TypeMismatch {
        column: String,
        reference: &'static str,
        current: &'static str,
        why: String,
    },
    #[error(
        "column '{column}' cannot be numerical: the {side} file holds text such as '{example}'"
    )]
    NotNumeric {
        column: String,
        side: &'static str,
        example: String,
    },
    #[error("--method-for {column}={method}: {method} does not apply to {column_type} column '{column}'")]
    MethodNotApplicable {
        column: String,
        method: Method,
        column_type: ColumnType,
    },
}

/// The comparison of one column.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnReport {
    pub name: String,
    /// `None` when neither file has a value to infer it from.
    pub column_type: Option<ColumnType>,
    pub method: Option<Method>,
    pub score: Option<f64>,
    pub threshold: Option<f64>,
    /// `None` when the column could not be compared (no values on a side).
    pub drifted: Option<bool>,
    pub p_adjusted: Option<f64>,
    pub rows_reference: usize,
    pub rows_current: usize,
    /// Non-missing values compared.
    pub n_reference: usize,
    pub n_current: usize,
    pub missing_share_reference: Option<f64>,
    pub missing_share_current: Option<f64>,
    pub missing_p_value: Option<f64>,
    pub missing_drifted: bool,
    pub new_categories: Vec<String>,
    pub vanished_categories: Vec<String>,
    pub stats: Statistics,
}

/// The dataset verdict over the compared columns.
#[derive(Debug, Clone, PartialEq)]
pub struct DatasetReport {
    /// Columns with a verdict.
    pub columns: usize,
    pub drifted: usize,
    /// `drifted / columns`; `None` when no column could be compared.
    pub share: Option<f64>,
    pub drift_share: f64,
    pub drift: Option<bool>,
    /// Columns without a verdict (no values on a side).
    pub skipped: usize,
    pub missing_drifted: usize,
}

/// Everything about one reference/current comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub columns: Vec<ColumnReport>,
    pub dataset: DatasetReport,
    pub warnings: Vec<String>,
}

/// The resolved plan for one column.
struct Plan {
    column_type: Option<ColumnType>,
    method: Option<Method>,
    threshold: Option<f64>,
    warnings: Vec<String>,
    /// Left out on purpose (the warning says why).
    skipped: bool,
}

/// Compares every column. Errors are the user's to fix (types, methods).
pub fn analyze(columns: &[ColumnInput<'_>], settings: &Settings) -> Result<Report, DriftError> {
    let planned: Vec<Result<(ColumnReport, Vec<String>), DriftError>> = columns
        .par_iter()
        .map(|c| analyze_column(c, settings))
        .collect();
    let mut reports = Vec::with_capacity(columns.len());
    let mut warnings = Vec::new();
    for r in planned {
        let (report, w) = r?;
        reports.push(report);
        warnings.extend(w);
    }
    apply_correction(&mut reports, settings.correction);
    let dataset = dataset_verdict(&reports, settings.drift_share);
    if dataset.columns == 0 {
        warnings.push("no column could be compared: the dataset verdict is null".to_string());
    }
    Ok(Report {
        columns: reports,
        dataset,
        warnings,
    })
}

fn type_name(t: InferredType) -> &'static str {
    match t {
        InferredType::Numerical => "numerical",
        InferredType::Categorical => "categorical",
        InferredType::Text => "text",
        InferredType::Unknown => "empty",
        InferredType::Unsupported => "unsupported",
    }
}

fn resolved(t: InferredType) -> Option<ColumnType> {
    match t {
        InferredType::Numerical => Some(ColumnType::Numerical),
        InferredType::Categorical | InferredType::Text => Some(ColumnType::Categorical),
        InferredType::Unknown | InferredType::Unsupported => None,
    }
}

fn why(data: &ColumnData<'_>, t: InferredType) -> String {
    let (distinct, count) = data.distinct_and_count();
    match (data.dtype(), t) {
        (Dtype::Int, InferredType::Categorical) => {
            format!("integers with {distinct} distinct values, at most 10 are categorical")
        }
        (Dtype::Int, InferredType::Numerical) => {
            format!("integers with {distinct} distinct values, more than 10 are numerical")
        }
        (Dtype::Float, _) if data.missing() > 0 => {
            "numbers with missing values are read as floats, which are numerical".to_string()
        }
        (Dtype::Float, _) => "non-integer numbers are numerical".to_string(),
        (Dtype::Bool, _) => "true/false values are categorical".to_string(),
        (Dtype::Text, _) => format!("text, {distinct} distinct of {count}"),
        (Dtype::Empty, _) => "no values".to_string(),
        _ => String::new(),
    }
}

fn plan(c: &ColumnInput<'_>, settings: &Settings) -> Result<Plan, DriftError> {
    let mut warnings = Vec::new();
    let t_ref = c.reference.inferred_type();
    let t_cur = c.current.inferred_type();
    let forced = settings.types.get(c.name).copied();
    if forced.is_none()
        && (t_ref == InferredType::Unsupported || t_cur == InferredType::Unsupported)
    {
        warnings.push(format!(
            "column '{}' holds dates, times, binary or nested values, which Evidently's DataDriftPreset leaves out; not compared (null)",
            c.name
        ));
        return Ok(Plan {
            column_type: None,
            method: None,
            threshold: None,
            warnings,
            skipped: true,
        });
    }
    let column_type = match settings.types.get(c.name) {
        Some(&forced) => Some(forced),
        None => {
            let (r, k) = (resolved(t_ref), resolved(t_cur));
            if let (Some(r), Some(k)) = (r, k) {
                if r != k {
                    let text = |s: &ColumnData<'_>, t| format!("{}: {}", type_name(t), why(s, t));
                    return Err(DriftError::TypeMismatch {
                        column: c.name.to_string(),
                        reference: r.as_str(),
                        current: k.as_str(),
                        why: format!(
                            "reference {}; current {}",
                            text(&c.reference, t_ref),
                            text(&c.current, t_cur)
                        ),
                    });
                }
            }
            r.or(k)
        }
    };
    if !settings.types.contains_key(c.name)
        && (t_ref == InferredType::Text || t_cur == InferredType::Text)
    {
        warnings.push(format!(
            "column '{}': more than half its values are distinct — Evidently 0.7 treats such text as a text column (a domain-classifier test rigor does not run); rigor compares it as categorical",
            c.name
        ));
    }
    let Some(column_type) = column_type else {
        return Ok(Plan {
            column_type: None,
            method: None,
            threshold: None,
            warnings,
            skipped: false,
        });
    };
    if column_type == ColumnType::Numerical {
        for (side, data) in [("reference", &c.reference), ("current", &c.current)] {
            if let ColumnData::Labels { codes, labels, .. } = data {
                if let Some(&code) = codes.iter().find(|&&k| k != MISSING) {
                    return Err(DriftError::NotNumeric {
                        column: c.name.to_string(),
                        side,
                        example: labels[code as usize].clone(),
                    });
                }
            }
        }
    }
    let method = match (settings.method_for.get(c.name), settings.method) {
        (Some(&m), _) => {
            if !m.applies_to(column_type) {
                return Err(DriftError::MethodNotApplicable {
                    column: c.name.to_string(),
                    method: m,
                    column_type,
                });
            }
            Some(m)
        }
        (None, Some(m)) if m.applies_to(column_type) => Some(m),
        (None, Some(m)) => {
            warnings.push(format!(
                "column '{}': --method {m} does not apply to a {column_type} column; using the automatic choice",
                c.name
            ));
            None
        }
        (None, None) => None,
    };
    Ok(Plan {
        column_type: Some(column_type),
        method,
        threshold: settings
            .threshold_for
            .get(c.name)
            .copied()
            .or(settings.threshold),
        warnings,
        skipped: false,
    })
}

fn analyze_column(
    c: &ColumnInput<'_>,
    settings: &Settings,
) -> Result<(ColumnReport, Vec<String>), DriftError> {
    let Plan {
        column_type,
        method,
        threshold,
        mut warnings,
        skipped,
    } = plan(c, settings)?;
    let (rows_ref, rows_cur) = (c.reference.rows(), c.current.rows());
    let (miss_ref, miss_cur) = (c.reference.missing(), c.current.missing());
    let share = |m: usize, n: usize| (n > 0).then(|| m as f64 / n as f64);
    let missing_test = proportions_ztest(
        miss_ref as u64,
        rows_ref as u64,
        miss_cur as u64,
        rows_cur as u64,
    );
    let missing_p_value = missing_test.map(|t| t.p_value);
    let missing_drifted = missing_p_value.is_some_and(|p| p < settings.missing_threshold);
    if missing_drifted {
        warnings.push(format!(
            "column '{}': the share of missing values changed from {:.1}% to {:.1}% (two-proportion z-test p = {:.3e})",
            c.name,
            100.0 * share(miss_ref, rows_ref).unwrap_or(0.0),
            100.0 * share(miss_cur, rows_cur).unwrap_or(0.0),
            missing_p_value.unwrap_or(f64::NAN)
        ));
    }
    let infinite = c.reference.infinities() + c.current.infinities();
    if infinite > 0 {
        warnings.push(format!(
            "column '{}': {infinite} infinite values are treated as missing",
            c.name
        ));
    }
    let mut report = ColumnReport {
        name: c.name.to_string(),
        column_type,
        method: None,
        score: None,
        threshold: None,
        drifted: None,
        p_adjusted: None,
        rows_reference: rows_ref,
        rows_current: rows_cur,
        n_reference: rows_ref - miss_ref,
        n_current: rows_cur - miss_cur,
        missing_share_reference: share(miss_ref, rows_ref),
        missing_share_current: share(miss_cur, rows_cur),
        missing_p_value,
        missing_drifted,
        new_categories: Vec::new(),
        vanished_categories: Vec::new(),
        stats: Statistics::default(),
    };
    let Some(column_type) = column_type else {
        if !skipped {
            warnings.push(format!(
                "column '{}': no values in either file; not compared (null)",
                c.name
            ));
        }
        return Ok((report, warnings));
    };
    if report.n_reference == 0 || report.n_current == 0 {
        let side = if report.n_reference == 0 {
            "reference"
        } else {
            "current"
        };
        warnings.push(format!(
            "column '{}': every value is missing in the {side} file; not compared (null)",
            c.name
        ));
        return Ok((report, warnings));
    }
    let (stats, distinct, n_ref) = match column_type {
        ColumnType::Numerical => {
            let (reference, ref_int) = numbers(&c.reference);
            let (current, cur_int) = numbers(&c.current);
            let (reference, current) = (Sample::new(reference), Sample::new(current));
            let distinct = reference.distinct_with(&current);
            let stats = numerical_statistics_for(&reference, &current, ref_int && cur_int, method);
            (stats, distinct, reference.len())
        }
        ColumnType::Categorical => {
            let counts = CategoryCounts::new(&c.reference, &c.current);
            report.new_categories = counts.new_categories();
            report.vanished_categories = counts.vanished_categories();
            if !report.new_categories.is_empty() {
                warnings.push(format!(
                    "column '{}': categories new in the current file: {}",
                    c.name,
                    shown(&report.new_categories)
                ));
            }
            let stats = categorical_statistics_for(&counts.reference, &counts.current, method);
            (stats, counts.labels.len(), report.n_reference)
        }
    };
    let method = method.unwrap_or_else(|| auto_method(column_type, n_ref, distinct));
    let threshold = threshold.unwrap_or_else(|| method.default_threshold());
    report.method = Some(method);
    report.threshold = Some(threshold);
    report.score = stats.score(method);
    report.drifted = report.score.map(|s| method.drifted(s, threshold));
    if report.score.is_none() {
        warnings.push(format!(
            "column '{}': {method} is undefined here; not compared (null)",
            c.name
        ));
    }
    report.stats = stats;
    Ok((report, warnings))
}

/// The finite values of a numeric side, and whether it is an integer column without
/// missing values (numpy's integer dtype).
fn numbers(data: &ColumnData<'_>) -> (Vec<f64>, bool) {
    match data {
        ColumnData::Numbers { values, dtype } => (
            values.iter().copied().filter(|v| v.is_finite()).collect(),
            *dtype == Dtype::Int,
        ),
        // Labels were rejected by `plan` unless every value is missing.
        ColumnData::Labels { .. } => (Vec::new(), false),
    }
}

fn shown(names: &[String]) -> String {
    const MAX: usize = 10;
    let mut s: Vec<String> = names.iter().take(MAX).map(|n| format!("'{n}'")).collect();
    if names.len() > MAX {
        s.push(format!("… ({} in all)", names.len()));
    }
    s.join(", ")
}

/// Counts per category of both sides over the union of categories, ordered as Python
/// sorts the values (numbers numerically, text by code point).
struct CategoryCounts {
    labels: Vec<String>,
    reference: Vec<u64>,
    current: Vec<u64>,
}

/// A category's identity: numbers by value (so `1` and `1.0` agree), text by content.
#[derive(Clone, PartialEq, PartialOrd)]
enum Key {
    Number(f64),
    Text(String),
}

impl CategoryCounts {
    fn new(reference: &ColumnData<'_>, current: &ColumnData<'_>) -> CategoryCounts {
        let ref_counts = side_counts(reference);
        let cur_counts = side_counts(current);
        let mut keys: Vec<Key> = ref_counts
            .iter()
            .chain(&cur_counts)
            .map(|(k, _)| k.clone())
            .collect();
        keys.sort_by(|a, b| match (a, b) {
            (Key::Number(x), Key::Number(y)) => x.total_cmp(y),
            (Key::Text(x), Key::Text(y)) => x.cmp(y),
            (Key::Number(_), Key::Text(_)) => std::cmp::Ordering::Less,
            (Key::Text(_), Key::Number(_)) => std::cmp::Ordering::Greater,
        });
        keys.dedup_by(|a, b| match (&*a, &*b) {
            (Key::Number(x), Key::Number(y)) => x == y,
            (Key::Text(x), Key::Text(y)) => x == y,
            _ => false,
        });
        let position = |k: &Key| {
            keys.binary_search_by(|p| match (p, k) {
                (Key::Number(x), Key::Number(y)) => {
                    if x == y {
                        std::cmp::Ordering::Equal
                    } else {
                        x.total_cmp(y)
                    }
                }
                (Key::Text(x), Key::Text(y)) => x.cmp(y),
                (Key::Number(_), Key::Text(_)) => std::cmp::Ordering::Less,
                (Key::Text(_), Key::Number(_)) => std::cmp::Ordering::Greater,
            })
            .unwrap_or_else(|_| unreachable!("every key was collected"))
        };
        let mut reference = vec![0u64; keys.len()];
        let mut current = vec![0u64; keys.len()];
        for (k, n) in &ref_counts {
            reference[position(k)] += n;
        }
        for (k, n) in &cur_counts {
            current[position(k)] += n;
        }
        let labels = keys
            .into_iter()
            .map(|k| match k {
                Key::Number(x) => format!("{x}"),
                Key::Text(s) => s,
            })
            .collect();
        CategoryCounts {
            labels,
            reference,
            current,
        }
    }

    fn new_categories(&self) -> Vec<String> {
        self.labels
            .iter()
            .zip(self.reference.iter().zip(&self.current))
            .filter(|(_, (&r, &c))| r == 0 && c > 0)
            .map(|(l, _)| l.clone())
            .collect()
    }

    fn vanished_categories(&self) -> Vec<String> {
        self.labels
            .iter()
            .zip(self.reference.iter().zip(&self.current))
            .filter(|(_, (&r, &c))| r > 0 && c == 0)
            .map(|(l, _)| l.clone())
            .collect()
    }
}

/// Non-missing value counts of one side.
fn side_counts(data: &ColumnData<'_>) -> Vec<(Key, u64)> {
    match data {
        ColumnData::Numbers { values, .. } => {
            // Categorical numbers have few distinct values: count by value (bits, with
            // -0.0 as 0.0), then order the few keys.
            let mut counts: HashMap<u64, u64> = HashMap::new();
            for &x in values.iter().filter(|x| x.is_finite()) {
                let x = if x == 0.0 { 0.0 } else { x };
                *counts.entry(x.to_bits()).or_insert(0) += 1;
            }
            let mut out: Vec<(Key, u64)> = counts
                .into_iter()
                .map(|(bits, n)| (Key::Number(f64::from_bits(bits)), n))
                .collect();
            out.sort_by(|a, b| match (&a.0, &b.0) {
                (Key::Number(x), Key::Number(y)) => x.total_cmp(y),
                _ => std::cmp::Ordering::Equal,
            });
            out
        }
        ColumnData::Labels { codes, labels, .. } => {
            let mut counts = vec![0u64; labels.len()];
            for &c in codes.iter().filter(|&&c| c != MISSING) {
                counts[c as usize] += 1;
            }
            labels
                .iter()
                .zip(counts)
                .filter(|(_, n)| *n > 0)
                .map(|(l, n)| (Key::Text(l.clone()), n))
                .collect()
        }
    }
}

/// `p_adjusted` across the columns judged by a p-value; with a correction, their
/// verdicts use the adjusted p-value (with each method's strictness and threshold).
fn apply_correction(reports: &mut [ColumnReport], correction: Correction) {
    let family: Vec<Option<f64>> = reports
        .iter()
        .map(|r| match r.method {
            Some(m) if m.is_p_value() => r.score,
            _ => None,
        })
        .collect();
    let adjusted = adjust(&family, correction, 0.05);
    for (r, p) in reports.iter_mut().zip(adjusted.p_adjusted) {
        r.p_adjusted = p.map(|p| p.min(1.0));
        if correction != Correction::None {
            if let (Some(m), Some(t), Some(p)) = (r.method, r.threshold, r.p_adjusted) {
                r.drifted = Some(m.drifted(p, t));
            }
        }
    }
}

fn dataset_verdict(reports: &[ColumnReport], drift_share: f64) -> DatasetReport {
    let judged: Vec<bool> = reports.iter().filter_map(|r| r.drifted).collect();
    let drifted = judged.iter().filter(|&&d| d).count();
    let share = (!judged.is_empty()).then(|| drifted as f64 / judged.len() as f64);
    DatasetReport {
        columns: judged.len(),
        drifted,
        share,
        drift_share,
        drift: share.map(|s| s >= drift_share),
        skipped: reports.len() - judged.len(),
        missing_drifted: reports.iter().filter(|r| r.missing_drifted).count(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(values: &[&str]) -> (Vec<u32>, Vec<String>) {
        let mut names: Vec<String> = Vec::new();
        let codes = values
            .iter()
            .map(|v| {
                if v.is_empty() {
                    return MISSING;
                }
                match names.iter().position(|n| n == v) {
                    Some(i) => i as u32,
                    None => {
                        names.push(v.to_string());
                        (names.len() - 1) as u32
                    }
                }
            })
            .collect();
        (codes, names)
    }

    #[test]
    fn new_and_vanished_categories_by_name() {
        let (rc, rl) = labels(&["a", "b", "b", "c"]);
        let (cc, cl) = labels(&["b", "d", "", "a"]);
        let cols = [ColumnInput {
            name: "x",
            reference: ColumnData::Labels {
                codes: &rc,
                labels: &rl,
                dtype: Dtype::Text,
            },
            current: ColumnData::Labels {
                codes: &cc,
                labels: &cl,
                dtype: Dtype::Text,
            },
        }];
        let r = analyze(&cols, &Settings::default()).unwrap();
        let c = &r.columns[0];
        assert_eq!(c.new_categories, vec!["d"]);
        assert_eq!(c.vanished_categories, vec!["c"]);
        assert_eq!(c.method, Some(Method::ChiSquare));
        assert_eq!(c.score, Some(0.0), "a new category: chi-square p = 0");
        assert_eq!(c.drifted, Some(true));
        assert_eq!(c.missing_share_current, Some(0.25));
        assert_eq!(c.n_current, 3);
    }

    #[test]
    fn integer_categorical_against_floats_is_a_type_mismatch() {
        let r = [1.0, 2.0, 1.0, 3.0];
        let c = [1.0, f64::NAN, 2.0, 3.0];
        let cols = [ColumnInput {
            name: "level",
            reference: ColumnData::Numbers {
                values: &r,
                dtype: Dtype::Int,
            },
            current: ColumnData::Numbers {
                values: &c,
                dtype: Dtype::Float,
            },
        }];
        let e = analyze(&cols, &Settings::default()).unwrap_err();
        assert!(matches!(e, DriftError::TypeMismatch { .. }), "{e}");
        let mut forced = Settings::default();
        forced
            .types
            .insert("level".to_string(), ColumnType::Categorical);
        let r = analyze(&cols, &forced).unwrap();
        assert_eq!(r.columns[0].column_type, Some(ColumnType::Categorical));
        assert!(r.columns[0].new_categories.is_empty());
    }

    #[test]
    fn all_missing_is_null_with_a_warning() {
        let r = [1.0, 2.0, 3.0];
        let c = [f64::NAN; 3];
        let cols = [ColumnInput {
            name: "x",
            reference: ColumnData::Numbers {
                values: &r,
                dtype: Dtype::Float,
            },
            current: ColumnData::Numbers {
                values: &c,
                dtype: Dtype::Empty,
            },
        }];
        let rep = analyze(&cols, &Settings::default()).unwrap();
        assert_eq!(rep.columns[0].drifted, None);
        assert_eq!(rep.columns[0].score, None);
        assert!(rep.columns[0].missing_drifted);
        assert_eq!(rep.dataset.drift, None);
        assert!(rep
            .warnings
            .iter()
            .any(|w| w.contains("every value is missing")));
    }
}
