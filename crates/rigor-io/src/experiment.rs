//! Reading an experiment's unit table for `rigor ab`: one row per unit, a variant
//! column, metric columns, and optional unit-id, segment and day columns.
//!
//! Formats by extension: `.csv`, `.tsv` (each also `.gz`, detected by content) and
//! `.jsonl` / `.ndjson` (one JSON object per line). Chunks of records are parsed in
//! parallel straight into typed columns; only the requested columns are decoded.
//!
//! Values:
//! - numeric columns: numbers; an empty cell, `NA`, `N/A`, `NaN`, `nan`, `null` (and
//!   JSON `null`) are missing (the unit is left out of that metric only); JSON `true` /
//!   `false` are 1 / 0; anything else is bad input naming file, line and column, and so
//!   is a non-finite number;
//! - categorical columns (variant, segments, day) are text; an empty variant is bad
//!   input;
//! - unit ids must be unique: a repeated id is bad input naming both lines.
//!
//! Errors name the file and the physical line (1 = the CSV header) where the record
//! starts.

use std::borrow::Cow;
use std::hash::{Hash, Hasher};
use std::path::Path;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::delimited::{Chunk, Chunker, Records};
use crate::error::{Error, Result};
use crate::input::{self, show, FileDigest};

/// Bytes per parallel chunk.
const CHUNK: usize = 4 << 20;

/// Which columns to read and in which role.
#[derive(Debug, Clone, Default)]
pub struct Request {
    pub variant: String,
    pub unit: Option<String>,
    /// Numeric columns that must exist and be numeric (metrics, covariates, ratio parts).
    pub numeric: Vec<String>,
    /// Also read every other column, keeping those that are numeric throughout.
    pub auto_numeric: bool,
    pub segments: Vec<String>,
    pub day: Option<String>,
}

/// A categorical column as codes into labels (labels sorted: numerically when every
/// label is a number, else as text).
#[derive(Debug, Clone, PartialEq)]
pub struct Categorical {
    pub name: String,
    pub labels: Vec<String>,
    pub codes: Vec<u32>,
}

/// The columns of an experiment table.
#[derive(Debug, Clone, PartialEq)]
pub struct ExperimentTable {
    pub rows: u64,
    /// Arm names in order of first appearance, and the line where each first appears.
    pub arms: Vec<String>,
    pub arm_first_line: Vec<u64>,
    /// Arm index per row.
    pub arm: Vec<u16>,
    /// Requested numeric columns (in request order), then auto-detected ones (in file
    /// order).
    pub numeric: Vec<(String, Vec<f64>)>,
    /// Names of the auto-detected numeric columns.
    pub auto: Vec<String>,
    /// Auto candidates left out because some value is not a number.
    pub skipped: Vec<String>,
    pub segments: Vec<Categorical>,
    pub day: Option<Categorical>,
    /// BLAKE3 of the file as stored (for the evidence's provenance).
    pub digest: FileDigest,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Delimited(u8),
    JsonLines,
}

fn format_of(path: &Path) -> Result<Format> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    if name.ends_with(".csv") {
        Ok(Format::Delimited(b','))
    } else if name.ends_with(".tsv") || name.ends_with(".tab") {
        Ok(Format::Delimited(b'\t'))
    } else if name.ends_with(".jsonl") || name.ends_with(".ndjson") {
        Ok(Format::JsonLines)
    } else if name.ends_with(".parquet") {
        Err(Error::file(
            path,
            "Parquet is not readable by this build of rigor ab yet: convert to CSV or JSONL",
        ))
    } else {
        Err(Error::file(
            path,
            "unknown format: expected .csv, .tsv, .jsonl or .ndjson (optionally .gz)",
        ))
    }
}

/// What each needed column does.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Role {
    Variant,
    Unit,
    Numeric(usize),
    Auto(usize),
    Segment(usize),
    Day,
}

/// Column positions for a delimited file (or key names for JSON lines).
struct Plan {
    /// (column index or key, role)
    roles: Vec<(usize, Role)>,
    keys: Vec<String>,
    auto_names: Vec<String>,
}

