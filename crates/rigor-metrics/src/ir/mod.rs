//! Ranking evaluation exact to trec_eval 9.0.8.
//!
//! [`measure`] parses names, [`qrels`] indexes judgments, [`evaluate`] orders one
//! query's ranking as trec_eval does and computes every measure from it.

pub mod evaluate;
pub mod measure;
pub mod qrels;

pub use evaluate::{evaluate, evaluate_ranking, ranked_grades, trec_order, ScoredDoc};
pub use measure::{Kind, Measure, MeasureError};
pub use qrels::{
    docid_hash, same_bytes, JudgmentsBuilder, Place, Qrels, QrelsBuilder, QueryJudgments, Refusal,
    RefusedJudgment,
};
