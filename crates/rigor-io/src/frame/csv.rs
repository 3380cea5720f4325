//! CSV into a [`Frame`]: RFC 4180 (a header row, `,` separators, `"` quoting with `""`
//! escapes, LF or CRLF line ends, a UTF-8 byte-order mark tolerated, blank lines
//! skipped as pandas does), parsed in parallel blocks of whole records.

use std::io::Read;
use std::path::Path;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::{is_missing, parse_bool, parse_number, Dtype, Frame, FrameColumn, Values, MISSING};
use crate::error::{Error, Result};
use crate::input::FileDigest;
use crate::input::{fill, finish_digest, open_digested, Progress};

/// Blocks are cut at about this size.
const BLOCK_BYTES: usize = 4 << 20;

pub(super) fn read(path: &Path, progress: Option<Progress<'_>>) -> Result<Frame> {
    read_with(path, progress, BLOCK_BYTES)
}

pub(super) fn read_with(
    path: &Path,
    progress: Option<Progress<'_>>,
    block_bytes: usize,
) -> Result<Frame> {
    let first = scan(path, progress, block_bytes, None)?;
    // Columns numeric in some blocks and text in others are re-read as text.
    let Scan {
        names,
        builder,
        digest,
    } = if first.builder.mixed.iter().any(|&m| m) {
        let mixed = first.builder.mixed.clone();
        drop(first);
        scan(path, None, block_bytes, Some(&mixed))?
    } else {
        first
    };
    Ok(builder.finish(names, digest))
}

/// One pass over a file: its header, its blocks parsed, its digest.
struct Scan {
    names: Vec<String>,
    builder: Builder,
    digest: FileDigest,
}

/// Blocks parsed together: reading pauses while they are parsed in parallel, so
/// memory holds about this many blocks of text, never the whole file.
const BATCH: usize = 8;

/// Reads `path` block by block (blocks end at record ends), parsing each batch of
/// blocks in parallel. `force_text` marks columns to read as text.
fn scan(
    path: &Path,
    progress: Option<Progress<'_>>,
    block_bytes: usize,
    force_text: Option<&[bool]>,
) -> Result<Scan> {
    let (mut reader, slot) = open_digested(path, progress)?;
    let mut buf: Vec<u8> = Vec::new();
    let mut eof = false;
    // The header: read until its record is complete.
    let header_end = loop {
        let end = record_end(&buf, 0);
        if end < buf.len() || buf.ends_with(b"\n") || eof {
            break end;
        }
        let want = buf.len() + (64 << 10);
        eof = fill(&mut reader, &mut buf, want, path)?;
    };
    let bom = if buf.starts_with(b"\xef\xbb\xbf") {
        3
    } else {
        0
    };
    let names = parse_header(path, trim_record(&buf[bom..header_end.max(bom)]))?;
    let width = names.len();
    let mut line = 1 + memchr::memchr_iter(b'\n', &buf[..header_end]).count() as u64;
    buf.drain(..header_end);
    let all_numeric = vec![false; width];
    let force_text = force_text.unwrap_or(&all_numeric);

    let mut builder = Builder::new(width);
    let total_bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let mut consumed = header_end as u64;
    let mut reserved = false;
    let mut pending: Vec<(Vec<u8>, u64)> = Vec::with_capacity(BATCH);
    let block_bytes = block_bytes.max(1);
    loop {
        if !eof && buf.len() < block_bytes {
            eof = fill(&mut reader, &mut buf, block_bytes, path)?;
        }
        let cut = if eof { buf.len() } else { csv_boundary(&buf) };
        if cut == 0 && !eof {
            // One record is larger than the buffer: read more.
            let want = buf.len() + block_bytes;
            eof = fill(&mut reader, &mut buf, want, path)?;
            continue;
        }
        if cut > 0 {
            let rest = buf.split_off(cut);
            let block = std::mem::replace(&mut buf, rest);
            let lines = memchr::memchr_iter(b'\n', &block).count() as u64;
            consumed += block.len() as u64;
            pending.push((block, line));
            line += lines;
        }
        let done = eof && buf.is_empty();
        if pending.len() >= BATCH || (done && !pending.is_empty()) {
            let parsed: Vec<std::result::Result<Chunk, BlockError>> = pending
                .par_iter()
                .map(|(block, first_line)| {
                    parse_block(block, *first_line, width, &names, force_text)
                })
                .collect();
            pending.clear();
            for p in parsed {
                builder.merge(p.map_err(|e| Error::line(path, e.line, e.problem))?);
            }
            // Size the columns once from the first batch (plain files only: a gzip
            // file's size says little about its rows), so they do not grow by doubling.
            if !reserved && !done && consumed > 0 && !is_gzip_file(path) {
                let estimate = builder.rows as f64 * total_bytes as f64 / consumed as f64;
                builder.reserve((estimate * 1.02) as usize);
                reserved = true;
            }
        }
        if done {
            break;
        }
    }
    let digest = finish_digest(&mut reader, &slot, path)?;
    Ok(Scan {
        names,
        builder,
        digest,
    })
}

