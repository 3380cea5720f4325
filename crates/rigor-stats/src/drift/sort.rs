//! Sorting float samples fast: a least-significant-digit radix sort on the IEEE bits
//! mapped to an order-preserving integer (the order of `f64::total_cmp`). Large
//! samples sort in six passes of 11 bits instead of `n log n` comparisons; small
//! ones use the standard sort.

/// Below this many values the comparison sort is faster.
const RADIX_MIN: usize = 1 << 14;

fn key(x: f64) -> u64 {
    let b = x.to_bits();
    if b >> 63 == 1 {
        !b
    } else {
        b | (1 << 63)
    }
}

fn value(k: u64) -> f64 {
    if k >> 63 == 1 {
        f64::from_bits(k & !(1 << 63))
    } else {
        f64::from_bits(!k)
    }
}

/// Bits per radix digit: six passes of 11 bits (2048 buckets stay in L1 cache).
const DIGIT: u32 = 11;
const PASSES: u32 = 6;

/// Sorts `values` in `f64::total_cmp` order.
pub fn sort_floats(values: &mut [f64]) {
    if values.len() < RADIX_MIN {
        values.sort_unstable_by(f64::total_cmp);
        return;
    }
    let n = values.len();
    let mask = (1u64 << DIGIT) - 1;
    let mut keys: Vec<u64> = values.iter().map(|&x| key(x)).collect();
    // Every digit's histogram in one pass over the keys.
    let mut counts = vec![[0usize; 1 << DIGIT]; PASSES as usize];
    for &k in &keys {
        for (pass, c) in counts.iter_mut().enumerate() {
            c[((k >> (pass as u32 * DIGIT)) & mask) as usize] += 1;
        }
    }
    let mut buf = vec![0u64; n];
    for (pass, c) in counts.iter_mut().enumerate() {
        // A pass where every key has the same digit changes nothing.
        if c.contains(&n) {
            continue;
        }
        let mut sum = 0;
        for x in c.iter_mut() {
            let count = *x;
            *x = sum;
            sum += count;
        }
        let shift = pass as u32 * DIGIT;
        for &k in &keys {
            let d = ((k >> shift) & mask) as usize;
            buf[c[d]] = k;
            c[d] += 1;
        }
        std::mem::swap(&mut keys, &mut buf);
    }
    for (v, k) in values.iter_mut().zip(keys) {
        *v = value(k);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn radix_equals_comparison_sort() {
        let mut state = 1u64;
        let mut next = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            state
        };
        let mut v: Vec<f64> = (0..50_000)
            .map(|i| match i % 7 {
                0 => -0.0,
                1 => 0.0,
                2 => f64::INFINITY,
                3 => (next() >> 11) as f64 * -1e-300,
                _ => f64::from_bits(next() >> 2) * if i % 2 == 0 { 1.0 } else { -1.0 },
            })
            .collect();
        let mut expected = v.clone();
        expected.sort_unstable_by(f64::total_cmp);
        sort_floats(&mut v);
        assert!(v
            .iter()
            .zip(&expected)
            .all(|(a, b)| a.to_bits() == b.to_bits()));
    }
}
