//! Relevance judgments, indexed for evaluation.
//!
//! trec_eval's conventions (verified against trec_eval 9.0.8):
//! - a grade ≥ the relevance level (default 1) is relevant;
//! - grade 0 (and positive grades below the level) is judged non-relevant;
//! - a negative grade means "in the pool, not judged": never relevant, not counted in
//!   NumRel, skipped by Bpref, gain 0 — but the document is still in the qrels.

use std::hash::Hasher;
use std::sync::Arc;

use hashbrown::hash_table::Entry;
use hashbrown::HashTable;
use rustc_hash::{FxHashMap, FxHasher};

/// The judgments of one query.
///
/// The judged document ids are not copied: they stay where they lie in a text shared by
/// every query (a qrels file's contents, read once), found through a hash table of
/// ([`Place`], grade). The qrels then take little more memory than their file, and
/// fresh memory is what a short process pays most for on a busy machine.
#[derive(Debug, Clone, Default)]
pub struct QueryJudgments {
    text: Arc<Vec<u8>>,
    table: HashTable<(Place, i32)>,
    filter: Filter,
    /// Positive grades, descending: the ideal ranking's gains for nDCG.
    ideal: Vec<i32>,
    /// Number of judged documents per grade ≥ 0, ascending by grade.
    grade_counts: Vec<(i32, usize)>,
}

impl QueryJudgments {
    /// The grade of a document, or `None` if the qrels do not mention it.
    #[inline]
    pub fn label(&self, docid: &[u8]) -> Option<i32> {
        self.label_hashed(docid, docid_hash(docid))
    }

    /// [`QueryJudgments::label`] of a document whose [`docid_hash`] is known.
    #[inline]
    pub fn label_hashed(&self, docid: &[u8], hash: u64) -> Option<i32> {
        if !self.filter.may_hold(hash) {
            return None;
        }
        let text = self.text.as_slice();
        self.table
            .find(hash, |&(place, _)| same_bytes(place.of(text), docid))
            .map(|e| e.1)
    }

    /// Number of documents with grade ≥ `level` (trec_eval `num_rel`).
    pub fn num_rel(&self, level: i32) -> usize {
        self.grade_counts
            .iter()
            .filter(|(g, _)| *g >= level)
            .map(|(_, n)| n)
            .sum()
    }

    /// Number of judged non-relevant documents: 0 ≤ grade < `level`.
    pub fn num_nonrel(&self, level: i32) -> usize {
        self.grade_counts
            .iter()
            .filter(|(g, _)| *g < level)
            .map(|(_, n)| n)
            .sum()
    }

    /// Positive grades in descending order (the ideal ranking's gains).
    pub fn ideal_gains(&self) -> &[i32] {
        &self.ideal
    }

    /// Number of documents in the qrels for this query, whatever their grade.
    pub fn len(&self) -> usize {
        self.table.len()
    }

    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }
}

/// Where a judged document's id lies in the shared text: its start (below 2^40) and
/// length (below 2^24) in 8 bytes kept as two `u32`s, so that a table entry with its
/// grade takes 12 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place([u32; 2]);

impl Place {
    /// Longest document id a [`Place`] can hold, in bytes.
    pub const MAX_LEN: usize = (1 << 24) - 1;

    /// `None` when the start or the length is too large to hold.
    pub fn new(start: usize, len: usize) -> Option<Place> {
        if len > Self::MAX_LEN || start >> 40 != 0 {
            return None;
        }
        let packed = (start as u64) << 24 | len as u64;
        Some(Place([packed as u32, (packed >> 32) as u32]))
    }

    pub fn start(self) -> usize {
        ((u64::from(self.0[1]) << 32 | u64::from(self.0[0])) >> 24) as usize
    }

    pub fn len(self) -> usize {
        (self.0[0] & Self::MAX_LEN as u32) as usize
    }

    pub fn is_empty(self) -> bool {
        self.len() == 0
    }

    /// The bytes at this place of `text`.
    #[inline]
    pub fn of(self, text: &[u8]) -> &[u8] {
        let start = self.start();
        &text[start..start + self.len()]
    }
}

