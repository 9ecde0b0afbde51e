//! Gaussian-barycenter maps (SPEC 2.4): per domain an affine map
//! `T_c(p) = m + A_c (p - m_c)` onto the Gaussian barycenter
//! `N(m, S)` of the domains' Gaussian fits `N(m_c, S_c)`.

use super::stored::StoredMat;
use crate::linalg::{mean_cov, sym_pow};
use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, MatRef, Par};
use serde::{Deserialize, Serialize};

/// Fixed-point iterations of the barycenter covariance.
const BARY_ITERS: usize = 100;
/// Relative ridge added to covariances so every S_c is invertible.
const RIDGE: f64 = 1e-9;

/// The fitted affine maps of one GB layer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GaussianMaps {
    /// Barycenter mean m.
    pub mean: Vec<f64>,
    /// Domain means m_c.
    pub domain_means: Vec<Vec<f64>>,
    /// A_c per domain.
    pub a: Vec<StoredMat>,
    /// A_c^{-1} per domain.
    pub a_inv: Vec<StoredMat>,
    /// log |det A_c| per domain.
    pub log_det: Vec<f64>,
}

fn ridge(s: &mut Mat<f64>) {
    let k = s.nrows();
    let tr: f64 = (0..k).map(|i| s[(i, i)]).sum::<f64>() / k as f64;
    let eps = RIDGE * tr.max(1e-300) + 1e-300;
    for i in 0..k {
        s[(i, i)] += eps;
    }
}

fn mul(a: MatRef<'_, f64>, b: MatRef<'_, f64>) -> Mat<f64> {
    let mut out = Mat::zeros(a.nrows(), b.ncols());
    matmul(out.as_mut(), Accum::Replace, a, b, 1.0, Par::Seq);
    out
}

/// The barycenter covariance: fixed point of
/// `S <- S^{-1/2} (sum_c w_c (S^{1/2} S_c S^{1/2})^{1/2})^2 S^{-1/2}`.
pub fn barycenter_cov(covs: &[Mat<f64>], weights: &[f64]) -> Option<Mat<f64>> {
    let k = covs[0].nrows();
    let mut s = Mat::from_fn(k, k, |i, j| {
        covs.iter().zip(weights).map(|(c, w)| w * c[(i, j)]).sum()
    });
    for _ in 0..BARY_ITERS {
        let root = sym_pow(s.as_ref(), 0.5, 0.0)?;
        let inv_root = sym_pow(s.as_ref(), -0.5, 1e-300)?;
        let mut sum = Mat::zeros(k, k);
        for (c, w) in covs.iter().zip(weights) {
            let inner = mul(mul(root.as_ref(), c.as_ref()).as_ref(), root.as_ref());
            let r = sym_pow(inner.as_ref(), 0.5, 0.0)?;
            sum += Mat::from_fn(k, k, |i, j| w * r[(i, j)]);
        }
        let sq = mul(sum.as_ref(), sum.as_ref());
        let next = mul(
            mul(inv_root.as_ref(), sq.as_ref()).as_ref(),
            inv_root.as_ref(),
        );
        let change = (0..k)
            .flat_map(|j| (0..k).map(move |i| (i, j)))
            .map(|(i, j)| (next[(i, j)] - s[(i, j)]).abs())
            .fold(0.0, f64::max);
        let scale = (0..k).map(|i| next[(i, i)].abs()).fold(0.0, f64::max);
        s = next;
        if change <= 1e-13 * scale {
            break;
        }
    }
    Some(s)
}

impl GaussianMaps {
    /// Fits the maps from each domain's points (rows of `domains[c]`).
    pub fn fit(domains: &[MatRef<'_, f64>], weights: &[f64]) -> Option<GaussianMaps> {
        let k = domains[0].ncols();
        let (means, covs): (Vec<Vec<f64>>, Vec<Mat<f64>>) = domains
            .iter()
            .map(|x| {
                let (m, mut c) = mean_cov(*x);
                ridge(&mut c);
                (m, c)
            })
            .unzip();
        let s = barycenter_cov(&covs, weights)?;
        let mean: Vec<f64> = (0..k)
            .map(|j| means.iter().zip(weights).map(|(m, w)| w * m[j]).sum())
            .collect();
        let mut maps = GaussianMaps {
            mean,
            domain_means: means,
            a: Vec::new(),
            a_inv: Vec::new(),
            log_det: Vec::new(),
        };
        for sc in &covs {
            let root = sym_pow(sc.as_ref(), 0.5, 0.0)?;
            let inv_root = sym_pow(sc.as_ref(), -0.5, 1e-300)?;
            let inner = mul(mul(root.as_ref(), s.as_ref()).as_ref(), root.as_ref());
            let mid = sym_pow(inner.as_ref(), 0.5, 0.0)?;
            let a = mul(
                mul(inv_root.as_ref(), mid.as_ref()).as_ref(),
                inv_root.as_ref(),
            );
            let lu = a.partial_piv_lu();
            let a_inv = {
                use faer::linalg::solvers::Solve;
                lu.solve(Mat::<f64>::identity(k, k).as_ref())
            };
            let eig = a.self_adjoint_eigenvalues(faer::Side::Lower).ok()?;
            let log_det: f64 = eig.iter().map(|l| l.abs().ln()).sum();
            if !log_det.is_finite() {
                return None;
            }
            maps.a.push(StoredMat::from(a));
            maps.a_inv.push(StoredMat::from(a_inv));
            maps.log_det.push(log_det);
        }
        Some(maps)
    }

    /// Applies domain `c`'s map (or its inverse) to the rows of `p` (n x K).
    pub fn apply(&self, c: usize, p: MatRef<'_, f64>, inverse: bool) -> Mat<f64> {
        let (from, to, a) = if inverse {
            (&self.mean, &self.domain_means[c], self.a_inv[c].as_ref())
        } else {
            (&self.domain_means[c], &self.mean, self.a[c].as_ref())
        };
        let centred = Mat::from_fn(p.nrows(), p.ncols(), |i, j| p[(i, j)] - from[j]);
        let mut out = Mat::from_fn(p.nrows(), p.ncols(), |_, j| to[j]);
        matmul(
            out.as_mut(),
            Accum::Add,
            centred.as_ref(),
            a.transpose(),
            1.0,
            Par::Seq,
        );
        out
    }
}
