//! Metrics for comparing aligned domains: exact, entropic and sliced W2^2,
//! the Gaussian closed form, transport cost and k-NN classifier accuracies.
//!
//! Every function validates its input (non-empty, finite, matching
//! dimensions) and returns a [`MetricError`] instead of panicking. Point
//! clouds are `faer` matrices with one point per row.
//!
//! # Example
//! ```
//! use faer::Mat;
//! use harness::metrics::{gaussian::mean_cov, gaussian_w2_sq, w2_sq_exact};
//! let a = Mat::from_fn(200, 2, |i, j| ((i * 37 + j * 11) % 97) as f64 / 97.0);
//! let b = Mat::from_fn(200, 2, |i, j| a[(i, j)] + 1.0);
//! // a pure shift by (1, 1): exact W2^2 is |shift|^2 = 2
//! assert!((w2_sq_exact(a.as_ref(), b.as_ref()).unwrap() - 2.0).abs() < 1e-9);
//! let (ma, sa) = mean_cov(a.as_ref()).unwrap();
//! let (mb, sb) = mean_cov(b.as_ref()).unwrap();
//! assert!((gaussian_w2_sq(&ma, sa.as_ref(), &mb, sb.as_ref()).unwrap() - 2.0).abs() < 1e-9);
//! ```

pub mod assignment;
mod cost;
mod error;
mod exact;
pub mod gaussian;
mod knn;
mod sinkhorn;
mod sliced;
mod transport;
mod validate;

pub use error::MetricError;
pub use exact::{w2_sq, w2_sq_exact};
pub use gaussian::{gaussian_w2_sq, mean_cov, sqrtm_psd};
pub use knn::{confusion_accuracy, KnnClassifier, DEFAULT_NEIGHBORS};
pub use sinkhorn::{w2_sq_sinkhorn, Epsilon, SinkhornOptions, SinkhornResult};
pub use sliced::{random_directions, sliced_w2_sq, sliced_w2_sq_along, sliced_w2_sq_multi};
pub use transport::{transport_cost, transport_cost_weighted};
