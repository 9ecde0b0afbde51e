//! Hand-vectorised numerical kernels for Iterative Alignment Flows.
//!
//! - [`sort`]: total-order sort, argsort, key/payload sort and batched column
//!   sort of `f32`/`f64`.
//! - [`interp`]: monotone piecewise-linear maps, their inverses and
//!   derivatives, batched evaluation.
//! - [`hist`]: equal-width histograms, histogram CDFs, empirical quantiles.
//! - [`gemm`]: `f32` products with a narrow right-hand side (the direction
//!   search's `X P` and `X^T R`).
//! - [`normal`]: standard normal CDF and quantile to 1e-14 relative error.
//! - [`ortho`]: orthonormal frames, Cayley steps on the Stiefel manifold and
//!   the layer projection update.
//!
//! Every kernel picks its implementation at run time (see [`dispatch`]); the
//! scalar reference is always available and every fast path is tested
//! against it.

pub mod dispatch;
pub mod gemm;
pub mod hist;
pub mod interp;
pub mod normal;
pub mod ortho;
pub mod sort;
