//! The INB alignment flow (SPEC sections 2-3): max-K sliced-Wasserstein
//! directions, NB (1-D barycenter) and GB (Gaussian barycenter) layers, exact
//! inverses, persistence; and the baselines that reuse the same machinery
//! (one-layer NB, one-shot GB, Rand-NB, independent Gaussianising flows)
//! through [`FlowConfig`] and [`Flow::fit_independent`].

mod config;
mod directions;
mod error;
mod fit;
mod gaussian;
mod layer;
mod marginal;
mod model;
mod narrow;
mod objective;
mod persist;
mod premap;
mod products;
mod stored;

pub use config::{DataSplit, DirectionMode, FlowConfig, LayerType, PreMap, SearchPrecision};
pub use error::FlowError;
pub use fit::{distinct_domains, LayerReport};
pub use model::{Flow, FORMAT_VERSION};
pub(crate) use narrow::Narrow;
pub use objective::Target;
pub use persist::ModelFormat;
pub use premap::FittedPreMap;
pub(crate) use products::{DataProducts, F32Products};
