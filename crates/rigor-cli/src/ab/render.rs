//! Tables for people and CSV rows for dataframes, from the JSON document.

use rigor_io::evidence::ab::{AbComparison, AbEvidence};

use crate::output::{csv_field, csv_number, table as grid};

/// `v` with four significant digits (no exponent for ordinary magnitudes).
pub fn sig(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let mag = v.abs().log10().floor() as i32;
    if !(-6..=12).contains(&mag) {
        return format!("{v:.3e}");
    }
    let decimals = (3 - mag).clamp(0, 9) as usize;
    format!("{v:.decimals$}")
}

fn signed(v: f64) -> String {
    let s = sig(v);
    if v > 0.0 {
        format!("+{s}")
    } else {
        s
    }
}

fn pct(v: f64) -> String {
    format!("{:+.2}%", v * 100.0)
}

pub fn p(v: Option<f64>) -> String {
    match v {
        None => "-".to_string(),
        Some(p) if p < 1e-4 => format!("{p:.1e}"),
        Some(p) => format!("{p:.4}"),
    }
}

fn interval(v: f64, lo: Option<f64>, hi: Option<f64>, f: fn(f64) -> String) -> String {
    match (lo, hi) {
        (Some(lo), Some(hi)) => format!("{} [{}, {}]", f(v), f(lo), f(hi)),
        _ => f(v),
    }
}

fn metric_label(e: &AbEvidence, c: &AbComparison) -> String {
    let mut s = c.metric.clone();
    if e.primary.as_deref() == Some(c.metric.as_str()) {
        s.push_str(" (primary)");
    }
    if c.cuped.as_ref().is_some_and(|k| k.theta != 0.0) {
        s.push_str(" [cuped]");
    }
    if c.cap.is_some() {
        s.push_str(" [capped]");
    }
    s
}

fn effects_table(e: &AbEvidence, rows: &[&AbComparison], with_arm: bool) -> String {
    let conf = format!("{:.0}%", (1.0 - e.alpha) * 100.0);
    let mut header: Vec<String> = vec!["metric".into()];
    if with_arm {
        header.push("arm".into());
    }
    header.extend([
        e.control.clone(),
        "treatment".into(),
        format!("delta [{conf} CI]"),
        format!("lift [{conf} CI]"),
        "p".into(),
        "p_adj".into(),
        String::new(),
    ]);
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|c| {
            let mut r = vec![metric_label(e, c)];
            if with_arm {
                r.push(c.candidate.clone());
            }
            r.extend([
                sig(c.baseline_mean),
                sig(c.candidate_mean),
                interval(c.delta, c.ci_low, c.ci_high, signed),
                match c.relative_lift {
                    Some(l) => interval(l, c.relative_ci_low, c.relative_ci_high, pct),
                    None => "-".into(),
                },
                p(c.p_value),
                p(c.p_adjusted),
                if c.significant {
                    "*".into()
                } else {
                    String::new()
                },
            ]);
            r
        })
        .collect();
    grid(&header, &body)
}

