//! Vectorised quicksort: in-place partition that gathers each vector's
//! two parts in registers (no compress-stores to memory, which AMD Zen 4
//! runs in microcode: see [`Lanes::compress_store`]), pivots from a sorted
//! sample, networks for small blocks. Large ranges sort their two sides on
//! two rayon workers.
//!
//! Duplicates cannot make it quadratic: when the pivot is the minimum
//! (nothing is smaller) the range is split again at `pivot + 1`, which
//! finishes every copy of the pivot (and an all-equal range). Adversarial inputs that keep
//! choosing bad pivots hit a depth limit and fall back to the standard
//! library's unstable sort (O(n log n) worst case).

use super::lanes::{self, convert, Lanes};
use super::network::{max_small, sort_small, sort_vectors, SMALL_VECTORS};
use std::arch::x86_64::*;

/// Both sides of a partition at least this long are sorted in parallel
/// (when rayon has more than one thread: a single worker would only move
/// the work to another core's cache).
const PARALLEL_MIN: usize = 1 << 14;

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
const UNROLL: usize = 8;

// The quicksort partitions only ranges longer than the networks take,
// which then hold the `2 * UNROLL` full vectors `partition` needs.
const _: () = assert!(2 * UNROLL <= SMALL_VECTORS);

/// [`put`] of a whole vector without compress-stores to memory: the parts
/// are gathered in registers and stored from `c.left` and ending at
/// `c.right` ([`Lanes::store_split`]).
///
/// Safety: both gaps must have room for a whole vector (the stores write
/// `LANES` keys on each side, the surplus into free room).
#[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,popcnt")]
#[inline]
unsafe fn put_vector<K: Lanes>(p: *mut K, c: &mut Cursors, v: __m512i, pivot: __m512i) {
    let l = K::LANES;
    let less = K::less_mask(v, pivot);
    let n_less = less.count_ones() as usize;
    K::store_split(p.add(c.left), p.add(c.right), v, less);
    c.left += n_less;
    c.right -= l - n_less;
}

/// Prefetches the `UNROLL` vectors of `LANES = l` keys from `p` into L1.
#[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,popcnt")]
#[inline]
unsafe fn prefetch_block<K>(p: *const K, l: usize) {
    for i in 0..UNROLL {
        _mm_prefetch::<_MM_HINT_T0>(p.wrapping_add(i * l).cast());
    }
}

/// Partitions `keys` into `< pivot` then `>= pivot`; returns the length of
/// the first part. If `RAW`, `keys`
/// holds float bits, converted to ordered keys as they are read (the
/// partitioned range holds ordered keys).
///
/// Safety: AVX-512 F/BW/DQ/VL; `keys` holds at least `2 * UNROLL` full
/// vectors of keys (`keys.len() - keys.len() % LANES >= 2 * UNROLL * LANES`).
#[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,popcnt")]
unsafe fn partition<K: Lanes, const RAW: bool>(keys: &mut [K], pivot: K) -> usize {
    let l = K::LANES;
    let block = UNROLL * l;
    let n = keys.len();
    debug_assert!(n - n % l >= 2 * block);
    let p = keys.as_mut_ptr();
    let pv = K::splat(pivot);
    // The ragged head (n mod LANES keys) and the first and last UNROLL full
    // vectors are held in registers, which frees room at both ends to
    // write into.
    let head_len = n % l;
    let head_mask = (1u32 << head_len) - 1;
    let head = lanes::load_padded::<K, RAW>(p, head_len);
    let firsts: [__m512i; UNROLL] =
        std::array::from_fn(|i| lanes::load::<K, RAW>(p.add(head_len + i * l)));
    let lasts: [__m512i; UNROLL] =
        std::array::from_fn(|i| lanes::load::<K, RAW>(p.add(n - block + i * l)));
    // `head` is padding past `head_len`: take `firsts[0]` there.
    // Free room: `head_len + 2 * block` keys in all.
    let mut c = Cursors {
        left: 0,
        right: n,
        l_read: head_len + block,
        r_read: n - block,
    };
    let all = (1u32 << l).wrapping_sub(1);
    prefetch_block(p.add(c.l_read), l);
    prefetch_block(p.add(c.r_read.saturating_sub(block)), l);
    while c.r_read - c.l_read >= block {
        let at = c.next(block);
        // The next block of this side is still in L2 or farther: fetch it
        // now so that the loads after a later side choice hit L1.
        let ahead = if at < c.l_read {
            c.l_read
        } else {
            c.r_read.saturating_sub(block)
        };
        prefetch_block(p.add(ahead), l);
        // Load the whole step before writing: the writes may land on it.
        let vs: [__m512i; UNROLL] =
            std::array::from_fn(|i| lanes::load::<K, RAW>(p.add(at + i * l)));
        for v in vs {
            put_vector::<K>(p, &mut c, v, pv);
        }
    }
    while c.l_read < c.r_read {
        let v = lanes::load::<K, RAW>(p.add(c.next(l)));
        put_vector::<K>(p, &mut c, v, pv);
    }
    for v in firsts.into_iter().chain(lasts) {
        put::<K>(p, &mut c, v, pv, all);
    }
    put::<K>(p, &mut c, head, pv, head_mask);
    debug_assert_eq!(c.left, c.right);
    c.left
}

