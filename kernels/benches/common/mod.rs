//! Settings and inputs shared by the kernel benchmarks.
#![allow(dead_code)] // each bench uses the part it needs

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, SamplingMode, Throughput};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;
use std::time::Duration;

/// Criterion without plots (plotters spends seconds per benchmark drawing
/// them; `-- --plotting-backend plotters` brings the HTML report back) and
/// with 10k bootstrap resamples, plenty for 10 samples.
pub fn config() -> Criterion {
    Criterion::default().without_plots().nresamples(10_000)
}

/// Ten samples, short times; flat sampling (the same iteration count in
/// every sample) from 1e5 elements on, where one iteration takes
/// milliseconds; throughput in `n` elements.
pub fn configure(group: &mut BenchmarkGroup<'_, WallTime>, n: usize) {
    group.sample_size(10);
    group.warm_up_time(Duration::from_millis(300));
    group.sampling_mode(if n >= 100_000 {
        SamplingMode::Flat
    } else {
        SamplingMode::Auto
    });
    group.measurement_time(if n >= 1_000_000 {
        Duration::from_secs(2)
    } else {
        Duration::from_secs(1)
    });
    group.throughput(Throughput::Elements(n as u64));
}

/// `n` standard-normal draws.
pub fn normal(rng: &mut ChaCha8Rng, n: usize) -> Vec<f64> {
    (0..n).map(|_| rng.sample(StandardNormal)).collect()
}