/// The human-readable report.
pub fn table(e: &AbEvidence) -> String {
    let mut out = String::new();
    let family = e
        .comparisons
        .iter()
        .filter(|c| c.guardrail.is_none())
        .count();
    out.push_str(&format!(
        "data: {} ({} units; compat {}; {} across {} comparisons; alpha {})\n",
        e.data, e.units, e.compat, e.correction, family, e.alpha
    ));
    let arms: Vec<String> = e
        .srm
        .observed
        .iter()
        .map(|(a, n)| format!("{a} {n}"))
        .collect();
    out.push_str(&format!(
        "arms: {} (control: {})\n",
        arms.join(", "),
        e.control
    ));
    out.push_str(&format!(
        "SRM: chi2 = {}, p = {}: {}\n\n",
        e.srm.chi2.map_or("-".into(), |v| format!("{v:.3}")),
        p(e.srm.p_value),
        e.srm.status
    ));

    let main: Vec<&AbComparison> = e
        .comparisons
        .iter()
        .filter(|c| c.guardrail.is_none())
        .collect();
    let with_arm = e.arms.len() > 2;
    if !main.is_empty() {
        out.push_str(&effects_table(e, &main, with_arm));
        out.push_str(&format!(
            "* significant after {} correction; tests: {}\n",
            e.correction,
            unique(main.iter().map(|c| format!("{} ({})", c.metric, c.test)))
        ));
    }

    let guard: Vec<&AbComparison> = e
        .comparisons
        .iter()
        .filter(|c| c.guardrail.is_some())
        .collect();
    if !guard.is_empty() {
        out.push_str("\nguardrails (one-sided non-inferiority)\n");
        let header: Vec<String> = [
            "metric",
            "arm",
            "delta [CI]",
            "good",
            "margin",
            "p",
            "verdict",
        ]
        .map(String::from)
        .to_vec();
        let body: Vec<Vec<String>> = guard
            .iter()
            .filter_map(|c| {
                let g = c.guardrail.as_ref()?;
                Some(vec![
                    c.metric.clone(),
                    c.candidate.clone(),
                    interval(c.delta, c.ci_low, c.ci_high, signed),
                    g.direction.clone(),
                    sig(g.margin),
                    p(c.p_value),
                    g.verdict.clone(),
                ])
            })
            .collect();
        out.push_str(&grid(&header, &body));
    }

    let mut notes = Vec::new();
    for c in &e.comparisons {
        if let Some(k) = &c.cuped {
            notes.push(format!(
                "cuped {} {}: theta {}, variance reduction {}, unadjusted delta {}, covariate balance p {}",
                c.metric,
                c.candidate,
                sig(k.theta),
                k.variance_reduction.map_or("-".into(), |v| format!("{:.1}%", v * 100.0)),
                signed(k.unadjusted_delta),
                p(k.covariate_balance_p)
            ));
        }
        if let Some(k) = &c.cap {
            notes.push(format!(
                "capped {} at {} (pooled quantile {}, {} units): uncapped delta {} [{}, {}], p {}",
                c.metric,
                sig(k.cap),
                k.quantile,
                k.capped_units,
                signed(k.uncapped.delta),
                k.uncapped.ci_low.map_or("-".into(), signed),
                k.uncapped.ci_high.map_or("-".into(), signed),
                p(k.uncapped.p_value)
            ));
        }
        if let Some(m) = &c.mann_whitney {
            notes.push(format!(
                "mann-whitney {} {}: U = {}, p = {} ({})",
                c.metric,
                c.candidate,
                m.u,
                p(Some(m.p_value)),
                m.method
            ));
        }
    }
    if !notes.is_empty() {
        out.push('\n');
        for n in notes {
            out.push_str(&n);
            out.push('\n');
        }
    }

    if e.sequential_tuning.is_some() {
        out.push_str(&format!(
            "\nalways-valid (sequential, tuning {})\n",
            e.sequential_tuning.unwrap_or_default()
        ));
        let header: Vec<String> = [
            "metric",
            "arm",
            "delta [always-valid CI]",
            "lift [always-valid CI]",
            "p",
        ]
        .map(String::from)
        .to_vec();
        let body: Vec<Vec<String>> = e
            .comparisons
            .iter()
            .filter_map(|c| {
                let s = c.sequential.as_ref()?;
                Some(vec![
                    c.metric.clone(),
                    c.candidate.clone(),
                    interval(c.delta, Some(s.ci_low), Some(s.ci_high), signed),
                    match c.relative_lift {
                        Some(l) => interval(l, s.relative_ci_low, s.relative_ci_high, pct),
                        None => "-".into(),
                    },
                    p(Some(s.p_value)),
                ])
            })
            .collect();
        out.push_str(&grid(&header, &body));
    }

    if !e.srm.segments.is_empty() {
        out.push_str("\nSRM by segment (Holm within each column)\n");
        let header: Vec<String> = ["segment", "units", "p", "p_adj", "status"]
            .map(String::from)
            .to_vec();
        let body: Vec<Vec<String>> = e
            .srm
            .segments
            .iter()
            .map(|s| {
                vec![
                    format!(
                        "{}={}",
                        s.column.as_deref().unwrap_or_default(),
                        s.value.as_deref().unwrap_or_default()
                    ),
                    s.observed
                        .values()
                        .map(u64::to_string)
                        .collect::<Vec<_>>()
                        .join(" / "),
                    p(s.p_value),
                    p(s.p_adjusted),
                    s.status.clone(),
                ]
            })
            .collect();
        out.push_str(&grid(&header, &body));
    }

    let focus = e
        .primary
        .clone()
        .or_else(|| main.first().map(|c| c.metric.clone()));
    if let Some(focus) = &focus {
        if !e.segments.is_empty() {
            out.push_str(&format!("\n{focus} by segment\n"));
            let header: Vec<String> = ["segment", "arm", "units", "delta [CI]", "lift", "p"]
                .map(String::from)
                .to_vec();
            let body: Vec<Vec<String>> = e
                .segments
                .iter()
                .flat_map(|s| {
                    s.comparisons
                        .iter()
                        .filter(|c| &c.metric == focus)
                        .map(move |c| {
                            vec![
                                format!("{}={}", s.column, s.value),
                                c.candidate.clone(),
                                s.units.to_string(),
                                interval(c.delta, c.ci_low, c.ci_high, signed),
                                c.relative_lift.map_or("-".into(), pct),
                                p(c.p_value),
                            ]
                        })
                })
                .collect();
            out.push_str(&grid(&header, &body));
        }
        if !e.looks.is_empty() {
            out.push_str(&format!(
                "\n{focus} by day (cumulative looks; cohort = units first exposed that day)\n"
            ));
            let seq = e.sequential_tuning.is_some();
            let mut header: Vec<String> = ["day", "arm", "units", "SRM p_adj", "delta [CI]"]
                .map(String::from)
                .to_vec();
            if seq {
                header.push("always-valid CI".into());
            }
            header.extend(["cohort delta [CI]".to_string()]);
            let body: Vec<Vec<String>> = e
                .looks
                .iter()
                .flat_map(|l| {
                    l.comparisons
                        .iter()
                        .filter(|c| &c.metric == focus)
                        .map(move |c| {
                            let mut r = vec![
                                l.day.clone(),
                                c.candidate.clone(),
                                l.units.to_string(),
                                p(l.srm.p_adjusted),
                                interval(c.delta, c.ci_low, c.ci_high, signed),
                            ];
                            if seq {
                                r.push(c.sequential.as_ref().map_or("-".into(), |s| {
                                    format!("[{}, {}]", signed(s.ci_low), signed(s.ci_high))
                                }));
                            }
                            r.push(
                                l.cohort
                                    .comparisons
                                    .iter()
                                    .find(|k| k.metric == c.metric && k.candidate == c.candidate)
                                    .map_or("-".into(), |k| {
                                        interval(k.delta, k.ci_low, k.ci_high, signed)
                                    }),
                            );
                            r
                        })
                })
                .collect();
            out.push_str(&grid(&header, &body));
        }
    }
    out
}

