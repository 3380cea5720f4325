//! Tables and CSV for `rigor eval text`: one system (measure per row), or several
//! (an ablation table, one row per system, with the comparisons under it).

use rigor_io::evidence::TextEvidence;
use rigor_stats::Bootstrap;

use crate::comparisons;
use crate::output::{csv_field, csv_number, table};

pub fn render_csv(e: &TextEvidence) -> String {
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

pub fn render_table(e: &TextEvidence, bootstrap: Option<&Bootstrap>) -> String {
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

/// CSV for several systems: one row per (system, measure) with the comparison's
/// columns (empty for the baseline), then sentence-level rows with `--per-item`.
pub fn systems_csv(e: &TextEvidence) -> String {
    let mut out = String::from(
        "system,measure,segment,score,ci_low,ci_high,baseline,delta,delta_ci_low,delta_ci_high,\
         effect_size,test,p_value,p_adjusted,correction,significant,bootstrap_mean,bootstrap_ci,signature\n",
    );
    let comparisons = e.comparisons.as_deref().unwrap_or_default();
    for s in e.systems.iter().flatten() {
        let name = csv_field(&s.name);
        for (m, v) in &s.metrics {
            out.push_str(&format!(
                "{name},{},all,{},{},{},{},{},{},{}\n",
                csv_field(m),
                v.score,
                csv_number(v.ci_low),
                csv_number(v.ci_high),
                comparisons::csv_columns(comparisons, &s.name, m),
                csv_number(v.bootstrap_mean),
                csv_number(v.bootstrap_ci),
                csv_field(&v.signature)
            ));
        }
        for (i, item) in s.per_item.iter().flatten().enumerate() {
            for (m, v) in item {
                out.push_str(&format!(
                    "{name},{},{},{v},,,,,,,,,,,,,,,\n",
                    csv_field(m),
                    i + 1
                ));
            }
        }
    }
    out
}

/// The ablation table of several systems: one row per system, one column per
/// measure (score, marker, interval), the legend and the comparisons.
pub fn systems_table(e: &TextEvidence, bootstrap: Option<&Bootstrap>, trials: usize) -> String {
    let systems = e.systems.as_deref().unwrap_or_default();
    let comparisons = e.comparisons.as_deref().unwrap_or_default();
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
        "refs: {} ({} segments)\nvalues: {ci}\n\n",
        e.refs.join(", "),
        e.segments,
    ));
    let mut header = vec!["system".to_string()];
    header.extend(e.metrics.keys().cloned());
    let rows: Vec<Vec<String>> = systems
        .iter()
        .map(|s| {
            std::iter::once(s.name.clone())
                .chain(s.metrics.iter().map(|(m, v)| {
                    let marker = comparisons::marker(comparisons, &s.name, m);
                    comparisons::score_cell(v.score, v.ci_low, v.ci_high, marker)
                }))
                .collect()
        })
        .collect();
    out.push_str(&table(&header, &rows));
    if let Some(baseline) = systems.first() {
        let alpha = e.alpha.unwrap_or(0.05);
        out.push_str(&comparisons::legend(
            &baseline.name,
            comparisons,
            "segments",
            alpha,
        ));
        let mut notes = Vec::new();
        if comparisons.iter().any(|c| c.test == "paired-bs") {
            notes.push(format!(
                "paired-bs: sacrebleu's paired bootstrap resampling over segments ({} resamples)",
                e.resamples
            ));
        }
        if comparisons.iter().any(|c| c.test == "paired-ar") {
            notes.push(format!(
                "paired-ar: sacrebleu's approximate randomization ({trials} trials)"
            ));
        }
        for n in notes {
            out.push_str(&format!("  {n}\n"));
        }
        out.push('\n');
        out.push_str(&comparisons::comparisons_table(comparisons, "segments"));
    }
    for s in systems {
        if let Some(bleu) = s.metrics.get("BLEU").and_then(|b| b.verbose.as_ref()) {
            out.push_str(&format!("\nBLEU {}: {bleu}", s.name));
        }
    }
    if systems.iter().any(|s| s.metrics.contains_key("BLEU")) {
        out.push('\n');
    }
    for s in systems {
        let Some(items) = &s.per_item else {
            continue;
        };
        out.push_str(&format!("\nper segment (line): {}\n", s.name));
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