/// One bit per judged document, picked by bits of its hash that the table's probing
/// does not use: most retrieved documents are not judged, and for them a clear bit
/// answers with one load, before any probe of the table (1,024 bits: with a hundred
/// judgments a query, nine in ten unjudged documents stop here).
#[derive(Debug, Clone, Default)]
struct Filter([u64; 16]);

impl Filter {
    #[inline]
    fn bit(hash: u64) -> (usize, u64) {
        let b = (hash >> 40) as usize & 1023;
        (b >> 6, 1 << (b & 63))
    }

    fn add(&mut self, hash: u64) {
        let (word, bit) = Self::bit(hash);
        self.0[word] |= bit;
    }

    /// `false` only for hashes never added.
    #[inline]
    fn may_hold(&self, hash: u64) -> bool {
        let (word, bit) = Self::bit(hash);
        self.0[word] & bit != 0
    }
}

/// One query's judgments as they are read, documents given by their [`Place`] in a
/// text the caller holds; a query whose lines lie in several stretches of a file is
/// built from each stretch apart, then [merged](JudgmentsBuilder::merge).
#[derive(Debug, Default)]
pub struct JudgmentsBuilder {
    table: HashTable<(Place, i32)>,
    filter: Filter,
    ideal: Vec<i32>,
    grade_counts: Vec<(i32, usize)>,
}

impl JudgmentsBuilder {
    pub fn with_capacity(judgments: usize) -> Self {
        JudgmentsBuilder {
            table: HashTable::with_capacity(judgments),
            ..JudgmentsBuilder::default()
        }
    }

    /// Number of documents so far.
    pub fn len(&self) -> usize {
        self.table.len()
    }

    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }

    /// Adds the document at `place` of `text` with its grade; `Err(())` if the query
    /// already has it (trec_eval refuses a document judged twice), and nothing added.
    #[inline]
    #[allow(clippy::result_unit_err)]
    pub fn insert(&mut self, text: &[u8], place: Place, grade: i32) -> Result<(), ()> {
        let docid = place.of(text);
        let hash = docid_hash(docid);
        // One probe finds a repeat or the free slot.
        let entry = self.table.entry(
            hash,
            |&(p, _)| same_bytes(p.of(text), docid),
            |&(p, _)| docid_hash(p.of(text)),
        );
        let Entry::Vacant(free) = entry else {
            return Err(());
        };
        free.insert((place, grade));
        self.filter.add(hash);
        if grade > 0 {
            self.ideal.push(grade);
        }
        if grade >= 0 {
            // Grades are few (0..=4 in most qrels): a short list beats a map.
            match self.grade_counts.iter_mut().find(|(g, _)| *g == grade) {
                Some((_, n)) => *n += 1,
                None => self.grade_counts.push((grade, 1)),
            }
        }
        Ok(())
    }

    /// Adds the documents of `later`, built from lines of the same query further on in
    /// `text`. Returns the first (by place) of `later`'s documents that this builder
    /// already had — the first repeated judgment among them — after adding the rest.
    pub fn merge(&mut self, text: &[u8], later: JudgmentsBuilder) -> Option<Place> {
        let mut repeat: Option<Place> = None;
        for (place, grade) in later.table {
            if self.insert(text, place, grade).is_err()
                && repeat.is_none_or(|r| place.start() < r.start())
            {
                repeat = Some(place);
            }
        }
        repeat
    }

    /// The query's judgments, their documents' ids in `text`.
    pub fn finish(self, text: Arc<Vec<u8>>) -> QueryJudgments {
        let JudgmentsBuilder {
            table,
            filter,
            mut ideal,
            mut grade_counts,
        } = self;
        ideal.sort_unstable_by(|a, b| b.cmp(a));
        grade_counts.sort_unstable();
        QueryJudgments {
            text,
            table,
            filter,
            ideal,
            grade_counts,
        }
    }
}

/// A document id's 64-bit hash: the key of [`QueryJudgments`]' table, and what run
/// readers compare docids by when they look for repeats. Inline: it runs once per run
/// line, and a call costs as much as hashing a short id.
#[inline]
pub fn docid_hash(docid: &[u8]) -> u64 {
    let mut h = FxHasher::default();
    h.write(docid);
    h.finish()
}

