//! Tabular input — CSV, JSONL and Parquet — read into named columns.
//!
//! Evaluators need a few columns of a file that may hold millions of rows and many
//! more columns. [`read_columns`] reads only the requested columns, streaming: CSV and
//! JSONL are cut into blocks of whole records that are parsed in parallel; Parquet is
//! decoded batch by batch with only the requested columns projected. Text columns are
//! dictionary-encoded as they are read (a `u32` code per row and each distinct value
//! once), so ten million labels cost 40 MB, not ten million strings.
//!
//! The format is chosen by extension: `.csv`, `.jsonl`/`.ndjson`, `.parquet`/`.pq`;
//! CSV and JSONL may also be gzip-compressed (detected by content, so `.csv.gz` works).
//!
//! Every problem is an [`Error`] naming the file, the line where the format has lines,
//! the data row (1-based, header excluded), the column and what is wrong. A column
//! that does not exist is reported with the list of columns that do. Empty values
//! (an empty CSV field, JSON `null`, a Parquet null) are errors: an evaluator never
//! guesses what a missing label meant. Callers add their own checks per column
//! ([`TextCheck`], [`NumberCheck`]), run while reading so the first offending row is
//! named.

mod blocks;
mod csv;
mod jsonl;
mod parquet;

use std::path::Path;

use rustc_hash::FxHashMap;

use crate::error::{Error, Result};
use crate::input::Progress;

/// A caller's check of a text value: `Err(problem)` rejects the row.
pub type TextCheck<'a> = &'a (dyn Fn(&str) -> std::result::Result<(), String> + Sync);

/// A caller's check of a numeric value: `Err(problem)` rejects the row.
pub type NumberCheck<'a> = &'a (dyn Fn(f64) -> std::result::Result<(), String> + Sync);

/// One column to read.
#[derive(Clone, Copy)]
pub struct ColumnSpec<'a> {
    /// The column's name in the header (CSV), key (JSONL) or schema (Parquet).
    pub name: &'a str,
    pub kind: Kind<'a>,
}

/// How to read a column.
#[derive(Clone, Copy)]
pub enum Kind<'a> {
    /// Values as text (labels, slice keys). Numbers and booleans are rendered as text:
    /// integers as written, floats in their shortest round-trip form (`1.0` → `1`),
    /// booleans as `true`/`false`. The check, if any, runs once per distinct value.
    Text(Option<TextCheck<'a>>),
    /// Values as 64-bit floats, parsed correctly rounded. The check runs on every value.
    Number(Option<NumberCheck<'a>>),
}

impl<'a> ColumnSpec<'a> {
    pub fn text(name: &'a str) -> Self {
        ColumnSpec {
            name,
            kind: Kind::Text(None),
        }
    }

    pub fn number(name: &'a str) -> Self {
        ColumnSpec {
            name,
            kind: Kind::Number(None),
        }
    }
}

/// A column as read.
#[derive(Debug, Clone, PartialEq)]
pub enum Column {
    Text(TextColumn),
    Number(Vec<f64>),
}

/// A dictionary-encoded text column: row `i` holds `values[codes[i]]`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TextColumn {
    pub codes: Vec<u32>,
    /// Distinct values in order of first appearance.
    pub values: Vec<String>,
}

/// The requested columns of a file, in the order requested.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub rows: usize,
    pub columns: Vec<Column>,
}

impl Table {
    /// The text column at `i` (panics if it was requested as a number).
    pub fn text(&self, i: usize) -> &TextColumn {
        match &self.columns[i] {
            Column::Text(t) => t,
            Column::Number(_) => panic!("column {i} was requested as a number"),
        }
    }

    /// The numeric column at `i` (panics if it was requested as text).
    pub fn number(&self, i: usize) -> &[f64] {
        match &self.columns[i] {
            Column::Number(v) => v,
            Column::Text(_) => panic!("column {i} was requested as text"),
        }
    }
}

