//! The narrow `f32` product at every SIMD level against a plain `f64`
//! reference: every tile edge (rows up to 40, column panels of 16/32/48),
//! random shapes, NaN and infinity propagation, empty products; the
//! product of side-by-side row blocks bit for bit equal to the packed one;
//! the register-only multiply-adds of the products' tile.

use kernels::dispatch::{active, available, SimdLevel};
use kernels::gemm::{
    matmul_narrow, matmul_narrow_with, matmul_row_blocks, matmul_row_blocks_with, padded_cols,
    register_multiply_adds, register_multiply_adds_with, PackedRows, RowBlock,
};
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

/// The bits of every entry, to compare results exactly.
fn bits(v: &[f32]) -> Vec<u32> {
    v.iter().map(|x| x.to_bits()).collect()
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

/// `A = [A_1, A_2]` (m x (p1 + p2)) from two row-major blocks with padded
/// rows (strides p1 + 3 and p2 + 16, garbage in the padding) times `B`:
/// the packed product's bits at every level, and near the reference.
fn check_row_blocks(m: usize, (p1, p2): (usize, usize), k: usize, rng: &mut ChaCha8Rng) {
    let (s1, s2, kp, p) = (p1 + 3, p2 + 16, padded_cols(k), p1 + p2);
    let mut uniform =
        |len: usize| -> Vec<f32> { (0..len).map(|_| rng.random::<f32>() * 2.0 - 1.0).collect() };
    let (a1, a2, b) = (uniform(m * s1), uniform(m * s2), uniform(p * kp));
    let a: Vec<f32> = (0..m)
        .flat_map(|i| {
            a1[i * s1..i * s1 + p1]
                .iter()
                .chain(&a2[i * s2..i * s2 + p2])
        })
        .copied()
        .collect();
    let blocks = [
        RowBlock {
            data: &a1,
            cols: p1,
            stride: s1,
        },
        RowBlock {
            data: &a2,
            cols: p2,
            stride: s2,
        },
    ];
    let want = reference(&a, p, &b);
    for level in available() {
        let mut got = vec![f32::NAN; m * kp];
        matmul_row_blocks_with(level, &blocks, &b, &mut got);
        let mut packed = vec![f32::NAN; m * kp];
        PackedRows::new_with(level, &a, p).times(&b, &mut packed);
        assert_eq!(bits(&got), bits(&packed), "{level} m={m} p={p1}+{p2} k={k}");
        for (g, w) in got.iter().zip(&want) {
            assert!((f64::from(*g) - w).abs() <= 4.0 * f32::EPSILON as f64 * p as f64);
        }
    }
}

#[test]
fn row_blocks_match_the_packed_product_at_every_tile_edge() {
    let mut rng = ChaCha8Rng::seed_from_u64(4);
    for m in 0..=30 {
        for k in [1, 16, 30, 33] {
            check_row_blocks(m, (1 + m % 5, 1 + m % 7), k, &mut rng);
        }
    }
    check_row_blocks(1600, (30, 30), 30, &mut rng);
}

#[test]
fn row_blocks_refuse_bad_shapes() {
    let shape = |data: usize, cols: usize, stride: usize, b: usize, c: usize| {
        std::panic::catch_unwind(|| {
            let a = vec![0.0f32; data];
            let mut out = vec![0.0f32; c];
            let blocks = [RowBlock {
                data: &a,
                cols,
                stride,
            }];
            matmul_row_blocks(&blocks, &vec![0.0; b], &mut out)
        })
        .is_err()
    };
    assert!(shape(0, 0, 0, 0, 0), "no columns");
    assert!(shape(8, 2, 4, 30, 32), "B rows not padded");
    assert!(shape(8, 2, 4, 32, 33), "C not whole rows");
    assert!(shape(5, 2, 4, 32, 32), "a block short of m rows");
    assert!(shape(8, 3, 2, 48, 32), "a stride shorter than the row");
    assert!(
        !shape(6, 2, 4, 32, 32),
        "a valid shape (the last row unpadded)"
    );
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
            let (mut reused, mut fresh) = (vec![f32::NAN; m * kp], vec![0.0f32; m * kp]);
            packed.times(&b, &mut reused);
            let mut repacked = PackedRows::new_with(level, &[1.0; 5], 1);
            repacked.repack_with(m, p, |i, j| a[i * p + j]);
            let mut again = vec![f32::NAN; m * kp];
            repacked.times(&b, &mut again);
            assert_eq!(bits(&reused), bits(&again), "{level} k={k} repacked");
            matmul_narrow_with(level, &a, p, &b, &mut fresh);
            assert_eq!(bits(&reused), bits(&fresh), "{level} k={k}");
        }
    }
}

