//! The AVX-512 sort of ordered integer keys (`u64`, `u32`) and of floats
//! (converted to ordered keys on the fly): a vectorised quicksort in the
//! style of x86-simd-sort. [`lanes`] wraps the intrinsics
//! per key width, [`network`] sorts blocks of up to 32 vectors in
//! registers, [`partition`] is the quicksort around them.

mod lanes;
mod network;
mod partition;

use super::key::{RadixBits, SortKey};
use crate::dispatch::SimdLevel;
use std::any::TypeId;

/// Panics unless the CPU has AVX-512 F/BW/DQ/VL (callers dispatch on
/// [`SimdLevel::Avx512`] first).
fn check_cpu() {
    assert!(
        SimdLevel::Avx512.is_available(),
        "sort: AVX-512 path on a CPU without AVX-512"
    );
}

/// Runs the AVX-512 sort on `keys` viewed as the lane type of its width
/// (`B` is one of `u32`, `u64`, `f32`, `f64`); `FLOAT` as for
/// [`partition::sort`].
fn sort_width<B: 'static, const FLOAT: bool>(keys: &mut [B]) {
    check_cpu();
    let (p, n) = (keys.as_mut_ptr(), keys.len());
    let is = |t: TypeId| TypeId::of::<B>() == t;
    if is(TypeId::of::<u64>()) || is(TypeId::of::<f64>()) {
        // SAFETY: `B` is `u64` or `f64` (same type id), which have the size
        // and alignment of `u64`, every bit pattern valid for both; the CPU
        // supports AVX-512 (checked above).
        unsafe { partition::sort::<u64, FLOAT>(std::slice::from_raw_parts_mut(p.cast(), n)) }
    } else if is(TypeId::of::<u32>()) || is(TypeId::of::<f32>()) {
        // SAFETY: as above, for `u32` and `f32`.
        unsafe { partition::sort::<u32, FLOAT>(std::slice::from_raw_parts_mut(p.cast(), n)) }
    } else {
        unreachable!("the sort keys are u32, u64, f32 or f64")
    }
}

/// Sorts ordered keys (`u32`, `u64`) ascending with AVX-512.
///
/// # Panics
/// If the CPU lacks AVX-512 F/BW/DQ/VL.
pub(crate) fn sort_ordered<B: RadixBits>(keys: &mut [B]) {
    sort_width::<B, false>(keys)
}

/// Sorts floats in the total order with AVX-512; the transform to ordered
/// keys and back is fused into the sort's first and last passes over each
/// key.
///
/// # Panics
/// If the CPU lacks AVX-512 F/BW/DQ/VL.
pub(crate) fn sort_floats<T: SortKey>(v: &mut [T]) {
    sort_width::<T, true>(v)
}

/// Stable argsort of `v` into `perm` ([`super::packed::argsort_into`] on
/// the AVX-512 sort), with the loops that pack keys and indices into words
/// and unpack them compiled for AVX-512 too.
///
/// # Panics
/// If the CPU lacks AVX-512 F/BW/DQ/VL.
pub(crate) fn argsort_into<T: SortKey>(v: &[T], perm: &mut [u32]) {
    check_cpu();
    // SAFETY: the CPU supports AVX-512 F/BW/DQ/VL (checked above).
    unsafe { argsort_into_avx512(v, perm) }
}

#[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,popcnt")]
unsafe fn argsort_into_avx512<T: SortKey>(v: &[T], perm: &mut [u32]) {
    if super::packed::narrow_words_fit::<T>(v.len()) {
        super::packed::argsort_into(v, perm, sort_ordered::<u32>)
    } else {
        super::packed::argsort_into(v, perm, sort_ordered::<u64>)
    }
}

/// Stable sort of `keys` with their original indices into `perm`
/// ([`super::packed::sort_indexed`] on the AVX-512 sort), with the loops
/// that pack keys and indices into words and unpack them compiled for
/// AVX-512 too.
///
/// # Panics
/// If the CPU lacks AVX-512 F/BW/DQ/VL.
pub(crate) fn sort_indexed<T: SortKey>(keys: &mut [T], perm: &mut [u32]) {
    check_cpu();
    // SAFETY: the CPU supports AVX-512 F/BW/DQ/VL (checked above).
    unsafe { sort_indexed_avx512(keys, perm) }
}

#[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,popcnt")]
unsafe fn sort_indexed_avx512<T: SortKey>(keys: &mut [T], perm: &mut [u32]) {
    if super::packed::narrow_words_fit::<T>(keys.len()) {
        super::packed::sort_indexed(keys, perm, sort_ordered::<u32>)
    } else {
        super::packed::sort_indexed(keys, perm, sort_ordered::<u64>)
    }
}