/// Column names from the header record (empty names become `Unnamed: i`, as pandas
/// names them; a repeated name is an error).
fn parse_header(path: &Path, header: &[u8]) -> Result<Vec<String>> {
    let mut scratch = Vec::new();
    let mut fields = Vec::new();
    let from_scratch = split_record(header, &mut fields, &mut scratch)
        .map_err(|problem| Error::line(path, 1, format!("header: {problem}")))?;
    let source = if from_scratch { &scratch[..] } else { header };
    let mut names: Vec<String> = Vec::with_capacity(fields.len());
    for (i, &(s, e)) in fields.iter().enumerate() {
        let name = std::str::from_utf8(&source[s..e])
            .map_err(|_| Error::line(path, 1, "header is not valid UTF-8"))?;
        let name = if name.is_empty() {
            format!("Unnamed: {i}")
        } else {
            name.to_string()
        };
        if names.contains(&name) {
            return Err(Error::line(
                path,
                1,
                format!("header: column '{name}' appears twice"),
            ));
        }
        names.push(name);
    }
    Ok(names)
}

/// The end of the last complete record in `buf` (just past its newline; 0 if none).
/// `buf` starts at a record boundary, so quotes are balanced there; an escaped quote
/// (`""`) keeps the parity, so a newline ends a record exactly when an even number of
/// quotes precedes it.
fn csv_boundary(buf: &[u8]) -> usize {
    if memchr::memchr(b'"', buf).is_none() {
        return memchr::memrchr(b'\n', buf).map_or(0, |p| p + 1);
    }
    let mut inside = false;
    let mut end = 0;
    for p in memchr::memchr2_iter(b'"', b'\n', buf) {
        if buf[p] == b'"' {
            inside = !inside;
        } else if !inside {
            end = p + 1;
        }
    }
    end
}

/// The index just past the record starting at `start` (past its `\n`, or the end).
fn record_end(data: &[u8], start: usize) -> usize {
    let rest = &data[start..];
    let Some(nl) = memchr::memchr(b'\n', rest) else {
        return data.len();
    };
    if memchr::memchr(b'"', &rest[..nl]).is_none() {
        return start + nl + 1;
    }
    let mut inside = false;
    for p in memchr::memchr2_iter(b'"', b'\n', rest) {
        if rest[p] == b'"' {
            inside = !inside;
        } else if !inside {
            return start + p + 1;
        }
    }
    data.len()
}

/// A record without its line end.
fn trim_record(record: &[u8]) -> &[u8] {
    let r = record.strip_suffix(b"\n").unwrap_or(record);
    r.strip_suffix(b"\r").unwrap_or(r)
}

