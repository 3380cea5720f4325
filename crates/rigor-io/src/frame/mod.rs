//! Whole data frames: every column of a file, each typed the way pandas would type it
//! on reading, missing values kept. For comparisons that must see a dataset as
//! Evidently (which works on pandas DataFrames) sees it — `rigor drift`.
//!
//! | values (ignoring missing) | [`Dtype`] | storage |
//! |---|---|---|
//! | none | `Empty` | numbers, all NaN |
//! | integers, no missing value | `Int` | numbers |
//! | numbers (or integers with a missing value) | `Float` | numbers, NaN = missing |
//! | `True`/`False` (any of pandas' spellings), no missing | `Bool` | labels `true`/`false` |
//! | anything else | `Text` | labels, [`MISSING`] = missing |
//! | dates, times, binary, nested (Parquet) | `Other` | not read: never compared |
//!
//! Missing, as pandas' `read_csv` defaults: an empty field and `NA`, `N/A`, `n/a`,
//! `NaN`, `nan`, `-NaN`, `-nan`, `NULL`, `null`, `None`, `<NA>`, `#N/A`, `#N/A N/A`,
//! `#NA`, `-1.#IND`, `-1.#QNAN`, `1.#IND`, `1.#QNAN`.
//!
//! CSV is read in parallel blocks of whole records; a column is typed per block and
//! the blocks' types are reconciled at the end (a column that is numeric in one block
//! and text in another is re-read as text).

mod csv;
mod jsonl;
mod parquet;

use std::path::Path;

pub use rigor_stats::drift::{Dtype, MISSING};

use crate::error::{Error, Result};
use crate::input::{FileDigest, Progress};

/// A column's values.
#[derive(Debug, Clone, PartialEq)]
pub enum Values {
    /// NaN is missing.
    Numbers(Vec<f64>),
    /// `labels[codes[i]]`, [`MISSING`] for a missing value; labels in order of first
    /// appearance.
    Labels {
        codes: Vec<u32>,
        labels: Vec<String>,
    },
}

/// One column of a frame.
#[derive(Debug, Clone, PartialEq)]
pub struct FrameColumn {
    pub name: String,
    pub dtype: Dtype,
    pub values: Values,
}

/// Every column of a file.
#[derive(Debug, Clone, PartialEq)]
pub struct Frame {
    pub rows: usize,
    pub columns: Vec<FrameColumn>,
    /// The file's content digest (for provenance).
    pub digest: FileDigest,
}

impl Frame {
    /// The column called `name`.
    pub fn column(&self, name: &str) -> Option<&FrameColumn> {
        self.columns.iter().find(|c| c.name == name)
    }

    pub fn names(&self) -> Vec<&str> {
        self.columns.iter().map(|c| c.name.as_str()).collect()
    }
}

/// Reads every column of `path`: CSV, JSON Lines (plain or gzip) or Parquet, by
/// extension. Errors name the file, the line
/// and the problem; a file without data rows is an error.
pub fn read_frame(path: &Path, progress: Option<Progress<'_>>) -> Result<Frame> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    let ext = name.rsplit_once('.').map_or("", |(_, e)| e);
    let frame = match ext {
        "csv" => csv::read(path, progress)?,
        "jsonl" | "ndjson" => jsonl::read(path, progress)?,
        "parquet" | "pq" => parquet::read(path, progress)?,
        _ => {
            return Err(Error::file(
                path,
                "unknown format: expected a .csv, .jsonl (or .ndjson) or .parquet file \
                 (CSV and JSONL may be gzip-compressed)",
            ))
        }
    };
    if frame.rows == 0 {
        return Err(Error::file(path, "holds no data rows"));
    }
    Ok(frame)
}

/// pandas' default missing-value spellings (`pandas._libs.parsers.STR_NA_VALUES`).
pub fn is_missing(field: &[u8]) -> bool {
    matches!(
        field,
        b"" | b"NA"
            | b"N/A"
            | b"n/a"
            | b"NaN"
            | b"nan"
            | b"-NaN"
            | b"-nan"
            | b"NULL"
            | b"null"
            | b"None"
            | b"<NA>"
            | b"#N/A"
            | b"#N/A N/A"
            | b"#NA"
            | b"-1.#IND"
            | b"-1.#QNAN"
            | b"1.#IND"
            | b"1.#QNAN"
    )
}

/// pandas' boolean spellings.
pub fn parse_bool(field: &[u8]) -> Option<bool> {
    match field {
        b"True" | b"TRUE" | b"true" => Some(true),
        b"False" | b"FALSE" | b"false" => Some(false),
        _ => None,
    }
}

/// A number as pandas reads it: `Some((value, is_integer))`. Integers are an optional
/// sign and digits; anything else a correctly rounded float parser accepts (`1.5`,
/// `1e3`, `.5`, `inf`) is a float. Surrounding spaces and tabs are allowed.
pub fn parse_number(field: &[u8]) -> Option<(f64, bool)> {
    let start = field.iter().position(|b| !matches!(b, b' ' | b'\t'))?;
    let end = field.iter().rposition(|b| !matches!(b, b' ' | b'\t'))? + 1;
    let text = &field[start..end];
    let (negative, digits) = match text[0] {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    if !digits.is_empty() && digits.iter().all(u8::is_ascii_digit) {
        if digits.len() <= 18 {
            let v = digits
                .iter()
                .fold(0i64, |v, d| v * 10 + i64::from(d - b'0'));
            return Some((if negative { -v } else { v } as f64, true));
        }
        // Beyond i64, pandas reads a float (or an unsigned integer up to 2^64).
        let v: f64 = fast_float2::parse(text).ok()?;
        return Some((v, v.abs() < 18_446_744_073_709_551_616.0));
    }
    let v: f64 = fast_float2::parse(text).ok()?;
    // "nan" spellings pandas would have called missing are caught before; others
    // (e.g. "NAN") are text to pandas.
    if v.is_nan() {
        return None;
    }
    Some((v, false))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_as_pandas() {
        assert_eq!(parse_number(b"3"), Some((3.0, true)));
        assert_eq!(parse_number(b"-3"), Some((-3.0, true)));
        assert_eq!(parse_number(b" 7 "), Some((7.0, true)));
        assert_eq!(parse_number(b"3.0"), Some((3.0, false)));
        assert_eq!(parse_number(b"1e3"), Some((1000.0, false)));
        assert_eq!(parse_number(b".5"), Some((0.5, false)));
        assert_eq!(parse_number(b"-inf").map(|v| v.0), Some(f64::NEG_INFINITY));
        assert_eq!(parse_number(b"abc"), None);
        assert_eq!(parse_number(b"NAN"), None);
        assert!(is_missing(b"NA") && is_missing(b"") && !is_missing(b"na"));
        assert_eq!(parse_bool(b"TRUE"), Some(true));
    }
}
