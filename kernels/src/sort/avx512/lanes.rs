//! The two key widths as AVX-512 vectors: 8 x `u64` or 16 x `u32` in one
//! `__m512i`, with the unsigned compares, masked memory access and lane
//! permutations the network and the partition need.
//!
//! Every method is an `unsafe fn` compiled with AVX-512 F/BW/DQ/VL: the
//! caller must have checked that the CPU supports them, and pointers must be
//! valid for the lanes they touch (noted per method).

use std::arch::x86_64::*;

/// An unsigned key type packed into a 512-bit vector.
pub(crate) trait Lanes: Copy + Ord + Send + Sync + 'static {
    /// Keys per vector.
    const LANES: usize;
    /// The largest key: padding that sorts last.
    const MAX: Self;
    /// Every lane set to `x`.
    unsafe fn splat(x: Self) -> __m512i;
    /// Loads `LANES` keys from `p`.
    unsafe fn load(p: *const Self) -> __m512i;
    /// Loads the first `n < LANES` lanes from `p` (only those are read) and
    /// fills the rest with [`Lanes::MAX`].
    unsafe fn load_padded(p: *const Self, n: usize) -> __m512i;
    /// Stores `LANES` keys at `p`.
    unsafe fn store(p: *mut Self, v: __m512i);
    /// Stores the first `n <= LANES` lanes at `p` (only those are written).
    unsafe fn store_first(p: *mut Self, n: usize, v: __m512i);
    /// Stores the lanes selected by `mask` contiguously at `p` (compressed
    /// in a register, then stored under a mask: the compress-store to
    /// memory is microcoded on AMD Zen 4, where it made the partition's
    /// last vectors cost more than all the rest of an 800-key argsort's
    /// partition).
    unsafe fn compress_store(p: *mut Self, mask: u32, v: __m512i);
    /// Stores the lanes of `v` in `mask` from `left` on and the others
    /// ending just below `right`; may overwrite other keys in
    /// `left..left + LANES` and `right - LANES..right`.
    unsafe fn store_split(left: *mut Self, right: *mut Self, v: __m512i, mask: u32);
    /// Lane-wise unsigned minimum.
    unsafe fn vmin(a: __m512i, b: __m512i) -> __m512i;
    /// Lane-wise unsigned minimum in the lanes of `mask`, `src` elsewhere.
    unsafe fn vmin_masked(src: __m512i, mask: u32, a: __m512i, b: __m512i) -> __m512i;
    /// Lane-wise unsigned maximum.
    unsafe fn vmax(a: __m512i, b: __m512i) -> __m512i;
    /// Mask of the lanes where `a < b` (unsigned).
    unsafe fn less_mask(a: __m512i, b: __m512i) -> u32;
    /// Lane `i` of the result is lane `idx[i]` of `v`.
    unsafe fn permute(idx: __m512i, v: __m512i) -> __m512i;
    /// Lane `i` of the result is lane `idx[i]` of `a` if `idx[i] < LANES`,
    /// lane `idx[i] - LANES` of `b` otherwise.
    unsafe fn permute2(idx: __m512i, a: __m512i, b: __m512i) -> __m512i;
    /// Lane-wise `mask ? b : a`.
    unsafe fn blend(mask: u32, a: __m512i, b: __m512i) -> __m512i;
    /// `0, 1, ..., LANES - 1`.
    unsafe fn iota() -> __m512i;
    /// Lane `i` of `v`.
    unsafe fn lane(v: __m512i, i: usize) -> Self;
    /// IEEE bits of floats of this width to their ordered keys (the
    /// transform of `SortKey::to_ordered`, lane-wise).
    unsafe fn from_float(v: __m512i) -> __m512i;
    /// Inverse of [`Lanes::from_float`].
    unsafe fn to_float(v: __m512i) -> __m512i;
    /// `self + 1` (the caller guarantees `self < MAX`).
    fn successor(self) -> Self;
    /// A small lane number as a key.
    fn of(x: usize) -> Self;
}

/// Mask of the first `n` lanes.
#[inline(always)]
fn first(n: usize) -> u32 {
    (1u32 << n).wrapping_sub(1)
}

