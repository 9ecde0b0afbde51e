//! The AVX-512 sort of ordered integer keys (`u64`, `u32`): a vectorised
//! quicksort in the style of x86-simd-sort. [`lanes`] wraps the intrinsics
//! per key width, [`network`] sorts blocks of up to 16 vectors in
//! registers, [`partition`] is the quicksort around them.

mod lanes;
mod network;
mod partition;

pub(crate) use lanes::Lanes;

use super::key::RadixBits;
use crate::dispatch::SimdLevel;
use std::any::TypeId;

/// Sorts `keys` ascending with AVX-512.
///
/// # Panics
/// If the CPU lacks AVX-512 F/BW/DQ/VL (callers dispatch on
/// [`SimdLevel::Avx512`] first).
pub(crate) fn sort_keys<K: Lanes>(keys: &mut [K]) {
    assert!(
        SimdLevel::Avx512.is_available(),
        "sort: AVX-512 path on a CPU without AVX-512"
    );
    // SAFETY: the CPU supports AVX-512 F/BW/DQ/VL, checked just above.
    unsafe { partition::sort(keys) }
}

/// [`sort_keys`] for the radix key types (`u32`, `u64`).
pub(crate) fn sort_ordered<B: RadixBits>(keys: &mut [B]) {
    let (p, n) = (keys.as_mut_ptr(), keys.len());
    if TypeId::of::<B>() == TypeId::of::<u64>() {
        // SAFETY: `B` is `u64` (same type id), so this is the same slice.
        sort_keys::<u64>(unsafe { std::slice::from_raw_parts_mut(p.cast(), n) })
    } else if TypeId::of::<B>() == TypeId::of::<u32>() {
        // SAFETY: `B` is `u32` (same type id), so this is the same slice.
        sort_keys::<u32>(unsafe { std::slice::from_raw_parts_mut(p.cast(), n) })
    } else {
        unreachable!("RadixBits is sealed: u32 or u64")
    }
}
