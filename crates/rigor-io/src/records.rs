//! Lines and their first fields in one pass over a block, for the TREC run reader.
//!
//! [`records`] gives, line by line, what [`lines`](crate::input::lines) followed by
//! the first `N` of a line's [`fields`](crate::input::fields) give (and how many it
//! has), without looking at each byte twice: the block is classified 64 bytes at a time into two bit masks (field
//! separators and newlines; SSE2 on x86_64) and fields are found by walking the bits.

/// The lines of `bytes` (split on `\n` exactly as `bytes.split(|b| *b == b'\n')`, blank
/// lines and the final segment included), each as `first_fields::<N>(line)` gives it:
/// its first `N` fields and how many it has, counted up to `N + 1`.
pub fn records<const N: usize>(bytes: &[u8]) -> Records<'_, N> {
    let (starts, ends, newlines, in_field) = window(bytes, 0, false);
    Records {
        bytes,
        done: false,
        base: 0,
        starts,
        ends,
        newlines,
        in_field,
    }
}

/// Iterator of [`records`].
///
/// The window is the 64 bytes from `base` (a multiple of 64); bytes past the end of
/// `bytes` read as newlines, so the final segment ends at `bytes.len()`. Its masks
/// hold the bits (bit `i` for byte `base + i`) not yet consumed.
pub struct Records<'a, const N: usize> {
    bytes: &'a [u8],
    done: bool,
    base: usize,
    /// A field's first byte: not a separator, after a separator or newline.
    starts: u64,
    /// Just past a field: a separator or newline after a field byte.
    ends: u64,
    newlines: u64,
    /// Whether the byte before the window is a field byte.
    in_field: bool,
}

/// The masks of a window: (starts, ends, newlines, whether its last byte is a field
/// byte), for the 64 bytes of `bytes` from `base`, `in_field` telling about the byte
/// before them.
#[inline(always)]
fn window(bytes: &[u8], base: usize, in_field: bool) -> (u64, u64, u64, bool) {
    let (delim, newlines) = match bytes
        .get(base..)
        .and_then(|rest| rest.get(..64))
        .and_then(|chunk| <&[u8; 64]>::try_from(chunk).ok())
    {
        Some(chunk) => masks(chunk),
        None => padded_masks(bytes, base),
    };
    let field = !delim;
    let after_field = (field << 1) | u64::from(in_field);
    (
        field & !after_field,
        delim & after_field,
        newlines,
        field >> 63 != 0,
    )
}

/// The masks of the last, short window, padded with newlines.
#[cold]
#[inline(never)]
fn padded_masks(bytes: &[u8], base: usize) -> (u64, u64) {
    let rest = bytes.get(base..).unwrap_or_default();
    let mut padded = [b'\n'; 64];
    padded[..rest.len()].copy_from_slice(rest);
    masks(&padded)
}

