//! Every sort level against the scalar reference, bit for bit, on random and
//! adversarial inputs of every size up to 300 and of 1e6.

mod common;

use kernels::dispatch::available;
use kernels::sort::{self, reference, SortKey};
use proptest::prelude::*;
use rand::Rng;

fn bits<T: SortKey>(v: &[T]) -> Vec<u64> {
    v.iter().map(|x| x.raw_bits()).collect()
}

/// Checks every entry point at every level against the reference.
fn check_all<T: SortKey>(v: &[T], what: &str) {
    let mut expect = v.to_vec();
    reference::sort(&mut expect);
    let expect_idx = reference::argsort(v);
    for level in available() {
        let mut got = v.to_vec();
        sort::sort_with(level, &mut got);
        assert_eq!(
            bits(&got),
            bits(&expect),
            "sort {level} {what} n={}",
            v.len()
        );
        let idx = sort::argsort_with(level, v);
        assert_eq!(idx, expect_idx, "argsort {level} {what} n={}", v.len());
        let mut into = vec![u32::MAX; v.len()];
        sort::argsort_into_with(level, v, &mut into);
        assert_eq!(
            into,
            expect_idx,
            "argsort_into {level} {what} n={}",
            v.len()
        );
        let mut keys = v.to_vec();
        let mut payload: Vec<u32> = (0..v.len() as u32).map(|i| i * 3 + 1).collect();
        sort::sort_pairs_with(level, &mut keys, &mut payload);
        assert_eq!(bits(&keys), bits(&expect), "pairs keys {level} {what}");
        let want: Vec<u32> = expect_idx.iter().map(|&i| i * 3 + 1).collect();
        assert_eq!(payload, want, "pairs payload {level} {what}");
        let mut keys = v.to_vec();
        let mut perm = vec![u32::MAX; v.len()];
        sort::sort_indexed_with(level, &mut keys, &mut perm);
        assert_eq!(bits(&keys), bits(&expect), "indexed keys {level} {what}");
        assert_eq!(perm, expect_idx, "indexed perm {level} {what}");
    }
}

#[test]
fn every_shape_and_size_up_to_300() {
    for n in 0..=300 {
        for (name, v) in common::shapes(n, n as u64) {
            check_all(&v, name);
            let v32: Vec<f32> = v.iter().map(|&x| x as f32).collect();
            check_all(&v32, name);
        }
    }
}

#[test]
fn a_million_elements() {
    for (name, v) in common::shapes(1_000_000, 7) {
        if matches!(name, "random" | "specials" | "duplicates") {
            check_all(&v, name);
            let v32: Vec<f32> = v.iter().map(|&x| x as f32).collect();
            check_all(&v32, name);
        }
    }
}

/// Sizes around the AVX-512 sort's strategy switches: network blocks of
/// 1..32 vectors (8 or 16 lanes), the partition's held-back vectors, and
/// large odd sizes.
#[test]
fn sizes_around_strategy_switches() {
    for n in [
        383, 384, 385, 511, 512, 513, 1023, 1025, 4095, 4096, 4097, 65537,
    ] {
        for (name, v) in common::shapes(n, n as u64) {
            check_all(&v, name);
            let v32: Vec<f32> = v.iter().map(|&x| x as f32).collect();
            check_all(&v32, name);
        }
    }
}

/// Few distinct values, f64 keys that differ only in their low mantissa
/// bits (they tie in the packed argsort's truncated keys), and inputs that
/// poison the pivot sample.
#[test]
fn duplicates_near_ties_and_bad_pivots() {
    let mut r = common::rng(5);
    let n = 100_000;
    for distinct in [1u32, 2, 3, 17] {
        let v: Vec<f64> = (0..n)
            .map(|_| r.random_range(0..distinct) as f64 - 1.0)
            .collect();
        check_all(&v, "few distinct");
        let v32: Vec<f32> = v.iter().map(|&x| x as f32).collect();
        check_all(&v32, "few distinct");
    }
    let near: Vec<f64> = (0..n)
        .map(|_| f64::from_bits(1.0f64.to_bits() + r.random_range(0..4096u64)))
        .collect();
    check_all(&near, "near ties");
    // f32 keys sort as u32 words with truncated keys up to 4096 elements:
    // keys that agree in their top 20 bits, in one run or in many.
    for n in [800, 4095, 4096, 4097] {
        let near: Vec<f32> = (0..n)
            .map(|_| f32::from_bits(1.0f32.to_bits() + r.random_range(0..4096u32)))
            .collect();
        check_all(&near, "f32 near ties");
        let pairs: Vec<f32> = (0..n)
            .map(|i| f32::from_bits((-1.5f32).to_bits() + (i as u32 / 2) * 4096 + (i as u32 % 2)))
            .rev()
            .collect();
        check_all(&pairs, "f32 runs of two");
    }
    // The smallest keys at every 8th/16th position (where samples are
    // taken), large ones elsewhere; and a descending sawtooth.
    let poisoned: Vec<f64> = (0..n)
        .map(|i| {
            if i % 8 == 4 {
                i as f64 * 1e-9
            } else {
                1.0 + r.random::<f64>()
            }
        })
        .collect();
    check_all(&poisoned, "poisoned samples");
    let v32: Vec<f32> = poisoned.iter().map(|&x| x as f32).collect();
    check_all(&v32, "poisoned samples");
    let saw: Vec<f64> = (0..n).map(|i| ((n - i) % 1000) as f64).collect();
    check_all(&saw, "sawtooth");
}

#[test]
fn columns_match_per_column_reference() {
    for (n, k) in [(0, 0), (1, 3), (2, 2), (257, 5), (800, 30), (40_000, 2)] {
        let shapes = common::shapes(n * k, 11);
        for (name, data) in shapes {
            let mut expect = data.clone();
            let mut expect_perm = vec![0u32; n * k];
            reference::sort_columns(&mut expect, n, &mut expect_perm);
            for level in available() {
                let mut got = data.clone();
                let mut perm = vec![0u32; n * k];
                sort::sort_columns_with(level, &mut got, n, &mut perm);
                assert_eq!(bits(&got), bits(&expect), "columns {level} {name} {n}x{k}");
                assert_eq!(perm, expect_perm, "perm {level} {name} {n}x{k}");
                for j in 0..k {
                    for i in 0..n {
                        let src = data[j * n + perm[j * n + i] as usize];
                        assert_eq!(src.to_bits(), got[j * n + i].to_bits());
                    }
                }
            }
        }
    }
}

#[test]
fn order_is_the_documented_total_order() {
    let mut v = vec![
        f64::NAN,
        1.0,
        -f64::NAN,
        f64::NEG_INFINITY,
        0.0,
        -0.0,
        f64::INFINITY,
        -1.0,
    ];
    sort::sort(&mut v);
    assert!(v[0].is_nan() && v[0].is_sign_negative());
    assert_eq!(
        &v[1..7],
        &[f64::NEG_INFINITY, -1.0, -0.0, 0.0, 1.0, f64::INFINITY]
    );
    assert!(v[5].is_sign_positive() && v[3].is_sign_negative());
    assert!(v[7].is_nan() && v[7].is_sign_positive());
}

proptest! {
    #[test]
    fn prop_sort_matches_reference(v in prop::collection::vec(any::<f64>(), 0..2000)) {
        check_all(&v, "proptest");
    }

    #[test]
    fn prop_sort_f32_matches_reference(v in prop::collection::vec(any::<f32>(), 0..2000)) {
        check_all(&v, "proptest f32");
    }
}
