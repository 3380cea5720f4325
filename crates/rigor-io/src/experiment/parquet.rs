//! Parquet through arrow: only the needed columns are decoded, row groups in parallel
//! (a few at a time, merged in file order). Numeric roles take integer, float or
//! boolean columns (nulls are missing values); categorical roles take strings
//! (dictionary-encoded or not), integers, booleans or floats rendered as text.
//! Errors name the row (1-based; Parquet has no lines).

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

use super::{format_number, hash_id, Collector, Part, Plan, Request, Role};
use crate::error::{Error, Result};
use crate::input::{self, FileDigest};

const BATCH_ROWS: usize = 64 * 1024;

fn is_numeric(t: &DataType) -> bool {
    t.is_integer() || t.is_floating() || *t == DataType::Boolean
}

/// Reads a Parquet file's needed columns into parts, merged in row order.
pub(super) fn read(path: &Path, req: &Request) -> Result<(Plan, Collector, FileDigest)> {
    // The digest of the bytes on disk, as for every input.
    let digest = input::digest_file(path)?;

    let (metadata, names) = open(path)?;
    let schema = metadata.schema().clone();
    let plan = Plan::new(&names, req, path, None, &|i| {
        is_numeric(schema.field(i).data_type())
    })?;
    for &(col, role) in &plan.roles {
        let field = schema.field(col);
        if matches!(role, Role::Numeric(_)) && !is_numeric(field.data_type()) {
            return Err(Error::file(
                path,
                format!(
                    "column '{}' holds {}, not numbers",
                    field.name(),
                    field.data_type()
                ),
            ));
        }
    }
    let mut roots: Vec<usize> = plan.roles.iter().map(|(c, _)| *c).collect();
    roots.sort_unstable();
    roots.dedup();
    let groups: Vec<usize> = metadata
        .metadata()
        .row_groups()
        .iter()
        .map(|g| g.num_rows().max(0) as usize)
        .collect();
    let starts: Vec<usize> = groups
        .iter()
        .scan(0usize, |acc, &n| {
            let s = *acc;
            *acc += n;
            Some(s)
        })
        .collect();

    let mut collected = Collector::new(req, &plan);
    let threads = rayon::current_num_threads().max(1);
    let mut parts: Vec<Part> = Vec::new();
    let order: Vec<usize> = (0..groups.len()).collect();
    // One row group per thread at a time: a part holds a whole group.
    for batch in order.chunks(threads) {
        while parts.len() < batch.len() {
            parts.push(Part::new(req, &plan));
        }
        batch
            .par_iter()
            .zip(parts.par_iter_mut())
            .for_each(|(&g, part)| {
                part.reset();
                if let Err(e) = read_group(part, path, &metadata, &roots, g, starts[g], &plan, req)
                {
                    part.error = Some(e);
                }
            });
        for part in parts.iter_mut().take(batch.len()) {
            collected.absorb(part)?;
        }
    }
    Ok((plan, collected, digest))
}

fn bad(path: &Path, e: &dyn std::fmt::Display) -> Error {
    Error::file(path, format!("cannot be read as Parquet: {e}"))
}

fn open(path: &Path) -> Result<(ArrowReaderMetadata, Vec<String>)> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let metadata = ArrowReaderMetadata::load(&file, ArrowReaderOptions::default())
        .map_err(|e| bad(path, &e))?;
    let names = metadata
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    Ok((metadata, names))
}