impl Plan {
    fn new(header: &[String], req: &Request, path: &Path) -> Result<Plan> {
        let find = |name: &str| -> Result<usize> {
            header.iter().position(|h| h == name).ok_or_else(|| {
                let mut cols: Vec<&str> = header.iter().map(String::as_str).take(20).collect();
                if header.len() > 20 {
                    cols.push("…");
                }
                Error::line(
                    path,
                    1,
                    format!("no column '{name}' (columns: {})", cols.join(", ")),
                )
            })
        };
        let mut roles = vec![(find(&req.variant)?, Role::Variant)];
        if let Some(u) = &req.unit {
            roles.push((find(u)?, Role::Unit));
        }
        for (i, n) in req.numeric.iter().enumerate() {
            roles.push((find(n)?, Role::Numeric(i)));
        }
        for (i, n) in req.segments.iter().enumerate() {
            roles.push((find(n)?, Role::Segment(i)));
        }
        if let Some(d) = &req.day {
            roles.push((find(d)?, Role::Day));
        }
        let mut auto_names = Vec::new();
        if req.auto_numeric {
            for (i, h) in header.iter().enumerate() {
                if !roles.iter().any(|(c, _)| *c == i) {
                    roles.push((i, Role::Auto(auto_names.len())));
                    auto_names.push(h.clone());
                }
            }
        }
        Ok(Plan {
            roles,
            keys: header.to_vec(),
            auto_names,
        })
    }
}

/// Local interning of a categorical column within one chunk.
#[derive(Default)]
struct Interner {
    map: FxHashMap<Vec<u8>, u32>,
    labels: Vec<Vec<u8>>,
    first_line: Vec<u64>,
    codes: Vec<u32>,
}

impl Interner {
    fn push(&mut self, value: &[u8], line: u64) {
        // Arms, segments and days have few values: a scan beats hashing.
        let found = if self.labels.len() <= 16 {
            self.labels
                .iter()
                .position(|l| l.as_slice() == value)
                .map(|i| i as u32)
        } else {
            self.map.get(value).copied()
        };
        let code = match found {
            Some(c) => c,
            None => {
                let c = self.labels.len() as u32;
                self.map.insert(value.to_vec(), c);
                self.labels.push(value.to_vec());
                self.first_line.push(line);
                c
            }
        };
        self.codes.push(code);
    }

    fn clear(&mut self) {
        self.map.clear();
        self.labels.clear();
        self.first_line.clear();
        self.codes.clear();
    }
}

/// One parsed chunk.
#[derive(Default)]
struct Part {
    rows: usize,
    variant: Interner,
    numeric: Vec<Vec<f64>>,
    auto: Vec<Vec<f64>>,
    /// First line where each auto column held something else than a number.
    auto_failed: Vec<Option<u64>>,
    segments: Vec<Interner>,
    day: Interner,
    unit_hashes: Vec<u64>,
    error: Option<Error>,
}

impl Part {
    /// Empties the part for the next chunk, keeping its buffers' capacity.
    fn reset(&mut self) {
        self.rows = 0;
        self.variant.clear();
        self.numeric.iter_mut().for_each(Vec::clear);
        self.auto.iter_mut().for_each(Vec::clear);
        self.auto_failed.iter_mut().for_each(|f| *f = None);
        self.segments.iter_mut().for_each(Interner::clear);
        self.day.clear();
        self.unit_hashes.clear();
        self.error = None;
    }

    fn new(req: &Request, plan: &Plan) -> Part {
        Part {
            numeric: vec![Vec::new(); req.numeric.len()],
            auto: vec![Vec::new(); plan.auto_names.len()],
            auto_failed: vec![None; plan.auto_names.len()],
            segments: (0..req.segments.len())
                .map(|_| Interner::default())
                .collect(),
            ..Part::default()
        }
    }
}

/// A cell's value for a numeric column.
enum Number {
    Value(f64),
    Missing,
    Bad,
}