/// The file formats [`read_columns`] understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Jsonl,
    Parquet,
}

impl Format {
    /// The format named by the file's extension (a trailing `.gz` is looked through).
    pub fn of(path: &Path) -> Result<Format> {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        let name = name.strip_suffix(".gz").unwrap_or(&name);
        let ext = name.rsplit_once('.').map_or("", |(_, e)| e);
        match ext {
            "csv" => Ok(Format::Csv),
            "jsonl" | "ndjson" => Ok(Format::Jsonl),
            "parquet" | "pq" => Ok(Format::Parquet),
            _ => Err(Error::file(
                path,
                "unknown format: expected a .csv, .jsonl (or .ndjson) or .parquet file \
                 (CSV and JSONL may be gzip-compressed)",
            )),
        }
    }
}

/// Reads the requested columns of `path` (format by extension).
pub fn read_columns(
    path: &Path,
    specs: &[ColumnSpec<'_>],
    progress: Option<Progress<'_>>,
) -> Result<Table> {
    let table = match Format::of(path)? {
        Format::Csv => csv::read(path, specs, progress)?,
        Format::Jsonl => jsonl::read(path, specs, progress)?,
        Format::Parquet => parquet::read(path, specs)?,
    };
    if table.rows == 0 {
        return Err(Error::file(path, "holds no data rows"));
    }
    Ok(table)
}

/// "no column 'x'; the columns are: a, b, c" — the message for a missing column.
fn missing_column(path: &Path, name: &str, existing: &[String]) -> Error {
    let shown: Vec<String> = existing.iter().map(|c| format!("'{c}'")).collect();
    Error::file(
        path,
        format!(
            "no column '{name}'; the columns are: {}",
            if shown.is_empty() {
                "(none)".to_string()
            } else {
                shown.join(", ")
            }
        ),
    )
}

/// A problem in one row, before the row's global number is known.
#[derive(Debug, Clone)]
struct RowError {
    /// 0-based row within its chunk.
    row: usize,
    /// The file line where the row starts (CSV, JSONL).
    line: Option<u64>,
    /// The column's name, when one column is at fault.
    column: Option<String>,
    problem: String,
}

impl RowError {
    /// The error for a row whose global 0-based index is `chunk_start + self.row`.
    fn into_error(self, path: &Path, chunk_start: usize) -> Error {
        let row = chunk_start + self.row + 1;
        let what = match &self.column {
            Some(c) => format!("row {row}, column '{c}': {}", self.problem),
            None => format!("row {row}: {}", self.problem),
        };
        match self.line {
            Some(line) => Error::line(path, line, what),
            None => Error::file(path, what),
        }
    }
}

/// Columns being filled from one chunk of rows (a block of a CSV/JSONL file or a
/// Parquet batch). Text values are interned per chunk; [`Builder::merge`] maps the
/// chunk's codes onto the file-wide dictionary.
struct ChunkBuilder<'s> {
    specs: &'s [ColumnSpec<'s>],
    columns: Vec<ChunkColumn>,
    rows: usize,
}

enum ChunkColumn {
    Text {
        codes: Vec<u32>,
        index: FxHashMap<Vec<u8>, u32>,
        values: Vec<Vec<u8>>,
    },
    Number(Vec<f64>),
}

