//! TREC qrels and runs.
//!
//! Qrels (`qid iter docid rel`) are small and read whole. Runs
//! (`qid Q0 docid rank score tag`) can be tens of millions of lines, so they are
//! streamed: the file is cut into blocks that end on a query boundary, by whichever
//! worker thread is free, and blocks are parsed and evaluated in parallel, each query
//! exactly once with all of its documents. A run whose lines for one query are not
//! contiguous is detected and re-read whole, so the result never depends on the file's
//! order.
//!
//! Like trec_eval: fields are separated by any whitespace (tabs, repeated spaces,
//! CRLF), the rank column is ignored, scores are 32-bit floats, and a document listed
//! twice for one query is an error (trec_eval's "duplicate docs").

use std::cell::{Cell, RefCell};
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use rayon::prelude::*;
use rigor_metrics::ir::{same_bytes, JudgmentsBuilder, Place, Qrels, QueryJudgments, ScoredDoc};
use rustc_hash::{FxHashMap, FxHashSet};

use crate::decimal::plain_decimal;
use crate::error::{Error, Result};
use crate::input::{
    fields, lines, open_digested, read_all_with_digest, show, FileDigest, Progress,
};
use crate::records::records;

/// Reads a qrels file (plain or gzip), with its digest.
///
/// The file is read whole and parsed in parallel chunks, each query's judgments
/// indexed as they are parsed; a query whose lines lie in several chunks is merged.
/// The judged document ids stay in the file's contents, which the qrels keep. Errors
/// are the ones a line-by-line reading meets first: a bad line, or a document judged
/// twice before it.
pub fn read_qrels(path: &Path) -> Result<(Qrels, FileDigest)> {
    read_qrels_in_chunks(path, QRELS_CHUNK)
}

fn read_qrels_in_chunks(path: &Path, chunk_bytes: usize) -> Result<(Qrels, FileDigest)> {
    let (qrels, digest) = read_all_with_digest(path, |text| parse_qrels(path, text, chunk_bytes))?;
    Ok((qrels?, digest))
}

/// The qrels in `text` (the contents of `path`), parsed in chunks of `chunk_bytes`.
fn parse_qrels(path: &Path, text: &Arc<Vec<u8>>, chunk_bytes: usize) -> Result<Qrels> {
    let bytes = text.as_slice();
    let parsed: Vec<QrelsChunk> = line_chunks(bytes, chunk_bytes)
        .into_par_iter()
        .map(|chunk| parse_qrels_chunk(bytes, chunk))
        .collect();
    // Queries in order of first appearance (a query's lines need not be contiguous),
    // chunk by chunk up to the first one with a problem: a bad line or a repeated
    // judgment of its own, or one that repeats a judgment of an earlier chunk. The
    // first of them in the file is the one reported.
    let mut index: FxHashMap<&[u8], usize> = FxHashMap::default();
    let mut queries: Vec<(&[u8], JudgmentsBuilder)> = Vec::new();
    for chunk in parsed {
        let mut problem = chunk.problem;
        for (qid, judgments) in chunk.queries {
            let Some(&i) = index.get(qid) else {
                index.insert(qid, queries.len());
                queries.push((qid, judgments));
                continue;
            };
            if let Some(repeat) = queries[i].1.merge(bytes, judgments) {
                let at = repeat.start() as u64;
                if problem.as_ref().is_none_or(|p| at < p.at) {
                    problem = Some(Problem::repeat(at, qid, repeat.of(bytes)));
                }
            }
        }
        if let Some(p) = problem {
            return Err(Error::line(path, line_at(bytes, p.at), p.problem));
        }
    }
    if queries.is_empty() {
        return Err(Error::file(path, "holds no judgments (only blank lines)"));
    }
    let indexed: Vec<(Box<[u8]>, QueryJudgments)> = queries
        .into_par_iter()
        .map(|(qid, judgments)| (Box::from(qid), judgments.finish(Arc::clone(text))))
        .collect();
    Ok(Qrels::from_queries(indexed))
}

/// Bytes of qrels parsed per parallel chunk.
const QRELS_CHUNK: usize = 1 << 20;

/// The first problem of a qrels file (or of a chunk), at a place in its bytes.
struct Problem {
    at: u64,
    problem: String,
}

impl Problem {
    fn repeat(at: u64, qid: &[u8], docid: &[u8]) -> Problem {
        Problem {
            at,
            problem: format!(
                "document '{}' is judged twice for query '{}' (trec_eval refuses duplicate judgments)",
                show(docid),
                show(qid)
            ),
        }
    }
}

/// The number of the line that byte `at` of `bytes` is on (error path only).
fn line_at(bytes: &[u8], at: u64) -> u64 {
    1 + memchr::memchr_iter(b'\n', &bytes[..at as usize]).count() as u64
}

/// A chunk's judgments by query (in order of first appearance), up to its first
/// problem if any.
struct QrelsChunk<'a> {
    queries: Vec<(&'a [u8], JudgmentsBuilder)>,
    problem: Option<Problem>,
}

/// `bytes` cut after a newline about every `size` bytes.
fn line_chunks(bytes: &[u8], size: usize) -> Vec<&[u8]> {
    let mut pieces = Vec::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        let end = match rest.get(size..).and_then(|r| memchr::memchr(b'\n', r)) {
            Some(i) => size + i + 1,
            None => rest.len(),
        };
        let (piece, tail) = rest.split_at(end);
        pieces.push(piece);
        rest = tail;
    }
    pieces
}

