//! Relevance judgments, indexed for evaluation.
//!
//! trec_eval's conventions (verified against trec_eval 9.0.8):
//! - a grade ≥ the relevance level (default 1) is relevant;
//! - grade 0 (and positive grades below the level) is judged non-relevant;
//! - a negative grade means "in the pool, not judged": never relevant, not counted in
//!   NumRel, skipped by Bpref, gain 0 — but the document is still in the qrels.

use std::hash::Hasher;

use hashbrown::hash_table::Entry;
use hashbrown::HashTable;
use rustc_hash::{FxHashMap, FxHasher};

/// The judgments of one query.
///
/// The judged document ids lie back to back in one buffer, found through a hash table
/// of (offset, length, grade): one allocation per query rather than per document, and a
/// lookup (once per retrieved document) compares against bytes that sit together.
#[derive(Debug, Clone, Default)]
pub struct QueryJudgments {
    docids: Vec<u8>,
    table: HashTable<(u32, u32, i32)>,
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
        self.table
            .find(hash, |&e| same_bytes(self.docid(e), docid))
            .map(|e| e.2)
    }

    fn docid(&self, entry: (u32, u32, i32)) -> &[u8] {
        stored(&self.docids, entry)
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

    /// A query's judgments from its `(docid, grade)` pairs in file order. A document
    /// judged twice is refused, as trec_eval refuses it: `Err(i)` names the pair that
    /// repeats an earlier one.
    pub fn from_pairs<'a>(
        pairs: impl ExactSizeIterator<Item = (&'a [u8], i32)> + Clone,
    ) -> Result<QueryJudgments, usize> {
        let mut j = QueryJudgments {
            docids: Vec::with_capacity(pairs.clone().map(|(d, _)| d.len()).sum()),
            table: HashTable::with_capacity(pairs.len()),
            ..QueryJudgments::default()
        };
        let mut ideal = Vec::new();
        for (i, (docid, grade)) in pairs.enumerate() {
            let QueryJudgments { docids, table, .. } = &mut j;
            // One probe finds a repeat or the free slot.
            let entry = table.entry(
                docid_hash(docid),
                |&e| same_bytes(stored(docids, e), docid),
                |&e| docid_hash(stored(docids, e)),
            );
            let Entry::Vacant(free) = entry else {
                return Err(i);
            };
            // Offsets are u32: a query's document ids beyond 4 GiB are not supported.
            free.insert((docids.len() as u32, docid.len() as u32, grade));
            docids.extend_from_slice(docid);
            if grade > 0 {
                ideal.push(grade);
            }
            if grade >= 0 {
                // Grades are few (0..=4 in most qrels): a short list beats a map.
                match j.grade_counts.iter_mut().find(|(g, _)| *g == grade) {
                    Some((_, n)) => *n += 1,
                    None => j.grade_counts.push((grade, 1)),
                }
            }
        }
        ideal.sort_unstable_by(|a, b| b.cmp(a));
        j.ideal = ideal;
        j.grade_counts.sort_unstable();
        Ok(j)
    }
}

/// The document id a table entry (offset, length, grade) points to in `docids`.
fn stored(docids: &[u8], (start, len, _): (u32, u32, i32)) -> &[u8] {
    &docids[start as usize..(start + len) as usize]
}

/// A document id's 64-bit hash: the key of [`QueryJudgments`]' table, and what run
/// readers compare docids by when they look for repeats.
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

/// A document judged twice for the same query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateJudgment {
    pub qid: String,
    pub docid: String,
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

/// Grades by document id.
type Labels = FxHashMap<Box<[u8]>, i32>;

/// Collects judgments line by line, then indexes them.
#[derive(Debug, Default)]
pub struct QrelsBuilder {
    queries: FxHashMap<Box<[u8]>, Labels>,
}

impl QrelsBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one judgment. A second judgment of the same (qid, docid) is refused, as
    /// trec_eval refuses it.
    pub fn add(&mut self, qid: &[u8], docid: &[u8], grade: i32) -> Result<(), DuplicateJudgment> {
        let docs = match self.queries.get_mut(qid) {
            Some(docs) => docs,
            None => self.queries.entry(qid.into()).or_default(),
        };
        if docs.insert(docid.into(), grade).is_some() {
            return Err(DuplicateJudgment {
                qid: String::from_utf8_lossy(qid).into_owned(),
                docid: String::from_utf8_lossy(docid).into_owned(),
            });
        }
        Ok(())
    }

    pub fn build(self) -> Qrels {
        Qrels::from_queries(self.queries.into_iter().filter_map(|(qid, labels)| {
            // The map's keys are distinct: indexing them cannot find a repeat.
            let pairs = labels.iter().map(|(d, g)| (&**d, *g));
            QueryJudgments::from_pairs(pairs).ok().map(|j| (qid, j))
        }))
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
    fn duplicate_judgment_is_refused() {
        let mut b = QrelsBuilder::new();
        b.add(b"q", b"a", 1).unwrap();
        assert!(b.add(b"q", b"a", 0).is_err());
    }
}
