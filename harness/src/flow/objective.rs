//! The max-K-SW objective of SPEC 2.1 and its gradient: for each direction
//! the (weighted) mean squared distance between every domain's quantile
//! function and the target's (the domains' 1-D barycenter, or the standard
//! normal for Gaussianising flows), on the levels `u_i = (i + 0.5) / m`.

use super::narrow::{Narrow, SearchFloat};
use faer::MatRef;
use kernels::normal;
use kernels::sort::argsort_into;
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

/// Where level `(i + 0.5) / m` falls among `n` sorted values: (lower
/// index, fraction), by the rule of `kernels::hist::quantiles_sorted`
/// (`q((l + 0.5) / n) = sorted[l]`) in exact integer arithmetic: for
/// `m == n` every level falls exactly on a value (fraction 0), which
/// rounding in `u * n` would miss now and then. A fraction of 0 comes with
/// any `lo < n`; otherwise `lo + 1 < n`.
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

/// `sum_i (a_i - b_i)^2`, in eight interleaved partial sums (a fixed order,
/// which the compiler can vectorise, where one running sum waits on every
/// addition).
fn squared_distance(a: &[f64], b: &[f64]) -> f64 {
    const LANES: usize = 8;
    let mut partial = [0.0; LANES];
    let (a8, b8) = (a.chunks_exact(LANES), b.chunks_exact(LANES));
    let tail: f64 = a8
        .remainder()
        .iter()
        .zip(b8.remainder())
        .map(|(x, y)| (x - y) * (x - y))
        .sum();
    for (x, y) in a8.zip(b8) {
        for l in 0..LANES {
            partial[l] += (x[l] - y[l]) * (x[l] - y[l]);
        }
    }
    partial.iter().sum::<f64>() + tail
}

/// The objective at some projections.
pub struct Evaluation {
    /// F: mean over directions of the per-direction objective.
    pub value: f64,
    /// Per-direction objective F_j.
    pub per_direction: Vec<f64>,
}

/// One (domain, direction) pair's projections and their order; the buffers
/// are kept between evaluations.
#[derive(Default)]
struct Column<T> {
    /// Row (within the domain) of each sorted value.
    perm: Vec<u32>,
    /// The projections, in row order.
    keys: Vec<T>,
    /// Quantiles at the common levels.
    q: Vec<f64>,
}

impl<T: SearchFloat> Column<T> {
    /// Sorts a domain's projections `proj` (this column's rows) by a stable
    /// argsort and takes the quantiles at `positions` through it (which
    /// leaves the projections in place: no sorted copy is written back).
    /// (Starting from the previous order with an insertion sort was slower
    /// than the vectorised sort.)
    fn sort(&mut self, proj: impl Iterator<Item = T>, positions: &[(usize, f64)]) {
        self.keys.clear();
        self.keys.extend(proj);
        self.perm.resize(self.keys.len(), 0);
        argsort_into(&self.keys, &mut self.perm);
        let (keys, perm) = (&self.keys, &self.perm);
        let sorted = |i: usize| -> f64 { keys[perm[i] as usize].into() };
        self.q.clear();
        if positions.len() == keys.len() {
            // One value per level: level i is value i.
            self.q.extend((0..keys.len()).map(sorted));
            return;
        }
        self.q.extend(positions.iter().map(|&(lo, f)| {
            let a = sorted(lo);
            if f == 0.0 {
                a
            } else {
                a + f * (sorted(lo + 1) - a)
            }
        }));
    }

    /// Writes this column's part of d(-F)/d(projections) into column `j` of
    /// `resid` (its domain's rows, `stride` entries apart, zero on entry):
    /// `scale * (q - target)` at every level, spread over the two sorted
    /// positions the level interpolates between, and moved to the rows
    /// those positions came from. When the domain has exactly one value per
    /// level, level i is position i: one store per row.
    fn scatter_gradient(
        &self,
        scale: f64,
        target_q: &[f64],
        positions: &[(usize, f64)],
        resid: &mut [T],
        (j, stride): (usize, usize),
    ) {
        let gradients = self
            .q
            .iter()
            .zip(target_q)
            .map(|(&qi, &ti)| scale * (qi - ti));
        let at = |row: u32| row as usize * stride + j;
        if positions.len() == self.perm.len() {
            for (&row, g) in self.perm.iter().zip(gradients) {
                resid[at(row)] = T::from_f64(g);
            }
        } else {
            for (g, &(lo, f)) in gradients.zip(positions) {
                let mut add = |row: u32, v: f64| {
                    let r = &mut resid[at(row)];
                    *r = T::from_f64((*r).into() + v);
                };
                add(self.perm[lo], (1.0 - f) * g);
                if f != 0.0 {
                    add(self.perm[lo + 1], f * g);
                }
            }
        }
    }
}