/// Splits one record into field ranges. Returns whether the ranges index `scratch`
/// (the record had quotes, and was unescaped there) rather than the record.
fn split_record(
    record: &[u8],
    fields: &mut Vec<(usize, usize)>,
    scratch: &mut Vec<u8>,
) -> std::result::Result<bool, String> {
    fields.clear();
    if memchr::memchr(b'"', record).is_none() {
        let mut s = 0;
        for p in memchr::memchr_iter(b',', record) {
            fields.push((s, p));
            s = p + 1;
        }
        fields.push((s, record.len()));
        return Ok(false);
    }
    scratch.clear();
    let mut i = 0;
    loop {
        let start = scratch.len();
        if record.get(i) == Some(&b'"') {
            i += 1;
            loop {
                match record.get(i) {
                    None => return Err("a quoted field is not closed".to_string()),
                    Some(b'"') if record.get(i + 1) == Some(&b'"') => {
                        scratch.push(b'"');
                        i += 2;
                    }
                    Some(b'"') => {
                        i += 1;
                        break;
                    }
                    Some(&b) => {
                        scratch.push(b);
                        i += 1;
                    }
                }
            }
            // Text after the closing quote (`"a"b`) is kept, as lenient parsers do.
            while let Some(&b) = record.get(i) {
                if b == b',' {
                    break;
                }
                scratch.push(b);
                i += 1;
            }
        } else {
            while let Some(&b) = record.get(i) {
                if b == b',' {
                    break;
                }
                scratch.push(b);
                i += 1;
            }
        }
        fields.push((start, scratch.len()));
        if record.get(i) == Some(&b',') {
            i += 1;
        } else {
            break;
        }
    }
    Ok(true)
}

/// One column of one block.
enum ChunkColumn {
    Numbers {
        values: Vec<f64>,
        all_int: bool,
    },
    Text {
        codes: Vec<u32>,
        index: FxHashMap<Vec<u8>, u32>,
        values: Vec<Vec<u8>>,
    },
}

impl ChunkColumn {
    fn text() -> ChunkColumn {
        ChunkColumn::Text {
            codes: Vec::new(),
            index: FxHashMap::default(),
            values: Vec::new(),
        }
    }

    fn push_text(&mut self, field: &[u8]) {
        let ChunkColumn::Text {
            codes,
            index,
            values,
        } = self
        else {
            unreachable!("text column")
        };
        if is_missing(field) {
            codes.push(MISSING);
            return;
        }
        if let Some(&last) = codes.last() {
            if last != MISSING && values[last as usize] == field {
                codes.push(last);
                return;
            }
        }
        let code = match index.get(field) {
            Some(&code) => code,
            None => {
                values.push(field.to_vec());
                let code = (values.len() - 1) as u32;
                index.insert(field.to_vec(), code);
                code
            }
        };
        codes.push(code);
    }
}

struct Chunk {
    rows: usize,
    columns: Vec<ChunkColumn>,
}

/// A problem in a block: the file line and what is wrong.
struct BlockError {
    line: u64,
    problem: String,
}

/// Visits the records of a block: `(line, fields, source)` for each non-blank record.
fn for_each_record(
    block: &[u8],
    first_line: u64,
    width: usize,
    mut visit: impl FnMut(u64, &[(usize, usize)], &[u8]),
) -> std::result::Result<usize, BlockError> {
    let mut pos = 0;
    let mut line = first_line;
    let mut fields = Vec::with_capacity(width);
    let mut scratch = Vec::new();
    let mut rows = 0;
    while pos < block.len() {
        let end = record_end(block, pos);
        let raw = &block[pos..end];
        let record = trim_record(raw);
        let record_line = line;
        line += memchr::memchr_iter(b'\n', raw).count() as u64;
        pos = end;
        if record.is_empty() {
            continue; // blank line: skipped, as pandas does
        }
        let from_scratch =
            split_record(record, &mut fields, &mut scratch).map_err(|problem| BlockError {
                line: record_line,
                problem,
            })?;
        if fields.len() != width {
            let n = fields.len();
            return Err(BlockError {
                line: record_line,
                problem: format!(
                    "{n} field{}, the header has {width}",
                    if n == 1 { "" } else { "s" }
                ),
            });
        }
        let source = if from_scratch { &scratch[..] } else { record };
        visit(record_line, &fields, source);
        rows += 1;
    }
    Ok(rows)
}

