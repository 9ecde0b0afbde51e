//! Gaussian moments, symmetric matrix square roots and the closed-form W2^2
//! between Gaussians. The square roots are shared with the Gaussian
//! barycenter (GB) layer.
//!
//! # Example
//! ```
//! use faer::mat;
//! use harness::metrics::gaussian::{gaussian_w2_sq, sqrtm_psd};
//! let s = mat![[4.0, 0.0], [0.0, 9.0]];
//! let r = sqrtm_psd(s.as_ref()).unwrap();
//! assert!((r[(1, 1)] - 3.0).abs() < 1e-12);
//! // shift only: W2^2 = |m1 - m2|^2
//! let w = gaussian_w2_sq(&[0.0, 0.0], s.as_ref(), &[1.0, 2.0], s.as_ref()).unwrap();
//! assert!((w - 5.0).abs() < 1e-9);
//! ```

use faer::{Mat, MatRef, Side};

use super::validate::{check_cloud, check_finite};
use super::MetricError;

/// Relative tolerance (per dimension) for eigenvalues that are negative
/// only through rounding.
const PSD_TOL: f64 = 1e-10;

/// Relative tolerance on |s_ij - s_ji| (scaled by the largest diagonal entry).
const SYMMETRY_TOL: f64 = 1e-8;

/// Sample mean (length d) and unbiased sample covariance (d x d, divisor
/// n - 1) of the rows of `x`.
///
/// # Errors
/// Fewer than two rows, no columns, or non-finite entries.
///
/// # Example
/// ```
/// use faer::mat;
/// use harness::metrics::gaussian::mean_cov;
/// let x = mat![[0.0, 1.0], [2.0, 1.0]];
/// let (m, s) = mean_cov(x.as_ref()).unwrap();
/// assert_eq!(m, vec![1.0, 1.0]);
/// assert_eq!(s[(0, 0)], 2.0);
/// assert_eq!(s[(1, 1)], 0.0);
/// ```
pub fn mean_cov(x: MatRef<'_, f64>) -> Result<(Vec<f64>, Mat<f64>), MetricError> {
    check_cloud(x, "sample")?;
    if x.nrows() < 2 {
        return Err(MetricError::InvalidParameter {
            name: "sample",
            reason: "a covariance needs at least two rows".into(),
        });
    }
    let (mean, mut cov) = crate::linalg::mean_cov(x);
    symmetrise(&mut cov);
    Ok((mean, cov))
}

/// Principal square root of a symmetric positive semi-definite matrix:
/// the PSD `R` with `R R = S`, from a symmetric eigen decomposition
/// (eigenvalues that are negative only by rounding are set to zero).
///
/// # Errors
/// Non-square, empty, non-finite, asymmetric or clearly indefinite input.
///
/// # Example
/// ```
/// use faer::mat;
/// use harness::metrics::gaussian::sqrtm_psd;
/// let s = mat![[2.0, 1.0], [1.0, 2.0]];
/// let r = sqrtm_psd(s.as_ref()).unwrap();
/// let rr = &r * &r;
/// assert!((rr[(0, 1)] - 1.0).abs() < 1e-12);
/// ```
pub fn sqrtm_psd(s: MatRef<'_, f64>) -> Result<Mat<f64>, MetricError> {
    spectral_map(s, "matrix", |lambda| Ok(lambda.sqrt()))
}

/// Inverse principal square root `S^{-1/2}` of a symmetric positive
/// definite matrix.
///
/// # Errors
/// As [`sqrtm_psd`], plus an eigenvalue that is not positive (singular
/// matrix; add a ridge to the diagonal first).
///
/// # Example
/// ```
/// use faer::mat;
/// use harness::metrics::gaussian::inv_sqrtm_pd;
/// let s = mat![[4.0, 0.0], [0.0, 0.25]];
/// let r = inv_sqrtm_pd(s.as_ref()).unwrap();
/// assert!((r[(0, 0)] - 0.5).abs() < 1e-12 && (r[(1, 1)] - 2.0).abs() < 1e-12);
/// ```
pub fn inv_sqrtm_pd(s: MatRef<'_, f64>) -> Result<Mat<f64>, MetricError> {
    spectral_map(s, "matrix", |lambda| {
        if lambda > 0.0 {
            Ok(1.0 / lambda.sqrt())
        } else {
            Err(format!("eigenvalue {lambda} is not positive"))
        }
    })
}

