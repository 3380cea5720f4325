//! Measure names: ir_measures spelling, trec_eval aliases, relevance thresholds.
//!
//! A measure is a kind plus an optional cutoff (`@k`) and an optional relevance
//! threshold (`(rel=N)`). Names are parsed once at the edge; everything downstream
//! works with [`Measure`] values and prints their canonical (ir_measures) name, so
//! `ndcg_cut_10` and `nDCG@10` are the same column.

use std::fmt;
use std::str::FromStr;

/// What a measure computes; see [`crate::ir::evaluate`] for the formulas.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// Precision at k (trec_eval `P_k`): relevant in the top k, divided by k.
    P,
    /// Recall at k (trec_eval `recall_k`).
    R,
    /// Average precision (trec_eval `map`, `map_cut_k`).
    AP,
    /// Reciprocal rank of the first relevant document (trec_eval `recip_rank`).
    RR,
    /// Normalised DCG with raw grades as gains (trec_eval `ndcg`, `ndcg_cut_k`).
    NDCG,
    /// Precision at rank R = number of relevant documents (trec_eval `Rprec`).
    Rprec,
    /// Binary preference (trec_eval `bpref`).
    Bpref,
    /// 1 if a relevant document is in the top k (trec_eval `success_k`).
    Success,
    /// Share of the top k that has a judgment (ir_measures `Judged@k`).
    Judged,
    /// Number of retrieved documents (trec_eval `num_ret`).
    NumRet,
    /// Number of relevant documents in the qrels (trec_eval `num_rel`).
    NumRel,
    /// Number of relevant documents retrieved (trec_eval `num_rel_ret`).
    NumRelRet,
    /// Expected reciprocal rank (Chapelle et al. 2009).
    ERR,
}

/// How a kind uses the two parameters.
#[derive(Clone, Copy)]
enum Param {
    Required,
    Optional,
    Forbidden,
}

impl Kind {
    /// Every kind, in the order `--help` and error messages list them.
    pub const ALL: [Kind; 13] = [
        Kind::P,
        Kind::R,
        Kind::AP,
        Kind::RR,
        Kind::NDCG,
        Kind::Rprec,
        Kind::Bpref,
        Kind::Success,
        Kind::Judged,
        Kind::NumRet,
        Kind::NumRel,
        Kind::NumRelRet,
        Kind::ERR,
    ];

    /// The ir_measures name.
    pub fn name(self) -> &'static str {
        match self {
            Kind::P => "P",
            Kind::R => "R",
            Kind::AP => "AP",
            Kind::RR => "RR",
            Kind::NDCG => "nDCG",
            Kind::Rprec => "Rprec",
            Kind::Bpref => "Bpref",
            Kind::Success => "Success",
            Kind::Judged => "Judged",
            Kind::NumRet => "NumRet",
            Kind::NumRel => "NumRel",
            Kind::NumRelRet => "NumRelRet",
            Kind::ERR => "ERR",
        }
    }

    fn cutoff(self) -> Param {
        match self {
            Kind::P | Kind::R | Kind::Success | Kind::Judged => Param::Required,
            Kind::AP | Kind::RR | Kind::NDCG | Kind::ERR => Param::Optional,
            Kind::Rprec | Kind::Bpref | Kind::NumRet | Kind::NumRel | Kind::NumRelRet => {
                Param::Forbidden
            }
        }
    }

    /// Measures whose value depends on which grades count as relevant. trec_eval's nDCG
    /// ignores the relevance level (gain is the raw grade), ERR uses graded gains, and
    /// Judged/NumRet do not look at relevance at all, so a threshold there is refused
    /// rather than silently ignored.
    fn threshold(self) -> Param {
        match self {
            Kind::NDCG | Kind::ERR | Kind::Judged | Kind::NumRet => Param::Forbidden,
            _ => Param::Optional,
        }
    }

    fn from_ir_measures(name: &str) -> Option<Kind> {
        Kind::ALL
            .into_iter()
            .find(|k| k.name().eq_ignore_ascii_case(name))
    }

    /// Whether the value is a count (its mean is the mean count per query).
    pub fn is_count(self) -> bool {
        matches!(self, Kind::NumRet | Kind::NumRel | Kind::NumRelRet)
    }
}

/// One measure: kind, cutoff and relevance threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Measure {
    pub kind: Kind,
    /// `@k`: only the top k ranks count.
    pub cutoff: Option<usize>,
    /// `(rel=N)`: grades ≥ N are relevant; `None` means trec_eval's default of 1.
    pub rel: Option<i32>,
}

impl Measure {
    pub fn new(kind: Kind, cutoff: Option<usize>, rel: Option<i32>) -> Measure {
        Measure { kind, cutoff, rel }
    }

    /// The relevance level: grades at or above it are relevant.
    pub fn level(&self) -> i32 {
        self.rel.unwrap_or(1)
    }
}

impl fmt::Display for Measure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.kind.name())?;
        if let Some(rel) = self.rel {
            write!(f, "(rel={rel})")?;
        }
        if let Some(k) = self.cutoff {
            write!(f, "@{k}")?;
        }
        Ok(())
    }
}

/// Why a measure name was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeasureError {
    pub name: String,
    pub problem: String,
}

impl fmt::Display for MeasureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown measure '{}': {}", self.name, self.problem)
    }
}

impl std::error::Error for MeasureError {}

/// The list of accepted spellings, for error messages and `--help`.
pub fn valid_names() -> String {
    "P@k, R@k, AP, AP@k, RR, RR@k, nDCG, nDCG@k, Rprec, Bpref, Success@k, Judged@k, \
     NumRet, NumRel, NumRelRet, ERR@k; thresholds as P(rel=2)@10; trec_eval aliases \
     P_k, recall_k, map, map_cut_k, recip_rank, ndcg, ndcg_cut_k, Rprec, bpref, \
     success_k, num_ret, num_rel, num_rel_ret"
        .to_string()
}

