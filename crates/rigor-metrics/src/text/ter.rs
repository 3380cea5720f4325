//! TER (Snover et al. 2006) exact to sacrebleu 2.x (`sacrebleu.metrics.TER` and its
//! `lib_ter`), sacrebleu's defaults: case-insensitive (lowercased), no normalisation,
//! punctuation kept, no Asian support — so words are the lowercased line split on
//! whitespace.
//!
//! Per reference: edits = shifts + beam edit distance after the shifts, found
//! greedily as Tercom does — repeatedly apply the shift that reduces the edit
//! distance most (ties: longer, then earlier in the hypothesis, then earlier target),
//! while one reduces it; shifted phrases are at most 10 words, start at most 50
//! positions apart, and the hypothesis must be wrong and the reference unmatched
//! there; at most 1000 shift candidates are tried per segment (when that budget runs
//! out, the last round's shift is not applied). The edit distance is Levenshtein
//! with unit costs on a beam of 25 around the length-ratio diagonal.
//!
//! Per segment the statistics are `[min edits over references, mean reference length]`;
//! corpus TER = 100 · Σ edits / Σ mean length (100 if the references are all empty
//! and some hypothesis is not, 0 if both are empty).

use super::ngram::Interner;
use super::unicode::{py_lower, py_rstrip, py_split};

const MAX_SHIFT_SIZE: usize = 10;
const MAX_SHIFT_DIST: usize = 50;
const BEAM_WIDTH: usize = 25;
const MAX_SHIFT_CANDIDATES: usize = 1000;
const INF: i64 = 10_000_000_000_000_000;

/// sacrebleu's TER signature (without `version`).
pub fn ter_signature(nrefs: usize) -> String {
    format!("nrefs:{nrefs}|case:lc|tok:tercom|norm:no|punct:yes|asian:no")
}

/// TER's words: sacrebleu's default `TercomTokenizer` (lowercase, split on whitespace).
pub fn ter_words(line: &str) -> Vec<String> {
    let line = py_rstrip(line);
    if line.is_empty() {
        return Vec::new();
    }
    py_split(&py_lower(line)).map(str::to_string).collect()
}

/// Statistics of one hypothesis against its references: `(edits, mean reference length)`.
pub fn ter_stats(hyp: &[String], refs: &[Vec<String>]) -> (u64, f64) {
    let mut int = Interner::new();
    let h = int.ids(hyp.iter().map(String::as_str));
    let mut best = u64::MAX;
    let mut ref_lengths = 0usize;
    for r in refs {
        let r = int.ids(r.iter().map(String::as_str));
        let (edits, len) = translation_edit_rate(&h, &r);
        ref_lengths += len;
        best = best.min(edits);
    }
    if refs.is_empty() {
        return (0, 0.0);
    }
    (best, ref_lengths as f64 / refs.len() as f64)
}

/// TER on 0–100 from (summed) statistics.
pub fn ter_score(edits: f64, ref_length: f64) -> f64 {
    let score = if ref_length > 0.0 {
        edits / ref_length
    } else if edits > 0.0 {
        1.0
    } else {
        0.0
    };
    100.0 * score
}

/// Number of edits (shifts + edit distance) turning `hyp` into `reference`, and the
/// reference length: sacrebleu's `translation_edit_rate`.
pub fn translation_edit_rate(hyp: &[u32], reference: &[u32]) -> (u64, usize) {
    if reference.is_empty() {
        return (hyp.len() as u64, 0);
    }
    let ed = BeamEditDistance::new(reference, hyp.len());
    let mut shifts = 0u64;
    let mut words = hyp.to_vec();
    let mut checked = 0usize;
    loop {
        let (delta, shifted) = shift(&words, reference, &ed, &mut checked);
        if checked >= MAX_SHIFT_CANDIDATES || delta <= 0 {
            break;
        }
        shifts += 1;
        words = shifted;
    }
    let (distance, _) = ed.full(&words);
    (shifts + distance as u64, reference.len())
}

