//! Cutting a text file into blocks of whole records and processing them in parallel.
//!
//! A reader thread fills blocks of about [`BLOCK_BYTES`] and cuts each at the last
//! record boundary it holds; rayon workers process blocks while the next is read.
//! Results come back in file order, so row numbers and dictionaries are deterministic.

use std::io::Read;
use std::path::Path;
use std::sync::mpsc::sync_channel;

use rayon::prelude::*;

use crate::error::Result;
use crate::input::fill;

/// Blocks are cut at about this size (a record larger than a block extends it).
pub const BLOCK_BYTES: usize = 4 << 20;

/// Whole records, with the file line number of the first.
pub struct Block {
    pub first_line: u64,
    pub bytes: Vec<u8>,
}

/// Where the last complete record in `buf` ends (just past its newline); 0 if none.
pub type Boundary = fn(&[u8]) -> usize;

/// The end of the last complete line.
pub fn line_boundary(buf: &[u8]) -> usize {
    memchr::memrchr(b'\n', buf).map_or(0, |p| p + 1)
}

/// The end of the last complete CSV record: after the last newline outside quotes.
/// Blocks start at a record boundary, so quotes are balanced there; RFC 4180's
/// escaped quote (`""`) keeps the parity, so a newline ends a record exactly when an
/// even number of quotes precedes it.
pub fn csv_boundary(buf: &[u8]) -> usize {
    if memchr::memchr(b'"', buf).is_none() {
        return line_boundary(buf);
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

/// Reads `reader` (positioned at a record boundary on line `first_line`) in blocks cut
/// by `boundary` and returns `process(block)` for every block, in file order.
pub fn map_blocks<T, F>(
    path: &Path,
    reader: impl Read + Send,
    first_line: u64,
    block_bytes: usize,
    boundary: Boundary,
    process: F,
) -> Result<Vec<T>>
where
    T: Send,
    F: Fn(&Block) -> T + Sync,
{
    let (tx, rx) = sync_channel::<Result<(usize, Block)>>(4);
    let mut outputs: Vec<Result<(usize, T)>> = std::thread::scope(|s| {
        s.spawn(move || {
            cut(path, reader, first_line, block_bytes, boundary, |b| {
                tx.send(b).is_ok()
            })
        });
        rx.into_iter()
            .par_bridge()
            .map(|b| b.map(|(i, block)| (i, process(&block))))
            .collect()
    });
    if let Some(pos) = outputs.iter().position(Result::is_err) {
        return match outputs.swap_remove(pos) {
            Err(e) => Err(e),
            Ok(_) => unreachable!("position found an error"),
        };
    }
    let mut done: Vec<(usize, T)> = outputs.into_iter().filter_map(|o| o.ok()).collect();
    done.sort_unstable_by_key(|(i, _)| *i);
    Ok(done.into_iter().map(|(_, t)| t).collect())
}

fn cut(
    path: &Path,
    mut reader: impl Read,
    mut first_line: u64,
    block_bytes: usize,
    boundary: Boundary,
    send: impl Fn(Result<(usize, Block)>) -> bool,
) {
    let block_bytes = block_bytes.max(1);
    let mut buf: Vec<u8> = Vec::new();
    let mut index = 0usize;
    let mut eof = false;
    while !eof {
        let want = if buf.len() < block_bytes {
            block_bytes
        } else {
            buf.len() + block_bytes
        };
        match fill(&mut reader, &mut buf, want, path) {
            Ok(ended) => eof = ended,
            Err(e) => {
                send(Err(e));
                return;
            }
        }
        let end = if eof { buf.len() } else { boundary(&buf) };
        if end == 0 {
            if eof {
                break;
            }
            continue; // one record fills the buffer: read more
        }
        let rest = buf.split_off(end);
        let lines = memchr::memchr_iter(b'\n', &buf).count() as u64;
        let block = Block {
            first_line,
            bytes: std::mem::replace(&mut buf, rest),
        };
        first_line += lines;
        if !send(Ok((index, block))) {
            return;
        }
        index += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_boundary_skips_quoted_newlines() {
        assert_eq!(csv_boundary(b"a,b\nc,d"), 4);
        assert_eq!(csv_boundary(b"a,\"x\ny\"\nc,\"d\n"), 8);
        assert_eq!(csv_boundary(b"a,\"x\"\"\ny\"\n"), 10);
        assert_eq!(csv_boundary(b"a,\"x\ny"), 0);
    }

    #[test]
    fn blocks_cover_the_input_in_order() {
        let text: String = (0..1000).map(|i| format!("{i},\"q\nx\"\n")).collect();
        let path = Path::new("t.csv");
        let parts = map_blocks(path, text.as_bytes(), 2, 64, csv_boundary, |b| {
            (b.first_line, b.bytes.clone())
        })
        .unwrap();
        let joined: Vec<u8> = parts.iter().flat_map(|(_, b)| b.clone()).collect();
        assert_eq!(joined, text.as_bytes());
        // Each record spans two lines; blocks start on a record's first line.
        for (first, bytes) in &parts {
            let record = std::str::from_utf8(bytes)
                .unwrap()
                .split(',')
                .next()
                .unwrap();
            let i: u64 = record.parse().unwrap();
            assert_eq!(*first, 2 + 2 * i);
        }
    }
}
