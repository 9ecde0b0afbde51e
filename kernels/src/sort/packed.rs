//! Stable argsort and indexed sort (keys with their original indices)
//! through one unstable sort of packed `u64` words: the ordered key in the
//! high bits, the element's index in the low `b = ceil(log2 n)` bits. Indices are unique, so sorting the words
//! orders by key and then by index, which is the stable order.
//!
//! An `f32` key (32 bits) always fits beside the index. For `f64` only the
//! top `64 - b` key bits fit; words whose packed key bits tie are fixed up
//! afterwards by sorting each such run on the full key and the index (runs
//! of equal keys, the common case, are already in order and only checked).

use super::key::{RadixBits, SortKey};

/// The words of `v`, sorted by `sort`, with the number of index bits.
/// (Inlined, so that a caller compiled for wider vectors packs with them.)
#[inline(always)]
fn sorted_words<T: SortKey>(v: &[T], sort: fn(&mut [u64])) -> (Vec<u64>, u32) {
    super::check_len(v.len());
    let index_bits = (usize::BITS - v.len().saturating_sub(1).leading_zeros()).max(1);
    let index_mask = (1u64 << index_bits) - 1;
    let key_shift = 64 - T::Bits::BITS;
    let mut words: Vec<u64> = v
        .iter()
        .enumerate()
        .map(|(i, x)| (x.to_ordered().widen() << key_shift) & !index_mask | i as u64)
        .collect();
    sort(&mut words);
    if !key_fits::<T>(index_bits)
        && words
            .windows(2)
            .any(|w| w[0] >> index_bits == w[1] >> index_bits)
    {
        fix_truncated_ties(v, &mut words, index_bits);
    }
    (words, index_bits)
}

/// Whether a `T` key fits whole beside `index_bits` index bits, so that
/// sorted words decode back to their keys.
fn key_fits<T: SortKey>(index_bits: u32) -> bool {
    64 - T::Bits::BITS >= index_bits
}

/// Reorders every run of words whose packed (truncated) keys tie by the
/// full key, then the index.
fn fix_truncated_ties<T: SortKey>(v: &[T], words: &mut [u64], index_bits: u32) {
    let mask = (1u64 << index_bits) - 1;
    let full = |w: u64| (v[(w & mask) as usize].to_ordered(), w & mask);
    let mut start = 0;
    while start < words.len() {
        let head = words[start] >> index_bits;
        let len = words[start..]
            .iter()
            .position(|&w| w >> index_bits != head)
            .unwrap_or(words.len() - start);
        let run = &mut words[start..start + len];
        if run.windows(2).any(|w| full(w[0]) > full(w[1])) {
            run.sort_unstable_by_key(|&w| full(w));
        }
        start += len;
    }
}

/// Stable argsort of `v`, sorting the packed words with `sort`.
#[inline(always)]
pub(super) fn argsort<T: SortKey>(v: &[T], sort: fn(&mut [u64])) -> Vec<u32> {
    let (words, index_bits) = sorted_words(v, sort);
    let mask = (1u64 << index_bits) - 1;
    words.iter().map(|&w| (w & mask) as u32).collect()
}

/// Stable sort of `keys`, writing each sorted key's original index into
/// `perm`, sorting packed words with `sort`. Keys that fit whole in the
/// words (`f32`) are decoded from them; wider keys are gathered from a copy.
#[inline(always)]
pub(super) fn sort_indexed<T: SortKey>(keys: &mut [T], perm: &mut [u32], sort: fn(&mut [u64])) {
    let (words, index_bits) = sorted_words(keys, sort);
    let mask = (1u64 << index_bits) - 1;
    for (p, &w) in perm.iter_mut().zip(&words) {
        *p = (w & mask) as u32;
    }
    if key_fits::<T>(index_bits) {
        let key_shift = 64 - T::Bits::BITS;
        for (k, &w) in keys.iter_mut().zip(&words) {
            *k = T::from_ordered(T::Bits::narrow(w >> key_shift));
        }
    } else {
        let old_keys = keys.to_vec();
        for (k, &p) in keys.iter_mut().zip(perm.iter()) {
            *k = old_keys[p as usize];
        }
    }
}