/// Decodes row group `g` (whose first row is `start`, 0-based) into `part`.
#[allow(clippy::too_many_arguments)]
fn read_group(
    part: &mut Part,
    path: &Path,
    metadata: &ArrowReaderMetadata,
    roots: &[usize],
    g: usize,
    start: usize,
    plan: &Plan,
    req: &Request,
) -> Result<()> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let builder = ParquetRecordBatchReaderBuilder::new_with_metadata(file, metadata.clone());
    let mask = ProjectionMask::roots(builder.parquet_schema(), roots.iter().copied());
    let reader = builder
        .with_projection(mask)
        .with_row_groups(vec![g])
        .with_batch_size(BATCH_ROWS)
        .build()
        .map_err(|e| bad(path, &e))?;
    let mut first = start as u64 + 1; // 1-based row of the batch's first row
    for batch in reader {
        let batch = batch.map_err(|e| bad(path, &e))?;
        for &(col, role) in &plan.roles {
            let name = &plan.keys[col];
            let array = batch
                .column_by_name(name)
                .ok_or_else(|| bad(path, &format!("column '{name}' missing from a batch")))?;
            let unsupported = |p: String| Error::file(path, format!("column '{name}': {p}"));
            match role {
                Role::Numeric(k) => {
                    numbers(array.as_ref(), &mut part.numeric[k]).map_err(unsupported)?
                }
                Role::Auto(k) => numbers(array.as_ref(), &mut part.auto[k]).map_err(unsupported)?,
                Role::Unit => {
                    let hashes = &mut part.unit_hashes;
                    texts(array.as_ref(), |_, t| {
                        hashes.push(hash_id(t.unwrap_or_default().trim_ascii()));
                        Ok(())
                    })
                    .map_err(unsupported)??;
                }
                Role::Variant => {
                    let interner = &mut part.variant;
                    texts(array.as_ref(), |i, t| {
                        let t = t.unwrap_or_default().trim_ascii();
                        if t.is_empty() {
                            return Err(Error::file(
                                path,
                                format!(
                                    "row {}, column '{}': empty variant",
                                    first + i as u64,
                                    req.variant
                                ),
                            ));
                        }
                        interner.push(t, first + i as u64);
                        Ok(())
                    })
                    .map_err(unsupported)??;
                }
                Role::Segment(k) => {
                    let interner = &mut part.segments[k];
                    texts(array.as_ref(), |i, t| {
                        interner.push(t.unwrap_or_default().trim_ascii(), first + i as u64);
                        Ok(())
                    })
                    .map_err(unsupported)??;
                }
                Role::Day => {
                    let interner = &mut part.day;
                    texts(array.as_ref(), |i, t| {
                        interner.push(t.unwrap_or_default().trim_ascii(), first + i as u64);
                        Ok(())
                    })
                    .map_err(unsupported)??;
                }
            }
        }
        part.rows += batch.num_rows();
        first += batch.num_rows() as u64;
    }
    Ok(())
}

/// Appends the array's values as floats (nulls as NaN).
fn numbers(array: &dyn Array, out: &mut Vec<f64>) -> std::result::Result<(), String> {
    let start = out.len();
    macro_rules! convert {
        ($t:ty) => {{
            let a = array.as_primitive::<$t>();
            if a.null_count() == 0 {
                out.extend(a.values().iter().map(|&v| v as f64));
            } else {
                out.extend(a.iter().map(|v| v.map_or(f64::NAN, |v| v as f64)));
            }
        }};
    }
    match array.data_type() {
        DataType::Float64 => convert!(Float64Type),
        DataType::Float32 => convert!(Float32Type),
        DataType::Int8 => convert!(Int8Type),
        DataType::Int16 => convert!(Int16Type),
        DataType::Int32 => convert!(Int32Type),
        DataType::Int64 => convert!(Int64Type),
        DataType::UInt8 => convert!(UInt8Type),
        DataType::UInt16 => convert!(UInt16Type),
        DataType::UInt32 => convert!(UInt32Type),
        DataType::UInt64 => convert!(UInt64Type),
        DataType::Boolean => out.extend(
            array
                .as_boolean()
                .iter()
                .map(|v| v.map_or(f64::NAN, |b| if b { 1.0 } else { 0.0 })),
        ),
        other => return Err(format!("holds {other}, not numbers")),
    }
    if out[start..].iter().any(|v| v.is_infinite()) {
        return Err("holds an infinite value".to_string());
    }
    Ok(())
}

