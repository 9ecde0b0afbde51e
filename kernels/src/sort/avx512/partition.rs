//! Vectorised quicksort: in-place partition with compress-stores, pivots
//! from a sorted sample, networks for small blocks.
//!
//! Duplicates cannot make it quadratic: a partition also finds the range's
//! minimum and maximum, an all-equal range stops, and when the pivot is the
//! minimum (nothing is smaller) the range is split again at `pivot + 1`,
//! which finishes every copy of the pivot. Adversarial inputs that keep
//! choosing bad pivots hit a depth limit and fall back to the standard
//! library's unstable sort (O(n log n) worst case).

use super::lanes::Lanes;
use super::network::{max_small, sort_small, sort_vectors};
use std::arch::x86_64::*;

/// Cursors of a partition: keys below the pivot are written at `left`
/// (growing up), the others end at `right` (growing down); keys
/// `[l_read, r_read)` are unread, `[left, l_read)` and `[r_read, right)`
/// are free.
struct Cursors {
    left: usize,
    right: usize,
    l_read: usize,
    r_read: usize,
}

impl Cursors {
    /// Takes the next `len` unread keys from the side with less free room
    /// (afterwards both sides have room for all that step writes) and
    /// returns where they start.
    fn next(&mut self, len: usize) -> usize {
        if self.l_read - self.left <= self.right - self.r_read {
            self.l_read += len;
            self.l_read - len
        } else {
            self.r_read -= len;
            self.r_read
        }
    }
}

/// Writes the lanes of `v` selected by `valid`: those below the pivot at
/// `c.left`, the others just below `c.right`.
///
/// Safety: both gaps must have room for the keys written there.
#[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,popcnt")]
#[inline]
unsafe fn put<K: Lanes>(p: *mut K, c: &mut Cursors, v: __m512i, pivot: __m512i, valid: u32) {
    let less = K::less_mask(v, pivot) & valid;
    let more = !less & valid;
    K::compress_store(p.add(c.left), less, v);
    c.left += less.count_ones() as usize;
    c.right -= more.count_ones() as usize;
    K::compress_store(p.add(c.right), more, v);
}

/// Vectors read per step of the partition loop (for instruction-level
/// parallelism) and held back at each end.
const UNROLL: usize = 4;

/// [`put`] of a whole vector through whole-vector stores: the vector is
/// rearranged in registers to `[below pivot..., the rest...]` and stored at
/// `c.left` and ending at `c.right`, so each side receives its part.
///
/// Safety: both gaps must have room for a whole vector (the stores write
/// `LANES` keys on each side, the surplus into free room).
#[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,popcnt")]
#[inline]
unsafe fn put_vector<K: Lanes>(p: *mut K, c: &mut Cursors, v: __m512i, pivot: __m512i) {
    let l = K::LANES;
    let less = K::less_mask(v, pivot);
    let n_less = less.count_ones() as usize;
    let split = K::split(v, less);
    K::store(p.add(c.left), split);
    K::store(p.add(c.right - l), split);
    c.left += n_less;
    c.right -= l - n_less;
}

/// Partitions `keys` into `< pivot` then `>= pivot`; returns the length of
/// the first part and the range's minimum and maximum.
///
/// Safety: AVX-512 F/BW/DQ/VL; `keys.len() >= (2 * UNROLL + 1) * LANES`.
#[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,popcnt")]
unsafe fn partition<K: Lanes>(keys: &mut [K], pivot: K) -> (usize, K, K) {
    let l = K::LANES;
    let block = UNROLL * l;
    let n = keys.len();
    debug_assert!(n >= 2 * block + l);
    let p = keys.as_mut_ptr();
    let pv = K::splat(pivot);
    // The ragged head (n mod LANES keys) and the first and last UNROLL full
    // vectors are held in registers, which frees room at both ends to
    // write into.
    let head_len = n % l;
    let head_mask = (1u32 << head_len) - 1;
    let head = K::load_padded(p, head_len);
    let firsts: [__m512i; UNROLL] = std::array::from_fn(|i| K::load(p.add(head_len + i * l)));
    let lasts: [__m512i; UNROLL] = std::array::from_fn(|i| K::load(p.add(n - block + i * l)));
    // `head`'s padding lanes are MAX: take `firsts[0]` there for the maximum.
    let mut lo = head;
    let mut hi = K::blend(head_mask, firsts[0], head);
    for v in firsts.iter().chain(&lasts) {
        lo = K::vmin(lo, *v);
        hi = K::vmax(hi, *v);
    }
    // Free room: `head_len + 2 * block` keys in all.
    let mut c = Cursors {
        left: 0,
        right: n,
        l_read: head_len + block,
        r_read: n - block,
    };
    let all = (1u32 << l).wrapping_sub(1);
    while c.r_read - c.l_read >= block {
        let at = c.next(block);
        // Load the whole step before writing: the writes may land on it.
        let vs: [__m512i; UNROLL] = std::array::from_fn(|i| K::load(p.add(at + i * l)));
        for v in vs {
            lo = K::vmin(lo, v);
            hi = K::vmax(hi, v);
            put_vector::<K>(p, &mut c, v, pv);
        }
    }
    while c.l_read < c.r_read {
        let v = K::load(p.add(c.next(l)));
        lo = K::vmin(lo, v);
        hi = K::vmax(hi, v);
        put_vector::<K>(p, &mut c, v, pv);
    }
    for v in firsts.into_iter().chain(lasts) {
        put::<K>(p, &mut c, v, pv, all);
    }
    put::<K>(p, &mut c, head, pv, head_mask);
    debug_assert_eq!(c.left, c.right);
    (c.left, K::reduce_min(lo), K::reduce_max(hi))
}

