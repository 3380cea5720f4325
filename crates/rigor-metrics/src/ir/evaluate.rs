//! Per-query evaluation: trec_eval's ranking, then every measure from the ranked grades.
//!
//! Formulas (n retrieved, `rel(i)` = grade at rank i ≥ level, R = NumRel):
//! - `P@k` = |rel in top k| / k (always k, as trec_eval);
//! - `R@k` = |rel in top k| / R;
//! - `AP` = Σ_{rel i} (|rel in top i| / i) / R; `AP@k` sums over i ≤ k, still / R;
//! - `RR` = 1 / rank of the first relevant (within k for `RR@k`), else 0;
//! - `nDCG` = Σ g_i / log2(i+1) over the ranking ÷ the same over the qrels' positive
//!   grades sorted descending (both truncated at k for `nDCG@k`); g = grade if > 0;
//! - `Rprec` = |rel in top R| / R;
//! - `Bpref` = Σ_{rel retrieved} (1 − min(nonrel above, R) / min(N, R)) / R, N judged
//!   non-relevant, unjudged (absent or negative) documents skipped;
//! - `Success@k` = 1 if any relevant in the top k;
//! - `Judged@k` = |top k present in the qrels (any grade)| / min(k, n), as
//!   ir_measures (a run of 3 documents, 2 judged, has Judged@10 = 2/3); 0 when n = 0;
//! - `ERR@k` = Σ_i (1/i) r_i Π_{j<i} (1 − r_j), r = (2^g − 1) / 2^g_max, g_max the
//!   largest grade in the whole qrels (Chapelle et al. 2009);
//! - measures with R in a denominator are 0 when R = 0, as in trec_eval.

use super::measure::{Kind, Measure};
use super::qrels::{docid_hash, QueryJudgments};

/// One retrieved document of a run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoredDoc<'a> {
    docid: &'a [u8],
    /// trec_eval parses scores as 32-bit floats, so scores equal as f32 tie.
    score: f32,
    /// [`docid_hash`] of `docid`, computed once: a run reader's duplicate check and the
    /// qrels lookup both key on it.
    hash: u64,
}

impl<'a> ScoredDoc<'a> {
    pub fn new(docid: &'a [u8], score: f32) -> Self {
        ScoredDoc {
            docid,
            score,
            hash: docid_hash(docid),
        }
    }

    pub fn docid(&self) -> &'a [u8] {
        self.docid
    }

    pub fn score(&self) -> f32 {
        self.score
    }

    /// [`docid_hash`] of the document id.
    pub fn hash(&self) -> u64 {
        self.hash
    }
}

