//! rigor-stats: pure statistics for decision-quality evidence.
//!
//! Everything here takes slices and plain numbers and returns numbers: no I/O, no
//! printing. Randomised procedures take an explicit seed and are deterministic for it,
//! independent of the number of threads.
//!
//! The paired-comparison layer answers "is the candidate better than the baseline on
//! the same queries?" with the numbers the references give — scipy's `ttest_rel` and
//! `wilcoxon`, statsmodels' `multipletests` — so a p-value from rigor can be checked
//! against a notebook. Module tour:
//!
//! - [`paired`]: [`compare_paired`], the entry point, and the [`PairedTest`] choice;
//! - [`ttest`], [`mod@wilcoxon`], [`permutation`], [`paired_bootstrap`]: the four tests;
//! - [`corpus_paired`]: sacrebleu's paired bootstrap and approximate randomization
//!   for corpus scores recomputed from summed sufficient statistics;
//! - [`effect`]: Cohen's d_z; [`correction`]: Bonferroni / Holm / Benjamini–Hochberg;
//! - [`bootstrap`]: percentile intervals; [`distribution`]: normal and t tails;
//!   [`moments`]: sums and variances in numpy's floating-point order.
//!
//! ```
//! use rigor_stats::{compare_paired, Bootstrap, PairedTest};
//! let rows: Vec<Vec<f64>> = vec![vec![0.0], vec![1.0], vec![1.0], vec![0.0]];
//! let ci = Bootstrap::default().mean_intervals(&rows).unwrap();
//! assert!(ci[0].low <= 0.5 && 0.5 <= ci[0].high);
//!
//! let baseline = [0.31, 0.52, 0.18, 0.44, 0.27, 0.61];
//! let candidate = [0.35, 0.58, 0.18, 0.49, 0.33, 0.64];
//! let test: PairedTest = "wilcoxon".parse().unwrap();
//! let c = compare_paired(&baseline, &candidate, test, 1000, 0, 0.95).unwrap();
//! assert!(c.delta > 0.0);
//! assert_eq!(c.p_value, Some(0.0625)); // scipy.stats.wilcoxon(candidate, baseline)
//! ```

pub mod ab;
pub mod bootstrap;
pub mod corpus_paired;
pub mod correction;
pub mod distribution;
pub mod drift;
pub mod effect;
pub mod error;
pub mod moments;
pub mod paired;
pub mod paired_bootstrap;
pub mod permutation;
pub mod resample;
pub mod statistic_bootstrap;
pub mod ttest;
pub mod wilcoxon;

pub use bootstrap::{Bootstrap, Interval};
pub use correction::{adjust, Adjusted, Correction};
pub use effect::cohen_dz;
pub use error::StatsError;
pub use paired::{compare_paired, compare_paired_columns, PairedComparison, PairedTest};
pub use paired_bootstrap::bootstrap_test;
pub use permutation::{sign_flip_test, sign_flip_tests};
pub use resample::{resampled_intervals, Estimate};
pub use ttest::{paired_t, TTest};
pub use wilcoxon::{wilcoxon, WilcoxonMethod, WilcoxonTest};
