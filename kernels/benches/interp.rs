//! Monotone piecewise-linear map benchmarks (`kernels::interp`): a map with
//! 1002 knots (the flow's marginal maps) evaluated at `n` queries.
//!
//! Groups (ids are `<variant>/<n>`, `n` = 1000, 100_000, 1_000_000):
//! - `interp_eval`: `eval_batch_with` on unsorted standard-normal queries
//!   (a few fall outside the knots: `OutOfRange::Linear`) at every SIMD
//!   level this CPU runs (`dispatch::available()`); `sorted_<level>`:
//!   `eval_sorted_with` on the same queries sorted, at every level; the peer
//!   `eval_loop`, a plain loop of `MonotonePl::eval` over the unsorted
//!   queries.
//! - `interp_inverse`: `inverse_batch` (active level) on unsorted values in
//!   the map's range, against the peer `inverse_loop`, a loop of
//!   `MonotonePl::inverse`.
//!
//! Inputs come from a seeded `ChaCha8Rng`; outputs go to a preallocated
//! buffer. Before timing, the batched paths are checked once against the
//! scalar loop, bit for bit.

mod common;

use common::{config, configure, normal};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use kernels::dispatch::available;
use kernels::interp::{MonotonePl, OutOfRange};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;
use std::hint::black_box;

const SIZES: [usize; 3] = [1_000, 100_000, 1_000_000];
const KNOTS: usize = 1002;
const RULE: OutOfRange = OutOfRange::Linear;

/// A strictly increasing map on 1002 knots: abscissae sorted
/// standard-normal draws, values a random increasing sequence.
fn map(rng: &mut ChaCha8Rng) -> MonotonePl {
    let mut xs: Vec<f64> = (0..KNOTS).map(|_| rng.sample(StandardNormal)).collect();
    xs.sort_by(f64::total_cmp);
    for i in 1..KNOTS {
        if xs[i] <= xs[i - 1] {
            xs[i] = xs[i - 1] + 1e-9;
        }
    }
    let mut y = 0.0;
    let ys = (0..KNOTS)
        .map(|_| {
            y += rng.random::<f64>() + 1e-3;
            y
        })
        .collect();
    MonotonePl::new(xs, ys).expect("valid knots")
}

fn same_bits(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
}

fn interp_eval(c: &mut Criterion) {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let f = map(&mut rng);
    let mut group = c.benchmark_group("interp_eval");
    for n in SIZES {
        configure(&mut group, n);
        let x = normal(&mut rng, n);
        let mut sorted = x.clone();
        sorted.sort_by(f64::total_cmp);
        let mut out = vec![0.0; n];

        if n == SIZES[0] {
            let want: Vec<f64> = x.iter().map(|&q| f.eval(q, RULE)).collect();
            for level in available() {
                f.eval_batch_with(level, &x, &mut out, RULE);
                assert!(same_bits(&out, &want), "eval_batch at {level}");
            }
            let want: Vec<f64> = sorted.iter().map(|&q| f.eval(q, RULE)).collect();
            for level in available() {
                f.eval_sorted_with(level, &sorted, &mut out, RULE);
                assert!(same_bits(&out, &want), "eval_sorted at {level}");
            }
        }

        for level in available() {
            group.bench_function(BenchmarkId::new(level.name(), n), |b| {
                b.iter(|| f.eval_batch_with(level, black_box(&x), &mut out, RULE))
            });
        }
        for level in available() {
            let id = BenchmarkId::new(format!("sorted_{}", level.name()), n);
            group.bench_function(id, |b| {
                b.iter(|| f.eval_sorted_with(level, black_box(&sorted), &mut out, RULE))
            });
        }
        group.bench_function(BenchmarkId::new("eval_loop", n), |b| {
            b.iter(|| {
                for (o, &q) in out.iter_mut().zip(black_box(&x)) {
                    *o = f.eval(q, RULE);
                }
            })
        });
        black_box(&out);
    }
    group.finish();
}

fn interp_inverse(c: &mut Criterion) {
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    let f = map(&mut rng);
    let (lo, hi) = (f.ys()[0], f.ys()[KNOTS - 1]);
    let mut group = c.benchmark_group("interp_inverse");
    for n in SIZES {
        configure(&mut group, n);
        let y: Vec<f64> = (0..n).map(|_| rng.random_range(lo..hi)).collect();
        let mut out = vec![0.0; n];

        if n == SIZES[0] {
            let want: Vec<f64> = y.iter().map(|&v| f.inverse(v, RULE)).collect();
            f.inverse_batch(&y, &mut out, RULE);
            assert!(same_bits(&out, &want), "inverse_batch");
        }

        group.bench_function(BenchmarkId::new("inverse_batch", n), |b| {
            b.iter(|| f.inverse_batch(black_box(&y), &mut out, RULE))
        });
        group.bench_function(BenchmarkId::new("inverse_loop", n), |b| {
            b.iter(|| {
                for (o, &v) in out.iter_mut().zip(black_box(&y)) {
                    *o = f.inverse(v, RULE);
                }
            })
        });
        black_box(&out);
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = config();
    targets = interp_eval, interp_inverse
}
criterion_main!(benches);
