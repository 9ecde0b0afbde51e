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

/// [`level_position`] of level `(i + 0.5) / m` among `n` values, in exact
/// integer arithmetic: for `m == n` every level falls exactly on a value
/// (fraction 0), which rounding in `u * n` would miss now and then. A
/// fraction of 0 comes with any `lo < n`; otherwise `lo + 1 < n`.
pub fn common_level_position(i: usize, m: usize, n: usize) -> (usize, f64) {
    // pos = u n - 1/2 = ((2i + 1) n - m) / (2m), clamped to [0, n - 1].
    let (num, den) = (((2 * i + 1) * n).saturating_sub(m), 2 * m);
    let (lo, rem) = (num / den, num % den);
    if lo + 1 >= n {
        (n.saturating_sub(1), 0.0)
    } else {
        (lo, rem as f64 / den as f64)
    }
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
    /// Writes this column's part of dF/d(projections) into `resid` (its
    /// domain's rows): `scale * (q - target)` at every level, spread over
    /// the two sorted positions the level interpolates between, and moved
    /// to the rows those positions came from. When the domain has exactly
    /// one value per level, level i is position i: one store per row.
    fn scatter_gradient(
        &self,
        scale: f64,
        target_q: &[f64],
        positions: &[(usize, f64)],
        resid: &mut [f64],
    ) {
        let gradients = self
            .q
            .iter()
            .zip(target_q)
            .map(|(&qi, &ti)| scale * (qi - ti));
        if positions.len() == self.perm.len() {
            for (&row, g) in self.perm.iter().zip(gradients) {
                resid[row as usize] = g;
            }
        } else {
            resid.fill(0.0);
            for (g, &(lo, f)) in gradients.zip(positions) {
                resid[self.perm[lo] as usize] += (1.0 - f) * g;
                if f != 0.0 {
                    resid[self.perm[lo + 1] as usize] += f * g;
                }
            }
        }
    }

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
            .map(|&nc| (0..m).map(|i| common_level_position(i, m, nc)).collect())
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
                    target_q.fill(0.0);
                    for (col, &w) in cols.iter().zip(&blocks.weights) {
                        for (t, &q) in target_q.iter_mut().zip(&col.q) {
                            *t += w * q;
                        }
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
                for (c, col) in cols.iter().enumerate() {
                    let start = blocks.starts[c];
                    let resid = &mut resid[start..start + blocks.sizes[c]];
                    col.scatter_gradient(scale * blocks.weights[c], target_q, &positions[c], resid);
                }
            });
        MatRef::from_column_major_slice(&self.residual, n, k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The exact positions agree with the floating-point rule and put
    /// every level of equal sizes exactly on a value.
    #[test]
    fn exact_positions_match_the_rule() {
        for (m, n) in [
            (1, 1),
            (1, 5),
            (2, 2),
            (7, 7),
            (800, 800),
            (800, 1201),
            (3, 1000),
        ] {
            for i in 0..m {
                let (lo, f) = common_level_position(i, m, n);
                let (lo2, f2) = level_position((i as f64 + 0.5) / m as f64, n);
                let (a, b) = (lo as f64 + f, lo2 as f64 + f2);
                assert!((a - b).abs() < 1e-9, "m={m} n={n} i={i}: {a} vs {b}");
                assert!(lo + 1 < n || (lo < n && f == 0.0));
                if m == n {
                    assert_eq!((lo, f), (i, 0.0), "m = n = {n}, level {i}");
                }
            }
        }
    }
}
