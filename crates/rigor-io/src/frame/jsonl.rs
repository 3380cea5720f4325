//! JSON Lines into a [`Frame`], typed as `pandas.read_json(lines=True)` types it: one
//! object per line (blank lines skipped); columns are the keys in order of first
//! appearance, a key absent from a line or `null` is missing; JSON integers make an
//! integer column (floats once a value is missing or fractional), strings text,
//! `true`/`false` booleans. Nested arrays and objects are refused.

use std::path::Path;

use indexmap::IndexMap;
use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::{parse_bool, Dtype, Frame, FrameColumn, Values, MISSING};
use crate::error::{Error, Result};
use crate::input::{fill, finish_digest, open_digested, Progress};

const BLOCK_BYTES: usize = 4 << 20;
const BATCH: usize = 8;

pub(super) fn read(path: &Path, progress: Option<Progress<'_>>) -> Result<Frame> {
    read_with(path, progress, BLOCK_BYTES)
}

pub(super) fn read_with(
    path: &Path,
    progress: Option<Progress<'_>>,
    block_bytes: usize,
) -> Result<Frame> {
    let (mut reader, slot) = open_digested(path, progress)?;
    let block_bytes = block_bytes.max(1);
    let mut buf: Vec<u8> = Vec::new();
    let mut eof = false;
    let mut line = 1u64;
    let mut chunks: Vec<Chunk> = Vec::new();
    let mut pending: Vec<(Vec<u8>, u64)> = Vec::new();
    loop {
        if !eof && buf.len() < block_bytes {
            eof = fill(&mut reader, &mut buf, block_bytes, path)?;
        }
        let cut = if eof {
            buf.len()
        } else {
            memchr::memrchr(b'\n', &buf).map_or(0, |p| p + 1)
        };
        if cut == 0 && !eof {
            let want = buf.len() + block_bytes;
            eof = fill(&mut reader, &mut buf, want, path)?;
            continue;
        }
        if cut > 0 {
            let rest = buf.split_off(cut);
            let block = std::mem::replace(&mut buf, rest);
            let lines = memchr::memchr_iter(b'\n', &block).count() as u64;
            pending.push((block, line));
            line += lines;
        }
        let done = eof && buf.is_empty();
        if pending.len() >= BATCH || (done && !pending.is_empty()) {
            let parsed: Vec<std::result::Result<Chunk, (u64, String)>> = pending
                .par_iter()
                .map(|(block, first)| parse_block(block, *first))
                .collect();
            pending.clear();
            for p in parsed {
                chunks.push(p.map_err(|(l, problem)| Error::line(path, l, problem))?);
            }
        }
        if done {
            break;
        }
    }
    let digest = finish_digest(&mut reader, &slot, path)?;
    let (rows, columns) = merge(chunks);
    Ok(Frame {
        rows,
        columns,
        digest,
    })
}

/// One column of one block. Rows before the column's first appearance are missing.
enum Column {
    Numbers {
        values: Vec<f64>,
        all_int: bool,
    },
    Text {
        codes: Vec<u32>,
        index: FxHashMap<String, u32>,
        labels: Vec<String>,
    },
}

impl Column {
    fn len(&self) -> usize {
        match self {
            Column::Numbers { values, .. } => values.len(),
            Column::Text { codes, .. } => codes.len(),
        }
    }

    fn pad(&mut self, rows: usize) {
        match self {
            Column::Numbers { values, .. } => values.resize(rows, f64::NAN),
            Column::Text { codes, .. } => codes.resize(rows, MISSING),
        }
    }

    /// Turns a numeric column into text (numbers rendered as JSON writes them).
    fn into_text(self) -> Column {
        match self {
            Column::Numbers { values, all_int } => {
                let mut t = Column::Text {
                    codes: Vec::with_capacity(values.len()),
                    index: FxHashMap::default(),
                    labels: Vec::new(),
                };
                for v in values {
                    if v.is_nan() {
                        t.push_missing();
                    } else if all_int || v.fract() == 0.0 && v.abs() < 9e15 {
                        t.push_text(&format!("{}", v as i64));
                    } else {
                        t.push_text(&format!("{v}"));
                    }
                }
                t
            }
            text => text,
        }
    }

