//! The max-K-SW objective of SPEC 2.1 and its gradient: for each direction
//! the (weighted) mean squared distance between every domain's quantile
//! function and the target's (the domains' 1-D barycenter, or the standard
//! normal for Gaussianising flows), on the levels `u_i = (i + 0.5) / m`.

use super::config::SearchPrecision;
use faer::MatRef;
use kernels::normal;
use kernels::sort::{sort_indexed, SortKey};
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

/// The objective at some projections.
pub struct Evaluation {
    /// F: mean over directions of the per-direction objective.
    pub value: f64,
    /// Per-direction objective F_j.
    pub per_direction: Vec<f64>,
}

/// One (domain, direction) pair's sorted projections; the buffers are kept
/// between evaluations.
#[derive(Default)]
struct Column {
    /// Row (within the domain) of each sorted value.
    perm: Vec<u32>,
    /// Sort keys when the search runs in `f32`.
    keys32: Vec<f32>,
    /// Sort keys when the search runs in `f64`.
    keys64: Vec<f64>,
    /// Quantiles at the common levels.
    q: Vec<f64>,
}

/// Sorts `keys`, with their original indices into `perm`, and takes their
/// quantiles at `positions` into `q`.
fn sort_quantiles<T: SortKey + Into<f64>>(
    keys: &mut [T],
    perm: &mut [u32],
    positions: &[(usize, f64)],
    q: &mut Vec<f64>,
) {
    sort_indexed(keys, perm);
    q.clear();
    q.extend(positions.iter().map(|&(lo, f)| {
        let a: f64 = keys[lo].into();
        if f == 0.0 {
            a
        } else {
            a + f * (keys[lo + 1].into() - a)
        }
    }));
}

impl Column {
    /// Sorts a domain's projections `proj` (this column's rows), with keys
    /// rounded to `f32` for an `f32` search, and takes the quantiles at
    /// `positions`. (Starting from the previous order with an insertion
    /// sort was slower than the vectorised pair sort.)
    fn sort(
        &mut self,
        proj: impl ExactSizeIterator<Item = f64>,
        precision: SearchPrecision,
        positions: &[(usize, f64)],
    ) {
        self.perm.resize(proj.len(), 0);
        match precision {
            SearchPrecision::F32 => {
                self.keys32.clear();
                self.keys32.extend(proj.map(|v| v as f32));
                sort_quantiles(&mut self.keys32, &mut self.perm, positions, &mut self.q);
            }
            SearchPrecision::F64 => {
                self.keys64.clear();
                self.keys64.extend(proj);
                sort_quantiles(&mut self.keys64, &mut self.perm, positions, &mut self.q);
            }
        }
    }
}

/// Evaluates F, and on request its gradient, for a fixed set of domains and
/// directions. The buffers live as long as the evaluator, so repeated
/// evaluations (the direction search's) allocate nothing.
pub struct Objective<'a> {
    blocks: &'a Blocks,
    target: Target,
    precision: SearchPrecision,
    k: usize,
    m: usize,
    /// Per domain, the (lower index, fraction) of every level.
    positions: Vec<Vec<(usize, f64)>>,
    /// Per direction, the target's quantiles at the levels (K x m): the
    /// domains' barycenter of the last evaluation, or the standard normal's.
    targets: Vec<f64>,
    /// Direction-major: column `j * domains + c`.
    columns: Vec<Column>,
    /// dF/d(projections), n x K column-major.
    residual: Vec<f64>,
}

impl<'a> Objective<'a> {
    /// An evaluator for `k` directions of the domains in `blocks`, sorting
    /// projections rounded to the search's precision.
    pub fn new(blocks: &'a Blocks, target: Target, k: usize, precision: SearchPrecision) -> Self {
        let m = blocks.min_size();
        let levels: Vec<f64> = (0..m).map(|i| (i as f64 + 0.5) / m as f64).collect();
        let positions = blocks
            .sizes
            .iter()
            .map(|&nc| levels.iter().map(|&u| level_position(u, nc)).collect())
            .collect();
        let targets = match target {
            Target::StandardNormal => {
                let q: Vec<f64> = levels.iter().map(|&u| normal::quantile(u)).collect();
                q.repeat(k)
            }
            Target::Barycenter => vec![0.0; k * m],
        };
        let columns = (0..blocks.sizes.len() * k)
            .map(|_| Column::default())
            .collect();
        Objective {
            blocks,
            target,
            precision,
            k,
            m,
            positions,
            targets,
            columns,
            residual: vec![0.0; blocks.rows() * k],
        }
    }

