//! N-gram counting shared by the measures: tokens are interned to small integers per
//! segment, an n-gram becomes one `u128` key, and counts are sorted `(key, count)`
//! runs, so matching a hypothesis against references is a merge. Keys pack the ids of
//! an n-gram in 64 bits when they fit (ids below 2^(64/n)), else in 128.

use rustc_hash::FxHashMap;

/// Sorted `(n-gram key, count)` pairs, keys unique: 64-bit keys when the segment's
/// ids are few enough to pack an n-gram in 64 bits (almost always), else 128-bit.
/// All the counts of one segment use one width (see [`ngrams`]).
#[derive(Debug, Clone, PartialEq)]
pub enum Counts {
    Narrow(Vec<(u64, u32)>),
    Wide(Vec<(u128, u32)>),
}

impl Counts {
    pub fn is_empty(&self) -> bool {
        match self {
            Counts::Narrow(v) => v.is_empty(),
            Counts::Wide(v) => v.is_empty(),
        }
    }
}

/// Interns tokens to dense ids, shared by the hypothesis and its references so that
/// equal tokens get equal ids.
#[derive(Default)]
pub struct Interner<'a> {
    ids: FxHashMap<&'a str, u32>,
}

impl<'a> Interner<'a> {
    pub fn new() -> Self {
        Interner::default()
    }

    pub fn id(&mut self, token: &'a str) -> u32 {
        let next = self.ids.len() as u32;
        *self.ids.entry(token).or_insert(next)
    }

    pub fn ids<I: IntoIterator<Item = &'a str>>(&mut self, tokens: I) -> Vec<u32> {
        tokens.into_iter().map(|t| self.id(t)).collect()
    }

    /// One more than the largest id given out.
    pub fn bound(&self) -> u32 {
        self.ids.len() as u32
    }
}

/// Interns characters to dense ids (ASCII by table).
pub struct CharInterner {
    ascii: [u32; 128],
    other: FxHashMap<char, u32>,
    next: u32,
}

impl Default for CharInterner {
    fn default() -> Self {
        CharInterner {
            ascii: [u32::MAX; 128],
            other: FxHashMap::default(),
            next: 0,
        }
    }
}

impl CharInterner {
    pub fn id(&mut self, c: char) -> u32 {
        let slot = if (c as u32) < 128 {
            &mut self.ascii[c as usize]
        } else {
            self.other.entry(c).or_insert(u32::MAX)
        };
        if *slot == u32::MAX {
            *slot = self.next;
            self.next += 1;
        }
        *slot
    }

    /// One more than the largest id given out.
    pub fn bound(&self) -> u32 {
        self.next
    }
}

/// Counts the n-grams of order `n` (1..=6) of `ids`, every id < `bound`. Counts that
/// will be compared must be made with the same `bound` (it fixes the key width).
pub fn ngrams(ids: &[u32], n: usize, bound: u32) -> Counts {
    debug_assert!((1..=6).contains(&n));
    let bits = (32 - bound.max(2).saturating_sub(1).leading_zeros()) as usize;
    if bits * n <= 64 {
        let keys: Vec<u64> = if ids.len() < n {
            Vec::new()
        } else {
            ids.windows(n)
                .map(|w| w.iter().fold(0u64, |k, &id| (k << bits) | id as u64))
                .collect()
        };
        Counts::Narrow(run_lengths(keys))
    } else {
        // 128 / n ≥ 21 bits for n ≤ 6, ≥ 32 for n ≤ 4: enough for any id here.
        let shift = 128 / n;
        let keys: Vec<u128> = if ids.len() < n {
            Vec::new()
        } else {
            ids.windows(n)
                .map(|w| w.iter().fold(0u128, |k, &id| (k << shift) | id as u128))
                .collect()
        };
        Counts::Wide(run_lengths(keys))
    }
}

