//! Data drift between a reference and a current sample of one column, with Evidently
//! 0.7's methods, thresholds, binning and choice of method — read from its source
//! (`evidently.legacy.calculations.stattests`) and checked against it on goldens.
//!
//! | method | statistic | default threshold | drift when |
//! |---|---|---|---|
//! | `ks` | two-sample KS p-value (scipy `ks_2samp`, exact ≤ 10000 rows) | 0.05 | `p ≤ t` |
//! | `chisquare` | chi-square p, reference counts as expected | 0.05 | `p < t` |
//! | `z` | two-proportion z-test p | 0.05 | `p < t` |
//! | `wasserstein` | W1 / max(std(ref), 0.001) | 0.1 | `score ≥ t` |
//! | `jensenshannon` | JS distance, natural log | 0.1 | `score ≥ t` |
//! | `psi` | population stability index | 0.1 | `score ≥ t` |
//!
//! [`auto_method`] is Evidently's `_get_default_stattest`: with `n` the reference size
//! (missing values dropped) and `u` the distinct values of reference ∪ current —
//!
//! | type | `n ≤ 1000` | `n > 1000` |
//! |---|---|---|
//! | numerical, `u > 5` | `ks` | `wasserstein` |
//! | numerical, `3 ≤ u ≤ 5` | `chisquare` | `jensenshannon` |
//! | numerical, `u ≤ 2` | `z` | `jensenshannon` |
//! | categorical, `u > 2` | `chisquare` | `jensenshannon` |
//! | categorical, `u ≤ 2` | `z` | `jensenshannon` |
//!
//! Everything here is pure: samples in, numbers out. Missing values are the caller's
//! business (Evidently drops them, and so does rigor before calling these).
//!
//! ```
//! use rigor_stats::drift::{auto_method, numerical_statistics, ColumnType, Method, Sample};
//! let reference = Sample::new((0..100).map(f64::from).collect());
//! let current = Sample::new((50..150).map(f64::from).collect());
//! let method = auto_method(ColumnType::Numerical, 100, 150);
//! assert_eq!(method, Method::Ks);
//! let stats = numerical_statistics(&reference, &current, false);
//! assert!(method.drifted(stats.score(method).unwrap(), method.default_threshold()));
//! ```

pub mod binning;
pub mod chisquare;
mod column;
pub mod dataset;
pub mod jensen_shannon;
pub mod kolmogorov;
pub mod ks;
pub mod psi;
pub mod sort;
pub mod types;
pub mod wasserstein;
pub mod ztest;

use std::fmt;
use std::str::FromStr;

pub use column::{
    categorical_statistics, categorical_statistics_for, numerical_statistics,
    numerical_statistics_for, Sample, Statistics,
};
pub use dataset::{
    analyze, ColumnData, ColumnInput, ColumnReport, DatasetReport, DriftError, Report, Settings,
    MISSING,
};
pub use types::{infer_type, Dtype, InferredType};

/// Reference rows above which Evidently switches to distance measures.
pub const SMALL_REFERENCE_ROWS: usize = 1000;

/// How a column is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ColumnType {
    Numerical,
    Categorical,
}

impl ColumnType {
    pub fn as_str(self) -> &'static str {
        match self {
            ColumnType::Numerical => "numerical",
            ColumnType::Categorical => "categorical",
        }
    }
}

impl fmt::Display for ColumnType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A drift method (Evidently's stattest names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    Ks,
    ChiSquare,
    Z,
    Wasserstein,
    JensenShannon,
    Psi,
}

impl Method {
    pub const ALL: [Method; 6] = [
        Method::Ks,
        Method::ChiSquare,
        Method::Z,
        Method::Wasserstein,
        Method::JensenShannon,
        Method::Psi,
    ];