/// Loads `LANES` keys from `p`, converted from float bits if `RAW`.
#[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,popcnt")]
#[inline]
pub(super) unsafe fn load<K: Lanes, const RAW: bool>(p: *const K) -> __m512i {
    let v = K::load(p);
    if RAW {
        K::from_float(v)
    } else {
        v
    }
}

/// Loads the first `n < LANES` keys from `p` (only those are read),
/// converted from float bits if `RAW`, and fills the rest with
/// [`Lanes::MAX`].
#[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,popcnt")]
#[inline]
pub(super) unsafe fn load_padded<K: Lanes, const RAW: bool>(p: *const K, n: usize) -> __m512i {
    let v = K::load_padded(p, n);
    if RAW {
        K::blend(first(n), K::splat(K::MAX), K::from_float(v))
    } else {
        v
    }
}

/// Stores `LANES` keys at `p`, converted to float bits if `RAW`.
#[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,popcnt")]
#[inline]
pub(super) unsafe fn store<K: Lanes, const RAW: bool>(p: *mut K, v: __m512i) {
    K::store(p, if RAW { K::to_float(v) } else { v })
}

/// Stores the first `n <= LANES` keys at `p` (only those are written),
/// converted to float bits if `RAW`.
#[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,popcnt")]
#[inline]
pub(super) unsafe fn store_first<K: Lanes, const RAW: bool>(p: *mut K, n: usize, v: __m512i) {
    K::store_first(p, n, if RAW { K::to_float(v) } else { v })
}

/// Converts `keys` in place between float bits and ordered keys: to
/// ordered keys if `TO_FLOAT` is false, back to float bits if it is true.
#[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,popcnt")]
pub(super) unsafe fn convert<K: Lanes, const TO_FLOAT: bool>(keys: &mut [K]) {
    let (p, n, l) = (keys.as_mut_ptr(), keys.len(), K::LANES);
    let mut at = 0;
    while at < n {
        let len = l.min(n - at);
        let v = K::load_padded(p.add(at), len);
        let v = if TO_FLOAT {
            K::to_float(v)
        } else {
            K::from_float(v)
        };
        K::store_first(p.add(at), len, v);
        at += l;
    }
}

/// For every 8-lane mask, the lane order `[lanes in mask..., others...]`,
/// one lane index per byte (lowest byte first).
static SPLIT8: [u64; 256] = split_table();

const fn split_table() -> [u64; 256] {
    let mut table = [0u64; 256];
    let mut mask = 0;
    while mask < 256 {
        let (mut entry, mut at, mut pass) = (0u64, 0, 0);
        while pass < 2 {
            let mut lane = 0;
            while lane < 8 {
                if (mask >> lane & 1 == 1) == (pass == 0) {
                    entry |= (lane as u64) << (8 * at);
                    at += 1;
                }
                lane += 1;
            }
            pass += 1;
        }
        table[mask] = entry;
        mask += 1;
    }
    table
}

