//! The max-K-SW objective of SPEC 2.1 and its gradient: for each direction
//! the (weighted) mean squared distance between every domain's quantile
//! function and the target's (the domains' 1-D barycenter, or the standard
//! normal for Gaussianising flows), on the levels `u_i = (i + 0.5) / m`.

use faer::MatRef;
use kernels::normal;
use kernels::sort::sort_pairs;
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
    /// dF/d(projections), n x K column-major: the scattered, scaled
    /// residuals, so that the Euclidean gradient is `X^T R`.
    residual: Vec<f64>,
}

impl Evaluation {
    /// dF/d(projections) as an n x K matrix.
    pub fn residual(&self) -> MatRef<'_, f64> {
        let k = self.per_direction.len();
        MatRef::from_column_major_slice(&self.residual, self.residual.len() / k.max(1), k)
    }
}

/// One (domain, direction) pair's sorted projections; the buffers are kept
/// between evaluations.
#[derive(Default)]
struct Column {
    /// Row (within the domain) of each sorted value.
    perm: Vec<u32>,
    /// Sorted values.
    values: Vec<f64>,
    /// Quantiles at the common levels.
    q: Vec<f64>,
}

impl Column {
    /// Sorts the domain's projections `proj` (this column's rows) and takes
    /// the quantiles at `positions`. (Starting from the previous order with
    /// an insertion sort was slower than the vectorised pair sort.)
    fn sort(&mut self, proj: &[f64], positions: &[(usize, f64)]) {
        self.values.clear();
        self.values.extend_from_slice(proj);
        self.perm.clear();
        self.perm.extend(0..proj.len() as u32);
        sort_pairs(&mut self.values, &mut self.perm);
        let v = &self.values;
        self.q.clear();
        self.q.extend(positions.iter().map(|&(lo, f)| {
            if f == 0.0 {
                v[lo]
            } else {
                v[lo] + f * (v[lo + 1] - v[lo])
            }
        }));
    }
}

/// Evaluates F and its gradient for a fixed set of domains and directions.
pub struct Objective<'a> {
    blocks: &'a Blocks,
    target: Target,
    k: usize,
    m: usize,
    /// Per domain, the (lower index, fraction) of every level.
    positions: Vec<Vec<(usize, f64)>>,
    /// Target quantiles of the standard normal (if that is the target).
    normal_q: Vec<f64>,
    /// Direction-major: column `j * domains + c`.
    columns: Vec<Column>,
}

impl<'a> Objective<'a> {
    /// An evaluator for `k` directions of the domains in `blocks`.
    pub fn new(blocks: &'a Blocks, target: Target, k: usize) -> Self {
        let m = blocks.min_size();
        let levels: Vec<f64> = (0..m).map(|i| (i as f64 + 0.5) / m as f64).collect();
        let positions = blocks
            .sizes
            .iter()
            .map(|&nc| levels.iter().map(|&u| level_position(u, nc)).collect())
            .collect();
        let normal_q = match target {
            Target::StandardNormal => levels.iter().map(|&u| normal::quantile(u)).collect(),
            Target::Barycenter => Vec::new(),
        };
        let columns = (0..blocks.sizes.len() * k)
            .map(|_| Column::default())
            .collect();
        Objective {
            blocks,
            target,
            k,
            m,
            positions,
            normal_q,
            columns,
        }
    }

    /// Evaluates F and dF/dP at projections `proj` (n x K, rows in blocks).
    pub fn evaluate(&mut self, proj: MatRef<'_, f64>) -> Evaluation {
        let (n, k, m) = (proj.nrows(), self.k, self.m);
        let (blocks, positions) = (self.blocks, &self.positions);
        let domains = blocks.sizes.len();
        self.columns
            .par_iter_mut()
            .enumerate()
            .for_each(|(idx, col)| {
                let (j, c) = (idx / domains, idx % domains);
                let rows = blocks.starts[c]..blocks.starts[c] + blocks.sizes[c];
                match proj.col(j).try_as_col_major() {
                    Some(cj) => col.sort(&cj.as_slice()[rows], &positions[c]),
                    None => {
                        let copy: Vec<f64> = rows.map(|i| proj[(i, j)]).collect();
                        col.sort(&copy, &positions[c]);
                    }
                }
            });
        let this = &*self;
        let scale = 2.0 / (k as f64 * m as f64);
        let mut residual = vec![0.0; n * k];
        let per_direction: Vec<f64> = residual
            .par_chunks_mut(n.max(1))
            .zip(this.columns.par_chunks(domains))
            .map(|(resid, cols)| {
                let barycenter: Vec<f64>;
                let target_q: &[f64] = match this.target {
                    Target::StandardNormal => &this.normal_q,
                    Target::Barycenter => {
                        barycenter = (0..m)
                            .map(|i| {
                                cols.iter()
                                    .zip(&this.blocks.weights)
                                    .map(|(col, w)| w * col.q[i])
                                    .sum()
                            })
                            .collect();
                        &barycenter
                    }
                };
                let mut fj = 0.0;
                for (c, col) in cols.iter().enumerate() {
                    let (start, w) = (this.blocks.starts[c], this.blocks.weights[c]);
                    let resid = &mut resid[start..start + this.blocks.sizes[c]];
                    for ((&qi, &ti), &(lo, f)) in col.q.iter().zip(target_q).zip(&this.positions[c])
                    {
                        let e = qi - ti;
                        fj += w * e * e;
                        let g = scale * w * e;
                        resid[col.perm[lo] as usize] += (1.0 - f) * g;
                        if f != 0.0 {
                            resid[col.perm[lo + 1] as usize] += f * g;
                        }
                    }
                }
                fj / m as f64
            })
            .collect();
        let value = per_direction.iter().sum::<f64>() / k as f64;
        Evaluation {
            value,
            per_direction,
            residual,
        }
    }
}
