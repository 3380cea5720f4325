//! The gate policy: a TOML file of release criteria, parsed with spans so that every
//! error names its line. Unknown keys are errors — a misspelt `min_delta` must never
//! turn into a criterion that silently passes.
//!
//! ```toml
//! [gate]
//! name = "dense retriever v2"
//! baseline = "bm25"          # run / arm / evidence label compared against
//! candidate = "dense"        # the system under decision
//!
//! [evidence]                 # evidence requirements (reproducibility is always checked)
//! min_queries = 25           # also min_rows, min_segments, min_units
//! require = ["seed"]         # extra top-level fields every document must carry
//! verify_inputs = true       # re-hash every input file: changed or missing fails
//!
//! [[threshold]]              # absolute bound on a measure
//! measure = "nDCG@10"
//! min = 0.40
//! whole_ci = true            # the CI's lower bound must clear it, not just the mean
//!
//! [[lift]]                   # improvement over the baseline
//! measure = "nDCG@10"
//! min_delta = 0.02           # absolute; min_relative = 0.05 for +5 %
//! significant = true         # after the evidence's multiple-comparison correction
//! ci_excludes_zero = true
//!
//! [[guardrail]]              # non-regression, worst slice decides
//! measure = "P@10"
//! tolerance = 0.01
//!
//! [[fairness]]               # bound on a between-group disparity
//! measure = "equalized_odds_difference"
//! max = 0.1
//! ```

use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;

use crate::direction::Direction;
use crate::error::{Error, Result};
use crate::evidence::Kind;

/// A parsed, validated policy.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// The policy file, as named on the command line (for error messages).
    pub path: String,
    /// A title for readouts (`[gate] name`).
    pub name: Option<String>,
    /// Default baseline and candidate of every criterion.
    pub baseline: Option<String>,
    pub candidate: Option<String>,
    /// Lines of `[gate] baseline` and `candidate` (0 when absent).
    pub baseline_line: usize,
    pub candidate_line: usize,
    pub requirements: Requirements,
    /// In file order.
    pub criteria: Vec<Criterion>,
}

/// `[evidence]`: what the evidence itself must satisfy before any criterion counts.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Requirements {
    /// Line of the `[evidence]` header (0 when the policy has none).
    pub line: usize,
    pub min_units: Vec<MinUnits>,
    /// Extra top-level fields every document must carry, beyond the provenance that is
    /// always required.
    pub require: Vec<String>,
    /// Re-hash every input file named by the evidence and compare with its digest.
    pub verify_inputs: bool,
    /// `rigor ab` evidence: the sample-ratio-mismatch check must be `ok` (default true).
    pub srm: bool,
}

/// A minimum number of evaluation units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MinUnits {
    pub line: usize,
    pub units: Units,
    pub min: u64,
}

/// What evidence counts: queries (ir), rows (classify, drift), segments (text), units
/// (ab; or any kind, for `min_units`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Units {
    Queries,
    Rows,
    Segments,
    Any,
}

impl Units {
    /// The policy key.
    pub fn key(self) -> &'static str {
        match self {
            Units::Queries => "min_queries",
            Units::Rows => "min_rows",
            Units::Segments => "min_segments",
            Units::Any => "min_units",
        }
    }

    /// The kinds whose evidence this counts.
    pub fn applies_to(self, kind: Kind) -> bool {
        match self {
            Units::Queries => kind == Kind::Ir,
            Units::Rows => matches!(kind, Kind::Classify | Kind::Drift),
            Units::Segments => kind == Kind::Text,
            Units::Any => true,
        }
    }
}

/// One criterion and the line it starts on.
#[derive(Debug, Clone, PartialEq)]
pub struct Criterion {
    pub line: usize,
    pub target: Target,
    pub rule: Rule,
}

