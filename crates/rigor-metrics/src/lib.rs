//! rigor-metrics: pure evaluation kernels — slices in, numbers out: `ir` (trec_eval)
//! and `text` (sacrebleu, rouge-score, SQuAD).
//!
//! No I/O, no printing, no async. Exactness to the reference implementations and speed
//! live here; readers (rigor-io) validate input before it reaches a kernel.
//!
//! ```
//! use rigor_metrics::ir::{evaluate, ranked_grades, trec_order, Measure, QrelsBuilder, ScoredDoc};
//! let mut qrels = QrelsBuilder::new();
//! qrels.add(b"q1", b"d1", 1).unwrap();
//! let qrels = qrels.build();
//! let mut run = vec![
//!     ScoredDoc::new(b"d2", 2.0),
//!     ScoredDoc::new(b"d1", 1.0),
//! ];
//! trec_order(&mut run);
//! let judged = qrels.query(b"q1").unwrap();
//! let grades = ranked_grades(judged, &run);
//! let rr: Measure = "recip_rank".parse().unwrap();
//! assert_eq!(evaluate(&[rr], judged, &grades, qrels.max_grade()), vec![0.5]);
//! ```

pub mod classify;
pub mod ir;
pub mod text;
