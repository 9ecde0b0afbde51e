//! Squared-Euclidean cost matrices between point clouds.

use faer::MatRef;
use rayon::prelude::*;

/// Row-major `n x m` matrix of squared distances `|a_i - b_j|^2`.
///
/// Computed as `|a_i|^2 + |b_j|^2 - 2 a_i.b_j` with a matrix product (clamped
/// at zero), which is fast in high dimension; callers that need the exact
/// value of a few entries recompute them directly. The product splits work
/// over output blocks only, so the result does not depend on thread count.
pub(crate) fn sq_dist_matrix(a: MatRef<'_, f64>, b: MatRef<'_, f64>) -> Vec<f64> {
    let (n, m) = (a.nrows(), b.nrows());
    let gram = a * b.transpose();
    let norms = |x: MatRef<'_, f64>| -> Vec<f64> {
        (0..x.nrows())
            .map(|i| x.row(i).iter().map(|v| v * v).sum())
            .collect()
    };
    let (na, nb) = (norms(a), norms(b));
    let mut out = vec![0.0; n * m];
    out.par_chunks_mut(m.max(1))
        .enumerate()
        .for_each(|(i, row)| {
            for (j, c) in row.iter_mut().enumerate() {
                *c = (na[i] + nb[j] - 2.0 * gram[(i, j)]).max(0.0);
            }
        });
    out
}
