//! `rigor drift` output: the evidence document from the analysis, and its table and
//! CSV renderings.

use indexmap::IndexMap;
use rigor_io::evidence::{DriftColumn, DriftDataset, DriftEvidence};
use rigor_stats::drift::{ColumnReport, DatasetReport};

use crate::output::{csv_field, csv_number, table};

fn finite(v: Option<f64>) -> serde_json::Value {
    match v {
        Some(x) if x.is_finite() => serde_json::json!(x),
        _ => serde_json::Value::Null,
    }
}

pub(super) fn column_evidence(r: &ColumnReport) -> DriftColumn {
    let s = &r.stats;
    let mut stats: IndexMap<String, serde_json::Value> = IndexMap::new();
    let mut put = |k: &str, v: serde_json::Value| {
        stats.insert(k.to_string(), v);
    };
    if s.ks_p_value.is_some() {
        put("ks_statistic", finite(s.ks_statistic));
        put("ks_p_value", finite(s.ks_p_value));
        put(
            "ks_method",
            serde_json::json!(s.ks_method.map(|m| m.as_str())),
        );
    }
    if s.wasserstein.is_some() {
        put("wasserstein", finite(s.wasserstein));
        put("wasserstein_normed", finite(s.wasserstein_normed));
    }
    if s.jensen_shannon.is_some() {
        put("jensen_shannon", finite(s.jensen_shannon));
    }
    if s.psi.is_some() {
        put("psi", finite(s.psi));
    }
    if s.chi_square_p_value.is_some() {
        put("chi_square", finite(s.chi_square));
        put("chi_square_df", serde_json::json!(s.chi_square_df));
        put("chi_square_p_value", finite(s.chi_square_p_value));
    }
    if s.z_p_value.is_some() {
        put("z", finite(s.z));
        put("z_p_value", finite(s.z_p_value));
    }
    put("missing_p_value", finite(r.missing_p_value));
    DriftColumn {
        name: r.name.clone(),
        column_type: r.column_type.map(|t| t.as_str().to_string()),
        method: r.method.map(|m| m.as_str().to_string()),
        score: r.score.filter(|x| x.is_finite()),
        threshold: r.threshold,
        drifted: r.drifted,
        p_adjusted: r.p_adjusted,
        n_reference: r.n_reference,
        n_current: r.n_current,
        missing_share_reference: r.missing_share_reference,
        missing_share_current: r.missing_share_current,
        missing_drifted: r.missing_drifted,
        new_categories: r.new_categories.clone(),
        vanished_categories: r.vanished_categories.clone(),
        stats,
    }
}

pub(super) fn dataset_evidence(d: &DatasetReport) -> DriftDataset {
    DriftDataset {
        columns: d.columns,
        drifted: d.drifted,
        share: d.share,
        drift_share: d.drift_share,
        drift: d.drift,
        skipped: d.skipped,
        missing_drifted: d.missing_drifted,
    }
}

/// A score for people: four decimals, or three significant digits when tiny.
fn score_text(v: Option<f64>) -> String {
    match v {
        None => "-".to_string(),
        Some(0.0) => "0".to_string(),
        Some(x) if x.abs() < 1e-3 => format!("{x:.2e}"),
        Some(x) => format!("{x:.4}"),
    }
}

fn share_text(v: Option<f64>) -> String {
    v.map_or("-".to_string(), |x| format!("{:.1}%", 100.0 * x))
}

fn verdict_text(c: &DriftColumn) -> &'static str {
    match c.drifted {
        Some(true) => "DRIFT",
        Some(false) => "ok",
        None => "null",
    }
}

/// Drifted columns first, then the others, then those without a verdict; file order
/// within each group.
fn table_order(columns: &[DriftColumn]) -> Vec<&DriftColumn> {
    let mut rows: Vec<&DriftColumn> = columns.iter().collect();
    rows.sort_by_key(|c| match c.drifted {
        Some(true) => 0,
        Some(false) => 1,
        None => 2,
    });
    rows
}

