//! Opening input files: plain or gzip (detected by content, not name), with a byte
//! counter for progress bars and clear errors for directories and missing files.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use flate2::read::MultiGzDecoder;

use crate::error::{Error, Result};

/// Called with the number of bytes of the file read so far (compressed bytes for gzip).
pub type Progress<'a> = &'a (dyn Fn(u64) + Sync);

/// Opens `path` for reading, decompressing gzip transparently.
pub fn open<'a>(path: &Path, progress: Option<Progress<'a>>) -> Result<Box<dyn Read + Send + 'a>> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if meta.is_dir() {
        return Err(Error::file(path, "is a directory, expected a file"));
    }
    if meta.len() == 0 {
        return Err(Error::file(path, "is empty"));
    }
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut reader = BufReader::with_capacity(
        1 << 20,
        Counting {
            inner: file,
            read: 0,
            progress,
        },
    );
    let gzip = reader
        .fill_buf()
        .map_err(|e| Error::io(path, e))?
        .starts_with(&[0x1f, 0x8b]);
    Ok(if gzip {
        Box::new(MultiGzDecoder::new(reader))
    } else {
        Box::new(reader)
    })
}

struct Counting<'a, R> {
    inner: R,
    read: u64,
    progress: Option<Progress<'a>>,
}

impl<R: Read> Read for Counting<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        if let Some(p) = self.progress {
            p(self.read);
        }
        Ok(n)
    }
}

/// Reads a whole (possibly gzip) file into memory; for small inputs such as qrels.
pub fn read_all(path: &Path) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    open(path, None)?
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(path, e))?;
    Ok(bytes)
}

/// Splits a line into whitespace-separated fields (space, tab, CR, VT, FF), as
/// trec_eval's readers do.
pub fn fields(line: &[u8]) -> impl Iterator<Item = &[u8]> {
    line.split(|b| matches!(b, b' ' | b'\t' | b'\r' | 0x0b | 0x0c))
        .filter(|f| !f.is_empty())
}

/// The text of a field for messages (lossy for non-UTF-8 bytes, shortened).
pub fn show(field: &[u8]) -> String {
    let s = String::from_utf8_lossy(field);
    if s.chars().count() > 40 {
        format!("{}…", s.chars().take(40).collect::<String>())
    } else {
        s.into_owned()
    }
}
