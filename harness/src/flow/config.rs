//! Fit settings of a flow.

use serde::{Deserialize, Serialize};

/// How each layer chooses its K directions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DirectionMode {
    /// Max-K sliced Wasserstein: Riemannian ascent on the Stiefel manifold.
    MaxSw,
    /// A Haar-random orthonormal frame (the Rand-NB ablation).
    Random,
    /// The coordinate axes, all d of them (the one-layer NB and full-space
    /// GB baselines).
    Identity,
}

/// What a layer does along its directions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LayerType {
    /// Naive barycenter: each 1-D marginal moved onto the marginals' 1-D
    /// Wasserstein barycenter by a monotone piecewise-linear map.
    Nb,
    /// Gaussian barycenter: an affine map per domain onto the Gaussian
    /// barycenter of the projected domains.
    Gb,
}

/// The map applied to the data before the layers.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum PreMap {
    /// None.
    None,
    /// Per-feature standardisation with means and deviations pooled over
    /// domains (a constant feature is only centred).
    Standardize,
    /// For data in [0, 1] (images): `Phi^{-1}` of the value clamped to
    /// `[1e-6, 1 - 1e-6]`. With `dequantize = Some(L)` grey levels, values
    /// are first sent affinely to the centres of L equal bins
    /// (`g / (L - 1) -> (g + 0.5) / L`), and the training data are
    /// dequantised to `(round(x (L - 1)) + U[0, 1) - 0.5) / (L - 1)`, i.e.
    /// uniformly over their bin: new data then sit where training data did.
    Probit {
        /// Number of grey levels to dequantise (fit only), e.g. 256.
        dequantize: Option<u32>,
    },
}

/// Which samples fit the directions and which fit the 1-D maps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DataSplit {
    /// All samples for both.
    All,
    /// Even-indexed samples of each domain for the directions, odd ones for
    /// the maps.
    Half,
}

/// Floating-point precision of the direction search's data: its two
/// products per iteration (`X P` and `X^T R`, where most of its time goes),
/// the projections on the Cayley curve's trial points and the sort keys of
/// the projections. The frame itself, the final frame's
/// re-orthonormalisation and evaluation, and everything else (maps, layers,
/// the model) are `f64` either way.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SearchPrecision {
    /// `f32` products on the hand-vectorised `kernels::gemm` kernel and
    /// `f32` sort keys.
    F32,
    /// `f64` throughout.
    F64,
}

/// Fit settings; [`FlowConfig::default`] gives the paper's defaults.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FlowConfig {
    /// Number of layers L.
    pub layers: usize,
    /// Directions per layer K; `None` = min(d, 8).
    pub k: Option<usize>,
    /// Maximum Riemannian ascent iterations J per layer.
    pub max_iters: usize,
    /// How directions are chosen.
    pub directions: DirectionMode,
    /// What the layers do.
    pub layer_type: LayerType,
    /// Number of quantile levels G of each 1-D map (knots besides the two
    /// extremes and the slope-1 tails).
    pub grid: usize,
    /// Domain weights w_c in the barycenter; `None` = uniform.
    pub weights: Option<Vec<f64>>,
    /// Map applied before the layers.
    pub premap: PreMap,
    /// Seed of every random choice.
    pub seed: u64,
    /// Worker threads; `None` = all cores. Results do not depend on it.
    pub threads: Option<usize>,
    /// Samples used for directions vs maps.
    pub split: DataSplit,
    /// Precision of the direction search's data products and sort keys.
    pub search_precision: SearchPrecision,
}

impl Default for FlowConfig {
    fn default() -> Self {
        FlowConfig {
            layers: 50,
            k: None,
            max_iters: 200,
            directions: DirectionMode::MaxSw,
            layer_type: LayerType::Nb,
            grid: 100,
            weights: None,
            premap: PreMap::Standardize,
            seed: 0,
            threads: None,
            split: DataSplit::All,
            search_precision: SearchPrecision::F32,
        }
    }
}

impl FlowConfig {
    /// The number of directions for dimension `d`.
    pub fn directions_for(&self, d: usize) -> usize {
        match self.directions {
            DirectionMode::Identity => d,
            _ => self.k.unwrap_or(d.min(8)),
        }
    }
}
