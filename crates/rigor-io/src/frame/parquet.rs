//! Parquet into a [`Frame`] through arrow, typed as `pandas.read_parquet` (pyarrow's
//! `to_pandas`) types it: integer columns stay integers unless they hold a null (then
//! floats), floats are floats (NaN and null missing), booleans are booleans unless they
//! hold a null, strings (plain, large, view or dictionary-encoded) are text. Dates,
//! times, durations, decimals, binary and nested values are [`Dtype::Other`]: not
//! compared, as Evidently's `DataDriftPreset` leaves them out. Row groups are decoded
//! in parallel.

use std::fs::File;
use std::path::Path;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Float16Type, Float32Type, Float64Type, Int16Type, Int32Type, Int64Type, Int8Type, UInt16Type,
    UInt32Type, UInt64Type, UInt8Type,
};
use arrow_array::Array;
use arrow_schema::DataType;
use parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReaderBuilder,
};
use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::{Dtype, Frame, FrameColumn, Values, MISSING};
use crate::error::{Error, Result};
use crate::input::{FileDigest, Progress};

/// How a column is stored while reading.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Int,
    Float,
    Bool,
    Text,
    Other,
}

fn kind(t: &DataType) -> Kind {
    match t {
        DataType::Int8
        | DataType::Int16
        | DataType::Int32
        | DataType::Int64
        | DataType::UInt8
        | DataType::UInt16
        | DataType::UInt32
        | DataType::UInt64 => Kind::Int,
        DataType::Float16 | DataType::Float32 | DataType::Float64 | DataType::Null => Kind::Float,
        DataType::Boolean => Kind::Bool,
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => Kind::Text,
        DataType::Dictionary(_, v)
            if matches!(
                **v,
                DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
            ) =>
        {
            Kind::Text
        }
        _ => Kind::Other,
    }
}

/// One column of one row group.
enum Part {
    Numbers(Vec<f64>, bool),
    Labels(Vec<u32>, Vec<String>),
    Skipped(usize),
}

pub(super) fn read(path: &Path, progress: Option<Progress<'_>>) -> Result<Frame> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if meta.is_dir() {
        return Err(Error::file(path, "is a directory, expected a file"));
    }
    if meta.len() == 0 {
        return Err(Error::file(path, "is empty"));
    }
    let bad =
        |e: &dyn std::fmt::Display| Error::file(path, format!("cannot be read as Parquet: {e}"));
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let metadata =
        ArrowReaderMetadata::load(&file, ArrowReaderOptions::default()).map_err(|e| bad(&e))?;
    let fields: Vec<(String, Kind)> = metadata
        .schema()
        .fields()
        .iter()
        .map(|f| (f.name().clone(), kind(f.data_type())))
        .collect();
    let groups = metadata.metadata().num_row_groups();
    let done = std::sync::atomic::AtomicU64::new(0);
    let parts: Vec<Result<Vec<Part>>> = (0..groups)
        .into_par_iter()
        .map(|g| {
            let file = File::open(path).map_err(|e| Error::io(path, e))?;
            let reader = ParquetRecordBatchReaderBuilder::new_with_metadata(file, metadata.clone())
                .with_row_groups(vec![g])
                .with_batch_size(crate::PARQUET_BATCH_ROWS)
                .build()
                .map_err(|e| bad(&e))?;
            let mut parts: Vec<Part> = fields
                .iter()
                .map(|(_, k)| match k {
                    Kind::Int | Kind::Float => Part::Numbers(Vec::new(), false),
                    Kind::Bool | Kind::Text => Part::Labels(Vec::new(), Vec::new()),
                    Kind::Other => Part::Skipped(0),
                })
                .collect();
            let mut index: Vec<FxHashMap<String, u32>> =
                fields.iter().map(|_| FxHashMap::default()).collect();
            for batch in reader {
                let batch = batch.map_err(|e| bad(&e))?;
                for (c, part) in parts.iter_mut().enumerate() {
                    append(part, &mut index[c], batch.column(c).as_ref());
                }
            }
            let bytes = metadata.metadata().row_group(g).compressed_size().max(0) as u64;
            let so_far = done.fetch_add(bytes, std::sync::atomic::Ordering::Relaxed) + bytes;
            if let Some(p) = progress {
                p(so_far);
            }
            Ok(parts)
        })
        .collect();
    let mut groups_parts = Vec::with_capacity(parts.len());
    for p in parts {
        groups_parts.push(p?);
    }
    let rows = metadata.metadata().file_metadata().num_rows().max(0) as usize;
    let mut columns = Vec::with_capacity(fields.len());
    for (c, (name, k)) in fields.iter().enumerate() {
        let pieces: Vec<Part> = groups_parts
            .iter_mut()
            .map(|g| std::mem::replace(&mut g[c], Part::Skipped(0)))
            .collect();
        columns.push(column(name.clone(), *k, pieces, rows));
    }
    let digest = digest(path)?;
    Ok(Frame {
        rows,
        columns,
        digest,
    })
}

