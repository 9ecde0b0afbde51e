//! Criterion benchmark of fitting INB layers on the MNIST-like shape of the
//! flow issue (n = 1600 in two domains, d = 784, K = 30, J = 200): one and
//! two layers, so the per-layer cost is the difference, with the direction
//! search in `f32` (the default) and in `f64`. `iaf bench fit` reports the
//! same shape as seconds per layer and per iteration.

use criterion::{criterion_group, criterion_main, Criterion};
use harness::bench::fit::{synthetic, DATA_SEED, J, K};
use harness::flow::{Flow, FlowConfig, PreMap, SearchPrecision};
use std::hint::black_box;
use std::time::Duration;

fn fit_layers(c: &mut Criterion) {
    let (x, labels) = synthetic(DATA_SEED);
    let mut group = c.benchmark_group("fit_inb_1600x784_k30_j200");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    for (layers, precision) in [
        (1usize, SearchPrecision::F32),
        (2, SearchPrecision::F32),
        (1, SearchPrecision::F64),
    ] {
        let config = FlowConfig {
            layers,
            k: Some(K),
            max_iters: J,
            premap: PreMap::Standardize,
            search_precision: precision,
            ..FlowConfig::default()
        };
        group.bench_function(format!("layers_{layers}_{precision:?}"), |b| {
            b.iter(|| black_box(Flow::fit(x.as_ref(), &labels, &config, None).expect("fit")))
        });
    }
    group.finish();
}

criterion_group!(benches, fit_layers);
criterion_main!(benches);
