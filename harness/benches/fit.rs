//! Criterion benchmark of fitting INB layers on the MNIST-like shape of the
//! flow issue (n = 1600 in two domains, d = 784, K = 30, J = 200): one and
//! two layers, so the per-layer cost is the difference. `iaf bench fit`
//! reports the same shape as seconds per layer and per iteration.

use criterion::{criterion_group, criterion_main, Criterion};
use harness::bench::fit::{synthetic, J, K};
use harness::flow::{Flow, FlowConfig, PreMap};
use std::hint::black_box;
use std::time::Duration;

fn fit_layers(c: &mut Criterion) {
    let (x, labels) = synthetic(0);
    let mut group = c.benchmark_group("fit_inb_1600x784_k30_j200");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    for layers in [1usize, 2] {
        let config = FlowConfig {
            layers,
            k: Some(K),
            max_iters: J,
            premap: PreMap::Standardize,
            ..FlowConfig::default()
        };
        group.bench_function(format!("layers_{layers}"), |b| {
            b.iter(|| black_box(Flow::fit(x.as_ref(), &labels, &config, None).expect("fit")))
        });
    }
    group.finish();
}

criterion_group!(benches, fit_layers);
criterion_main!(benches);