/// Closed-form W2^2 between N(m1, s1) and N(m2, s2):
/// |m1 - m2|^2 + tr(s1 + s2 - 2 (s1^{1/2} s2 s1^{1/2})^{1/2}).
///
/// # Errors
/// Mismatched dimensions, empty, non-finite, asymmetric or indefinite
/// covariances.
///
/// # Example
/// ```
/// use faer::mat;
/// use harness::metrics::gaussian_w2_sq;
/// // 1-D: (m1 - m2)^2 + (sigma1 - sigma2)^2
/// let w = gaussian_w2_sq(&[1.0], mat![[4.0]].as_ref(), &[0.0], mat![[1.0]].as_ref()).unwrap();
/// assert!((w - 2.0).abs() < 1e-12);
/// ```
pub fn gaussian_w2_sq(
    m1: &[f64],
    s1: MatRef<'_, f64>,
    m2: &[f64],
    s2: MatRef<'_, f64>,
) -> Result<f64, MetricError> {
    let d = m1.len();
    for (what, len) in [("second mean", m2.len()), ("first covariance", s1.nrows())] {
        if len != d {
            return Err(MetricError::DimensionMismatch {
                what,
                left: len,
                right: d,
            });
        }
    }
    if s2.nrows() != d {
        return Err(MetricError::DimensionMismatch {
            what: "second covariance",
            left: s2.nrows(),
            right: d,
        });
    }
    for (what, m) in [("first mean", m1), ("second mean", m2)] {
        if let Some(col) = m.iter().position(|v| !v.is_finite()) {
            return Err(MetricError::NonFinite { what, row: 0, col });
        }
    }
    let sqrt = |lambda: f64| Ok(lambda.sqrt());
    let root1 = spectral_map(s1, "first covariance", sqrt)?;
    check_symmetric(s2, "second covariance")?;
    let mut cross = &root1 * s2 * &root1;
    symmetrise(&mut cross);
    let cross_root = spectral_map(cross.as_ref(), "second covariance", sqrt)?;
    let shift: f64 = m1.iter().zip(m2).map(|(a, b)| (a - b) * (a - b)).sum();
    let trace: f64 = (0..d)
        .map(|i| s1[(i, i)] + s2[(i, i)] - 2.0 * cross_root[(i, i)])
        .sum();
    Ok((shift + trace).max(0.0))
}

/// Replaces `m` by `(m + m^T) / 2`.
fn symmetrise(m: &mut Mat<f64>) {
    let d = m.nrows();
    for j in 0..d {
        for i in j..d {
            let v = 0.5 * (m[(i, j)] + m[(j, i)]);
            m[(i, j)] = v;
            m[(j, i)] = v;
        }
    }
}

fn check_symmetric(s: MatRef<'_, f64>, what: &'static str) -> Result<(), MetricError> {
    if s.nrows() == 0 || s.nrows() != s.ncols() {
        return Err(MetricError::NotPsd {
            what,
            reason: format!(
                "shape {} x {} is not square and non-empty",
                s.nrows(),
                s.ncols()
            ),
        });
    }
    check_finite(s, what)?;
    let d = s.nrows();
    let scale = (0..d)
        .map(|i| s[(i, i)].abs())
        .fold(f64::MIN_POSITIVE, f64::max);
    for j in 0..d {
        for i in j + 1..d {
            if (s[(i, j)] - s[(j, i)]).abs() > SYMMETRY_TOL * scale {
                return Err(MetricError::NotPsd {
                    what,
                    reason: format!("entries ({i}, {j}) and ({j}, {i}) differ"),
                });
            }
        }
    }
    Ok(())
}

/// `U f(Lambda) U^T` for the symmetric `s = U Lambda U^T`; eigenvalues in
/// [-tol * max, 0) are rounded to zero first, more negative ones are an error.
fn spectral_map(
    s: MatRef<'_, f64>,
    what: &'static str,
    f: impl Fn(f64) -> Result<f64, String>,
) -> Result<Mat<f64>, MetricError> {
    check_symmetric(s, what)?;
    let d = s.nrows();
    let evd = s
        .self_adjoint_eigen(Side::Lower)
        .map_err(|_| MetricError::EigenFailed { what })?;
    let lambdas = evd.S().column_vector();
    let u = evd.U();
    let largest = lambdas.iter().fold(0.0f64, |m, &l| m.max(l.abs()));
    let mut mapped = Vec::with_capacity(d);
    for &lambda in lambdas.iter() {
        let lambda = if lambda < 0.0 && lambda >= -PSD_TOL * d as f64 * largest {
            0.0
        } else if lambda < 0.0 {
            return Err(MetricError::NotPsd {
                what,
                reason: format!("eigenvalue {lambda} is negative"),
            });
        } else {
            lambda
        };
        mapped.push(f(lambda).map_err(|reason| MetricError::NotPsd { what, reason })?);
    }
    let scaled = Mat::from_fn(d, d, |i, k| u[(i, k)] * mapped[k]);
    let mut out = &scaled * u.transpose();
    symmetrise(&mut out);
    Ok(out)
}
