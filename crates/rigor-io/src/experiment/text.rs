//! Delimited text and JSON lines: chunks of whole records parsed in parallel into
//! [`Part`]s, numbers by a correctly rounded parser with a fast path for plain decimals.

use std::borrow::Cow;
use std::path::Path;

use rayon::prelude::*;

use super::{format_number, hash_id, Collector, Format, Part, Plan, Request, Role, CHUNK};
use crate::decimal::plain_decimal;
use crate::delimited::{Chunk, Chunker, Records};
use crate::error::{Error, Result};
use crate::input::{self, show, FileDigest};

/// A cell's value for a numeric column.
pub(super) enum Number {
    Value(f64),
    Missing,
    Bad,
}

pub(super) fn parse_number(raw: &[u8]) -> Number {
    if let Some(v) = plain_decimal(raw) {
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

/// Bytes of the header record (including its newline).
fn header_length(bytes: &[u8]) -> usize {
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

/// Reads a CSV/TSV/JSONL file: the plan from its header (or first object), then every
/// record, chunks parsed in parallel and merged in order.
pub(super) fn read(
    path: &Path,
    format: Format,
    req: &Request,
) -> Result<(Plan, Collector, FileDigest)> {
    let (reader, digest_slot) = input::open_digested(path, None)?;
    let mut chunker = match format {
        Format::JsonLines => Chunker::lines(reader),
        _ => Chunker::new(reader),
    };
    let threads = rayon::current_num_threads().max(1);
    let all_numeric = |_: usize| true;

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
            let header_end = header_length(&first.bytes);
            let rest = Chunk {
                bytes: first.bytes[header_end..].to_vec(),
                first_line: first.first_line + count_lines(&first.bytes[..header_end]),
            };
            (
                Plan::new(&header, req, path, Some(first.first_line), &all_numeric)?,
                vec![rest],
            )
        }
        _ => {
            let (k, first_line) = first
                .bytes
                .split(|&b| b == b'\n')
                .enumerate()
                .find(|(_, l)| !l.trim_ascii().is_empty())
                .unwrap_or((0, &[]));
            let line = first.first_line + k as u64;
            let keys: Vec<String> = match serde_json::from_slice::<
                serde_json::Map<String, serde_json::Value>,
            >(first_line)
            {
                Ok(o) => o.keys().cloned().collect(),
                Err(e) => {
                    return Err(Error::line(path, line, format!("not a JSON object: {e}")));
                }
            };
            (
                Plan::new(&keys, req, path, Some(line), &all_numeric)?,
                vec![first],
            )
        }
    };

    let mut collected = Collector::new(req, &plan);
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
                _ => parse_json_lines(part, c, &plan, req, path),
            });
        for part in parts.iter_mut().take(pending.len()) {
            collected.absorb(part)?;
        }
        spare.extend(pending.drain(..).map(|c| c.bytes));
    }
    let digest = input::finish_digest(&mut chunker.into_inner(), &digest_slot, path)?;
    Ok((plan, collected, digest))
}

/// Calls `visit(id, line)` for every unit id of the file until it returns true.
pub(super) fn for_each_id(
    path: &Path,
    format: Format,
    col: usize,
    unit: &str,
    visit: &mut dyn FnMut(&[u8], u64) -> bool,
) -> Result<()> {
    let reader = input::open(path, None)?;
    let mut chunker = match format {
        Format::JsonLines => Chunker::lines(reader),
        _ => Chunker::new(reader),
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
                        if visit(f.trim_ascii(), line) {
                            return Ok(());
                        }
                    }
                }
            }
            _ => {
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
                    if visit(id.trim_ascii(), line) {
                        return Ok(());
                    }
                }
            }
        }
    }
    Ok(())
}