    /// Evaluates F at projections `proj` (n x K, rows in blocks) and keeps
    /// what [`Objective::residual`] needs.
    ///
    /// # Panics
    /// If `proj` is not n x K.
    pub fn evaluate(&mut self, proj: MatRef<'_, f64>) -> Evaluation {
        let (k, m) = (self.k, self.m);
        assert_eq!(
            (proj.nrows(), proj.ncols()),
            (self.blocks.rows(), k),
            "Objective::evaluate: projections must be n x K"
        );
        let (blocks, positions, precision) = (self.blocks, &self.positions, self.precision);
        let domains = blocks.sizes.len();
        self.columns
            .par_iter_mut()
            .enumerate()
            .for_each(|(idx, col)| {
                let (j, c) = (idx / domains, idx % domains);
                let rows = blocks.starts[c]..blocks.starts[c] + blocks.sizes[c];
                match proj.col(j).try_as_col_major() {
                    Some(cj) => col.sort(
                        cj.as_slice()[rows].iter().copied(),
                        precision,
                        &positions[c],
                    ),
                    None => col.sort(rows.map(|i| proj[(i, j)]), precision, &positions[c]),
                }
            });
        let (target, columns) = (self.target, &self.columns);
        let per_direction: Vec<f64> = self
            .targets
            .par_chunks_mut(m.max(1))
            .zip(columns.par_chunks(domains))
            .map(|(target_q, cols)| {
                if target == Target::Barycenter {
                    for (i, t) in target_q.iter_mut().enumerate() {
                        *t = cols
                            .iter()
                            .zip(&blocks.weights)
                            .map(|(col, w)| w * col.q[i])
                            .sum();
                    }
                }
                let fj: f64 = cols
                    .iter()
                    .zip(&blocks.weights)
                    .map(|(col, w)| {
                        w * col
                            .q
                            .iter()
                            .zip(&*target_q)
                            .map(|(a, b)| (a - b) * (a - b))
                            .sum::<f64>()
                    })
                    .sum();
                fj / m as f64
            })
            .collect();
        Evaluation {
            value: per_direction.iter().sum::<f64>() / k as f64,
            per_direction,
        }
    }

    /// dF/d(projections) at the projections of the last
    /// [`Objective::evaluate`], as an n x K matrix: the scattered, scaled
    /// residuals, so that the Euclidean gradient is `X^T R`.
    pub fn residual(&mut self) -> MatRef<'_, f64> {
        let (k, m) = (self.k, self.m);
        let n = self.blocks.rows();
        let scale = 2.0 / (k as f64 * m as f64);
        let (blocks, positions) = (self.blocks, &self.positions);
        self.residual
            .par_chunks_mut(n.max(1))
            .zip(self.columns.par_chunks(blocks.sizes.len()))
            .zip(self.targets.par_chunks(m.max(1)))
            .for_each(|((resid, cols), target_q)| {
                resid.fill(0.0);
                for (c, col) in cols.iter().enumerate() {
                    let (start, w) = (blocks.starts[c], blocks.weights[c]);
                    let resid = &mut resid[start..start + blocks.sizes[c]];
                    for ((&qi, &ti), &(lo, f)) in col.q.iter().zip(target_q).zip(&positions[c]) {
                        let g = scale * w * (qi - ti);
                        resid[col.perm[lo] as usize] += (1.0 - f) * g;
                        if f != 0.0 {
                            resid[col.perm[lo + 1] as usize] += f * g;
                        }
                    }
                }
            });
        MatRef::from_column_major_slice(&self.residual, n, k)
    }
}
