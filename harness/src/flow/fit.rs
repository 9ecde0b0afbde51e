//! Fitting: input checks, grouping rows by domain, the greedy layer loop.

use super::config::{DataSplit, DirectionMode, FlowConfig, LayerType};
use super::directions::{finish, max_sliced, SearchStorage};
use super::error::FlowError;
use super::gaussian::GaussianMaps;
use super::layer::{Frame, Layer, Maps};
use super::marginal::direction_maps;
use super::model::{Flow, Stack, FORMAT_VERSION};
use super::objective::{Blocks, Objective, Target};
use super::premap::FittedPreMap;
use faer::{Mat, MatRef};
use kernels::interp::MonotonePl;
use kernels::ortho::random_frame;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use std::time::Instant;

/// What the fit reports after each layer (for convergence curves and
/// progress bars).
#[derive(Clone, Debug, PartialEq)]
pub struct LayerReport {
    /// Which stack (0 for a joint flow; the domain for independent flows).
    pub stack: usize,
    /// Number of stacks being fitted.
    pub stacks: usize,
    /// Layer index within the stack (0-based).
    pub layer: usize,
    /// Layers per stack.
    pub layers: usize,
    /// Objective F (sliced W2^2 to the target along the layer's directions)
    /// before the layer's maps.
    pub objective: f64,
    /// Direction-search iterations.
    pub iterations: usize,
    /// Seconds spent finding directions.
    pub seconds_directions: f64,
    /// Seconds spent building the maps.
    pub seconds_maps: f64,
    /// Seconds spent applying the layer to the training data.
    pub seconds_apply: f64,
}

/// Sorted distinct labels: numerically if every label is an integer.
pub fn distinct_domains<S: AsRef<str>>(labels: &[S]) -> Vec<String> {
    let mut names: Vec<String> = labels.iter().map(|l| l.as_ref().to_string()).collect();
    names.sort();
    names.dedup();
    if names.iter().all(|n| n.parse::<i64>().is_ok()) {
        names.sort_by_key(|n| n.parse::<i64>().unwrap_or(0));
    }
    names
}

fn check_inputs(x: MatRef<'_, f64>, n_labels: usize, config: &FlowConfig) -> Result<(), FlowError> {
    if n_labels != x.nrows() {
        return Err(FlowError::LabelCount {
            labels: n_labels,
            rows: x.nrows(),
        });
    }
    FlowError::check_finite(x)?;
    let d = x.ncols();
    let k = config.directions_for(d);
    if k == 0 || k > d {
        return Err(FlowError::BadK { k, d });
    }
    if config.grid < 2 {
        return Err(FlowError::BadConfig(format!(
            "grid = {} (need >= 2)",
            config.grid
        )));
    }
    if let Some(w) = &config.weights {
        if w.iter().any(|v| !(v.is_finite() && *v > 0.0)) {
            return Err(FlowError::BadConfig(
                "domain weights must be positive and finite".into(),
            ));
        }
    }
    Ok(())
}

/// Domain weights, normalised to sum to 1.
fn weights(config: &FlowConfig, k: usize) -> Result<Vec<f64>, FlowError> {
    let w = match &config.weights {
        None => vec![1.0; k],
        Some(w) if w.len() == k => w.clone(),
        Some(w) => {
            return Err(FlowError::BadConfig(format!(
                "{} domain weights for {k} domains",
                w.len()
            )))
        }
    };
    let s: f64 = w.iter().sum();
    Ok(w.iter().map(|v| v / s).collect())
}

/// A per-layer seed from the run's seed, the stack and the layer.
fn layer_seed(seed: u64, stack: usize, layer: usize) -> u64 {
    let mut h = seed ^ 0x9e37_79b9_7f4a_7c15;
    for v in [stack as u64, layer as u64] {
        h = (h ^ v).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        h ^= h >> 31;
    }
    h
}

/// Rows of `x` (blocks of `blocks`) whose index within their block has the
/// given parity, as a new matrix and blocks.
fn half(x: MatRef<'_, f64>, blocks: &Blocks, parity: usize) -> (Mat<f64>, Blocks) {
    let rows: Vec<usize> = blocks
        .starts
        .iter()
        .zip(&blocks.sizes)
        .flat_map(|(&s, &n)| (s..s + n).filter(move |i| (i - s) % 2 == parity))
        .collect();
    let sizes = blocks.sizes.iter().map(|&n| (n + 1 - parity) / 2).collect();
    let m = Mat::from_fn(rows.len(), x.ncols(), |i, j| x[(rows[i], j)]);
    (m, Blocks::new(sizes, blocks.weights.clone()))
}