fn parse_block(
    block: &[u8],
    first_line: u64,
    width: usize,
    names: &[String],
    force_text: &[bool],
) -> std::result::Result<Chunk, BlockError> {
    let mut columns: Vec<ChunkColumn> = force_text
        .iter()
        .map(|&t| {
            if t {
                ChunkColumn::text()
            } else {
                ChunkColumn::Numbers {
                    values: Vec::new(),
                    all_int: true,
                }
            }
        })
        .collect();
    // Columns found to hold text in this block, re-read as text below.
    let mut switched = vec![false; width];
    let mut bad_utf8: Option<(u64, usize)> = None;
    let rows = for_each_record(block, first_line, width, |line, fields, source| {
        for (c, column) in columns.iter_mut().enumerate() {
            let (s, e) = fields[c];
            let field = &source[s..e];
            match column {
                ChunkColumn::Numbers { values, all_int } => {
                    if switched[c] {
                        continue;
                    }
                    if is_missing(field) {
                        values.push(f64::NAN);
                    } else if let Some((v, int)) = parse_number(field) {
                        values.push(v);
                        *all_int &= int;
                    } else {
                        switched[c] = true;
                    }
                }
                text @ ChunkColumn::Text { .. } => {
                    if bad_utf8.is_none() && std::str::from_utf8(field).is_err() {
                        bad_utf8 = Some((line, c));
                    }
                    text.push_text(field);
                }
            }
        }
    })?;
    if switched.iter().any(|&s| s) {
        for (c, column) in columns.iter_mut().enumerate() {
            if switched[c] {
                *column = ChunkColumn::text();
            }
        }
        for_each_record(block, first_line, width, |line, fields, source| {
            for (c, column) in columns.iter_mut().enumerate() {
                if switched[c] {
                    let (s, e) = fields[c];
                    let field = &source[s..e];
                    if bad_utf8.is_none() && std::str::from_utf8(field).is_err() {
                        bad_utf8 = Some((line, c));
                    }
                    column.push_text(field);
                }
            }
        })?;
    }
    if let Some((line, c)) = bad_utf8 {
        return Err(BlockError {
            line,
            problem: format!("column '{}': value is not valid UTF-8", names[c]),
        });
    }
    Ok(Chunk { rows, columns })
}

/// Whether a file starts as gzip does ([`crate::input::is_gzip`] of its first bytes).
fn is_gzip_file(path: &Path) -> bool {
    let mut magic = [0u8; 2];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut magic))
        .is_ok()
        && crate::input::is_gzip(&magic)
}

/// The file's columns, filled batch by batch so parsed blocks are freed as soon as
/// they are merged.
struct Builder {
    rows: usize,
    columns: Vec<BuildColumn>,
    /// Columns seen as numbers in one block and text in another: re-read as text.
    mixed: Vec<bool>,
}

enum BuildColumn {
    /// No block merged yet.
    Unset,
    Numbers {
        values: Vec<f64>,
        all_int: bool,
    },
    Text {
        codes: Vec<u32>,
        index: FxHashMap<Vec<u8>, u32>,
        labels: Vec<Vec<u8>>,
    },
}

impl Builder {
    fn new(width: usize) -> Builder {
        Builder {
            rows: 0,
            columns: (0..width).map(|_| BuildColumn::Unset).collect(),
            mixed: vec![false; width],
        }
    }

    fn reserve(&mut self, rows: usize) {
        let extra = rows.saturating_sub(self.rows);
        for column in &mut self.columns {
            match column {
                BuildColumn::Numbers { values, .. } => values.reserve_exact(extra),
                BuildColumn::Text { codes, .. } => codes.reserve_exact(extra),
                BuildColumn::Unset => {}
            }
        }
    }