/// The median of `LANES` keys sampled evenly across `keys` (float bits,
/// converted to an ordered key, if `RAW`).
#[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,popcnt")]
unsafe fn pivot<K: Lanes, const RAW: bool>(keys: &[K]) -> K {
    let l = K::LANES;
    let step = keys.len() / l;
    let mut sample = [K::MAX; 16];
    for (i, s) in sample.iter_mut().take(l).enumerate() {
        *s = keys[i * step + step / 2];
    }
    let mut v = [lanes::load::<K, RAW>(sample.as_ptr())];
    sort_vectors::<K, 1>(&mut v);
    K::lane(v[0], l / 2)
}

/// Converts a finished range back to float bits if `FLOAT`.
#[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,popcnt")]
unsafe fn finish<K: Lanes, const FLOAT: bool>(keys: &mut [K]) {
    if FLOAT {
        convert::<K, true>(keys)
    }
}

/// Quicksort of `keys` with at most `depth` more partition levels before
/// the fallback. If `FLOAT`, the keys are float bits on entry and on return:
/// `raw` says that `keys` still holds float bits (the first partition, or
/// the network of a small input, converts them while reading), and every
/// finished range is converted back.
#[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,popcnt")]
unsafe fn quicksort<K: Lanes, const FLOAT: bool>(mut keys: &mut [K], mut depth: u32, raw: bool) {
    let mut raw = FLOAT && raw;
    loop {
        if keys.len() <= max_small::<K>() {
            return if raw {
                sort_small::<K, true, FLOAT>(keys)
            } else {
                sort_small::<K, false, FLOAT>(keys)
            };
        }
        if depth == 0 {
            if raw {
                convert::<K, false>(keys);
            }
            keys.sort_unstable();
            return finish::<K, FLOAT>(keys);
        }
        depth -= 1;
        let pivot = if raw {
            pivot::<K, true>(keys)
        } else {
            pivot::<K, false>(keys)
        };
        let mid = if raw {
            partition::<K, true>(keys, pivot)
        } else {
            partition::<K, false>(keys, pivot)
        };
        raw = false;
        // `left` ends at `mid`, `right` starts at `right_from`.
        let (mid, right_from) = if mid == 0 {
            // The pivot is the minimum: split off all its copies, which are
            // then in place. If that is every key, the range is done.
            let copies = if pivot == K::MAX {
                keys.len()
            } else {
                partition::<K, false>(keys, pivot.successor())
            };
            finish::<K, FLOAT>(&mut keys[..copies]);
            if copies == keys.len() {
                return;
            }
            (0, copies)
        } else {
            (mid, mid)
        };
        let (left, right) = keys.split_at_mut(right_from);
        let left = &mut left[..mid];
        if left.len().min(right.len()) >= PARALLEL_MIN && rayon::current_num_threads() > 1 {
            // Both sides are big: sort them on two workers (the result is
            // the same, sorted order is unique).
            rayon::join(
                // SAFETY: the CPU supports AVX-512 (this function's contract).
                || unsafe { quicksort::<K, FLOAT>(left, depth, false) },
                // SAFETY: as above.
                || unsafe { quicksort::<K, FLOAT>(right, depth, false) },
            );
            return;
        }
        // Recurse into the smaller side, loop on the larger.
        if left.len() < right.len() {
            quicksort::<K, FLOAT>(left, depth, false);
            keys = right;
        } else {
            quicksort::<K, FLOAT>(right, depth, false);
            keys = left;
        }
    }
}

