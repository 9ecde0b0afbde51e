//! Stiefel-frame benchmarks (`kernels::ortho`, faer) at the sizes of an
//! MNIST-like flow layer: dimension `d = 784`, `k = 30` directions,
//! `n = 12_000` samples.
//!
//! Groups:
//! - `ortho_frame`: `random_frame` (784 x 30: normal draws plus thin QR) and
//!   `orthonormalize` of a 784 x 30 standard-normal matrix (fresh copy per
//!   iteration, via `iter_batched`), against the peer `faer_qr`, faer's
//!   thin QR with the thin Q formed. Throughput: the `d k` entries.
//! - `ortho_cayley`: one point of the Cayley curve through a 784 x 30 frame
//!   along a random direction, at `t = 0.5`: `curve_point`
//!   (`CayleyCurve::point`, the 2k x 2k Woodbury solve, curve precomputed),
//!   `curve_new_point` (`CayleyCurve::new` plus `point`) and the peer
//!   `cayley_full` (the d x d LU solve). Throughput: the `d k` entries.
//! - `ortho_project`: `project`, `X W` for X 12000 x 784 and W 784 x 30,
//!   blocked over rows; the peer `faer_matmul` is one faer `matmul` with
//!   `Par::rayon(0)`. Throughput: the `n d` entries of X.
//! - `ortho_layer_update`: `layer_update`, `X <- X + (Z - X W) W^T` in place
//!   on the same shapes; the peer `faer_matmul` is the unblocked two-GEMM
//!   form with faer's parallel `matmul`. X is updated in place on every
//!   iteration: after the first, `X W = Z` up to rounding, which does not
//!   change the work. Throughput: the `n d` entries of X.
//!
//! Inputs come from a seeded `ChaCha8Rng`. Before timing, the peers are
//! checked once against the kernels (to 1e-10 relative).

mod common;

use common::config;

