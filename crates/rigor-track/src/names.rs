//! Metric names MLflow accepts. MLflow allows letters, digits, `_ - . / :` and spaces
//! in a name; rigor's measure names use more (`nDCG@10`, `P(rel=2)@10`, `chrF++`). The
//! mapping, applied by [`metric_name`]:
//!
//! | in the measure | in the metric |
//! |---|---|
//! | `@` | `_at_` |
//! | `+` | `p` (so `chrF++` is `chrFpp`, distinct from `chrF`) |
//! | `%` | `pct` |
//! | any other character MLflow refuses (`( ) = , …`) | `_` |
//!
//! then runs of `_` collapse to one and `_` is trimmed from both ends:
//! `nDCG@10` → `nDCG_at_10`, `P(rel=2)@10` → `P_rel_2_at_10`, `ROUGE-L` unchanged.
//! Interval bounds are the metric's name with `.ci_low` / `.ci_high` appended.

/// The MLflow-legal name of a measure (see the module's table).
pub fn metric_name(measure: &str) -> String {
    let mut out = String::with_capacity(measure.len() + 4);
    for c in measure.chars() {
        match c {
            '@' => out.push_str("_at_"),
            '+' => out.push('p'),
            '%' => out.push_str("pct"),
            c if c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '/' | ':') => out.push(c),
            _ => out.push('_'),
        }
    }
    let mut collapsed = String::with_capacity(out.len());
    for c in out.chars() {
        if !(c == '_' && collapsed.ends_with('_')) {
            collapsed.push(c);
        }
    }
    let trimmed = collapsed.trim_matches('_');
    if trimmed.is_empty() {
        "metric".to_string()
    } else {
        trimmed.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measure_names_map_to_legal_metric_names() {
        for (measure, metric) in [
            ("nDCG@10", "nDCG_at_10"),
            ("P(rel=2)@10", "P_rel_2_at_10"),
            ("chrF++", "chrFpp"),
            ("chrF", "chrF"),
            ("ROUGE-Lsum", "ROUGE-Lsum"),
            ("AP", "AP"),
            ("f1 (macro)", "f1_macro"),
            ("@", "at"),
            ("()", "metric"),
        ] {
            assert_eq!(metric_name(measure), metric, "{measure}");
            let m = rigor_store::Metric::new(metric_name(measure), 0.0, 0, 0);
            assert!(rigor_store::validate::metric("m", &m).is_ok(), "{metric}");
        }
    }
}