    fn merge(&mut self, chunk: Chunk) {
        self.rows += chunk.rows;
        for ((column, mixed), part) in self
            .columns
            .iter_mut()
            .zip(&mut self.mixed)
            .zip(chunk.columns)
        {
            if *mixed {
                continue;
            }
            match (&mut *column, part) {
                (BuildColumn::Unset, ChunkColumn::Numbers { values, all_int }) => {
                    *column = BuildColumn::Numbers { values, all_int }
                }
                (BuildColumn::Unset, ChunkColumn::Text { codes, values, .. }) => {
                    let mut text = BuildColumn::Text {
                        codes: Vec::new(),
                        index: FxHashMap::default(),
                        labels: Vec::new(),
                    };
                    text.append_text(codes, values);
                    *column = text;
                }
                (
                    BuildColumn::Numbers {
                        values: all,
                        all_int: all_i,
                    },
                    ChunkColumn::Numbers { values, all_int },
                ) => {
                    *all_i &= all_int;
                    all.extend_from_slice(&values);
                }
                (text @ BuildColumn::Text { .. }, ChunkColumn::Text { codes, values, .. }) => {
                    text.append_text(codes, values)
                }
                _ => {
                    *mixed = true;
                    *column = BuildColumn::Unset;
                }
            }
        }
    }

    fn finish(self, names: Vec<String>, digest: FileDigest) -> Frame {
        let rows = self.rows;
        let columns = names
            .into_iter()
            .zip(self.columns)
            .map(|(name, column)| finish_column(name, column, rows))
            .collect();
        Frame {
            rows,
            columns,
            digest,
        }
    }
}

impl BuildColumn {
    fn append_text(&mut self, part_codes: Vec<u32>, part_labels: Vec<Vec<u8>>) {
        let BuildColumn::Text {
            codes,
            index,
            labels,
        } = self
        else {
            unreachable!("text column")
        };
        let map: Vec<u32> = part_labels
            .into_iter()
            .map(|value| {
                let next = labels.len() as u32;
                *index.entry(value).or_insert_with_key(|k| {
                    labels.push(k.clone());
                    next
                })
            })
            .collect();
        codes.extend(part_codes.iter().map(|&k| {
            if k == MISSING {
                MISSING
            } else {
                map[k as usize]
            }
        }));
    }
}