/// The points and blocks of a layer's part fitted on half the rows (see
/// [`half`]), or, when there is no such part, all of `x`, read in place.
fn rows_or_all<'a>(
    part: &'a Option<(Mat<f64>, Blocks)>,
    x: MatRef<'a, f64>,
    blocks: &'a Blocks,
) -> (MatRef<'a, f64>, &'a Blocks) {
    match part {
        Some((m, b)) => (m.as_ref(), b),
        None => (x, blocks),
    }
}

/// Fits one layer on the stack's current points.
fn fit_layer(
    x: MatRef<'_, f64>,
    blocks: &Blocks,
    target: Target,
    config: &FlowConfig,
    rng: &mut ChaCha8Rng,
    layer_index: usize,
    storage: &mut SearchStorage,
) -> Result<(Layer, usize, f64, f64), FlowError> {
    let numerical = |message: String| FlowError::Numerical {
        layer: layer_index,
        message,
    };
    let d = x.ncols();
    let k = config.directions_for(d);
    let t0 = Instant::now();
    let dir_half = matches!(config.split, DataSplit::Half).then(|| half(x, blocks, 0));
    let (dir_x, dir_blocks) = rows_or_all(&dir_half, x, blocks);
    let (frame, objective, iterations) = match config.directions {
        DirectionMode::Identity => {
            let f = Objective::<f64>::new(dir_blocks, target, d)
                .evaluate(dir_x)
                .value;
            (Frame::Identity, f, 0)
        }
        DirectionMode::Random => {
            let w = random_frame(d, k, rng);
            let r =
                finish(dir_x, w, dir_blocks, target, 0).map_err(|e| numerical(e.to_string()))?;
            (Frame::Matrix(r.w.into()), r.objective, 0)
        }
        DirectionMode::MaxSw => {
            let r = max_sliced(
                dir_x,
                dir_blocks,
                target,
                k,
                config.max_iters,
                config.search_precision,
                rng,
                storage,
            )
            .map_err(|e| numerical(e.to_string()))?;
            (Frame::Matrix(r.w.into()), r.objective, r.iterations)
        }
    };
    let t_dir = t0.elapsed().as_secs_f64();
    let mut layer = Layer {
        frame,
        maps: Maps::Marginal(Vec::new()),
        objective,
    };
    let map_half = matches!(config.split, DataSplit::Half).then(|| half(x, blocks, 1));
    let (map_x, map_blocks) = rows_or_all(&map_half, x, blocks);
    let p = layer.project(map_x);
    let block_rows = |c: usize| map_blocks.starts[c]..map_blocks.starts[c] + map_blocks.sizes[c];
    layer.maps = match config.layer_type {
        LayerType::Gb => {
            let parts: Vec<MatRef<'_, f64>> = (0..map_blocks.sizes.len())
                .map(|c| {
                    p.as_ref()
                        .subrows(map_blocks.starts[c], map_blocks.sizes[c])
                })
                .collect();
            let g = GaussianMaps::fit(&parts, &map_blocks.weights)
                .ok_or_else(|| numerical("Gaussian barycenter did not converge".into()))?;
            Maps::Gaussian(g)
        }
        LayerType::Nb => {
            let per_dir: Vec<Vec<MonotonePl>> = (0..p.ncols())
                .into_par_iter()
                .map(|j| {
                    let values = (0..map_blocks.sizes.len())
                        .map(|c| block_rows(c).map(|i| p[(i, j)]).collect())
                        .collect();
                    direction_maps(values, &map_blocks.weights, target, config.grid)
                })
                .collect::<Result<_, _>>()
                .map_err(|e| numerical(format!("1-D map: {e}")))?;
            let per_domain = (0..map_blocks.sizes.len())
                .map(|c| per_dir.iter().map(|maps| maps[c].clone()).collect())
                .collect();
            Maps::Marginal(per_domain)
        }
    };
    Ok((layer, iterations, t_dir, t0.elapsed().as_secs_f64() - t_dir))
}