fn columns_table(columns: &[DriftColumn], correction: bool) -> String {
    let mut header: Vec<String> = ["column", "type", "method", "score", "threshold"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    if correction {
        header.push("p_adjusted".to_string());
    }
    header.extend(
        ["drift", "missing ref → cur", "notes"]
            .iter()
            .map(|s| s.to_string()),
    );
    let rows: Vec<Vec<String>> = table_order(columns)
        .into_iter()
        .map(|c| {
            let mut row = vec![
                c.name.clone(),
                c.column_type.clone().unwrap_or_else(|| "-".to_string()),
                c.method.clone().unwrap_or_else(|| "-".to_string()),
                score_text(c.score),
                c.threshold.map_or("-".to_string(), |t| format!("{t}")),
            ];
            if correction {
                row.push(score_text(c.p_adjusted));
            }
            let mut notes = Vec::new();
            if c.missing_drifted {
                notes.push("missing share drifted".to_string());
            }
            if !c.new_categories.is_empty() {
                notes.push(format!("new: {}", short_list(&c.new_categories)));
            }
            if !c.vanished_categories.is_empty() {
                notes.push(format!("vanished: {}", short_list(&c.vanished_categories)));
            }
            row.push(verdict_text(c).to_string());
            row.push(format!(
                "{} → {}",
                share_text(c.missing_share_reference),
                share_text(c.missing_share_current)
            ));
            row.push(notes.join("; "));
            row
        })
        .collect();
    table(&header, &rows)
}

fn short_list(names: &[String]) -> String {
    const MAX: usize = 5;
    let mut s: Vec<String> = names.iter().take(MAX).cloned().collect();
    if names.len() > MAX {
        s.push(format!("+{} more", names.len() - MAX));
    }
    s.join(", ")
}

fn dataset_line(d: &DriftDataset) -> String {
    let verdict = match d.drift {
        Some(true) => "DATASET DRIFT",
        Some(false) => "no dataset drift",
        None => "no verdict",
    };
    let mut line = format!(
        "dataset: {} of {} columns drifted ({}; drift at >= {}%): {verdict}",
        d.drifted,
        d.columns,
        share_text(d.share),
        100.0 * d.drift_share
    );
    if d.skipped > 0 {
        line.push_str(&format!("; {} not compared", d.skipped));
    }
    if d.missing_drifted > 0 {
        line.push_str(&format!(
            "; missing share drifted in {} column{}",
            d.missing_drifted,
            if d.missing_drifted == 1 { "" } else { "s" }
        ));
    }
    line.push('\n');
    line
}

pub(super) fn render_table(e: &DriftEvidence) -> String {
    let correction = e.settings.correction != "none";
    let mut out = format!(
        "reference: {} ({} rows)\ncurrent:   {} ({} rows)\n\n",
        e.reference.path, e.reference.rows, e.current.path, e.current.rows
    );
    out.push_str(&columns_table(&e.columns, correction));
    out.push('\n');
    out.push_str(&dataset_line(&e.dataset));
    for s in &e.segments {
        out.push_str(&format!(
            "\nsegment {}={} ({} reference rows, {} current rows)\n",
            s.column, s.value, s.reference_rows, s.current_rows
        ));
        match &s.dataset {
            Some(d) => {
                out.push_str(&columns_table(&s.columns, correction));
                out.push_str(&dataset_line(d));
            }
            None => out.push_str("not compared: a file has no row of this segment\n"),
        }
    }
    out
}

const CSV_STATS: [&str; 13] = [
    "ks_statistic",
    "ks_p_value",
    "ks_method",
    "wasserstein",
    "wasserstein_normed",
    "jensen_shannon",
    "psi",
    "chi_square",
    "chi_square_df",
    "chi_square_p_value",
    "z",
    "z_p_value",
    "missing_p_value",
];

pub(super) fn render_csv(e: &DriftEvidence) -> String {
    let mut out = String::from(
        "segment,column,type,method,score,threshold,drifted,p_adjusted,n_reference,n_current,\
         missing_share_reference,missing_share_current,missing_drifted,new_categories,vanished_categories",
    );
    for s in &CSV_STATS {
        out.push(',');
        out.push_str(s);
    }
    out.push('\n');
    let mut rows = |segment: &str, columns: &[DriftColumn]| {
        for c in columns {
            let opt = |v: &Option<String>| csv_field(v.as_deref().unwrap_or(""));
            let mut fields = vec![
                csv_field(segment),
                csv_field(&c.name),
                opt(&c.column_type),
                opt(&c.method),
                csv_number(c.score),
                csv_number(c.threshold),
                c.drifted.map_or(String::new(), |d| d.to_string()),
                csv_number(c.p_adjusted),
                c.n_reference.to_string(),
                c.n_current.to_string(),
                csv_number(c.missing_share_reference),
                csv_number(c.missing_share_current),
                c.missing_drifted.to_string(),
                csv_field(&c.new_categories.join("|")),
                csv_field(&c.vanished_categories.join("|")),
            ];
            for s in &CSV_STATS {
                fields.push(match c.stats.get(*s) {
                    Some(serde_json::Value::Number(n)) => n.to_string(),
                    Some(serde_json::Value::String(t)) => csv_field(t),
                    _ => String::new(),
                });
            }
            out.push_str(&fields.join(","));
            out.push('\n');
        }
    };
    rows("", &e.columns);
    for s in &e.segments {
        rows(&format!("{}={}", s.column, s.value), &s.columns);
    }
    out
}
