//! Parquet through arrow: only the requested columns are decoded, row groups in
//! parallel. Text columns may be strings (any arrow string type, dictionary-encoded
//! or not), integers, booleans or floats; numeric columns integers or floats.

use std::fs::File;
use std::path::Path;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Float32Type, Float64Type, Int16Type, Int32Type, Int64Type, Int8Type, UInt16Type, UInt32Type,
    UInt64Type, UInt8Type,
};
use arrow_array::Array;
use arrow_schema::DataType;
use parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReaderBuilder,
};
use parquet::arrow::ProjectionMask;
use rayon::prelude::*;

use super::{float_text, missing_column, Builder, ChunkBuilder, ColumnSpec, Kind, RowError, Table};
use crate::error::{Error, Result};

pub(super) fn read(path: &Path, specs: &[ColumnSpec<'_>]) -> Result<Table> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if meta.is_dir() {
        return Err(Error::file(path, "is a directory, expected a file"));
    }
    if meta.len() == 0 {
        return Err(Error::file(path, "is empty"));
    }
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let bad =
        |e: &dyn std::fmt::Display| Error::file(path, format!("cannot be read as Parquet: {e}"));
    let metadata =
        ArrowReaderMetadata::load(&file, ArrowReaderOptions::default()).map_err(|e| bad(&e))?;
    let names: Vec<String> = metadata
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    let roots: Vec<usize> = specs
        .iter()
        .map(|s| {
            names
                .iter()
                .position(|n| n == s.name)
                .ok_or_else(|| missing_column(path, s.name, &names))
        })
        .collect::<Result<_>>()?;
    let groups: Vec<i64> = metadata
        .metadata()
        .row_groups()
        .iter()
        .map(|g| g.num_rows())
        .collect();
    let starts: Vec<usize> = groups
        .iter()
        .scan(0usize, |acc, &n| {
            let start = *acc;
            *acc += n.max(0) as usize;
            Some(start)
        })
        .collect();

    let chunks: Vec<std::result::Result<ChunkBuilder<'_>, Error>> = (0..groups.len())
        .into_par_iter()
        .map(|g| {
            // Its own open file: clones of one descriptor share the read position.
            let file = File::open(path).map_err(|e| Error::io(path, e))?;
            let builder =
                ParquetRecordBatchReaderBuilder::new_with_metadata(file, metadata.clone());
            let mask = ProjectionMask::roots(builder.parquet_schema(), roots.iter().copied());
            let reader = builder
                .with_projection(mask)
                .with_row_groups(vec![g])
                .with_batch_size(crate::PARQUET_BATCH_ROWS)
                .build()
                .map_err(|e| bad(&e))?;
            let mut chunk = ChunkBuilder::new(specs);
            for batch in reader {
                let batch = batch.map_err(|e| bad(&e))?;
                let base = chunk.rows;
                for (c, spec) in specs.iter().enumerate() {
                    let array = batch
                        .column_by_name(spec.name)
                        .ok_or_else(|| missing_column(path, spec.name, &names))?;
                    push_array(&mut chunk, c, spec, array.as_ref(), base)
                        .map_err(|e| e.into_error(path, starts[g]))?;
                }
                chunk.rows += batch.num_rows();
            }
            Ok(chunk)
        })
        .collect();
    let mut builder = Builder::new(specs);
    builder.reserve(
        chunks
            .iter()
            .map_while(|c| c.as_ref().ok())
            .map(|c| c.rows)
            .sum(),
    );
    for chunk in chunks {
        builder.merge(chunk?);
    }
    Ok(builder.finish())
}

/// Appends one column of a batch whose first row is the chunk's row `base`.
fn push_array(
    chunk: &mut ChunkBuilder<'_>,
    c: usize,
    spec: &ColumnSpec<'_>,
    array: &dyn Array,
    base: usize,
) -> std::result::Result<(), RowError> {
    let fail = |i: usize, problem: String| RowError {
        row: base + i,
        line: None,
        column: Some(spec.name.to_string()),
        problem,
    };
    if let Some(i) = (0..array.len()).find(|&i| array.is_null(i)) {
        return Err(fail(i, "null".to_string()));
    }
    match spec.kind {
        Kind::Number(_) => {
            let values = numbers(array).map_err(|p| fail(0, p))?;
            for (i, v) in values.into_iter().enumerate() {
                chunk.push_number(c, v).map_err(|p| fail(i, p))?;
            }
        }
        Kind::Text(_) => {
            if let Some(dict) = array.as_any_dictionary_opt() {
                let texts = texts(dict.values().as_ref()).map_err(|p| fail(0, p))?;
                for (i, k) in dict.normalized_keys().into_iter().enumerate() {
                    chunk
                        .push_text(c, texts[k].as_bytes())
                        .map_err(|p| fail(i, p))?;
                }
            } else {
                for_each_text(array, |i, t| chunk.push_text(c, t).map_err(|p| fail(i, p)))
                    .map_err(|p| fail(0, p))??;
            }
        }
    }
    Ok(())
}

