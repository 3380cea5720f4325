//! Aligned segment files for text evaluation: one segment per line, read as sacrebleu
//! reads them — UTF-8, split on `\n` only (never on `\r`, U+2028 or other Unicode line
//! separators), every line `rstrip()`ed with Python's whitespace, a final newline not
//! starting another segment. Plain or gzip (by content).

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::input::read_all;

/// The segments of one file, held as one string with line bounds.
#[derive(Debug, Clone, PartialEq)]
pub struct Segments {
    path: PathBuf,
    text: String,
    /// `(start, end)` byte bounds of each segment after rstrip.
    bounds: Vec<(usize, usize)>,
}

impl Segments {
    /// Reads a segment file. Invalid UTF-8 names the line and byte.
    pub fn read(path: &Path) -> Result<Segments> {
        Segments::from_bytes(path, read_all(path)?)
    }

    /// Segments from bytes already read (`path` only names them in errors).
    pub fn from_bytes(path: &Path, bytes: Vec<u8>) -> Result<Segments> {
        let text = String::from_utf8(bytes).map_err(|e| {
            let bad = e.utf8_error().valid_up_to();
            let bytes = e.as_bytes();
            let line = memchr::memchr_iter(b'\n', &bytes[..bad]).count() as u64 + 1;
            let line_start = memchr::memrchr(b'\n', &bytes[..bad]).map_or(0, |p| p + 1);
            Error::line(
                path,
                line,
                format!(
                    "invalid UTF-8 at byte {} of the line (segments must be UTF-8 text)",
                    bad - line_start + 1
                ),
            )
        })?;
        let mut bounds = Vec::new();
        let mut start = 0;
        for nl in memchr::memchr_iter(b'\n', text.as_bytes()) {
            bounds.push((start, nl));
            start = nl + 1;
        }
        if start < text.len() {
            bounds.push((start, text.len()));
        }
        for b in &mut bounds {
            let line = &text[b.0..b.1];
            b.1 = b.0 + rstrip(line).len();
        }
        Ok(Segments {
            path: path.to_path_buf(),
            text,
            bounds,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn len(&self) -> usize {
        self.bounds.len()
    }

    pub fn is_empty(&self) -> bool {
        self.bounds.is_empty()
    }

    /// Segment `i` (0-based), rstripped.
    pub fn get(&self, i: usize) -> &str {
        let (a, b) = self.bounds[i];
        &self.text[a..b]
    }
}

/// Python's `str.rstrip()` (Unicode whitespace plus U+001C–U+001F).
fn rstrip(s: &str) -> &str {
    s.trim_end_matches(|c: char| {
        matches!(
            c,
            '\t'..='\r'
                | '\u{1C}'..='\u{20}'
                | '\u{85}'
                | '\u{A0}'
                | '\u{1680}'
                | '\u{2000}'..='\u{200A}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202F}'
                | '\u{205F}'
                | '\u{3000}'
        )
    })
}

/// A hypothesis file and its reference files, checked to have one segment per line
/// each and the same number of lines.
#[derive(Debug, Clone)]
pub struct Aligned {
    pub hyp: Segments,
    pub refs: Vec<Segments>,
}

impl Aligned {
    /// Reads and aligns the files; a count mismatch names both files and counts.
    pub fn read(hyp: &Path, refs: &[PathBuf]) -> Result<Aligned> {
        let hyp = Segments::read(hyp)?;
        let refs = refs
            .iter()
            .map(|r| Segments::read(r))
            .collect::<Result<Vec<_>>>()?;
        for r in &refs {
            if r.len() != hyp.len() {
                return Err(Error::file(
                    hyp.path(),
                    format!(
                        "{} segments (lines), but {} has {}: hypothesis and reference files must be aligned line by line",
                        hyp.len(),
                        r.path().display(),
                        r.len()
                    ),
                ));
            }
        }
        Ok(Aligned { hyp, refs })
    }

    /// Number of segments.
    pub fn len(&self) -> usize {
        self.hyp.len()
    }

    pub fn is_empty(&self) -> bool {
        self.hyp.is_empty()
    }

    /// The references of segment `i`, one per reference file.
    pub fn refs(&self, i: usize) -> Vec<&str> {
        self.refs.iter().map(|r| r.get(i)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(bytes: &[u8]) -> Result<Segments> {
        Segments::from_bytes(Path::new("h.txt"), bytes.to_vec())
    }

    #[test]
    fn split_on_newline_only_and_rstrip() {
        let s = seg("a b \r\nc\u{2028}d\u{1F}\n\n  e\t".as_bytes()).unwrap();
        let got: Vec<&str> = (0..s.len()).map(|i| s.get(i)).collect();
        assert_eq!(got, ["a b", "c\u{2028}d", "", "  e"]);
        assert_eq!(seg(b"x\n").unwrap().len(), 1);
        assert_eq!(seg(b"x\n\n").unwrap().len(), 2);
    }

    #[test]
    fn invalid_utf8_names_line_and_byte() {
        let e = seg(b"ok\nab\xffc\n").unwrap_err().to_string();
        assert_eq!(
            e,
            "h.txt:2: invalid UTF-8 at byte 3 of the line (segments must be UTF-8 text)"
        );
    }
}