    fn push_missing(&mut self) {
        match self {
            Column::Numbers { values, .. } => values.push(f64::NAN),
            Column::Text { codes, .. } => codes.push(MISSING),
        }
    }

    fn push_text(&mut self, s: &str) {
        let Column::Text {
            codes,
            index,
            labels,
        } = self
        else {
            unreachable!("text column")
        };
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
}

struct Chunk {
    rows: usize,
    columns: IndexMap<String, Column>,
}

fn parse_block(block: &[u8], first_line: u64) -> std::result::Result<Chunk, (u64, String)> {
    let mut columns: IndexMap<String, Column> = IndexMap::new();
    let mut rows = 0usize;
    for (i, raw) in block.split(|&b| b == b'\n').enumerate() {
        let line = first_line + i as u64;
        let text = raw.strip_suffix(b"\r").unwrap_or(raw);
        if text.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let object: serde_json::Map<String, serde_json::Value> =
            serde_json::from_slice(text).map_err(|e| (line, format!("not a JSON object: {e}")))?;
        for (key, value) in object {
            let column = columns
                .entry(key.clone())
                .or_insert_with(|| Column::Numbers {
                    values: Vec::new(),
                    all_int: true,
                });
            column.pad(rows);
            match value {
                serde_json::Value::Null => column.push_missing(),
                serde_json::Value::Number(n) => match column {
                    Column::Numbers { values, all_int } => {
                        *all_int &= n.is_i64() || n.is_u64();
                        values.push(n.as_f64().unwrap_or(f64::NAN));
                    }
                    Column::Text { .. } => column.push_text(&n.to_string()),
                },
                serde_json::Value::String(s) => {
                    if matches!(column, Column::Numbers { .. }) {
                        let old = std::mem::replace(
                            column,
                            Column::Numbers {
                                values: Vec::new(),
                                all_int: true,
                            },
                        );
                        *column = old.into_text();
                    }
                    column.push_text(&s);
                }
                serde_json::Value::Bool(b) => {
                    if matches!(column, Column::Numbers { .. }) {
                        let old = std::mem::replace(
                            column,
                            Column::Numbers {
                                values: Vec::new(),
                                all_int: true,
                            },
                        );
                        *column = old.into_text();
                    }
                    column.push_text(if b { "true" } else { "false" });
                }
                serde_json::Value::Array(_) | serde_json::Value::Object(_) => {
                    return Err((
                        line,
                        format!("key '{key}': nested arrays and objects cannot be compared"),
                    ));
                }
            }
        }
        rows += 1;
    }
    for column in columns.values_mut() {
        column.pad(rows);
    }
    Ok(Chunk { rows, columns })
}

fn merge(chunks: Vec<Chunk>) -> (usize, Vec<FrameColumn>) {
    let rows: usize = chunks.iter().map(|c| c.rows).sum();
    let mut names: Vec<String> = Vec::new();
    for c in &chunks {
        for k in c.columns.keys() {
            if !names.contains(k) {
                names.push(k.clone());
            }
        }
    }
    let text: Vec<bool> = names
        .iter()
        .map(|n| {
            chunks
                .iter()
                .any(|c| matches!(c.columns.get(n), Some(Column::Text { .. })))
        })
        .collect();
    let mut parts: Vec<Vec<Column>> = names.iter().map(|_| Vec::new()).collect();
    for mut chunk in chunks {
        for (i, name) in names.iter().enumerate() {
            let mut column = chunk
                .columns
                .swap_remove(name)
                .unwrap_or_else(|| Column::Numbers {
                    values: vec![f64::NAN; chunk.rows],
                    all_int: true,
                });
            if text[i] {
                column = column.into_text();
            }
            debug_assert_eq!(column.len(), chunk.rows);
            parts[i].push(column);
        }
    }
    let columns = names
        .into_iter()
        .zip(parts)
        .map(|(name, parts)| merge_column(name, parts, rows))
        .collect();
    (rows, columns)
}

fn merge_column(name: String, parts: Vec<Column>, rows: usize) -> FrameColumn {
    if parts.iter().all(|p| matches!(p, Column::Numbers { .. })) {
        let mut values = Vec::with_capacity(rows);
        let mut all_int = true;
        for p in parts {
            if let Column::Numbers {
                values: v,
                all_int: i,
            } = p
            {
                all_int &= i;
                values.extend(v);
            }
        }
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
    let mut codes = Vec::with_capacity(rows);
    let mut index: FxHashMap<String, u32> = FxHashMap::default();
    let mut labels: Vec<String> = Vec::new();
    for p in parts {
        if let Column::Text {
            codes: c,
            labels: l,
            ..
        } = p
        {
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
            codes.extend(c.iter().map(|&k| {
                if k == MISSING {
                    MISSING
                } else {
                    map[k as usize]
                }
            }));
        }
    }
    let missing = codes.iter().filter(|&&c| c == MISSING).count();
    let all_bool = !labels.is_empty() && labels.iter().all(|l| l == "true" || l == "false");
    let dtype = if missing == rows {
        Dtype::Empty
    } else if all_bool && missing == 0 {
        Dtype::Bool
    } else {
        Dtype::Text
    };
    if all_bool {
        let canonical: Vec<u32> = labels
            .iter()
            .map(|l| u32::from(parse_bool(l.as_bytes()) == Some(true)))
            .collect();
        codes = codes
            .into_iter()
            .map(|c| {
                if c == MISSING {
                    MISSING
                } else {
                    canonical[c as usize]
                }
            })
            .collect();
        labels = vec!["false".to_string(), "true".to_string()];
    }
    FrameColumn {
        name,
        dtype,
        values: Values::Labels { codes, labels },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(text: &str, block: usize) -> Result<Frame> {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.jsonl");
        std::fs::write(&p, text).unwrap();
        read_with(&p, None, block)
    }

    #[test]
    fn types_as_pandas_read_json() {
        let f = frame(
            "{\"i\":1,\"f\":1.5,\"m\":1,\"b\":true,\"s\":\"a\"}\n\n{\"i\":2,\"f\":2,\"b\":false,\"s\":null,\"late\":3}\n",
            1 << 20,
        )
        .unwrap();
        assert_eq!(f.rows, 2);
        assert_eq!(f.names(), vec!["i", "f", "m", "b", "s", "late"]);
        let dtypes: Vec<Dtype> = f.columns.iter().map(|c| c.dtype).collect();
        assert_eq!(
            dtypes,
            vec![
                Dtype::Int,
                Dtype::Float,
                Dtype::Float,
                Dtype::Bool,
                Dtype::Text,
                Dtype::Float
            ]
        );
        match &f.column("late").unwrap().values {
            Values::Numbers(v) => assert!(v[0].is_nan() && v[1] == 3.0),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn numbers_then_text_across_blocks_is_text() {
        let mut text = String::new();
        for i in 0..500 {
            text.push_str(&format!("{{\"x\":{i}}}\n"));
        }
        text.push_str("{\"x\":\"oops\"}\n");
        let small = frame(&text, 64).unwrap();
        assert_eq!(small, frame(&text, 1 << 20).unwrap());
        assert_eq!(small.columns[0].dtype, Dtype::Text);
        match &small.columns[0].values {
            Values::Labels { codes, labels } => {
                assert_eq!(labels[codes[7] as usize], "7");
                assert_eq!(labels[codes[500] as usize], "oops");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn errors_name_the_line() {
        let e = frame("{\"x\":1}\n{\"x\":\n", 1 << 20)
            .unwrap_err()
            .to_string();
        assert!(e.contains("t.jsonl:2: not a JSON object"), "{e}");
        let e = frame("{\"x\":[1]}\n", 1 << 20).unwrap_err().to_string();
        assert!(e.contains("t.jsonl:1: key 'x': nested"), "{e}");
    }
}
