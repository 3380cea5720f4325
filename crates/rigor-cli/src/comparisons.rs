//! Rendering shared by the evaluators that compare systems with a baseline
//! (`rigor eval ir`, `rigor eval text`): the significance marker of an ablation-table
//! cell, the legend naming the tests and the correction, and the table of
//! comparisons.

use rigor_io::evidence::Comparison;

use crate::output::table;

/// `▲`/`▼` when `system` differs significantly from the baseline on `measure` (after
/// correction), a space otherwise.
pub fn marker(comparisons: &[Comparison], system: &str, measure: &str) -> &'static str {
    comparisons
        .iter()
        .find(|c| c.candidate == system && c.measure == measure && c.significant)
        .map_or(" ", |c| if c.delta > 0.0 { "▲" } else { "▼" })
}

/// An ablation-table cell: value, marker and interval.
pub fn score_cell(value: f64, low: Option<f64>, high: Option<f64>, marker: &str) -> String {
    match (low, high) {
        (Some(lo), Some(hi)) => format!("{value:.4}{marker} [{lo:.4}, {hi:.4}]"),
        _ => format!("{value:.4}{marker}"),
    }
}

/// The legend under an ablation table: what the markers mean, which test decided
/// each measure, the correction and α. `units` names what was paired (`queries`,
/// `segments`). Empty without comparisons.
pub fn legend(baseline: &str, comparisons: &[Comparison], units: &str, alpha: f64) -> String {
    let Some(first) = comparisons.first() else {
        return String::new();
    };
    // Tests in order of first use, each with its measures.
    let mut tests: Vec<(&str, Vec<&str>)> = Vec::new();
    for c in comparisons {
        match tests.iter_mut().find(|(t, _)| *t == c.test) {
            Some((_, measures)) => {
                if !measures.contains(&c.measure.as_str()) {
                    measures.push(&c.measure);
                }
            }
            None => tests.push((&c.test, vec![&c.measure])),
        }
    }
    let tests = match tests.as_slice() {
        [(test, _)] => format!("two-sided {test} test on shared {units},"),
        _ => format!(
            "two-sided tests on shared {units} — {};",
            tests
                .iter()
                .map(|(t, m)| format!("{t} for {}", m.join(", ")))
                .collect::<Vec<_>>()
                .join("; ")
        ),
    };
    format!(
        "\n▲/▼ significantly higher/lower than the baseline {baseline} ({tests} {} correction \
         across {} comparisons, α = {alpha})\n",
        first.correction,
        comparisons.len()
    )
}

/// One row per comparison: delta with its interval, lift, effect size, raw and
/// adjusted p (`*` when significant). A `test` column appears when the comparisons
/// use more than one test. `units` heads the column of paired units.
pub fn comparisons_table(comparisons: &[Comparison], units: &str) -> String {
    let several_tests = comparisons.iter().any(|c| c.test != comparisons[0].test);
    let mut header = vec![
        "candidate",
        "measure",
        units,
        "delta",
        "delta CI",
        "lift",
        "d_z",
    ];
    if several_tests {
        header.push("test");
    }
    header.extend(["p", "p adj"]);
    let header: Vec<String> = header.into_iter().map(String::from).collect();
    let num = |v: Option<f64>, digits: usize| match v {
        None => "—".to_string(),
        Some(v) if v != 0.0 && v.abs() < 1e-4 => format!("{v:.1e}"),
        Some(v) => format!("{v:.digits$}"),
    };
    let rows: Vec<Vec<String>> = comparisons
        .iter()
        .map(|c| {
            let mut row = vec![
                c.candidate.clone(),
                c.measure.clone(),
                c.n.to_string(),
                format!("{:+.4}", c.delta),
                match (c.ci_low, c.ci_high) {
                    (Some(lo), Some(hi)) => format!("[{lo:+.4}, {hi:+.4}]"),
                    _ => "—".to_string(),
                },
                c.relative_lift
                    .map_or_else(|| "—".to_string(), |l| format!("{:+.1}%", l * 100.0)),
                num(c.effect_size, 2),
            ];
            if several_tests {
                row.push(c.test.clone());
            }
            row.extend([
                num(c.p_value, 4),
                format!(
                    "{}{}",
                    num(c.p_adjusted, 4),
                    if c.significant { " *" } else { "" }
                ),
            ]);
            row
        })
        .collect();
    table(&header, &rows)
}

/// The CSV columns describing a system's comparison on one measure (empty fields for
/// the baseline): `baseline,delta,delta_ci_low,delta_ci_high,effect_size,test,p_value,
/// p_adjusted,correction,significant`.
pub fn csv_columns(comparisons: &[Comparison], system: &str, measure: &str) -> String {
    use crate::output::{csv_field, csv_number};
    comparisons
        .iter()
        .find(|c| c.candidate == system && c.measure == measure)
        .map(|c| {
            format!(
                "{},{},{},{},{},{},{},{},{},{}",
                csv_field(&c.baseline),
                c.delta,
                csv_number(c.ci_low),
                csv_number(c.ci_high),
                csv_number(c.effect_size),
                c.test,
                csv_number(c.p_value),
                csv_number(c.p_adjusted),
                c.correction,
                c.significant
            )
        })
        .unwrap_or_else(|| ",,,,,,,,,".to_string())
}