fn unique(items: impl Iterator<Item = String>) -> String {
    let mut seen: Vec<String> = Vec::new();
    for i in items {
        if !seen.contains(&i) {
            seen.push(i);
        }
    }
    seen.join(", ")
}

/// Long-format rows: every comparison overall, per segment value and per look.
pub fn csv(e: &AbEvidence) -> String {
    let mut out = String::from(
        "scope,segment_column,segment_value,day,metric,baseline,candidate,baseline_n,candidate_n,\
         baseline_mean,candidate_mean,delta,se,df,ci_low,ci_high,relative_lift,relative_ci_low,\
         relative_ci_high,test,p_value,p_adjusted,significant,cuped_theta,sequential_ci_low,\
         sequential_ci_high,sequential_p_value,guardrail_verdict,mann_whitney_p\n",
    );
    let mut row = |scope: &str, col: &str, val: &str, day: &str, c: &AbComparison| {
        let fields = [
            csv_field(scope),
            csv_field(col),
            csv_field(val),
            csv_field(day),
            csv_field(&c.metric),
            csv_field(&c.baseline),
            csv_field(&c.candidate),
            c.baseline_n.to_string(),
            c.candidate_n.to_string(),
            c.baseline_mean.to_string(),
            c.candidate_mean.to_string(),
            c.delta.to_string(),
            csv_number(c.se),
            csv_number(c.df),
            csv_number(c.ci_low),
            csv_number(c.ci_high),
            csv_number(c.relative_lift),
            csv_number(c.relative_ci_low),
            csv_number(c.relative_ci_high),
            csv_field(&c.test),
            csv_number(c.p_value),
            csv_number(c.p_adjusted),
            c.significant.to_string(),
            csv_number(c.cuped.as_ref().map(|k| k.theta)),
            csv_number(c.sequential.as_ref().map(|s| s.ci_low)),
            csv_number(c.sequential.as_ref().map(|s| s.ci_high)),
            csv_number(c.sequential.as_ref().map(|s| s.p_value)),
            c.guardrail
                .as_ref()
                .map(|g| g.verdict.clone())
                .unwrap_or_default(),
            csv_number(c.mann_whitney.as_ref().map(|m| m.p_value)),
        ];
        out.push_str(&fields.join(","));
        out.push('\n');
    };
    for c in &e.comparisons {
        row("overall", "", "", "", c);
    }
    for s in &e.segments {
        for c in &s.comparisons {
            row("segment", &s.column, &s.value, "", c);
        }
    }
    for l in &e.looks {
        for c in &l.comparisons {
            row("cumulative", "", "", &l.day, c);
        }
        for c in &l.cohort.comparisons {
            row("cohort", "", "", &l.day, c);
        }
    }
    out
}
