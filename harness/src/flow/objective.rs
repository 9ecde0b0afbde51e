//! The max-K-SW objective of SPEC 2.1 and its gradient: for each direction
//! the (weighted) mean squared distance between every domain's quantile
//! function and the target's (the domains' 1-D barycenter, or the standard
//! normal for Gaussianising flows), on the levels `u_i = (i + 0.5) / m`.

use faer::{Mat, MatRef};
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
    /// dF/d(projections) (n x K): the scattered, scaled residuals, so that
    /// the Euclidean gradient is `X^T R`.
    pub residual: Mat<f64>,
}

/// One (domain, direction) pair's sorted projections, kept between
/// evaluations: the direction search moves projections a little at a time,
/// so the previous order nearly sorts the next ones.
#[derive(Default)]
struct Column {
    /// Row (within the domain) of each sorted value.
    perm: Vec<u32>,
    /// Sorted values.
    values: Vec<f64>,
    /// Quantiles at the common levels.
    q: Vec<f64>,
}

/// Insertion sort of `values` carrying `perm`, giving up (returning false)
/// after `budget` moves.
fn insertion_sort(values: &mut [f64], perm: &mut [u32], budget: usize) -> bool {
    let mut moves = 0;
    for i in 1..values.len() {
        let (v, p) = (values[i], perm[i]);
        let mut j = i;
        while j > 0 && values[j - 1].total_cmp(&v).is_gt() {
            values[j] = values[j - 1];
            perm[j] = perm[j - 1];
            j -= 1;
        }
        values[j] = v;
        perm[j] = p;
        moves += i - j;
        if moves > budget {
            return false;
        }
    }
    true
}

/// Evaluates F and its gradient for a fixed set of domains and directions,
/// reusing each column's last order as the starting point of its sort.
pub struct Objective<'a> {
    blocks: &'a Blocks,
    target: Target,
    k: usize,
    m: usize,
    /// Per domain, the (lower index, fraction) of every level.
    positions: Vec<Vec<(usize, f64)>>,
    /// Target quantiles of the standard normal (if that is the target).
    normal_q: Vec<f64>,
    /// Domain-major: column `c * k + j`.
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

    /// Sorts every (domain, direction) column and takes its quantiles.
    fn sort_columns(&mut self, proj: MatRef<'_, f64>) {
        let (k, blocks, positions) = (self.k, self.blocks, &self.positions);
        self.columns
            .par_iter_mut()
            .enumerate()
            .for_each(|(idx, col)| {
                let (c, j) = (idx / k, idx % k);
                let (start, nc) = (blocks.starts[c], blocks.sizes[c]);
                let warm = col.perm.len() == nc && {
                    for (v, &p) in col.values.iter_mut().zip(&col.perm) {
                        *v = proj[(start + p as usize, j)];
                    }
                    insertion_sort(&mut col.values, &mut col.perm, 16 * nc)
                };
                if !warm {
                    col.values = (start..start + nc).map(|i| proj[(i, j)]).collect();
                    col.perm = (0..nc as u32).collect();
                    sort_pairs(&mut col.values, &mut col.perm);
                }
                let v = &col.values;
                col.q = positions[c]
                    .iter()
                    .map(|&(lo, f)| {
                        if nc == 1 || f == 0.0 {
                            v[lo]
                        } else {
                            v[lo] + f * (v[lo + 1] - v[lo])
                        }
                    })
                    .collect();
            });
    }

    /// Evaluates F and dF/dP at projections `proj` (n x K, rows in blocks).
    pub fn evaluate(&mut self, proj: MatRef<'_, f64>) -> Evaluation {
        let (n, k, m) = (proj.nrows(), self.k, self.m);
        self.sort_columns(proj);
        let this = &*self;
        let scale = 2.0 / (k as f64 * m as f64);
        let domains = this.blocks.sizes.len();
        let results: Vec<(f64, Vec<f64>)> = (0..k)
            .into_par_iter()
            .map(|j| {
                let q = |c: usize| &this.columns[c * k + j].q;
                let target_q: Vec<f64> = match this.target {
                    Target::StandardNormal => this.normal_q.clone(),
                    Target::Barycenter => (0..m)
                        .map(|i| (0..domains).map(|c| this.blocks.weights[c] * q(c)[i]).sum())
                        .collect(),
                };
                let mut fj = 0.0;
                let mut resid = vec![0.0; n];
                for c in 0..domains {
                    let (start, nc, w) = (
                        this.blocks.starts[c],
                        this.blocks.sizes[c],
                        this.blocks.weights[c],
                    );
                    let perm = &this.columns[c * k + j].perm;
                    for ((&qi, &ti), &(lo, f)) in q(c).iter().zip(&target_q).zip(&this.positions[c])
                    {
                        let e = qi - ti;
                        fj += w * e * e / m as f64;
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
        let per_direction: Vec<f64> = results.iter().map(|r| r.0).collect();
        let value = per_direction.iter().sum::<f64>() / k as f64;
        let mut residual = Mat::zeros(n, k);
        for (j, (_, r)) in results.iter().enumerate() {
            residual
                .col_mut(j)
                .iter_mut()
                .zip(r)
                .for_each(|(o, v)| *o = *v);
        }
        Evaluation {
            value,
            per_direction,
            residual,
        }
    }
}
