//! N-gram counting shared by the measures: tokens are interned to small integers per
//! segment, an n-gram becomes one `u128` key, and counts are sorted `(key, count)`
//! runs, so matching a hypothesis against references is a merge.

use rustc_hash::FxHashMap;

/// Sorted `(n-gram key, count)` pairs, keys unique.
pub type Counts = Vec<(u128, u32)>;

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
}

/// Counts the n-grams of order `n` (1..=4) of a sequence of ids < 2^32.
pub fn word_ngrams(ids: &[u32], n: usize) -> Counts {
    debug_assert!((1..=4).contains(&n));
    if ids.len() < n {
        return Vec::new();
    }
    let keys: Vec<u128> = ids
        .windows(n)
        .map(|w| w.iter().fold(0u128, |k, &id| (k << 32) | id as u128))
        .collect();
    run_lengths(keys)
}

/// Counts the n-grams of order `n` (1..=6) of a sequence of characters.
pub fn char_ngrams(chars: &[char], n: usize) -> Counts {
    debug_assert!((1..=6).contains(&n));
    if chars.len() < n {
        return Vec::new();
    }
    let keys: Vec<u128> = chars
        .windows(n)
        .map(|w| w.iter().fold(0u128, |k, &c| (k << 21) | c as u128))
        .collect();
    run_lengths(keys)
}

/// Sorts keys and counts equal runs.
pub fn run_lengths(mut keys: Vec<u128>) -> Counts {
    keys.sort_unstable();
    let mut out: Counts = Vec::with_capacity(keys.len());
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
    c.iter().map(|(_, n)| *n as u64).sum()
}

/// Σ min(hyp count, ref count) over shared keys (clipped matches).
pub fn clipped_matches(hyp: &Counts, reference: &Counts) -> u64 {
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

/// The per-key maximum of several count lists (BLEU's multi-reference clipping).
pub fn max_counts(lists: Vec<Counts>) -> Counts {
    let mut lists = lists;
    if lists.len() == 1 {
        return lists.pop().unwrap_or_default();
    }
    let mut all: Vec<(u128, u32)> = lists.into_iter().flatten().collect();
    all.sort_unstable();
    let mut out: Counts = Vec::with_capacity(all.len());
    for (k, c) in all {
        match out.last_mut() {
            Some((last, m)) if *last == k => *m = (*m).max(c),
            _ => out.push((k, c)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_matches() {
        let mut int = Interner::new();
        let h = int.ids(["a", "b", "a", "b"]);
        let r = int.ids(["a", "b", "c"]);
        let h2 = word_ngrams(&h, 2);
        assert_eq!(total(&h2), 3);
        assert_eq!(clipped_matches(&h2, &word_ngrams(&r, 2)), 1);
        assert_eq!(clipped_matches(&word_ngrams(&h, 1), &word_ngrams(&r, 1)), 2);
        let m = max_counts(vec![word_ngrams(&h, 1), word_ngrams(&r, 1)]);
        assert_eq!(total(&m), 5);
    }
}
