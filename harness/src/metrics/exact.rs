//! Exact W2^2 between equal-size point clouds by optimal assignment.

use faer::MatRef;

use super::assignment::solve_assignment;
use super::cost::sq_dist_matrix;
use super::sinkhorn::{w2_sq_sinkhorn, SinkhornOptions};
use super::validate::{check_pair, sq_dist, to_row_major};
use super::MetricError;

/// Exact squared 2-Wasserstein distance between two equal-size point clouds
/// with uniform weights (rows are points).
///
/// With uniform weights and equal sizes an optimal plan is a permutation, so
/// W2^2 = min over permutations s of (1/n) sum_i |a_i - b_s(i)|^2, found by
/// [`solve_assignment`] (Jonker–Volgenant) on the squared-distance matrix.
/// The returned value is recomputed from the matched pairs directly.
///
/// # Errors
/// Empty input, NaN/infinite entries, different numbers of columns, or
/// different numbers of rows ([`MetricError::SizeMismatch`]; use [`w2_sq`]
/// to fall back to Sinkhorn).
///
/// # Example
/// ```
/// use faer::mat;
/// use harness::metrics::w2_sq_exact;
/// let a = mat![[0.0, 0.0], [1.0, 0.0]];
/// let b = mat![[1.0, 1.0], [0.0, 1.0]];
/// assert!((w2_sq_exact(a.as_ref(), b.as_ref()).unwrap() - 1.0).abs() < 1e-12);
/// ```
pub fn w2_sq_exact(a: MatRef<'_, f64>, b: MatRef<'_, f64>) -> Result<f64, MetricError> {
    check_pair(a, b)?;
    if a.nrows() != b.nrows() {
        return Err(MetricError::SizeMismatch {
            what: "second point cloud",
            left: b.nrows(),
            right: a.nrows(),
        });
    }
    let n = a.nrows();
    let cost = sq_dist_matrix(a, b);
    let perm = solve_assignment(&cost, n);
    let (ra, rb, d) = (to_row_major(a), to_row_major(b), a.ncols());
    let total: f64 = perm
        .iter()
        .enumerate()
        .map(|(i, &j)| sq_dist(&ra[i * d..(i + 1) * d], &rb[j * d..(j + 1) * d]))
        .sum();
    Ok(total / n as f64)
}

/// W2^2 between two point clouds: exact ([`w2_sq_exact`]) when the sizes are
/// equal, otherwise entropic Sinkhorn with default options
/// ([`w2_sq_sinkhorn`], biased upward by the entropic blur).
///
/// # Errors
/// As [`w2_sq_exact`] and [`w2_sq_sinkhorn`] (except the size mismatch).
///
/// # Example
/// ```
/// use faer::mat;
/// use harness::metrics::w2_sq;
/// let a = mat![[0.0], [2.0]];
/// let b = mat![[1.0], [3.0]];
/// assert!((w2_sq(a.as_ref(), b.as_ref()).unwrap() - 1.0).abs() < 1e-12);
/// let c = mat![[1.0], [2.0], [3.0]];
/// assert!(w2_sq(a.as_ref(), c.as_ref()).unwrap() > 0.0);
/// ```
pub fn w2_sq(a: MatRef<'_, f64>, b: MatRef<'_, f64>) -> Result<f64, MetricError> {
    if a.nrows() == b.nrows() {
        w2_sq_exact(a, b)
    } else {
        Ok(w2_sq_sinkhorn(a, b, &SinkhornOptions::default())?.cost)
    }
}
