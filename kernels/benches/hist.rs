//! Histogram and quantile benchmarks (`kernels::hist`).
//!
//! Groups (ids are `<variant>/<n>`, `n` = 100_000, 1_000_000):
//! - `histogram`: 100 equal-width bins over [-4, 4] of `n` standard-normal
//!   values (a few fall outside and count in the end bins), at every SIMD
//!   level this CPU runs (`dispatch::available()`); the `scalar` level, a
//!   plain loop of one increment per value, is the peer of the striped
//!   counting of the other levels.
//! - `quantiles_sorted`: `n` uniform levels in [0, 1] on `n` sorted
//!   standard-normal values, as `random_levels` (lookups at random places)
//!   and `sorted_levels` (the same levels ascending, a sequential sweep).
//!   The standard library has no peer; the two show what the access
//!   pattern costs.
//!
//! Inputs come from a seeded `ChaCha8Rng`. The histogram adds to its counts
//! on every iteration (no reset, `u64` cannot overflow here). Before timing,
//! every level's counts are checked once against the scalar level.

mod common;

use common::{config, configure, normal};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use kernels::dispatch::{available, SimdLevel};
use kernels::hist::{histogram_with, quantiles_sorted};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::hint::black_box;

const SIZES: [usize; 2] = [100_000, 1_000_000];
const BINS: usize = 100;
const LO: f64 = -4.0;
const HI: f64 = 4.0;

fn histogram(c: &mut Criterion) {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let mut group = c.benchmark_group("histogram");
    for n in SIZES {
        configure(&mut group, n);
        let data = normal(&mut rng, n);
        let mut want = vec![0u64; BINS];
        histogram_with(SimdLevel::Scalar, &data, LO, HI, &mut want);
        for level in available() {
            let mut got = vec![0u64; BINS];
            histogram_with(level, &data, LO, HI, &mut got);
            assert_eq!(got, want, "histogram at {level}");
        }

        let mut counts = vec![0u64; BINS];
        for level in available() {
            group.bench_function(BenchmarkId::new(level.name(), n), |b| {
                b.iter(|| histogram_with(level, black_box(&data), LO, HI, &mut counts))
            });
        }
        black_box(&counts);
    }
    group.finish();
}

fn quantiles(c: &mut Criterion) {
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    let mut group = c.benchmark_group("quantiles_sorted");
    for n in SIZES {
        configure(&mut group, n);
        let mut sorted = normal(&mut rng, n);
        sorted.sort_by(f64::total_cmp);
        let levels: Vec<f64> = (0..n).map(|_| rng.random::<f64>()).collect();
        let mut ascending = levels.clone();
        ascending.sort_by(f64::total_cmp);
        let mut out = vec![0.0; n];
        for (name, u) in [("random_levels", &levels), ("sorted_levels", &ascending)] {
            group.bench_function(BenchmarkId::new(name, n), |b| {
                b.iter(|| quantiles_sorted(black_box(&sorted), black_box(u), &mut out))
            });
        }
        black_box(&out);
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = config();
    targets = histogram, quantiles
}
criterion_main!(benches);
