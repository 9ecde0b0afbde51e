//! Plain scalar reference sorts on the standard library, against which every
//! fast path is tested; also the `IAF_SIMD=scalar` path.

use super::SortKey;

/// Ascending sort in the total order.
pub fn sort<T: SortKey>(v: &mut [T]) {
    v.sort_unstable_by(T::total_cmp_key);
}

/// Stable argsort: indices that sort `v`, equal keys in index order.
pub fn argsort<T: SortKey>(v: &[T]) -> Vec<u32> {
    super::check_len(v.len());
    let mut idx: Vec<u32> = (0..v.len() as u32).collect();
    idx.sort_by(|&a, &b| v[a as usize].total_cmp_key(&v[b as usize]));
    idx
}

/// Stable sort of keys with a payload carried along.
pub fn sort_pairs<T: SortKey>(keys: &mut [T], payload: &mut [u32]) {
    assert_eq!(keys.len(), payload.len(), "one payload per key");
    let order = argsort(keys);
    let k: Vec<T> = order.iter().map(|&i| keys[i as usize]).collect();
    let p: Vec<u32> = order.iter().map(|&i| payload[i as usize]).collect();
    keys.copy_from_slice(&k);
    payload.copy_from_slice(&p);
}

/// Sorts each column of an n x k column-major matrix, recording where every
/// sorted element came from.
pub fn sort_columns<T: SortKey>(data: &mut [T], n: usize, perm: &mut [u32]) {
    super::check_columns(data.len(), n, perm.len());
    if n == 0 {
        return;
    }
    for (col, p) in data.chunks_mut(n).zip(perm.chunks_mut(n)) {
        for (i, x) in p.iter_mut().enumerate() {
            *x = i as u32;
        }
        sort_pairs(col, p);
    }
}