/// Edit operations, as lib_ter's trace characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Nop,
    Sub,
    Ins,
    Del,
    Undef,
}

/// Beam edit distance against a fixed reference, for hypotheses of one length (all
/// shifts of a hypothesis have its length, so the beam is fixed per segment).
struct BeamEditDistance<'r> {
    reference: &'r [u32],
    n_h: usize,
    length_ratio: f64,
    beam_width: usize,
}

impl<'r> BeamEditDistance<'r> {
    fn new(reference: &'r [u32], n_h: usize) -> Self {
        let length_ratio = if n_h > 0 {
            reference.len() as f64 / n_h as f64
        } else {
            1.0
        };
        let beam_width = if (BEAM_WIDTH as f64) < length_ratio / 2.0 {
            (length_ratio / 2.0 + BEAM_WIDTH as f64).ceil() as usize
        } else {
            BEAM_WIDTH
        };
        BeamEditDistance {
            reference,
            n_h,
            length_ratio,
            beam_width,
        }
    }

    /// The columns row `i` computes: `[min_j, max_j)`.
    #[inline]
    fn band(&self, i: usize) -> (usize, usize) {
        let n_r = self.reference.len();
        if i == self.n_h {
            let pseudo = (i as f64 * self.length_ratio).floor() as usize;
            return (pseudo.saturating_sub(self.beam_width), n_r + 1);
        }
        let pseudo = (i as f64 * self.length_ratio).floor() as usize;
        (
            pseudo.saturating_sub(self.beam_width),
            (n_r + 1).min(pseudo + self.beam_width),
        )
    }

    /// Fills row `i` (costs, and ops when given) from row `i - 1`.
    #[inline]
    fn row(&self, word: u32, i: usize, prev: &[i64], cur: &mut [i64], mut ops: Option<&mut [Op]>) {
        cur.fill(INF);
        if let Some(o) = ops.as_deref_mut() {
            o.fill(Op::Undef);
        }
        let (min_j, max_j) = self.band(i);
        for j in min_j..max_j {
            let (cost, op) = if j == 0 {
                (prev[0] + 1, Op::Del)
            } else {
                let (sub_cost, sub_op) = if word == self.reference[j - 1] {
                    (0, Op::Nop)
                } else {
                    (1, Op::Sub)
                };
                let mut best = (INF, Op::Undef);
                for (c, o) in [
                    (prev[j - 1] + sub_cost, sub_op),
                    (prev[j] + 1, Op::Del),
                    (cur[j - 1] + 1, Op::Ins),
                ] {
                    if best.0 > c {
                        best = (c, o);
                    }
                }
                best
            };
            cur[j] = cost;
            if let Some(o) = ops.as_deref_mut() {
                o[j] = op;
            }
        }
    }

    fn initial_row(&self) -> Vec<i64> {
        (0..=self.reference.len() as i64).collect()
    }

    /// Distance and every row's costs (for resuming), plus the trace.
    fn full(&self, hyp: &[u32]) -> (i64, Vec<Op>) {
        let (d, _, trace) = self.full_rows(hyp);
        (d, trace)
    }

    fn full_rows(&self, hyp: &[u32]) -> (i64, Vec<i64>, Vec<Op>) {
        let w = self.reference.len() + 1;
        let n = hyp.len();
        let mut costs = vec![INF; (n + 1) * w];
        let mut ops = vec![Op::Undef; (n + 1) * w];
        costs[..w].copy_from_slice(&self.initial_row());
        ops[..w].fill(Op::Ins);
        for i in 1..=n {
            let (done, rest) = costs.split_at_mut(i * w);
            let prev = &done[(i - 1) * w..];
            self.row(
                hyp[i - 1],
                i,
                prev,
                &mut rest[..w],
                Some(&mut ops[i * w..(i + 1) * w]),
            );
        }
        // Trace, from the end.
        let mut trace = Vec::with_capacity(n + w);
        let (mut i, mut j) = (n, self.reference.len());
        while i > 0 || j > 0 {
            let op = ops[i * w + j];
            trace.push(op);
            match op {
                Op::Nop | Op::Sub => {
                    i -= 1;
                    j -= 1;
                }
                Op::Ins => j -= 1,
                Op::Del => i -= 1,
                Op::Undef => break,
            }
        }
        trace.reverse();
        (costs[n * w + self.reference.len()], costs, trace)
    }

