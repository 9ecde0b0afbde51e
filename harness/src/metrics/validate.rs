//! Input checks shared by the metrics: non-empty, matching dimensions, finite values.

use faer::MatRef;

use super::MetricError;

/// Checks that `x` has at least one row and one column and only finite entries.
pub(crate) fn check_cloud(x: MatRef<'_, f64>, what: &'static str) -> Result<(), MetricError> {
    if x.nrows() == 0 || x.ncols() == 0 {
        return Err(MetricError::Empty { what });
    }
    check_finite(x, what)
}

/// Checks that every entry of `x` is finite.
pub(crate) fn check_finite(x: MatRef<'_, f64>, what: &'static str) -> Result<(), MetricError> {
    for col in 0..x.ncols() {
        for row in 0..x.nrows() {
            if !x[(row, col)].is_finite() {
                return Err(MetricError::NonFinite { what, row, col });
            }
        }
    }
    Ok(())
}

/// Checks two point clouds (each non-empty and finite) share a dimension.
pub(crate) fn check_pair(a: MatRef<'_, f64>, b: MatRef<'_, f64>) -> Result<(), MetricError> {
    check_cloud(a, "first point cloud")?;
    check_cloud(b, "second point cloud")?;
    if a.ncols() != b.ncols() {
        return Err(MetricError::DimensionMismatch {
            what: "second point cloud",
            left: b.ncols(),
            right: a.ncols(),
        });
    }
    Ok(())
}

/// Copies `x` into a row-major buffer (row `i` is `out[i * d..(i + 1) * d]`).
pub(crate) fn to_row_major(x: MatRef<'_, f64>) -> Vec<f64> {
    let (n, d) = (x.nrows(), x.ncols());
    let mut out = vec![0.0; n * d];
    for j in 0..d {
        for i in 0..n {
            out[i * d + j] = x[(i, j)];
        }
    }
    out
}

/// Squared Euclidean distance between two equal-length slices.
#[inline]
pub(crate) fn sq_dist(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum()
}