impl<'s> ChunkBuilder<'s> {
    fn new(specs: &'s [ColumnSpec<'s>]) -> Self {
        ChunkBuilder {
            specs,
            columns: specs
                .iter()
                .map(|s| match s.kind {
                    Kind::Text(_) => ChunkColumn::Text {
                        codes: Vec::new(),
                        index: FxHashMap::default(),
                        values: Vec::new(),
                    },
                    Kind::Number(_) => ChunkColumn::Number(Vec::new()),
                })
                .collect(),
            rows: 0,
        }
    }

    /// Adds column `c`'s text value for the current row. Runs the column's check on a
    /// value the chunk has not seen before.
    fn push_text(&mut self, c: usize, value: &[u8]) -> std::result::Result<(), String> {
        let ChunkColumn::Text {
            codes,
            index,
            values,
        } = &mut self.columns[c]
        else {
            unreachable!("column {c} is text")
        };
        // Labels repeat: the previous row's value is the likeliest.
        if let Some(&last) = codes.last() {
            if values[last as usize] == value {
                codes.push(last);
                return Ok(());
            }
        }
        // A handful of distinct values (labels): a linear scan beats hashing.
        let found = if values.len() <= 16 {
            values.iter().position(|v| v == value).map(|p| p as u32)
        } else {
            index.get(value).copied()
        };
        let code = match found {
            Some(code) => code,
            None => {
                if value.is_empty() {
                    return Err("empty value".to_string());
                }
                let text = std::str::from_utf8(value)
                    .map_err(|_| "value is not valid UTF-8".to_string())?;
                if let Kind::Text(Some(check)) = self.specs[c].kind {
                    check(text)?;
                }
                let code = values.len() as u32;
                values.push(value.to_vec());
                index.insert(value.to_vec(), code);
                code
            }
        };
        codes.push(code);
        Ok(())
    }

    /// Adds column `c`'s numeric value for the current row.
    fn push_number(&mut self, c: usize, value: f64) -> std::result::Result<(), String> {
        if let Kind::Number(Some(check)) = self.specs[c].kind {
            check(value)?;
        }
        let ChunkColumn::Number(v) = &mut self.columns[c] else {
            unreachable!("column {c} is numeric")
        };
        v.push(value);
        Ok(())
    }
}

/// Parses a number as Python's `float()` would accept it from a text file: surrounding
/// ASCII whitespace allowed, correctly rounded.
fn parse_number(field: &[u8]) -> std::result::Result<f64, String> {
    let text = std::str::from_utf8(field).unwrap_or("").trim_ascii();
    if text.is_empty() {
        return Err("empty value".to_string());
    }
    text.parse::<f64>()
        .map_err(|_| format!("'{}' is not a number", crate::input::show(field)))
}

/// Renders a float label as text: the shortest form that round-trips, `1` for 1.0.
fn float_text(v: f64) -> String {
    format!("{v}")
}

/// Concatenates chunks (in file order) into the table's columns.
struct Builder {
    columns: Vec<Column>,
    /// File-wide dictionaries of the text columns.
    index: Vec<FxHashMap<Vec<u8>, u32>>,
    rows: usize,
}