/// The median of `LANES` keys sampled evenly across `keys`.
#[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,popcnt")]
unsafe fn pivot<K: Lanes>(keys: &[K]) -> K {
    let l = K::LANES;
    let step = keys.len() / l;
    let mut sample = [K::MAX; 16];
    for (i, s) in sample.iter_mut().take(l).enumerate() {
        *s = keys[i * step + step / 2];
    }
    let mut v = [K::load(sample.as_ptr())];
    sort_vectors::<K, 1>(&mut v);
    K::lane(v[0], l / 2)
}

/// Quicksort of `keys` with at most `depth` more partition levels before
/// the fallback.
#[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,popcnt")]
unsafe fn quicksort<K: Lanes>(mut keys: &mut [K], mut depth: u32) {
    loop {
        if keys.len() <= max_small::<K>() {
            return sort_small(keys);
        }
        if depth == 0 {
            return keys.sort_unstable();
        }
        depth -= 1;
        let pivot = pivot(keys);
        let (mid, lo, hi) = partition(keys, pivot);
        if lo == hi {
            return;
        }
        // `left` ends at `mid`, `right` starts at `right_from`.
        let (mid, right_from) = if mid == 0 {
            // The pivot is the minimum: split off all its copies, which are
            // then in place (`pivot < hi`, so `pivot + 1` exists).
            (0, partition(keys, pivot.successor()).0)
        } else {
            (mid, mid)
        };
        let (left, right) = keys.split_at_mut(right_from);
        let left = &mut left[..mid];
        // Recurse into the smaller side, loop on the larger.
        if left.len() < right.len() {
            quicksort(left, depth);
            keys = right;
        } else {
            quicksort(right, depth);
            keys = left;
        }
    }
}

/// Sorts `keys` ascending.
///
/// Safety: the CPU must support AVX-512 F/BW/DQ/VL.
#[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,popcnt")]
pub(crate) unsafe fn sort<K: Lanes>(keys: &mut [K]) {
    let depth = 2 * (usize::BITS - keys.len().leading_zeros());
    quicksort(keys, depth)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dispatch::SimdLevel;

    /// The depth-limit fallback and the quicksort at every depth agree with
    /// the standard sort.
    #[test]
    fn every_depth_limit_sorts() {
        if !SimdLevel::Avx512.is_available() {
            return;
        }
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let keys: Vec<u64> = (0..5000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x % 1000
            })
            .collect();
        for depth in [0, 1, 2, 5, 40] {
            let mut want = keys.clone();
            want.sort_unstable();
            let mut got = keys.clone();
            // SAFETY: AVX-512 availability checked above.
            unsafe { quicksort(&mut got, depth) };
            let bad = got.iter().zip(&want).position(|(a, b)| a != b);
            assert_eq!(bad, None, "depth {depth}: first mismatch");
            let mut got32: Vec<u32> = keys.iter().map(|&k| k as u32).collect();
            // SAFETY: as above.
            unsafe { quicksort(&mut got32, depth) };
            assert!(got32.iter().zip(&want).all(|(&a, &b)| a as u64 == b));
        }
    }
}
