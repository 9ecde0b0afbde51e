//! Small dense linear-algebra helpers shared by the Gaussian-barycenter
//! layers and the metrics: means, covariances and powers of symmetric
//! positive semi-definite matrices.

use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, MatRef, Par, Side};

/// Column means and the sample covariance (divisor n - 1, or n when n = 1)
/// of the rows of `x` (n x d).
pub fn mean_cov(x: MatRef<'_, f64>) -> (Vec<f64>, Mat<f64>) {
    let (n, d) = (x.nrows(), x.ncols());
    let mean: Vec<f64> = (0..d)
        .map(|j| (0..n).map(|i| x[(i, j)]).sum::<f64>() / n.max(1) as f64)
        .collect();
    let centred = Mat::from_fn(n, d, |i, j| x[(i, j)] - mean[j]);
    let mut cov = Mat::zeros(d, d);
    let denom = if n > 1 { (n - 1) as f64 } else { 1.0 };
    matmul(
        cov.as_mut(),
        Accum::Replace,
        centred.transpose(),
        centred.as_ref(),
        1.0 / denom,
        Par::Seq,
    );
    (mean, cov)
}

/// The eigen-decomposition of a symmetric positive semi-definite `S`, from
/// which any power of `S` follows in O(d^3) without decomposing again.
pub struct SymEigen {
    u: Mat<f64>,
    lambda: Vec<f64>,
}

impl SymEigen {
    /// Decomposes `S` (symmetrised first: rounding may leave it slightly
    /// asymmetric). `None` if `S` holds non-finite values or the
    /// decomposition fails.
    pub fn new(s: MatRef<'_, f64>) -> Option<SymEigen> {
        let d = s.nrows();
        if (0..d).any(|j| (0..d).any(|i| !s[(i, j)].is_finite())) {
            return None;
        }
        let sym = Mat::from_fn(d, d, |i, j| 0.5 * (s[(i, j)] + s[(j, i)]));
        let evd = sym.self_adjoint_eigen(Side::Lower).ok()?;
        let lambda = evd.S().column_vector();
        Some(SymEigen {
            u: evd.U().to_owned(),
            lambda: (0..d).map(|j| lambda[j]).collect(),
        })
    }

    /// `S^p`; eigenvalues are first raised to at least `floor` times the
    /// largest eigenvalue for negative powers (so they stay finite and well
    /// scaled for singular or rounding-perturbed matrices), to at least 0
    /// otherwise. The result is symmetrised.
    pub fn pow(&self, power: f64, floor: f64) -> Mat<f64> {
        let d = self.lambda.len();
        let top = self.lambda.iter().copied().fold(0.0f64, f64::max);
        let least = (floor * top).max(f64::MIN_POSITIVE);
        let scaled = Mat::from_fn(d, d, |i, j| {
            let l = self.lambda[j];
            let l = if power < 0.0 {
                l.max(least)
            } else {
                l.max(0.0)
            };
            self.u[(i, j)] * l.powf(power)
        });
        let mut out = Mat::zeros(d, d);
        matmul(
            out.as_mut(),
            Accum::Replace,
            scaled.as_ref(),
            self.u.transpose(),
            1.0,
            Par::Seq,
        );
        Mat::from_fn(d, d, |i, j| 0.5 * (out[(i, j)] + out[(j, i)]))
    }
}

/// `S^p` for a symmetric positive semi-definite `S` (see [`SymEigen::pow`]
/// for `floor`). Returns `None` if the decomposition fails or `S` holds
/// non-finite values.
pub fn sym_pow(s: MatRef<'_, f64>, power: f64, floor: f64) -> Option<Mat<f64>> {
    Some(SymEigen::new(s)?.pow(power, floor))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn square_root_squares_back_and_inverse_root_inverts() {
        let a = Mat::from_fn(3, 3, |i, j| ((i * 3 + j) as f64).sin());
        let s = &a * a.transpose() + Mat::<f64>::identity(3, 3);
        let r = sym_pow(s.as_ref(), 0.5, 0.0).unwrap();
        let back = &r * &r;
        let inv = sym_pow(s.as_ref(), -0.5, 0.0).unwrap();
        let id = &r * &inv;
        for i in 0..3 {
            for j in 0..3 {
                assert!((back[(i, j)] - s[(i, j)]).abs() < 1e-12);
                let want = if i == j { 1.0 } else { 0.0 };
                assert!((id[(i, j)] - want).abs() < 1e-12);
            }
        }
        let mut bad = s.clone();
        bad[(0, 1)] = f64::NAN;
        assert!(sym_pow(bad.as_ref(), 0.5, 0.0).is_none());
    }

    #[test]
    fn covariance_of_known_points() {
        let x = Mat::from_fn(4, 2, |i, j| if j == 0 { i as f64 } else { 2.0 * i as f64 });
        let (m, c) = mean_cov(x.as_ref());
        assert_eq!(m, vec![1.5, 3.0]);
        assert!((c[(0, 0)] - 5.0 / 3.0).abs() < 1e-15);
        assert!((c[(0, 1)] - 10.0 / 3.0).abs() < 1e-15);
        assert!((c[(1, 1)] - 20.0 / 3.0).abs() < 1e-14);
    }
}
