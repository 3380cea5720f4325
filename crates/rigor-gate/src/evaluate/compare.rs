//! `[[lift]]` (the candidate improves on the baseline) and `[[guardrail]]` (it does
//! not regress beyond a tolerance, overall or on every slice — the worst decides).

use super::resolve::Pair;
use super::{why, Gate};
use crate::decision::{Outcome, SliceOutcome};
use crate::direction::{known, Direction};
use crate::error::Result;
use crate::evidence::Comparison;
use crate::format::{num, p, pct, signed, signed_ci};
use crate::policy::{Criterion, Guardrail, Lift, Slices};

impl Gate<'_> {
    fn direction(
        &self,
        c: &Criterion,
        stated: Option<Direction>,
        comparisons: &[Comparison],
        measure: &str,
    ) -> Result<Direction> {
        stated
            .or_else(|| comparisons.iter().find_map(|x| x.direction))
            .or_else(|| known(measure))
            .or_else(|| comparisons.first().and_then(|x| known(&x.measure)))
            .ok_or_else(|| {
                self.policy_error(
                    c.line,
                    format!(
                        "rigor does not know whether higher or lower '{measure}' is better: \
                         add direction = \"higher\" or direction = \"lower\""
                    ),
                )
            })
    }

    pub(crate) fn lift(&self, c: &Criterion, l: &Lift) -> Result<Outcome> {
        let pair = self.pair(c, &l.measure)?;
        let comparisons = self.comparisons(c, &pair, &l.measure, &Slices::Overall)?;
        let x = &comparisons[0];
        let dir = self.direction(c, l.direction, &comparisons, &l.measure)?;
        let (baseline, candidate) = pair.names();
        if let Pair::Across { .. } = pair {
            if l.significant || l.ci_excludes_zero {
                return Err(self.missing(
                    c.line,
                    format!(
                        "{candidate} and {baseline} are separate evaluations: there is no paired \
                         test or interval of their difference to check significant / \
                         ci_excludes_zero against (use min_delta / min_relative)"
                    ),
                ));
            }
        }
        if l.significant {
            let has = match l.alpha {
                Some(_) => x.p_adjusted.is_some(),
                None => x.significant.is_some(),
            };
            if !has && x.delta.is_some() {
                return Err(self.missing(
                    c.line,
                    format!(
                        "evidence has no {} for {candidate} vs {baseline} on '{}'",
                        if l.alpha.is_some() {
                            "corrected p-value"
                        } else {
                            "significance verdict"
                        },
                        l.measure
                    ),
                ));
            }
        }
        if l.ci_excludes_zero && x.ci_low.zip(x.ci_high).is_none() && x.delta.is_some() {
            return Err(self.missing(
                c.line,
                format!(
                    "evidence has no interval of the difference {candidate} − {baseline} on '{}' \
                     (evaluated with --no-ci?)",
                    l.measure
                ),
            ));
        }

        let mut required = Vec::new();
        let mut checks = Vec::new();
        let better = if dir == Direction::Higher {
            "above"
        } else {
            "below"
        };
        match x.delta {
            None => checks.push((
                false,
                "the difference is undefined in the evidence".to_string(),
            )),
            Some(delta) => {
                let imp = dir.improvement(delta);
                if let Some(min) = l.min_delta {
                    let limit = dir.improvement(min);
                    required.push(format!("Δ {} {}", op(dir), signed(limit)));
                    checks.push(against(dir, "Δ", delta, limit, signed));
                }
                if let Some(min) = l.min_relative {
                    let limit = dir.improvement(min);
                    required.push(format!("relative {} {}", op(dir), pct(limit)));
                    match x.relative {
                        Some(r) => checks.push(against(dir, "relative", r, limit, pct)),
                        None => checks.push((
                            false,
                            "relative difference undefined (baseline is 0)".to_string(),
                        )),
                    }
                }
                if l.significant {
                    let how: Vec<&str> = [x.test.as_deref(), x.correction.as_deref()]
                        .into_iter()
                        .flatten()
                        .collect();
                    let how = if how.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", how.join(", "))
                    };
                    required.push(match l.alpha {
                        Some(a) => format!("p adjusted ≤ {}{how}", num(a)),
                        None => format!("significant{how}"),
                    });
                    let sig = match l.alpha {
                        Some(a) => x.p_adjusted.is_some_and(|pa| pa <= a),
                        None => x.significant == Some(true),
                    };
                    let p_text = x.p_adjusted.map_or("p adj undefined".to_string(), |pa| {
                        format!("p adj {}", p(pa))
                    });
                    checks.push(match (sig, imp > 0.0) {
                        (true, true) => (true, format!("{p_text}: significant")),
                        (true, false) => {
                            (false, format!("{p_text}: significant, but a regression"))
                        }
                        (false, _) => (false, format!("{p_text}: not significant")),
                    });
                }
                if l.ci_excludes_zero {
                    required.push(format!("CI {better} 0"));
                    let (lo, hi) = x.ci_low.zip(x.ci_high).unwrap_or((f64::NAN, f64::NAN));
                    let ok = match dir {
                        Direction::Higher => lo > 0.0,
                        Direction::Lower => hi < 0.0,
                    };
                    checks.push((
                        ok,
                        if ok {
                            format!("CI {better} 0")
                        } else {
                            format!("CI {} not {better} 0", signed_ci(lo, hi))
                        },
                    ));
                }
            }
        }
        if dir == Direction::Lower {
            required.push("lower is better".into());
        }
        let (pass, why_text) = why(&checks);
        Ok(Outcome {
            rule: "lift".into(),
            line: c.line,
            criterion: format!("lift {} ({candidate} vs {baseline})", l.measure),
            evidence: pair.labels(),
            measure: Some(x.measure.clone()),
            required: required.join(", "),
            measured: describe(x),
            pass,
            why: why_text,
            value: x.delta,
            slices: Vec::new(),
        })
    }

    pub(crate) fn guardrail(&self, c: &Criterion, g: &Guardrail) -> Result<Outcome> {
        let pair = self.pair(c, &g.measure)?;
        let comparisons = self.comparisons(c, &pair, &g.measure, &g.slices)?;
        let dir = self.direction(c, g.direction, &comparisons, &g.measure)?;
        let (baseline, candidate) = pair.names();
        if g.whole_ci {
            if let Some(x) = comparisons
                .iter()
                .find(|x| x.delta.is_some() && x.ci_low.zip(x.ci_high).is_none())
            {
                return Err(self.missing(
                    c.line,
                    match pair {
                        Pair::Across { .. } => format!(
                            "whole_ci: {candidate} and {baseline} are separate evaluations, \
                             with no interval of their difference"
                        ),
                        Pair::Within { .. } => format!(
                            "whole_ci: evidence has no interval of the difference on '{}'{}",
                            g.measure,
                            x.slice
                                .as_ref()
                                .map_or(String::new(), |s| format!(" in slice '{s}'"))
                        ),
                    },
                ));
            }
        }

        struct Judged<'c> {
            x: &'c Comparison,
            skipped: bool,
            ok: bool,
            text: String,
            margin: f64,
        }
        let judged: Vec<Judged> = comparisons
            .iter()
            .map(|x| {
                let skipped = matches!((g.min_slice_size, x.n), (Some(min), Some(n)) if n < min);
                let allowed = allowance(g, x.baseline_value);
                let stat = if g.whole_ci {
                    match dir {
                        Direction::Higher => x.ci_low,
                        Direction::Lower => x.ci_high,
                    }
                } else {
                    x.delta
                };
                let (ok, text, margin) = match (stat, allowed) {
                    (None, _) => (
                        false,
                        "difference undefined in the evidence".to_string(),
                        f64::NEG_INFINITY,
                    ),
                    (_, None) => (
                        false,
                        "relative tolerance undefined (baseline value undefined)".to_string(),
                        f64::NEG_INFINITY,
                    ),
                    (Some(v), Some(allowed)) => {
                        let limit = dir.improvement(-allowed);
                        let what = match (g.whole_ci, dir) {
                            (false, _) => "Δ",
                            (true, Direction::Higher) => "CI lower bound",
                            (true, Direction::Lower) => "CI upper bound",
                        };
                        let (ok, text) = against(dir, what, v, limit, signed);
                        (ok, text, dir.improvement(v - limit))
                    }
                };
                Judged {
                    x,
                    skipped,
                    ok,
                    text,
                    margin,
                }
            })
            .collect();
        let active: Vec<&Judged> = judged.iter().filter(|j| !j.skipped).collect();
        let worst = active
            .iter()
            .min_by(|a, b| a.margin.total_cmp(&b.margin))
            .copied();
        let failing = active.iter().filter(|j| !j.ok).count();

        let sign = if dir == Direction::Higher { "-" } else { "+" };
        let mut bounds = Vec::new();
        if let Some(t) = g.tolerance {
            bounds.push(format!("{sign}{}", num(t)));
        }
        if let Some(r) = g.relative_tolerance {
            bounds.push(format!("{sign}{}% of its value", num(r * 100.0)));
        }
        if bounds.is_empty() {
            bounds.push("0".into());
        }
        let required = format!(
            "{} vs {baseline} {} {}{}{}{}",
            if g.whole_ci { "whole CI of Δ" } else { "Δ" },
            op(dir),
            bounds.join(&format!(" and {} ", op(dir))),
            match &g.slices {
                Slices::Overall => String::new(),
                Slices::All => " on every slice (worst decides)".into(),
                Slices::Groups => " in every sensitive group (worst decides)".into(),
                Slices::Named(n) => format!(" on slices {} (worst decides)", n.join(", ")),
            },
            if dir == Direction::Lower {
                ", lower is better"
            } else {
                ""
            },
            g.min_slice_size
                .map_or(String::new(), |m| format!(", slices with n < {m} skipped"))
        );
        let overall = g.slices == Slices::Overall;
        let (pass, why_text, measured, value) = match worst {
            None => (
                false,
                format!(
                    "every one of {} slices has n < min_slice_size: nothing was checked",
                    judged.len()
                ),
                "nothing checked".to_string(),
                None,
            ),
            Some(w) if overall => (w.ok, w.text.clone(), describe(w.x), w.x.delta),
            Some(w) => {
                let slice = w.x.slice.clone().unwrap_or_default();
                let skipped = judged.len() - active.len();
                (
                    failing == 0,
                    if failing == 0 {
                        format!("worst '{slice}': {}", w.text)
                    } else {
                        format!("'{slice}': {} ({failing} of {} fail)", w.text, active.len())
                    },
                    format!(
                        "worst '{slice}': {} ({} checked{})",
                        describe(w.x),
                        active.len(),
                        if skipped > 0 {
                            format!(", {skipped} skipped")
                        } else {
                            String::new()
                        }
                    ),
                    w.x.delta,
                )
            }
        };
        let slices = if overall {
            Vec::new()
        } else {
            judged
                .iter()
                .map(|j| SliceOutcome {
                    slice: j.x.slice.clone().unwrap_or_default(),
                    n: j.x.n,
                    measured: describe(j.x),
                    value: j.x.delta,
                    pass: (!j.skipped).then_some(j.ok),
                })
                .collect()
        };
        Ok(Outcome {
            rule: "guardrail".into(),
            line: c.line,
            criterion: format!("guardrail {} ({candidate} vs {baseline})", g.measure),
            evidence: pair.labels(),
            measure: comparisons.first().map(|x| x.measure.clone()),
            required,
            measured,
            pass,
            why: why_text,
            value,
            slices,
        })
    }
}

