//! rigor-stats: pure statistics for decision-quality evidence.
//!
//! Everything here takes slices and plain numbers and returns numbers: no I/O, no
//! printing. Randomised procedures take an explicit seed and are deterministic for it,
//! independent of the number of threads.
//!
//! ```
//! use rigor_stats::Bootstrap;
//! let rows: Vec<Vec<f64>> = vec![vec![0.0], vec![1.0], vec![1.0], vec![0.0]];
//! let ci = Bootstrap::default().mean_intervals(&rows).unwrap();
//! assert!(ci[0].low <= 0.5 && 0.5 <= ci[0].high);
//! ```

pub mod bootstrap;
pub mod statistic_bootstrap;

pub use bootstrap::{Bootstrap, Interval};