/// The array's values as floats.
fn numbers(array: &dyn Array) -> std::result::Result<Vec<f64>, String> {
    macro_rules! convert {
        ($t:ty) => {
            array
                .as_primitive::<$t>()
                .values()
                .iter()
                .map(|&v| v as f64)
                .collect()
        };
    }
    Ok(match array.data_type() {
        DataType::Float64 => array.as_primitive::<Float64Type>().values().to_vec(),
        DataType::Float32 => convert!(Float32Type),
        DataType::Int8 => convert!(Int8Type),
        DataType::Int16 => convert!(Int16Type),
        DataType::Int32 => convert!(Int32Type),
        DataType::Int64 => convert!(Int64Type),
        DataType::UInt8 => convert!(UInt8Type),
        DataType::UInt16 => convert!(UInt16Type),
        DataType::UInt32 => convert!(UInt32Type),
        DataType::UInt64 => convert!(UInt64Type),
        other => return Err(format!("type {other} is not a number")),
    })
}

/// Every value of a (dictionary's value) array as text.
fn texts(array: &dyn Array) -> std::result::Result<Vec<String>, String> {
    let mut out = Vec::with_capacity(array.len());
    for_each_text(array, |_, t| {
        out.push(String::from_utf8_lossy(t).into_owned());
        Ok::<(), String>(())
    })??;
    Ok(out)
}

