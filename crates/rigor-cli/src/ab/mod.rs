//! `rigor ab`: wiring from a unit table to the experiment analysis and the renderers.
//! Parsing of option values and their checks against the data live here; statistics
//! live in `rigor_stats::ab`, reading in `rigor_io::experiment`.

mod evidence;
pub mod power;
mod render;

use std::path::PathBuf;
use std::process::ExitCode;

use rigor_io::evidence::{Input, Provenance};
use rigor_io::experiment::{read_experiment, Categorical, ExperimentTable, Request};
use rigor_stats::ab::experiment::{analyse, Experiment, Grouping, MetricInput, Options, Source};
use rigor_stats::ab::{Compat, Direction, Guardrail, Margin, Settings};
use rigor_stats::Correction;

use crate::output::{emit, Format};
use crate::Failure;

/// `rigor ab` and its `power` subcommand.
#[derive(clap::Args, Debug)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct AbCommand {
    #[command(subcommand)]
    pub power: Option<AbSub>,
    #[command(flatten)]
    pub args: AbArgs,
}

#[derive(clap::Subcommand, Debug)]
pub enum AbSub {
    /// Sample size, power and minimum detectable effect of a two-arm test
    /// (statsmodels NormalIndPower).
    Power(power::PowerArgs),
}

#[derive(clap::Args, Debug)]
#[command(after_help = "\
One row per unit (CSV, TSV, JSONL, optionally .gz; Parquet). A metric whose values are all 0/1
is a proportion, anything else a mean. Every treatment arm is compared with the
control on every metric; the correction family is every non-guardrail metric x
treatment arm.

  --compat scipy       means: Welch t (scipy ttest_ind equal_var=False);
                       proportions: pooled z (statsmodels proportions_ztest),
                       Wald interval; relative lift by the delta method
  --compat growthbook  GrowthBook's gbstats engine: Welch t for every metric,
                       variance p(1-p) for proportions, p-values of the relative
                       difference
  Ratio metrics (--ratio) and CUPED (--covariate) follow gbstats in both modes.

Guardrails are one-sided non-inferiority tests: METRIC[:higher|lower][:MARGIN],
where `higher` (default) means higher is better and MARGIN is absolute (0.5) or
relative to the control mean (2%); verdict pass / fail / inconclusive.

Examples:
  rigor ab --data examples/ab/experiment.csv --unit-col user_id \\
           --metric converted --metric revenue --covariate revenue=pre_revenue
  rigor ab --data x.csv --weights control=1,treatment=1 --segment country --day-col day --sequential
  rigor ab power --p-control 0.1 --mde 0.05 --relative")]
pub struct AbArgs {
    /// The unit table: one row per unit (.csv, .tsv, .jsonl, .ndjson, optionally .gz;
    /// .parquet).
    #[arg(long, value_name = "FILE", required = true)]
    data: Option<PathBuf>,

    /// Column naming each unit's arm.
    #[arg(long, default_value = "variant", value_name = "COL")]
    variant_col: String,

    /// The control arm. Default: the arm named `control`.
    #[arg(long, value_name = "NAME")]
    control: Option<String>,

    /// Unit id column; ids must be unique (a repeated id is an error).
    #[arg(long, value_name = "COL")]
    unit_col: Option<String>,

    /// Metric columns (repeatable). Default: every other column that is numeric in
    /// every row.
    #[arg(long = "metric", value_name = "COL", num_args = 1..)]
    metrics: Vec<String>,

    /// Ratio metric NAME=NUM/DEN: Σ NUM / Σ DEN per arm, delta-method variance.
    #[arg(long = "ratio", value_name = "NAME=NUM/DEN")]
    ratios: Vec<String>,

    /// CUPED: adjust METRIC with the pre-period column COL.
    #[arg(long = "covariate", value_name = "METRIC=COL")]
    covariates: Vec<String>,

    /// Guardrail METRIC[:higher|lower][:MARGIN]: one-sided non-inferiority test.
    #[arg(long = "guardrail", value_name = "SPEC")]
    guardrails: Vec<String>,

    /// The decision metric (listed first; must not be a guardrail).
    #[arg(long, value_name = "METRIC")]
    primary: Option<String>,

    /// Planned traffic split ARM=W,... (default: equal).
    #[arg(long, value_name = "ARM=W,...")]
    weights: Option<String>,

    /// Segment columns: SRM and effects per value (repeatable).
    #[arg(long = "segment", value_name = "COL", num_args = 1..)]
    segments: Vec<String>,

