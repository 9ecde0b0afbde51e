//! Iterative Alignment Flows (INB): the flow and its layers, baselines,
//! metrics, data sets and the experiment runner behind the `iaf` binary.

pub mod bench;
pub mod cli;
pub mod data;
pub mod evaluation;
pub mod experiments;
pub mod flow;
pub mod io;
pub mod linalg;
pub mod metrics;
