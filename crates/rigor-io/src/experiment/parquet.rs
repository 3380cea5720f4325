//! Parquet through arrow: only the needed columns are decoded, every row group in
//! parallel straight into its rows of the output columns. Numeric roles take integer, float or
//! boolean columns (nulls are missing values); categorical roles take strings
//! (dictionary-encoded or not), integers, booleans or floats rendered as text.
//! Errors name the row (1-based; Parquet has no lines).

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Float32Type, Float64Type, Int16Type, Int32Type, Int64Type, Int8Type, UInt16Type, UInt32Type,
    UInt64Type, UInt8Type,
};
use arrow_array::Array;

use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReaderBuilder,
};
use parquet::arrow::ProjectionMask;
use rayon::prelude::*;

use super::{format_number, hash_id, Collector, Interner, Plan, Request, Role};
use crate::error::{Error, Result};
use crate::input::{self, FileDigest};

fn is_numeric(t: &DataType) -> bool {
    t.is_integer() || t.is_floating() || *t == DataType::Boolean
}

/// Reads a Parquet file's needed columns. Every row group decodes in parallel straight
/// into its own rows of the output columns (their sizes are in the file's metadata),
/// so nothing is copied after decoding; only the categorical labels are merged, in
/// file order, at the end.
pub(super) fn read(path: &Path, req: &Request) -> Result<(Plan, Collector, FileDigest)> {
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
    let metadata = with_dictionaries(path, metadata, &plan)?;
    let mut roots: Vec<usize> = plan.roles.iter().map(|(c, _)| *c).collect();
    roots.sort_unstable();
    roots.dedup();
    let sizes: Vec<usize> = metadata
        .metadata()
        .row_groups()
        .iter()
        .map(|g| g.num_rows().max(0) as usize)
        .collect();
    let rows: usize = sizes.iter().sum();
    let claimed = metadata.metadata().file_metadata().num_rows();
    if i64::try_from(rows).ok() != Some(claimed) {
        return Err(bad(
            path,
            &format!("its row groups hold {rows} rows but its footer says {claimed}"),
        ));
    }
    // The columns are allocated up front from these counts: a file claiming more rows
    // than memory can hold gets an error, not an allocation failure.
    let row_bytes = 8
        * (req.numeric.len() + plan.auto_names.len() + usize::from(req.unit.is_some()))
        + 4 * (1 + req.segments.len() + usize::from(req.day.is_some()));
    fits_in_memory(path, rows, row_bytes, memory_total())?;
    let starts: Vec<usize> = sizes
        .iter()
        .scan(0usize, |acc, &n| {
            let s = *acc;
            *acc += n;
            Some(s)
        })
        .collect();

    // Zeroed allocations: the pages are touched first by the threads that fill them.
    let column = |present: bool| {
        if present {
            vec![0u32; rows]
        } else {
            Vec::new()
        }
    };
    let floats = |k: usize| -> Vec<Vec<f64>> { (0..k).map(|_| vec![0.0; rows]).collect() };
    let mut numeric = floats(req.numeric.len());
    let mut auto = floats(plan.auto_names.len());
    let mut hashes = if req.unit.is_some() {
        vec![0u64; rows]
    } else {
        Vec::new()
    };
    let mut variant = column(true);
    let mut segments: Vec<Vec<u32>> = req.segments.iter().map(|_| column(true)).collect();
    let mut day = column(req.day.is_some());

    // The digest of the bytes on disk (as for every input) while the groups decode.
    let (digest, decoded) = rayon::join(
        || input::digest_file(path),
        || {
            let mut outs = GroupOut::split(
                &sizes,
                &mut numeric,
                &mut auto,
                &mut hashes,
                &mut variant,
                &mut segments,
                &mut day,
            );
            outs.par_iter_mut()
                .enumerate()
                .map(|(g, out)| {
                    let mut labels = GroupLabels::new(req);
                    read_group(
                        out,
                        &mut labels,
                        path,
                        &metadata,
                        &roots,
                        g,
                        starts[g],
                        &plan,
                    )
                    .map(|()| labels)
                })
                .collect::<Vec<Result<GroupLabels>>>()
        },
    );
    let digest = digest?;
    let labels: Vec<GroupLabels> = decoded.into_iter().collect::<Result<_>>()?;

    // Labels merged in file order, then each group's local codes made global.
    let mut collected = Collector::new(req, &plan);
    collected.rows = rows as u64;
    // Per group, the remap of each categorical column: variant, segments, day.
    let mut remaps: Vec<Vec<Vec<u32>>> = Vec::with_capacity(labels.len());
    for mut l in labels {
        let mut r = vec![collected.variant.merge_labels(&mut l.variant)];
        r.extend(
            (collected.segments.iter_mut())
                .zip(l.segments.iter_mut())
                .map(|(g, l)| g.merge_labels(l)),
        );
        r.push(collected.day.merge_labels(&mut l.day));
        remaps.push(r);
    }
    GroupOut::split(
        &sizes,
        &mut [],
        &mut [],
        &mut [],
        &mut variant,
        &mut segments,
        &mut day,
    )
    .into_par_iter()
    .zip(remaps)
    .for_each(|(out, remaps)| {
        let columns = std::iter::once(out.variant)
            .chain(out.segments)
            .chain(std::iter::once(out.day));
        for (codes, remap) in columns.zip(&remaps) {
            codes.iter_mut().for_each(|c| *c = remap[*c as usize]);
        }
    });
    collected.variant.codes = variant;
    for (g, codes) in collected.segments.iter_mut().zip(segments) {
        g.codes = codes;
    }
    collected.day.codes = day;
    collected.numeric = numeric;
    collected.auto = auto;
    collected.hashes = hashes;
    Ok((plan, collected, digest))
}

