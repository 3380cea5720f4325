//! rigor-track: the client side of tracking.
//!
//! [`Client`] speaks MLflow's REST protocol to any MLflow-compatible tracking server
//! (rigor's own or MLflow's). Around it, what `rigor run` records — [`git`] (code
//! version and uncommitted diff), [`environment`] (OS, CPU, lock files, `pip freeze`),
//! [`inputs`] (content digests as MLflow dataset inputs), [`supervise`] (the command
//! itself: live output, exit, CPU time, peak memory, forwarded signals) — put together
//! by [`record::record`]; what `rigor repro` compares ([`compare`]); and how
//! evaluator evidence becomes MLflow metrics ([`evidence`], [`names`]).
//!
//! ```
//! assert_eq!(rigor_track::names::metric_name("nDCG@10"), "nDCG_at_10");
//! let c = rigor_track::Client::new("http://127.0.0.1:5000").unwrap();
//! assert_eq!(c.uri(), "http://127.0.0.1:5000");
//! ```

pub mod client;
pub mod environment;
pub mod error;
pub mod evidence;
pub mod git;
pub mod inputs;
mod json;
pub mod names;
pub mod record;
pub mod repro;
pub mod supervise;

pub use client::Client;
pub use error::{Error, Result};