impl Builder {
    fn new(specs: &[ColumnSpec<'_>]) -> Self {
        Builder {
            columns: specs
                .iter()
                .map(|s| match s.kind {
                    Kind::Text(_) => Column::Text(TextColumn::default()),
                    Kind::Number(_) => Column::Number(Vec::new()),
                })
                .collect(),
            index: specs.iter().map(|_| FxHashMap::default()).collect(),
            rows: 0,
        }
    }

    /// Room for `rows` more rows, so chunks are copied once.
    fn reserve(&mut self, rows: usize) {
        for column in &mut self.columns {
            match column {
                Column::Number(v) => v.reserve_exact(rows),
                Column::Text(t) => t.codes.reserve_exact(rows),
            }
        }
    }

    fn merge(&mut self, chunk: ChunkBuilder<'_>) {
        self.rows += chunk.rows;
        for ((column, index), part) in self
            .columns
            .iter_mut()
            .zip(&mut self.index)
            .zip(chunk.columns)
        {
            match (column, part) {
                (Column::Number(all), ChunkColumn::Number(v)) => all.extend_from_slice(&v),
                (
                    Column::Text(all),
                    ChunkColumn::Text {
                        codes,
                        values: chunk_values,
                        ..
                    },
                ) => {
                    let map: Vec<u32> = chunk_values
                        .into_iter()
                        .map(|v| {
                            let next = all.values.len() as u32;
                            *index.entry(v).or_insert_with_key(|v| {
                                // Chunk values were checked to be UTF-8.
                                all.values.push(String::from_utf8_lossy(v).into_owned());
                                next
                            })
                        })
                        .collect();
                    all.codes.extend(codes.iter().map(|&c| map[c as usize]));
                }
                _ => unreachable!("chunk columns follow the specs"),
            }
        }
    }

    fn finish(self) -> Table {
        Table {
            rows: self.rows,
            columns: self.columns,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> std::path::PathBuf {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    fn in_unit(v: f64) -> std::result::Result<(), String> {
        if (0.0..=1.0).contains(&v) {
            Ok(())
        } else {
            Err(format!("{v} is outside [0, 1]"))
        }
    }

    #[test]
    fn format_by_extension() {
        assert_eq!(Format::of(Path::new("a/b.CSV")).unwrap(), Format::Csv);
        assert_eq!(Format::of(Path::new("b.csv.gz")).unwrap(), Format::Csv);
        assert_eq!(Format::of(Path::new("b.ndjson")).unwrap(), Format::Jsonl);
        assert_eq!(Format::of(Path::new("b.jsonl.gz")).unwrap(), Format::Jsonl);
        assert_eq!(Format::of(Path::new("b.parquet")).unwrap(), Format::Parquet);
        assert!(Format::of(Path::new("b.txt")).is_err());
        assert!(Format::of(Path::new("csv")).is_err());
    }

    #[test]
    fn csv_and_jsonl_read_the_same_table() {
        let dir = tempfile::tempdir().unwrap();
        let csv = write(
            &dir,
            "t.csv",
            "id,label,score,x\n1,cat,0.5,\"a,b\"\r\n2,\"dog\",1,z\n3,cat,0,\"q\"\"uote\nline\"\n",
        );
        let jsonl = write(
            &dir,
            "t.jsonl",
            "{\"label\":\"cat\",\"score\":0.5}\n\n{\"score\":1,\"label\":\"dog\",\"extra\":[1]}\n{\"label\":\"cat\",\"score\":0}\n",
        );
        let check = in_unit;
        let specs = [
            ColumnSpec::text("label"),
            ColumnSpec {
                name: "score",
                kind: Kind::Number(Some(&check)),
            },
        ];
        let a = read_columns(&csv, &specs, None).unwrap();
        let b = read_columns(&jsonl, &specs, None).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.rows, 3);
        assert_eq!(a.text(0).values, vec!["cat", "dog"]);
        assert_eq!(a.text(0).codes, vec![0, 1, 0]);
        assert_eq!(a.number(1), &[0.5, 1.0, 0.0]);
        // A quoted field may hold commas, quotes and newlines.
        let x = read_columns(&csv, &[ColumnSpec::text("x")], None).unwrap();
        assert_eq!(x.text(0).values, vec!["a,b", "z", "q\"uote\nline"]);
    }

    #[test]
    fn missing_column_lists_the_existing_ones() {
        let dir = tempfile::tempdir().unwrap();
        let csv = write(&dir, "t.csv", "label,prediction\na,b\n");
        let e = read_columns(&csv, &[ColumnSpec::text("pred")], None)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("no column 'pred'; the columns are: 'label', 'prediction'"),
            "{e}"
        );
        let jsonl = write(&dir, "t.jsonl", "{\"label\":\"a\",\"p\":1}\n");
        let e = read_columns(&jsonl, &[ColumnSpec::text("pred")], None)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("no column 'pred'; the columns are: 'label', 'p'"),
            "{e}"
        );
    }

    #[test]
    fn bad_values_name_line_row_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let check = in_unit;
        let specs = [
            ColumnSpec::text("label"),
            ColumnSpec {
                name: "score",
                kind: Kind::Number(Some(&check)),
            },
        ];
        let cases = [
            (
                "label,score\na,0.1\n,0.2\n",
                "t.csv:3: row 2, column 'label': empty value",
            ),
            (
                "label,score\na,0.1\nb,\n",
                "t.csv:3: row 2, column 'score': empty value",
            ),
            (
                "label,score\na,0.1\nb,x1\n",
                "row 2, column 'score': 'x1' is not a number",
            ),
            (
                "label,score\na,0.1\nb,1.5\n",
                "t.csv:3: row 2, column 'score': 1.5 is outside [0, 1]",
            ),
            (
                "label,score\na,0.1\nb\n",
                "t.csv:3: row 2: 1 field, the header has 2",
            ),
        ];
        for (text, want) in cases {
            let p = write(&dir, "t.csv", text);
            let e = read_columns(&p, &specs, None).unwrap_err().to_string();
            assert!(e.contains(want), "{e} lacks {want}");
        }
        let p = write(
            &dir,
            "t.jsonl",
            "{\"label\":\"a\",\"score\":0.1}\n{\"label\":null,\"score\":0.1}\n",
        );
        let e = read_columns(&p, &specs, None).unwrap_err().to_string();
        assert!(e.contains("t.jsonl:2: row 2, column 'label': null"), "{e}");
        let p = write(
            &dir,
            "t.jsonl",
            "{\"label\":\"a\",\"score\":0.1}\n{\"score\":0.1}\n",
        );
        let e = read_columns(&p, &specs, None).unwrap_err().to_string();
        assert!(
            e.contains("t.jsonl:2: row 2, column 'label': missing"),
            "{e}"
        );
        let p = write(
            &dir,
            "t.jsonl",
            "{\"label\":\"a\",\"score\":0.1}\n{\"label\":\"a\"\n",
        );
        let e = read_columns(&p, &specs, None).unwrap_err().to_string();
        assert!(e.contains("t.jsonl:2: row 2: not a JSON object"), "{e}");
        let p = write(&dir, "t.csv", "label,score\n");
        let e = read_columns(&p, &specs, None).unwrap_err().to_string();
        assert!(e.contains("holds no data rows"), "{e}");
    }