/// Which evidence and which systems a criterion reads.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Target {
    /// An evidence label (`--evidence LABEL=FILE`, or the file stem).
    pub evidence: Option<String>,
    pub kind: Option<Kind>,
    /// The system under decision: a run (ir), an arm (ab) or an evidence label.
    pub candidate: Option<String>,
    /// What the candidate is compared with (lift, guardrail).
    pub baseline: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Rule {
    Threshold(Threshold),
    Lift(Lift),
    Guardrail(Guardrail),
    /// A bound on a between-group disparity; same fields as a threshold.
    Fairness(Threshold),
}

impl Rule {
    /// The policy table name.
    pub fn name(&self) -> &'static str {
        match self {
            Rule::Threshold(_) => "threshold",
            Rule::Lift(_) => "lift",
            Rule::Guardrail(_) => "guardrail",
            Rule::Fairness(_) => "fairness",
        }
    }

    pub fn measure(&self) -> &str {
        match self {
            Rule::Threshold(t) | Rule::Fairness(t) => &t.measure,
            Rule::Lift(l) => &l.measure,
            Rule::Guardrail(g) => &g.measure,
        }
    }
}

/// `[[threshold]]` and `[[fairness]]`: `min <= value <= max`.
#[derive(Debug, Clone, PartialEq)]
pub struct Threshold {
    pub measure: String,
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// The whole confidence interval must be within the bounds.
    pub whole_ci: bool,
    pub slices: Slices,
    /// Per-class metric (classify `per_class`): precision, recall, f1, support.
    pub class: Option<String>,
    /// Slices or groups smaller than this are skipped (and listed as skipped).
    pub min_slice_size: Option<u64>,
}

/// `[[lift]]`: the candidate improves on the baseline.
#[derive(Debug, Clone, PartialEq)]
pub struct Lift {
    pub measure: String,
    /// Minimum improvement, in the measure's units (in its better direction).
    pub min_delta: Option<f64>,
    /// Minimum improvement relative to the baseline value (0.05 = 5 %).
    pub min_relative: Option<f64>,
    /// The improvement must be significant after the evidence's correction.
    pub significant: bool,
    /// With `significant`: the corrected p-value must be at most this (default: the
    /// evidence's own verdict at its α).
    pub alpha: Option<f64>,
    /// The CI of the difference must lie entirely on the better side of zero.
    pub ci_excludes_zero: bool,
    pub direction: Option<Direction>,
}

/// `[[guardrail]]`: the candidate is not worse than the baseline by more than a
/// tolerance, overall or on every slice (the worst slice decides).
#[derive(Debug, Clone, PartialEq)]
pub struct Guardrail {
    pub measure: String,
    /// Allowed worsening in the measure's units (default 0).
    pub tolerance: Option<f64>,
    /// Allowed worsening relative to the baseline value (0.02 = 2 %).
    pub relative_tolerance: Option<f64>,
    /// Non-inferiority: the CI bound on the worse side must be within the tolerance.
    pub whole_ci: bool,
    pub slices: Slices,
    pub min_slice_size: Option<u64>,
    pub direction: Option<Direction>,
}

/// Where a criterion is checked.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Slices {
    /// The overall value only.
    #[default]
    Overall,
    /// Every slice (`--by`, ab `--segment`, drift columns): the worst decides.
    All,
    /// Every sensitive group (`--sensitive`): the worst decides.
    Groups,
    /// The named slices; one the evidence lacks is an error.
    Named(Vec<String>),
}