/// Whether two ids are the same bytes. Ids are short (document and query ids, run
/// tags): up to 16 bytes they are compared as two overlapping words each, inline,
/// where `==` on slices calls libc's `memcmp` (a tenth of eval ir's time went to those
/// calls, once per run line for each of the qrels lookup, the query id and the tag).
#[inline]
pub fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    // Two loads that cover `0..n` (overlapping when n is not a multiple of the width).
    fn word<const W: usize>(s: &[u8], at: usize) -> [u8; W] {
        s[at..at + W].try_into().unwrap_or([0; W])
    }
    match n {
        0 => true,
        1..=3 => a[0] == b[0] && a[n / 2] == b[n / 2] && a[n - 1] == b[n - 1],
        4..=7 => word::<4>(a, 0) == word::<4>(b, 0) && word::<4>(a, n - 4) == word::<4>(b, n - 4),
        8..=16 => word::<8>(a, 0) == word::<8>(b, 0) && word::<8>(a, n - 8) == word::<8>(b, n - 8),
        _ => a == b,
    }
}

/// A judgment [`QrelsBuilder::add`] refuses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefusedJudgment {
    pub qid: String,
    /// The document id (its first 64 bytes when it is too long).
    pub docid: String,
    pub why: Refusal,
}

/// Why a judgment is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The query already judges this document (trec_eval refuses it too).
    Repeated,
    /// The document id is longer than [`Place::MAX_LEN`] bytes.
    TooLong,
}

/// All judgments, by query id.
#[derive(Debug, Clone, Default)]
pub struct Qrels {
    queries: FxHashMap<Box<[u8]>, QueryJudgments>,
    max_grade: i32,
}

impl Qrels {
    /// The judgments of a query, if the qrels mention it.
    pub fn query(&self, qid: &[u8]) -> Option<&QueryJudgments> {
        self.queries.get(qid)
    }

    /// Query ids, in byte order.
    pub fn qids(&self) -> Vec<&[u8]> {
        let mut ids: Vec<&[u8]> = self.queries.keys().map(|k| &**k).collect();
        ids.sort_unstable();
        ids
    }

    pub fn len(&self) -> usize {
        self.queries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.queries.is_empty()
    }

    /// The largest grade in the whole qrels (ERR's g_max); 0 when nothing is positive.
    pub fn max_grade(&self) -> i32 {
        self.max_grade
    }

    /// The qrels of these queries (each query once).
    pub fn from_queries(queries: impl IntoIterator<Item = (Box<[u8]>, QueryJudgments)>) -> Qrels {
        let queries: FxHashMap<Box<[u8]>, QueryJudgments> = queries.into_iter().collect();
        let max_grade = (queries.values())
            .filter_map(|j| j.ideal.first().copied())
            .max()
            .unwrap_or(0)
            .max(0);
        Qrels { queries, max_grade }
    }
}

/// Collects judgments line by line, then indexes them.
#[derive(Debug, Default)]
pub struct QrelsBuilder {
    /// The document ids, back to back.
    text: Vec<u8>,
    queries: FxHashMap<Box<[u8]>, JudgmentsBuilder>,
}