impl Lanes for u64 {
    const LANES: usize = 8;
    const MAX: u64 = u64::MAX;
    #[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,popcnt")]
    #[inline]
    unsafe fn splat(x: u64) -> __m512i {
        _mm512_set1_epi64(x as i64)
    }
    #[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,popcnt")]
    #[inline]
    unsafe fn load(p: *const u64) -> __m512i {
        _mm512_loadu_si512(p.cast())
    }
    #[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,popcnt")]
    #[inline]
    unsafe fn load_padded(p: *const u64, n: usize) -> __m512i {
        _mm512_mask_loadu_epi64(Self::splat(u64::MAX), first(n) as u8, p.cast())
    }
    #[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,popcnt")]
    #[inline]
    unsafe fn store(p: *mut u64, v: __m512i) {
        _mm512_storeu_si512(p.cast(), v)
    }
    #[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,popcnt")]
    #[inline]
    unsafe fn store_first(p: *mut u64, n: usize, v: __m512i) {
        _mm512_mask_storeu_epi64(p.cast(), first(n) as u8, v)
    }
    #[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,popcnt")]
    #[inline]
    unsafe fn compress_store(p: *mut u64, mask: u32, v: __m512i) {
        let selected = _mm512_maskz_compress_epi64(mask as u8, v);
        Self::store_first(p, (mask as u8).count_ones() as usize, selected)
    }
    #[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,popcnt")]
    #[inline]
    unsafe fn store_split(left: *mut u64, right: *mut u64, v: __m512i, mask: u32) {
        // One lane permutation from the table to `[in mask..., others...]`
        // (cheaper than compressing), stored whole on both sides.
        let idx = _mm512_cvtepu8_epi64(_mm_cvtsi64_si128(SPLIT8[mask as usize & 0xff] as i64));
        let split = _mm512_permutexvar_epi64(idx, v);
        Self::store(left, split);
        Self::store(right.sub(8), split);
    }
    #[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,popcnt")]
    #[inline]
    unsafe fn vmin(a: __m512i, b: __m512i) -> __m512i {
        _mm512_min_epu64(a, b)
    }
    #[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,popcnt")]
    #[inline]
    unsafe fn vmin_masked(src: __m512i, mask: u32, a: __m512i, b: __m512i) -> __m512i {
        _mm512_mask_min_epu64(src, mask as u8, a, b)
    }
    #[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,popcnt")]
    #[inline]
    unsafe fn vmax(a: __m512i, b: __m512i) -> __m512i {
        _mm512_max_epu64(a, b)
    }
    #[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,popcnt")]
    #[inline]
    unsafe fn less_mask(a: __m512i, b: __m512i) -> u32 {
        _mm512_cmplt_epu64_mask(a, b) as u32
    }
    #[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,popcnt")]
    #[inline]
    unsafe fn permute(idx: __m512i, v: __m512i) -> __m512i {
        _mm512_permutexvar_epi64(idx, v)
    }
    #[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,popcnt")]
    #[inline]
    unsafe fn permute2(idx: __m512i, a: __m512i, b: __m512i) -> __m512i {
        _mm512_permutex2var_epi64(a, idx, b)
    }
    #[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,popcnt")]
    #[inline]
    unsafe fn blend(mask: u32, a: __m512i, b: __m512i) -> __m512i {
        _mm512_mask_blend_epi64(mask as u8, a, b)
    }
    #[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,popcnt")]
    #[inline]
    unsafe fn iota() -> __m512i {
        _mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0)
    }
    #[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,popcnt")]
    #[inline]
    unsafe fn lane(v: __m512i, i: usize) -> u64 {
        let mut a = [0u64; 8];
        Self::store(a.as_mut_ptr(), v);
        a[i]
    }
    #[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,popcnt")]
    #[inline]
    unsafe fn from_float(v: __m512i) -> __m512i {
        // Negative (sign set): flip every bit; otherwise the sign bit.
        let neg = _mm512_srai_epi64(v, 63);
        _mm512_xor_si512(v, _mm512_or_si512(neg, Self::splat(1 << 63)))
    }
    #[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,popcnt")]
    #[inline]
    unsafe fn to_float(v: __m512i) -> __m512i {
        // Top bit set (was positive): flip it back; otherwise every bit.
        let pos = _mm512_srai_epi64(v, 63);
        let flip = _mm512_andnot_si512(pos, Self::splat(u64::MAX));
        _mm512_xor_si512(v, _mm512_or_si512(flip, Self::splat(1 << 63)))
    }
    #[inline(always)]
    fn successor(self) -> u64 {
        self + 1
    }
    #[inline(always)]
    fn of(x: usize) -> u64 {
        x as u64
    }
}

