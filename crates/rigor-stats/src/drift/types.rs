//! Column-type inference as Evidently 0.7 does it (`evidently.core.datasets.infer_column_type`)
//! on a column as pandas would hold it after reading the file.
//!
//! | dtype (pandas) | type |
//! |---|---|
//! | float (any non-integer number, or an integer column with a missing value) | numerical |
//! | int, ≤ 10 distinct values | categorical |
//! | int, > 10 distinct values | numerical |
//! | bool | categorical |
//! | text, distinct > 50% of non-missing values | text (Evidently: text-content drift) |
//! | text, otherwise | categorical |
//! | every value missing | unknown (Evidently skips the column; rigor reports `null`) |
//! | dates, times, binary, nested values (Parquet) | unsupported (left out by Evidently's `DataDriftPreset`; rigor reports `null`) |
//!
//! The float/int split is pandas': a CSV or Parquet integer column with any missing
//! value is read as float64, so Evidently calls it numerical whatever its cardinality.

/// Integer columns with at most this many distinct values are categorical.
pub const INTEGER_CARDINALITY_LIMIT: usize = 10;

/// The storage type pandas would give a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dtype {
    /// Every value missing.
    Empty,
    /// Integers only, no missing value.
    Int,
    /// Numbers (or integers with missing values).
    Float,
    /// true/false only, no missing value.
    Bool,
    /// Anything else: strings.
    Text,
    /// Dates, times, binary or nested values: not compared.
    Other,
}

/// Evidently's inferred column type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InferredType {
    Numerical,
    Categorical,
    /// High-cardinality strings: Evidently's text drift (a domain classifier), which
    /// rigor does not implement; rigor compares such columns as categorical.
    Text,
    Unknown,
    /// Dates, times, binary or nested values, which Evidently's `DataDriftPreset` does
    /// not compare.
    Unsupported,
}

/// Infers the type of a column with `distinct` distinct non-missing values out of
/// `count` non-missing values.
pub fn infer_type(dtype: Dtype, distinct: usize, count: usize) -> InferredType {
    match dtype {
        Dtype::Empty => InferredType::Unknown,
        Dtype::Float => InferredType::Numerical,
        Dtype::Int if distinct <= INTEGER_CARDINALITY_LIMIT => InferredType::Categorical,
        Dtype::Int => InferredType::Numerical,
        Dtype::Bool => InferredType::Categorical,
        Dtype::Text if distinct as f64 > count as f64 * 0.5 => InferredType::Text,
        Dtype::Text => InferredType::Categorical,
        Dtype::Other => InferredType::Unsupported,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evidently_rules() {
        assert_eq!(infer_type(Dtype::Int, 10, 1000), InferredType::Categorical);
        assert_eq!(infer_type(Dtype::Int, 11, 1000), InferredType::Numerical);
        assert_eq!(infer_type(Dtype::Float, 2, 1000), InferredType::Numerical);
        assert_eq!(infer_type(Dtype::Bool, 2, 10), InferredType::Categorical);
        assert_eq!(infer_type(Dtype::Text, 5, 10), InferredType::Categorical);
        assert_eq!(infer_type(Dtype::Text, 6, 10), InferredType::Text);
        assert_eq!(infer_type(Dtype::Empty, 0, 0), InferredType::Unknown);
    }
}