    #[test]
    fn json_numbers_and_booleans_become_text() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            &dir,
            "t.jsonl",
            "{\"y\":1}\n{\"y\":\"1\"}\n{\"y\":2.0}\n{\"y\":true}\n{\"y\":-3}\n{\"y\":0.25}\n",
        );
        let t = read_columns(&p, &[ColumnSpec::text("y")], None).unwrap();
        assert_eq!(t.text(0).values, vec!["1", "2", "true", "-3", "0.25"]);
        assert_eq!(t.text(0).codes, vec![0, 0, 1, 2, 3, 4]);
    }

    #[test]
    fn many_blocks_keep_rows_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let mut text = String::from("label,score\n");
        for i in 0..50_000 {
            text.push_str(&format!("c{},{}\n", i % 7, (i % 100) as f64 / 100.0));
        }
        let p = write(&dir, "t.csv", &text);
        let specs = [ColumnSpec::text("label"), ColumnSpec::number("score")];
        let t = csv::read_with(&p, &specs, None, 4096).unwrap();
        assert_eq!(t.rows, 50_000);
        let labels = t.text(0);
        for i in [0usize, 1, 4095, 4096, 49_999] {
            assert_eq!(
                labels.values[labels.codes[i] as usize],
                format!("c{}", i % 7)
            );
            assert_eq!(t.number(1)[i], (i % 100) as f64 / 100.0);
        }
        // An error deep in the file names its line.
        text.push_str("c1,2\n");
        let p = write(&dir, "t.csv", &text);
        let check = in_unit;
        let specs = [ColumnSpec {
            name: "score",
            kind: Kind::Number(Some(&check)),
        }];
        let e = csv::read_with(&p, &specs, None, 4096)
            .unwrap_err()
            .to_string();
        assert!(e.contains("t.csv:50002: row 50001, column 'score'"), "{e}");
    }
}
