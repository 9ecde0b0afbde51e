//! Sorting benchmarks: `kernels::sort` at every SIMD level this CPU runs
//! (`dispatch::available()`), against the standard library as the peer.
//!
//! Groups (ids are `<level>/<n>`, e.g. `sort_f64/avx512/100000`):
//! - `sort_f32`, `sort_f64`: in-place sort of `n` standard-normal keys; the
//!   peer `std` is `slice::sort_unstable_by(total_cmp)`.
//! - `argsort_f32`, `argsort_f64`: stable argsort; `std` sorts
//!   `(key, index)` pairs with `sort_unstable_by(total_cmp, then index)`
//!   (the same stable result) and collects the indices.
//! - `sort_pairs_f64`: stable key/payload sort; `std` zips the pairs, sorts
//!   them like `argsort_f64` and unzips them.
//! - `sort_columns_f64`: `n x 30` column-major matrix, every column sorted
//!   with its permutation; `std` sorts each column's pairs like
//!   `sort_pairs_f64`, in parallel over columns (rayon) for matrices of at
//!   least 2^15 elements, as the kernel does. Throughput counts all `30 n`
//!   elements. Row counts are `COLUMN_ROWS` = 1000, 10_000 (near the
//!   12_000 samples of the `ortho` benchmarks) and 100_000 (3M keys): a
//!   million rows (30M keys, 2.5 to 8 s per iteration, at least 11
//!   iterations per variant) would take minutes on its own.
//!
//! In-place sorts use `iter_batched` with `BatchSize::LargeInput`, so every
//! iteration sorts a fresh unsorted copy (the copy is not timed). Inputs come
//! from a seeded `ChaCha8Rng`. The `scalar` level is the crate's reference
//! path on the standard library's sorts. Before timing, each group checks
//! once (at the smallest size) that every level and the peer agree bit for
//! bit.

mod common;

use common::{config, configure};

use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion};
use kernels::dispatch::{available, SimdLevel};
use kernels::sort::{self, SortKey};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;
use rayon::prelude::*;
use std::cmp::Ordering;
use std::hint::black_box;

const SIZES: [usize; 3] = [1_000, 100_000, 1_000_000];
/// Columns of the batched column sort (the flow's K).
const COLS: usize = 30;
/// Rows of the batched column sort.
const COLUMN_ROWS: [usize; 3] = [1_000, 10_000, 100_000];
/// The kernel's threshold for sorting columns in parallel.
const PARALLEL_MIN_ELEMS: usize = 1 << 15;

fn normal_f64(n: usize, seed: u64) -> Vec<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n).map(|_| rng.sample(StandardNormal)).collect()
}

fn normal_f32(n: usize, seed: u64) -> Vec<f32> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n).map(|_| rng.sample(StandardNormal)).collect()
}

/// Stable order of `(key, index)` pairs through an unstable sort.
fn pair_cmp<T: SortKey>(a: &(T, u32), b: &(T, u32)) -> Ordering {
    a.0.total_cmp_key(&b.0).then(a.1.cmp(&b.1))
}

/// Panics unless the two key slices hold the same bits.
fn assert_same_bits<T: SortKey>(what: &str, a: &[T], b: &[T]) {
    assert!(
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.raw_bits() == y.raw_bits()),
        "{what}: results differ"
    );
}

/// The peer of `argsort`: unstable sort of `(key, index)` pairs.
fn std_argsort<T: SortKey>(v: &[T]) -> Vec<u32> {
    let mut pairs: Vec<(T, u32)> = v.iter().enumerate().map(|(i, &k)| (k, i as u32)).collect();
    pairs.sort_unstable_by(pair_cmp);
    pairs.into_iter().map(|(_, i)| i).collect()
}

/// The peer of `sort_pairs`: zip, unstable sort with index tie-break, unzip.
fn std_sort_pairs<T: SortKey>(keys: &mut [T], payload: &mut [u32]) {
    let mut pairs: Vec<(T, u32)> = keys
        .iter()
        .enumerate()
        .map(|(i, &k)| (k, i as u32))
        .collect();
    pairs.sort_unstable_by(pair_cmp);
    let old = payload.to_vec();
    for ((k, p), &(key, i)) in keys.iter_mut().zip(payload.iter_mut()).zip(&pairs) {
        *k = key;
        *p = old[i as usize];
    }
}

/// The peer of `sort_columns`: every column through [`std_sort_pairs`].
fn std_sort_columns<T: SortKey>(data: &mut [T], n: usize, perm: &mut [u32]) {
    let one = |(col, p): (&mut [T], &mut [u32])| {
        for (i, x) in p.iter_mut().enumerate() {
            *x = i as u32;
        }
        std_sort_pairs(col, p);
    };
    if data.len() >= PARALLEL_MIN_ELEMS {
        data.par_chunks_mut(n)
            .zip(perm.par_chunks_mut(n))
            .for_each(one);
    } else {
        data.chunks_mut(n).zip(perm.chunks_mut(n)).for_each(one);
    }
}