/// Powers of ten exactly representable as doubles.
const POW10: [f64; 16] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
];

/// Clinger's fast path for plain decimals (`-12.345`): with at most 15 digits the
/// mantissa and the power of ten are exact doubles, so one division is correctly
/// rounded — the same double as a full parser. `None` for anything else.
#[inline]
fn simple_decimal(t: &[u8]) -> Option<f64> {
    let (neg, digits) = match t.first()? {
        b'-' => (true, &t[1..]),
        b'+' => (false, &t[1..]),
        _ => (false, t),
    };
    let mut mantissa: u64 = 0;
    let mut count = 0usize;
    let mut frac: Option<usize> = None;
    for &b in digits {
        match b {
            b'0'..=b'9' => {
                mantissa = mantissa * 10 + u64::from(b - b'0');
                count += 1;
                if let Some(f) = frac.as_mut() {
                    *f += 1;
                }
            }
            b'.' if frac.is_none() => frac = Some(0),
            _ => return None,
        }
    }
    if count == 0 || count > 15 {
        return None;
    }
    let v = mantissa as f64 / POW10[frac.unwrap_or(0)];
    Some(if neg { -v } else { v })
}

fn parse_number(raw: &[u8]) -> Number {
    if let Some(v) = simple_decimal(raw) {
        return Number::Value(v);
    }
    let t = raw.trim_ascii();
    if t.is_empty() {
        return Number::Missing;
    }
    match t {
        b"NA" | b"N/A" | b"NaN" | b"nan" | b"null" | b"NULL" | b"None" => return Number::Missing,
        _ => {}
    }
    match fast_float2::parse::<f64, _>(t) {
        Ok(v) if v.is_finite() => Number::Value(v),
        _ => Number::Bad,
    }
}

fn hash_id(id: &[u8]) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    id.hash(&mut h);
    h.finish()
}

/// A cell, as a delimited file or a JSON object gives it.
enum Cell<'a> {
    Text(Cow<'a, [u8]>),
    Number(f64),
    Bool(bool),
    Null,
}

impl Cell<'_> {
    fn text(&self) -> Cow<'_, [u8]> {
        match self {
            Cell::Text(t) => Cow::Borrowed(t.as_ref()),
            Cell::Number(v) => Cow::Owned(format_number(*v).into_bytes()),
            Cell::Bool(b) => Cow::Borrowed(if *b { b"true" } else { b"false" }),
            Cell::Null => Cow::Borrowed(b""),
        }
    }

    fn number(&self) -> Number {
        match self {
            Cell::Text(t) => parse_number(t),
            Cell::Number(v) if v.is_finite() => Number::Value(*v),
            Cell::Number(_) => Number::Bad,
            Cell::Bool(b) => Number::Value(if *b { 1.0 } else { 0.0 }),
            Cell::Null => Number::Missing,
        }
    }
}

/// A JSON number as its shortest text (`3` for 3.0).
fn format_number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        v.to_string()
    }
}

/// Puts one record's cells into the part; returns an error for bad input.
fn take_row<'c>(
    part: &mut Part,
    plan: &Plan,
    req: &Request,
    cell: impl Fn(usize) -> Option<Cell<'c>>,
    line: u64,
    path: &Path,
) -> Result<()> {
    for &(col, role) in &plan.roles {
        let value = cell(col).unwrap_or(Cell::Null);
        match role {
            Role::Variant => {
                let t = value.text();
                let t = t.trim_ascii();
                if t.is_empty() {
                    return Err(Error::line(
                        path,
                        line,
                        format!("column '{}': empty variant", req.variant),
                    ));
                }
                part.variant.push(t, line);
            }
            Role::Unit => {
                let t = value.text();
                part.unit_hashes.push(hash_id(t.trim_ascii()));
            }
            Role::Numeric(i) => match value.number() {
                Number::Value(v) => part.numeric[i].push(v),
                Number::Missing => part.numeric[i].push(f64::NAN),
                Number::Bad => {
                    return Err(Error::line(
                        path,
                        line,
                        format!(
                            "column '{}': '{}' is not a number",
                            req.numeric[i],
                            show(&value.text())
                        ),
                    ))
                }
            },
            Role::Auto(i) => {
                if part.auto_failed[i].is_none() {
                    match value.number() {
                        Number::Value(v) => part.auto[i].push(v),
                        Number::Missing => part.auto[i].push(f64::NAN),
                        Number::Bad => {
                            part.auto_failed[i] = Some(line);
                            part.auto[i] = Vec::new();
                        }
                    }
                }
            }
            Role::Segment(i) => part.segments[i].push(value.text().trim_ascii(), line),
            Role::Day => part.day.push(value.text().trim_ascii(), line),
        }
    }
    part.rows += 1;
    Ok(())
}

