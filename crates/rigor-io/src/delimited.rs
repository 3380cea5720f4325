//! A minimal, fast reader of delimited text (CSV per RFC 4180; TSV): the stream is cut
//! into chunks of whole records that can be parsed in parallel, each knowing the line
//! number of its first record.
//!
//! - Fields are separated by the delimiter; a field may be quoted with `"`, a quote
//!   inside doubled (`""`); quoted fields may hold delimiters and newlines.
//! - Records end at `\n` or `\r\n` outside quotes; blank lines are skipped (as pandas
//!   does); a UTF-8 byte-order mark before the header is dropped.
//! - Line numbers are physical lines (1 = the header), the line where a record starts.
//!
//! Quote-awareness is what makes chunking safe: a chunk ends at the last newline that
//! is outside quotes, found by tracking quote parity from the chunk's start (which is
//! always a record boundary). Files without any quote take the fast path (the last
//! newline of the buffer).

use std::borrow::Cow;
use std::io::Read;

/// Whole records and the line number of the first one.
#[derive(Debug)]
pub struct Chunk {
    pub bytes: Vec<u8>,
    pub first_line: u64,
}

/// Cuts a byte stream into chunks of whole records.
pub struct Chunker<R> {
    reader: R,
    pending: Vec<u8>,
    next_line: u64,
    eof: bool,
    started: bool,
    quotes: bool,
}

impl<R: Read> Chunker<R> {
    /// Chunks of CSV/TSV records (a newline inside quotes does not end a record).
    pub fn new(reader: R) -> Chunker<R> {
        Chunker {
            reader,
            pending: Vec::new(),
            next_line: 1,
            eof: false,
            started: false,
            quotes: true,
        }
    }

    /// Chunks of whole lines, quotes ignored (JSON lines: a JSON string holds no raw
    /// newline, and an escaped quote must not flip the parity).
    pub fn lines(reader: R) -> Chunker<R> {
        Chunker {
            quotes: false,
            ..Chunker::new(reader)
        }
    }

    /// The underlying reader (to drain what follows the last record).
    pub fn into_inner(self) -> R {
        self.reader
    }

    /// The next chunk of about `target` bytes (more if one record is longer), or `None`
    /// at the end of the stream.
    pub fn next_chunk(&mut self, target: usize) -> std::io::Result<Option<Chunk>> {
        self.next_chunk_into(Vec::new(), target)
    }

    /// [`Chunker::next_chunk`] into a recycled buffer (its capacity is reused, so a
    /// long file does not fault in fresh pages for every chunk).
    pub fn next_chunk_into(
        &mut self,
        mut buf: Vec<u8>,
        target: usize,
    ) -> std::io::Result<Option<Chunk>> {
        buf.clear();
        buf.append(&mut self.pending);
        loop {
            if !self.eof && buf.len() < target {
                let start = buf.len();
                buf.resize(start + (target - start).max(1 << 16), 0);
                let n = read_full(&mut self.reader, &mut buf[start..])?;
                buf.truncate(start + n);
                if n == 0 {
                    self.eof = true;
                }
                if !self.started && (buf.len() >= 3 || self.eof) {
                    self.started = true;
                    if buf.starts_with(&[0xef, 0xbb, 0xbf]) {
                        buf.drain(..3);
                    }
                }
                if !self.eof && buf.len() < target {
                    continue;
                }
            }
            if buf.is_empty() {
                return Ok(None);
            }
            let cut = if self.eof {
                Some(buf.len())
            } else if self.quotes {
                last_record_end(&buf)
            } else {
                memchr::memrchr(b'\n', &buf).map(|p| p + 1)
            };
            match cut {
                Some(cut) => {
                    self.pending.extend_from_slice(&buf[cut..]);
                    buf.truncate(cut);
                    let first_line = self.next_line;
                    self.next_line += memchr::memchr_iter(b'\n', &buf).count() as u64;
                    return Ok(Some(Chunk {
                        bytes: buf,
                        first_line,
                    }));
                }
                // One record longer than the buffer: read more.
                None => {
                    let start = buf.len();
                    buf.resize(start * 2, 0);
                    let n = read_full(&mut self.reader, &mut buf[start..])?;
                    buf.truncate(start + n);
                    if n == 0 {
                        self.eof = true;
                    }
                }
            }
        }
    }
}

fn read_full(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match r.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// The position just after the last newline outside quotes, if any.
fn last_record_end(buf: &[u8]) -> Option<usize> {
    if memchr::memchr(b'"', buf).is_none() {
        return memchr::memrchr(b'\n', buf).map(|p| p + 1);
    }
    let mut quoted = false;
    let mut last = None;
    for (i, &b) in buf.iter().enumerate() {
        if b == b'"' {
            quoted = !quoted;
        } else if b == b'\n' && !quoted {
            last = Some(i + 1);
        }
    }
    last
}

/// Iterates over the records of a chunk.
pub struct Records<'a> {
    bytes: &'a [u8],
    pos: usize,
    line: u64,
    delimiter: u8,
}

/// A malformed record: an unterminated quote or text after a closing quote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Malformed {
    pub line: u64,
    pub problem: String,
}

