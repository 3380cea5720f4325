//! CSV (RFC 4180: a header row, `,` separators, `"` quoting with `""` escapes, LF or
//! CRLF line ends, a UTF-8 byte-order mark tolerated), read in parallel blocks.

use std::io::{BufRead, BufReader};
use std::path::Path;

use super::blocks::{csv_boundary, map_blocks, Block, BLOCK_BYTES};
use super::{
    missing_column, parse_number, Builder, ChunkBuilder, ColumnSpec, Kind, RowError, Table,
};
use crate::error::{Error, Result};
use crate::input::{open, Progress};

pub(super) fn read(
    path: &Path,
    specs: &[ColumnSpec<'_>],
    progress: Option<Progress<'_>>,
) -> Result<Table> {
    read_with(path, specs, progress, BLOCK_BYTES)
}

pub(super) fn read_with(
    path: &Path,
    specs: &[ColumnSpec<'_>],
    progress: Option<Progress<'_>>,
    block_bytes: usize,
) -> Result<Table> {
    let mut reader = BufReader::with_capacity(1 << 16, open(path, progress)?);
    let (header, header_lines) = read_header(&mut reader).map_err(|e| Error::io(path, e))?;
    let names = parse_header(path, &header)?;
    let positions: Vec<usize> = specs
        .iter()
        .map(|s| {
            names
                .iter()
                .position(|n| n == s.name)
                .ok_or_else(|| missing_column(path, s.name, &names))
        })
        .collect::<Result<_>>()?;
    let width = names.len();
    let chunks = map_blocks(
        path,
        reader,
        1 + header_lines,
        block_bytes,
        csv_boundary,
        |block| parse_block(block, specs, &positions, width),
    )?;
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
            Err(e) => return Err(e.into_error(path, builder.rows)),
        }
    }
    Ok(builder.finish())
}

/// Reads the header record: bytes up to the first newline outside quotes.
fn read_header(reader: &mut impl BufRead) -> std::io::Result<(Vec<u8>, u64)> {
    let mut header = Vec::new();
    loop {
        let before = header.len();
        if reader.read_until(b'\n', &mut header)? == 0 {
            break;
        }
        let quotes = memchr::memchr_iter(b'"', &header).count();
        if quotes % 2 == 0 || header.len() == before {
            break;
        }
    }
    let lines = memchr::memchr_iter(b'\n', &header).count() as u64;
    Ok((header, lines.max(1)))
}

fn parse_header(path: &Path, header: &[u8]) -> Result<Vec<String>> {
    let header = header.strip_prefix(b"\xef\xbb\xbf").unwrap_or(header);
    let mut rdr = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(header);
    let mut record = ::csv::StringRecord::new();
    match rdr.read_record(&mut record) {
        Ok(true) => Ok(record.iter().map(str::to_string).collect()),
        Ok(false) => Err(Error::file(path, "holds no header row")),
        Err(e) => Err(Error::line(path, 1, format!("header: {e}"))),
    }
}

fn parse_block<'s>(
    block: &Block,
    specs: &'s [ColumnSpec<'s>],
    positions: &[usize],
    width: usize,
) -> std::result::Result<ChunkBuilder<'s>, RowError> {
    if memchr::memchr(b'"', &block.bytes).is_none() {
        return parse_plain_block(block, specs, positions, width);
    }
    let mut chunk = ChunkBuilder::new(specs);
    let mut rdr = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(block.bytes.as_slice());
    let mut record = ::csv::ByteRecord::new();
    loop {
        let line_of =
            |r: &::csv::ByteRecord| block.first_line + r.position().map_or(1, |p| p.line()) - 1;
        match rdr.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e
                    .position()
                    .map_or(block.first_line, |p| block.first_line + p.line() - 1);
                return Err(RowError {
                    row: chunk.rows,
                    line: Some(line),
                    column: None,
                    problem: e.to_string(),
                });
            }
        }
        let line = line_of(&record);
        let row = chunk.rows;
        let fail = |column: Option<&str>, problem: String| RowError {
            row,
            line: Some(line),
            column: column.map(str::to_string),
            problem,
        };
        if record.len() != width {
            let n = record.len();
            return Err(fail(
                None,
                format!(
                    "{n} field{}, the header has {width}",
                    if n == 1 { "" } else { "s" }
                ),
            ));
        }
        for (c, (spec, &pos)) in specs.iter().zip(positions).enumerate() {
            let field = &record[pos];
            let pushed = match spec.kind {
                Kind::Text(_) => chunk.push_text(c, field),
                Kind::Number(_) => parse_number(field).and_then(|v| chunk.push_number(c, v)),
            };
            if let Err(problem) = pushed {
                return Err(fail(Some(spec.name), problem));
            }
        }
        chunk.rows += 1;
    }
    Ok(chunk)
}