/// Sorts keys and counts equal runs.
pub fn run_lengths<K: Ord + Copy>(mut keys: Vec<K>) -> Vec<(K, u32)> {
    keys.sort_unstable();
    let mut out: Vec<(K, u32)> = Vec::with_capacity(keys.len());
    for k in keys {
        match out.last_mut() {
            Some((last, c)) if *last == k => *c += 1,
            _ => out.push((k, 1)),
        }
    }
    out
}

/// Total count.
pub fn total(c: &Counts) -> u64 {
    match c {
        Counts::Narrow(v) => v.iter().map(|(_, n)| *n as u64).sum(),
        Counts::Wide(v) => v.iter().map(|(_, n)| *n as u64).sum(),
    }
}

fn merge_min<K: Ord>(hyp: &[(K, u32)], reference: &[(K, u32)]) -> u64 {
    let (mut i, mut j, mut m) = (0, 0, 0u64);
    while i < hyp.len() && j < reference.len() {
        match hyp[i].0.cmp(&reference[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                m += hyp[i].1.min(reference[j].1) as u64;
                i += 1;
                j += 1;
            }
        }
    }
    m
}

/// Σ min(hyp count, ref count) over shared keys (clipped matches).
pub fn clipped_matches(hyp: &Counts, reference: &Counts) -> u64 {
    match (hyp, reference) {
        (Counts::Narrow(h), Counts::Narrow(r)) => merge_min(h, r),
        (Counts::Wide(h), Counts::Wide(r)) => merge_min(h, r),
        _ => unreachable!("counts of one segment share a key width"),
    }
}

fn merge_max<K: Ord + Copy>(lists: Vec<Vec<(K, u32)>>) -> Vec<(K, u32)> {
    let mut all: Vec<(K, u32)> = lists.into_iter().flatten().collect();
    all.sort_unstable();
    let mut out: Vec<(K, u32)> = Vec::with_capacity(all.len());
    for (k, c) in all {
        match out.last_mut() {
            Some((last, m)) if *last == k => *m = (*m).max(c),
            _ => out.push((k, c)),
        }
    }
    out
}

/// The per-key maximum of several count lists (BLEU's multi-reference clipping).
pub fn max_counts(mut lists: Vec<Counts>) -> Counts {
    if lists.len() == 1 {
        if let Some(only) = lists.pop() {
            return only;
        }
    }
    match lists.first() {
        None => Counts::Narrow(Vec::new()),
        Some(Counts::Narrow(_)) => Counts::Narrow(merge_max(
            lists
                .into_iter()
                .map(|c| match c {
                    Counts::Narrow(v) => v,
                    Counts::Wide(_) => unreachable!("counts of one segment share a key width"),
                })
                .collect(),
        )),
        Some(Counts::Wide(_)) => Counts::Wide(merge_max(
            lists
                .into_iter()
                .map(|c| match c {
                    Counts::Wide(v) => v,
                    Counts::Narrow(_) => unreachable!("counts of one segment share a key width"),
                })
                .collect(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_matches() {
        let mut int = Interner::new();
        let h = int.ids(["a", "b", "a", "b"]);
        let r = int.ids(["a", "b", "c"]);
        for bound in [int.bound(), u32::MAX] {
            let h2 = ngrams(&h, 2, bound);
            assert_eq!(total(&h2), 3);
            assert_eq!(clipped_matches(&h2, &ngrams(&r, 2, bound)), 1);
            assert_eq!(
                clipped_matches(&ngrams(&h, 1, bound), &ngrams(&r, 1, bound)),
                2
            );
            let m = max_counts(vec![ngrams(&h, 1, bound), ngrams(&r, 1, bound)]);
            assert_eq!(total(&m), 5);
        }
        assert!(matches!(ngrams(&h, 4, 1 << 16), Counts::Narrow(_)));
        assert!(matches!(ngrams(&h, 4, (1 << 16) + 1), Counts::Wide(_)));
    }
}
