//! Sorting `f32`/`f64` in the total order of `total_cmp`
//! (-NaN < -inf < ... < -0.0 < +0.0 < ... < +inf < +NaN), bit-exactly:
//! in-place sort, stable argsort, key/payload sort and the batched column
//! sort of the sliced-Wasserstein direction search.
//!
//! Every fast path sorts the order-preserving integer transform of the keys
//! (see [`key`]). On the AVX-512 level, `sort` is a vectorised quicksort
//! with in-register sorting networks (`avx512`), and the stable sorts
//! (`argsort`, `sort_pairs`, hence `sort_columns`) sort packed
//! key-and-index words with it (`packed`). The portable and AVX2 levels
//! run an LSD radix sort (insertion sort for tiny inputs). The scalar level
//! runs the standard library's sorts ([`reference`]).
//!
//! ```
//! use kernels::sort::{argsort, sort, sort_columns};
//! let mut v = [3.0f64, -0.0, f64::NAN, 0.0, -1.0];
//! sort(&mut v);
//! assert_eq!(v[0], -1.0);
//! assert!(v[1].is_sign_negative() && v[2] == 0.0 && v[4].is_nan());
//! assert_eq!(argsort(&[2.0f32, 1.0, 2.0]), vec![1, 0, 2]);
//! // Two columns of three rows, column-major.
//! let mut m = [3.0f64, 1.0, 2.0, 0.5, 0.7, 0.1];
//! let mut perm = [0u32; 6];
//! sort_columns(&mut m, 3, &mut perm);
//! assert_eq!(m, [1.0, 2.0, 3.0, 0.1, 0.5, 0.7]);
//! assert_eq!(perm, [1, 2, 0, 2, 0, 1]);
//! ```

#[cfg(target_arch = "x86_64")]
mod avx512;
pub mod key;
mod packed;
mod radix;
pub mod reference;

use crate::dispatch::{active, SimdLevel};
pub use key::SortKey;
use rayon::prelude::*;

/// Below this length insertion sort beats the radix passes.
const SMALL: usize = 64;
/// Columns at least this long are sorted in parallel.
const PARALLEL_MIN_ELEMS: usize = 1 << 15;

/// Panics if `len` does not fit the `u32` indices the sorts return.
pub(crate) fn check_len(len: usize) {
    assert!(
        len <= u32::MAX as usize,
        "sort: {len} elements exceed the u32 index range"
    );
}

/// Checks the shapes of a batched column sort.
pub(crate) fn check_columns(len: usize, n: usize, perm_len: usize) {
    check_len(n);
    assert_eq!(
        perm_len, len,
        "sort_columns: perm must have one entry per element"
    );
    assert!(
        n == 0 && len == 0 || n > 0 && len.is_multiple_of(n),
        "sort_columns: {len} elements are not whole columns of {n} rows"
    );
}

/// Stable insertion sort of ordered keys with an optional payload.
fn insertion<B: key::RadixBits>(keys: &mut [B], mut payload: Option<&mut [u32]>) {
    for i in 1..keys.len() {
        let k = keys[i];
        let p = payload.as_ref().map(|p| p[i]);
        let mut j = i;
        while j > 0 && keys[j - 1] > k {
            keys[j] = keys[j - 1];
            if let Some(pl) = payload.as_deref_mut() {
                pl[j] = pl[j - 1];
            }
            j -= 1;
        }
        keys[j] = k;
        if let (Some(pl), Some(p)) = (payload.as_deref_mut(), p) {
            pl[j] = p;
        }
    }
}

/// `perm[i] = i`.
fn fill_identity(perm: &mut [u32]) {
    for (i, p) in perm.iter_mut().enumerate() {
        *p = i as u32;
    }
}

fn to_ordered<T: SortKey>(v: &[T]) -> Vec<T::Bits> {
    v.iter().map(|x| x.to_ordered()).collect()
}

fn write_back<T: SortKey>(bits: &[T::Bits], v: &mut [T]) {
    for (x, &b) in v.iter_mut().zip(bits) {
        *x = T::from_ordered(b);
    }
}

/// Radix sort of keys, carrying `payload` if given.
fn radix_sort<T: SortKey>(v: &mut [T], payload: Option<&mut [u32]>) {
    let mut bits = to_ordered(v);
    match payload {
        Some(p) if v.len() < SMALL => insertion(&mut bits, Some(p)),
        Some(p) => radix::sort_bits_with_payload(&mut bits, p),
        None if v.len() < SMALL => insertion(&mut bits, None),
        None => radix::sort_bits(&mut bits, 0),
    }
    write_back(&bits, v);
}

/// Sorts `v` ascending in the total order, with the active SIMD level.
pub fn sort<T: SortKey>(v: &mut [T]) {
    sort_with(active(), v)
}

/// [`sort`] with a chosen level (an unavailable level falls back).
pub fn sort_with<T: SortKey>(level: SimdLevel, v: &mut [T]) {
    match level.or_best_below() {
        SimdLevel::Scalar => reference::sort(v),
        #[cfg(target_arch = "x86_64")]
        SimdLevel::Avx512 => avx512::sort_floats(v),
        _ => radix_sort(v, None),
    }
}