/// `≥` when higher is better, `≤` when lower is.
fn op(dir: Direction) -> &'static str {
    match dir {
        Direction::Higher => "≥",
        Direction::Lower => "≤",
    }
}

/// Whether `value` is on the better side of `limit`, and the sentence saying so:
/// `Δ +0.19 ≥ +0.05`, `Δ +5.8 ≤ +10`.
fn against(
    dir: Direction,
    what: &str,
    value: f64,
    limit: f64,
    show: fn(f64) -> String,
) -> (bool, String) {
    let ok = dir.improvement(value - limit) >= 0.0;
    let sign = match (dir, ok) {
        (Direction::Higher, true) => "≥",
        (Direction::Higher, false) => "<",
        (Direction::Lower, true) => "≤",
        (Direction::Lower, false) => ">",
    };
    (ok, format!("{what} {} {sign} {}", show(value), show(limit)))
}

/// The allowed worsening for one comparison: the stricter of the absolute and
/// relative tolerances given (0 when neither); None when a relative tolerance cannot
/// be applied to an undefined baseline.
fn allowance(g: &Guardrail, baseline: Option<f64>) -> Option<f64> {
    let relative = match g.relative_tolerance {
        Some(r) => Some(r * baseline?.abs()),
        None => None,
    };
    Some(match (g.tolerance, relative) {
        (Some(a), Some(r)) => a.min(r),
        (Some(a), None) => a,
        (None, Some(r)) => r,
        (None, None) => 0.0,
    })
}

/// `Δ +0.1911 (+31.3%) CI [+0.1391, +0.2467], p adj 8.6e-7, 0.6116 → 0.8027, n 30`.
pub(crate) fn describe(x: &Comparison) -> String {
    let Some(delta) = x.delta else {
        return "difference undefined".into();
    };
    let mut s = format!("Δ {}", signed(delta));
    if let Some(r) = x.relative {
        s.push_str(&format!(" ({})", pct(r)));
    }
    if let Some((lo, hi)) = x.ci_low.zip(x.ci_high) {
        s.push_str(&format!(" CI {}", signed_ci(lo, hi)));
    }
    if let Some(pa) = x.p_adjusted {
        s.push_str(&format!(", p adj {}", p(pa)));
    }
    if let (Some(b), Some(k)) = (x.baseline_value, x.candidate_value) {
        s.push_str(&format!(", {} → {}", num(b), num(k)));
    }
    if let Some(n) = x.n {
        s.push_str(&format!(", n {n}"));
    }
    s
}
