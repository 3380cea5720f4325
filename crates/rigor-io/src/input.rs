//! Opening input files: plain or gzip (detected by content, not name), with a byte
//! counter for progress bars, a content digest computed as the bytes go by, and clear
//! errors for directories and missing files.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::sync::{Arc, OnceLock};

use flate2::read::MultiGzDecoder;

use crate::error::{Error, Result};

/// Called with the number of bytes of the file read so far (compressed bytes for gzip).
pub type Progress<'a> = &'a (dyn Fn(u64) + Sync);

/// The content digest of a file as stored on disk (compressed bytes for gzip): what
/// evidence records so a result can be tied to exactly the inputs that produced it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileDigest {
    /// BLAKE3, lowercase hex.
    pub blake3: String,
    pub bytes: u64,
}

/// Filled in when a reader from [`open_digested`] reaches the end of its file.
pub type DigestSlot = Arc<OnceLock<FileDigest>>;

/// Opens `path` for reading, decompressing gzip transparently.
pub fn open<'a>(path: &Path, progress: Option<Progress<'a>>) -> Result<Box<dyn Read + Send + 'a>> {
    open_digested(path, progress).map(|(reader, _)| reader)
}

/// [`open`], also hashing the file's bytes as they are read: the slot holds the digest
/// once the reader has reached the end of the file. Hashing on the reading thread costs
/// no second pass over the file.
pub fn open_digested<'a>(
    path: &Path,
    progress: Option<Progress<'a>>,
) -> Result<(Box<dyn Read + Send + 'a>, DigestSlot)> {
    check_file(path)?;
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let slot = DigestSlot::default();
    // The buffer serves the gzip sniff below and small reads. It is kept small because
    // a read smaller than the buffer goes through it (one more copy of every byte),
    // and block readers ask for a block minus the carried-over tail.
    let mut reader = BufReader::with_capacity(
        64 << 10,
        Counting {
            inner: file,
            read: 0,
            progress,
            hasher: blake3::Hasher::new(),
            digest: Arc::clone(&slot),
        },
    );
    let gzip = is_gzip(reader.fill_buf().map_err(|e| Error::io(path, e))?);
    let reader: Box<dyn Read + Send + 'a> = if gzip {
        Box::new(MultiGzDecoder::new(reader))
    } else {
        Box::new(reader)
    };
    Ok((reader, slot))
}

/// The errors every input shares before it is read: missing, a directory, empty.
fn check_file(path: &Path) -> Result<()> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if meta.is_dir() {
        return Err(Error::file(path, "is a directory, expected a file"));
    }
    if meta.len() == 0 {
        return Err(Error::file(path, "is empty"));
    }
    Ok(())
}

/// Whether bytes start as gzip does (inputs are recognised by content, not name).
pub(crate) fn is_gzip(start: &[u8]) -> bool {
    start.starts_with(&[0x1f, 0x8b])
}

struct Counting<'a, R> {
    inner: R,
    read: u64,
    progress: Option<Progress<'a>>,
    hasher: blake3::Hasher,
    digest: DigestSlot,
}

impl<R: Read> Read for Counting<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n == 0 && !buf.is_empty() {
            let _ = self.digest.set(FileDigest {
                blake3: self.hasher.finalize().to_hex().to_string(),
                bytes: self.read,
            });
        }
        self.hasher.update(&buf[..n]);
        self.read += n as u64;
        if let Some(p) = self.progress {
            p(self.read);
        }
        Ok(n)
    }
}

/// Reads a whole (possibly gzip) file into memory; for small inputs such as qrels.
pub fn read_all(path: &Path) -> Result<Vec<u8>> {
    let (stored, unzipped) = read_stored(path)?;
    Ok(unzipped.unwrap_or(stored))
}

/// [`read_all`] with the file's digest.
pub fn read_all_digested(path: &Path) -> Result<(Vec<u8>, FileDigest)> {
    let (stored, unzipped) = read_stored(path)?;
    let digest = digest_of(&stored);
    Ok((unzipped.unwrap_or(stored), digest))
}