/// The judgments of `chunk`, a piece of the file's `bytes`, indexed by query. Docids
/// and problems are kept as places in `bytes`; line numbers are counted only for the
/// error reported.
fn parse_qrels_chunk<'a>(bytes: &'a [u8], chunk: &'a [u8]) -> QrelsChunk<'a> {
    let at = |field: &[u8]| (field.as_ptr() as usize - bytes.as_ptr() as usize) as u64;
    let mut out = QrelsChunk {
        queries: Vec::new(),
        problem: None,
    };
    let mut index: FxHashMap<&[u8], usize> = FxHashMap::default();
    let mut current = usize::MAX;
    for ([qid, _, docid, rel], n) in records::<4>(chunk) {
        let problem = |problem: String| {
            Some(Problem {
                at: at(qid),
                problem,
            })
        };
        if n != 4 {
            if n == 0 {
                continue;
            }
            // The line from its first field on.
            let rest = &bytes[at(qid) as usize..];
            let line = &rest[..memchr::memchr(b'\n', rest).unwrap_or(rest.len())];
            out.problem = problem(format!(
                "expected 4 fields (qid iter docid rel), found {}: is this a run file?",
                fields(line).count()
            ));
            break;
        }
        let Some(grade) = parse_grade(rel) else {
            out.problem = problem(format!("relevance '{}' is not an integer", show(rel)));
            break;
        };
        if current == usize::MAX || !same_bytes(out.queries[current].0, qid) {
            let queries = &mut out.queries;
            current = *index.entry(qid).or_insert_with(|| {
                // Room for as many judgments as the last query had: queries of one
                // qrels file are judged to similar depths, and a table grown from
                // empty is rebuilt some seven times.
                let room = queries.last().map_or(0, |(_, j)| j.len());
                queries.push((qid, JudgmentsBuilder::with_capacity(room)));
                queries.len() - 1
            });
        }
        let Some(place) = Place::new(at(docid) as usize, docid.len()) else {
            out.problem = problem(format!("document id longer than {} bytes", Place::MAX_LEN));
            break;
        };
        if out.queries[current].1.insert(bytes, place, grade).is_err() {
            out.problem = Some(Problem::repeat(at(qid), qid, docid));
            break;
        }
    }
    out
}

/// A relevance grade: an integer as `str::parse::<i32>` reads it. Grades are nearly
/// always a digit or two, read here without the UTF-8 check and the general parser.
fn parse_grade(field: &[u8]) -> Option<i32> {
    match field {
        [d @ b'0'..=b'9'] => Some(i32::from(d - b'0')),
        [b'-', d @ b'0'..=b'9'] => Some(-i32::from(d - b'0')),
        _ => std::str::from_utf8(field).ok()?.parse().ok(),
    }
}

/// What was learnt about a run file while streaming it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunInfo {
    /// Non-blank lines.
    pub lines: u64,
    /// The tag column, if every line has the same one.
    pub tag: Option<String>,
    /// Whether the lines of a query were spread over the file (it was then read whole).
    pub regrouped: bool,
    /// The file's content digest.
    pub digest: Option<FileDigest>,
}

/// The tag seen in a block: none yet, one, or several.
#[derive(Debug, Clone, PartialEq)]
enum Tag {
    None,
    One(Vec<u8>),
    Mixed,
}

impl Tag {
    /// Once per run line: the usual case, the tag seen before, inline.
    #[inline]
    fn see(&mut self, tag: &[u8]) {
        match self {
            Tag::One(t) if same_bytes(t, tag) => {}
            _ => self.see_another(tag),
        }
    }

    #[cold]
    #[inline(never)]
    fn see_another(&mut self, tag: &[u8]) {
        match self {
            Tag::None => *self = Tag::One(tag.to_vec()),
            Tag::One(_) => *self = Tag::Mixed,
            Tag::Mixed => {}
        }
    }

    fn merge(&mut self, other: Tag) {
        match other {
            Tag::None => {}
            Tag::One(t) => self.see(&t),
            Tag::Mixed => *self = Tag::Mixed,
        }
    }
}

/// A block of whole lines, with its place among the file's blocks. Line numbers are
/// counted within the block while it is parsed and made absolute once every block
/// before it is done, so that the reading, under the lock, does not count lines.
struct Block {
    seq: u64,
    /// The lines are `buffer[..len]`; past `len` lie stale bytes of earlier blocks, kept
    /// so that a recycled buffer is read into without being zeroed again.
    buffer: Vec<u8>,
    len: usize,
}

impl Block {
    fn bytes(&self) -> &[u8] {
        &self.buffer[..self.len]
    }
}

/// One block's results.
struct BlockOutput<T> {
    /// The block's place in the file ([`Block::seq`]).
    seq: u64,
    queries: ByQuery<T>,
    /// Non-blank lines.
    lines: u64,
    /// Newlines in the block, counted while parsing it; 0 when the block has an error
    /// (the blocks after it then need no line numbers).
    newlines: u64,
    tag: Tag,
    /// The first error, by its line number within the block (the first line is 1).
    error: Option<(u64, String)>,
    duplicates: u64,
}

/// Blocks are cut at about this size; a query larger than a block extends it. Small
/// enough that a block's bytes are still in the core's cache when its queries are
/// evaluated (docids are compared there): 1 MB ran faster than 256 KB, 2, 4 or 8 MB.
const BLOCK_BYTES: usize = 1 << 20;