    /// The distance of `hyp`, whose first `same` rows equal those of `base`.
    fn resume(
        &self,
        hyp: &[u32],
        base: &[i64],
        same: usize,
        buf: &mut (Vec<i64>, Vec<i64>),
    ) -> i64 {
        let w = self.reference.len() + 1;
        let n = hyp.len();
        if same >= n {
            return base[n * w + w - 1];
        }
        let (prev, cur) = buf;
        prev.clear();
        prev.extend_from_slice(&base[same * w..(same + 1) * w]);
        cur.resize(w, INF);
        for i in same + 1..=n {
            self.row(hyp[i - 1], i, prev, cur, None);
            std::mem::swap(prev, cur);
        }
        prev[w - 1]
    }
}

/// One round of shifting: the best shift's gain and the shifted words (gain 0 and the
/// words unchanged when no shift is possible). `checked` counts candidates tried.
fn shift(
    words: &[u32],
    reference: &[u32],
    ed: &BeamEditDistance<'_>,
    checked: &mut usize,
) -> (i64, Vec<u32>) {
    let (pre_score, base, inv_trace) = ed.full_rows(words);
    // Rewrite the reference into the hypothesis: flip insertions and deletions.
    let (align, ref_err, hyp_err) = alignment(&inv_trace, words.len(), reference.len());

    // (gain, length, start_h, idx, shifted)
    let mut best: Option<(i64, usize, usize, usize, Vec<u32>)> = None;
    let mut buf = (Vec::new(), Vec::new());
    let n_h = words.len();
    let n_r = reference.len();
    'pairs: for start_h in 0..n_h {
        for start_r in 0..n_r {
            if start_r.abs_diff(start_h) > MAX_SHIFT_DIST {
                continue;
            }
            let mut length = 0;
            while length < MAX_SHIFT_SIZE && words[start_h + length] == reference[start_r + length]
            {
                length += 1;
                // One candidate pair (start_h, start_r, length).
                if hyp_err[start_h..(start_h + length).min(n_h)]
                    .iter()
                    .any(|&e| e)
                    && ref_err[start_r..(start_r + length).min(n_r)]
                        .iter()
                        .any(|&e| e)
                {
                    let a = align[start_r];
                    let inside = start_h as i64 <= a && a < (start_h + length) as i64;
                    if !inside {
                        let mut prev_idx: i64 = -1;
                        for offset in -1..length as i64 {
                            let pos = start_r as i64 + offset;
                            let idx = if pos == -1 {
                                0
                            } else {
                                align[pos as usize] + 1
                            };
                            if idx == prev_idx {
                                continue;
                            }
                            prev_idx = idx;
                            let idx = idx as usize;
                            let shifted = perform_shift(words, start_h, length, idx);
                            let same = words
                                .iter()
                                .zip(&shifted)
                                .take_while(|(a, b)| a == b)
                                .count();
                            let gain = pre_score - ed.resume(&shifted, &base, same, &mut buf);
                            *checked += 1;
                            let better = match &best {
                                None => true,
                                Some((g, l, sh, ix, _)) => {
                                    (
                                        gain,
                                        length,
                                        std::cmp::Reverse(start_h),
                                        std::cmp::Reverse(idx),
                                    ) > (*g, *l, std::cmp::Reverse(*sh), std::cmp::Reverse(*ix))
                                }
                            };
                            if better {
                                best = Some((gain, length, start_h, idx, shifted));
                            }
                        }
                        // lib_ter checks the budget after every pair it tried.
                        if *checked >= MAX_SHIFT_CANDIDATES {
                            break 'pairs;
                        }
                    }
                }
                if n_h == start_h + length || n_r == start_r + length {
                    break;
                }
            }
        }
    }
    match best {
        None => (0, words.to_vec()),
        Some((gain, _, _, _, shifted)) => (gain, shifted),
    }
}

