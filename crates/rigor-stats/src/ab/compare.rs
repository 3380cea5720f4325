//! One comparison: a treatment arm against the control on one metric, under either
//! compatibility mode.
//!
//! | metric | `--compat scipy` (default) | `--compat growthbook` |
//! |---|---|---|
//! | mean | Welch t (`ttest_ind(equal_var=False)`) | gbstats t: sample variance, Welch df |
//! | 0/1 proportion | pooled z (`proportions_ztest`), Wald interval | gbstats t: variance `p(1−p)`, Welch df |
//! | CUPED | gbstats adjustment with sample variances (= Welch t on `y − θx`) | gbstats adjustment |
//! | ratio | gbstats delta method with sample variances | gbstats delta method |
//! | p-value | of the absolute difference | of the relative difference (as GrowthBook shows) |
//!
//! In both modes `delta`, `se`, `df` and the interval are those of the absolute
//! difference, and the relative lift's interval is the delta method's with the same
//! degrees of freedom (a z interval for the scipy proportion test). Under
//! `--compat growthbook` a control mean of 0 or a zero variance in either arm leaves the
//! test undefined, as in gbstats (which returns its "default output"); rigor reports
//! `None` with an [`Issue`].
//!
//! Guardrails are one-sided non-inferiority tests of the absolute difference against a
//! margin `m ≥ 0`: for a metric where higher is better, `H0: Δ ≤ −m` against
//! `H1: Δ > −m` (scipy `ttest_ind(b + m, a, alternative='greater')`, statsmodels
//! `test_proportions_2indep(value=−m, method='wald', alternative='larger')`, gbstats
//! `OneSidedTreatmentGreaterTTest(test_value=−m)`); mirrored where lower is better.
//! Verdict: `pass` when non-inferiority is shown at `α`; `fail` when the opposite
//! one-sided test shows the treatment worse than the margin at `α`; else `inconclusive`.

use super::cuped;
use super::moments::Moments;
use super::proportions::{self, Counts};
use super::ratio::ratio_stat;
use super::sequential::{always_valid, Sequential};
use super::welch::{self, ArmStat, Estimate, Side};
use super::VarianceKind;

/// How a column's values look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueType {
    /// Any numbers: a mean.
    Continuous,
    /// Only 0 and 1: a proportion.
    Binary,
}

/// Which reference the numbers reproduce.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Compat {
    #[default]
    Scipy,
    GrowthBook,
}

impl Compat {
    pub fn as_str(self) -> &'static str {
        match self {
            Compat::Scipy => "scipy",
            Compat::GrowthBook => "growthbook",
        }
    }

    /// The per-unit variance a column of this type gets.
    fn variance_kind(self, t: ValueType) -> VarianceKind {
        match (self, t) {
            (Compat::GrowthBook, ValueType::Binary) => VarianceKind::Bernoulli,
            _ => VarianceKind::Sample,
        }
    }
}

/// What is compared: a column, a CUPED-adjusted column, or a ratio of two columns.
/// The moments' `y` is the metric (or numerator), `x` the covariate (or denominator).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    Plain(ValueType),
    Cuped { post: ValueType, pre: ValueType },
    Ratio { num: ValueType, den: ValueType },
}

/// Which direction of a guardrail metric is good.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Higher,
    Lower,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Higher => "higher",
            Direction::Lower => "lower",
        }
    }
}

/// A non-inferiority margin.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Margin {
    /// In the metric's units.
    Absolute(f64),
    /// A fraction of the control's (unadjusted) mean, in absolute value.
    Relative(f64),
}

/// A guardrail: a metric that must not get worse by more than the margin.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Guardrail {
    pub direction: Direction,
    pub margin: Margin,
}

/// Verdict of a guardrail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Pass,
    Fail,
    Inconclusive,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::Inconclusive => "inconclusive",
        }
    }
}

/// Settings shared by every comparison of a run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    pub alpha: f64,
    pub compat: Compat,
    /// `Some(τ)` adds the always-valid interval with tuning parameter `τ`.
    pub sequential: Option<f64>,
}

/// Why some statistics are `None`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Issue {
    /// An arm has fewer than two units.
    TooFewUnits,
    /// The standard error is zero (constant values) or undefined.
    ZeroVariance,
    /// The control mean is 0: no relative difference (and, under gbstats, no test).
    ZeroControlMean,
    /// The covariate (or the metric) is constant over both arms: CUPED not applied.
    CovariateConstant,
}

/// CUPED details.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CupedInfo {
    pub theta: f64,
    /// Difference of the raw means.
    pub unadjusted_delta: f64,
    /// `1 − Var(adjusted Δ)/Var(raw Δ)`.
    pub variance_reduction: Option<f64>,
    /// Welch t p-value of the covariate between the arms (a balance check).
    pub covariate_balance_p: Option<f64>,
}

/// Always-valid results.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SequentialInfo {
    pub ci_low: f64,
    pub ci_high: f64,
    pub p_value: f64,
    pub relative_ci_low: Option<f64>,
    pub relative_ci_high: Option<f64>,
}