/// Evaluates F, and on request its gradient, for a fixed set of domains and
/// directions, sorting projections of type `T`. The buffers live as long as
/// the evaluator, so repeated evaluations (the direction search's) allocate
/// nothing of their own (the sort kernel allocates its scratch words).
pub struct Objective<'a, T> {
    blocks: &'a Blocks,
    target: Target,
    k: usize,
    m: usize,
    /// Per domain, the (lower index, fraction) of every level.
    positions: Vec<Vec<(usize, f64)>>,
    /// Per direction, the target's quantiles at the levels (K x m): the
    /// domains' barycenter of the last evaluation, or the standard normal's.
    targets: Vec<f64>,
    /// Direction-major: column `j * domains + c`.
    columns: Vec<Column<T>>,
    /// d(-F)/d(projections), n x K; allocated by the first
    /// [`Objective::residual`].
    residual: Option<Narrow<T>>,
}

impl<'a, T: SearchFloat> Objective<'a, T> {
    /// An evaluator for `k` directions of the domains in `blocks`.
    pub fn new(blocks: &'a Blocks, target: Target, k: usize) -> Self {
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
            k,
            m,
            positions,
            targets,
            columns,
            residual: None,
        }
    }

    /// Evaluates F at projections `proj` (n x K, rows in blocks, any
    /// layout) and keeps what [`Objective::residual`] needs.
    ///
    /// # Panics
    /// If `proj` is not n x K.
    pub fn evaluate(&mut self, proj: MatRef<'_, T>) -> Evaluation {
        let (k, m) = (self.k, self.m);
        assert_eq!(
            (proj.nrows(), proj.ncols()),
            (self.blocks.rows(), k),
            "Objective::evaluate: projections must be n x K"
        );
        let (blocks, positions, target) = (self.blocks, &self.positions, self.target);
        let domains = blocks.sizes.len();
        // One task per direction: its domains' sorts, then their barycenter
        // and distances while the quantiles are in cache.
        let per_direction: Vec<f64> = self
            .targets
            .par_chunks_mut(m.max(1))
            .zip(self.columns.par_chunks_mut(domains))
            .enumerate()
            .map(|(j, (target_q, cols))| {
                for (c, col) in cols.iter_mut().enumerate() {
                    let rows = proj.col(j).subrows(blocks.starts[c], blocks.sizes[c]);
                    match rows.try_as_col_major() {
                        Some(r) => col.sort(r.as_slice().iter().copied(), &positions[c]),
                        None => col.sort((0..rows.nrows()).map(|i| rows[i]), &positions[c]),
                    }
                }
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
                    .map(|(col, w)| w * squared_distance(&col.q, target_q))
                    .sum();
                fj / m as f64
            })
            .collect();
        Evaluation {
            value: per_direction.iter().sum::<f64>() / k as f64,
            per_direction,
        }
    }

    /// The gradient of the loss -F that the direction search minimises,
    /// d(-F)/d(projections), at the projections of the last
    /// [`Objective::evaluate`], as an n x K matrix: the scattered, scaled
    /// residuals, so that the loss's Euclidean gradient is `X^T R`. Domains
    /// are written in parallel, each by one task, so the result does not
    /// depend on the thread count.
    pub fn residual(&mut self) -> &Narrow<T> {
        let (k, m) = (self.k, self.m);
        let blocks = self.blocks;
        let resid = self
            .residual
            .get_or_insert_with(|| Narrow::zeros(blocks.rows(), k));
        let stride = resid.stride();
        let mut rest = resid.as_mut_slice();
        let mut parts = Vec::with_capacity(blocks.sizes.len());
        for &size in &blocks.sizes {
            let (part, tail) = rest.split_at_mut(size * stride);
            parts.push(part);
            rest = tail;
        }
        let scale = -2.0 / (k as f64 * m as f64);
        let domains = blocks.sizes.len();
        let (columns, targets, positions) = (&self.columns, &self.targets, &self.positions);
        parts.into_par_iter().enumerate().for_each(|(c, part)| {
            // One sequential pass first brings the rows into cache, where
            // the scattered stores below are cheap.
            part.fill(T::default());
            for j in 0..k {
                columns[j * domains + c].scatter_gradient(
                    scale * blocks.weights[c],
                    &targets[j * m..(j + 1) * m],
                    &positions[c],
                    part,
                    (j, stride),
                );
            }
        });
        resid
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The exact positions give `kernels::hist::quantiles_sorted`'s
    /// quantiles and put every level of equal sizes exactly on a value.
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
            let mut sorted: Vec<f64> = projections(n, 1, n as u64).col(0).iter().copied().collect();
            sorted.sort_by(f64::total_cmp);
            let levels: Vec<f64> = (0..m).map(|i| (i as f64 + 0.5) / m as f64).collect();
            let mut want = vec![0.0; m];
            kernels::hist::quantiles_sorted(&sorted, &levels, &mut want);
            for (i, want) in want.into_iter().enumerate() {
                let (lo, f) = common_level_position(i, m, n);
                assert!(lo + 1 < n || (lo < n && f == 0.0));
                let q = if f == 0.0 {
                    sorted[lo]
                } else {
                    sorted[lo] + f * (sorted[lo + 1] - sorted[lo])
                };
                assert!((q - want).abs() < 1e-12, "m={m} n={n} i={i}: {q} vs {want}");
                if m == n {
                    assert_eq!((lo, f), (i, 0.0), "m = n = {n}, level {i}");
                }
            }
        }
    }

    /// Projections n x K from a fixed pseudo-random sequence (distinct
    /// values, so F is smooth around them).
    fn projections(n: usize, k: usize, seed: u64) -> faer::Mat<f64> {
        let mut state = seed;
        faer::Mat::from_fn(n, k, |_, _| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 11) as f64 / (1u64 << 53) as f64 * 4.0 - 2.0
        })
    }

    /// The residual is d(-F)/d(projections): <R, E> matches the central
    /// difference of -F along a perturbation E, for equal and unequal
    /// domain sizes and both targets.
    #[test]
    fn residual_is_the_gradient() {
        for (sizes, target) in [
            (vec![6, 6], Target::Barycenter),
            (vec![7, 12, 9], Target::Barycenter),
            (vec![5, 8], Target::StandardNormal),
        ] {
            let c = sizes.len();
            let blocks = Blocks::new(sizes, vec![1.0 / c as f64; c]);
            let (n, k) = (blocks.rows(), 3);
            let proj = projections(n, k, 1);
            let e = projections(n, k, 2);
            let mut objective = Objective::<f64>::new(&blocks, target, k);
            objective.evaluate(proj.as_ref());
            let r = objective.residual().as_ref();
            let slope: f64 = (0..k)
                .flat_map(|j| (0..n).map(move |i| (i, j)))
                .map(|(i, j)| r[(i, j)] * e[(i, j)])
                .sum();
            let h = 1e-7;
            let mut at = |s: f64| -objective.evaluate((&proj + &e * s).as_ref()).value;
            let numeric = (at(h) - at(-h)) / (2.0 * h);
            assert!(
                (slope - numeric).abs() <= 1e-6 * (1.0 + numeric.abs()),
                "{target:?}: {slope} vs {numeric}"
            );
            assert!(slope.abs() > 1e-3, "a perturbation that moves F");
        }
    }

    /// An `f32` objective gives the `f64` one's value and residual at the
    /// same (f32-representable) projections.
    #[test]
    fn both_float_types_agree() {
        let blocks = Blocks::new(vec![40, 57], vec![0.3, 0.7]);
        let (n, k) = (blocks.rows(), 4);
        let proj = projections(n, k, 3);
        let proj32 = faer::Mat::from_fn(n, k, |i, j| proj[(i, j)] as f32);
        let proj64 = faer::Mat::from_fn(n, k, |i, j| f64::from(proj32[(i, j)]));
        let mut exact = Objective::<f64>::new(&blocks, Target::Barycenter, k);
        let mut fast = Objective::<f32>::new(&blocks, Target::Barycenter, k);
        let (a, b) = (
            exact.evaluate(proj64.as_ref()),
            fast.evaluate(proj32.as_ref()),
        );
        assert!((a.value - b.value).abs() <= 1e-12 * a.value.abs());
        let (ra, rb) = (exact.residual().as_ref(), fast.residual().as_ref());
        for j in 0..k {
            for i in 0..n {
                let (x, y) = (ra[(i, j)], f64::from(rb[(i, j)]));
                assert!((x - y).abs() <= 1e-6 * (1.0 + x.abs()), "({i},{j})");
            }
        }
    }
}