/// A block without quotes: every line is a record and every comma a separator, so
/// fields are found with memchr instead of the general CSV state machine.
fn parse_plain_block<'s>(
    block: &Block,
    specs: &'s [ColumnSpec<'s>],
    positions: &[usize],
    width: usize,
) -> std::result::Result<ChunkBuilder<'s>, RowError> {
    let mut chunk = ChunkBuilder::new(specs);
    let mut fields: Vec<&[u8]> = Vec::with_capacity(width);
    for (line_no, line) in (block.first_line..).zip(block.bytes.split(|b| *b == b'\n')) {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            continue;
        }
        fields.clear();
        fields.extend(line.split(|b| *b == b','));
        let row = chunk.rows;
        let fail = |column: Option<&str>, problem: String| RowError {
            row,
            line: Some(line_no),
            column: column.map(str::to_string),
            problem,
        };
        if fields.len() != width {
            let n = fields.len();
            return Err(fail(
                None,
                format!(
                    "{n} field{}, the header has {width}",
                    if n == 1 { "" } else { "s" }
                ),
            ));
        }
        for (c, (spec, &pos)) in specs.iter().zip(positions).enumerate() {
            let field = fields[pos];
            let pushed = match spec.kind {
                Kind::Text(_) => chunk.push_text(c, field),
                Kind::Number(_) => parse_number(field).and_then(|v| chunk.push_number(c, v)),
            };
            if let Err(problem) = pushed {
                return Err(fail(Some(spec.name), problem));
            }
        }
        chunk.rows += 1;
    }
    Ok(chunk)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_with_bom_quotes_and_crlf() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.csv");
        std::fs::write(&p, "\u{feff}\"la\nbel\",score\r\nx,1\r\n\r\ny,0\r\n").unwrap();
        let t = read(
            &p,
            &[ColumnSpec::text("la\nbel"), ColumnSpec::number("score")],
            None,
        )
        .unwrap();
        assert_eq!(t.rows, 2);
        assert_eq!(t.text(0).values, vec!["x", "y"]);
        assert_eq!(t.number(1), &[1.0, 0.0]);
    }

    #[test]
    fn plain_and_quoted_blocks_agree() {
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("p.csv");
        let quoted = dir.path().join("q.csv");
        std::fs::write(&plain, "a,label,s\r\n1,x,0.5\r\n\r\n2,y,1e-3\n3,x, 2 \n").unwrap();
        std::fs::write(
            &quoted,
            "a,label,s\r\n1,\"x\",0.5\r\n\r\n2,y,1e-3\n3,x, 2 \n",
        )
        .unwrap();
        let specs = [ColumnSpec::text("label"), ColumnSpec::number("s")];
        let p = read(&plain, &specs, None).unwrap();
        assert_eq!(p, read(&quoted, &specs, None).unwrap());
        assert_eq!(p.number(1), &[0.5, 0.001, 2.0]);
        std::fs::write(&plain, "a,label,s\n1,x,0.5\n2,y\n").unwrap();
        let e = read(&plain, &specs, None).unwrap_err().to_string();
        assert!(
            e.contains("p.csv:3: row 2: 2 fields, the header has 3"),
            "{e}"
        );
    }

    #[test]
    fn gzip_is_read_by_content() {
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.csv.gz");
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(b"label\na\nb\n").unwrap();
        std::fs::write(&p, gz.finish().unwrap()).unwrap();
        let t = read(&p, &[ColumnSpec::text("label")], None).unwrap();
        assert_eq!(t.text(0).codes, vec![0, 1]);
    }

    #[test]
    fn small_blocks_give_the_same_table() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.csv");
        let mut text = String::from("label,x\n");
        for i in 0..3000 {
            text.push_str(&format!("\"l{}\nx\",{}\n", i % 13, i));
        }
        std::fs::write(&p, &text).unwrap();
        let specs = [ColumnSpec::text("label"), ColumnSpec::number("x")];
        let whole = read(&p, &specs, None).unwrap();
        let small = read_with(&p, &specs, None, 100).unwrap();
        assert_eq!(whole, small);
        assert_eq!(whole.rows, 3000);
        assert_eq!(whole.text(0).values[1], "l1\nx");
    }
}