/// Whether `rows` rows of `row_bytes` bytes fit in `memory` bytes (when known).
fn fits_in_memory(path: &Path, rows: usize, row_bytes: usize, memory: Option<u64>) -> Result<()> {
    let need = rows as u128 * row_bytes as u128;
    match memory {
        Some(total) if need > u128::from(total) => Err(Error::file(
            path,
            format!(
                "holds {rows} rows: the requested columns need {:.1} GB, more than this machine's {:.1} GB of memory",
                need as f64 / 1e9,
                total as f64 / 1e9
            ),
        )),
        _ => Ok(()),
    }
}

/// Physical memory in bytes (Linux's `/proc/meminfo`), if known.
fn memory_total() -> Option<u64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    kib.checked_mul(1024)
}

/// One row group's rows of every output column.
struct GroupOut<'a> {
    rows: usize,
    numeric: Vec<&'a mut [f64]>,
    auto: Vec<&'a mut [f64]>,
    hashes: &'a mut [u64],
    variant: &'a mut [u32],
    segments: Vec<&'a mut [u32]>,
    day: &'a mut [u32],
}

impl<'a> GroupOut<'a> {
    /// Cuts the columns into consecutive groups of `sizes` rows (an empty column, one
    /// not read, gives every group an empty slice).
    fn split(
        sizes: &[usize],
        numeric: &'a mut [Vec<f64>],
        auto: &'a mut [Vec<f64>],
        hashes: &'a mut [u64],
        variant: &'a mut [u32],
        segments: &'a mut [Vec<u32>],
        day: &'a mut [u32],
    ) -> Vec<GroupOut<'a>> {
        fn cut<'a, T>(mut col: &'a mut [T], sizes: &[usize]) -> std::vec::IntoIter<&'a mut [T]> {
            let whole = !col.is_empty();
            let mut parts = Vec::with_capacity(sizes.len());
            for &n in sizes {
                let (part, rest) = std::mem::take(&mut col).split_at_mut(if whole { n } else { 0 });
                parts.push(part);
                col = rest;
            }
            parts.into_iter()
        }
        let mut numeric: Vec<_> = numeric.iter_mut().map(|c| cut(c, sizes)).collect();
        let mut auto: Vec<_> = auto.iter_mut().map(|c| cut(c, sizes)).collect();
        let mut segments: Vec<_> = segments.iter_mut().map(|c| cut(c, sizes)).collect();
        let (mut hashes, mut variant, mut day) =
            (cut(hashes, sizes), cut(variant, sizes), cut(day, sizes));
        let next = |cols: &mut Vec<std::vec::IntoIter<&'a mut [f64]>>| -> Vec<&'a mut [f64]> {
            cols.iter_mut().filter_map(Iterator::next).collect()
        };
        sizes
            .iter()
            .map(|&rows| GroupOut {
                rows,
                numeric: next(&mut numeric),
                auto: next(&mut auto),
                hashes: hashes.next().unwrap_or_default(),
                variant: variant.next().unwrap_or_default(),
                segments: segments.iter_mut().filter_map(Iterator::next).collect(),
                day: day.next().unwrap_or_default(),
            })
            .collect()
    }
}

