//! Standard normal benchmarks (`kernels::normal`) on `n = 100_000` values,
//! enough for the slices to split across threads.
//!
//! Inputs: `z` is 90% standard-normal draws and 10% uniform on [-37, 37],
//! so the far tails (where the CDF needs its double-double argument and the
//! quantile its logarithmic branch) are well represented; `p = cdf(z)`,
//! which reaches 5.7e-300 in the lower tail and saturates at 1 beyond
//! `z = 8.3` as doubles do. Seeded `ChaCha8Rng`.
//!
//! Groups (ids are `<variant>/<n>`):
//! - `normal_cdf`: `cdf_slice`; peers `serial_loop`, a one-thread loop of
//!   `cdf`, and `libm_erfc`, the plain formula `erfc(-z / sqrt 2) / 2` on
//!   one thread (cheaper, but about 1e-13 relative error in the far tail).
//! - `normal_quantile`: `quantile_slice`; peer `serial_loop`, a one-thread
//!   loop of `quantile`.

mod common;

use common::config;

use criterion::{
    criterion_group, criterion_main, BenchmarkId, Criterion, SamplingMode, Throughput,
};
use kernels::normal::{cdf, cdf_slice, quantile, quantile_slice};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;
use std::hint::black_box;
use std::time::Duration;

const N: usize = 100_000;

fn inputs() -> Vec<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    (0..N)
        .map(|_| {
            if rng.random::<f64>() < 0.9 {
                rng.sample(StandardNormal)
            } else {
                rng.random_range(-37.0..=37.0)
            }
        })
        .collect()
}

fn normal_cdf(c: &mut Criterion) {
    let z = inputs();
    let mut out = vec![0.0; N];
    let mut group = c.benchmark_group("normal_cdf");
    group.sample_size(10);
    group.sampling_mode(SamplingMode::Flat);
    group.warm_up_time(Duration::from_millis(300));
    group.measurement_time(Duration::from_secs(1));
    group.throughput(Throughput::Elements(N as u64));
    group.bench_function(BenchmarkId::new("cdf_slice", N), |b| {
        b.iter(|| cdf_slice(black_box(&z), &mut out))
    });
    group.bench_function(BenchmarkId::new("serial_loop", N), |b| {
        b.iter(|| {
            for (o, &v) in out.iter_mut().zip(black_box(&z)) {
                *o = cdf(v);
            }
        })
    });
    group.bench_function(BenchmarkId::new("libm_erfc", N), |b| {
        b.iter(|| {
            for (o, &v) in out.iter_mut().zip(black_box(&z)) {
                *o = 0.5 * libm::erfc(-v * std::f64::consts::FRAC_1_SQRT_2);
            }
        })
    });
    black_box(&out);
    group.finish();
}

fn normal_quantile(c: &mut Criterion) {
    let p: Vec<f64> = inputs().into_iter().map(cdf).collect();
    let mut out = vec![0.0; N];
    let mut group = c.benchmark_group("normal_quantile");
    group.sample_size(10);
    group.sampling_mode(SamplingMode::Flat);
    group.warm_up_time(Duration::from_millis(300));
    group.measurement_time(Duration::from_secs(1));
    group.throughput(Throughput::Elements(N as u64));
    group.bench_function(BenchmarkId::new("quantile_slice", N), |b| {
        b.iter(|| quantile_slice(black_box(&p), &mut out))
    });
    group.bench_function(BenchmarkId::new("serial_loop", N), |b| {
        b.iter(|| {
            for (o, &v) in out.iter_mut().zip(black_box(&p)) {
                *o = quantile(v);
            }
        })
    });
    black_box(&out);
    group.finish();
}

criterion_group! {
    name = benches;
    config = config();
    targets = normal_cdf, normal_quantile
}
criterion_main!(benches);