/// Stable argsort: the permutation that sorts `v` (equal keys keep their
/// index order).
///
/// # Panics
/// If `v` has more than `u32::MAX` elements.
pub fn argsort<T: SortKey>(v: &[T]) -> Vec<u32> {
    argsort_with(active(), v)
}

/// [`argsort`] with a chosen level.
pub fn argsort_with<T: SortKey>(level: SimdLevel, v: &[T]) -> Vec<u32> {
    check_len(v.len());
    let mut perm = vec![0; v.len()];
    argsort_into_with(level, v, &mut perm);
    perm
}

/// [`argsort`] into `perm`, a buffer the caller keeps (one entry per key).
///
/// ```
/// let mut perm = [0u32; 3];
/// kernels::sort::argsort_into(&[2.0f32, 1.0, 2.0], &mut perm);
/// assert_eq!(perm, [1, 0, 2]);
/// ```
///
/// # Panics
/// If the lengths differ or exceed `u32::MAX`.
pub fn argsort_into<T: SortKey>(v: &[T], perm: &mut [u32]) {
    argsort_into_with(active(), v, perm)
}

/// [`argsort_into`] with a chosen level.
pub fn argsort_into_with<T: SortKey>(level: SimdLevel, v: &[T], perm: &mut [u32]) {
    check_len(v.len());
    assert_eq!(v.len(), perm.len(), "argsort_into: one index per key");
    match level.or_best_below() {
        SimdLevel::Scalar => perm.copy_from_slice(&reference::argsort(v)),
        #[cfg(target_arch = "x86_64")]
        SimdLevel::Avx512 => avx512::argsort_into(v, perm),
        _ => {
            let mut keys = v.to_vec();
            fill_identity(perm);
            radix_sort(&mut keys, Some(perm));
        }
    }
}

/// Stable sort of `keys`, applying the same permutation to `payload`.
///
/// # Panics
/// If the lengths differ or exceed `u32::MAX`.
pub fn sort_pairs<T: SortKey>(keys: &mut [T], payload: &mut [u32]) {
    sort_pairs_with(active(), keys, payload)
}

/// [`sort_pairs`] with a chosen level.
pub fn sort_pairs_with<T: SortKey>(level: SimdLevel, keys: &mut [T], payload: &mut [u32]) {
    check_len(keys.len());
    assert_eq!(keys.len(), payload.len(), "sort_pairs: one payload per key");
    match level.or_best_below() {
        SimdLevel::Scalar => reference::sort_pairs(keys, payload),
        #[cfg(target_arch = "x86_64")]
        SimdLevel::Avx512 => {
            // The sorted keys' original indices, then the payload in that order.
            let old_payload = payload.to_vec();
            avx512::sort_indexed(keys, payload);
            for p in payload.iter_mut() {
                *p = old_payload[*p as usize];
            }
        }
        _ => radix_sort(keys, Some(payload)),
    }
}

/// Stable sort of `keys`, writing into `perm` the original index of each
/// sorted key: [`sort_pairs`] with the identity as payload, without
/// carrying it.
///
/// ```
/// let mut keys = [3.0f32, -1.0, 3.0, 0.5];
/// let mut perm = [0u32; 4];
/// kernels::sort::sort_indexed(&mut keys, &mut perm);
/// assert_eq!(keys, [-1.0, 0.5, 3.0, 3.0]);
/// assert_eq!(perm, [1, 3, 0, 2]);
/// ```
///
/// # Panics
/// If the lengths differ or exceed `u32::MAX`.
pub fn sort_indexed<T: SortKey>(keys: &mut [T], perm: &mut [u32]) {
    sort_indexed_with(active(), keys, perm)
}

/// [`sort_indexed`] with a chosen level.
pub fn sort_indexed_with<T: SortKey>(level: SimdLevel, keys: &mut [T], perm: &mut [u32]) {
    check_len(keys.len());
    assert_eq!(keys.len(), perm.len(), "sort_indexed: one index per key");
    match level.or_best_below() {
        #[cfg(target_arch = "x86_64")]
        SimdLevel::Avx512 => avx512::sort_indexed(keys, perm),
        level => {
            fill_identity(perm);
            sort_pairs_with(level, keys, perm)
        }
    }
}

/// Sorts each column of the n x k column-major matrix `data` in place;
/// `perm[j * n + i]` receives the original row of the element now at row `i`
/// of column `j` (stable ties). Columns are sorted in parallel when large;
/// the result does not depend on the thread count.
///
/// # Panics
/// If `data.len()` is not a multiple of `n`, `perm` has another length, or
/// `n > u32::MAX`.
pub fn sort_columns<T: SortKey>(data: &mut [T], n: usize, perm: &mut [u32]) {
    sort_columns_with(active(), data, n, perm)
}

/// [`sort_columns`] with a chosen level.
pub fn sort_columns_with<T: SortKey>(level: SimdLevel, data: &mut [T], n: usize, perm: &mut [u32]) {
    check_columns(data.len(), n, perm.len());
    if n == 0 {
        return;
    }
    let one = |(col, p): (&mut [T], &mut [u32])| sort_indexed_with(level, col, p);
    if data.len() >= PARALLEL_MIN_ELEMS {
        data.par_chunks_mut(n)
            .zip(perm.par_chunks_mut(n))
            .for_each(one);
    } else {
        data.chunks_mut(n).zip(perm.chunks_mut(n)).for_each(one);
    }
}