fn finish_column(name: String, column: BuildColumn, rows: usize) -> FrameColumn {
    let (codes, labels) = match column {
        BuildColumn::Unset => {
            return FrameColumn {
                name,
                dtype: Dtype::Empty,
                values: Values::Numbers(vec![f64::NAN; rows]),
            }
        }
        BuildColumn::Numbers { values, all_int } => {
            let missing = values.iter().filter(|v| v.is_nan()).count();
            let dtype = if missing == values.len() {
                Dtype::Empty
            } else if all_int && missing == 0 {
                Dtype::Int
            } else {
                Dtype::Float
            };
            return FrameColumn {
                name,
                dtype,
                values: Values::Numbers(values),
            };
        }
        BuildColumn::Text { codes, labels, .. } => (codes, labels),
    };
    let missing = codes.iter().filter(|&&c| c == MISSING).count();
    let all_bool = !labels.is_empty() && labels.iter().all(|l| parse_bool(l).is_some());
    if all_bool {
        // pandas reads every spelling as one boolean: merge them into `true`/`false`.
        let canonical: Vec<u32> = labels
            .iter()
            .map(|l| u32::from(parse_bool(l) == Some(true)))
            .collect();
        let codes = codes
            .into_iter()
            .map(|c| {
                if c == MISSING {
                    MISSING
                } else {
                    canonical[c as usize]
                }
            })
            .collect();
        return FrameColumn {
            name,
            // With a missing value pandas holds an object column of bools and NaN.
            dtype: if missing == 0 {
                Dtype::Bool
            } else {
                Dtype::Text
            },
            values: Values::Labels {
                codes,
                labels: vec!["false".to_string(), "true".to_string()],
            },
        };
    }
    FrameColumn {
        name,
        dtype: if missing == rows {
            Dtype::Empty
        } else {
            Dtype::Text
        },
        values: Values::Labels {
            codes,
            labels: labels
                .into_iter()
                .map(|l| String::from_utf8_lossy(&l).into_owned())
                .collect(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(text: &str, block: usize) -> Result<Frame> {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.csv");
        std::fs::write(&p, text).unwrap();
        read_with(&p, None, block)
    }

    #[test]
    fn types_as_pandas() {
        let f = frame(
            "i,f,m,b,s,e,bm\n1,1.5,1,True,a,,true\n2,2,,false,b,,\n3,3,3,TRUE,NA,,false\n",
            1 << 20,
        )
        .unwrap();
        let dtypes: Vec<Dtype> = f.columns.iter().map(|c| c.dtype).collect();
        assert_eq!(
            dtypes,
            vec![
                Dtype::Int,
                Dtype::Float,
                Dtype::Float,
                Dtype::Bool,
                Dtype::Text,
                Dtype::Empty,
                Dtype::Text
            ]
        );
        assert_eq!(f.rows, 3);
        match &f.column("m").unwrap().values {
            Values::Numbers(v) => assert!(v[1].is_nan() && v[2] == 3.0),
            other => panic!("{other:?}"),
        }
        match &f.column("s").unwrap().values {
            Values::Labels { codes, labels } => {
                assert_eq!(codes, &vec![0, 1, MISSING]);
                assert_eq!(labels, &vec!["a".to_string(), "b".to_string()]);
            }
            other => panic!("{other:?}"),
        }
        match &f.column("b").unwrap().values {
            Values::Labels { codes, .. } => assert_eq!(codes, &vec![1, 0, 1]),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn quotes_crlf_and_blank_lines() {
        let f = frame(
            "\u{feff}\"a,b\",c\r\n\"x\"\"y\",1\r\n\r\n\"multi\nline\",2\r\n",
            1 << 20,
        )
        .unwrap();
        assert_eq!(f.names(), vec!["a,b", "c"]);
        assert_eq!(f.rows, 2);
        match &f.columns[0].values {
            Values::Labels { labels, .. } => {
                assert_eq!(labels, &vec!["x\"y".to_string(), "multi\nline".to_string()])
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_column_text_in_one_block_only_is_text_everywhere() {
        let mut text = String::from("x,y\n");
        for i in 0..2000 {
            text.push_str(&format!("{i},{}\n", i % 3));
        }
        text.push_str("oops,1\n");
        let small = frame(&text, 256).unwrap();
        let whole = frame(&text, 1 << 20).unwrap();
        assert_eq!(small, whole);
        assert_eq!(small.columns[0].dtype, Dtype::Text);
        assert_eq!(small.columns[1].dtype, Dtype::Int);
        match &small.columns[0].values {
            Values::Labels { labels, codes } => {
                assert_eq!(labels[codes[1999] as usize], "1999");
                assert_eq!(labels[codes[2000] as usize], "oops");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn errors_name_the_line() {
        let e = frame("a,b\n1,2\n3\n", 1 << 20).unwrap_err().to_string();
        assert!(e.ends_with("t.csv:3: 1 field, the header has 2"), "{e}");
        let e = frame("a,b\n1,2\n\"3,4\n", 1 << 20).unwrap_err().to_string();
        assert!(e.contains("t.csv:3: a quoted field is not closed"), "{e}");
        let e = frame("a,a\n1,2\n", 1 << 20).unwrap_err().to_string();
        assert!(
            e.contains("t.csv:1: header: column 'a' appears twice"),
            "{e}"
        );
        let mut long = String::from("a,b\n");
        for _ in 0..3000 {
            long.push_str("1,2\n");
        }
        long.push_str("1,2,3\n");
        let e = frame(&long, 512).unwrap_err().to_string();
        assert!(e.contains("t.csv:3002: 3 fields"), "{e}");
    }
}
