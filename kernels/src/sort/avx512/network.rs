//! In-register bitonic sorting networks for blocks of up to 32 vectors
//! (256 `u64` or 512 `u32` keys).
//!
//! The block is `R` vectors viewed as one array of `R * LANES` keys, laid
//! out transposed while it is sorted: the low `log2 R` bits of a key's
//! index select the vector, the high bits the lane. Each merge of two
//! sorted halves first compares key `i` with key `i ^ (size - 1)` (the
//! mirrored partner), then runs half-cleaners at distances
//! `size / 4, ..., 1`; every compare-exchange puts the minimum at the lower
//! index, so no direction bookkeeping is needed. In the transposed layout
//! the many short distances of the early merges pair whole vectors (a
//! minimum and a maximum, no lane permutation); only distances of `R` and
//! more permute lanes. A final transpose (`log2 LANES` steps of two-source
//! permutations) brings the block to row order: key `i` at vector
//! `i / LANES`, lane `i % LANES`.

use super::lanes::{self, Lanes};
use std::arch::x86_64::*;

/// Mask of the lanes whose index has bit `bit` set.
#[inline(always)]
fn upper_lanes(bit: usize, lanes: usize) -> u32 {
    (0..lanes)
        .filter(|l| l & bit != 0)
        .fold(0, |m, l| m | 1 << l)
}

/// Runs `$body` for every vector index `$a` of a block of `R` vectors
/// (`R <= 32`), spelled out: a loop over the pairs of a stage is too large
/// for the compiler to unroll, and a rolled loop would keep the block in
/// memory rather than in registers.
macro_rules! for_each_vector {
    ($a:ident, $body:block) => {
        for_each_vector!(@ $a, $body, 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15
            16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31)
    };
    (@ $a:ident, $body:block, $($i:literal)*) => {
        $({
            let $a: usize = $i;
            if $a < R $body
        })*
    };
}

/// The highest set bit of `x > 0`.
#[inline(always)]
const fn top_bit(x: usize) -> usize {
    1 << (usize::BITS - 1 - x.leading_zeros())
}

/// Compare-exchange of key `i` with key `i ^ FLIP` for every `i` (indices
/// in the transposed layout); the key whose index has the top bit of `FLIP`
/// clear receives the minimum.
#[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,popcnt")]
#[inline]
unsafe fn exchange<K: Lanes, const R: usize, const FLIP: usize>(v: &mut [__m512i; R]) {
    // The vector and the lane part of the flip.
    let (fv, fl) = (FLIP % R, FLIP / R);
    if fl == 0 {
        // Whole vectors: the one without the top bit takes the minimum.
        let top = top_bit(fv);
        for_each_vector!(a, {
            if a & top == 0 {
                let (x, y) = (v[a], v[a ^ fv]);
                v[a] = K::vmin(x, y);
                v[a ^ fv] = K::vmax(x, y);
            }
        });
        return;
    }
    // The top bit is a lane bit: lanes without it take the minimum of their
    // own key and the partner's, permuted into place from vector `a ^ fv`.
    let idx = _mm512_xor_si512(K::iota(), K::splat(K::of(fl)));
    let lower = !upper_lanes(top_bit(fl), K::LANES);
    if fv == 0 {
        for x in v.iter_mut() {
            let p = K::permute(idx, *x);
            *x = K::vmin_masked(K::vmax(*x, p), lower, *x, p);
        }
        return;
    }
    let top = top_bit(fv);
    for_each_vector!(a, {
        if a & top == 0 {
            let (x, y) = (v[a], v[a ^ fv]);
            let (px, py) = (K::permute(idx, x), K::permute(idx, y));
            v[a] = K::vmin_masked(K::vmax(x, py), lower, x, py);
            v[a ^ fv] = K::vmin_masked(K::vmax(y, px), lower, y, px);
        }
    });
}

/// One merge of the network if its `SIZE` fits the block: the mirrored
/// step, then the half-cleaners. The stages are spelled out (rather than
/// looped over) so that every distance is a constant and the whole network
/// unrolls with the block in registers.
macro_rules! merge {
    ($v:ident, $size:literal $(, $d:literal)*) => {
        if $size <= R * K::LANES {
            exchange::<K, R, { $size - 1 }>($v);
            $(exchange::<K, R, $d>($v);)*
        }
    };
}