/// The product with the transpose, read from the packing of `A`, gives the
/// bits of the product of a packing of `A^T`, at every level, for every
/// tile edge of rows and columns of `A` (full and partial panels and tiles)
/// and column panels of 16, 32 and 48; and it is near the `f64` reference.
#[test]
fn transpose_product_matches_the_product_of_the_transpose() {
    let mut rng = ChaCha8Rng::seed_from_u64(9);
    for m in [1, 2, 5, 6, 7, 11, 12, 13, 24, 25, 40] {
        for p in [1, 3, 6, 12, 13, 25, 37] {
            let a: Vec<f32> = (0..m * p).map(|_| rng.random::<f32>() - 0.5).collect();
            let at: Vec<f32> = (0..p * m).map(|i| a[(i % m) * p + i / m]).collect();
            for k in [1, 16, 17, 33] {
                let kp = padded_cols(k);
                let b: Vec<f32> = (0..m * kp).map(|_| rng.random::<f32>() - 0.5).collect();
                let want = reference(&at, m, &b);
                for level in available() {
                    let mut got = vec![f32::NAN; p * kp];
                    PackedRows::new_with(level, &a, p).transpose_times(&b, &mut got);
                    let mut of_transpose = vec![f32::NAN; p * kp];
                    PackedRows::new_with(level, &at, m).times(&b, &mut of_transpose);
                    let what = format!("{level} m={m} p={p} k={k}");
                    assert_eq!(bits(&got), bits(&of_transpose), "{what}");
                    let tol = 4.0 * f32::EPSILON as f64 * m as f64;
                    for (g, w) in got.iter().zip(&want) {
                        assert!((f64::from(*g) - w).abs() <= tol, "{what}: {g} vs {w}");
                    }
                }
            }
        }
    }
}

/// The transpose product refuses a `B` that is not the rows of `A` and a
/// `C` of the wrong shape.
#[test]
fn transpose_product_refuses_bad_shapes() {
    let packed = PackedRows::new(&[1.0; 12], 4);
    let kp = padded_cols(1);
    let run = |b_rows: usize, c_rows: usize| {
        std::panic::catch_unwind(|| {
            let b = vec![0.0f32; b_rows * kp];
            let mut c = vec![0.0f32; c_rows * kp];
            packed.transpose_times(&b, &mut c);
        })
        .is_err()
    };
    assert!(run(2, 4), "B of 2 rows for A of 3");
    assert!(run(3, 3), "C of 3 rows for A of 4 columns");
    assert!(!run(3, 4), "a valid shape");
}

/// Packings of more than a huge page (2 MiB, stored on huge-page
/// boundaries) and smaller ones, repacked from one size to the other in
/// both directions, give the bits of a fresh product.
#[test]
fn repacking_across_the_huge_page_size_keeps_the_bits() {
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let (big, small) = ((700, 800), (37, 11));
    let data = |(m, p): (usize, usize), rng: &mut ChaCha8Rng| -> Vec<f32> {
        (0..m * p).map(|_| rng.random::<f32>() - 0.5).collect()
    };
    let (a_big, a_small) = (data(big, &mut rng), data(small, &mut rng));
    for level in available() {
        let mut packed = PackedRows::new_with(level, &a_small, small.1);
        for (a, (m, p)) in [(&a_big, big), (&a_small, small), (&a_big, big)] {
            packed.repack_with(m, p, |i, j| a[i * p + j]);
            let kp = padded_cols(30);
            let b: Vec<f32> = (0..p * kp).map(|_| rng.random::<f32>() - 0.5).collect();
            let (mut got, mut fresh) = (vec![f32::NAN; m * kp], vec![0.0f32; m * kp]);
            packed.times(&b, &mut got);
            matmul_narrow_with(level, a, p, &b, &mut fresh);
            assert_eq!(bits(&got), bits(&fresh), "{level} {m} x {p}");
            let want = reference(a, p, &b);
            let tol = 4.0 * f32::EPSILON as f64 * p as f64;
            assert!(got
                .iter()
                .zip(&want)
                .all(|(g, w)| (f64::from(*g) - w).abs() <= tol));
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
        // The same A as two blocks of columns, read in place.
        let (p1, mut by_blocks) = (p / 3, vec![0.0f32; m * kp]);
        let blocks = [
            RowBlock {
                data: &a,
                cols: p1,
                stride: p,
            },
            RowBlock {
                data: &a[p1..],
                cols: p - p1,
                stride: p,
            },
        ];
        pool.install(|| matmul_row_blocks(&blocks, &b, &mut by_blocks));
        assert_eq!(bits(&c), bits(&by_blocks), "{threads} threads");
        bits(&c)
    };
    assert_eq!(run(1), run(3));
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

/// The register-only steps count the multiply-adds of each level's tile
/// (12 x 32 for AVX-512, 6 x 16 for AVX2 and the portable path, 8 sums for
/// the scalar reference) and none for no steps.
#[test]
fn register_steps_count_the_tile_multiply_adds() {
    for level in available() {
        let per_step = match level {
            SimdLevel::Avx512 => 12 * 32,
            SimdLevel::Avx2 | SimdLevel::Portable => 6 * 16,
            SimdLevel::Scalar => 8,
        };
        for steps in [0, 1, 7, 1000] {
            assert_eq!(
                register_multiply_adds_with(level, steps),
                steps * per_step,
                "{level} {steps} steps"
            );
        }
    }
    assert_eq!(
        register_multiply_adds(3),
        register_multiply_adds_with(active(), 3)
    );
}