/// lib_ter's `trace_to_alignment` on the flipped trace: for each reference position
/// the hypothesis position it aligns to (−1 before the start), and error flags.
fn alignment(inv_trace: &[Op], n_h: usize, n_r: usize) -> (Vec<i64>, Vec<bool>, Vec<bool>) {
    let mut align = vec![0i64; n_r];
    let mut ref_err = Vec::with_capacity(n_r);
    let mut hyp_err = Vec::with_capacity(n_h);
    let (mut pos_h, mut pos_r) = (-1i64, -1i64);
    for &op in inv_trace {
        match op {
            Op::Nop | Op::Sub => {
                pos_h += 1;
                pos_r += 1;
                align[pos_r as usize] = pos_h;
                hyp_err.push(op == Op::Sub);
                ref_err.push(op == Op::Sub);
            }
            // A deletion of the hypothesis word is an insertion once flipped.
            Op::Del => {
                pos_h += 1;
                hyp_err.push(true);
            }
            Op::Ins => {
                pos_r += 1;
                align[pos_r as usize] = pos_h;
                ref_err.push(true);
            }
            Op::Undef => {}
        }
    }
    hyp_err.resize(n_h, false);
    ref_err.resize(n_r, false);
    (align, ref_err, hyp_err)
}

/// Python slice `words[a:b]` with clamping.
fn slice(words: &[u32], a: usize, b: usize) -> &[u32] {
    let a = a.min(words.len());
    let b = b.min(words.len()).max(a);
    &words[a..b]
}

/// lib_ter's `_perform_shift`: move `words[start..start+length]` before `target`.
fn perform_shift(words: &[u32], start: usize, length: usize, target: usize) -> Vec<u32> {
    let mut out = Vec::with_capacity(words.len());
    let end = start + length;
    if target < start {
        out.extend_from_slice(slice(words, 0, target));
        out.extend_from_slice(slice(words, start, end));
        out.extend_from_slice(slice(words, target, start));
        out.extend_from_slice(slice(words, end, usize::MAX));
    } else if target > end {
        out.extend_from_slice(slice(words, 0, start));
        out.extend_from_slice(slice(words, end, target));
        out.extend_from_slice(slice(words, start, end));
        out.extend_from_slice(slice(words, target, usize::MAX));
    } else {
        out.extend_from_slice(slice(words, 0, start));
        out.extend_from_slice(slice(words, end, length + target));
        out.extend_from_slice(slice(words, start, end));
        out.extend_from_slice(slice(words, length + target, usize::MAX));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ter(h: &str, r: &str) -> (u64, usize) {
        let hw = ter_words(h);
        let rw = ter_words(r);
        let mut int = Interner::new();
        let h = int.ids(hw.iter().map(String::as_str));
        let r = int.ids(rw.iter().map(String::as_str));
        translation_edit_rate(&h, &r)
    }

    #[test]
    fn identical_and_empty() {
        assert_eq!(ter("a b c", "A B C"), (0, 3));
        assert_eq!(ter("", "a b"), (2, 2));
        assert_eq!(ter("a b", ""), (2, 0));
    }

    #[test]
    fn a_shift_counts_once() {
        // Moving "c d" to the front costs one shift instead of four edits.
        assert_eq!(ter("a b c d", "c d a b"), (1, 4));
    }
}
