//! rigor-io: readers and writers. Errors name the file, the line and the problem.
//!
//! ```
//! # let dir = tempfile::tempdir().unwrap();
//! # let path = dir.path().join("qrels.txt");
//! std::fs::write(&path, "q1 0 d1 1\nq1 0 d2 0\n").unwrap();
//! let (qrels, digest) = rigor_io::trec::read_qrels(&path).unwrap();
//! assert_eq!(digest.bytes, 20);
//! assert_eq!(qrels.query(b"q1").unwrap().num_rel(1), 1);
//! ```

mod decimal;
pub mod delimited;
pub mod error;
pub mod evidence;
pub mod experiment;
pub mod frame;
pub mod input;
mod records;
pub mod segments;
pub mod table;
pub mod trec;

/// Rows per decoded Parquet batch, for every Parquet reader: small enough that the
/// decoder's per-batch buffers stay under malloc's mmap threshold and are reused, not
/// faulted in afresh for every batch (64K-row batches spent a third of `rigor ab`'s
/// page faults there).
pub(crate) const PARQUET_BATCH_ROWS: usize = 16 * 1024;

pub use error::{Error, Result};
