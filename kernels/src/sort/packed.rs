//! Stable argsort and indexed sort (keys with their original indices)
//! through one unstable sort of packed words: the ordered key's top bits in
//! the high bits, the element's index in the low `b = ceil(log2 n)` bits.
//! Indices are unique, so sorting the words orders by (truncated) key and
//! then by index, which is the stable order wherever the truncated keys
//! differ.
//!
//! The words are `u64` or, for `f32` keys of short slices, `u32` (sixteen
//! lanes per vector instead of eight): see [`narrow_words_fit`]. An `f32`
//! key always fits whole beside the index in a `u64`; otherwise only the
//! top `W::BITS - b` key bits fit, and words whose packed key bits tie are
//! fixed up afterwards by sorting each such run on the full key and the
//! index (runs of equal keys, the common case of ties, are already in order
//! and only checked).

use super::key::{RadixBits, SortKey};

/// The most index bits a `u32` word holds: up to 4096 elements, whose `f32`
/// keys keep at least their top 20 bits (sign, exponent and 11 mantissa
/// bits, a relative resolution of 2^-11), so few distinct keys tie in
/// common data. (Keys that all agree in those bits fall back to a
/// comparison sort of their run: correct, but slower.) Measured on normal
/// keys with AVX-512 (`sort_indexed`, best of 200 runs), `u32` words sort
/// 800 keys in 2.7 us against 5.1 us for `u64` words, 2000 keys in 10.0
/// against 14.0 us and 4000 in 29.5 against 30.5 us, but 8000 keys in 98
/// against 64 us.
const NARROW_INDEX_BITS: u32 = 12;

/// Index bits for `len` elements (at least one).
fn index_bits(len: usize) -> u32 {
    (usize::BITS - len.saturating_sub(1).leading_zeros()).max(1)
}

/// Whether `len` keys of type `T` are sorted as `u32` words: `f32` keys of
/// at most `2^NARROW_INDEX_BITS` elements.
#[inline(always)]
pub(super) fn narrow_words_fit<T: SortKey>(len: usize) -> bool {
    T::Bits::BITS == 32 && index_bits(len) <= NARROW_INDEX_BITS
}

/// The words of `v`, sorted by `sort`, with the number of index bits.
/// (Inlined, so that a caller compiled for wider vectors packs with them.)
#[inline(always)]
fn sorted_words<T: SortKey, W: RadixBits>(v: &[T], sort: fn(&mut [W])) -> (Vec<W>, u32) {
    super::check_len(v.len());
    let index_bits = index_bits(v.len());
    let index_mask = (1u64 << index_bits) - 1;
    // The key's top bits at the top of a u64, then the top W::BITS of that.
    let (key_shift, word_shift) = (64 - T::Bits::BITS, 64 - W::BITS);
    let mut words: Vec<W> = v
        .iter()
        .enumerate()
        .map(|(i, x)| {
            let top = (x.to_ordered().widen() << key_shift) >> word_shift;
            W::narrow(top & !index_mask | i as u64)
        })
        .collect();
    sort(&mut words);
    if !key_fits::<T, W>(index_bits) {
        fix_truncated_ties(v, &mut words, index_bits);
    }
    (words, index_bits)
}

/// Whether a `T` key fits whole beside `index_bits` index bits in a `W`, so
/// that sorted words decode back to their keys.
fn key_fits<T: SortKey, W: RadixBits>(index_bits: u32) -> bool {
    W::BITS - T::Bits::BITS >= index_bits
}

/// Pairs of neighbouring words [`next_tie`] compares at once.
const TIE_CHUNK: usize = 32;

/// The first `i >= from` where `words[i]` and `words[i + 1]` have the same
/// `head`, if any: whole chunks of pairs are compared without branches (so
/// they vectorise) and passed over when none tie.
#[inline(always)]
fn next_tie<W: RadixBits>(words: &[W], from: usize, head: impl Fn(W) -> u64) -> Option<usize> {
    let mut i = from;
    while i + TIE_CHUNK < words.len() {
        let (a, b) = (&words[i..i + TIE_CHUNK], &words[i + 1..=i + TIE_CHUNK]);
        if a.iter()
            .zip(b)
            .fold(false, |t, (&x, &y)| t | (head(x) == head(y)))
        {
            break;
        }
        i += TIE_CHUNK;
    }
    (i..words.len().saturating_sub(1)).find(|&j| head(words[j]) == head(words[j + 1]))
}

/// Reorders every run of words whose packed (truncated) keys tie by the
/// full key, then the index.
#[inline(always)]
fn fix_truncated_ties<T: SortKey, W: RadixBits>(v: &[T], words: &mut [W], index_bits: u32) {
    let mask = (1u64 << index_bits) - 1;
    let index = |w: W| w.widen() & mask;
    let full = |w: W| (v[index(w) as usize].to_ordered(), index(w));
    let head = |w: W| w.widen() >> index_bits;
    let mut from = 0;
    while let Some(start) = next_tie(words, from, head) {
        let first = head(words[start]);
        let end = words[start..]
            .iter()
            .position(|&w| head(w) != first)
            .map_or(words.len(), |len| start + len);
        let run = &mut words[start..end];
        if run.windows(2).any(|w| full(w[0]) > full(w[1])) {
            run.sort_unstable_by_key(|&w| full(w));
        }
        from = end;
    }
}

/// Writes the index held in each sorted word into `perm`.
#[inline(always)]
fn decode_indices<W: RadixBits>(words: &[W], index_bits: u32, perm: &mut [u32]) {
    let mask = (1u64 << index_bits) - 1;
    for (p, &w) in perm.iter_mut().zip(words) {
        *p = (w.widen() & mask) as u32;
    }
}

/// Stable argsort of `v` into `perm` (one entry per key), sorting the
/// packed words with `sort`.
#[inline(always)]
pub(super) fn argsort_into<T: SortKey, W: RadixBits>(
    v: &[T],
    perm: &mut [u32],
    sort: fn(&mut [W]),
) {
    let (words, index_bits) = sorted_words(v, sort);
    decode_indices(&words, index_bits, perm);
}

/// Stable sort of `keys`, writing each sorted key's original index into
/// `perm`, sorting packed words with `sort`. Keys that fit whole in the
/// words are decoded from them; others are gathered from a copy.
#[inline(always)]
pub(super) fn sort_indexed<T: SortKey, W: RadixBits>(
    keys: &mut [T],
    perm: &mut [u32],
    sort: fn(&mut [W]),
) {
    let (words, index_bits) = sorted_words(keys, sort);
    decode_indices(&words, index_bits, perm);
    if key_fits::<T, W>(index_bits) {
        let key_shift = W::BITS - T::Bits::BITS;
        for (k, &w) in keys.iter_mut().zip(&words) {
            *k = T::from_ordered(T::Bits::narrow(w.widen() >> key_shift));
        }
    } else {
        let old_keys = keys.to_vec();
        for (k, &p) in keys.iter_mut().zip(perm.iter()) {
            *k = old_keys[p as usize];
        }
    }
}