/// Results by query id.
pub type ByQuery<T> = Vec<(Box<[u8]>, T)>;

/// Streams a run file and calls `f(qid, docs)` once per query with all of its documents
/// (in file order), in parallel. Returns the results by query (in no particular order)
/// and what was learnt about the file.
pub fn map_run<T, F>(
    path: &Path,
    progress: Option<Progress<'_>>,
    f: F,
) -> Result<(ByQuery<T>, RunInfo)>
where
    T: Send,
    F: Fn(&[u8], &mut [ScoredDoc<'_>]) -> T + Sync,
{
    match stream(path, progress, &f, BLOCK_BYTES)? {
        Some(done) => Ok(done),
        // A query's lines were spread over blocks: read the file as one block.
        None => {
            let Some((queries, mut info)) = stream(path, None, &f, usize::MAX)? else {
                unreachable!("a single block holds every line of every query")
            };
            info.regrouped = true;
            Ok((queries, info))
        }
    }
}

type Mapped<T> = (ByQuery<T>, RunInfo);

/// One pass over the file. `None` when a query's lines were found in two blocks.
fn stream<T, F>(
    path: &Path,
    progress: Option<Progress<'_>>,
    f: &F,
    block_bytes: usize,
) -> Result<Option<Mapped<T>>>
where
    T: Send,
    F: Fn(&[u8], &mut [ScoredDoc<'_>]) -> T + Sync,
{
    let (reader, digest) = open_digested(path, progress)?;
    // No reading thread: every worker of the pool, whenever it is free, reads and cuts
    // the next block under the lock, then parses it. The pool's threads alone share the
    // cores, none waiting for a reading thread the scheduler has not run (with one and
    // a queue of 8 blocks, the bench's 10M-line run took 0.45 s; this way, 0.41 s).
    let cutter = Mutex::new(Cutter::new(reader, block_bytes));
    let outputs: Vec<Result<BlockOutput<T>>> = rayon::broadcast(|_| {
        let mut done = Vec::new();
        let mut spare = Vec::new();
        loop {
            let next = cutter
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .next_block(path, spare);
            match next {
                None => break,
                Some(Err(e)) => {
                    done.push(Err(e));
                    break;
                }
                Some(Ok(block)) => {
                    done.push(Ok(process_block(&block, f)));
                    // Its buffer carries the next block's first bytes: no fresh pages
                    // to fault in and zero for every block.
                    spare = block.buffer;
                }
            }
        }
        done
    })
    .into_iter()
    .flatten()
    .collect();
    let mut outputs = outputs.into_iter().collect::<Result<Vec<_>>>()?;
    outputs.sort_unstable_by_key(|out| out.seq);

    let mut info = RunInfo::default();
    let mut tag = Tag::None;
    let mut queries = Vec::new();
    let mut first_error: Option<(u64, String)> = None;
    let mut duplicates = 0u64;
    // The line number of the first line of the block at hand.
    let mut first_line = 1;
    for out in outputs {
        info.lines += out.lines;
        tag.merge(out.tag);
        duplicates += out.duplicates;
        if let (None, Some((line, problem))) = (&first_error, out.error) {
            // Blocks are in file order: the first one with an error has the first error.
            first_error = Some((first_line + line - 1, problem));
        }
        first_line += out.newlines;
        queries.extend(out.queries);
    }
    if let Some((line, problem)) = first_error {
        let problem = if duplicates > 1 {
            format!("{problem} ({duplicates} duplicate (query, document) pairs in this file)")
        } else {
            problem
        };
        return Err(Error::line(path, line, problem));
    }
    if info.lines == 0 {
        return Err(Error::file(path, "holds no run lines (only blank lines)"));
    }
    let mut seen: FxHashSet<&[u8]> = FxHashSet::default();
    if !queries.iter().all(|(q, _)| seen.insert(q)) {
        return Ok(None);
    }
    info.digest = digest.get().cloned();
    info.tag = match tag {
        Tag::One(t) => Some(String::from_utf8_lossy(&t).into_owned()),
        _ => None,
    };
    Ok(Some((queries, info)))
}

/// The first field of a line (its qid), or `None` for a blank line.
fn qid_of(line: &[u8]) -> Option<&[u8]> {
    fields(line).next()
}

/// Cuts what `reader` reads into blocks of whole lines that end where a query's lines
/// end.
struct Cutter<R> {
    reader: R,
    block_bytes: usize,
    /// `buf[..filled]` is read input (the incomplete query the last block left out,
    /// then new bytes); the rest of `buf` is initialized scratch space.
    buf: Vec<u8>,
    filled: usize,
    next_seq: u64,
    eof: bool,
}

impl<R: std::io::Read> Cutter<R> {
    fn new(reader: R, block_bytes: usize) -> Self {
        Cutter {
            reader,
            block_bytes,
            buf: Vec::new(),
            filled: 0,
            next_seq: 0,
            eof: false,
        }
    }

    /// The next block (`None` once the input is done; an error ends it too). `spare`,
    /// a buffer its owner no longer needs, receives the incomplete query left over.
    fn next_block(&mut self, path: &Path, spare: Vec<u8>) -> Option<Result<Block>> {
        let block_bytes = self.block_bytes;
        let chunk = block_bytes.clamp(1, 8 << 20);
        while !self.eof {
            // Fill to a block, or by one more chunk when a single query outgrew it.
            let want = if self.filled < block_bytes {
                block_bytes
            } else {
                self.filled + chunk
            };
            while self.filled < want {
                let end = self.filled + chunk.min(want - self.filled);
                if self.buf.len() < end {
                    self.buf.resize(end, 0); // zeroed once per buffer, not per block
                }
                match self.reader.read(&mut self.buf[self.filled..end]) {
                    Ok(0) => {
                        self.eof = true;
                        break;
                    }
                    Ok(n) => self.filled += n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(e) => {
                        self.eof = true;
                        return Some(Err(Error::io(path, e)));
                    }
                }
            }
            let cut = if self.eof {
                self.filled
            } else {
                query_boundary(&self.buf[..self.filled])
            };
            if cut == 0 {
                continue; // nothing read at the end, or one query fills the buffer
            }
            // The incomplete query moves to the front of the next buffer.
            let tail = self.filled - cut;
            let mut next = spare;
            if next.len() < tail {
                next.resize(tail, 0);
            }
            next[..tail].copy_from_slice(&self.buf[cut..self.filled]);
            let block = Block {
                seq: self.next_seq,
                buffer: std::mem::replace(&mut self.buf, next),
                len: cut,
            };
            self.filled = tail;
            self.next_seq += 1;
            return Some(Ok(block));
        }
        None
    }
}

/// Where the lines of the last query among the complete lines of `buf` begin: the
/// bytes before it hold only whole queries (unless the file is not grouped by query,
/// which the caller detects). 0 when no boundary is known yet.
fn query_boundary(buf: &[u8]) -> usize {
    let Some(last_nl) = memchr::memrchr(b'\n', buf) else {
        return 0;
    };
    let mut end = last_nl; // exclusive end of the line being looked at
    let mut last_qid: Option<&[u8]> = None;
    loop {
        let start = memchr::memrchr(b'\n', &buf[..end]).map_or(0, |p| p + 1);
        if let Some(q) = qid_of(&buf[start..end]) {
            match last_qid {
                None => last_qid = Some(q),
                Some(l) if l != q => return end + 1,
                _ => {}
            }
        }
        if start == 0 {
            return 0;
        }
        end = start - 1;
    }
}

/// Parses a block and maps every query in it.
fn process_block<T, F>(block: &Block, f: &F) -> BlockOutput<T>
where
    T: Send,
    F: Fn(&[u8], &mut [ScoredDoc<'_>]) -> T + Sync,
{
    let mut out = BlockOutput {
        seq: block.seq,
        queries: Vec::new(),
        lines: 0,
        newlines: 0,
        tag: Tag::None,
        error: None,
        duplicates: 0,
    };
    // The block's documents in line order, in a buffer this thread reuses from block to
    // block (no fresh pages to fault in for every block). Queries are kept in order of
    // first appearance, `index` finding one seen earlier; `stretches` marks where each
    // stretch of consecutive lines of one query starts.
    let mut docs: Vec<ScoredDoc<'_>> = SPARE_DOCS.take().map(reuse).unwrap_or_default();
    let mut qids: Vec<&[u8]> = Vec::new();
    let mut stretches: Vec<(usize, usize)> = Vec::new(); // (query, first doc)
    let mut index: FxHashMap<&[u8], usize> = FxHashMap::default();
    let mut current = usize::MAX;
    // Records are the lines and, last, the bytes after the last newline.
    let mut records_seen = 0;
    for ([qid, _, docid, _, score, tag], n) in records::<6>(block.bytes()) {
        records_seen += 1;
        let this_line = records_seen;
        if n == 0 {
            continue;
        }
        out.lines += 1;
        if n != 6 {
            out.error.get_or_insert((
                this_line,
                format!(
                    "expected 6 fields (qid Q0 docid rank score tag), found {}",
                    if n > 6 {
                        "more".to_string()
                    } else {
                        n.to_string()
                    }
                ),
            ));
            break;
        }
        let score = match parse_score(score) {
            Ok(s) => s,
            Err(problem) => {
                out.error.get_or_insert((this_line, problem));
                break;
            }
        };
        out.tag.see(tag);
        if current == usize::MAX || !same_bytes(qids[current], qid) {
            // Lines of one query need not be contiguous within a block.
            current = *index.entry(qid).or_insert_with(|| {
                qids.push(qid);
                qids.len() - 1
            });
            stretches.push((current, docs.len()));
        }
        docs.push(ScoredDoc::new(docid, score));
    }
    if out.error.is_some() {
        return out;
    }
    out.newlines = records_seen.saturating_sub(1);
    let groups = by_query(&qids, &stretches, &mut docs);
    let results: ByQuery<std::result::Result<T, Duplicates>> = groups
        .into_par_iter()
        .map(|(qid, docs)| {
            let r = match duplicates(docs) {
                Some((index, count)) => Err(Duplicates {
                    line: nth_line_of(block, qid, index),
                    problem: format!(
                        "document '{}' is listed more than once for query '{}' (trec_eval refuses duplicate documents)",
                        show(docs[index].docid()),
                        show(qid)
                    ),
                    count,
                }),
                None => Ok(f(qid, docs)),
            };
            (Box::from(qid), r)
        })
        .collect();
    SPARE_DOCS.set(Some(reuse(docs)));
    for (qid, r) in results {
        match r {
            Ok(v) => out.queries.push((qid, v)),
            Err(d) => {
                out.duplicates += d.count;
                if out.error.as_ref().is_none_or(|(l, _)| d.line < *l) {
                    out.error = Some((d.line, d.problem));
                }
            }
        }
    }
    out
}

thread_local! {
    /// The document buffer of the last block this thread parsed, kept for the next.
    static SPARE_DOCS: Cell<Option<Vec<ScoredDoc<'static>>>> = const { Cell::new(None) };
}

/// An emptied vector on the same allocation, for documents of another block's lifetime
/// (collecting a vector's own `into_iter().map()` reuses its allocation).
fn reuse<'b>(mut docs: Vec<ScoredDoc<'_>>) -> Vec<ScoredDoc<'b>> {
    docs.clear();
    docs.into_iter()
        .map(|_| unreachable!("the vector is empty"))
        .collect()
}

/// Each query's documents (in file order) as one slice of `docs`, queries in order of
/// first appearance. `stretches` lists where each run of consecutive lines of one query
/// starts; when a query comes back after another's lines, `docs` is first regrouped
/// (stably) so that each query's documents lie together.
fn by_query<'d, 'a>(
    qids: &[&'a [u8]],
    stretches: &[(usize, usize)],
    docs: &'d mut Vec<ScoredDoc<'a>>,
) -> Vec<(&'a [u8], &'d mut [ScoredDoc<'a>])> {
    // Each stretch as (query, its documents' range in `docs`).
    let total = docs.len();
    let spans = || {
        let ends = stretches.iter().skip(1).map(|s| s.1).chain([total]);
        stretches
            .iter()
            .zip(ends)
            .map(|(&(q, start), end)| (q, start..end))
    };
    let mut lengths = vec![0usize; qids.len()];
    for (query, range) in spans() {
        lengths[query] += range.len();
    }
    if stretches.len() > qids.len() {
        // A counting sort by query, one pass over the stretches: a file sorted by rank
        // rather than by query has as many stretches as lines.
        let mut next: Vec<usize> = lengths
            .iter()
            .scan(0, |at, &len| {
                let start = *at;
                *at += len;
                Some(start)
            })
            .collect();
        let mut grouped = docs.clone();
        for (query, range) in spans() {
            let to = next[query];
            next[query] += range.len();
            grouped[to..next[query]].copy_from_slice(&docs[range]);
        }
        *docs = grouped;
    }
    let mut rest = docs.as_mut_slice();
    let mut groups = Vec::with_capacity(qids.len());
    for (&qid, &len) in qids.iter().zip(&lengths) {
        let (head, tail) = std::mem::take(&mut rest).split_at_mut(len);
        groups.push((qid, head));
        rest = tail;
    }
    groups
}

/// A query that lists a document more than once.
struct Duplicates {
    /// The line of the first repeated document.
    line: u64,
    problem: String,
    count: u64,
}

/// The index (in file order) of a query's first repeated document, and how many
/// repeats it has.
///
/// Documents go through an open-addressing set of their 64-bit docid hashes (kept per
/// thread and reused, so a query costs no allocation): a set of numbers is several times
/// cheaper than a set of byte strings. The low bits of a hash pick its slot and the
/// high 32 bits are stored; the table is at most a quarter full, so a probe rarely
/// finds its slot taken (each such probe was a mispredicted branch at half full). Any
/// tag seen twice in a probe chain, a repeat or two docids alike in those bits, sends
/// the query to the exact check, which runs only for broken runs.
fn duplicates(docs: &[ScoredDoc<'_>]) -> Option<(usize, u64)> {
    thread_local! {
        static SEEN: RefCell<Vec<u32>> = const { RefCell::new(Vec::new()) };
    }
    SEEN.with_borrow_mut(|slots| {
        // 0 marks an empty slot (a tag of 0 is stored as 1).
        let size = (4 * docs.len()).next_power_of_two().max(16);
        slots.clear();
        slots.resize(size, 0);
        let mask = size - 1;
        for d in docs {
            let h = d.hash();
            let tag = ((h >> 32) as u32).max(1);
            // The low bits pick the slot, as in hashbrown (FxHash rotates its best-mixed
            // bits there).
            let mut i = h as usize & mask;
            loop {
                match slots[i] {
                    0 => {
                        slots[i] = tag;
                        break;
                    }
                    s if s == tag => return exact_duplicates(docs),
                    _ => i = (i + 1) & mask,
                }
            }
        }
        None
    })
}

/// [`duplicates`] by the docids themselves.
fn exact_duplicates(docs: &[ScoredDoc<'_>]) -> Option<(usize, u64)> {
    let mut seen: FxHashSet<&[u8]> =
        FxHashSet::with_capacity_and_hasher(docs.len(), Default::default());
    let mut first = None;
    let mut count = 0;
    for (i, d) in docs.iter().enumerate() {
        if !seen.insert(d.docid()) {
            first.get_or_insert(i);
            count += 1;
        }
    }
    first.map(|i| (i, count))
}

/// The line number of the `index`-th line of query `qid` in a block (error path only).
fn nth_line_of(block: &Block, qid: &[u8], index: usize) -> u64 {
    (1..)
        .zip(lines(block.bytes()))
        .filter(|(_, line)| qid_of(line) == Some(qid))
        .nth(index)
        .map_or(1, |(n, _)| n)
}

/// A run score: any decimal or exponent notation, read as trec_eval does (a double
/// rounded to a 32-bit float). NaN is refused: it has no place in a ranking.
#[inline]
fn parse_score(field: &[u8]) -> std::result::Result<f32, String> {
    match plain_decimal(field) {
        Some(v) => Ok(v as f32),
        None => parse_other_score(field),
    }
}

/// [`parse_score`] of any spelling but a plain decimal: kept out of line, so that the
/// hot path is small enough to inline and saves no registers for this one.
#[cold]
#[inline(never)]
fn parse_other_score(field: &[u8]) -> std::result::Result<f32, String> {
    // fast-float2 is correctly rounded like `str::parse`; the standard parser is the
    // fallback so that exactly the same spellings are accepted.
    let value = fast_float2::parse::<f64, _>(field)
        .ok()
        .or_else(|| std::str::from_utf8(field).ok()?.parse::<f64>().ok())
        .ok_or_else(|| format!("score '{}' is not a number", show(field)))?;
    if value.is_nan() {
        return Err("score is NaN".to_string());
    }
    Ok(value as f32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decimal::EXACT_POWERS_OF_TEN;
    use std::io::Write;

    #[test]
    fn qrels_read_in_tiny_chunks_as_in_one() {
        let write = |text: &str| {
            let mut file = tempfile::NamedTempFile::new().unwrap();
            file.write_all(text.as_bytes()).unwrap();
            file
        };
        // q2's lines are split by q1's: its judgments still form one query.
        let text = "q1 0 a 1\nq2 0 a 0\n\nq1 0 b 2\nq2 0 c -1\nq1 0 c 0\n";
        let file = write(text);
        let (whole, _) = read_qrels_in_chunks(file.path(), 1 << 20).unwrap();
        for size in [1, 3, 7, 9, 20] {
            let (q, _) = read_qrels_in_chunks(file.path(), size).unwrap();
            assert_eq!(q.qids(), whole.qids());
            for (qid, doc, grade) in [
                ("q1", "b", Some(2)),
                ("q2", "c", Some(-1)),
                ("q2", "b", None),
            ] {
                assert_eq!(
                    q.query(qid.as_bytes()).unwrap().label(doc.as_bytes()),
                    grade
                );
            }
            assert_eq!(q.query(b"q1").unwrap().len(), 3);
            assert_eq!(q.max_grade(), 2);
        }
        // The first problem in file order wins, whichever chunk finds it.
        let dup_first = write("q1 0 a 1\nq2 0 a 1\nq1 0 a 0\nq1 0 b x\n");
        let bad_first = write("q1 0 a 1\nq1 0 b x\nq1 0 a 0\n");
        for size in [1, 5, 1 << 20] {
            let e = read_qrels_in_chunks(dup_first.path(), size)
                .unwrap_err()
                .to_string();
            assert!(
                e.contains(":3: document 'a' is judged twice for query 'q1'"),
                "{e}"
            );
            let e = read_qrels_in_chunks(bad_first.path(), size)
                .unwrap_err()
                .to_string();
            assert!(e.contains(":2: relevance 'x' is not an integer"), "{e}");
        }
    }

    /// Random small qrels (repeats, bad grades, short lines, queries in several
    /// stretches), read in chunks of many sizes: the same judgments, or the same first
    /// problem at the same line, as a line-by-line reading with [`QrelsBuilder`].
    #[test]
    fn qrels_in_chunks_read_as_line_by_line() {
        use rigor_metrics::ir::QrelsBuilder;
        let mut rng = crate::records::tests::Rng(0x9e37_79b9_7f4a_7c15);
        let mut below = |n: u64| rng.below(n);
        for case in 0..300 {
            let mut text = String::new();
            for _ in 0..below(30) {
                let line = match below(40) {
                    0 => String::new(),
                    1 if case % 3 == 0 => "q1 0 a x".to_string(),
                    2 if case % 4 == 0 => "q2 0 b".to_string(),
                    _ => format!(
                        "q{} 0 {} {}",
                        below(3),
                        ["a", "b", "c", "d", "e"][below(5) as usize],
                        below(4) as i64 - 1
                    ),
                };
                text.push_str(&line);
                text.push('\n');
            }
            // The reference: line by line.
            let mut b = QrelsBuilder::new();
            let mut expected: std::result::Result<(), (usize, &str)> = Ok(());
            for (i, line) in text.lines().enumerate() {
                let f: Vec<&str> = line.split_whitespace().collect();
                let problem = match f.len() {
                    0 => continue,
                    4 => match f[3].parse::<i32>() {
                        Ok(g) if b.add(f[0].as_bytes(), f[2].as_bytes(), g).is_err() => {
                            "judged twice"
                        }
                        Ok(_) => continue,
                        Err(_) => "not an integer",
                    },
                    _ => "expected 4 fields",
                };
                expected = Err((i + 1, problem));
                break;
            }
            let reference = b.build();
            let mut file = tempfile::NamedTempFile::new().unwrap();
            file.write_all(text.as_bytes()).unwrap();
            for size in [1, 3, 8, 17, 40, 1 << 20] {
                match (read_qrels_in_chunks(file.path(), size), expected) {
                    (Ok((q, _)), Ok(())) => {
                        assert_eq!(q.qids(), reference.qids(), "{text}");
                        for qid in reference.qids() {
                            let (got, want) =
                                (q.query(qid).unwrap(), reference.query(qid).unwrap());
                            assert_eq!(got.len(), want.len());
                            assert_eq!(got.ideal_gains(), want.ideal_gains());
                            assert_eq!(got.num_rel(1), want.num_rel(1));
                            assert_eq!(got.num_nonrel(1), want.num_nonrel(1));
                            for d in ["a", "b", "c", "d", "e"] {
                                assert_eq!(got.label(d.as_bytes()), want.label(d.as_bytes()));
                            }
                        }
                    }
                    (Err(e), Err((line, problem))) => {
                        let e = e.to_string();
                        assert!(
                            e.contains(&format!(":{line}: ")) && e.contains(problem),
                            "size {size}: {e}\n{text}"
                        );
                    }
                    (Err(e), Ok(())) if text.trim().is_empty() => {
                        let e = e.to_string();
                        assert!(
                            e.contains("holds no judgments") || e.contains("empty"),
                            "{e}"
                        );
                    }
                    (got, want) => panic!(
                        "size {size}: {:?} against {want:?}\n{text}",
                        got.map(|_| ())
                    ),
                }
            }
        }
    }

    #[test]
    fn grades_parse_as_str_parse_does() {
        for g in [
            "0",
            "1",
            "9",
            "-1",
            "-0",
            "+1",
            "10",
            "-12",
            "2147483647",
            "-2147483648",
            "2147483648",
            "",
            "-",
            "+",
            "a",
            "1a",
            "1.0",
            "٣",
            "0x1",
            " 1",
        ] {
            assert_eq!(parse_grade(g.as_bytes()), g.parse::<i32>().ok(), "{g:?}");
        }
    }

    #[test]
    fn plain_decimals_parse_as_the_full_parser_does() {
        let cases = [
            "18.0783",
            "-0.5",
            "+3",
            "0",
            "-0",
            "7.",
            ".25",
            "123456789012345",
            "0.000000000000001",
            "1.100000000000001",
            "99999.99999",
            "0.1",
            "2.675",
            "340282356779733661637539395458142568448.0",
            "999999999999999",
            "-999999999999999.",
            "+.999999999999999",
            "99999999.9999999",
            "000000000000001",
            "-000000000000000",
            "9007199254740993",
            "1234567890.12345",
            "0.",
            "+0.0",
            "-.0",
            "12345678",
            "1234567.8",
            "0.12345678",
        ];
        for c in cases {
            let full: f64 = c.parse().unwrap();
            match plain_decimal(c.as_bytes()) {
                Some(v) => assert_eq!(v.to_bits(), full.to_bits(), "{c}"),
                None => assert!(
                    c.bytes().filter(u8::is_ascii_digit).count() > 15,
                    "{c} should take the fast path"
                ),
            }
            assert_eq!(
                parse_score(c.as_bytes()).unwrap().to_bits(),
                (full as f32).to_bits()
            );
        }
        for bad in [
            "",
            "-",
            "+",
            ".",
            "-.",
            "1.2.3",
            "1..2",
            "1e5x",
            "--1",
            "+-1",
            "1-",
            "1.-2",
            " 1",
            "1 ",
            "1/2",
            "1:2",
            "0x10",
            "1234567890123456",
            "1234567890.123456",
            ".1234567890123456",
            "1234567890123456.",
            "-0000000000000000",
            "00000000000000000.5",
        ] {
            assert_eq!(plain_decimal(bad.as_bytes()), None, "{bad}");
        }
        // A seeded sweep of random decimals of every length and scale.
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let digits = (x % 15 + 1) as usize;
            let m = (x >> 8) % 10u64.pow(digits as u32);
            let point = (x >> 40) as usize % (digits + 1);
            let s = format!("{m:0digits$}");
            let s = format!("{}.{}", &s[..digits - point], &s[digits - point..]);
            let full: f64 = s.parse().unwrap();
            assert_eq!(
                plain_decimal(s.as_bytes()).unwrap().to_bits(),
                full.to_bits(),
                "{s}"
            );
        }
    }

    /// `plain_decimal` as first written, a digit at a time.
    fn plain_decimal_reference(field: &[u8]) -> Option<f64> {
        let (negative, digits) = match field.split_first()? {
            (b'-', rest) => (true, rest),
            (b'+', rest) => (false, rest),
            _ => (false, field),
        };
        let mut m: u64 = 0;
        let mut count = 0usize;
        let mut fraction: Option<usize> = None;
        for &b in digits {
            match b {
                b'0'..=b'9' if count < 15 => {
                    m = m * 10 + u64::from(b - b'0');
                    count += 1;
                }
                b'.' if fraction.is_none() => fraction = Some(count),
                _ => return None,
            }
        }
        if count == 0 {
            return None;
        }
        let k = fraction.map_or(0, |f| count - f);
        let v = m as f64 / EXACT_POWERS_OF_TEN[k];
        Some(if negative { -v } else { v })
    }

    #[test]
    fn plain_decimal_accepts_and_refuses_what_the_digit_loop_did() {
        // Random spellings over digits, points, signs and bytes next to '0'..'9'.
        const ALPHABET: &[u8] = b"0123456789012345678901234567890123456789..+-e/: ";
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        let mut rand = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let mut accepted = 0;
        for _ in 0..300_000 {
            let len = (rand() % 20) as usize;
            let field: Vec<u8> = (0..len)
                .map(|_| ALPHABET[(rand() % ALPHABET.len() as u64) as usize])
                .collect();
            let new = plain_decimal(&field).map(f64::to_bits);
            assert_eq!(
                new,
                plain_decimal_reference(&field).map(f64::to_bits),
                "{:?}",
                String::from_utf8_lossy(&field)
            );
            accepted += usize::from(new.is_some());
        }
        assert!(accepted > 10_000, "{accepted}");
    }

    /// Runs `stream` with a given block size and returns sorted (qid, docids in order).
    type Groups = Vec<(String, Vec<String>)>;

    fn groups(text: &str, block_bytes: usize) -> Option<(Groups, RunInfo)> {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        file.write_all(text.as_bytes()).unwrap();
        let f = |q: &[u8], docs: &mut [ScoredDoc<'_>]| {
            (
                String::from_utf8_lossy(q).into_owned(),
                docs.iter()
                    .map(|d| String::from_utf8_lossy(d.docid()).into_owned())
                    .collect::<Vec<_>>(),
            )
        };
        let (out, info) = stream(file.path(), None, &f, block_bytes).unwrap()?;
        let mut v: Vec<_> = out.into_iter().map(|(_, g)| g).collect();
        v.sort();
        Some((v, info))
    }

    #[test]
    fn tiny_blocks_give_the_same_groups_as_one_block() {
        let mut text = String::new();
        for q in 0..50 {
            for d in 0..(q % 7 + 1) {
                text.push_str(&format!("q{q}\tQ0  d{d} {d} {}.5 tag\r\n", 10 - d));
            }
            if q % 10 == 0 {
                text.push('\n'); // blank lines are skipped
            }
        }
        let whole = groups(&text, usize::MAX).unwrap();
        assert_eq!(whole.0.len(), 50);
        assert_eq!(
            whole.1.lines,
            text.lines().filter(|l| !l.trim().is_empty()).count() as u64
        );
        assert_eq!(whole.1.tag.as_deref(), Some("tag"));
        for block in [16, 40, 100, 1000] {
            assert_eq!(groups(&text, block).unwrap(), whole, "block size {block}");
        }
    }

    #[test]
    fn a_reused_document_buffer_keeps_its_allocation() {
        let docid = String::from("d1");
        let docs = vec![ScoredDoc::new(docid.as_bytes(), 1.0); 1000];
        let capacity = docs.capacity();
        let reused: Vec<ScoredDoc<'static>> = reuse(docs);
        assert!(reused.is_empty());
        assert_eq!(reused.capacity(), capacity);
    }

    #[test]
    fn a_query_spread_over_blocks_is_detected() {
        let text = "q1 Q0 a 1 1 t\nq2 Q0 b 1 1 t\nq1 Q0 c 2 0 t\n";
        assert!(groups(text, 16).is_none());
        // Within one block, scattered lines are simply grouped.
        let (whole, _) = groups(text, usize::MAX).unwrap();
        assert_eq!(
            whole[0],
            ("q1".to_string(), vec!["a".to_string(), "c".to_string()])
        );
        // Interleaved three ways: each query's documents in file order.
        let text = "q1 Q0 a 1 1 t\nq2 Q0 b 1 1 t\nq1 Q0 c 2 0 t\nq3 Q0 d 1 1 t\nq2 Q0 e 2 0 t\nq1 Q0 f 3 0 t\n";
        let (whole, info) = groups(text, usize::MAX).unwrap();
        let docs = |ids: &[&str]| ids.iter().map(|d| d.to_string()).collect::<Vec<_>>();
        assert_eq!(
            whole,
            [
                ("q1".to_string(), docs(&["a", "c", "f"])),
                ("q2".to_string(), docs(&["b", "e"])),
                ("q3".to_string(), docs(&["d"])),
            ]
        );
        assert_eq!(info.lines, 6);
    }

    #[test]
    fn line_numbers_survive_block_cuts() {
        let mut text = String::new();
        for q in 0..20 {
            text.push_str(&format!("q{q} Q0 d 1 1 t\n"));
        }
        text.push_str("q99 Q0 d 1 x t\n");
        let mut file = tempfile::NamedTempFile::new().unwrap();
        file.write_all(text.as_bytes()).unwrap();
        let err = stream(
            file.path(),
            None,
            &|_: &[u8], _: &mut [ScoredDoc<'_>]| (),
            30,
        )
        .err()
        .unwrap();
        assert!(
            err.to_string().ends_with(":21: score 'x' is not a number"),
            "{err}"
        );
    }

    #[test]
    fn boundary_is_the_start_of_the_last_query() {
        let buf = b"q1 Q0 a 1 1 t\nq1 Q0 b 2 1 t\nq2 Q0 c 1 1 t\nq2 Q0 d 2 1 t\nq2 Q0 e";
        assert_eq!(query_boundary(buf), 28);
        assert_eq!(query_boundary(b"q1 a\nq1 b\n"), 0);
        assert_eq!(query_boundary(b"no newline"), 0);
    }

    #[test]
    fn scores_read_as_float32() {
        for s in [
            "1e-3",
            "-2.5E+02",
            "1.5e2",
            "5E-1",
            ".5",
            "5.",
            "+2",
            "-0.0",
            "inf",
            "1e39",
            "0.1000000001",
        ] {
            let std = s.parse::<f64>().unwrap() as f32;
            assert_eq!(
                parse_score(s.as_bytes()).map(f32::to_bits),
                Ok(std.to_bits()),
                "{s}"
            );
        }
        assert_eq!(parse_score(b"1e-3"), Ok(1e-3f64 as f32));
        assert_eq!(parse_score(b"-2.5E+02"), Ok(-250.0));
        assert_eq!(parse_score(b"0.1000000001"), parse_score(b"0.1000000002"));
        assert!(parse_score(b"abc")
            .unwrap_err()
            .contains("'abc' is not a number"));
        assert_eq!(parse_score(b"nan").unwrap_err(), "score is NaN");
    }
}