fn bench_sort<T: SortKey>(
    c: &mut Criterion,
    name: &str,
    gen: fn(usize, u64) -> Vec<T>,
    std_sort: fn(&mut [T]),
) {
    let mut group = c.benchmark_group(name);
    for n in SIZES {
        configure(&mut group, n);
        let data = gen(n, 1);
        if n == SIZES[0] {
            let mut want = data.clone();
            std_sort(&mut want);
            for level in available() {
                let mut got = data.clone();
                sort::sort_with(level, &mut got);
                assert_same_bits(name, &got, &want);
            }
        }
        for level in available() {
            group.bench_with_input(BenchmarkId::new(level.name(), n), &data, |b, data| {
                b.iter_batched(
                    || data.clone(),
                    |mut v| {
                        sort::sort_with(level, &mut v);
                        v
                    },
                    BatchSize::LargeInput,
                )
            });
        }
        group.bench_with_input(BenchmarkId::new("std", n), &data, |b, data| {
            b.iter_batched(
                || data.clone(),
                |mut v| {
                    std_sort(&mut v);
                    v
                },
                BatchSize::LargeInput,
            )
        });
    }
    group.finish();
}

fn sort_f32(c: &mut Criterion) {
    bench_sort::<f32>(c, "sort_f32", normal_f32, |v| {
        v.sort_unstable_by(f32::total_cmp)
    });
}

fn sort_f64(c: &mut Criterion) {
    bench_sort::<f64>(c, "sort_f64", normal_f64, |v| {
        v.sort_unstable_by(f64::total_cmp)
    });
}

fn bench_argsort<T: SortKey>(c: &mut Criterion, name: &str, gen: fn(usize, u64) -> Vec<T>) {
    let mut group = c.benchmark_group(name);
    for n in SIZES {
        configure(&mut group, n);
        let data = gen(n, 2);
        if n == SIZES[0] {
            let want = std_argsort(&data);
            for level in available() {
                assert_eq!(sort::argsort_with(level, &data), want, "{name}");
            }
        }
        for level in available() {
            group.bench_with_input(BenchmarkId::new(level.name(), n), &data, |b, data| {
                b.iter(|| sort::argsort_with(level, black_box(data)))
            });
        }
        group.bench_with_input(BenchmarkId::new("std", n), &data, |b, data| {
            b.iter(|| std_argsort(black_box(data)))
        });
    }
    group.finish();
}

fn argsort_f32(c: &mut Criterion) {
    bench_argsort(c, "argsort_f32", normal_f32);
}

fn argsort_f64(c: &mut Criterion) {
    bench_argsort(c, "argsort_f64", normal_f64);
}

/// A key/payload sort at a level, or the peer for `None`.
fn pairs_at(level: Option<SimdLevel>, keys: &mut [f64], payload: &mut [u32]) {
    match level {
        Some(l) => sort::sort_pairs_with(l, keys, payload),
        None => std_sort_pairs(keys, payload),
    }
}

fn sort_pairs_f64(c: &mut Criterion) {
    let mut group = c.benchmark_group("sort_pairs_f64");
    for n in SIZES {
        configure(&mut group, n);
        // Payload: a random permutation, so it is not the identity.
        let input = (normal_f64(n, 3), sort::argsort(&normal_f64(n, 5)));
        let run = |level: Option<SimdLevel>| {
            let (mut k, mut p) = input.clone();
            pairs_at(level, &mut k, &mut p);
            (k, p)
        };
        if n == SIZES[0] {
            let want = run(None);
            for level in available() {
                let got = run(Some(level));
                assert_same_bits("sort_pairs_f64", &got.0, &want.0);
                assert_eq!(got.1, want.1, "sort_pairs_f64");
            }
        }
        let levels = available().into_iter().map(Some).chain([None]);
        for level in levels {
            let id = BenchmarkId::new(level.map_or("std", SimdLevel::name), n);
            group.bench_with_input(id, &input, |b, input| {
                b.iter_batched(
                    || input.clone(),
                    |(mut k, mut p)| {
                        pairs_at(level, &mut k, &mut p);
                        (k, p)
                    },
                    BatchSize::LargeInput,
                )
            });
        }
    }
    group.finish();
}

/// A column sort at a level, or the peer for `None`.
fn columns_at(level: Option<SimdLevel>, data: &mut [f64], n: usize, perm: &mut [u32]) {
    match level {
        Some(l) => sort::sort_columns_with(l, data, n, perm),
        None => std_sort_columns(data, n, perm),
    }
}

fn sort_columns_f64(c: &mut Criterion) {
    let mut group = c.benchmark_group("sort_columns_f64");
    for n in COLUMN_ROWS {
        configure(&mut group, n * COLS);
        let data = normal_f64(n * COLS, 4);
        // Cloned per iteration so its pages are touched before the timing.
        let perm0 = vec![0u32; data.len()];
        if n == COLUMN_ROWS[0] {
            let run = |level| {
                let (mut m, mut perm) = (data.clone(), perm0.clone());
                columns_at(level, &mut m, n, &mut perm);
                (m, perm)
            };
            let want = run(None);
            for level in available() {
                let got = run(Some(level));
                assert_same_bits("sort_columns_f64", &got.0, &want.0);
                assert_eq!(got.1, want.1, "sort_columns_f64");
            }
        }
        for level in available().into_iter().map(Some).chain([None]) {
            let id = BenchmarkId::new(level.map_or("std", SimdLevel::name), n);
            group.bench_with_input(id, &data, |b, data| {
                b.iter_batched(
                    || (data.clone(), perm0.clone()),
                    |(mut m, mut perm)| {
                        columns_at(level, &mut m, n, &mut perm);
                        (m, perm)
                    },
                    BatchSize::LargeInput,
                )
            });
        }
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = config();
    targets = sort_f32, sort_f64, argsort_f32, argsort_f64, sort_pairs_f64, sort_columns_f64
}
criterion_main!(benches);
