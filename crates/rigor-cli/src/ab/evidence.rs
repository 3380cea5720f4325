//! Maps the analysis onto CONTRACT.md's JSON document.

use indexmap::IndexMap;
use rigor_io::evidence::ab as ev;
use rigor_stats::ab::experiment::{Analysis, Experiment, Options, Row, SrmResult};
use rigor_stats::ab::mann_whitney::Method;
use rigor_stats::ab::Comparison;

/// `null` for anything that is not a finite number.
fn finite(v: Option<f64>) -> Option<f64> {
    v.filter(|x| x.is_finite())
}

fn by_arm<T: Copy>(arms: &[String], values: &[T]) -> IndexMap<String, T> {
    arms.iter().cloned().zip(values.iter().copied()).collect()
}

fn srm_group(
    arms: &[String],
    r: &SrmResult,
    column: Option<&str>,
    value: Option<&str>,
) -> ev::SrmGroup {
    ev::SrmGroup {
        column: column.map(str::to_string),
        value: value.map(str::to_string),
        observed: by_arm(arms, &r.observed),
        expected: by_arm(arms, &r.expected),
        chi2: finite(r.chi2),
        df: r.df,
        p_value: finite(r.p_value),
        p_adjusted: finite(r.p_adjusted),
        status: r.status.as_str().to_string(),
    }
}

fn comparison(arms: &[String], row: &Row) -> ev::AbComparison {
    let c: &Comparison = &row.comparison;
    ev::AbComparison {
        metric: row.metric.clone(),
        baseline: arms[0].clone(),
        candidate: arms[row.candidate].clone(),
        baseline_n: c.baseline_n,
        candidate_n: c.candidate_n,
        baseline_mean: c.baseline_mean,
        candidate_mean: c.candidate_mean,
        delta: c.delta,
        se: finite(c.se),
        df: finite(c.df),
        statistic: finite(c.statistic),
        ci_low: finite(c.ci_low),
        ci_high: finite(c.ci_high),
        relative_lift: finite(c.relative_lift),
        relative_ci_low: finite(c.relative_ci_low),
        relative_ci_high: finite(c.relative_ci_high),
        test: c.test.clone(),
        p_value: finite(c.p_value),
        p_adjusted: finite(row.p_adjusted),
        significant: row.significant,
        cuped: c.cuped.map(|k| ev::Cuped {
            theta: k.theta,
            unadjusted_delta: k.unadjusted_delta,
            variance_reduction: finite(k.variance_reduction),
            covariate_balance_p: finite(k.covariate_balance_p),
        }),
        sequential: c.sequential.map(|s| ev::Sequential {
            ci_low: s.ci_low,
            ci_high: s.ci_high,
            p_value: s.p_value,
            relative_ci_low: finite(s.relative_ci_low),
            relative_ci_high: finite(s.relative_ci_high),
        }),
        guardrail: c.guardrail.map(|g| ev::Guardrail {
            margin: g.margin,
            direction: g.direction.as_str().to_string(),
            verdict: g.verdict.as_str().to_string(),
        }),
        mann_whitney: row.mann_whitney.map(|m| ev::MannWhitney {
            u: m.u,
            p_value: m.p_value,
            method: match m.method {
                Method::Exact => "exact",
                Method::Asymptotic => "asymptotic",
            }
            .to_string(),
        }),
        cap: row.cap.as_ref().map(|k| ev::Cap {
            quantile: k.quantile,
            cap: k.cap,
            capped_units: k.capped_units,
            uncapped: ev::Uncapped {
                baseline_mean: k.uncapped.baseline_mean,
                candidate_mean: k.uncapped.candidate_mean,
                delta: k.uncapped.delta,
                se: finite(k.uncapped.se),
                ci_low: finite(k.uncapped.ci_low),
                ci_high: finite(k.uncapped.ci_high),
                relative_lift: finite(k.uncapped.relative_lift),
                p_value: finite(k.uncapped.p_value),
            },
        }),
    }
}

/// The JSON document of one analysis.
pub fn build(
    a: &Analysis,
    e: &Experiment,
    o: &Options,
    data: &str,
    primary: Option<String>,
    provenance: rigor_io::evidence::Provenance,
) -> ev::AbEvidence {
    let arms = &e.arms;
    let rows = |rows: &[Row]| rows.iter().map(|r| comparison(arms, r)).collect::<Vec<_>>();
    ev::AbEvidence {
        kind: "ab".to_string(),
        data: data.to_string(),
        units: a.units,
        control: arms[0].clone(),
        arms: arms.clone(),
        alpha: o.settings.alpha,
        compat: o.settings.compat.as_str().to_string(),
        correction: o.correction.as_str().to_string(),
        primary,
        sequential_tuning: o.settings.sequential,
        srm: ev::Srm {
            observed: by_arm(arms, &a.srm.observed),
            expected: by_arm(arms, &a.srm.expected),
            chi2: finite(a.srm.chi2),
            df: a.srm.df,
            p_value: finite(a.srm.p_value),
            threshold: o.srm_threshold,
            status: a.srm.status.as_str().to_string(),
            segments: a
                .segment_srm
                .iter()
                .map(|s| srm_group(arms, &s.srm, Some(&s.column), Some(&s.value)))
                .collect(),
        },
        metrics: a
            .metrics
            .iter()
            .map(|m| {
                (
                    m.name.clone(),
                    ev::Metric {
                        kind: m.kind.to_string(),
                        covariate: m.covariate.clone(),
                        missing: m.missing,
                        arms: arms
                            .iter()
                            .cloned()
                            .zip(m.arms.iter().map(|s| ev::ArmStats {
                                n: s.n,
                                mean: s.mean,
                                sd: finite(s.sd),
                            }))
                            .collect(),
                    },
                )
            })
            .collect(),
        comparisons: rows(&a.rows),
        segments: a
            .segments
            .iter()
            .map(|s| ev::Segment {
                column: s.column.clone(),
                value: s.value.clone(),
                units: s.units,
                comparisons: rows(&s.rows),
            })
            .collect(),
        looks: a
            .looks
            .iter()
            .map(|l| ev::Look {
                day: l.day.clone(),
                units: l.units,
                srm: srm_group(arms, &l.srm, None, None),
                comparisons: rows(&l.rows),
                cohort: ev::Cohort {
                    units: l.cohort_units,
                    comparisons: rows(&l.cohort_rows),
                },
            })
            .collect(),
        warnings: a.warnings.clone(),
        provenance,
    }
}
