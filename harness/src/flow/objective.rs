//! The max-K-SW objective of SPEC 2.1 and its gradient: for each direction
//! the (weighted) mean squared distance between every domain's quantile
//! function and the target's (the domains' 1-D barycenter, or the standard
//! normal for Gaussianising flows), on the levels `u_i = (i + 0.5) / m`.

use faer::{Mat, MatRef};
use kernels::normal;
use kernels::sort::sort_columns;
use rayon::prelude::*;

/// What the domains' marginals are compared with and moved onto.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Target {
    /// The 1-D Wasserstein barycenter of the domains' marginals.
    Barycenter,
    /// The standard normal (independent Gaussianising flows).
    StandardNormal,
}

/// Domains as contiguous row blocks of a data matrix, with their weights.
#[derive(Clone, Debug)]
pub struct Blocks {
    /// First row of each block.
    pub starts: Vec<usize>,
    /// Rows of each block.
    pub sizes: Vec<usize>,
    /// Weight w_c of each block (summing to 1).
    pub weights: Vec<f64>,
}

impl Blocks {
    /// Blocks of the given sizes, in order, with the given weights.
    pub fn new(sizes: Vec<usize>, weights: Vec<f64>) -> Blocks {
        let starts = sizes
            .iter()
            .scan(0, |acc, &s| {
                let start = *acc;
                *acc += s;
                Some(start)
            })
            .collect();
        Blocks {
            starts,
            sizes,
            weights,
        }
    }

    /// Total rows.
    pub fn rows(&self) -> usize {
        self.sizes.iter().sum()
    }

    /// The smallest block size m.
    pub fn min_size(&self) -> usize {
        self.sizes.iter().copied().min().unwrap_or(0)
    }
}

/// Where level `u` falls among `n` sorted values: (lower index, fraction),
/// with `q((i + 0.5) / n) = sorted[i]` (as `kernels::hist::quantiles_sorted`).
#[inline]
pub fn level_position(u: f64, n: usize) -> (usize, f64) {
    let pos = (u * n as f64 - 0.5).clamp(0.0, (n - 1) as f64);
    let lo = (pos as usize).min(n.saturating_sub(2));
    (lo, pos - lo as f64)
}

/// The objective at some projections, with what its gradient needs.
pub struct Evaluation {
    /// F: mean over directions of the per-direction objective.
    pub value: f64,
    /// Per-direction objective F_j.
    pub per_direction: Vec<f64>,
    /// dF/d(projections) (n x K): the scattered, scaled residuals, so that
    /// the Euclidean gradient is `X^T R`.
    pub residual: Mat<f64>,
}

/// Evaluates F and dF/dP at projections `proj` (n x K, rows in `blocks`).
pub fn evaluate(proj: MatRef<'_, f64>, blocks: &Blocks, target: Target) -> Evaluation {
    let (n, k) = (proj.nrows(), proj.ncols());
    let m = blocks.min_size();
    let levels: Vec<f64> = (0..m).map(|i| (i as f64 + 0.5) / m as f64).collect();
    // Sorted projections and permutations, per block, column-major n_c x K.
    let sorted: Vec<(Vec<f64>, Vec<u32>)> = blocks
        .starts
        .iter()
        .zip(&blocks.sizes)
        .map(|(&s, &nc)| {
            let mut buf = Vec::with_capacity(nc * k);
            for j in 0..k {
                buf.extend((s..s + nc).map(|i| proj[(i, j)]));
            }
            let mut perm = vec![0u32; nc * k];
            sort_columns(&mut buf, nc, &mut perm);
            (buf, perm)
        })
        .collect();
    let normal_q: Vec<f64> = match target {
        Target::StandardNormal => levels.iter().map(|&u| normal::quantile(u)).collect(),
        Target::Barycenter => Vec::new(),
    };
    let scale = 2.0 / (k as f64 * m as f64);
    let columns: Vec<(f64, Vec<f64>)> = (0..k)
        .into_par_iter()
        .map(|j| {
            // Quantiles of each block at the common levels.
            let q: Vec<Vec<f64>> = sorted
                .iter()
                .zip(&blocks.sizes)
                .map(|((buf, _), &nc)| {
                    let col = &buf[j * nc..(j + 1) * nc];
                    levels
                        .iter()
                        .map(|&u| {
                            let (lo, f) = level_position(u, nc);
                            if nc == 1 || f == 0.0 {
                                col[lo]
                            } else {
                                col[lo] + f * (col[lo + 1] - col[lo])
                            }
                        })
                        .collect()
                })
                .collect();
            let target_q: Vec<f64> = match target {
                Target::StandardNormal => normal_q.clone(),
                Target::Barycenter => (0..m)
                    .map(|i| q.iter().zip(&blocks.weights).map(|(qc, w)| w * qc[i]).sum())
                    .collect(),
            };
            let mut fj = 0.0;
            let mut resid = vec![0.0; n];
            for (c, qc) in q.iter().enumerate() {
                let (nc, start, w) = (blocks.sizes[c], blocks.starts[c], blocks.weights[c]);
                let perm = &sorted[c].1[j * nc..(j + 1) * nc];
                for (&u, (&qi, &ti)) in levels.iter().zip(qc.iter().zip(&target_q)) {
                    let e = qi - ti;
                    fj += w * e * e / m as f64;
                    let (lo, f) = level_position(u, nc);
                    let g = scale * w * e;
                    resid[start + perm[lo] as usize] += (1.0 - f) * g;
                    if nc > 1 && f != 0.0 {
                        resid[start + perm[lo + 1] as usize] += f * g;
                    }
                }
            }
            (fj, resid)
        })
        .collect();
    let per_direction: Vec<f64> = columns.iter().map(|c| c.0).collect();
    let value = per_direction.iter().sum::<f64>() / k as f64;
    let residual = Mat::from_fn(n, k, |i, j| columns[j].1[i]);
    Evaluation {
        value,
        per_direction,
        residual,
    }
}