/// A row group's categorical labels, numbered in order of first appearance in it.
struct GroupLabels {
    variant: Interner,
    segments: Vec<Interner>,
    day: Interner,
}

impl GroupLabels {
    fn new(req: &Request) -> GroupLabels {
        GroupLabels {
            variant: Interner::default(),
            segments: req.segments.iter().map(|_| Interner::default()).collect(),
            day: Interner::default(),
        }
    }
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

/// Asks for the categorical text columns (arms, segments, days) as dictionaries:
/// Parquet usually stores them dictionary-encoded, and then each batch brings a few
/// labels and one small key per row instead of a string per row.
fn with_dictionaries(
    path: &Path,
    metadata: ArrowReaderMetadata,
    plan: &Plan,
) -> Result<ArrowReaderMetadata> {
    let schema = metadata.schema();
    let categorical = |i: usize| {
        plan.roles
            .iter()
            .any(|&(c, r)| c == i && matches!(r, Role::Variant | Role::Segment(_) | Role::Day))
    };
    let mut hinted = false;
    let fields: Vec<Field> = (schema.fields().iter().enumerate())
        .map(|(i, f)| match f.data_type() {
            t @ (DataType::Utf8 | DataType::LargeUtf8) if categorical(i) => {
                hinted = true;
                let t = DataType::Dictionary(Box::new(DataType::Int32), Box::new(t.clone()));
                f.as_ref().clone().with_data_type(t)
            }
            _ => f.as_ref().clone(),
        })
        .collect();
    if !hinted {
        return Ok(metadata);
    }
    let schema = Arc::new(Schema::new_with_metadata(fields, schema.metadata().clone()));
    let options = ArrowReaderOptions::new().with_schema(schema);
    ArrowReaderMetadata::try_new(metadata.metadata().clone(), options).map_err(|e| bad(path, &e))
}

/// Decodes row group `g` (whose first row is `start`, 0-based) into `out`.
#[allow(clippy::too_many_arguments)]
fn read_group(
    out: &mut GroupOut,
    labels: &mut GroupLabels,
    path: &Path,
    metadata: &ArrowReaderMetadata,
    roots: &[usize],
    g: usize,
    start: usize,
    plan: &Plan,
) -> Result<()> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let builder = ParquetRecordBatchReaderBuilder::new_with_metadata(file, metadata.clone());
    let mask = ProjectionMask::roots(builder.parquet_schema(), roots.iter().copied());
    let reader = builder
        .with_projection(mask)
        .with_row_groups(vec![g])
        .with_batch_size(crate::PARQUET_BATCH_ROWS)
        .build()
        .map_err(|e| bad(path, &e))?;
    let mut at = 0usize; // rows of the group done
    for batch in reader {
        let batch = batch.map_err(|e| bad(path, &e))?;
        let n = batch.num_rows();
        if at + n > out.rows {
            return Err(bad(
                path,
                &format!("row group {g} holds more rows than its metadata says"),
            ));
        }
        let rows = at..at + n;
        let first = (start + at) as u64 + 1; // 1-based row of the batch's first row
        for &(col, role) in &plan.roles {
            let name = &plan.keys[col];
            let array = batch
                .column_by_name(name)
                .ok_or_else(|| bad(path, &format!("column '{name}' missing from a batch")))?;
            let unsupported = |p: String| Error::file(path, format!("column '{name}': {p}"));
            let categorical = |interner: &mut Interner, codes: &mut [u32], empty_ok: bool| {
                let check = |i: usize, t: &[u8]| {
                    if t.is_empty() && !empty_ok {
                        let row = first + i as u64;
                        return Err(Error::file(
                            path,
                            format!("row {row}, column '{name}': empty variant"),
                        ));
                    }
                    Ok(())
                };
                intern(array.as_ref(), interner, codes, first, check).map_err(unsupported)?
            };
            match role {
                Role::Numeric(k) => numbers(array.as_ref(), &mut out.numeric[k][rows.clone()])
                    .map_err(unsupported)?,
                Role::Auto(k) => {
                    numbers(array.as_ref(), &mut out.auto[k][rows.clone()]).map_err(unsupported)?
                }
                Role::Unit => {
                    let hashes = &mut out.hashes[rows.clone()];
                    texts(array.as_ref(), |i, t| {
                        hashes[i] = hash_id(t.unwrap_or_default().trim_ascii());
                        Ok::<(), ()>(())
                    })
                    .map_err(unsupported)?
                    .ok();
                }
                Role::Variant => {
                    categorical(&mut labels.variant, &mut out.variant[rows.clone()], false)?
                }
                Role::Segment(k) => categorical(
                    &mut labels.segments[k],
                    &mut out.segments[k][rows.clone()],
                    true,
                )?,
                Role::Day => categorical(&mut labels.day, &mut out.day[rows.clone()], true)?,
            }
        }
        at += n;
    }
    if at != out.rows {
        return Err(bad(
            path,
            &format!("row group {g} holds fewer rows than its metadata says"),
        ));
    }
    Ok(())
}