/// Calls `f(row in batch, text)` for every value rendered as text (`None` for null).
/// The outer error is an unsupported type; the inner is `f`'s.
fn texts<E>(
    array: &dyn Array,
    mut f: impl FnMut(usize, Option<&[u8]>) -> std::result::Result<(), E>,
) -> std::result::Result<std::result::Result<(), E>, String> {
    if let Some(dict) = array.as_any_dictionary_opt() {
        let mut values: Vec<Vec<u8>> = Vec::with_capacity(dict.values().len());
        let _ = scalar_texts(dict.values().as_ref(), |_, t| {
            values.push(t.unwrap_or_default().to_vec());
            Ok::<(), ()>(())
        })?;
        for (i, k) in dict.normalized_keys().into_iter().enumerate() {
            let t = (!array.is_null(i)).then(|| values[k].as_slice());
            if let Err(e) = f(i, t) {
                return Ok(Err(e));
            }
        }
        return Ok(Ok(()));
    }
    scalar_texts(array, f)
}

/// [`texts`] for arrays that are not dictionary-encoded.
fn scalar_texts<E>(
    array: &dyn Array,
    mut f: impl FnMut(usize, Option<&[u8]>) -> std::result::Result<(), E>,
) -> std::result::Result<std::result::Result<(), E>, String> {
    macro_rules! strings {
        ($iter:expr) => {{
            for (i, v) in $iter.enumerate() {
                if let Err(e) = f(i, v.map(str::as_bytes)) {
                    return Ok(Err(e));
                }
            }
        }};
    }
    macro_rules! rendered {
        ($iter:expr, $render:expr) => {{
            for (i, v) in $iter.enumerate() {
                let text = v.map($render);
                if let Err(e) = f(i, text.as_ref().map(|s: &String| s.as_bytes())) {
                    return Ok(Err(e));
                }
            }
        }};
    }
    macro_rules! ints {
        ($t:ty) => {
            rendered!(array.as_primitive::<$t>().iter(), |v| v.to_string())
        };
    }
    match array.data_type() {
        DataType::Utf8 => strings!(array.as_string::<i32>().iter()),
        DataType::LargeUtf8 => strings!(array.as_string::<i64>().iter()),
        DataType::Utf8View => strings!(array.as_string_view().iter()),
        DataType::Boolean => rendered!(array.as_boolean().iter(), |b: bool| b.to_string()),
        DataType::Int8 => ints!(Int8Type),
        DataType::Int16 => ints!(Int16Type),
        DataType::Int32 => ints!(Int32Type),
        DataType::Int64 => ints!(Int64Type),
        DataType::UInt8 => ints!(UInt8Type),
        DataType::UInt16 => ints!(UInt16Type),
        DataType::UInt32 => ints!(UInt32Type),
        DataType::UInt64 => ints!(UInt64Type),
        DataType::Float64 => rendered!(array.as_primitive::<Float64Type>().iter(), format_number),
        DataType::Float32 => rendered!(array.as_primitive::<Float32Type>().iter(), |v: f32| {
            format_number(f64::from(v))
        }),
        other => return Err(format!("holds {other}, which cannot be read as a label")),
    }
    Ok(Ok(()))
}