    /// Exposure-day column: cumulative looks and per-day cohorts.
    #[arg(long, value_name = "COL")]
    day_col: Option<String>,

    /// Significance level (after correction).
    #[arg(long, default_value_t = 0.05)]
    alpha: f64,

    /// Correction across every non-guardrail metric x treatment arm.
    #[arg(long, default_value = "holm", value_parser = ["none", "bonferroni", "holm", "bh"])]
    correction: String,

    /// SRM p-value below which the split is a mismatch.
    #[arg(long, default_value_t = 0.001, value_name = "P")]
    srm_threshold: f64,

    /// Add GrowthBook's always-valid (sequential) interval and p-value.
    #[arg(long)]
    sequential: bool,

    /// Tuning parameter of the always-valid interval (the sample size where it is
    /// tightest).
    #[arg(long, default_value_t = 5000.0, value_name = "N")]
    tuning: f64,

    /// Winsorise METRIC at the pooled QUANTILE (e.g. revenue=0.99); uncapped results
    /// are reported beside.
    #[arg(long = "cap", value_name = "METRIC=QUANTILE")]
    caps: Vec<String>,

    /// Which reference the numbers reproduce.
    #[arg(long, default_value = "scipy", value_parser = ["scipy", "growthbook"])]
    compat: String,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,

    /// Write the output to FILE instead of stdout.
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,

    #[command(flatten)]
    track: crate::tracking::TrackArgs,
}

pub fn run(cmd: AbCommand) -> Result<ExitCode, Failure> {
    match cmd.power {
        Some(AbSub::Power(p)) => power::run(p),
        None => run_analysis(cmd.args),
    }
}

/// Most distinct values a `--segment` or `--day-col` column may have.
const MAX_GROUPS: usize = 1000;

fn input(msg: impl Into<String>) -> Failure {
    Failure::Input(msg.into())
}

/// A metric as the options define it, before reading.
struct Planned {
    name: String,
    kind: PlannedKind,
    covariate: Option<String>,
    cap: Option<f64>,
    guardrail: Option<Guardrail>,
}

enum PlannedKind {
    Column,
    Ratio { num: String, den: String },
}

fn split_pair<'a>(s: &'a str, option: &str, shape: &str) -> Result<(&'a str, &'a str), Failure> {
    s.split_once('=')
        .filter(|(a, b)| !a.is_empty() && !b.is_empty())
        .ok_or_else(|| input(format!("{option} {s:?}: expected {shape}")))
}

fn parse_guardrail(spec: &str) -> Result<(String, Guardrail), Failure> {
    let mut parts = spec.split(':');
    let metric = parts.next().unwrap_or_default().to_string();
    if metric.is_empty() {
        return Err(input(format!(
            "--guardrail {spec:?}: expected METRIC[:higher|lower][:MARGIN]"
        )));
    }
    let mut g = Guardrail {
        direction: Direction::Higher,
        margin: Margin::Absolute(0.0),
    };
    for part in parts {
        match part {
            "higher" => g.direction = Direction::Higher,
            "lower" => g.direction = Direction::Lower,
            _ => {
                let (text, relative) = match part.strip_suffix('%') {
                    Some(t) => (t, true),
                    None => (part, false),
                };
                let v: f64 = text
                    .trim()
                    .parse()
                    .ok()
                    .filter(|v: &f64| v.is_finite() && *v >= 0.0)
                    .ok_or_else(|| {
                        input(format!(
                            "--guardrail {spec:?}: {part:?} is neither higher, lower nor a margin \
                         (a number >= 0, or a percentage like 2%)"
                        ))
                    })?;
                g.margin = if relative {
                    Margin::Relative(v / 100.0)
                } else {
                    Margin::Absolute(v)
                };
            }
        }
    }
    Ok((metric, g))
}

fn check_settings(a: &AbArgs) -> Result<(), Failure> {
    let open_unit = |v: f64| v > 0.0 && v < 1.0;
    if !open_unit(a.alpha) {
        return Err(input(format!(
            "--alpha must be between 0 and 1, got {}",
            a.alpha
        )));
    }
    if !open_unit(a.srm_threshold) {
        return Err(input(format!(
            "--srm-threshold must be between 0 and 1, got {}",
            a.srm_threshold
        )));
    }
    if !(a.tuning > 0.0 && a.tuning.is_finite()) {
        return Err(input(format!(
            "--tuning must be positive, got {}",
            a.tuning
        )));
    }
    Ok(())
}