/// Reads a whole (possibly gzip) file and hands its contents to `parse`, while the
/// file's digest is computed on another core: the hash is then off the path from the
/// disk to the parsed result (a sixth of reading a large qrels file). The contents are
/// shared, so that what `parse` returns may keep pieces of them without a copy. For
/// inputs read whole, such as qrels.
pub fn read_all_with_digest<T: Send>(
    path: &Path,
    parse: impl FnOnce(&Arc<Vec<u8>>) -> T + Send,
) -> Result<(T, FileDigest)> {
    let (stored, unzipped) = read_stored(path)?;
    // A plain file's contents are its stored bytes: shared, not copied.
    let (stored, contents) = match unzipped {
        None => (None, Arc::new(stored)),
        Some(contents) => (Some(stored), Arc::new(contents)),
    };
    let hashed = stored.as_deref().unwrap_or(&contents);
    let (digest, parsed) = rayon::join(|| digest_of(hashed), || parse(&contents));
    Ok((parsed, digest))
}

/// A file's bytes as stored, and its contents decompressed when it is gzip.
fn read_stored(path: &Path) -> Result<(Vec<u8>, Option<Vec<u8>>)> {
    check_file(path)?;
    let stored = read_whole(path).map_err(|e| Error::io(path, e))?;
    if !is_gzip(&stored) {
        return Ok((stored, None));
    }
    let mut out = Vec::new();
    MultiGzDecoder::new(&stored[..])
        .read_to_end(&mut out)
        .map_err(|e| Error::io(path, e))?;
    Ok((stored, Some(out)))
}

/// The digest of a file's bytes as stored.
fn digest_of(stored: &[u8]) -> FileDigest {
    FileDigest {
        blake3: blake3::hash(stored).to_hex().to_string(),
        bytes: stored.len() as u64,
    }
}

/// A file's bytes. A large file is read in pieces on every core at once: the time
/// goes to faulting in the fresh buffer's pages and copying into them, and both
/// divide among cores (a 25 MB qrels file: 16 ms on one core, 9 on two).
fn read_whole(path: &Path) -> std::io::Result<Vec<u8>> {
    #[cfg(unix)]
    {
        use rayon::prelude::*;
        use std::os::unix::fs::FileExt;
        const PIECE: usize = 2 << 20;
        let file = File::open(path)?;
        let len = usize::try_from(file.metadata()?.len()).unwrap_or(0);
        if len >= 2 * PIECE {
            let mut buf = vec![0u8; len];
            let read = buf
                .par_chunks_mut(PIECE)
                .enumerate()
                .try_for_each(|(i, piece)| file.read_exact_at(piece, (i * PIECE) as u64));
            // Unless the file changed size meanwhile (then it is read as usual).
            if read.is_ok() && file.read_at(&mut [0u8], len as u64)? == 0 {
                return Ok(buf);
            }
        }
    }
    std::fs::read(path)
}

/// Reads what is left of a reader from [`open_digested`] and returns the file's digest,
/// which is known once every byte has been read.
pub fn finish_digest(reader: &mut dyn Read, slot: &DigestSlot, path: &Path) -> Result<FileDigest> {
    drain(reader, path)?;
    slot.get()
        .cloned()
        .ok_or_else(|| Error::file(path, "was not read to its end"))
}

/// Reads until `buf` holds `want` bytes or the input ends; returns whether it ended.
/// For block readers that cut a file at record boundaries.
pub fn fill(reader: &mut dyn Read, buf: &mut Vec<u8>, want: usize, path: &Path) -> Result<bool> {
    while buf.len() < want {
        let start = buf.len();
        buf.resize(want, 0);
        match reader.read(&mut buf[start..]) {
            Ok(0) => {
                buf.truncate(start);
                return Ok(true);
            }
            Ok(n) => buf.truncate(start + n),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => buf.truncate(start),
            Err(e) => {
                buf.truncate(start);
                return Err(Error::io(path, e));
            }
        }
    }
    Ok(false)
}

/// The digest of a file's bytes on disk, for inputs read by readers that do not hash as
/// they go (a separate pass, at BLAKE3's speed).
pub fn digest_file(path: &Path) -> Result<FileDigest> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut hasher = blake3::Hasher::new();
    hasher
        .update_reader(BufReader::with_capacity(1 << 20, file))
        .map_err(|e| Error::io(path, e))?;
    Ok(FileDigest {
        blake3: hasher.finalize().to_hex().to_string(),
        bytes: hasher.count(),
    })
}

/// The content digest of a file or a whole directory, for inputs recorded by
/// `rigor run` and checked again by `rigor repro`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathDigest {
    /// BLAKE3, lowercase hex: of the file's bytes, or of a directory's manifest.
    pub blake3: String,
    /// Bytes of the file, or of every file under the directory.
    pub bytes: u64,
    /// 1 for a file; the number of files under a directory.
    pub files: u64,
    pub is_dir: bool,
}