fn parse_delimited(
    part: &mut Part,
    chunk: &Chunk,
    delim: u8,
    plan: &Plan,
    req: &Request,
    path: &Path,
) {
    part.reset();
    let mut records = Records::new(chunk, delim);
    let mut fields = Vec::new();
    let width = plan.keys.len();
    while let Some(rec) = records.next_into(&mut fields) {
        let line = match rec {
            Ok(line) => line,
            Err(m) => {
                part.error = Some(Error::line(path, m.line, m.problem));
                return;
            }
        };
        if fields.len() != width {
            part.error = Some(Error::line(
                path,
                line,
                format!(
                    "expected {width} fields as in the header, found {}",
                    fields.len()
                ),
            ));
            return;
        }
        let fields = &fields;
        if let Err(e) = take_row(
            part,
            plan,
            req,
            |c| fields.get(c).map(|f| Cell::Text(Cow::Borrowed(f.as_ref()))),
            line,
            path,
        ) {
            part.error = Some(e);
            return;
        }
    }
}

fn parse_json_lines(part: &mut Part, chunk: &Chunk, plan: &Plan, req: &Request, path: &Path) {
    part.reset();
    for (k, raw) in chunk.bytes.split(|&b| b == b'\n').enumerate() {
        let line = chunk.first_line + k as u64;
        if raw.trim_ascii().is_empty() {
            continue;
        }
        let object: serde_json::Map<String, serde_json::Value> = match serde_json::from_slice(raw) {
            Ok(o) => o,
            Err(e) => {
                part.error = Some(Error::line(path, line, format!("not a JSON object: {e}")));
                return;
            }
        };
        let cell = |c: usize| -> Option<Cell<'_>> {
            let v = object.get(plan.keys.get(c)?)?;
            Some(match v {
                serde_json::Value::Null => Cell::Null,
                serde_json::Value::Bool(b) => Cell::Bool(*b),
                serde_json::Value::Number(n) => Cell::Number(n.as_f64().unwrap_or(f64::NAN)),
                serde_json::Value::String(s) => Cell::Text(Cow::Borrowed(s.as_bytes())),
                other => Cell::Text(Cow::Owned(other.to_string().into_bytes())),
            })
        };
        if object.get(&req.variant).is_none() {
            part.error = Some(Error::line(
                path,
                line,
                format!("no field '{}' (the variant)", req.variant),
            ));
            return;
        }
        if let Err(e) = take_row(part, plan, req, cell, line, path) {
            part.error = Some(e);
            return;
        }
    }
}

/// Global interning of a categorical column across chunks.
#[derive(Default)]
struct Global {
    map: FxHashMap<Vec<u8>, u32>,
    labels: Vec<Vec<u8>>,
    first_line: Vec<u64>,
    codes: Vec<u32>,
}

impl Global {
    fn absorb(&mut self, local: &mut Interner) {
        let remap: Vec<u32> = local
            .labels
            .drain(..)
            .zip(local.first_line.drain(..))
            .map(|(label, line)| match self.map.get(&label) {
                Some(&c) => c,
                None => {
                    let c = self.labels.len() as u32;
                    self.map.insert(label.clone(), c);
                    self.labels.push(label);
                    self.first_line.push(line);
                    c
                }
            })
            .collect();
        self.codes
            .extend(local.codes.drain(..).map(|c| remap[c as usize]));
        local.map.clear();
    }