/// Guardrail outcome.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GuardrailResult {
    /// The margin in the metric's units.
    pub margin: f64,
    pub direction: Direction,
    pub verdict: Verdict,
    /// One-sided p-value of non-inferiority.
    pub p_value: Option<f64>,
}

/// One comparison's statistics (before the family correction).
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub baseline_n: u64,
    pub candidate_n: u64,
    /// Raw means (for ratios, `Σnum/Σden`).
    pub baseline_mean: f64,
    pub candidate_mean: f64,
    /// Absolute difference (CUPED-adjusted where CUPED applies).
    pub delta: f64,
    pub se: Option<f64>,
    pub df: Option<f64>,
    /// The statistic the p-value comes from.
    pub statistic: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    pub relative_lift: Option<f64>,
    pub relative_ci_low: Option<f64>,
    pub relative_ci_high: Option<f64>,
    pub test: String,
    /// Two-sided p-value (for a guardrail: the one-sided non-inferiority p-value).
    pub p_value: Option<f64>,
    pub cuped: Option<CupedInfo>,
    pub sequential: Option<SequentialInfo>,
    pub guardrail: Option<GuardrailResult>,
    pub issues: Vec<Issue>,
}

/// The core numbers of one comparison in one mode.
struct Core {
    abs: Estimate,
    rel: Option<Estimate>,
    /// `Some((statistic, p))` when the p-value does not come from `abs` (pooled z).
    separate_test: Option<(f64, f64)>,
    test: &'static str,
    baseline_mean: f64,
    candidate_mean: f64,
}

/// Compares arm `b` (candidate) with arm `a` (control).
pub fn compare(
    shape: Shape,
    a: &Moments,
    b: &Moments,
    settings: &Settings,
    guardrail: Option<&Guardrail>,
) -> Comparison {
    let compat = settings.compat;
    let mut issues = Vec::new();
    let mut cuped_info = None;
    let core = match shape {
        Shape::Plain(t) => plain_core(t, a, b, compat),
        Shape::Ratio { num, den } => {
            let (sa, sb) = (
                ratio_stat(a, compat.variance_kind(num), compat.variance_kind(den)),
                ratio_stat(b, compat.variance_kind(num), compat.variance_kind(den)),
            );
            t_core(&sa, &sb, test_name(compat, " (delta method)"))
        }
        Shape::Cuped { post, pre } => {
            let (kp, kx) = (compat.variance_kind(post), compat.variance_kind(pre));
            let theta = cuped::theta(a, b, kp, kx);
            let raw = plain_core(post, a, b, compat);
            let core = if theta == 0.0 {
                issues.push(Issue::CovariateConstant);
                plain_core(post, a, b, compat)
            } else {
                let (sa, sb) = (
                    cuped::adjusted(a, theta, kp, kx),
                    cuped::adjusted(b, theta, kp, kx),
                );
                t_core(&sa, &sb, test_name(compat, " (cuped)"))
            };
            let balance = welch::two_sided(
                &welch::absolute(
                    &cuped::plain(&a.swapped(), VarianceKind::Sample),
                    &cuped::plain(&b.swapped(), VarianceKind::Sample),
                ),
                settings.alpha,
            );
            let reduction = (raw.abs.variance > 0.0 && core.abs.variance.is_finite())
                .then(|| 1.0 - core.abs.variance / raw.abs.variance);
            cuped_info = Some(CupedInfo {
                theta,
                unadjusted_delta: b.mean_y - a.mean_y,
                variance_reduction: reduction,
                covariate_balance_p: balance.map(|t| t.p_value),
            });
            core
        }
    };

    let mut c = Comparison {
        baseline_n: a.n,
        candidate_n: b.n,
        baseline_mean: core.baseline_mean,
        candidate_mean: core.candidate_mean,
        delta: core.abs.value,
        se: None,
        df: None,
        statistic: None,
        ci_low: None,
        ci_high: None,
        relative_lift: core.rel.map(|r| r.value),
        relative_ci_low: None,
        relative_ci_high: None,
        test: core.test.to_string(),
        p_value: None,
        cuped: cuped_info,
        sequential: None,
        guardrail: guardrail.map(|g| GuardrailResult {
            margin: margin_value(g.margin, core.baseline_mean),
            direction: g.direction,
            verdict: Verdict::Inconclusive,
            p_value: None,
        }),
        issues,
    };
    if a.n < 2 || b.n < 2 {
        c.issues.push(Issue::TooFewUnits);
        return c;
    }
    if core.rel.is_none() {
        c.issues.push(Issue::ZeroControlMean);
    }
    if compat == Compat::GrowthBook {
        // gbstats' compute_result: no test without a control mean or with a zero
        // variance in either arm.
        if core.rel.is_none() {
            c.relative_lift = None;
            return c;
        }
    }
    let Some(se) = core.abs.se() else {
        c.issues.push(Issue::ZeroVariance);
        return c;
    };
    c.se = Some(se);
    c.df = core.abs.df.is_finite().then_some(core.abs.df);
    let alpha = settings.alpha;
    if let Some(fixed) = welch::two_sided(&core.abs, alpha) {
        c.ci_low = Some(fixed.ci_low);
        c.ci_high = Some(fixed.ci_high);
        c.statistic = Some(fixed.statistic);
        c.p_value = Some(fixed.p_value);
    }
    if let Some((z, p)) = core.separate_test {
        c.statistic = Some(z);
        c.p_value = Some(p);
    }
    let rel_fixed = core.rel.and_then(|r| welch::two_sided(&r, alpha));
    if let Some(r) = rel_fixed {
        c.relative_ci_low = Some(r.ci_low);
        c.relative_ci_high = Some(r.ci_high);
    }
    if compat == Compat::GrowthBook {
        c.statistic = rel_fixed.map(|r| r.statistic);
        c.p_value = rel_fixed.map(|r| r.p_value);
    }
    if let Some(tuning) = settings.sequential {
        let n_total = (a.n + b.n) as f64;
        let abs: Option<Sequential> = always_valid(&core.abs, n_total, alpha, tuning);
        let rel = core
            .rel
            .and_then(|r| always_valid(&r, n_total, alpha, tuning));
        c.sequential = abs.map(|s| SequentialInfo {
            ci_low: s.ci_low,
            ci_high: s.ci_high,
            p_value: match compat {
                Compat::Scipy => s.p_value,
                Compat::GrowthBook => rel.map_or(s.p_value, |r| r.p_value),
            },
            relative_ci_low: rel.map(|r| r.ci_low),
            relative_ci_high: rel.map(|r| r.ci_high),
        });
    }
    if let (Some(g), Some(result)) = (guardrail, c.guardrail.as_mut()) {
        let m = result.margin;
        let (ni, inferior) = match g.direction {
            Direction::Higher => (
                welch::one_sided(&core.abs, -m, Side::Greater),
                welch::one_sided(&core.abs, -m, Side::Less),
            ),
            Direction::Lower => (
                welch::one_sided(&core.abs, m, Side::Less),
                welch::one_sided(&core.abs, m, Side::Greater),
            ),
        };
        result.p_value = ni;
        result.verdict = match (ni, inferior) {
            (Some(p), _) if p < alpha => Verdict::Pass,
            (_, Some(p)) if p < alpha => Verdict::Fail,
            _ => Verdict::Inconclusive,
        };
        c.p_value = ni;
        c.statistic = core.abs.se().map(|se| {
            (core.abs.value
                + if g.direction == Direction::Higher {
                    m
                } else {
                    -m
                })
                / se
        });
        c.test = format!("{} non-inferiority", c.test);
    }
    c
}