/// The digest of a file (as [`digest_file`]) or of a directory: BLAKE3 of its manifest,
/// one line `"<blake3 of the file>  <relative path>\n"` per regular file under it,
/// sorted by path bytes, with `/` as separator — the lines `b3sum` prints, so the digest
/// can be recomputed without rigor. Symbolic links to files are hashed as the file they
/// point to; links to directories are not followed (no cycles), and a directory with no
/// file is refused, as an empty input file is elsewhere.
pub fn digest_path(path: &Path) -> Result<PathDigest> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if !meta.is_dir() {
        let d = digest_file(path)?;
        return Ok(PathDigest {
            blake3: d.blake3,
            bytes: d.bytes,
            files: 1,
            is_dir: false,
        });
    }
    let mut files = Vec::new();
    walk(path, String::new(), &mut files)?;
    if files.is_empty() {
        return Err(Error::file(path, "is a directory with no file in it"));
    }
    files.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let mut manifest = blake3::Hasher::new();
    let mut bytes = 0;
    for (rel, full) in &files {
        let d = digest_file(full)?;
        bytes += d.bytes;
        manifest.update(format!("{}  {rel}\n", d.blake3).as_bytes());
    }
    Ok(PathDigest {
        blake3: manifest.finalize().to_hex().to_string(),
        bytes,
        files: files.len() as u64,
        is_dir: true,
    })
}

/// Collects `(relative path, full path)` of every regular file under `dir`.
fn walk(dir: &Path, prefix: String, out: &mut Vec<(String, std::path::PathBuf)>) -> Result<()> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let full = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        let rel = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        let kind = entry.file_type().map_err(|e| Error::io(&full, e))?;
        if kind.is_dir() {
            walk(&full, rel, out)?;
        } else if kind.is_file() || (kind.is_symlink() && full.is_file()) {
            out.push((rel, full));
        }
    }
    Ok(())
}

/// Reads what is left of `reader` (a gzip stream can end before its file does:
/// trailing bytes still belong to the digest).
pub fn drain(reader: &mut dyn Read, path: &Path) -> Result<()> {
    std::io::copy(reader, &mut std::io::sink()).map_err(|e| Error::io(path, e))?;
    Ok(())
}

/// Splits a line into whitespace-separated fields (space, tab, CR, VT, FF), as
/// trec_eval's readers do.
pub fn fields(line: &[u8]) -> impl Iterator<Item = &[u8]> {
    line.split(|&b| is_space(b)).filter(|f| !f.is_empty())
}

/// The field separators of [`fields`].
#[inline]
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | 0x0b | 0x0c)
}

/// The first `N` fields of a line (as [`fields`] splits it) in one pass, and how many
/// fields the line has, counted up to `N + 1` ("more than N"): the plain definition
/// that the TREC readers' bit-mask splitter (`records`) is tested against.
#[cfg(test)]
pub(crate) fn first_fields<const N: usize>(line: &[u8]) -> ([&[u8]; N], usize) {
    let mut out: [&[u8]; N] = [&[]; N];
    let mut n = 0;
    let mut i = 0;
    let len = line.len();
    while i < len {
        while i < len && is_space(line[i]) {
            i += 1;
        }
        if i == len {
            break;
        }
        let start = i;
        while i < len && !is_space(line[i]) {
            i += 1;
        }
        if n == N {
            return (out, N + 1);
        }
        out[n] = &line[start..i];
        n += 1;
    }
    (out, n)
}

/// The lines of `bytes` split on `\n` exactly as `bytes.split(|b| *b == b'\n')`
/// (a final segment after the last newline, possibly empty), found with memchr.
pub fn lines(bytes: &[u8]) -> Lines<'_> {
    Lines {
        rest: bytes,
        done: false,
    }
}

/// Iterator of [`lines`].
pub struct Lines<'a> {
    rest: &'a [u8],
    done: bool,
}

impl<'a> Iterator for Lines<'a> {
    type Item = &'a [u8];

