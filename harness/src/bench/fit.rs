//! `iaf bench fit`: seconds per layer and per direction iteration when
//! fitting INB layers on the MNIST-like shape of the issue: n = 1600 (800
//! per domain), d = 784, K = 30, J = 200.

use super::timing::fastest_seconds;
use crate::flow::{
    DataProducts, F32Products, Flow, FlowConfig, LayerReport, Narrow, PreMap, SearchPrecision,
};
use crate::io::{write_npy, DataError};
use faer::{Mat, MatRef};
use kernels::gemm::register_multiply_adds;
use kernels::ortho::random_frame;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;
use std::path::Path;
use std::time::Instant;

/// Shape of the benchmark problem.
pub const N_PER_DOMAIN: usize = 800;
/// Data dimension.
pub const D: usize = 784;
/// Directions per layer.
pub const K: usize = 30;
/// Maximum direction iterations.
pub const J: usize = 200;
/// Seed of the benchmark's data ([`synthetic`]).
pub const DATA_SEED: u64 = 0;

/// One measured fit.
#[derive(Clone, Debug, PartialEq)]
pub struct FitBench {
    /// Layers fitted.
    pub layers: usize,
    /// Wall-clock seconds per layer.
    pub seconds_per_layer: f64,
    /// Seconds per direction-search iteration.
    pub seconds_per_iteration: f64,
    /// Mean direction iterations per layer.
    pub iterations_per_layer: f64,
    /// Share of the time in the direction search.
    pub share_directions: f64,
    /// Share of the time building the 1-D maps.
    pub share_maps: f64,
    /// Share of the time applying the layer.
    pub share_apply: f64,
    /// The first layer's objective F (max-K-SW found): a speed-up that
    /// searched worse would show here.
    pub first_objective: f64,
    /// Multiply-adds per second of the search's `f32` product `X P` alone,
    /// on the same data and threads, measured just before and just after
    /// the fit: the machine's speed at the time, which drifts on shared
    /// machines (two far apart values mean it drifted during the fit).
    pub product_rate: (f64, f64),
    /// Seconds per layer that the two n x d products of every iteration
    /// (`X P`, `X^T R`) would take alone at the mean of the two rates: the
    /// floor the rest of the search adds to.
    pub product_seconds_per_layer: f64,
    /// Multiply-adds per second of the products' register tile with no
    /// memory traffic, on every thread at once, measured just before the
    /// fit: the ceiling of [`FitBench::product_rate`] on this machine at
    /// the time (`kernels::gemm::register_multiply_adds`).
    pub register_peak: f64,
}

/// Multiply-adds of one n x d product with the K directions.
const PRODUCT_MULTIPLY_ADDS: f64 = (2 * N_PER_DOMAIN * D * K) as f64;

/// Times `X P` as the search computes it (`F32Products::times`, on `X`
/// packed once) on the benchmark's data and threads, for
/// [`FitBench::product_rate`].
struct ProductClock {
    products: F32Products,
    /// A d x K orthonormal frame standing in for `P`.
    frame: Mat<f64>,
    out: Narrow<f32>,
    pool: rayon::ThreadPool,
}

impl ProductClock {
    /// A clock for `x` on `threads` threads (all cores if `None`).
    fn new(x: MatRef<'_, f64>, threads: Option<usize>) -> Self {
        ProductClock {
            products: F32Products::new(x),
            frame: random_frame(x.ncols(), K, &mut ChaCha8Rng::seed_from_u64(1)),
            out: Narrow::zeros(x.nrows(), K),
            pool: rayon::ThreadPoolBuilder::new()
                .num_threads(threads.unwrap_or(0))
                .build()
                .expect("a thread pool for the benchmark"),
        }
    }

    /// Multiply-adds per second of the register tile on every thread of
    /// the pool at once, in the fastest of five batches of 2^20 tile steps
    /// per thread (0.4 G multiply-adds with AVX-512).
    fn register_peak(&self) -> f64 {
        const STEPS: usize = 1 << 20;
        let mut done = 0;
        let best = fastest_seconds(5, || {
            done = self
                .pool
                .broadcast(|_| register_multiply_adds(STEPS))
                .into_iter()
                .sum();
        });
        done as f64 / best
    }

    /// Multiply-adds per second, in the fastest of five batches of 20
    /// products.
    fn rate(&mut self) -> f64 {
        const BATCH: usize = 20;
        let ProductClock {
            products,
            frame,
            out,
            pool,
        } = self;
        let best = pool.install(|| {
            fastest_seconds(5, || {
                for _ in 0..BATCH {
                    products.times(frame.as_ref(), out);
                }
            })
        });
        PRODUCT_MULTIPLY_ADDS * BATCH as f64 / best
    }
}