/// The absolute margin.
fn margin_value(m: Margin, control_mean: f64) -> f64 {
    match m {
        Margin::Absolute(v) => v,
        Margin::Relative(r) => r * control_mean.abs(),
    }
}

fn test_name(compat: Compat, suffix: &str) -> &'static str {
    match (compat, suffix) {
        (Compat::Scipy, "") => "welch-t",
        (Compat::Scipy, " (cuped)") => "welch-t (cuped)",
        (Compat::Scipy, _) => "welch-t (delta method)",
        (Compat::GrowthBook, "") => "gbstats-t",
        (Compat::GrowthBook, " (cuped)") => "gbstats-t (cuped)",
        (Compat::GrowthBook, _) => "gbstats-t (delta method)",
    }
}

/// A t test of two arm statistics.
fn t_core(a: &ArmStat, b: &ArmStat, test: &'static str) -> Core {
    let abs = welch::absolute(a, b);
    let mut core = Core {
        rel: welch::relative(a, b, abs.df),
        abs,
        separate_test: None,
        test,
        baseline_mean: a.unadjusted_mean,
        candidate_mean: b.unadjusted_mean,
    };
    // gbstats refuses a zero or negative variance in either arm.
    if test.starts_with("gbstats") && (a.variance <= 0.0 || b.variance <= 0.0) {
        core.abs.variance = 0.0;
    }
    core
}

/// An unadjusted metric.
fn plain_core(t: ValueType, a: &Moments, b: &Moments, compat: Compat) -> Core {
    if compat == Compat::Scipy && t == ValueType::Binary {
        let (ca, cb) = (counts(a), counts(b));
        let abs = proportions::wald(ca, cb);
        let bern = |m: &Moments| cuped::plain(m, VarianceKind::Bernoulli);
        return Core {
            rel: welch::relative(&bern(a), &bern(b), f64::INFINITY),
            abs,
            separate_test: proportions::pooled_z(ca, cb),
            test: "z (pooled)",
            baseline_mean: a.mean_y,
            candidate_mean: b.mean_y,
        };
    }
    let k = compat.variance_kind(t);
    t_core(
        &cuped::plain(a, k),
        &cuped::plain(b, k),
        test_name(compat, ""),
    )
}

/// Successes of a 0/1 column (its sum, rounded to the integer it is).
fn counts(m: &Moments) -> Counts {
    Counts {
        successes: m.sum_y().round(),
        n: m.n_f64(),
    }
}