/// Calls `visit(id, row)` for every unit id until it returns true.
pub(super) fn for_each_id(
    path: &Path,
    unit: &str,
    visit: &mut dyn FnMut(&[u8], u64) -> bool,
) -> Result<()> {
    let (metadata, names) = open(path)?;
    let Some(col) = names.iter().position(|n| n == unit) else {
        return Ok(());
    };
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let builder = ParquetRecordBatchReaderBuilder::new_with_metadata(file, metadata);
    let mask = ProjectionMask::roots(builder.parquet_schema(), [col]);
    let reader = builder
        .with_projection(mask)
        .with_batch_size(BATCH_ROWS)
        .build()
        .map_err(|e| bad(path, &e))?;
    let mut first = 1u64;
    for batch in reader {
        let batch = batch.map_err(|e| bad(path, &e))?;
        let mut stop = false;
        texts(batch.column(0).as_ref(), |i, t| {
            if !stop && visit(t.unwrap_or_default().trim_ascii(), first + i as u64) {
                stop = true;
            }
            Ok::<(), ()>(())
        })
        .map_err(|p| Error::file(path, format!("column '{unit}': {p}")))?
        .ok();
        if stop {
            return Ok(());
        }
        first += batch.num_rows() as u64;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::types::Int32Type;
    use arrow_array::{
        ArrayRef, DictionaryArray, Float64Array, Int64Array, RecordBatch, StringArray,
    };
    use parquet::arrow::ArrowWriter;
    use parquet::file::properties::WriterProperties;

    use super::super::{read_experiment, Request};

    fn write(
        columns: Vec<(&str, ArrayRef)>,
        rows_per_group: usize,
    ) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.parquet");
        let batch = RecordBatch::try_from_iter(columns).unwrap();
        let props = WriterProperties::builder()
            .set_max_row_group_row_count(Some(rows_per_group))
            .build();
        let mut w = ArrowWriter::try_new(
            std::fs::File::create(&path).unwrap(),
            batch.schema(),
            Some(props),
        )
        .unwrap();
        w.write(&batch).unwrap();
        w.close().unwrap();
        (dir, path)
    }

    #[test]
    fn roles_nulls_dictionaries_and_row_groups() {
        let n = 10;
        let variant: DictionaryArray<Int32Type> = (0..n)
            .map(|i| if i % 2 == 0 { "control" } else { "treatment" })
            .collect();
        let (_d, path) = write(
            vec![
                (
                    "id",
                    Arc::new(Int64Array::from_iter_values(0..n as i64)) as ArrayRef,
                ),
                ("variant", Arc::new(variant)),
                (
                    "m",
                    Arc::new(Float64Array::from_iter(
                        (0..n).map(|i| (i != 3).then_some(i as f64 * 0.5)),
                    )),
                ),
                (
                    "country",
                    Arc::new(StringArray::from_iter_values(
                        (0..n).map(|i| ["DE", "US"][i % 2]),
                    )),
                ),
                (
                    "note",
                    Arc::new(StringArray::from_iter_values((0..n).map(|_| "x"))),
                ),
            ],
            4,
        );
        let req = Request {
            variant: "variant".into(),
            unit: Some("id".into()),
            auto_numeric: true,
            segments: vec!["country".into()],
            ..Request::default()
        };
        let t = read_experiment(&path, &req).unwrap();
        assert_eq!(t.rows, 10);
        assert_eq!(t.arms, vec!["control", "treatment"]);
        assert_eq!(t.auto, vec!["m"]);
        assert_eq!(t.skipped, vec!["note"]);
        let m = &t.numeric[0].1;
        assert_eq!(m[2], 1.0);
        assert!(m[3].is_nan());
        assert_eq!(t.segments[0].labels, vec!["DE", "US"]);
        assert_eq!(t.digest.bytes, std::fs::metadata(&path).unwrap().len());
    }

    #[test]
    fn duplicate_ids_and_text_metrics_are_refused() {
        let (_d, path) = write(
            vec![
                (
                    "id",
                    Arc::new(StringArray::from_iter_values(["a", "b", "c", "b"])) as ArrayRef,
                ),
                (
                    "variant",
                    Arc::new(StringArray::from_iter_values([
                        "control",
                        "treatment",
                        "control",
                        "treatment",
                    ])),
                ),
                (
                    "m",
                    Arc::new(StringArray::from_iter_values(["1", "2", "3", "4"])),
                ),
                (
                    "k",
                    Arc::new(Float64Array::from_iter_values([1.0, 2.0, 3.0, 4.0])),
                ),
            ],
            3,
        );
        let req = |metric: &str| Request {
            variant: "variant".into(),
            unit: Some("id".into()),
            numeric: vec![metric.into()],
            ..Request::default()
        };
        let e = read_experiment(&path, &req("k")).unwrap_err().to_string();
        assert!(
            e.contains("row 4, column 'id': duplicate unit id 'b' (first on row 2)"),
            "{e}"
        );
        let e = read_experiment(&path, &req("m")).unwrap_err().to_string();
        assert!(e.contains("column 'm' holds Utf8, not numbers"), "{e}");
    }
}