/// Turns the metric options into planned metrics and the reader's request.
fn plan(a: &AbArgs) -> Result<(Vec<Planned>, Request, Attach), Failure> {
    let mut planned: Vec<Planned> = Vec::new();
    let mut numeric: Vec<String> = Vec::new();
    let need = |c: &str, numeric: &mut Vec<String>| {
        if !numeric.iter().any(|n| n == c) {
            numeric.push(c.to_string());
        }
    };
    for m in &a.metrics {
        if planned.iter().any(|p| &p.name == m) {
            continue;
        }
        need(m, &mut numeric);
        planned.push(Planned {
            name: m.clone(),
            kind: PlannedKind::Column,
            covariate: None,
            cap: None,
            guardrail: None,
        });
    }
    for r in &a.ratios {
        let (name, parts) = split_pair(r, "--ratio", "NAME=NUMERATOR/DENOMINATOR")?;
        let (num, den) = parts
            .split_once('/')
            .filter(|(n, d)| !n.is_empty() && !d.is_empty())
            .ok_or_else(|| {
                input(format!(
                    "--ratio {r:?}: expected NAME=NUMERATOR/DENOMINATOR"
                ))
            })?;
        if planned.iter().any(|p| p.name == name) {
            return Err(input(format!(
                "--ratio {r:?}: metric '{name}' is defined twice"
            )));
        }
        need(num, &mut numeric);
        need(den, &mut numeric);
        planned.push(Planned {
            name: name.to_string(),
            kind: PlannedKind::Ratio {
                num: num.to_string(),
                den: den.to_string(),
            },
            covariate: None,
            cap: None,
            guardrail: None,
        });
    }
    let explicit = !planned.is_empty();
    // Guardrails name metrics; a plain column not yet listed becomes a metric.
    let mut guardrails = Vec::new();
    for spec in &a.guardrails {
        let (metric, g) = parse_guardrail(spec)?;
        if !planned.iter().any(|p| p.name == metric) && explicit {
            need(&metric, &mut numeric);
            planned.push(Planned {
                name: metric.clone(),
                kind: PlannedKind::Column,
                covariate: None,
                cap: None,
                guardrail: None,
            });
        }
        guardrails.push((metric, g));
    }
    let mut covariates = Vec::new();
    for c in &a.covariates {
        let (metric, col) = split_pair(c, "--covariate", "METRIC=COLUMN")?;
        need(col, &mut numeric);
        covariates.push((metric.to_string(), col.to_string()));
    }
    let mut caps = Vec::new();
    for c in &a.caps {
        let (metric, q) = split_pair(c, "--cap", "METRIC=QUANTILE")?;
        let q: f64 = q
            .parse()
            .ok()
            .filter(|q: &f64| *q > 0.0 && *q <= 1.0)
            .ok_or_else(|| input(format!("--cap {c:?}: the quantile must be in (0, 1]")))?;
        caps.push((metric.to_string(), q));
    }
    let req = Request {
        variant: a.variant_col.clone(),
        unit: a.unit_col.clone(),
        numeric,
        auto_numeric: !explicit,
        segments: a.segments.clone(),
        day: a.day_col.clone(),
    };
    Ok((
        planned,
        req,
        Attach {
            guardrails,
            covariates,
            caps,
        },
    ))
}

/// Metric options resolved once the metric list is final.
struct Attach {
    guardrails: Vec<(String, Guardrail)>,
    covariates: Vec<(String, String)>,
    caps: Vec<(String, f64)>,
}