    #[inline]
    fn next(&mut self) -> Option<&'a [u8]> {
        if self.done {
            return None;
        }
        match memchr::memchr(b'\n', self.rest) {
            Some(i) => {
                let line = &self.rest[..i];
                self.rest = &self.rest[i + 1..];
                Some(line)
            }
            None => {
                self.done = true;
                Some(self.rest)
            }
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn first_fields_and_lines_agree_with_the_iterators() {
        let text: &[u8] = b"q1 Q0 d1 1 2.5 tag\n\n  q2\tQ0  d2 2 1e3 t \r\nq3 a b c d e f g\nlast";
        let split: Vec<&[u8]> = text.split(|b| *b == b'\n').collect();
        assert_eq!(lines(text).collect::<Vec<_>>(), split);
        assert_eq!(lines(b"a\n").collect::<Vec<_>>(), vec![&b"a"[..], &b""[..]]);
        for line in split {
            let all: Vec<&[u8]> = fields(line).collect();
            let (first, n) = first_fields::<6>(line);
            assert_eq!(n, all.len().min(7), "{line:?}");
            assert_eq!(&first[..n.min(6)], &all[..n.min(6)]);
        }
    }

    #[test]
    fn a_large_file_read_in_pieces_is_its_bytes() {
        // Past the two-piece threshold, with a short last piece.
        let bytes: Vec<u8> = (0..(9 << 20) + 12_345u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
            .collect();
        let mut file = tempfile::NamedTempFile::new().unwrap();
        file.write_all(&bytes).unwrap();
        assert!(read_whole(file.path()).unwrap() == bytes);
        let (copy, digest) = read_all_digested(file.path()).unwrap();
        assert!(copy == bytes);
        assert_eq!(digest.blake3, blake3::hash(&bytes).to_hex().to_string());
        assert_eq!(digest.bytes, bytes.len() as u64);
    }

    #[test]
    fn directory_digest_is_its_sorted_manifest() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("b.txt"), "bee").unwrap();
        std::fs::write(dir.path().join("sub/a.txt"), "a").unwrap();
        let d = digest_path(dir.path()).unwrap();
        let manifest = format!(
            "{}  b.txt\n{}  sub/a.txt\n",
            blake3::hash(b"bee").to_hex(),
            blake3::hash(b"a").to_hex()
        );
        assert_eq!(
            d.blake3,
            blake3::hash(manifest.as_bytes()).to_hex().to_string()
        );
        assert_eq!((d.bytes, d.files, d.is_dir), (4, 2, true));
        // A changed byte anywhere changes the digest; so does a renamed file.
        std::fs::write(dir.path().join("sub/a.txt"), "A").unwrap();
        assert_ne!(digest_path(dir.path()).unwrap().blake3, d.blake3);
        let file = digest_path(&dir.path().join("b.txt")).unwrap();
        assert_eq!(file.blake3, blake3::hash(b"bee").to_hex().to_string());
        assert!(!file.is_dir);
        let empty = tempfile::tempdir().unwrap();
        assert!(digest_path(empty.path()).unwrap_err().is_bad_input());
        assert!(digest_path(&dir.path().join("nope"))
            .unwrap_err()
            .is_bad_input());
    }

    #[test]
    fn digest_is_blake3_of_the_bytes_on_disk() {
        let mut plain = tempfile::NamedTempFile::new().unwrap();
        plain.write_all(b"q1 0 d1 1\n").unwrap();
        let (_, d) = read_all_digested(plain.path()).unwrap();
        assert_eq!(d.blake3, blake3::hash(b"q1 0 d1 1\n").to_hex().to_string());
        assert_eq!(d.bytes, 10);

        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(b"q1 0 d1 1\n").unwrap();
        let compressed = gz.finish().unwrap();
        let mut file = tempfile::NamedTempFile::new().unwrap();
        file.write_all(&compressed).unwrap();
        let (text, d) = read_all_digested(file.path()).unwrap();
        assert_eq!(text, b"q1 0 d1 1\n");
        assert_eq!(d.blake3, blake3::hash(&compressed).to_hex().to_string());

        // Hashing beside the parse gives the same contents and digests.
        for path in [plain.path(), file.path()] {
            let (text, d) = read_all_with_digest(path, |b| b.to_vec()).unwrap();
            assert_eq!((text, d), read_all_digested(path).unwrap());
        }
        let empty = tempfile::NamedTempFile::new().unwrap();
        let dir = tempfile::tempdir().unwrap();
        for (path, problem) in [(empty.path(), "is empty"), (dir.path(), "is a directory")] {
            let e = read_all_with_digest(path, |b| b.len()).unwrap_err();
            assert!(e.is_bad_input() && e.to_string().contains(problem), "{e}");
        }
    }
}