/// Sorts `keys` ascending. If `FLOAT`, `keys` holds the bits of floats of
/// the key width, sorted in the total order (converted to ordered keys and
/// back on the fly, without passes of their own).
///
/// Safety: the CPU must support AVX-512 F/BW/DQ/VL.
#[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,popcnt")]
pub(crate) unsafe fn sort<K: Lanes, const FLOAT: bool>(keys: &mut [K]) {
    let depth = 2 * (usize::BITS - keys.len().leading_zeros());
    quicksort::<K, FLOAT>(keys, depth, FLOAT)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dispatch::SimdLevel;

    /// Small keys with many duplicates.
    fn keys() -> Vec<u64> {
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        (0..5000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x % 1000
            })
            .collect()
    }

    /// The depth-limit fallback and the quicksort at every depth agree with
    /// the standard sort.
    #[test]
    fn every_depth_limit_sorts() {
        if !SimdLevel::Avx512.is_available() {
            return;
        }
        let keys = keys();
        for depth in [0, 1, 2, 5, 40] {
            let mut want = keys.clone();
            want.sort_unstable();
            let mut got = keys.clone();
            // SAFETY: AVX-512 availability checked above.
            unsafe { quicksort::<_, false>(&mut got, depth, false) };
            let bad = got.iter().zip(&want).position(|(a, b)| a != b);
            assert_eq!(bad, None, "depth {depth}: first mismatch");
            let mut got32: Vec<u32> = keys.iter().map(|&k| k as u32).collect();
            // SAFETY: as above.
            unsafe { quicksort::<_, false>(&mut got32, depth, false) };
            assert!(got32.iter().zip(&want).all(|(&a, &b)| a as u64 == b));
        }
    }

    /// The float form (conversion fused into the first partition and the
    /// finished ranges) agrees with `total_cmp` at every depth, with the
    /// special values among many duplicates.
    #[test]
    fn every_depth_limit_sorts_floats() {
        if !SimdLevel::Avx512.is_available() {
            return;
        }
        let special = [-0.0, f64::NAN, -f64::NAN, f64::NEG_INFINITY, 5e-324];
        let vals: Vec<f64> = keys()
            .iter()
            .map(|&k| special.get(k as usize).copied().unwrap_or(k as f64 - 500.5))
            .collect();
        for depth in [0, 1, 2, 5, 40] {
            let mut want = vals.clone();
            want.sort_unstable_by(f64::total_cmp);
            let mut got: Vec<u64> = vals.iter().map(|v| v.to_bits()).collect();
            // SAFETY: AVX-512 availability checked above.
            unsafe { quicksort::<_, true>(&mut got, depth, true) };
            let bad = got.iter().zip(&want).position(|(a, b)| *a != b.to_bits());
            assert_eq!(bad, None, "depth {depth}: first mismatch");
            let mut want32: Vec<f32> = vals.iter().map(|&v| v as f32).collect();
            let mut got32: Vec<u32> = want32.iter().map(|v| v.to_bits()).collect();
            want32.sort_unstable_by(f32::total_cmp);
            // SAFETY: as above.
            unsafe { quicksort::<_, true>(&mut got32, depth, true) };
            let bad = got32
                .iter()
                .zip(&want32)
                .position(|(a, b)| *a != b.to_bits());
            assert_eq!(bad, None, "f32, depth {depth}: first mismatch");
        }
    }
}
