//! LSD radix sort on order-preserving integer keys, 11-bit digits.
//!
//! All digit histograms are counted in one read of the keys; a pass whose
//! digit is the same for every key is skipped (common for the top digits of
//! clustered data). LSD radix sort is stable, which `argsort` relies on.

use super::key::RadixBits;

/// Digit width in bits.
const DIGIT_BITS: u32 = 11;
/// Buckets per pass.
const RADIX: usize = 1 << DIGIT_BITS;
const MASK: u64 = RADIX as u64 - 1;

/// Digit shifts covering bits `lo_bit..B::BITS`, lowest first.
fn shifts<B: RadixBits>(lo_bit: u32) -> Vec<u32> {
    (lo_bit..B::BITS).step_by(DIGIT_BITS as usize).collect()
}

/// Counts every pass's digit histogram in one read and turns them into
/// exclusive prefix sums. Returns the offsets of the passes that are not
/// trivial (some digit differs between keys), with their shifts.
fn plan<B: RadixBits>(keys: &[B], lo_bit: u32) -> Vec<(u32, Vec<usize>)> {
    let shifts = shifts::<B>(lo_bit);
    let mut counts = vec![vec![0usize; RADIX]; shifts.len()];
    for &k in keys {
        for (c, &s) in counts.iter_mut().zip(&shifts) {
            c[k.digit(s, MASK)] += 1;
        }
    }
    let n = keys.len();
    shifts
        .into_iter()
        .zip(counts)
        .filter(|(_, c)| !c.contains(&n))
        .map(|(s, mut c)| {
            let mut sum = 0;
            for x in c.iter_mut() {
                let here = *x;
                *x = sum;
                sum += here;
            }
            (s, c)
        })
        .collect()
}

/// Stable sort of `keys` by bits `lo_bit..B::BITS` (ascending unsigned).
pub(crate) fn sort_bits<B: RadixBits>(keys: &mut [B], lo_bit: u32) {
    let passes = plan(keys, lo_bit);
    if passes.is_empty() {
        return;
    }
    let mut scratch = vec![B::default(); keys.len()];
    let mut in_keys = true;
    for (shift, mut offsets) in passes {
        let (src, dst): (&[B], &mut [B]) = if in_keys {
            (keys, &mut scratch)
        } else {
            (&scratch, keys)
        };
        for &k in src {
            let d = k.digit(shift, MASK);
            dst[offsets[d]] = k;
            offsets[d] += 1;
        }
        in_keys = !in_keys;
    }
    if !in_keys {
        keys.copy_from_slice(&scratch);
    }
}

/// Stable sort of `keys` (all bits) carrying `payload` along.
pub(crate) fn sort_bits_with_payload<B: RadixBits>(keys: &mut [B], payload: &mut [u32]) {
    assert_eq!(keys.len(), payload.len(), "one payload per key");
    let passes = plan(keys, 0);
    if passes.is_empty() {
        return;
    }
    let mut key_scratch = vec![B::default(); keys.len()];
    let mut pay_scratch = vec![0u32; keys.len()];
    let mut in_keys = true;
    for (shift, mut offsets) in passes {
        let (ks, kd, ps, pd): (&[B], &mut [B], &[u32], &mut [u32]) = if in_keys {
            (keys, &mut key_scratch, payload, &mut pay_scratch)
        } else {
            (&key_scratch, keys, &pay_scratch, payload)
        };
        for (&k, &p) in ks.iter().zip(ps) {
            let d = k.digit(shift, MASK);
            let o = offsets[d];
            kd[o] = k;
            pd[o] = p;
            offsets[d] = o + 1;
        }
        in_keys = !in_keys;
    }
    if !in_keys {
        keys.copy_from_slice(&key_scratch);
        payload.copy_from_slice(&pay_scratch);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_by_the_requested_bits_only_and_stably() {
        // Low 32 bits are a tag that must keep its input order among equal
        // high halves.
        let mut keys: Vec<u64> = [5u64, 3, 5, 1, 3, 5]
            .iter()
            .enumerate()
            .map(|(i, &h)| (h << 32) | (10 - i as u64))
            .collect();
        sort_bits(&mut keys, 32);
        let tags: Vec<u64> = keys.iter().map(|k| k & 0xffff_ffff).collect();
        assert_eq!(tags, [7, 9, 6, 10, 8, 5]);
    }

    #[test]
    fn payload_follows_keys() {
        let mut keys: Vec<u32> = vec![9, 1, 9, 0, u32::MAX, 1];
        let mut pay: Vec<u32> = (0..6).collect();
        sort_bits_with_payload(&mut keys, &mut pay);
        assert_eq!(keys, [0, 1, 1, 9, 9, u32::MAX]);
        assert_eq!(pay, [3, 1, 5, 0, 2, 4]);
    }
}