/// Fits every layer of one stack, updating `x` (the stack's points) in place.
#[allow(clippy::too_many_arguments)]
fn fit_stack(
    mut x: Mat<f64>,
    blocks: &Blocks,
    target: Target,
    config: &FlowConfig,
    stack: usize,
    stacks: usize,
    callback: &mut Option<&mut (dyn FnMut(&LayerReport) + Send)>,
) -> Result<Vec<Layer>, FlowError> {
    let mut layers = Vec::with_capacity(config.layers);
    let mut storage = SearchStorage::default();
    for l in 0..config.layers {
        let mut rng = ChaCha8Rng::seed_from_u64(layer_seed(config.seed, stack, l));
        let (layer, iterations, t_dir, t_maps) = fit_layer(
            x.as_ref(),
            blocks,
            target,
            config,
            &mut rng,
            l,
            &mut storage,
        )?;
        let t1 = Instant::now();
        for c in 0..blocks.sizes.len() {
            let rows = x.as_mut().subrows_mut(blocks.starts[c], blocks.sizes[c]);
            layer.apply(c, rows, false);
        }
        if let Some(cb) = callback.as_mut() {
            cb(&LayerReport {
                stack,
                stacks,
                layer: l,
                layers: config.layers,
                objective: layer.objective,
                iterations,
                seconds_directions: t_dir,
                seconds_maps: t_maps,
                seconds_apply: t1.elapsed().as_secs_f64(),
            });
        }
        layers.push(layer);
    }
    Ok(layers)
}

/// Fits a joint flow (`independent = false`: all domains aligned onto
/// their barycenter, one stack) or independent Gaussianising flows (one
/// stack per domain, each onto N(0, I)).
pub(super) fn fit<S: AsRef<str>>(
    x: MatRef<'_, f64>,
    labels: &[S],
    config: &FlowConfig,
    mut callback: Option<&mut (dyn FnMut(&LayerReport) + Send)>,
    independent: bool,
) -> Result<Flow, FlowError> {
    check_inputs(x, labels.len(), config)?;
    let domains = distinct_domains(labels);
    if domains.len() < 2 {
        return Err(FlowError::TooFewDomains(domains.len()));
    }
    let index: std::collections::HashMap<&str, usize> = domains
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), i))
        .collect();
    let label_idx: Vec<usize> = labels.iter().map(|l| index[l.as_ref()]).collect();
    let needed = match config.split {
        DataSplit::All => 2,
        DataSplit::Half => 4,
    };
    let mut sizes = vec![0usize; domains.len()];
    label_idx.iter().for_each(|&c| sizes[c] += 1);
    if let Some(c) = (0..domains.len()).find(|&c| sizes[c] < needed) {
        return Err(FlowError::DomainTooSmall {
            name: domains[c].clone(),
            rows: sizes[c],
            needed,
        });
    }
    let w = weights(config, domains.len())?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(config.threads.unwrap_or(0))
        .build()
        .map_err(|e| FlowError::BadConfig(format!("thread pool: {e}")))?;
    pool.install(|| {
        // Rows grouped by domain, in input order within each domain.
        let mut order: Vec<usize> = (0..x.nrows()).collect();
        order.sort_by_key(|&i| label_idx[i]);
        let mut xs = Mat::from_fn(x.nrows(), x.ncols(), |i, j| x[(order[i], j)]);
        let premap = FittedPreMap::fit(config.premap, xs.as_ref());
        premap.dequantize(xs.as_mut(), config.seed);
        premap.forward(xs.as_mut());
        let starts = Blocks::new(sizes.clone(), w.clone()).starts;
        let groups: Vec<(Vec<usize>, Target)> = if independent {
            (0..domains.len())
                .map(|c| (vec![c], Target::StandardNormal))
                .collect()
        } else {
            vec![((0..domains.len()).collect(), Target::Barycenter)]
        };
        let n_stacks = groups.len();
        let mut stacks = Vec::with_capacity(n_stacks);
        for (s, (members, target)) in groups.into_iter().enumerate() {
            let member_sizes: Vec<usize> = members.iter().map(|&c| sizes[c]).collect();
            let member_w: Vec<f64> = if independent { vec![1.0] } else { w.clone() };
            let blocks = Blocks::new(member_sizes, member_w);
            let first = starts[members[0]];
            let stack_x = xs.as_ref().subrows(first, blocks.rows()).to_owned();
            let layers = fit_stack(stack_x, &blocks, target, config, s, n_stacks, &mut callback)?;
            stacks.push(Stack {
                domains: members,
                target,
                layers,
            });
        }
        Ok(Flow {
            version: FORMAT_VERSION,
            domains,
            dim: x.ncols(),
            // The thread count is a run-time choice that changes nothing in
            // the model, so it is not recorded.
            config: FlowConfig {
                threads: None,
                ..config.clone()
            },
            premap,
            stacks,
            feature_names: None,
        })
    })
}