    /// The name on the command line and in JSON (Evidently's stattest name).
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Ks => "ks",
            Method::ChiSquare => "chisquare",
            Method::Z => "z",
            Method::Wasserstein => "wasserstein",
            Method::JensenShannon => "jensenshannon",
            Method::Psi => "psi",
        }
    }

    /// Evidently's display name (what its reports print).
    pub fn evidently_name(self) -> &'static str {
        match self {
            Method::Ks => "K-S p_value",
            Method::ChiSquare => "chi-square p_value",
            Method::Z => "Z-test p_value",
            Method::Wasserstein => "Wasserstein distance (normed)",
            Method::JensenShannon => "Jensen-Shannon distance",
            Method::Psi => "PSI",
        }
    }

    pub fn default_threshold(self) -> f64 {
        match self {
            Method::Ks | Method::ChiSquare | Method::Z => 0.05,
            Method::Wasserstein | Method::JensenShannon | Method::Psi => 0.1,
        }
    }

    /// Whether the score is a p-value (small = drift) rather than a distance.
    pub fn is_p_value(self) -> bool {
        matches!(self, Method::Ks | Method::ChiSquare | Method::Z)
    }

    /// Evidently's verdict, with its strictness: `ks` drifts at `p ≤ t`, `chisquare`
    /// and `z` at `p < t`, distances at `score ≥ t`.
    pub fn drifted(self, score: f64, threshold: f64) -> bool {
        match self {
            Method::Ks => score <= threshold,
            Method::ChiSquare | Method::Z => score < threshold,
            Method::Wasserstein | Method::JensenShannon | Method::Psi => score >= threshold,
        }
    }

    /// Whether the method is defined for a column type. `chisquare` and `z` compare
    /// value counts, so they also take numerical columns (Evidently's automatic choice
    /// uses them for numerical columns with few values).
    pub fn applies_to(self, column_type: ColumnType) -> bool {
        match self {
            Method::Ks | Method::Wasserstein => column_type == ColumnType::Numerical,
            Method::ChiSquare | Method::Z | Method::JensenShannon | Method::Psi => true,
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An unknown method name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownMethod(pub String);

impl fmt::Display for UnknownMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown drift method {:?} (expected one of: ks, chisquare, z, wasserstein, jensenshannon, psi)",
            self.0
        )
    }
}

impl std::error::Error for UnknownMethod {}

impl FromStr for Method {
    type Err = UnknownMethod;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Method::ALL
            .into_iter()
            .find(|m| m.as_str() == s)
            .ok_or_else(|| UnknownMethod(s.to_string()))
    }
}

/// Evidently 0.7's automatic method (`_get_default_stattest`) for a column of
/// `column_type` whose reference holds `reference_rows` non-missing values and whose
/// reference ∪ current holds `distinct` distinct values.
pub fn auto_method(column_type: ColumnType, reference_rows: usize, distinct: usize) -> Method {
    let small = reference_rows <= SMALL_REFERENCE_ROWS;
    match (column_type, small) {
        (ColumnType::Numerical, true) if distinct > 5 => Method::Ks,
        (ColumnType::Numerical, true) | (ColumnType::Categorical, true) => {
            if distinct > 2 {
                Method::ChiSquare
            } else {
                Method::Z
            }
        }
        (ColumnType::Numerical, false) if distinct > 5 => Method::Wasserstein,
        (_, false) => Method::JensenShannon,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_follows_evidently() {
        use ColumnType::*;
        assert_eq!(auto_method(Numerical, 1000, 6), Method::Ks);
        assert_eq!(auto_method(Numerical, 1001, 6), Method::Wasserstein);
        assert_eq!(auto_method(Numerical, 1000, 5), Method::ChiSquare);
        assert_eq!(auto_method(Numerical, 1000, 3), Method::ChiSquare);
        assert_eq!(auto_method(Numerical, 1000, 2), Method::Z);
        assert_eq!(auto_method(Numerical, 1001, 5), Method::JensenShannon);
        assert_eq!(auto_method(Numerical, 1001, 2), Method::JensenShannon);
        assert_eq!(auto_method(Categorical, 1000, 3), Method::ChiSquare);
        assert_eq!(auto_method(Categorical, 1000, 2), Method::Z);
        assert_eq!(auto_method(Categorical, 1000, 1), Method::Z);
        assert_eq!(auto_method(Categorical, 1001, 2), Method::JensenShannon);
        assert_eq!(auto_method(Categorical, 5000, 50), Method::JensenShannon);
    }

    #[test]
    fn strictness() {
        assert!(Method::Ks.drifted(0.05, 0.05));
        assert!(!Method::ChiSquare.drifted(0.05, 0.05));
        assert!(!Method::Z.drifted(0.05, 0.05));
        assert!(Method::Wasserstein.drifted(0.1, 0.1));
        assert!(Method::JensenShannon.drifted(0.1, 0.1));
        assert!(Method::Psi.drifted(0.1, 0.1));
    }

    #[test]
    fn names_round_trip() {
        for m in Method::ALL {
            assert_eq!(m.as_str().parse::<Method>().unwrap(), m);
        }
        assert!("kl".parse::<Method>().is_err());
    }
}