impl<'a> Records<'a> {
    pub fn new(chunk: &'a Chunk, delimiter: u8) -> Records<'a> {
        Records {
            bytes: &chunk.bytes,
            pos: 0,
            line: chunk.first_line,
            delimiter,
        }
    }

    /// Reads the next non-blank record into `fields`; returns its line number, `None`
    /// at the end of the chunk.
    pub fn next_into(&mut self, fields: &mut Vec<Cow<'a, [u8]>>) -> Option<Result<u64, Malformed>> {
        let b = self.bytes;
        // Skip blank lines.
        loop {
            if self.pos >= b.len() {
                return None;
            }
            match b[self.pos] {
                b'\n' => {
                    self.pos += 1;
                    self.line += 1;
                }
                b'\r' if b.get(self.pos + 1) == Some(&b'\n') => {
                    self.pos += 2;
                    self.line += 1;
                }
                _ => break,
            }
        }
        fields.clear();
        let line = self.line;
        loop {
            if b.get(self.pos) == Some(&b'"') {
                // Quoted field.
                let mut i = self.pos + 1;
                let mut owned: Option<Vec<u8>> = None;
                let mut seg_start = i;
                loop {
                    match memchr::memchr(b'"', &b[i..]) {
                        None => {
                            return Some(Err(Malformed {
                                line,
                                problem: "a quoted field is never closed".to_string(),
                            }))
                        }
                        Some(q) => {
                            let q = i + q;
                            if b.get(q + 1) == Some(&b'"') {
                                let o = owned.get_or_insert_with(Vec::new);
                                o.extend_from_slice(&b[seg_start..=q]);
                                i = q + 2;
                                seg_start = i;
                            } else {
                                let field = match owned {
                                    Some(mut o) => {
                                        o.extend_from_slice(&b[seg_start..q]);
                                        Cow::Owned(o)
                                    }
                                    None => Cow::Borrowed(&b[seg_start..q]),
                                };
                                self.line +=
                                    memchr::memchr_iter(b'\n', &b[self.pos..q]).count() as u64;
                                fields.push(field);
                                self.pos = q + 1;
                                break;
                            }
                        }
                    }
                }
                match b.get(self.pos) {
                    Some(&c) if c == self.delimiter => {
                        self.pos += 1;
                        continue;
                    }
                    None => return Some(Ok(line)),
                    Some(b'\n') => {
                        self.pos += 1;
                        self.line += 1;
                        return Some(Ok(line));
                    }
                    Some(b'\r') if b.get(self.pos + 1) == Some(&b'\n') => {
                        self.pos += 2;
                        self.line += 1;
                        return Some(Ok(line));
                    }
                    Some(_) => {
                        return Some(Err(Malformed {
                            line,
                            problem: "text after a closing quote".to_string(),
                        }))
                    }
                }
            }
            let rest = &b[self.pos..];
            // Fields are short: a plain scan beats setting up a vectorised search.
            let d = self.delimiter;
            match rest.iter().position(|&c| c == d || c == b'\n') {
                Some(p) if rest[p] == self.delimiter => {
                    fields.push(Cow::Borrowed(&rest[..p]));
                    self.pos += p + 1;
                }
                Some(p) => {
                    let end = if p > 0 && rest[p - 1] == b'\r' {
                        p - 1
                    } else {
                        p
                    };
                    fields.push(Cow::Borrowed(&rest[..end]));
                    self.pos += p + 1;
                    self.line += 1;
                    return Some(Ok(line));
                }
                None => {
                    let end = if rest.last() == Some(&b'\r') {
                        rest.len() - 1
                    } else {
                        rest.len()
                    };
                    fields.push(Cow::Borrowed(&rest[..end]));
                    self.pos = b.len();
                    return Some(Ok(line));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(text: &str, target: usize) -> Vec<(u64, Vec<String>)> {
        let mut c = Chunker::new(text.as_bytes());
        let mut out = Vec::new();
        while let Some(chunk) = c.next_chunk(target).unwrap() {
            let mut r = Records::new(&chunk, b',');
            let mut fields = Vec::new();
            while let Some(line) = r.next_into(&mut fields) {
                let line = line.unwrap();
                out.push((
                    line,
                    fields
                        .iter()
                        .map(|f| String::from_utf8_lossy(f).into_owned())
                        .collect(),
                ));
            }
        }
        out
    }

    #[test]
    fn quotes_newlines_crlf_and_blank_lines() {
        let text = "\u{feff}a,b\r\n1,\"x,\"\"y\"\"\nz\"\r\n\n2,\r\n3,last";
        for target in [1, 2, 5, 64, 1 << 20] {
            let got = all(text, target);
            assert_eq!(
                got,
                vec![
                    (1, vec!["a".to_string(), "b".to_string()]),
                    (2, vec!["1".to_string(), "x,\"y\"\nz".to_string()]),
                    (5, vec!["2".to_string(), String::new()]),
                    (6, vec!["3".to_string(), "last".to_string()]),
                ],
                "target {target}"
            );
        }
    }

    #[test]
    fn line_chunks_ignore_quote_parity() {
        // Every line holds an odd number of quotes (an escaped one).
        let text = "{\"a\":\"5\\\" x\"}\n".repeat(10_000);
        let mut c = Chunker::lines(text.as_bytes());
        let (mut chunks, mut next) = (0, 1);
        while let Some(chunk) = c.next_chunk(70_000).unwrap() {
            assert_eq!(chunk.first_line, next);
            assert!(chunk.bytes.ends_with(b"\n") && chunk.bytes.len() <= 70_000 + 20);
            next += chunk.bytes.iter().filter(|&&b| b == b'\n').count() as u64;
            chunks += 1;
        }
        assert_eq!(next, 10_001);
        assert!(chunks >= 2, "{chunks}");
    }

    #[test]
    fn unterminated_quote_is_reported() {
        let chunk = Chunk {
            bytes: b"1,\"abc\n".to_vec(),
            first_line: 7,
        };
        let mut r = Records::new(&chunk, b',');
        let mut f = Vec::new();
        assert_eq!(r.next_into(&mut f).unwrap().unwrap_err().line, 7);
    }
}