/// The plan of [`untranspose`] for `r` vector bits and `lanes` lanes: for
/// each lane bit `q`, the vector bit swapped with it, and where each vector
/// goes at the end.
///
/// For each lane bit `q` in turn, the index bit that belongs there is held
/// by some vector bit `p` (lane bit `q` holds index bit `r + q` until its
/// turn; an index bit below `q` has been placed, one at or above `r` was
/// displaced into a vector bit at the turn of lane bit `q - r`) and is
/// swapped in; the vector bits then hold the high index bits in some
/// order, which renames the vectors.
const fn untranspose_plan(r: usize, lanes: usize) -> ([usize; 5], [usize; 32]) {
    let lane_bits = lanes.trailing_zeros() as usize;
    // `holds[p]`: the index bit vector bit `p` holds.
    let mut holds = [0usize; 5];
    let mut p = 0;
    while p < r {
        holds[p] = p;
        p += 1;
    }
    let mut swaps = [0usize; 5];
    let mut q = 0;
    while q < lane_bits && r > 0 {
        let mut p = 0;
        while holds[p] != q {
            p += 1;
        }
        holds[p] = r + q;
        swaps[q] = p;
        q += 1;
    }
    let mut rename = [0usize; 32];
    let mut a = 0;
    while a < 1 << r {
        let mut p = 0;
        while p < r {
            rename[a] |= (a >> p & 1) << (holds[p] - lane_bits);
            p += 1;
        }
        a += 1;
    }
    (swaps, rename)
}

/// Brings a block from the transposed layout to row order, as planned by
/// [`untranspose_plan`]: one two-source permutation per vector and lane
/// bit, then a renaming of the vectors.
#[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,popcnt")]
#[inline]
unsafe fn untranspose<K: Lanes, const R: usize>(v: &mut [__m512i; R]) {
    if R == 1 {
        return;
    }
    let (swaps, rename) = const { untranspose_plan(R.trailing_zeros() as usize, K::LANES) };
    let iota = K::iota();
    for (q, &p) in swaps
        .iter()
        .enumerate()
        .take(K::LANES.trailing_zeros() as usize)
    {
        // Vector `a` (bit `p` clear) keeps its lanes without bit `q` and
        // takes those of its partner `b` into the lanes with it; `b` takes
        // the lanes with bit `q` of both.
        let half = 1 << q;
        let upper = upper_lanes(half, K::LANES);
        let flipped = _mm512_xor_si512(iota, K::splat(K::of(half)));
        let from_b = K::splat(K::of(K::LANES));
        let idx_a = K::blend(upper, iota, _mm512_or_si512(flipped, from_b));
        let idx_b = K::blend(upper, flipped, _mm512_or_si512(iota, from_b));
        for_each_vector!(a, {
            if a & 1 << p == 0 {
                let (x, y) = (v[a], v[a | 1 << p]);
                v[a] = K::permute2(idx_a, x, y);
                v[a | 1 << p] = K::permute2(idx_b, x, y);
            }
        });
    }
    let mut out = *v;
    for (a, x) in v.iter().enumerate() {
        out[rename[a]] = *x;
    }
    *v = out;
}

/// Sorts the `R * LANES` keys of `v` (vector 0 lane 0 first); `R` is a
/// power of two and `R * LANES <= 512`.
#[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,popcnt")]
#[inline]
pub(super) unsafe fn sort_vectors<K: Lanes, const R: usize>(v: &mut [__m512i; R]) {
    debug_assert!(R.is_power_of_two() && R <= 32 && R * K::LANES <= 512);
    merge!(v, 2);
    merge!(v, 4, 1);
    merge!(v, 8, 2, 1);
    merge!(v, 16, 4, 2, 1);
    merge!(v, 32, 8, 4, 2, 1);
    merge!(v, 64, 16, 8, 4, 2, 1);
    merge!(v, 128, 32, 16, 8, 4, 2, 1);
    merge!(v, 256, 64, 32, 16, 8, 4, 2, 1);
    merge!(v, 512, 128, 64, 32, 16, 8, 4, 2, 1);
    untranspose::<K, R>(v);
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
pub(super) const SMALL_VECTORS: usize = 32;

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
        9..=16 => sort_block::<K, 16, IN, OUT>(keys),
        _ => sort_block::<K, 32, IN, OUT>(keys),
    }
}
