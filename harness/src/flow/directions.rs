//! Direction search of one layer (SPEC 2.1): Riemannian ascent of the
//! max-K-SW objective on the Stiefel manifold with the Cayley retraction and
//! Armijo backtracking; or a random frame; or the coordinate axes.

use super::config::SearchPrecision;
use super::narrow::{Narrow, Projections, SearchFloat};
use super::objective::{Blocks, Objective, Target};
use super::products::{DataProducts, F32Products, F64Products};
use faer::{Mat, MatRef};
use kernels::ortho::{orthonormalize, project, random_frame, CayleyCurve, OrthoError};
use rand_chacha::ChaCha8Rng;

/// Backtracking halvings before the search gives up on a step.
const MAX_BACKTRACK: usize = 40;
/// The search stops when no entry of W moves by more than this.
const STEP_TOL: f64 = 1e-6;
/// The first iteration's trial step.
const INITIAL_STEP: f64 = 0.1;
/// Each iteration first tries the last accepted step times this: a little
/// longer, so the step can grow, but rarely so long that it is rejected
/// (each rejection costs an evaluation of the objective). SPEC 2.1, like
/// the authors' code, tries 1.5 times it; README gives the trade measured.
const STEP_GROWTH: f64 = 1.2;

/// Outcome of a direction search.
pub struct Directions {
    /// d x K orthonormal frame, columns ordered by their objective, largest first.
    pub w: Mat<f64>,
    /// Objective F at `w`.
    pub objective: f64,
    /// Ascent iterations taken.
    pub iterations: usize,
}

/// Orders W's columns by their own objective, largest first.
fn order_columns(w: &Mat<f64>, per_direction: &[f64]) -> Mat<f64> {
    let mut order: Vec<usize> = (0..w.ncols()).collect();
    order.sort_by(|&a, &b| {
        per_direction[b]
            .total_cmp(&per_direction[a])
            .then(a.cmp(&b))
    });
    Mat::from_fn(w.nrows(), w.ncols(), |i, j| w[(i, order[j])])
}

/// What one layer's direction search leaves for the next: the packed
/// `f32` data (two n x d copies), repacked in place rather than allocated
/// again for every layer.
#[derive(Default)]
pub struct SearchStorage {
    f32_products: Option<F32Products>,
}

/// Maximises F over d x K orthonormal frames, starting from a Haar-random
/// frame drawn from `rng`, for at most `max_iters` iterations, with the
/// data products, trial projections and sort keys at the given precision.
#[allow(clippy::too_many_arguments)]
pub fn max_sliced(
    x: MatRef<'_, f64>,
    blocks: &Blocks,
    target: Target,
    k: usize,
    max_iters: usize,
    precision: SearchPrecision,
    rng: &mut ChaCha8Rng,
    storage: &mut SearchStorage,
) -> Result<Directions, OrthoError> {
    let w = random_frame(x.ncols(), k, rng);
    let search = Search {
        blocks,
        target,
        max_iters,
    };
    let (w, iterations) = match precision {
        SearchPrecision::F32 => {
            let products = match &mut storage.f32_products {
                Some(products) => {
                    products.repack(x);
                    products
                }
                slot => slot.insert(F32Products::new(x)),
            };
            search.ascend(products, w)
        }
        SearchPrecision::F64 => search.ascend(&mut F64Products::new(x), w),
    };
    finish(x, w, blocks, target, iterations)
}

/// The settings of one direction search.
struct Search<'a> {
    blocks: &'a Blocks,
    target: Target,
    max_iters: usize,
}

impl Search<'_> {
    /// Riemannian ascent from `w` with `products` of the data: the final
    /// frame and the iterations taken.
    ///
    /// Work on the small d x K matrices (the curve's coefficients, its
    /// accepted point) runs alongside the n x d products that do not need
    /// it, so both cores stay busy: each iteration's `X P` with the curve's
    /// set-up, and the next iteration's gradient with the accepted point.
    /// Every value is computed as it would be one after the other.
    fn ascend<T: SearchFloat>(
        &self,
        products: &mut impl DataProducts<T>,
        mut w: Mat<f64>,
    ) -> (Mat<f64>, usize) {
        let (d, k, n) = (w.nrows(), w.ncols(), self.blocks.rows());
        let mut objective = Objective::<T>::new(self.blocks, self.target, k);
        // X W, X P and the trial projections X Y(t).
        let (mut xw, mut trial_xw) = (Projections::zeros(n, k), Projections::zeros(n, k));
        let mut xp = Narrow::zeros(n, k);
        products.times(w.as_ref(), &mut xw.rounded);
        xw.take_rounded();
        let mut eval = objective.evaluate(xw.rounded.as_ref());
        // P: the Euclidean gradient of the loss -F at `w`; `next_p` the next
        // frame's, computed while this iteration's point is.
        let (mut p, mut next_p) = (Mat::<f64>::zeros(d, k), Mat::<f64>::zeros(d, k));
        let mut y = Mat::<f64>::zeros(d, k);
        if self.max_iters > 0 {
            products.transpose_times(objective.residual(), p.as_mut());
        }
        let mut t = INITIAL_STEP;
        let mut iterations = 0;
        while iterations < self.max_iters {
            iterations += 1;
            let ((curve, first), ()) = rayon::join(
                || {
                    let curve = CayleyCurve::new(w.as_ref(), p.as_ref());
                    let first = curve.coefficients(t);
                    (curve, first)
                },
                || products.times_gradient(&mut xp),
            );
            let slope = curve.slope();
            if slope >= 0.0 || slope.is_nan() {
                break; // zero gradient: a stationary point
            }
            let mut coefficients = Some(first);
            let mut accepted = None;
            for _ in 0..MAX_BACKTRACK {
                let c = coefficients.take().unwrap_or_else(|| curve.coefficients(t));
                if let Ok(c) = c {
                    products.curve_projections((&xp, &xw), c.as_ref(), t, &mut trial_xw);
                    let trial = objective.evaluate(trial_xw.rounded.as_ref());
                    if -trial.value <= -eval.value + 0.5 * t * slope {
                        accepted = Some((trial, c));
                        break;
                    }
                }
                t *= 0.5;
            }
            let Some((trial, c)) = accepted else { break };
            let last = iterations == self.max_iters;
            let (step, ()) = rayon::join(
                || curve.point_into(t, c.as_ref(), y.as_mut()),
                || {
                    if !last {
                        products.transpose_times(objective.residual(), next_p.as_mut());
                    }
                },
            );
            std::mem::swap(&mut w, &mut y);
            std::mem::swap(&mut p, &mut next_p);
            std::mem::swap(&mut xw, &mut trial_xw);
            eval = trial;
            t *= STEP_GROWTH;
            if step < STEP_TOL {
                break;
            }
        }
        (w, iterations)
    }
}

/// Re-orthonormalises a frame, evaluates it and orders its columns.
pub fn finish(
    x: MatRef<'_, f64>,
    mut w: Mat<f64>,
    blocks: &Blocks,
    target: Target,
    iterations: usize,
) -> Result<Directions, OrthoError> {
    orthonormalize(&mut w)?;
    let eval =
        Objective::<f64>::new(blocks, target, w.ncols()).evaluate(project(x, w.as_ref()).as_ref());
    Ok(Directions {
        w: order_columns(&w, &eval.per_direction),
        objective: eval.value,
        iterations,
    })
}