// ---------------------------------------------------------------------------------
// The file as written.

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    gate: Option<RawGate>,
    evidence: Option<Spanned<RawRequirements>>,
    #[serde(default)]
    threshold: Vec<Spanned<RawThreshold>>,
    #[serde(default)]
    lift: Vec<Spanned<RawLift>>,
    #[serde(default)]
    guardrail: Vec<Spanned<RawGuardrail>>,
    #[serde(default)]
    fairness: Vec<Spanned<RawThreshold>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGate {
    name: Option<String>,
    baseline: Option<Spanned<String>>,
    candidate: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRequirements {
    min_queries: Option<Spanned<i64>>,
    min_rows: Option<Spanned<i64>>,
    min_segments: Option<Spanned<i64>>,
    min_units: Option<Spanned<i64>>,
    #[serde(default)]
    require: Vec<Spanned<String>>,
    #[serde(default)]
    verify_inputs: bool,
    srm: Option<bool>,
}

/// Keys every criterion may have.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawThreshold {
    measure: Spanned<String>,
    evidence: Option<String>,
    kind: Option<Spanned<String>>,
    candidate: Option<String>,
    min: Option<Spanned<f64>>,
    max: Option<Spanned<f64>>,
    #[serde(default)]
    whole_ci: bool,
    slices: Option<Spanned<toml::Value>>,
    class: Option<String>,
    min_slice_size: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLift {
    measure: Spanned<String>,
    evidence: Option<String>,
    kind: Option<Spanned<String>>,
    candidate: Option<String>,
    baseline: Option<String>,
    min_delta: Option<Spanned<f64>>,
    min_relative: Option<Spanned<f64>>,
    #[serde(default)]
    significant: bool,
    alpha: Option<Spanned<f64>>,
    #[serde(default)]
    ci_excludes_zero: bool,
    direction: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGuardrail {
    measure: Spanned<String>,
    evidence: Option<String>,
    kind: Option<Spanned<String>>,
    candidate: Option<String>,
    baseline: Option<String>,
    tolerance: Option<Spanned<f64>>,
    relative_tolerance: Option<Spanned<f64>>,
    #[serde(default)]
    whole_ci: bool,
    slices: Option<Spanned<toml::Value>>,
    min_slice_size: Option<Spanned<i64>>,
    direction: Option<Spanned<String>>,
}

// ---------------------------------------------------------------------------------

/// Parses and validates a policy. `path` names the file in error messages.
pub fn parse(path: &str, text: &str) -> Result<Policy> {
    let at = Lines::new(path, text);
    let raw: RawPolicy = toml::from_str(text).map_err(|e| {
        let line = e.span().map_or(1, |s| at.line(s.start));
        let problem = e.message().trim().replace('\n', " ");
        at.error(line, problem)
    })?;
    let gate = raw.gate.unwrap_or(RawGate {
        name: None,
        baseline: None,
        candidate: None,
    });
    let requirements = match raw.evidence {
        Some(r) => requirements(&at, r)?,
        None => Requirements {
            srm: true,
            ..Requirements::default()
        },
    };
    let mut criteria = Vec::new();
    for t in raw.threshold {
        criteria.push(threshold(&at, t, false)?);
    }
    for f in raw.fairness {
        criteria.push(threshold(&at, f, true)?);
    }
    for l in raw.lift {
        criteria.push(lift(&at, l)?);
    }
    for g in raw.guardrail {
        criteria.push(guardrail(&at, g)?);
    }
    criteria.sort_by_key(|c| c.line);
    if criteria.is_empty() && requirements.min_units.is_empty() && requirements.line == 0 {
        return Err(at.error(
            1,
            "the policy has no criteria: add [[threshold]], [[lift]], [[guardrail]], \
             [[fairness]] or [evidence] requirements",
        ));
    }
    let line = |v: &Option<Spanned<String>>| v.as_ref().map_or(0, |v| at.of(v));
    Ok(Policy {
        path: path.to_string(),
        name: gate.name,
        baseline_line: line(&gate.baseline),
        candidate_line: line(&gate.candidate),
        baseline: gate.baseline.map(Spanned::into_inner),
        candidate: gate.candidate.map(Spanned::into_inner),
        requirements,
        criteria,
    })
}

/// Byte offsets to line numbers, and errors that name them.
struct Lines<'a> {
    path: &'a str,
    starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    fn new(path: &'a str, text: &str) -> Lines<'a> {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Lines { path, starts }
    }

    /// 1-based line of a byte offset.
    fn line(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset).max(1)
    }

    fn of<T>(&self, s: &Spanned<T>) -> usize {
        self.line(s.span().start)
    }

    fn span_line(&self, span: Range<usize>) -> usize {
        self.line(span.start)
    }

    fn error(&self, line: usize, problem: impl Into<String>) -> Error {
        Error::Policy {
            path: self.path.to_string(),
            line,
            problem: problem.into(),
        }
    }
}

fn requirements(at: &Lines, r: Spanned<RawRequirements>) -> Result<Requirements> {
    let line = at.of(&r);
    let r = r.into_inner();
    let mut min_units = Vec::new();
    for (units, value) in [
        (Units::Queries, r.min_queries),
        (Units::Rows, r.min_rows),
        (Units::Segments, r.min_segments),
        (Units::Any, r.min_units),
    ] {
        if let Some(v) = value {
            let l = at.of(&v);
            let min = u64::try_from(*v.get_ref())
                .map_err(|_| at.error(l, format!("{} must be 0 or more", units.key())))?;
            min_units.push(MinUnits {
                line: l,
                units,
                min,
            });
        }
    }
    let mut require = Vec::new();
    for field in r.require {
        if field.get_ref().trim().is_empty() {
            return Err(at.error(at.of(&field), "require: empty field name"));
        }
        require.push(field.into_inner());
    }
    Ok(Requirements {
        line,
        min_units,
        require,
        verify_inputs: r.verify_inputs,
        srm: r.srm.unwrap_or(true),
    })
}

fn measure(at: &Lines, m: Spanned<String>) -> Result<String> {
    let name = m.get_ref().trim();
    if name.is_empty() {
        return Err(at.error(at.of(&m), "measure is empty"));
    }
    Ok(name.to_string())
}

fn kind(at: &Lines, k: Option<Spanned<String>>) -> Result<Option<Kind>> {
    k.map(|k| {
        k.get_ref().parse::<Kind>().map_err(|_| {
            at.error(
                at.of(&k),
                format!(
                    "kind '{}': expected one of ir, classify, text, ab, drift",
                    k.get_ref()
                ),
            )
        })
    })
    .transpose()
}

fn direction(at: &Lines, d: Option<Spanned<String>>) -> Result<Option<Direction>> {
    d.map(|d| match d.get_ref().as_str() {
        "higher" => Ok(Direction::Higher),
        "lower" => Ok(Direction::Lower),
        other => Err(at.error(
            at.of(&d),
            format!("direction '{other}': expected \"higher\" or \"lower\" (which is better)"),
        )),
    })
    .transpose()
}

fn finite(at: &Lines, v: Option<Spanned<f64>>, key: &str) -> Result<Option<f64>> {
    v.map(|v| {
        let x = *v.get_ref();
        if x.is_finite() {
            Ok(x)
        } else {
            Err(at.error(at.of(&v), format!("{key} must be a finite number")))
        }
    })
    .transpose()
}

fn non_negative(at: &Lines, v: Option<Spanned<f64>>, key: &str) -> Result<Option<f64>> {
    let line = v.as_ref().map(|v| at.of(v));
    let x = finite(at, v, key)?;
    match (x, line) {
        (Some(x), Some(line)) if x < 0.0 => Err(at.error(
            line,
            format!("{key} must be 0 or more (it is an allowance, in the worse direction)"),
        )),
        _ => Ok(x),
    }
}

fn size(at: &Lines, v: Option<Spanned<i64>>, key: &str) -> Result<Option<u64>> {
    v.map(|v| {
        u64::try_from(*v.get_ref())
            .map_err(|_| at.error(at.of(&v), format!("{key} must be 0 or more")))
    })
    .transpose()
}

fn slices(at: &Lines, v: Option<Spanned<toml::Value>>) -> Result<Slices> {
    let Some(v) = v else {
        return Ok(Slices::Overall);
    };
    let line = at.of(&v);
    let bad = || {
        at.error(
            line,
            "slices: expected \"all\", \"groups\" or a list of slice names",
        )
    };
    match v.into_inner() {
        toml::Value::String(s) if s == "all" => Ok(Slices::All),
        toml::Value::String(s) if s == "groups" => Ok(Slices::Groups),
        toml::Value::Array(items) if !items.is_empty() => items
            .into_iter()
            .map(|i| match i {
                toml::Value::String(s) => Ok(s),
                _ => Err(bad()),
            })
            .collect::<Result<Vec<_>>>()
            .map(Slices::Named),
        _ => Err(bad()),
    }
}

fn threshold(at: &Lines, t: Spanned<RawThreshold>, fairness: bool) -> Result<Criterion> {
    let line = at.span_line(t.span());
    let t = t.into_inner();
    let table = if fairness { "fairness" } else { "threshold" };
    let min_line = t.min.as_ref().map(|v| at.of(v));
    let min = finite(at, t.min, "min")?;
    let max = finite(at, t.max, "max")?;
    match (min, max) {
        (None, None) => {
            return Err(at.error(
                line,
                format!(
                    "[[{table}]] on '{}' needs min, max or both",
                    t.measure.get_ref()
                ),
            ))
        }
        (Some(lo), Some(hi)) if lo > hi => {
            return Err(at.error(
                min_line.unwrap_or(line),
                format!("min {lo} is above max {hi}: nothing can pass"),
            ))
        }
        _ => {}
    }
    let rule = Threshold {
        measure: measure(at, t.measure)?,
        min,
        max,
        whole_ci: t.whole_ci,
        slices: slices(at, t.slices)?,
        class: t.class,
        min_slice_size: size(at, t.min_slice_size, "min_slice_size")?,
    };
    Ok(Criterion {
        line,
        target: Target {
            evidence: t.evidence,
            kind: kind(at, t.kind)?,
            candidate: t.candidate,
            baseline: None,
        },
        rule: if fairness {
            Rule::Fairness(rule)
        } else {
            Rule::Threshold(rule)
        },
    })
}

fn lift(at: &Lines, l: Spanned<RawLift>) -> Result<Criterion> {
    let line = at.span_line(l.span());
    let l = l.into_inner();
    let alpha_line = l.alpha.as_ref().map(|a| at.of(a));
    let alpha = finite(at, l.alpha, "alpha")?;
    if let (Some(a), Some(al)) = (alpha, alpha_line) {
        if !(a > 0.0 && a < 1.0) {
            return Err(at.error(al, format!("alpha {a} must be between 0 and 1")));
        }
        if !l.significant {
            return Err(at.error(al, "alpha is only used with significant = true"));
        }
    }
    let rule = Lift {
        min_delta: finite(at, l.min_delta, "min_delta")?,
        min_relative: finite(at, l.min_relative, "min_relative")?,
        significant: l.significant,
        alpha,
        ci_excludes_zero: l.ci_excludes_zero,
        direction: direction(at, l.direction)?,
        measure: measure(at, l.measure)?,
    };
    if rule.min_delta.is_none()
        && rule.min_relative.is_none()
        && !rule.significant
        && !rule.ci_excludes_zero
    {
        return Err(at.error(
            line,
            format!(
                "[[lift]] on '{}' requires nothing: set min_delta, min_relative, \
                 significant or ci_excludes_zero",
                rule.measure
            ),
        ));
    }
    Ok(Criterion {
        line,
        target: Target {
            evidence: l.evidence,
            kind: kind(at, l.kind)?,
            candidate: l.candidate,
            baseline: l.baseline,
        },
        rule: Rule::Lift(rule),
    })
}

fn guardrail(at: &Lines, g: Spanned<RawGuardrail>) -> Result<Criterion> {
    let line = at.span_line(g.span());
    let g = g.into_inner();
    let rule = Guardrail {
        tolerance: non_negative(at, g.tolerance, "tolerance")?,
        relative_tolerance: non_negative(at, g.relative_tolerance, "relative_tolerance")?,
        whole_ci: g.whole_ci,
        slices: slices(at, g.slices)?,
        min_slice_size: size(at, g.min_slice_size, "min_slice_size")?,
        direction: direction(at, g.direction)?,
        measure: measure(at, g.measure)?,
    };
    Ok(Criterion {
        line,
        target: Target {
            evidence: g.evidence,
            kind: kind(at, g.kind)?,
            candidate: g.candidate,
            baseline: g.baseline,
        },
        rule: Rule::Guardrail(rule),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> (usize, String) {
        match parse("p.toml", text) {
            Err(Error::Policy { line, problem, .. }) => (line, problem),
            other => panic!("expected a policy error, got {other:?}"),
        }
    }

    #[test]
    fn criteria_keep_their_lines_and_file_order() {
        let p = parse(
            "p.toml",
            "[gate]\ncandidate = \"dense\"\n\n[[lift]]\nmeasure = \"AP\"\nmin_delta = 0.01\n\n\
             [[threshold]]\nmeasure = \"nDCG@10\"\nmin = 0.4\n",
        )
        .unwrap();
        assert_eq!(p.candidate.as_deref(), Some("dense"));
        let lines: Vec<(usize, &str)> =
            p.criteria.iter().map(|c| (c.line, c.rule.name())).collect();
        assert_eq!(lines, vec![(4, "lift"), (8, "threshold")]);
        assert!(p.requirements.srm);
    }

    #[test]
    fn a_misspelt_key_names_its_line() {
        let (line, problem) = err("[[lift]]\nmeasure = \"AP\"\nmin_deltaa = 0.01\n");
        assert_eq!(line, 3);
        assert!(problem.contains("min_deltaa"), "{problem}");
    }

    #[test]
    fn a_wrong_type_names_its_line() {
        let (line, problem) = err("[[threshold]]\nmeasure = \"AP\"\nmin = \"high\"\n");
        assert_eq!(line, 3, "{problem}");
    }

    #[test]
    fn bad_syntax_names_its_line() {
        let (line, _) = err("[[threshold]]\nmeasure = \"AP\"\nmin = \n");
        assert_eq!(line, 3);
    }

    #[test]
    fn impossible_criteria_name_their_line() {
        assert_eq!(err("\n[[threshold]]\nmeasure = \"AP\"\n").0, 2);
        assert_eq!(
            err("[[threshold]]\nmeasure = \"AP\"\nmin = 0.5\nmax = 0.4\n").0,
            3
        );
        assert_eq!(err("[[lift]]\nmeasure = \"AP\"\n").0, 1);
        assert_eq!(
            err("[[lift]]\nmeasure = \"AP\"\nsignificant = true\nalpha = 2\n").0,
            4
        );
        assert_eq!(
            err("[[guardrail]]\nmeasure = \"AP\"\ntolerance = -0.1\n").0,
            3
        );
        assert_eq!(
            err("[[guardrail]]\nmeasure = \"AP\"\nslices = \"every\"\n").0,
            3
        );
        assert_eq!(
            err("[[lift]]\nmeasure = \"AP\"\nkind = \"rank\"\nmin_delta = 0\n").0,
            3
        );
        assert_eq!(err("[evidence]\nmin_rows = -5\n").0, 2);
        assert_eq!(err("").0, 1);
    }

    #[test]
    fn slices_parse() {
        let p = parse(
            "p.toml",
            "[[guardrail]]\nmeasure = \"f1\"\nslices = [\"eu\", \"us\"]\n\
             [[threshold]]\nmeasure = \"tpr\"\nmin = 0.5\nslices = \"groups\"\n",
        )
        .unwrap();
        match (&p.criteria[0].rule, &p.criteria[1].rule) {
            (Rule::Guardrail(g), Rule::Threshold(t)) => {
                assert_eq!(g.slices, Slices::Named(vec!["eu".into(), "us".into()]));
                assert_eq!(t.slices, Slices::Groups);
            }
            other => panic!("{other:?}"),
        }
    }
}