impl<'a, const N: usize> Iterator for Records<'a, N> {
    type Item = ([&'a [u8]; N], usize);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        // The state in locals (registers), written back once per line.
        let bytes = self.bytes;
        let mut base = self.base;
        let (mut starts, mut ends, mut newlines, mut in_field) =
            (self.starts, self.ends, self.newlines, self.in_field);
        let mut out: [&'a [u8]; N] = [&[]; N];
        let mut n = 0;
        let end = 'window: loop {
            // The line's end in this window (64: not in it).
            let end = newlines.trailing_zeros();
            loop {
                let start = starts.trailing_zeros();
                if start >= end {
                    break;
                }
                starts &= starts - 1;
                let first = base + start as usize;
                // Every field ends (the padding past the end is newlines), a window or
                // more later when it reaches past this one.
                let spans = ends == 0;
                while ends == 0 {
                    base += 64;
                    (starts, ends, newlines, in_field) = window(bytes, base, in_field);
                }
                let past = base + ends.trailing_zeros() as usize;
                ends &= ends - 1;
                if n < N {
                    out[n] = bytes.get(first..past).unwrap_or_default();
                }
                n = (n + 1).min(N + 1);
                if spans {
                    continue 'window;
                }
            }
            if newlines != 0 {
                newlines &= newlines - 1;
                break base + end as usize;
            }
            base += 64;
            (starts, ends, newlines, in_field) = window(bytes, base, in_field);
        };
        self.done = end >= bytes.len();
        self.base = base;
        (self.starts, self.ends, self.newlines, self.in_field) = (starts, ends, newlines, in_field);
        Some((out, n))
    }
}

/// Bit masks of 64 bytes: (separators or newlines, newlines), bit `i` for byte `i`.
#[cfg(target_arch = "x86_64")]
#[inline]
fn masks(chunk: &[u8; 64]) -> (u64, u64) {
    let mut delim = 0u64;
    let mut newline = 0u64;
    for (k, part) in chunk.chunks_exact(16).enumerate() {
        let (d, n) = sse2::masks16(part.try_into().unwrap_or(&[0; 16]));
        delim |= u64::from(d) << (16 * k);
        newline |= u64::from(n) << (16 * k);
    }
    (delim, newline)
}

#[cfg(not(target_arch = "x86_64"))]
#[inline]
fn masks(chunk: &[u8; 64]) -> (u64, u64) {
    portable_masks(chunk)
}

/// [`masks`] a byte at a time.
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn portable_masks(chunk: &[u8; 64]) -> (u64, u64) {
    let mut delim = 0u64;
    let mut newline = 0u64;
    for (i, &b) in chunk.iter().enumerate() {
        // A newline ends a field as a separator does.
        delim |= u64::from(matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)) << i;
        newline |= u64::from(b == b'\n') << i;
    }
    (delim, newline)
}

#[cfg(target_arch = "x86_64")]
mod sse2 {
    use safe_arch::{
        bitor_m128i, cmp_eq_mask_i8_m128i, load_unaligned_m128i, min_u8_m128i, move_mask_i8_m128i,
        set_splat_i8_m128i, sub_i8_m128i,
    };

