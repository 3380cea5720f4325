//! JSON Lines: one JSON object per line (blank lines skipped), read in parallel blocks.
//! Only the requested keys are kept; other values are skipped without being built.

use std::fmt;
use std::path::Path;

use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde_json::Value;

use super::blocks::{line_boundary, map_blocks, Block, BLOCK_BYTES};
use super::{
    float_text, missing_column, parse_number, Builder, ChunkBuilder, ColumnSpec, Kind, RowError,
    Table,
};
use crate::error::Result;
use crate::input::{open, Progress};

pub(super) fn read(
    path: &Path,
    specs: &[ColumnSpec<'_>],
    progress: Option<Progress<'_>>,
) -> Result<Table> {
    let reader = open(path, progress)?;
    let chunks = map_blocks(path, reader, 1, BLOCK_BYTES, line_boundary, |block| {
        parse_block(block, specs)
    })?;
    let mut builder = Builder::new(specs);
    builder.reserve(
        chunks
            .iter()
            .map_while(|c| c.as_ref().ok())
            .map(|c| c.rows)
            .sum(),
    );
    for chunk in chunks {
        match chunk {
            Ok(chunk) => builder.merge(chunk),
            Err((e, keys)) => {
                // A key missing from the first row is a column the file does not have.
                if builder.rows + e.row == 0 {
                    if let (Some(keys), Some(name)) = (keys, &e.column) {
                        return Err(missing_column(path, name, &keys));
                    }
                }
                return Err(e.into_error(path, builder.rows));
            }
        }
    }
    Ok(builder.finish())
}

/// A row error, with the keys of its object when a requested key was missing.
type BlockError = (RowError, Option<Vec<String>>);

fn parse_block<'s>(
    block: &Block,
    specs: &'s [ColumnSpec<'s>],
) -> std::result::Result<ChunkBuilder<'s>, BlockError> {
    let names: Vec<&str> = specs.iter().map(|s| s.name).collect();
    let mut chunk = ChunkBuilder::new(specs);
    for (line_here, line) in (block.first_line..).zip(block.bytes.split(|b| *b == b'\n')) {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let row = chunk.rows;
        let fail = |column: Option<&str>, problem: String| RowError {
            row,
            line: Some(line_here),
            column: column.map(str::to_string),
            problem,
        };
        let mut de = serde_json::Deserializer::from_slice(line);
        let values = match (Picker { names: &names }).deserialize(&mut de) {
            Ok(v) if de.end().is_ok() => v,
            _ => return Err((fail(None, "not a JSON object".to_string()), None)),
        };
        for (c, (spec, value)) in specs.iter().zip(values).enumerate() {
            let pushed = match value {
                None => {
                    let keys = serde_json::from_slice::<serde_json::Map<String, Value>>(line)
                        .map(|m| m.keys().cloned().collect())
                        .ok();
                    return Err((fail(Some(spec.name), "missing".to_string()), keys));
                }
                Some(value) => push(&mut chunk, c, spec, value),
            };
            if let Err(problem) = pushed {
                return Err((fail(Some(spec.name), problem), None));
            }
        }
        chunk.rows += 1;
    }
    Ok(chunk)
}

fn push(
    chunk: &mut ChunkBuilder<'_>,
    c: usize,
    spec: &ColumnSpec<'_>,
    value: Value,
) -> std::result::Result<(), String> {
    match (spec.kind, value) {
        (_, Value::Null) => Err("null".to_string()),
        (_, Value::Array(_) | Value::Object(_)) => Err("not a single value".to_string()),
        (Kind::Text(_), Value::String(s)) => chunk.push_text(c, s.as_bytes()),
        (Kind::Text(_), Value::Bool(b)) => chunk.push_text(c, if b { b"true" } else { b"false" }),
        (Kind::Text(_), Value::Number(n)) => {
            let text = match (n.as_i64(), n.as_u64(), n.as_f64()) {
                (Some(i), _, _) => i.to_string(),
                (_, Some(u), _) => u.to_string(),
                (_, _, Some(f)) => float_text(f),
                _ => n.to_string(),
            };
            chunk.push_text(c, text.as_bytes())
        }
        (Kind::Number(_), Value::Number(n)) => match n.as_f64() {
            Some(v) => chunk.push_number(c, v),
            None => Err(format!("{n} is not a number")),
        },
        (Kind::Number(_), Value::String(s)) => {
            parse_number(s.as_bytes()).and_then(|v| chunk.push_number(c, v))
        }
        (Kind::Number(_), Value::Bool(b)) => Err(format!("{b} is not a number")),
    }
}

/// Deserializes one JSON object, keeping the values of the wanted keys only.
struct Picker<'a> {
    names: &'a [&'a str],
}

impl<'de> DeserializeSeed<'de> for Picker<'_> {
    type Value = Vec<Option<Value>>;

    fn deserialize<D: serde::Deserializer<'de>>(
        self,
        d: D,
    ) -> std::result::Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Picker<'_> {
    type Value = Vec<Option<Value>>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(
        self,
        mut map: A,
    ) -> std::result::Result<Self::Value, A::Error> {
        let mut out = vec![None; self.names.len()];
        while let Some(key) = map.next_key::<String>()? {
            match self.names.iter().position(|n| *n == key) {
                Some(i) => out[i] = Some(map.next_value::<Value>()?),
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(out)
    }
}