    /// Labels sorted (numerically when all are numbers) with codes renumbered.
    fn sorted(self, name: &str) -> Categorical {
        let labels: Vec<String> = self
            .labels
            .iter()
            .map(|l| String::from_utf8_lossy(l).into_owned())
            .collect();
        let numeric: Option<Vec<f64>> = labels
            .iter()
            .map(|l| l.trim().parse::<f64>().ok().filter(|v| v.is_finite()))
            .collect();
        let mut order: Vec<usize> = (0..labels.len()).collect();
        match &numeric {
            Some(v) => {
                order.sort_by(|&a, &b| v[a].total_cmp(&v[b]).then(labels[a].cmp(&labels[b])))
            }
            None => order.sort_by(|&a, &b| labels[a].cmp(&labels[b])),
        }
        let mut rank = vec![0u32; labels.len()];
        for (r, &i) in order.iter().enumerate() {
            rank[i] = r as u32;
        }
        Categorical {
            name: name.to_string(),
            labels: order.iter().map(|&i| labels[i].clone()).collect(),
            codes: self
                .codes
                .into_par_iter()
                .map(|c| rank[c as usize])
                .collect(),
        }
    }
}

/// Reads the columns `req` names from `path`.
pub fn read_experiment(path: &Path, req: &Request) -> Result<ExperimentTable> {
    let format = format_of(path)?;
    let (reader, digest_slot) = input::open_digested(path, None)?;
    let mut chunker = match format {
        Format::Delimited(_) => Chunker::new(reader),
        Format::JsonLines => Chunker::lines(reader),
    };
    let threads = rayon::current_num_threads().max(1);

    // Header (CSV) or the first object's keys (JSON lines).
    let first = chunker
        .next_chunk(CHUNK)
        .map_err(|e| Error::io(path, e))?
        .ok_or_else(|| Error::file(path, "is empty"))?;
    let (plan, mut pending) = match format {
        Format::Delimited(delim) => {
            let mut records = Records::new(&first, delim);
            let mut fields = Vec::new();
            let header: Vec<String> = match records.next_into(&mut fields) {
                Some(Ok(_)) => fields
                    .iter()
                    .map(|f| String::from_utf8_lossy(f).trim().to_string())
                    .collect(),
                Some(Err(m)) => return Err(Error::line(path, m.line, m.problem)),
                None => return Err(Error::file(path, "has no header line")),
            };
            let header_end = header_length(&first.bytes, delim);
            let rest = Chunk {
                bytes: first.bytes[header_end..].to_vec(),
                first_line: first.first_line + count_lines(&first.bytes[..header_end]),
            };
            (Plan::new(&header, req, path)?, vec![rest])
        }
        Format::JsonLines => {
            let first_line = first
                .bytes
                .split(|&b| b == b'\n')
                .find(|l| !l.trim_ascii().is_empty())
                .unwrap_or(&[]);
            let keys: Vec<String> = match serde_json::from_slice::<
                serde_json::Map<String, serde_json::Value>,
            >(first_line)
            {
                Ok(o) => o.keys().cloned().collect(),
                Err(e) => {
                    return Err(Error::line(
                        path,
                        first.first_line,
                        format!("not a JSON object: {e}"),
                    ))
                }
            };
            (Plan::new(&keys, req, path)?, vec![first])
        }
    };

    let mut variant = Global::default();
    let mut segments: Vec<Global> = req.segments.iter().map(|_| Global::default()).collect();
    let mut day = Global::default();
    let mut numeric: Vec<Vec<f64>> = vec![Vec::new(); req.numeric.len()];
    let mut auto: Vec<Vec<f64>> = vec![Vec::new(); plan.auto_names.len()];
    let mut auto_failed = vec![false; plan.auto_names.len()];
    let mut hashes: Vec<u64> = Vec::new();
    let mut rows = 0u64;
    // Chunk buffers and parts are recycled: every chunk reuses memory already faulted in.
    let mut spare: Vec<Vec<u8>> = Vec::new();
    let mut parts: Vec<Part> = Vec::new();
    loop {
        while pending.len() < threads * 2 {
            let buf = spare.pop().unwrap_or_default();
            match chunker
                .next_chunk_into(buf, CHUNK)
                .map_err(|e| Error::io(path, e))?
            {
                Some(c) => pending.push(c),
                None => break,
            }
        }
        if pending.is_empty() {
            break;
        }
        while parts.len() < pending.len() {
            parts.push(Part::new(req, &plan));
        }
        pending
            .par_iter()
            .zip(parts.par_iter_mut())
            .for_each(|(c, part)| match format {
                Format::Delimited(d) => parse_delimited(part, c, d, &plan, req, path),
                Format::JsonLines => parse_json_lines(part, c, &plan, req, path),
            });
        for part in parts.iter_mut().take(pending.len()) {
            if let Some(e) = part.error.take() {
                return Err(e);
            }
            rows += part.rows as u64;
            variant.absorb(&mut part.variant);
            for (g, l) in segments.iter_mut().zip(part.segments.iter_mut()) {
                g.absorb(l);
            }
            if req.day.is_some() {
                day.absorb(&mut part.day);
            }
            for (n, p) in numeric.iter_mut().zip(&part.numeric) {
                n.extend_from_slice(p);
            }
            for i in 0..auto.len() {
                if part.auto_failed[i].is_some() {
                    auto_failed[i] = true;
                    auto[i] = Vec::new();
                } else if !auto_failed[i] {
                    auto[i].extend_from_slice(&part.auto[i]);
                }
            }
            hashes.extend_from_slice(&part.unit_hashes);
        }
        spare.extend(pending.drain(..).map(|c| c.bytes));
    }
    drop(spare);
    drop(parts);
    if rows == 0 {
        return Err(Error::file(path, "has a header but no rows"));
    }
    input::drain(&mut chunker.into_inner(), path)?;
    let digest = digest_slot
        .get()
        .cloned()
        .ok_or_else(|| Error::file(path, "was not read to its end"))?;
    if variant.labels.len() > u16::MAX as usize {
        return Err(Error::file(
            path,
            format!("column '{}' has more than {} arms", req.variant, u16::MAX),
        ));
    }
    if let Some(unit) = &req.unit {
        check_unique_ids(path, format, &plan, unit, hashes)?;
    }

    let mut numeric_out: Vec<(String, Vec<f64>)> =
        req.numeric.iter().cloned().zip(numeric).collect();
    let mut auto_names = Vec::new();
    let mut skipped = Vec::new();
    for ((name, values), failed) in plan.auto_names.iter().zip(auto).zip(auto_failed) {
        if failed || values.iter().all(|v| v.is_nan()) {
            skipped.push(name.clone());
        } else {
            auto_names.push(name.clone());
            numeric_out.push((name.clone(), values));
        }
    }
    Ok(ExperimentTable {
        rows,
        arms: variant
            .labels
            .iter()
            .map(|l| String::from_utf8_lossy(l).into_owned())
            .collect(),
        arm_first_line: variant.first_line.clone(),
        arm: variant.codes.into_par_iter().map(|c| c as u16).collect(),
        numeric: numeric_out,
        auto: auto_names,
        skipped,
        segments: segments
            .into_iter()
            .zip(&req.segments)
            .map(|(g, n)| g.sorted(n))
            .collect(),
        day: req.day.as_ref().map(|n| day.sorted(n)),
        digest,
    })
}