impl FromStr for Measure {
    type Err = MeasureError;

    fn from_str(name: &str) -> Result<Measure, MeasureError> {
        let err = |problem: String| MeasureError {
            name: name.to_string(),
            problem,
        };
        let trimmed = name.trim();
        let (kind, cutoff, rel) = match parse_trec_eval(trimmed) {
            Some(parsed) => parsed,
            None => parse_ir_measures(trimmed).map_err(|p| err(p.to_string()))?,
        };
        let kind = kind.ok_or_else(|| err(format!("valid measures are {}", valid_names())))?;
        match (kind.cutoff(), cutoff) {
            (Param::Required, None) => {
                return Err(err(format!(
                    "{} needs a cutoff, e.g. {}@10",
                    kind.name(),
                    kind.name()
                )))
            }
            (Param::Forbidden, Some(_)) => {
                return Err(err(format!("{} takes no cutoff", kind.name())))
            }
            (_, Some(0)) => return Err(err("the cutoff must be at least 1".to_string())),
            _ => {}
        }
        match (kind.threshold(), rel) {
            (Param::Forbidden, Some(_)) => {
                return Err(err(format!(
                    "{} takes no relevance threshold (rel=): it does not use binary relevance",
                    kind.name()
                )))
            }
            (_, Some(r)) if r < 1 => {
                return Err(err("the relevance threshold must be at least 1".to_string()))
            }
            _ => {}
        }
        Ok(Measure { kind, cutoff, rel })
    }
}

type Parsed = (Option<Kind>, Option<usize>, Option<i32>);

/// trec_eval names: `P_10`, `recall_100`, `map`, `map_cut_10`, `ndcg_cut_10`, ...
fn parse_trec_eval(name: &str) -> Option<Parsed> {
    let exact = |kind| Some((Some(kind), None, None));
    match name {
        "map" => return exact(Kind::AP),
        "recip_rank" => return exact(Kind::RR),
        "ndcg" => return exact(Kind::NDCG),
        "bpref" => return exact(Kind::Bpref),
        "num_ret" => return exact(Kind::NumRet),
        "num_rel" => return exact(Kind::NumRel),
        "num_rel_ret" => return exact(Kind::NumRelRet),
        _ => {}
    }
    let prefixes = [
        ("P_", Kind::P),
        ("recall_", Kind::R),
        ("map_cut_", Kind::AP),
        ("ndcg_cut_", Kind::NDCG),
        ("success_", Kind::Success),
    ];
    prefixes.into_iter().find_map(|(prefix, kind)| {
        let k = name.strip_prefix(prefix)?.parse::<usize>().ok()?;
        Some((Some(kind), Some(k), None))
    })
}

/// ir_measures names: `Kind`, `Kind@k`, `Kind(rel=N)`, `Kind(rel=N)@k`.
fn parse_ir_measures(name: &str) -> Result<Parsed, &'static str> {
    let (head, cutoff) = match name.rsplit_once('@') {
        Some((head, k)) => (
            head,
            Some(
                k.trim()
                    .parse::<usize>()
                    .map_err(|_| "the cutoff after @ must be a positive integer")?,
            ),
        ),
        None => (name, None),
    };
    let (base, rel) = match head.split_once('(') {
        Some((base, args)) => {
            let args = args
                .strip_suffix(')')
                .ok_or("missing ')' after the parameters")?;
            let value = args
                .trim()
                .strip_prefix("rel")
                .map(str::trim_start)
                .and_then(|v| v.strip_prefix('='))
                .ok_or("the only parameter is rel=N")?;
            let rel = value
                .trim()
                .parse::<i32>()
                .map_err(|_| "rel= needs an integer grade")?;
            (base, Some(rel))
        }
        None => (head, None),
    };
    Ok((Kind::from_ir_measures(base.trim()), cutoff, rel))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> String {
        s.parse::<Measure>()
            .map(|m| m.to_string())
            .unwrap_or_else(|e| e.to_string())
    }

    #[test]
    fn aliases_map_to_canonical_names() {
        for (alias, canonical) in [
            ("ndcg_cut_10", "nDCG@10"),
            ("map", "AP"),
            ("recip_rank", "RR"),
            ("P_10", "P@10"),
            ("recall_100", "R@100"),
            ("Rprec", "Rprec"),
            ("bpref", "Bpref"),
            ("map_cut_100", "AP@100"),
            ("success_5", "Success@5"),
            ("num_rel_ret", "NumRelRet"),
            ("ndcg", "nDCG"),
            ("NDCG@5", "nDCG@5"),
            ("P(rel=2)@10", "P(rel=2)@10"),
            ("AP(rel=3)", "AP(rel=3)"),
            ("ERR@20", "ERR@20"),
            ("Judged@10", "Judged@10"),
        ] {
            assert_eq!(parse(alias), canonical, "{alias}");
        }
    }

    #[test]
    fn bad_names_explain_themselves() {
        assert!(parse("foo").contains("valid measures are P@k"));
        assert!(parse("P").contains("needs a cutoff"));
        assert!(parse("Bpref@10").contains("takes no cutoff"));
        assert!(parse("P@0").contains("at least 1"));
        assert!(parse("P@x").contains("positive integer"));
        assert!(parse("nDCG(rel=2)@10").contains("no relevance threshold"));
        assert!(parse("P(rel=0)@10").contains("at least 1"));
        assert!(parse("P(foo=1)@10").contains("only parameter"));
    }
}