/// Sorts as trec_eval does: score descending, ties by docid descending (byte order).
/// The rank column of the run file plays no part.
pub fn trec_order(docs: &mut [ScoredDoc<'_>]) {
    let order = |a: &ScoredDoc<'_>, b: &ScoredDoc<'_>| {
        b.score
            .partial_cmp(&a.score)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then_with(|| b.docid.cmp(a.docid))
    };
    // Runs usually list a query's documents by rank already, but for tied scores:
    // insertion sort puts those in order in about one pass. A budget of moves hands
    // any other order to the general sort (which takes the partly sorted slice as is).
    let mut budget = 2 * docs.len() + 16;
    for i in 1..docs.len() {
        let mut j = i;
        while j > 0 && order(&docs[j], &docs[j - 1]).is_lt() {
            if budget == 0 {
                docs.sort_unstable_by(order);
                return;
            }
            docs.swap(j, j - 1);
            j -= 1;
            budget -= 1;
        }
    }
}

/// The grades of a ranking (in `trec_order`), `None` for documents not in the qrels.
pub fn ranked_grades(judgments: &QueryJudgments, docs: &[ScoredDoc<'_>]) -> Vec<Option<i32>> {
    docs.iter()
        .map(|d| judgments.label_hashed(d.docid, d.hash))
        .collect()
}

/// Evaluates one query of a run against the qrels: orders `docs` as trec_eval does,
/// looks up their grades and computes every measure. An empty `docs` is how
/// `--complete` (trec_eval `-c`) scores a judged query the run does not answer.
pub fn evaluate_ranking(
    measures: &[Measure],
    judgments: &QueryJudgments,
    docs: &mut [ScoredDoc<'_>],
    max_grade: i32,
) -> Vec<f64> {
    trec_order(docs);
    evaluate(
        measures,
        judgments,
        &ranked_grades(judgments, docs),
        max_grade,
    )
}

/// Evaluates one query. `grades` is the ranking's grades in rank order, `max_grade` the
/// largest grade in the qrels (for ERR). Returns one value per measure, in order.
pub fn evaluate(
    measures: &[Measure],
    judgments: &QueryJudgments,
    grades: &[Option<i32>],
    max_grade: i32,
) -> Vec<f64> {
    measures
        .iter()
        .map(|m| value(m, judgments, grades, max_grade))
        .collect()
}

fn value(m: &Measure, j: &QueryJudgments, grades: &[Option<i32>], max_grade: i32) -> f64 {
    let level = m.level();
    let is_rel = |g: &Option<i32>| matches!(g, Some(g) if *g >= level);
    let top = |k: Option<usize>| &grades[..k.map_or(grades.len(), |k| k.min(grades.len()))];
    let num_rel = || j.num_rel(level);
    let ratio = |num: usize, den: usize| {
        if den == 0 {
            0.0
        } else {
            num as f64 / den as f64
        }
    };
    match m.kind {
        Kind::P => {
            let k = m.cutoff.unwrap_or(grades.len());
            ratio(top(m.cutoff).iter().filter(|g| is_rel(g)).count(), k)
        }
        Kind::R => ratio(
            top(m.cutoff).iter().filter(|g| is_rel(g)).count(),
            num_rel(),
        ),
        Kind::AP => {
            let r = num_rel();
            if r == 0 {
                return 0.0;
            }
            let mut found = 0usize;
            let mut sum = 0.0;
            for (i, g) in top(m.cutoff).iter().enumerate() {
                if is_rel(g) {
                    found += 1;
                    sum += found as f64 / (i + 1) as f64;
                }
            }
            sum / r as f64
        }
        Kind::RR => top(m.cutoff)
            .iter()
            .position(is_rel)
            .map_or(0.0, |i| 1.0 / (i + 1) as f64),
        Kind::NDCG => {
            let gained = dcg(top(m.cutoff).iter().map(|g| g.unwrap_or(0)));
            let ideal = j.ideal_gains();
            let ideal = &ideal[..m.cutoff.map_or(ideal.len(), |k| k.min(ideal.len()))];
            let idcg = dcg(ideal.iter().copied());
            if idcg > 0.0 {
                gained / idcg
            } else {
                0.0
            }
        }
        Kind::Rprec => {
            let r = num_rel();
            ratio(top(Some(r)).iter().filter(|g| is_rel(g)).count(), r)
        }
        Kind::Bpref => bpref(grades, level, num_rel(), j.num_nonrel(level)),
        Kind::Success => f64::from(u8::from(top(m.cutoff).iter().any(is_rel))),
        Kind::Judged => {
            let top = top(m.cutoff);
            ratio(top.iter().filter(|g| g.is_some()).count(), top.len())
        }
        Kind::NumRet => grades.len() as f64,
        Kind::NumRel => num_rel() as f64,
        Kind::NumRelRet => grades.iter().filter(|g| is_rel(g)).count() as f64,
        Kind::ERR => err(top(m.cutoff), max_grade),
    }
}

/// Σ gain / log2(rank + 1), positive gains only (trec_eval's `log(x)/log(2)`).
fn dcg(gains: impl Iterator<Item = i32>) -> f64 {
    gains
        .enumerate()
        .filter(|(_, g)| *g > 0)
        .map(|(i, g)| f64::from(g) / ((i + 2) as f64).ln() * 2f64.ln())
        .sum()
}

fn bpref(grades: &[Option<i32>], level: i32, num_rel: usize, num_nonrel: usize) -> f64 {
    if num_rel == 0 {
        return 0.0;
    }
    let denom = num_nonrel.min(num_rel);
    let mut nonrel_above = 0usize;
    let mut sum = 0.0;
    for g in grades.iter().flatten().filter(|g| **g >= 0) {
        if *g >= level {
            sum += if nonrel_above > 0 {
                1.0 - nonrel_above.min(num_rel) as f64 / denom as f64
            } else {
                1.0
            };
        } else {
            nonrel_above += 1;
        }
    }
    sum / num_rel as f64
}

fn err(grades: &[Option<i32>], max_grade: i32) -> f64 {
    if max_grade <= 0 {
        return 0.0;
    }
    let scale = 2f64.powi(max_grade);
    let mut not_stopped = 1.0;
    let mut sum = 0.0;
    for (i, g) in grades.iter().enumerate() {
        let g = g.unwrap_or(0).max(0);
        let r = (2f64.powi(g) - 1.0) / scale;
        sum += not_stopped * r / (i + 1) as f64;
        not_stopped *= 1.0 - r;
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::qrels::QrelsBuilder;

    fn judgments(pairs: &[(&str, i32)]) -> QueryJudgments {
        let mut b = QrelsBuilder::new();
        for (d, g) in pairs {
            b.add(b"q", d.as_bytes(), *g).unwrap();
        }
        b.build().query(b"q").unwrap().clone()
    }

    fn eval(names: &[&str], j: &QueryJudgments, grades: &[Option<i32>], gmax: i32) -> Vec<f64> {
        let ms: Vec<Measure> = names.iter().map(|n| n.parse().unwrap()).collect();
        evaluate(&ms, j, grades, gmax)
    }

    #[test]
    fn trec_order_is_score_then_docid_descending_for_any_input_order() {
        let ids: Vec<String> = (0..300)
            .map(|i| format!("d{:03}", (i * 37) % 300))
            .collect();
        fn expected<'a>(docs: &[ScoredDoc<'a>]) -> Vec<&'a [u8]> {
            let mut v = docs.to_vec();
            v.sort_by(|a, b| b.score.total_cmp(&a.score).then(b.docid.cmp(a.docid)));
            v.iter().map(|d| d.docid).collect()
        }
        // Scores tied in pairs, in rank order, reversed and scrambled: the
        // first is finished by insertion, the others go over the budget.
        let base: Vec<ScoredDoc<'_>> = ids
            .iter()
            .enumerate()
            .map(|(i, d)| ScoredDoc::new(d.as_bytes(), ((300 - i) / 2) as f32))
            .collect();
        let mut by_rank = base.clone();
        by_rank.sort_by(|a, b| b.score.total_cmp(&a.score));
        let mut reversed = by_rank.clone();
        reversed.reverse();
        let mut scrambled = base.clone();
        for i in 0..scrambled.len() {
            scrambled.swap(i, (i * 101 + 13) % 300);
        }
        for mut docs in [by_rank, reversed, scrambled, Vec::new()] {
            let want = expected(&docs);
            trec_order(&mut docs);
            assert_eq!(docs.iter().map(|d| d.docid).collect::<Vec<_>>(), want);
        }
    }

    #[test]
    fn ties_break_by_docid_descending_in_byte_order() {
        let mut docs = vec![
            ScoredDoc::new(b"1000", 1.0),
            ScoredDoc::new(b"9", 1.0),
            ScoredDoc::new(b"99", 1.0),
            ScoredDoc::new(b"5", 2.0),
        ];
        trec_order(&mut docs);
        let order: Vec<&[u8]> = docs.iter().map(|d| d.docid).collect();
        assert_eq!(order, [&b"5"[..], b"99", b"9", b"1000"]);
    }

    #[test]
    fn hand_computed_values() {
        // Ranking: rel(2), nonrel, unjudged, rel(1); one relevant doc never retrieved.
        let j = judgments(&[("a", 2), ("b", 0), ("c", 1), ("d", 1), ("e", -1)]);
        let g = [Some(2), Some(0), None, Some(1)];
        let v = eval(
            &["P@2", "R@4", "AP", "RR", "Rprec", "NumRelRet", "Judged@4"],
            &j,
            &g,
            2,
        );
        let ap = (1.0 + 2.0 / 4.0) / 3.0;
        assert_eq!(v, vec![0.5, 2.0 / 3.0, ap, 1.0, 1.0 / 3.0, 2.0, 0.75]);
        // Bpref: a (no nonrel above) = 1; c at rank 4: 1 − min(1,3)/min(1,3) = 0.
        assert_eq!(eval(&["Bpref"], &j, &g, 2), vec![1.0 / 3.0]);
    }

    #[test]
    fn no_relevant_documents_give_zero() {
        let j = judgments(&[("a", 0), ("b", -1)]);
        let v = eval(
            &["AP", "R@10", "nDCG", "Rprec", "Bpref", "ERR@10"],
            &j,
            &[Some(0)],
            0,
        );
        assert!(v.iter().all(|x| *x == 0.0));
    }

    #[test]
    fn err_matches_cascade_model() {
        let j = judgments(&[("a", 1), ("b", 2)]);
        // r1 = (2^1-1)/4 = 0.25, r2 = (2^2-1)/4 = 0.75
        let v = eval(&["ERR@2", "ERR@1"], &j, &[Some(1), Some(2)], 2);
        assert!((v[0] - (0.25 + 0.75 * 0.75 / 2.0)).abs() < 1e-15);
        assert!((v[1] - 0.25).abs() < 1e-15);
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        const MEASURES: [&str; 16] = [
            "P@5",
            "R@10",
            "AP",
            "AP@5",
            "RR",
            "RR@3",
            "nDCG",
            "nDCG@5",
            "Rprec",
            "Bpref",
            "Success@3",
            "Judged@5",
            "ERR@10",
            "P(rel=2)@5",
            "AP(rel=2)",
            "Bpref(rel=2)",
        ];

        /// (docid, grade) judgments and (docid, score) run lines.
        type Case = (Vec<(u8, i8)>, Vec<(u8, i8)>);

        fn case() -> impl Strategy<Value = Case> {
            (
                proptest::collection::vec((0u8..40, -2i8..5), 0..30),
                proptest::collection::vec((0u8..40, -3i8..4), 0..30),
            )
        }

        fn setup(judged: &[(u8, i8)], run: &[(u8, i8)]) -> (QueryJudgments, Vec<(String, f32)>) {
            let mut b = QrelsBuilder::new();
            for (d, g) in judged {
                let _ = b.add(b"q", format!("d{d}").as_bytes(), i32::from(*g));
            }
            let q = b.build();
            let j = q.query(b"q").cloned().unwrap_or_default();
            let mut seen = std::collections::HashSet::new();
            let docs = run
                .iter()
                .filter(|(d, _)| seen.insert(*d))
                .map(|(d, s)| (format!("d{d}"), f32::from(*s)))
                .collect();
            (j, docs)
        }

        fn values(j: &QueryJudgments, docs: &[(String, f32)]) -> Vec<f64> {
            let ms: Vec<Measure> = MEASURES.iter().map(|n| n.parse().unwrap()).collect();
            let mut run: Vec<ScoredDoc<'_>> = docs
                .iter()
                .map(|(d, s)| ScoredDoc::new(d.as_bytes(), *s))
                .collect();
            evaluate_ranking(&ms, j, &mut run, 4)
        }

        proptest! {
            /// The file order of a run never matters: trec_eval's order is total.
            #[test]
            fn line_order_is_irrelevant((judged, run) in case(), seed in any::<u64>()) {
                let (j, docs) = setup(&judged, &run);
                let mut shuffled = docs.clone();
                let n = shuffled.len().max(1) as u64;
                for i in (1..shuffled.len()).rev() {
                    shuffled.swap(i, ((seed ^ (i as u64 * 0x9e37_79b9)) % n) as usize % (i + 1));
                }
                prop_assert_eq!(values(&j, &docs), values(&j, &shuffled));
            }

            /// Every ratio measure lies in [0, 1].
            #[test]
            fn ratios_are_bounded((judged, run) in case()) {
                let (j, docs) = setup(&judged, &run);
                for (name, v) in MEASURES.iter().zip(values(&j, &docs)) {
                    prop_assert!((0.0..=1.0 + 1e-12).contains(&v), "{} = {}", name, v);
                }
            }
        }
    }
}