fn run_analysis(a: AbArgs) -> Result<ExitCode, Failure> {
    check_settings(&a)?;
    let tracker = crate::tracking::Tracker::prepare(&a.track)?;
    let Some(data) = a.data.clone() else {
        return Err(input("--data FILE is required"));
    };
    let (mut planned, req, attach) = plan(&a)?;
    let mut table = read_experiment(&data, &req)?;
    let path = data.display().to_string();

    // Auto-detected metrics (no --metric / --ratio).
    if req.auto_numeric {
        for name in &table.auto {
            planned.push(Planned {
                name: name.clone(),
                kind: PlannedKind::Column,
                covariate: None,
                cap: None,
                guardrail: None,
            });
        }
        if !table.skipped.is_empty() {
            eprintln!(
                "note: {path}: not metrics (not numeric throughout): {}",
                table.skipped.join(", ")
            );
        }
    }
    // A covariate column is not a metric of its own.
    let covariate_cols: Vec<&String> = attach.covariates.iter().map(|(_, c)| c).collect();
    if req.auto_numeric {
        planned.retain(|p| !covariate_cols.contains(&&p.name));
    }
    if planned.is_empty() {
        return Err(input(format!(
            "{path}: no metric: name metric columns with --metric (no other column is numeric)"
        )));
    }
    let find = |planned: &mut Vec<Planned>, metric: &str, option: &str| -> Result<usize, Failure> {
        planned
            .iter()
            .position(|p| p.name == metric)
            .ok_or_else(|| {
                input(format!(
                    "{option}: '{metric}' is not a metric (metrics: {})",
                    planned
                        .iter()
                        .map(|p| p.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })
    };
    for (metric, g) in attach.guardrails {
        let i = find(&mut planned, &metric, "--guardrail")?;
        planned[i].guardrail = Some(g);
    }
    for (metric, col) in attach.covariates {
        let i = find(&mut planned, &metric, "--covariate")?;
        if matches!(planned[i].kind, PlannedKind::Ratio { .. }) {
            return Err(input(format!(
                "--covariate {metric}={col}: CUPED applies to column metrics, not ratios"
            )));
        }
        planned[i].covariate = Some(col);
    }
    for (metric, q) in attach.caps {
        let i = find(&mut planned, &metric, "--cap")?;
        if matches!(planned[i].kind, PlannedKind::Ratio { .. }) {
            return Err(input(format!(
                "--cap {metric}: capping applies to column metrics, not ratios"
            )));
        }
        planned[i].cap = Some(q);
    }
    if let Some(p) = &a.primary {
        let i = find(&mut planned, p, "--primary")?;
        if planned[i].guardrail.is_some() {
            return Err(input(format!(
                "--primary {p}: a guardrail cannot be the primary metric"
            )));
        }
        let m = planned.remove(i);
        planned.insert(0, m);
    }

    // Segments and days become per-value cells: a column of ids would explode them.
    for c in table.segments.iter().chain(table.day.as_ref()) {
        if c.labels.len() > MAX_GROUPS {
            return Err(input(format!(
                "{path}: column '{}' has {} distinct values; --segment and --day-col take \
                 columns with at most {MAX_GROUPS}",
                c.name,
                c.labels.len()
            )));
        }
    }

    // Arms: control first, the others by name.
    let (arms, remap) = order_arms(&table, &a, &path)?;
    let weights = parse_weights(a.weights.as_deref(), &arms, &a.variant_col, &path)?;
    let mut arm_codes = std::mem::take(&mut table.arm);
    arm_codes.iter_mut().for_each(|c| *c = remap[*c as usize]);
    check_ratio_denominators(&table, &planned, &arm_codes, &arms, &path)?;

    let column = |name: &str| -> &[f64] {
        table
            .numeric
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_slice())
            .unwrap_or(&[])
    };
    let metrics: Vec<MetricInput> = planned
        .iter()
        .map(|p| MetricInput {
            name: p.name.clone(),
            source: match &p.kind {
                PlannedKind::Column => Source::Column {
                    values: column(&p.name),
                    covariate: p.covariate.as_ref().map(|c| (c.clone(), column(c))),
                    cap: p.cap,
                },
                PlannedKind::Ratio { num, den } => Source::Ratio {
                    numerator: column(num),
                    denominator: column(den),
                },
            },
            guardrail: p.guardrail,
        })
        .collect();
    fn grouping(c: &Categorical) -> Grouping<'_> {
        Grouping {
            name: c.name.clone(),
            labels: c.labels.clone(),
            codes: &c.codes,
        }
    }
    let experiment = Experiment {
        arms: arms.clone(),
        weights,
        arm: &arm_codes,
        metrics,
        segments: table.segments.iter().map(grouping).collect(),
        days: table.day.as_ref().map(grouping),
    };
    let compat = match a.compat.as_str() {
        "growthbook" => Compat::GrowthBook,
        _ => Compat::Scipy,
    };
    let correction: Correction = a
        .correction
        .parse()
        .map_err(|e: rigor_stats::StatsError| input(e.to_string()))?;
    let options = Options {
        settings: Settings {
            alpha: a.alpha,
            compat,
            sequential: a.sequential.then_some(a.tuning),
        },
        correction,
        srm_threshold: a.srm_threshold,
    };
    let analysis = analyse(&experiment, &options);
    for w in &analysis.warnings {
        eprintln!("warning: {w}");
    }
    let provenance = Provenance::of_this_process(vec![Input::new("data", &data, &table.digest)], 0);
    let doc = evidence::build(
        &analysis,
        &experiment,
        &options,
        &path,
        a.primary.clone(),
        provenance,
    );
    let text = match a.format {
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&doc)
                .map_err(|e| Failure::Internal(format!("serialising JSON: {e}")))?;
            s.push('\n');
            s
        }
        Format::Csv => render::csv(&doc),
        Format::Table => render::table(&doc),
    };
    emit(&text, a.output.as_deref())?;
    if let Some(t) = &tracker {
        t.log(&doc)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Control first, the other arms by name; `remap[file code] = analysis index`.
fn order_arms(
    t: &ExperimentTable,
    a: &AbArgs,
    path: &str,
) -> Result<(Vec<String>, Vec<u16>), Failure> {
    let listed = || {
        let mut v = t.arms.clone();
        v.sort();
        v.join(", ")
    };
    let control = match &a.control {
        Some(c) => t.arms.iter().position(|x| x == c).ok_or_else(|| {
            input(format!(
                "{path}: control arm '{c}' does not occur in column '{}' (arms: {})",
                a.variant_col,
                listed()
            ))
        })?,
        None => t
            .arms
            .iter()
            .position(|x| x == "control")
            .or_else(|| {
                t.arms
                    .iter()
                    .position(|x| x.eq_ignore_ascii_case("control"))
            })
            .ok_or_else(|| {
                input(format!(
                    "{path}: no arm named 'control' in column '{}' (arms: {}): name the control \
                     arm with --control",
                    a.variant_col,
                    listed()
                ))
            })?,
    };
    if t.arms.len() < 2 {
        return Err(input(format!(
            "{path}: column '{}' holds only one arm ('{}'): nothing to compare",
            a.variant_col, t.arms[control]
        )));
    }
    let mut others: Vec<usize> = (0..t.arms.len()).filter(|&i| i != control).collect();
    others.sort_by(|&x, &y| t.arms[x].cmp(&t.arms[y]));
    let order: Vec<usize> = std::iter::once(control).chain(others).collect();
    let mut remap = vec![0u16; t.arms.len()];
    for (new, &old) in order.iter().enumerate() {
        remap[old] = new as u16;
    }
    Ok((order.iter().map(|&i| t.arms[i].clone()).collect(), remap))
}

/// `--weights ARM=W,...`: every arm of the data, and only those, with a positive weight.
fn parse_weights(
    spec: Option<&str>,
    arms: &[String],
    variant_col: &str,
    path: &str,
) -> Result<Vec<f64>, Failure> {
    let Some(spec) = spec else {
        return Ok(vec![1.0; arms.len()]);
    };
    let mut weights = vec![None; arms.len()];
    for item in spec.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let (arm, w) = split_pair(item, "--weights", "ARM=WEIGHT,...")?;
        let w: f64 = w
            .parse()
            .ok()
            .filter(|w: &f64| *w > 0.0 && w.is_finite())
            .ok_or_else(|| {
                input(format!(
                    "--weights {item:?}: the weight must be a positive number"
                ))
            })?;
        let i = arms.iter().position(|a| a == arm).ok_or_else(|| {
            input(format!(
                "{path}: --weights names arm '{arm}', which does not occur in column \
                 '{variant_col}' (arms: {})",
                arms.join(", ")
            ))
        })?;
        weights[i] = Some(w);
    }
    arms.iter()
        .zip(weights)
        .map(|(arm, w)| {
            w.ok_or_else(|| {
                input(format!(
                    "{path}: arm '{arm}' of column '{variant_col}' has no weight in --weights"
                ))
            })
        })
        .collect()
}

/// A ratio whose denominator sums to 0 in some arm is undefined there.
fn check_ratio_denominators(
    t: &ExperimentTable,
    planned: &[Planned],
    arm: &[u16],
    arms: &[String],
    path: &str,
) -> Result<(), Failure> {
    let col = |name: &str| t.numeric.iter().find(|(n, _)| n == name).map(|(_, v)| v);
    for p in planned {
        let PlannedKind::Ratio { num, den } = &p.kind else {
            continue;
        };
        let (Some(nv), Some(dv)) = (col(num), col(den)) else {
            continue;
        };
        let mut sums = vec![0.0f64; arms.len()];
        for i in 0..arm.len() {
            if !nv[i].is_nan() && !dv[i].is_nan() {
                sums[arm[i] as usize] += dv[i];
            }
        }
        if let Some(a) = sums.iter().position(|&s| s == 0.0) {
            return Err(input(format!(
                "{path}: column '{den}' (denominator of ratio '{}') sums to 0 in arm '{}': the \
                 ratio is undefined",
                p.name, arms[a]
            )));
        }
    }
    Ok(())
}