/// Synthetic MNIST-like data: two domains of correlated, shifted features.
pub fn synthetic(seed: u64) -> (Mat<f64>, Vec<&'static str>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let n = 2 * N_PER_DOMAIN;
    let latent = Mat::from_fn(n, 20, |_, _| rng.sample::<f64, _>(StandardNormal));
    let mix = Mat::from_fn(20, D, |_, _| rng.sample::<f64, _>(StandardNormal) * 0.3);
    let mut x = &latent * &mix;
    for i in 0..n {
        for j in 0..D {
            let shift = if i >= N_PER_DOMAIN {
                (j % 7) as f64 * 0.1
            } else {
                0.0
            };
            x[(i, j)] += shift + rng.sample::<f64, _>(StandardNormal) * 0.1;
        }
    }
    let labels = (0..n)
        .map(|i| if i < N_PER_DOMAIN { "0" } else { "1" })
        .collect();
    (x, labels)
}

/// Writes the benchmark's data (before the pre-map; rows of domain 0,
/// then of domain 1) to `path` as a float64 NPY file, for peers that time
/// the same fit (`scripts/peer_fit_torch.py`).
pub fn save_data(path: &Path) -> Result<(), DataError> {
    let (x, _) = synthetic(DATA_SEED);
    write_npy(path, x.as_ref())
}

/// Fits `layers` layers with the direction search at `precision` and
/// reports the timings.
pub fn run(layers: usize, threads: Option<usize>, precision: SearchPrecision) -> FitBench {
    let (x, labels) = synthetic(DATA_SEED);
    let mut clock = ProductClock::new(x.as_ref(), threads);
    let register_peak = clock.register_peak();
    let before = clock.rate();
    let config = FlowConfig {
        layers,
        k: Some(K),
        max_iters: J,
        premap: PreMap::Standardize,
        threads,
        search_precision: precision,
        ..FlowConfig::default()
    };
    let mut reports: Vec<LayerReport> = Vec::new();
    let mut record = |r: &LayerReport| reports.push(r.clone());
    let start = Instant::now();
    Flow::fit(x.as_ref(), &labels, &config, Some(&mut record)).expect("benchmark data fit");
    let total = start.elapsed().as_secs_f64();
    let after = clock.rate();
    let sum = |f: fn(&LayerReport) -> f64| reports.iter().map(f).sum::<f64>();
    let iterations = reports.iter().map(|r| r.iterations).sum::<usize>().max(1);
    let (dirs, maps, apply) = (
        sum(|r| r.seconds_directions),
        sum(|r| r.seconds_maps),
        sum(|r| r.seconds_apply),
    );
    FitBench {
        layers,
        seconds_per_layer: total / layers as f64,
        seconds_per_iteration: dirs / iterations as f64,
        iterations_per_layer: iterations as f64 / layers as f64,
        share_directions: dirs / total,
        share_maps: maps / total,
        share_apply: apply / total,
        first_objective: reports.first().map_or(f64::NAN, |r| r.objective),
        product_rate: (before, after),
        product_seconds_per_layer: 4.0 * J as f64 * PRODUCT_MULTIPLY_ADDS / (before + after),
        register_peak,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The saved file holds the benchmark's data exactly, row by row.
    #[test]
    fn saved_data_is_the_benchmark_data() {
        let dir = std::env::temp_dir().join(format!("iaf-bench-data-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("data.npy");
        save_data(&path).unwrap();
        let file = std::fs::File::open(&path).unwrap();
        let npy = npyz::NpyFile::new(std::io::BufReader::new(file)).unwrap();
        assert_eq!(npy.shape(), &[2 * N_PER_DOMAIN as u64, D as u64]);
        let values = npy.into_vec::<f64>().unwrap();
        let (x, labels) = synthetic(DATA_SEED);
        assert_eq!(labels[N_PER_DOMAIN - 1], "0");
        assert_eq!(labels[N_PER_DOMAIN], "1");
        for (idx, v) in values.iter().enumerate() {
            let want = x[(idx / D, idx % D)];
            assert_eq!(v.to_bits(), want.to_bits(), "entry {idx}");
        }
        let bad = dir.join("missing").join("data.npy");
        let err = save_data(&bad).unwrap_err().to_string();
        assert!(err.contains("missing"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