/// Calls `f(row, text)` for every value of a scalar array, rendered as text.
/// The outer error is an unsupported type; the inner is `f`'s.
fn for_each_text<E>(
    array: &dyn Array,
    mut f: impl FnMut(usize, &[u8]) -> std::result::Result<(), E>,
) -> std::result::Result<std::result::Result<(), E>, String> {
    use std::fmt::Write;
    // Strings are passed as they are; other values are rendered into one buffer.
    macro_rules! strings {
        ($iter:expr) => {{
            for (i, v) in $iter.enumerate() {
                if let Err(e) = f(i, v.unwrap_or("").as_bytes()) {
                    return Ok(Err(e));
                }
            }
        }};
    }
    let mut buf = String::new();
    macro_rules! rendered {
        ($iter:expr, $render:expr) => {{
            for (i, v) in $iter.enumerate() {
                buf.clear();
                $render(&mut buf, v);
                if let Err(e) = f(i, buf.as_bytes()) {
                    return Ok(Err(e));
                }
            }
        }};
    }
    macro_rules! ints {
        ($t:ty) => {
            rendered!(
                array.as_primitive::<$t>().values().iter(),
                |b: &mut String, v: &_| {
                    let _ = write!(b, "{v}");
                }
            )
        };
    }
    match array.data_type() {
        DataType::Utf8 => strings!(array.as_string::<i32>().iter()),
        DataType::LargeUtf8 => strings!(array.as_string::<i64>().iter()),
        DataType::Utf8View => strings!(array.as_string_view().iter()),
        DataType::Boolean => rendered!(array.as_boolean().iter(), |b: &mut String, v| {
            b.push_str(if v == Some(true) { "true" } else { "false" })
        }),
        DataType::Int8 => ints!(Int8Type),
        DataType::Int16 => ints!(Int16Type),
        DataType::Int32 => ints!(Int32Type),
        DataType::Int64 => ints!(Int64Type),
        DataType::UInt8 => ints!(UInt8Type),
        DataType::UInt16 => ints!(UInt16Type),
        DataType::UInt32 => ints!(UInt32Type),
        DataType::UInt64 => ints!(UInt64Type),
        DataType::Float64 => rendered!(
            array.as_primitive::<Float64Type>().values().iter(),
            |b: &mut String, v: &f64| b.push_str(&float_text(*v))
        ),
        DataType::Float32 => rendered!(
            array.as_primitive::<Float32Type>().values().iter(),
            |b: &mut String, v: &f32| {
                let _ = write!(b, "{v}");
            }
        ),
        other => return Err(format!("type {other} cannot be read as a label")),
    }
    Ok(Ok(()))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::{
        ArrayRef, BooleanArray, DictionaryArray, Float32Array, Int64Array, LargeStringArray,
        RecordBatch, StringArray,
    };
    use parquet::arrow::ArrowWriter;
    use parquet::file::properties::WriterProperties;

    use super::*;

    fn write(path: &Path, columns: Vec<(&str, ArrayRef)>, rows_per_group: usize) {
        let batch = RecordBatch::try_from_iter(columns).unwrap();
        let props = WriterProperties::builder()
            .set_max_row_group_row_count(Some(rows_per_group))
            .build();
        let mut w =
            ArrowWriter::try_new(File::create(path).unwrap(), batch.schema(), Some(props)).unwrap();
        w.write(&batch).unwrap();
        w.close().unwrap();
    }

    #[test]
    fn types_render_as_text_and_numbers() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.parquet");
        let dict: DictionaryArray<arrow_array::types::Int32Type> =
            vec!["x", "y", "x", "x", "y"].into_iter().collect();
        write(
            &p,
            vec![
                (
                    "int",
                    Arc::new(Int64Array::from(vec![3, 10, 3, -1, 2])) as ArrayRef,
                ),
                (
                    "large",
                    Arc::new(LargeStringArray::from(vec!["a", "b", "a", "c", "b"])),
                ),
                ("dict", Arc::new(dict)),
                (
                    "flag",
                    Arc::new(BooleanArray::from(vec![true, false, true, true, false])),
                ),
                (
                    "f32",
                    Arc::new(Float32Array::from(vec![0.5, 0.25, 1.0, 0.0, 0.1])),
                ),
                ("i_score", Arc::new(Int64Array::from(vec![0, 1, 1, 0, 1]))),
            ],
            2,
        );
        let specs = [
            ColumnSpec::text("int"),
            ColumnSpec::text("large"),
            ColumnSpec::text("dict"),
            ColumnSpec::text("flag"),
            ColumnSpec::number("f32"),
            ColumnSpec::number("i_score"),
            ColumnSpec::text("f32"),
        ];
        let t = super::super::read_columns(&p, &specs, None).unwrap();
        assert_eq!(t.rows, 5);
        assert_eq!(t.text(0).values, vec!["3", "10", "-1", "2"]);
        assert_eq!(t.text(0).codes, vec![0, 1, 0, 2, 3]);
        assert_eq!(t.text(1).values, vec!["a", "b", "c"]);
        assert_eq!(t.text(2).codes, vec![0, 1, 0, 0, 1]);
        assert_eq!(t.text(3).values, vec!["true", "false"]);
        assert_eq!(t.number(4), &[0.5, 0.25, 1.0, 0.0, f64::from(0.1f32)]);
        assert_eq!(t.number(5), &[0.0, 1.0, 1.0, 0.0, 1.0]);
        assert_eq!(t.text(6).values, vec!["0.5", "0.25", "1", "0", "0.1"]);
    }

    #[test]
    fn nulls_and_missing_columns_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.parquet");
        write(
            &p,
            vec![
                (
                    "label",
                    Arc::new(StringArray::from(vec![
                        Some("a"),
                        Some("b"),
                        Some("a"),
                        None,
                    ])) as ArrayRef,
                ),
                (
                    "score",
                    Arc::new(Float32Array::from(vec![0.5, 0.25, 1.0, 0.0])),
                ),
            ],
            2,
        );
        let e = super::super::read_columns(&p, &[ColumnSpec::text("label")], None)
            .unwrap_err()
            .to_string();
        assert!(e.ends_with("t.parquet: row 4, column 'label': null"), "{e}");
        let e = super::super::read_columns(&p, &[ColumnSpec::text("pred")], None)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("no column 'pred'; the columns are: 'label', 'score'"),
            "{e}"
        );
        let e = super::super::read_columns(&p, &[ColumnSpec::number("label")], None)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("column 'label': type Utf8 is not a number"),
            "{e}"
        );
        std::fs::write(&p, b"PAR1 not really").unwrap();
        let e = super::super::read_columns(&p, &[ColumnSpec::text("label")], None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("cannot be read as Parquet"), "{e}");
    }
}