impl QrelsBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one judgment. A second judgment of the same (qid, docid) is refused, as
    /// trec_eval refuses it.
    pub fn add(&mut self, qid: &[u8], docid: &[u8], grade: i32) -> Result<(), RefusedJudgment> {
        let refused = |why| RefusedJudgment {
            qid: String::from_utf8_lossy(qid).into_owned(),
            docid: String::from_utf8_lossy(&docid[..docid.len().min(64)]).into_owned(),
            why,
        };
        let place = Place::new(self.text.len(), docid.len()).ok_or(refused(Refusal::TooLong))?;
        let docs = match self.queries.get_mut(qid) {
            Some(docs) => docs,
            None => self.queries.entry(qid.into()).or_default(),
        };
        self.text.extend_from_slice(docid);
        docs.insert(&self.text, place, grade).map_err(|()| {
            self.text.truncate(place.start());
            refused(Refusal::Repeated)
        })
    }

    pub fn build(self) -> Qrels {
        let text = Arc::new(self.text);
        Qrels::from_queries(
            (self.queries.into_iter()).map(|(qid, docs)| (qid, docs.finish(Arc::clone(&text)))),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_follow_trec_eval_conventions() {
        let mut b = QrelsBuilder::new();
        for (d, g) in [("a", 2), ("b", 1), ("c", 0), ("d", -1), ("e", 3)] {
            b.add(b"q", d.as_bytes(), g).unwrap();
        }
        let q = b.build();
        let j = q.query(b"q").unwrap();
        assert_eq!(j.num_rel(1), 3);
        assert_eq!(j.num_rel(2), 2);
        assert_eq!(j.num_nonrel(1), 1);
        assert_eq!(j.num_nonrel(2), 2);
        assert_eq!(j.ideal_gains(), &[3, 2, 1]);
        assert_eq!(j.label(b"d"), Some(-1));
        assert_eq!(j.label(b"z"), None);
        assert_eq!(q.max_grade(), 3);
    }

    #[test]
    fn same_bytes_is_slice_equality() {
        let ids: Vec<Vec<u8>> = (0..=20)
            .flat_map(|n| {
                let base: Vec<u8> = (0..n as u8).map(|i| b'a' + i).collect();
                // The id itself, and one byte changed at every position.
                let mut v = vec![base.clone()];
                for i in 0..n {
                    let mut changed = base.clone();
                    changed[i] ^= 1;
                    v.push(changed);
                }
                v
            })
            .collect();
        for a in &ids {
            for b in &ids {
                assert_eq!(same_bytes(a, b), a == b, "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn places_hold_starts_below_2_to_40_and_lengths_below_2_to_24() {
        for (start, len) in [
            (0, 0),
            (1, 2),
            ((1 << 40) - 1, Place::MAX_LEN),
            (1 << 32, 17),
        ] {
            let p = Place::new(start, len).unwrap();
            assert_eq!((p.start(), p.len()), (start, len));
        }
        assert_eq!(Place::new(1 << 40, 1), None);
        assert_eq!(Place::new(0, Place::MAX_LEN + 1), None);
        assert_eq!(Place::new(3, 2).unwrap().of(b"abcdefg"), b"de");
    }

    #[test]
    fn merging_reports_the_first_repeat_and_keeps_the_rest() {
        let text = b"abcbdca";
        let at = |i: usize| Place::new(i, 1).unwrap();
        let mut first = JudgmentsBuilder::default();
        for (i, g) in [(0, 1), (1, 0), (2, 2)] {
            first.insert(text, at(i), g).unwrap();
        }
        let mut later = JudgmentsBuilder::default();
        for (i, g) in [(3, 1), (4, 3), (5, 0), (6, -1)] {
            later.insert(text, at(i), g).unwrap();
        }
        // 'b' (3), 'c' (5) and 'a' (6) repeat: 'b' is the first.
        assert_eq!(first.merge(text, later), Some(at(3)));
        let j = first.finish(Arc::new(text.to_vec()));
        assert_eq!(j.len(), 4);
        assert_eq!(j.label(b"d"), Some(3));
        assert_eq!(j.label(b"b"), Some(0));
        assert_eq!(j.ideal_gains(), &[3, 2, 1]);
    }

    #[test]
    fn the_filter_passes_every_judged_document_and_stops_most_others() {
        let mut b = QrelsBuilder::new();
        for i in 0..100 {
            b.add(b"q", format!("doc{i:05}-{}", i * 7).as_bytes(), i % 3)
                .unwrap();
        }
        let q = b.build();
        let j = q.query(b"q").unwrap();
        for i in 0..100 {
            let docid = format!("doc{i:05}-{}", i * 7);
            assert!(j.filter.may_hold(docid_hash(docid.as_bytes())));
            assert_eq!(j.label(docid.as_bytes()), Some(i % 3));
        }
        let passed = (0..10_000)
            .filter(|i| {
                j.filter
                    .may_hold(docid_hash(format!("other{i}").as_bytes()))
            })
            .count();
        // 100 bits of 1,024 set: about one in ten passes.
        assert!(passed < 1_500, "{passed} of 10,000 unjudged ids passed");
    }

    #[test]
    fn duplicate_judgment_is_refused() {
        let mut b = QrelsBuilder::new();
        b.add(b"q", b"a", 1).unwrap();
        assert!(b.add(b"q", b"a", 0).is_err());
    }
}