/// The file's BLAKE3 (Parquet is read by random access, so it is hashed apart).
fn digest(path: &Path) -> Result<FileDigest> {
    let mut file = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut hasher = blake3::Hasher::new();
    let bytes = std::io::copy(&mut file, &mut hasher).map_err(|e| Error::io(path, e))?;
    Ok(FileDigest {
        blake3: hasher.finalize().to_hex().to_string(),
        bytes,
    })
}

fn append(part: &mut Part, index: &mut FxHashMap<String, u32>, array: &dyn Array) {
    macro_rules! numbers {
        ($t:ty, $values:expr, $nulls:expr) => {{
            let a = array.as_primitive::<$t>();
            for (i, v) in a.values().iter().enumerate() {
                if a.is_null(i) {
                    *$nulls = true;
                    $values.push(f64::NAN);
                } else {
                    $values.push(f64::from(*v));
                }
            }
        }};
    }
    macro_rules! wide {
        ($t:ty, $values:expr, $nulls:expr) => {{
            let a = array.as_primitive::<$t>();
            for (i, v) in a.values().iter().enumerate() {
                if a.is_null(i) {
                    *$nulls = true;
                    $values.push(f64::NAN);
                } else {
                    $values.push(*v as f64);
                }
            }
        }};
    }
    match part {
        Part::Numbers(values, nulls) => match array.data_type() {
            DataType::Int8 => numbers!(Int8Type, values, nulls),
            DataType::Int16 => numbers!(Int16Type, values, nulls),
            DataType::Int32 => numbers!(Int32Type, values, nulls),
            DataType::Int64 => wide!(Int64Type, values, nulls),
            DataType::UInt8 => numbers!(UInt8Type, values, nulls),
            DataType::UInt16 => numbers!(UInt16Type, values, nulls),
            DataType::UInt32 => numbers!(UInt32Type, values, nulls),
            DataType::UInt64 => wide!(UInt64Type, values, nulls),
            DataType::Float16 => {
                let a = array.as_primitive::<Float16Type>();
                for (i, v) in a.values().iter().enumerate() {
                    values.push(if a.is_null(i) { f64::NAN } else { v.to_f64() });
                }
            }
            DataType::Float32 => numbers!(Float32Type, values, nulls),
            DataType::Float64 => numbers!(Float64Type, values, nulls),
            _ => {
                // Null type: every value missing.
                *nulls = true;
                values.extend(std::iter::repeat_n(f64::NAN, array.len()));
            }
        },
        Part::Labels(codes, labels) => {
            let mut push = |v: Option<&str>| match v {
                None => codes.push(MISSING),
                Some(s) => {
                    let code = match index.get(s) {
                        Some(&c) => c,
                        None => {
                            labels.push(s.to_string());
                            let c = (labels.len() - 1) as u32;
                            index.insert(s.to_string(), c);
                            c
                        }
                    };
                    codes.push(code);
                }
            };
            if let Some(dict) = array.as_any_dictionary_opt() {
                let values = dict.values();
                let texts: Vec<Option<String>> = (0..values.len())
                    .map(|i| text_at(values.as_ref(), i))
                    .collect();
                let keys = dict.normalized_keys();
                for (i, k) in keys.into_iter().enumerate() {
                    if array.is_null(i) {
                        push(None);
                    } else {
                        push(texts.get(k).and_then(|t| t.as_deref()));
                    }
                }
            } else {
                for i in 0..array.len() {
                    let t = text_at(array, i);
                    push(t.as_deref());
                }
            }
        }
        Part::Skipped(n) => *n += array.len(),
    }
}

/// Value `i` of a string or boolean array as text (`None` when null).
fn text_at(array: &dyn Array, i: usize) -> Option<String> {
    if array.is_null(i) {
        return None;
    }
    Some(match array.data_type() {
        DataType::Utf8 => array.as_string::<i32>().value(i).to_string(),
        DataType::LargeUtf8 => array.as_string::<i64>().value(i).to_string(),
        DataType::Utf8View => array.as_string_view().value(i).to_string(),
        DataType::Boolean => {
            if array.as_boolean().value(i) {
                "true".to_string()
            } else {
                "false".to_string()
            }
        }
        _ => return None,
    })
}