/// Bytes of the header record (including its newline).
fn header_length(bytes: &[u8], _delim: u8) -> usize {
    let mut quoted = false;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'"' {
            quoted = !quoted;
        } else if b == b'\n' && !quoted {
            return i + 1;
        }
    }
    bytes.len()
}

fn count_lines(bytes: &[u8]) -> u64 {
    memchr::memchr_iter(b'\n', bytes).count() as u64
}

/// Finds a repeated unit id: sorts the ids' 64-bit hashes, and for a repeated hash
/// re-reads the file to compare the actual ids (a hash collision is not a duplicate).
fn check_unique_ids(
    path: &Path,
    format: Format,
    plan: &Plan,
    unit: &str,
    mut hashes: Vec<u64>,
) -> Result<()> {
    hashes.par_sort_unstable();
    let repeated: Vec<u64> = hashes
        .windows(2)
        .filter(|w| w[0] == w[1])
        .map(|w| w[0])
        .collect();
    drop(hashes);
    if repeated.is_empty() {
        return Ok(());
    }
    let candidates: rustc_hash::FxHashSet<u64> = repeated.into_iter().collect();
    let col = plan
        .roles
        .iter()
        .find(|(_, r)| *r == Role::Unit)
        .map(|(c, _)| *c)
        .unwrap_or(0);
    let mut seen: FxHashMap<Vec<u8>, u64> = FxHashMap::default();
    let mut found = None;
    let mut visit = |id: &[u8], line: u64| -> Option<(Vec<u8>, u64, u64)> {
        if !candidates.contains(&hash_id(id)) {
            return None;
        }
        match seen.get(id) {
            Some(&first) => Some((id.to_vec(), first, line)),
            None => {
                seen.insert(id.to_vec(), line);
                None
            }
        }
    };
    let reader = input::open(path, None)?;
    let mut chunker = match format {
        Format::Delimited(_) => Chunker::new(reader),
        Format::JsonLines => Chunker::lines(reader),
    };
    let mut header = true;
    while let Some(chunk) = chunker.next_chunk(CHUNK).map_err(|e| Error::io(path, e))? {
        match format {
            Format::Delimited(d) => {
                let mut records = Records::new(&chunk, d);
                let mut fields = Vec::new();
                while let Some(Ok(line)) = records.next_into(&mut fields) {
                    if std::mem::take(&mut header) {
                        continue;
                    }
                    if let Some(f) = fields.get(col) {
                        if found.is_none() {
                            found = visit(f.trim_ascii(), line);
                        }
                    }
                }
            }
            Format::JsonLines => {
                for (k, raw) in chunk.bytes.split(|&b| b == b'\n').enumerate() {
                    let line = chunk.first_line + k as u64;
                    let Ok(o) =
                        serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(raw)
                    else {
                        continue;
                    };
                    let id = match o.get(unit) {
                        Some(serde_json::Value::String(s)) => s.as_bytes().to_vec(),
                        Some(serde_json::Value::Number(n)) => {
                            format_number(n.as_f64().unwrap_or(f64::NAN)).into_bytes()
                        }
                        Some(serde_json::Value::Bool(b)) => b.to_string().into_bytes(),
                        Some(serde_json::Value::Null) | None => Vec::new(),
                        Some(other) => other.to_string().into_bytes(),
                    };
                    if found.is_none() {
                        found = visit(id.trim_ascii(), line);
                    }
                }
            }
        }
        if found.is_some() {
            break;
        }
    }
    match found {
        Some((id, first, line)) => Err(Error::line(
            path,
            line,
            format!(
                "column '{unit}': duplicate unit id '{}' (first on line {first})",
                show(&id)
            ),
        )),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> Request {
        Request {
            variant: "variant".into(),
            unit: Some("id".into()),
            numeric: vec!["revenue".into()],
            auto_numeric: false,
            segments: vec!["country".into()],
            day: Some("day".into()),
        }
    }

    fn write(name: &str, text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        (dir, p)
    }

    #[test]
    fn the_fast_decimal_path_rounds_like_a_full_parser() {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..200_000 {
            let digits = 1 + (next() % 15) as usize;
            let mut s: String = (0..digits)
                .map(|_| (b'0' + (next() % 10) as u8) as char)
                .collect();
            let point = (next() % (digits as u64 + 1)) as usize;
            if point < digits {
                s.insert(point, '.');
            }
            if next() % 3 == 0 {
                s.insert(0, '-');
            }
            let want: f64 = s.parse().unwrap();
            match parse_number(s.as_bytes()) {
                Number::Value(v) => assert_eq!(v.to_bits(), want.to_bits(), "{s}"),
                _ => panic!("{s} not parsed"),
            }
        }
        for s in [
            "1e3",
            " 2.5",
            "0x1",
            "1.2.3",
            ".",
            "-",
            "12345678901234567",
            "1_0",
        ] {
            let want = s.trim().parse::<f64>().ok();
            let got = match parse_number(s.as_bytes()) {
                Number::Value(v) => Some(v),
                _ => None,
            };
            assert_eq!(got, want, "{s}");
        }
    }

    #[test]
    fn reads_roles_and_sorts_labels() {
        let (_d, p) = write(
            "x.csv",
            "id,variant,revenue,country,day\n1,a,1.5,DE,10\n2,b,,FR,9\n3,a,NA,DE,10\n",
        );
        let t = read_experiment(&p, &request()).unwrap();
        assert_eq!(t.rows, 3);
        assert_eq!(t.arms, vec!["a", "b"]);
        assert_eq!(t.arm, vec![0, 1, 0]);
        assert_eq!(t.numeric[0].1[0], 1.5);
        assert!(t.numeric[0].1[1].is_nan() && t.numeric[0].1[2].is_nan());
        assert_eq!(t.segments[0].labels, vec!["DE", "FR"]);
        let day = t.day.unwrap();
        assert_eq!(day.labels, vec!["9", "10"]);
        assert_eq!(day.codes, vec![1, 0, 1]);
    }

    #[test]
    fn bad_values_name_line_and_column() {
        let (_d, p) = write(
            "x.csv",
            "id,variant,revenue,country,day\n1,a,1.5,DE,1\n2,b,abc,FR,1\n",
        );
        let e = read_experiment(&p, &request()).unwrap_err().to_string();
        assert!(
            e.contains(":3:") && e.contains("revenue") && e.contains("abc"),
            "{e}"
        );
        let (_d, p) = write(
            "x.csv",
            "id,variant,revenue,country,day\n7,a,1,DE,1\n8,b,2,FR,1\n7,b,3,FR,1\n",
        );
        let e = read_experiment(&p, &request()).unwrap_err().to_string();
        assert!(
            e.contains(":4:") && e.contains("duplicate unit id '7'") && e.contains("line 2"),
            "{e}"
        );
    }

    #[test]
    fn json_lines_with_escaped_quotes_across_chunks() {
        let mut text = String::new();
        for i in 0..20_000 {
            let arm = if i % 2 == 0 { "control" } else { "treatment" };
            text.push_str(&format!(
                "{{\"variant\":\"{arm}\",\"note\":\"5\\\" screen\",\"m\":{i}}}\n"
            ));
        }
        let (_d, p) = write("q.jsonl", &text);
        let req = Request {
            variant: "variant".into(),
            numeric: vec!["m".into()],
            ..Request::default()
        };
        let t = read_experiment(&p, &req).unwrap();
        assert_eq!(t.rows, 20_000);
        assert_eq!(t.numeric[0].1[19_999], 19_999.0);
    }

    #[test]
    fn json_lines_and_auto_columns() {
        let (_d, p) = write(
            "x.jsonl",
            "{\"variant\":\"a\",\"conv\":true,\"rev\":2.5,\"name\":\"x\"}\n{\"variant\":\"b\",\"conv\":false,\"rev\":null,\"name\":\"y\"}\n",
        );
        let req = Request {
            variant: "variant".into(),
            auto_numeric: true,
            ..Request::default()
        };
        let t = read_experiment(&p, &req).unwrap();
        assert_eq!(t.auto, vec!["conv", "rev"]);
        assert_eq!(t.skipped, vec!["name"]);
        assert_eq!(t.numeric[0].1, vec![1.0, 0.0]);
    }
}
