//! In-register bitonic sorting networks for blocks of up to 16 vectors
//! (128 `u64` or 256 `u32` keys).
//!
//! The block is `R` vectors viewed as one array of `R * LANES` keys. Each
//! merge of two sorted halves first compares key `i` with key
//! `i ^ (size - 1)` (the mirrored partner), then runs half-cleaners at
//! distances `size / 4, ..., 1`; every compare-exchange puts the minimum at
//! the lower index, so no direction bookkeeping is needed. Distances below
//! `LANES` are lane permutations inside a vector, larger ones pair vectors.

use super::lanes::{self, Lanes};
use std::arch::x86_64::*;

/// Mask of the lanes whose index has bit `bit` set: the upper partner of
/// every in-vector compare-exchange at that distance (it gets the maximum).
#[inline(always)]
fn upper_lanes(bit: usize, lanes: usize) -> u32 {
    (0..lanes)
        .filter(|l| l & bit != 0)
        .fold(0, |m, l| m | 1 << l)
}

/// Compare-exchange of lane `i` with lane `i ^ m` in every vector; `top` is
/// the highest set bit of `m` (lanes with it get the maximum).
#[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,popcnt")]
#[inline]
unsafe fn in_vector<K: Lanes, const R: usize>(v: &mut [__m512i; R], m: usize, top: usize) {
    let idx = _mm512_xor_si512(K::iota(), K::splat(K::of(m)));
    let lower = !upper_lanes(top, K::LANES);
    for x in v.iter_mut() {
        let p = K::permute(idx, *x);
        *x = K::vmin_masked(K::vmax(*x, p), lower, *x, p);
    }
}

/// The mirrored first step of merging sorted runs of `SIZE / 2` keys.
#[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,popcnt")]
#[inline]
unsafe fn mirror<K: Lanes, const R: usize, const SIZE: usize>(v: &mut [__m512i; R]) {
    if SIZE <= K::LANES {
        return in_vector::<K, R>(v, SIZE - 1, SIZE / 2);
    }
    let rev = _mm512_xor_si512(K::iota(), K::splat(K::of(K::LANES - 1)));
    let span = SIZE / K::LANES;
    for block in 0..R / span {
        for j in 0..span / 2 {
            let (a, b) = (block * span + j, block * span + span - 1 - j);
            let hi = K::permute(rev, v[b]);
            let lo = v[a];
            v[a] = K::vmin(lo, hi);
            v[b] = K::permute(rev, K::vmax(lo, hi));
        }
    }
}

/// Half-cleaner at distance `D`: key `i` against key `i + D`.
#[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,popcnt")]
#[inline]
unsafe fn half_clean<K: Lanes, const R: usize, const D: usize>(v: &mut [__m512i; R]) {
    if D < K::LANES {
        return in_vector::<K, R>(v, D, D);
    }
    let dr = D / K::LANES;
    for a in 0..R {
        if a & dr == 0 {
            let (lo, hi) = (v[a], v[a + dr]);
            v[a] = K::vmin(lo, hi);
            v[a + dr] = K::vmax(lo, hi);
        }
    }
}

/// One merge of the network if its `SIZE` fits the block: the mirrored
/// step, then the half-cleaners. The stages are spelled out (rather than
/// looped over) so that every distance is a constant and the whole network
/// unrolls with the block in registers.
macro_rules! merge {
    ($v:ident, $size:literal $(, $d:literal)*) => {
        if $size <= R * K::LANES {
            mirror::<K, R, $size>($v);
            $(half_clean::<K, R, $d>($v);)*
        }
    };
}

/// Sorts the `R * LANES` keys of `v` (vector 0 lane 0 first); `R` is a
/// power of two and `R * LANES <= 256`.
#[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,popcnt")]
#[inline]
pub(super) unsafe fn sort_vectors<K: Lanes, const R: usize>(v: &mut [__m512i; R]) {
    debug_assert!(R.is_power_of_two() && R * K::LANES <= 256);
    merge!(v, 2);
    merge!(v, 4, 1);
    merge!(v, 8, 2, 1);
    merge!(v, 16, 4, 2, 1);
    merge!(v, 32, 8, 4, 2, 1);
    merge!(v, 64, 16, 8, 4, 2, 1);
    merge!(v, 128, 32, 16, 8, 4, 2, 1);
    merge!(v, 256, 64, 32, 16, 8, 4, 2, 1);
}

/// Sorts `keys` (at most `R * LANES` of them) through one network of `R`
/// vectors, padding with [`Lanes::MAX`]. The keys are read as float bits
/// (converted to ordered keys) if `IN`, written as float bits if `OUT`.
#[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,popcnt")]
unsafe fn sort_block<K: Lanes, const R: usize, const IN: bool, const OUT: bool>(keys: &mut [K]) {
    let n = keys.len();
    debug_assert!(n <= R * K::LANES);
    let p = keys.as_mut_ptr();
    let mut v = [K::splat(K::MAX); R];
    for (r, x) in v.iter_mut().enumerate() {
        let at = r * K::LANES;
        if at + K::LANES <= n {
            *x = lanes::load::<K, IN>(p.add(at));
        } else if at < n {
            *x = lanes::load_padded::<K, IN>(p.add(at), n - at);
        }
    }
    sort_vectors::<K, R>(&mut v);
    for (r, x) in v.iter().enumerate() {
        let at = r * K::LANES;
        if at + K::LANES <= n {
            lanes::store::<K, OUT>(p.add(at), *x);
        } else if at < n {
            lanes::store_first::<K, OUT>(p.add(at), n - at, *x);
        }
    }
}

/// Vectors of the largest block [`sort_small`] takes.
pub(super) const SMALL_VECTORS: usize = 16;

/// The largest block [`sort_small`] takes.
pub(super) const fn max_small<K: Lanes>() -> usize {
    SMALL_VECTORS * K::LANES
}

/// Sorts at most [`max_small`] keys with the smallest network that holds
/// them; `IN` and `OUT` as for [`sort_block`].
#[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,popcnt")]
pub(super) unsafe fn sort_small<K: Lanes, const IN: bool, const OUT: bool>(keys: &mut [K]) {
    let vectors = keys.len().div_ceil(K::LANES);
    match vectors {
        0 | 1 => sort_block::<K, 1, IN, OUT>(keys),
        2 => sort_block::<K, 2, IN, OUT>(keys),
        3 | 4 => sort_block::<K, 4, IN, OUT>(keys),
        5..=8 => sort_block::<K, 8, IN, OUT>(keys),
        _ => sort_block::<K, 16, IN, OUT>(keys),
    }
}