    /// (separators or newlines, newlines) of 16 bytes. The separators other than space
    /// and the newline are the bytes 9..=13, found as `b - 9 <= 4` (unsigned).
    #[inline(always)]
    pub(super) fn masks16(part: &[u8; 16]) -> (u16, u16) {
        let v = load_unaligned_m128i(part);
        let space = cmp_eq_mask_i8_m128i(v, set_splat_i8_m128i(b' ' as i8));
        let t = sub_i8_m128i(v, set_splat_i8_m128i(9));
        let control = cmp_eq_mask_i8_m128i(min_u8_m128i(t, set_splat_i8_m128i(4)), t);
        let newline = cmp_eq_mask_i8_m128i(v, set_splat_i8_m128i(b'\n' as i8));
        (
            move_mask_i8_m128i(bitor_m128i(space, control)) as u16,
            move_mask_i8_m128i(newline) as u16,
        )
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::input::{first_fields, lines};

    fn old<const N: usize>(bytes: &[u8]) -> Vec<([&[u8]; N], usize)> {
        lines(bytes).map(first_fields::<N>).collect()
    }

    fn new<const N: usize>(bytes: &[u8]) -> Vec<([&[u8]; N], usize)> {
        records::<N>(bytes).collect()
    }

    /// Every sub-slice `bytes[a..b]` (with `a`, `b` near each 16-byte edge and the ends
    /// when `bytes` is long) splits as `lines` + `first_fields` split it.
    fn check_all_slices(bytes: &[u8]) {
        let len = bytes.len();
        let near = |p: usize| p % 16 <= 1 || p % 16 >= 15 || p < 4 || p + 4 > len;
        let every = len <= 100;
        for a in (0..=len).filter(|&a| every || near(a)) {
            for b in (a..=len).filter(|&b| every || near(b) || near(b - a)) {
                let s = &bytes[a..b];
                assert_eq!(new::<6>(s), old::<6>(s), "{a}..{b} of {:?}", show(bytes));
                assert_eq!(new::<2>(s), old::<2>(s), "{a}..{b} of {:?}", show(bytes));
                assert_eq!(new::<1>(s), old::<1>(s), "{a}..{b} of {:?}", show(bytes));
            }
        }
    }

    fn show(bytes: &[u8]) -> String {
        String::from_utf8_lossy(bytes).into_owned()
    }

    /// A seeded xorshift generator (for this crate's randomized tests).
    pub(crate) struct Rng(pub(crate) u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        pub(crate) fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
    }

    /// A random text of lines with 0 to 9 fields, every separator, blank lines, long
    /// fields and lines, and bytes next to the separators' values.
    fn random_text(rng: &mut Rng, len: usize) -> Vec<u8> {
        const SEPARATORS: [u8; 5] = [b' ', b'\t', b'\r', 0x0b, 0x0c];
        const NEAR: [u8; 8] = [0x08, 0x0e, 0x1f, 0x21, 0x00, 0xff, 0x89, 0xa0];
        let mut text = Vec::new();
        while text.len() < len {
            match rng.below(10) {
                0 => text.push(b'\n'),
                1 => {
                    let n = rng.below(4) as usize + 1;
                    for _ in 0..n {
                        text.push(SEPARATORS[rng.below(5) as usize]);
                    }
                }
                _ => {
                    let fields = rng.below(10);
                    for f in 0..fields {
                        if f > 0 || rng.below(3) == 0 {
                            let n = rng.below(3) as usize + 1;
                            for _ in 0..n {
                                text.push(SEPARATORS[rng.below(5) as usize]);
                            }
                        }
                        let long = rng.below(12) == 0;
                        let n = if long {
                            rng.below(150) as usize + 60
                        } else {
                            rng.below(12) as usize + 1
                        };
                        for _ in 0..n {
                            text.push(match rng.below(16) {
                                0 => NEAR[rng.below(8) as usize],
                                _ => b'a' + rng.below(26) as u8,
                            });
                        }
                    }
                    if rng.below(4) == 0 {
                        text.push(SEPARATORS[rng.below(5) as usize]);
                    }
                    text.push(b'\n');
                }
            }
        }
        text
    }

    #[test]
    fn records_split_as_lines_and_first_fields() {
        let fixed: [&[u8]; 12] = [
            b"",
            b"\n",
            b"\n\n\n",
            b" ",
            b"a",
            b"q1 Q0 d1 1 2.5 tag\n\n  q2\tQ0  d2 2 1e3 t \r\nq3 a b c d e f g\nlast",
            b"1000 Q0 doc00000-000854 1 18.0783 bench\n1000 Q0 doc00000-000855 2 17.5 bench\n",
            b"a b c d e f\na b c d e f g\na b c d e\n \t\r\x0b\x0c\n",
            &[b'x'; 200],
            b"\x0b\x0c\r\t \n\x08\x0e\x1f\x21",
            b"                                                                   x\n",
            b"a b c d e f g h i j k l m n o p q r s t u v w x y z a b c d e f g h i j k\n",
        ];
        for text in fixed {
            check_all_slices(text);
        }
    }

    #[test]
    fn records_split_random_texts_as_lines_and_first_fields() {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        for round in 0..300 {
            let len = if round % 10 == 0 { 400 } else { 90 };
            let text = random_text(&mut rng, len);
            check_all_slices(&text);
        }
        // Long texts, whole.
        for _ in 0..50 {
            let text = random_text(&mut rng, 20_000);
            assert_eq!(new::<6>(&text), old::<6>(&text));
            assert_eq!(new::<4>(&text), old::<4>(&text));
        }
    }

    #[test]
    fn masks_agree_with_the_portable_ones() {
        let mut rng = Rng(0x2545_F491_4F6C_DD1D);
        let mut every = [0u8; 256];
        for (i, b) in every.iter_mut().enumerate() {
            *b = i as u8;
        }
        for chunk in every.chunks_exact(64) {
            let chunk: &[u8; 64] = chunk.try_into().unwrap();
            assert_eq!(masks(chunk), portable_masks(chunk));
        }
        for _ in 0..10_000 {
            let mut chunk = [0u8; 64];
            for b in chunk.iter_mut() {
                *b = rng.next() as u8;
            }
            assert_eq!(masks(&chunk), portable_masks(&chunk));
        }
    }
}