impl Lanes for u32 {
    const LANES: usize = 16;
    const MAX: u32 = u32::MAX;
    #[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,popcnt")]
    #[inline]
    unsafe fn splat(x: u32) -> __m512i {
        _mm512_set1_epi32(x as i32)
    }
    #[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,popcnt")]
    #[inline]
    unsafe fn load(p: *const u32) -> __m512i {
        _mm512_loadu_si512(p.cast())
    }
    #[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,popcnt")]
    #[inline]
    unsafe fn load_padded(p: *const u32, n: usize) -> __m512i {
        _mm512_mask_loadu_epi32(Self::splat(u32::MAX), first(n) as u16, p.cast())
    }
    #[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,popcnt")]
    #[inline]
    unsafe fn store(p: *mut u32, v: __m512i) {
        _mm512_storeu_si512(p.cast(), v)
    }
    #[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,popcnt")]
    #[inline]
    unsafe fn store_first(p: *mut u32, n: usize, v: __m512i) {
        _mm512_mask_storeu_epi32(p.cast(), first(n) as u16, v)
    }
    #[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,popcnt")]
    #[inline]
    unsafe fn compress_store(p: *mut u32, mask: u32, v: __m512i) {
        let selected = _mm512_maskz_compress_epi32(mask as u16, v);
        Self::store_first(p, (mask as u16).count_ones() as usize, selected)
    }
    #[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,popcnt")]
    #[inline]
    unsafe fn store_split(left: *mut u32, right: *mut u32, v: __m512i, mask: u32) {
        // A table for 16 lanes would take 1 MiB: compress each part, store
        // the first whole and the second masked to its lanes, placed to
        // end at `right`.
        let below = _mm512_maskz_compress_epi32(mask as u16, v);
        let above = _mm512_maskz_compress_epi32(!mask as u16, v);
        let n_above = 16 - mask.count_ones() as usize;
        Self::store(left, below);
        Self::store_first(right.sub(n_above), n_above, above);
    }
    #[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,popcnt")]
    #[inline]
    unsafe fn vmin(a: __m512i, b: __m512i) -> __m512i {
        _mm512_min_epu32(a, b)
    }
    #[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,popcnt")]
    #[inline]
    unsafe fn vmin_masked(src: __m512i, mask: u32, a: __m512i, b: __m512i) -> __m512i {
        _mm512_mask_min_epu32(src, mask as u16, a, b)
    }
    #[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,popcnt")]
    #[inline]
    unsafe fn vmax(a: __m512i, b: __m512i) -> __m512i {
        _mm512_max_epu32(a, b)
    }
    #[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,popcnt")]
    #[inline]
    unsafe fn less_mask(a: __m512i, b: __m512i) -> u32 {
        _mm512_cmplt_epu32_mask(a, b) as u32
    }
    #[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,popcnt")]
    #[inline]
    unsafe fn permute(idx: __m512i, v: __m512i) -> __m512i {
        _mm512_permutexvar_epi32(idx, v)
    }
    #[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,popcnt")]
    #[inline]
    unsafe fn permute2(idx: __m512i, a: __m512i, b: __m512i) -> __m512i {
        _mm512_permutex2var_epi32(a, idx, b)
    }
    #[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,popcnt")]
    #[inline]
    unsafe fn blend(mask: u32, a: __m512i, b: __m512i) -> __m512i {
        _mm512_mask_blend_epi32(mask as u16, a, b)
    }
    #[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,popcnt")]
    #[inline]
    unsafe fn iota() -> __m512i {
        _mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0)
    }
    #[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,popcnt")]
    #[inline]
    unsafe fn lane(v: __m512i, i: usize) -> u32 {
        let mut a = [0u32; 16];
        Self::store(a.as_mut_ptr(), v);
        a[i]
    }
    #[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,popcnt")]
    #[inline]
    unsafe fn from_float(v: __m512i) -> __m512i {
        // Negative (sign set): flip every bit; otherwise the sign bit.
        let neg = _mm512_srai_epi32(v, 31);
        _mm512_xor_si512(v, _mm512_or_si512(neg, Self::splat(1 << 31)))
    }
    #[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,popcnt")]
    #[inline]
    unsafe fn to_float(v: __m512i) -> __m512i {
        // Top bit set (was positive): flip it back; otherwise every bit.
        let pos = _mm512_srai_epi32(v, 31);
        let flip = _mm512_andnot_si512(pos, Self::splat(u32::MAX));
        _mm512_xor_si512(v, _mm512_or_si512(flip, Self::splat(1 << 31)))
    }
    #[inline(always)]
    fn successor(self) -> u32 {
        self + 1
    }
    #[inline(always)]
    fn of(x: usize) -> u32 {
        x as u32
    }
}
