//! The narrow `f32` product at every SIMD level against a plain `f64`
//! reference: every tile edge (rows up to 40, column panels of 16/32/48),
//! random shapes, NaN and infinity propagation, empty products.

use kernels::dispatch::available;
use kernels::gemm::{matmul_narrow, matmul_narrow_with, padded_cols, PackedRows};
use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// `C = A B` summed in `f64`.
fn reference(a: &[f32], p: usize, b: &[f32]) -> Vec<f64> {
    let (m, kp) = (a.len() / p, b.len() / p);
    let mut c = vec![0.0; m * kp];
    for i in 0..m {
        for j in 0..p {
            for l in 0..kp {
                c[i * kp + l] += f64::from(a[i * p + j]) * f64::from(b[j * kp + l]);
            }
        }
    }
    c
}

fn check(m: usize, p: usize, k: usize, rng: &mut ChaCha8Rng) {
    let kp = padded_cols(k);
    let a: Vec<f32> = (0..m * p)
        .map(|_| rng.random::<f32>() * 2.0 - 1.0)
        .collect();
    let b: Vec<f32> = (0..p * kp)
        .map(|_| rng.random::<f32>() * 2.0 - 1.0)
        .collect();
    let want = reference(&a, p, &b);
    for level in available() {
        let mut got = vec![f32::NAN; m * kp];
        matmul_narrow_with(level, &a, p, &b, &mut got);
        for (idx, (g, w)) in got.iter().zip(&want).enumerate() {
            // Each entry is a sum of p terms of size <= 1 in f32.
            let tol = 4.0 * f32::EPSILON as f64 * p as f64;
            assert!(
                (f64::from(*g) - w).abs() <= tol,
                "{level} m={m} p={p} k={k} entry {idx}: {g} vs {w}"
            );
        }
    }
}

#[test]
fn every_tile_edge_at_every_level() {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    for m in 0..=40 {
        for k in [1, 16, 17, 30, 33, 48] {
            check(m, 1 + m % 9, k, &mut rng);
        }
    }
    check(1600, 784, 30, &mut rng);
    check(97, 1600, 60, &mut rng);
}

#[test]
fn one_packing_serves_many_products_bit_for_bit() {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let (m, p) = (61, 23);
    let a: Vec<f32> = (0..m * p).map(|_| rng.random::<f32>() - 0.5).collect();
    for level in available() {
        let packed = PackedRows::new_with(level, &a, p);
        assert_eq!(packed.rows(), m);
        for k in [3, 16, 40] {
            let kp = padded_cols(k);
            let b: Vec<f32> = (0..p * kp).map(|_| rng.random::<f32>() - 0.5).collect();
            let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            let (mut reused, mut fresh) = (vec![f32::NAN; m * kp], vec![0.0f32; m * kp]);
            packed.times(&b, &mut reused);
            let mut repacked = PackedRows::new_with(level, &[1.0; 5], 1);
            repacked.repack_with(m, p, |i, j| a[i * p + j]);
            let mut again = vec![f32::NAN; m * kp];
            repacked.times(&b, &mut again);
            assert_eq!(bits(&reused), bits(&again), "{level} k={k} repacked");
            // Row by row, over a larger packing: the same again.
            let mut by_rows = PackedRows::new_with(level, &vec![7.0; 90 * 31], 31);
            by_rows.repack_rows(m, p, |i, row| row.copy_from_slice(&a[i * p..(i + 1) * p]));
            assert_eq!(by_rows.rows(), m);
            again.fill(f32::NAN);
            by_rows.times(&b, &mut again);
            assert_eq!(bits(&reused), bits(&again), "{level} k={k} by rows");
            matmul_narrow_with(level, &a, p, &b, &mut fresh);
            assert_eq!(bits(&reused), bits(&fresh), "{level} k={k}");
        }
    }
}

#[test]
fn nan_and_infinity_reach_exactly_the_entries_they_touch() {
    let (m, p, k) = (25, 7, 20);
    let kp = padded_cols(k);
    let mut a = vec![1.0f32; m * p];
    a[3 * p + 2] = f32::NAN;
    a[20 * p] = f32::INFINITY;
    let b = vec![0.5f32; p * kp];
    for level in available() {
        let mut c = vec![0.0f32; m * kp];
        matmul_narrow_with(level, &a, p, &b, &mut c);
        for i in 0..m {
            for l in 0..kp {
                let v = c[i * kp + l];
                match i {
                    3 => assert!(v.is_nan(), "{level} ({i},{l})"),
                    20 => assert_eq!(v, f32::INFINITY, "{level} ({i},{l})"),
                    _ => assert_eq!(v, 0.5 * p as f32, "{level} ({i},{l})"),
                }
            }
        }
    }
}

#[test]
fn the_result_does_not_depend_on_the_thread_count() {
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    let (m, p, k) = (1000, 300, 30);
    let kp = padded_cols(k);
    let a: Vec<f32> = (0..m * p).map(|_| rng.random::<f32>()).collect();
    let b: Vec<f32> = (0..p * kp).map(|_| rng.random::<f32>()).collect();
    let run = |threads| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let mut c = vec![0.0f32; m * kp];
        pool.install(|| matmul_narrow(&a, p, &b, &mut c));
        c
    };
    let one = run(1);
    assert_eq!(
        one.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
        run(3).iter().map(|v| v.to_bits()).collect::<Vec<_>>()
    );
}

#[test]
fn bad_shapes_are_refused() {
    let shape = |a: usize, p: usize, b: usize, c: usize| {
        std::panic::catch_unwind(|| {
            let mut out = vec![0.0f32; c];
            matmul_narrow(&vec![0.0; a], p, &vec![0.0; b], &mut out)
        })
        .is_err()
    };
    assert!(shape(6, 0, 0, 0), "p = 0");
    assert!(shape(7, 2, 32, 48), "A not whole rows");
    assert!(shape(6, 2, 30, 45), "B rows not padded");
    assert!(shape(6, 2, 32, 47), "C wrong size");
    assert!(!shape(6, 2, 32, 48), "a valid shape");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn prop_random_shapes(m in 0usize..60, p in 1usize..50, k in 1usize..70, seed in any::<u64>()) {
        check(m, p, k, &mut ChaCha8Rng::seed_from_u64(seed));
    }
}