fn column(name: String, k: Kind, pieces: Vec<Part>, rows: usize) -> FrameColumn {
    match k {
        Kind::Int | Kind::Float => {
            let mut values = Vec::with_capacity(rows);
            for p in pieces {
                if let Part::Numbers(v, _) = p {
                    values.extend(v);
                }
            }
            let missing = values.iter().filter(|v| v.is_nan()).count();
            let dtype = if missing == values.len() {
                Dtype::Empty
            } else if k == Kind::Int && missing == 0 {
                Dtype::Int
            } else {
                Dtype::Float
            };
            FrameColumn {
                name,
                dtype,
                values: Values::Numbers(values),
            }
        }
        Kind::Bool | Kind::Text => {
            let mut codes = Vec::with_capacity(rows);
            let mut labels: Vec<String> = Vec::new();
            let mut index: FxHashMap<String, u32> = FxHashMap::default();
            for p in pieces {
                if let Part::Labels(c, l) = p {
                    let map: Vec<u32> = l
                        .into_iter()
                        .map(|s| {
                            let next = labels.len() as u32;
                            *index.entry(s).or_insert_with_key(|k| {
                                labels.push(k.clone());
                                next
                            })
                        })
                        .collect();
                    codes.extend(c.iter().map(|&x| {
                        if x == MISSING {
                            MISSING
                        } else {
                            map[x as usize]
                        }
                    }));
                }
            }
            let missing = codes.iter().filter(|&&c| c == MISSING).count();
            let dtype = if missing == rows {
                Dtype::Empty
            } else if k == Kind::Bool && missing == 0 {
                Dtype::Bool
            } else {
                Dtype::Text
            };
            FrameColumn {
                name,
                dtype,
                values: Values::Labels { codes, labels },
            }
        }
        Kind::Other => FrameColumn {
            name,
            dtype: Dtype::Other,
            values: Values::Labels {
                codes: vec![MISSING; rows],
                labels: Vec::new(),
            },
        },
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::{
        BooleanArray, Date32Array, Float64Array, Int64Array, RecordBatch, StringArray,
    };
    use parquet::arrow::ArrowWriter;

    use super::*;

    #[test]
    fn types_as_pandas_read_parquet() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.parquet");
        let batch = RecordBatch::try_from_iter(vec![
            (
                "i",
                Arc::new(Int64Array::from(vec![1, 2, 3])) as Arc<dyn Array>,
            ),
            (
                "m",
                Arc::new(Int64Array::from(vec![Some(1), None, Some(3)])) as _,
            ),
            (
                "f",
                Arc::new(Float64Array::from(vec![0.5, f64::NAN, 2.0])) as _,
            ),
            (
                "b",
                Arc::new(BooleanArray::from(vec![true, false, true])) as _,
            ),
            (
                "s",
                Arc::new(StringArray::from(vec![Some("a"), None, Some("a")])) as _,
            ),
            ("d", Arc::new(Date32Array::from(vec![1, 2, 3])) as _),
        ])
        .unwrap();
        let mut w = ArrowWriter::try_new(File::create(&p).unwrap(), batch.schema(), None).unwrap();
        w.write(&batch).unwrap();
        w.close().unwrap();
        let f = read(&p, None).unwrap();
        assert_eq!(f.rows, 3);
        let dtypes: Vec<Dtype> = f.columns.iter().map(|c| c.dtype).collect();
        assert_eq!(
            dtypes,
            vec![
                Dtype::Int,
                Dtype::Float,
                Dtype::Float,
                Dtype::Bool,
                Dtype::Text,
                Dtype::Other
            ]
        );
        match &f.column("s").unwrap().values {
            Values::Labels { codes, labels } => {
                assert_eq!(codes, &vec![0, MISSING, 0]);
                assert_eq!(labels, &vec!["a".to_string()]);
            }
            other => panic!("{other:?}"),
        }
        match &f.column("b").unwrap().values {
            Values::Labels { codes, labels } => {
                assert_eq!(labels[codes[0] as usize], "true");
                assert_eq!(labels[codes[1] as usize], "false");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn not_parquet_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.parquet");
        std::fs::write(&p, "a,b\n1,2\n").unwrap();
        let e = read(&p, None).unwrap_err().to_string();
        assert!(e.contains("cannot be read as Parquet"), "{e}");
    }
}
