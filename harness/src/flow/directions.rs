//! Direction search of one layer (SPEC 2.1): Riemannian ascent of the
//! max-K-SW objective on the Stiefel manifold with the Cayley retraction and
//! Armijo backtracking; or a random frame; or the coordinate axes.

use super::config::SearchPrecision;
use super::objective::{Blocks, Objective, Target};
use super::products::Products;
use faer::{Mat, MatRef};
use kernels::ortho::{orthonormalize, project, random_frame, CayleyCurve, OrthoError};
use rand_chacha::ChaCha8Rng;

/// Backtracking halvings before the search gives up on a step.
const MAX_BACKTRACK: usize = 40;
/// The search stops when no entry of W moves by more than this.
const STEP_TOL: f64 = 1e-6;

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

/// Maximises F over d x K orthonormal frames, starting from a Haar-random
/// frame drawn from `rng`, for at most `max_iters` iterations, with the
/// data products at the given precision.
pub fn max_sliced(
    x: MatRef<'_, f64>,
    blocks: &Blocks,
    target: Target,
    k: usize,
    max_iters: usize,
    precision: SearchPrecision,
    rng: &mut ChaCha8Rng,
) -> Result<Directions, OrthoError> {
    let d = x.ncols();
    let mut w = random_frame(d, k, rng);
    let mut objective = Objective::new(blocks, target, k);
    let products = Products::new(x, precision);
    let mut xw = products.times(w.as_ref());
    let mut eval = objective.evaluate(xw.as_ref());
    let mut t = 0.1;
    let mut iterations = 0;
    while iterations < max_iters {
        iterations += 1;
        // P: Euclidean gradient of the loss -F.
        let mut p = products.transpose_times(eval.residual());
        for j in 0..k {
            for i in 0..d {
                p[(i, j)] = -p[(i, j)];
            }
        }
        let curve = CayleyCurve::new(w.as_ref(), p.as_ref());
        let slope = curve.slope();
        if slope >= 0.0 || slope.is_nan() {
            break; // zero gradient: a stationary point
        }
        let xp = products.times(p.as_ref());
        let xu = Mat::from_fn(x.nrows(), 2 * k, |i, j| {
            if j < k {
                xp[(i, j)]
            } else {
                xw[(i, j - k)]
            }
        });
        t *= 2.0;
        let mut accepted = None;
        for _ in 0..MAX_BACKTRACK {
            if let Ok(proj) = curve.project(xu.as_ref(), t) {
                let trial = objective.evaluate(proj.as_ref());
                if -trial.value <= -eval.value + 0.5 * t * slope {
                    accepted = Some((proj, trial));
                    break;
                }
            }
            t *= 0.5;
        }
        let Some((proj, trial)) = accepted else { break };
        let Ok(y) = curve.point(t) else { break };
        let mut step: f64 = 0.0;
        for j in 0..k {
            for i in 0..d {
                step = step.max((y[(i, j)] - w[(i, j)]).abs());
            }
        }
        w = y;
        xw = proj;
        eval = trial;
        t *= 1.5;
        if step < STEP_TOL {
            break;
        }
    }
    finish(x, w, blocks, target, iterations)
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
    let eval = Objective::new(blocks, target, w.ncols()).evaluate(project(x, w.as_ref()).as_ref());
    Ok(Directions {
        w: order_columns(&w, &eval.per_direction),
        objective: eval.value,
        iterations,
    })
}