use criterion::measurement::WallTime;
use criterion::{
    criterion_group, criterion_main, BatchSize, BenchmarkGroup, BenchmarkId, Criterion,
    SamplingMode, Throughput,
};
use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, MatRef, Par};
use kernels::ortho::{
    cayley_full, layer_update, orthonormalize, project, random_frame, CayleyCurve,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;
use std::hint::black_box;
use std::time::Duration;

const D: usize = 784;
const K: usize = 30;
const N: usize = 12_000;
const T: f64 = 0.5;

fn gaussian(rng: &mut ChaCha8Rng, rows: usize, cols: usize) -> Mat<f64> {
    Mat::from_fn(rows, cols, |_, _| rng.sample(StandardNormal))
}

/// Ten samples, short times, flat sampling (the same iteration count in
/// every sample: iterations take milliseconds); longer for the products.
fn configure(group: &mut BenchmarkGroup<'_, WallTime>, elems: usize, large: bool) {
    group.sample_size(10);
    group.warm_up_time(Duration::from_millis(300));
    group.sampling_mode(SamplingMode::Flat);
    group.measurement_time(if large {
        Duration::from_secs(2)
    } else {
        Duration::from_secs(1)
    });
    group.throughput(Throughput::Elements(elems as u64));
}

/// Largest entry of `a - b` relative to the largest entry of `b`.
fn rel_diff(a: MatRef<'_, f64>, b: MatRef<'_, f64>) -> f64 {
    let mut diff: f64 = 0.0;
    let mut scale: f64 = 0.0;
    for j in 0..b.ncols() {
        for i in 0..b.nrows() {
            diff = diff.max((a[(i, j)] - b[(i, j)]).abs());
            scale = scale.max(b[(i, j)].abs());
        }
    }
    diff / scale
}

fn ortho_frame(c: &mut Criterion) {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let shape = format!("{D}x{K}");
    let mut group = c.benchmark_group("ortho_frame");
    configure(&mut group, D * K, false);
    group.bench_function(BenchmarkId::new("random_frame", &shape), |b| {
        b.iter(|| random_frame(D, K, &mut rng))
    });
    let g = gaussian(&mut rng, D, K);
    group.bench_function(BenchmarkId::new("orthonormalize", &shape), |b| {
        b.iter_batched(
            || g.clone(),
            |mut w| {
                orthonormalize(&mut w).expect("full rank");
                w
            },
            BatchSize::LargeInput,
        )
    });
    group.bench_function(BenchmarkId::new("faer_qr", &shape), |b| {
        b.iter(|| g.as_ref().qr().compute_thin_Q())
    });
    group.finish();
}

fn ortho_cayley(c: &mut Criterion) {
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    let w = random_frame(D, K, &mut rng);
    let p = gaussian(&mut rng, D, K);
    let curve = CayleyCurve::new(w.as_ref(), p.as_ref());
    let full = cayley_full(w.as_ref(), p.as_ref(), T).expect("regular step");
    let point = curve.point(T).expect("regular step");
    let err = rel_diff(point.as_ref(), full.as_ref());
    assert!(err < 1e-10, "CayleyCurve::point vs cayley_full: {err:e}");

    let shape = format!("{D}x{K}");
    let mut group = c.benchmark_group("ortho_cayley");
    configure(&mut group, D * K, false);
    group.bench_function(BenchmarkId::new("curve_point", &shape), |b| {
        b.iter(|| curve.point(black_box(T)).expect("regular step"))
    });
    group.bench_function(BenchmarkId::new("curve_new_point", &shape), |b| {
        b.iter(|| {
            CayleyCurve::new(black_box(w.as_ref()), p.as_ref())
                .point(T)
                .expect("regular step")
        })
    });
    group.bench_function(BenchmarkId::new("cayley_full", &shape), |b| {
        b.iter(|| cayley_full(black_box(w.as_ref()), p.as_ref(), T).expect("regular step"))
    });
    group.finish();
}

/// `X W` with one parallel faer matmul.
fn faer_project(x: MatRef<'_, f64>, w: MatRef<'_, f64>) -> Mat<f64> {
    let mut out = Mat::zeros(x.nrows(), w.ncols());
    matmul(out.as_mut(), Accum::Replace, x, w, 1.0, Par::rayon(0));
    out
}

fn ortho_project(c: &mut Criterion) {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let x = gaussian(&mut rng, N, D);
    let w = random_frame(D, K, &mut rng);
    let err = rel_diff(
        project(x.as_ref(), w.as_ref()).as_ref(),
        faer_project(x.as_ref(), w.as_ref()).as_ref(),
    );
    assert!(err < 1e-10, "project vs faer matmul: {err:e}");

    let shape = format!("{N}x{D}x{K}");
    let mut group = c.benchmark_group("ortho_project");
    configure(&mut group, N * D, true);
    group.bench_function(BenchmarkId::new("project", &shape), |b| {
        b.iter(|| project(black_box(x.as_ref()), w.as_ref()))
    });
    group.bench_function(BenchmarkId::new("faer_matmul", &shape), |b| {
        b.iter(|| faer_project(black_box(x.as_ref()), w.as_ref()))
    });
    group.finish();
}

/// `X <- X + (Z - X W) W^T` as two parallel faer matmuls over all of X.
fn faer_layer_update(x: &mut Mat<f64>, w: MatRef<'_, f64>, z: MatRef<'_, f64>) {
    let mut delta = z.to_owned();
    matmul(
        delta.as_mut(),
        Accum::Add,
        x.as_ref(),
        w,
        -1.0,
        Par::rayon(0),
    );
    matmul(
        x.as_mut(),
        Accum::Add,
        delta.as_ref(),
        w.transpose(),
        1.0,
        Par::rayon(0),
    );
}

fn ortho_layer_update(c: &mut Criterion) {
    let mut rng = ChaCha8Rng::seed_from_u64(4);
    let x0 = gaussian(&mut rng, N, D);
    let w = random_frame(D, K, &mut rng);
    let z = gaussian(&mut rng, N, K);
    let mut a = x0.clone();
    let mut b = x0.clone();
    layer_update(a.as_mut(), w.as_ref(), z.as_ref());
    faer_layer_update(&mut b, w.as_ref(), z.as_ref());
    let err = rel_diff(a.as_ref(), b.as_ref());
    assert!(err < 1e-10, "layer_update vs faer matmul: {err:e}");
    drop(b);

    let shape = format!("{N}x{D}x{K}");
    let mut group = c.benchmark_group("ortho_layer_update");
    configure(&mut group, N * D, true);
    let mut x = x0.clone();
    group.bench_function(BenchmarkId::new("layer_update", &shape), |b| {
        b.iter(|| layer_update(black_box(x.as_mut()), w.as_ref(), z.as_ref()))
    });
    let mut x = x0;
    group.bench_function(BenchmarkId::new("faer_matmul", &shape), |b| {
        b.iter(|| faer_layer_update(black_box(&mut x), w.as_ref(), z.as_ref()))
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = config();
    targets = ortho_frame, ortho_cayley, ortho_project, ortho_layer_update
}
criterion_main!(benches);