/// Writes the array's values as floats into `out`, one per row (nulls as NaN).
fn numbers(array: &dyn Array, out: &mut [f64]) -> std::result::Result<(), String> {
    macro_rules! convert {
        ($t:ty) => {{
            let a = array.as_primitive::<$t>();
            if a.null_count() == 0 {
                for (o, &v) in out.iter_mut().zip(a.values().iter()) {
                    *o = v as f64;
                }
            } else {
                for (o, v) in out.iter_mut().zip(a.iter()) {
                    *o = v.map_or(f64::NAN, |v| v as f64);
                }
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
        DataType::Boolean => {
            for (o, v) in out.iter_mut().zip(array.as_boolean().iter()) {
                *o = v.map_or(f64::NAN, |b| if b { 1.0 } else { 0.0 });
            }
        }
        other => return Err(format!("holds {other}, not numbers")),
    }
    if out.iter().any(|v| v.is_infinite()) {
        return Err("holds an infinite value".to_string());
    }
    Ok(())
}

/// Codes the array's labels (trimmed; null as empty) into `codes`, one per row, with
/// `interner` numbering them in order of first appearance (`first` = the 1-based row of
/// the array's first value). `check(row in batch, label)` vets each label where it
/// first appears. A dictionary array's labels are read once per batch.
fn intern(
    array: &dyn Array,
    interner: &mut Interner,
    codes: &mut [u32],
    first: u64,
    check: impl Fn(usize, &[u8]) -> Result<()>,
) -> std::result::Result<Result<()>, String> {
    let Some(dict) = array.as_any_dictionary_opt() else {
        return texts(array, |i, t| {
            let t = t.unwrap_or_default().trim_ascii();
            check(i, t)?;
            codes[i] = interner.code(t, first + i as u64);
            Ok(())
        });
    };
    let mut labels: Vec<Vec<u8>> = Vec::with_capacity(dict.values().len() + 1);
    let _ = scalar_texts(dict.values().as_ref(), |_, t| {
        labels.push(t.unwrap_or_default().trim_ascii().to_vec());
        Ok::<(), ()>(())
    })?;
    let null = labels.len();
    labels.push(Vec::new());
    // Each dictionary entry's code, set where it first appears.
    let mut coded = vec![u32::MAX; labels.len()];
    let nulls = array.logical_nulls();
    for (i, k) in dict.normalized_keys().into_iter().enumerate() {
        let k = if nulls.as_ref().is_some_and(|n| n.is_null(i)) {
            null
        } else {
            k
        };
        if coded[k] == u32::MAX {
            if let Err(e) = check(i, &labels[k]) {
                return Ok(Err(e));
            }
            coded[k] = interner.code(&labels[k], first + i as u64);
        }
        codes[i] = coded[k];
    }
    Ok(Ok(()))
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
        .with_batch_size(crate::PARQUET_BATCH_ROWS)
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
    fn a_missing_arm_in_a_dictionary_column_names_its_row() {
        let file = |variant: DictionaryArray<Int32Type>, country: DictionaryArray<Int32Type>| {
            let m = Float64Array::from_iter_values((0..8).map(f64::from));
            let columns: Vec<(&str, ArrayRef)> = vec![
                ("variant", Arc::new(variant)),
                ("country", Arc::new(country)),
                ("m", Arc::new(m)),
            ];
            write(columns, 4)
        };
        let req = Request {
            variant: "variant".into(),
            numeric: vec!["m".into()],
            segments: vec!["country".into()],
            ..Request::default()
        };
        // Row 6 (the second row group's first row of the same label) has no arm: the
        // label is coded from the dictionary once, but the error still names its row.
        let (_d, path) = file(
            (0..8)
                .map(|i| (i != 5).then_some(["control", "treatment"][i % 2]))
                .collect(),
            (0..8)
                .map(|i| (i % 3 != 0).then_some(["DE", "US"][i % 2]))
                .collect(),
        );
        let e = read_experiment(&path, &req).unwrap_err().to_string();
        assert!(e.contains("row 6, column 'variant': empty variant"), "{e}");

        // Without the gap: null segment values are their own (empty) label, and codes
        // from both row groups agree on the merged labels.
        let (_d, path) = file(
            (0..8).map(|i| ["treatment", "control"][i / 4]).collect(),
            (0..8)
                .map(|i| (i % 3 != 0).then_some(["US", "DE"][i % 2]))
                .collect(),
        );
        let t = read_experiment(&path, &req).unwrap();
        assert_eq!(t.arms, vec!["treatment", "control"]);
        assert_eq!(t.arm, vec![0, 0, 0, 0, 1, 1, 1, 1]);
        let c = &t.segments[0];
        assert_eq!(c.labels, vec!["", "DE", "US"]);
        let labels: Vec<&str> = c
            .codes
            .iter()
            .map(|&k| c.labels[k as usize].as_str())
            .collect();
        assert_eq!(labels, vec!["", "DE", "US", "", "US", "DE", "", "DE"]);
    }

    #[test]
    fn a_file_too_large_for_memory_is_an_error_not_an_abort() {
        let p = std::path::Path::new("big.parquet");
        assert!(super::fits_in_memory(p, 1000, 60, Some(60_000)).is_ok());
        assert!(super::fits_in_memory(p, usize::MAX, 60, None).is_ok());
        let e = super::fits_in_memory(p, 4_000_000_000, 60, Some(16_000_000_000))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("big.parquet: holds 4000000000 rows: the requested columns need 240.0 GB, more than this machine's 16.0 GB of memory"),
            "{e}"
        );
        if cfg!(target_os = "linux") {
            assert!(super::memory_total().is_some_and(|m| m > 1 << 20));
        }
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
