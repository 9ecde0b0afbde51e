//! Narrow `f32` products (`kernels::gemm`) at the shapes of one direction-
//! search iteration of an MNIST-like layer: `X P` with X 1600 x 784 and P
//! 784 x 30 (padded to 32 columns), and `X^T R` with X^T 784 x 1600 and R
//! 1600 x 30. Every available SIMD level is timed with `A` packed once
//! (`iaf`: `PackedRows::times`) and with the packing in each call
//! (`iaf_packing`: `matmul_narrow`); `X^T R` also as the search computes it,
//! from the one packing of `X` (`iaf_from_x`:
//! `PackedRows::transpose_times`). The peer is faer's `f32`
//! `matmul` on the same row-major data (sequential, and with `Par::rayon(0)`).
//! `B` and `C` are cache-line aligned, as the search keeps them.
//! The curve basis product `[X P, X W] C` (1600 x 60 times 60 x 30, the
//! basis as two row-major 1600 x 30 blocks with rows of 32) is timed as the
//! search computes it (`iaf`: `matmul_row_blocks`, in place), with packing
//! (`iaf_packing`) and with faer on a row-major copy.
//! Throughput: the multiply-adds of the unpadded product.

mod common;

use common::config;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use faer::linalg::matmul::matmul;
use faer::{Accum, MatMut, MatRef, Par};
use kernels::dispatch::available;
use kernels::gemm::{
    aligned_zeros, matmul_narrow_with, matmul_row_blocks_with, padded_cols, PackedRows, RowBlock,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::hint::black_box;
use std::time::Duration;

const N: usize = 1600;
const D: usize = 784;
const K: usize = 30;

fn uniform(rng: &mut ChaCha8Rng, len: usize) -> Vec<f32> {
    (0..len).map(|_| rng.random::<f32>() - 0.5).collect()
}

fn products(c: &mut Criterion) {
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let kp = padded_cols(K);
    let x = uniform(&mut rng, N * D);
    let xt: Vec<f32> = (0..D * N).map(|i| x[(i % N) * D + i / N]).collect();
    for (name, m, p, a) in [("x_times_p", N, D, &x), ("xt_times_r", D, N, &xt)] {
        let mut b = aligned_zeros(p * kp);
        b.copy_from_slice(&uniform(&mut rng, p * kp));
        let mut out = aligned_zeros(m * kp);
        let mut group = c.benchmark_group(format!("gemm_{name}"));
        group.sample_size(10);
        group.warm_up_time(Duration::from_millis(300));
        group.measurement_time(Duration::from_secs(1));
        group.throughput(Throughput::Elements((m * p * K) as u64));
        for level in available() {
            let packed = PackedRows::new_with(level, a, p);
            group.bench_function(BenchmarkId::new("iaf", level), |bch| {
                bch.iter(|| black_box(&packed).times(black_box(&b), &mut out))
            });
            group.bench_function(BenchmarkId::new("iaf_packing", level), |bch| {
                bch.iter(|| matmul_narrow_with(level, black_box(a), p, black_box(&b), &mut out))
            });
            if name == "xt_times_r" {
                let packed_x = PackedRows::new_with(level, &x, D);
                group.bench_function(BenchmarkId::new("iaf_from_x", level), |bch| {
                    bch.iter(|| black_box(&packed_x).transpose_times(black_box(&b), &mut out))
                });
            }
        }
        for (label, par) in [("faer_seq", Par::Seq), ("faer_par", Par::rayon(0))] {
            group.bench_function(label, |bch| {
                bch.iter(|| {
                    let lhs = MatRef::from_row_major_slice(black_box(a.as_slice()), m, p);
                    let rhs = MatRef::from_row_major_slice(black_box(&b), p, kp);
                    let dst = MatMut::from_row_major_slice_mut(&mut out, m, kp);
                    matmul(dst, Accum::Replace, lhs, rhs, 1.0f32, par);
                })
            });
        }
        group.finish();
    }
}

fn basis_product(c: &mut Criterion) {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let kp = padded_cols(K);
    let (xp, xw) = (uniform(&mut rng, N * kp), uniform(&mut rng, N * kp));
    let basis: Vec<f32> = (0..N)
        .flat_map(|i| xp[i * kp..i * kp + K].iter().chain(&xw[i * kp..i * kp + K]))
        .copied()
        .collect();
    let mut b = aligned_zeros(2 * K * kp);
    b.copy_from_slice(&uniform(&mut rng, 2 * K * kp));
    let mut out = aligned_zeros(N * kp);
    let mut group = c.benchmark_group("gemm_basis_times");
    group.sample_size(10);
    group.warm_up_time(Duration::from_millis(300));
    group.measurement_time(Duration::from_secs(1));
    group.throughput(Throughput::Elements((N * 2 * K * K) as u64));
    let blocks = [
        RowBlock {
            data: &xp,
            cols: K,
            stride: kp,
        },
        RowBlock {
            data: &xw,
            cols: K,
            stride: kp,
        },
    ];
    for level in available() {
        group.bench_function(BenchmarkId::new("iaf", level), |bch| {
            bch.iter(|| matmul_row_blocks_with(level, black_box(&blocks), black_box(&b), &mut out))
        });
        group.bench_function(BenchmarkId::new("iaf_packing", level), |bch| {
            bch.iter(|| {
                matmul_narrow_with(level, black_box(&basis), 2 * K, black_box(&b), &mut out)
            })
        });
    }
    for (label, par) in [("faer_seq", Par::Seq), ("faer_par", Par::rayon(0))] {
        group.bench_function(label, |bch| {
            bch.iter(|| {
                let lhs = MatRef::from_row_major_slice(black_box(&basis), N, 2 * K);
                let rhs = MatRef::from_row_major_slice(black_box(&b), 2 * K, kp);
                let dst = MatMut::from_row_major_slice_mut(&mut out, N, kp);
                matmul(dst, Accum::Replace, lhs, rhs, 1.0f32, par);
            })
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = config();
    targets = products, basis_product
}
criterion_main!(benches);
