//! Gaussian-barycenter maps (SPEC 2.4): per domain an affine map
//! `T_c(p) = m + A_c (p - m_c)` onto the Gaussian barycenter
//! `N(m, S)` of the domains' Gaussian fits `N(m_c, S_c)`.

use super::stored::StoredMat;
use crate::linalg::{mean_cov, sym_pow, SymEigen};
use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, MatRef, Par};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// Fixed-point iterations of the barycenter covariance.
const BARY_ITERS: usize = 30;
/// Relative ridge added to covariances so every S_c is invertible ...
const RIDGE: f64 = 1e-6;
/// ... plus shrinkage towards the mean eigenvalue that grows with K / n,
/// so covariances of few points in many dimensions (n <= K) stay usable.
const SHRINK_PER_DIM: f64 = 1e-2;
/// Relative change of the barycenter covariance that ends the iteration.
const BARY_TOL: f64 = 1e-9;
/// Smallest eigenvalue, relative to the largest, kept by inverse roots.
const EIG_FLOOR: f64 = 1e-12;

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

/// Regularises the covariance of `n` points: `S + eps I` with `eps` the
/// mean eigenvalue times `RIDGE + SHRINK_PER_DIM * K / n`.
fn ridge(s: &mut Mat<f64>, n: usize) {
    let k = s.nrows();
    let tr: f64 = (0..k).map(|i| s[(i, i)]).sum::<f64>() / k as f64;
    let relative = RIDGE + SHRINK_PER_DIM * k as f64 / n.max(1) as f64;
    let eps = relative * tr.max(1e-300) + 1e-300;
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
/// Two covariances have a closed form: McCann's interpolant
/// `S = M S_0 M` with `M = w_0 I + w_1 T`, `T` the optimal map from `S_0`
/// to `S_1`.
pub fn barycenter_cov(covs: &[Mat<f64>], weights: &[f64]) -> Option<Mat<f64>> {
    let k = covs[0].nrows();
    if let ([s0, s1], [w0, w1]) = (covs, weights) {
        let t = transport_matrix(s0.as_ref(), s1.as_ref())?;
        let m = Mat::from_fn(k, k, |i, j| w1 * t[(i, j)] + if i == j { *w0 } else { 0.0 });
        let s = mul(mul(m.as_ref(), s0.as_ref()).as_ref(), m.as_ref());
        return Some(Mat::from_fn(k, k, |i, j| 0.5 * (s[(i, j)] + s[(j, i)])));
    }
    let mut s = Mat::from_fn(k, k, |i, j| {
        covs.iter().zip(weights).map(|(c, w)| w * c[(i, j)]).sum()
    });
    for _ in 0..BARY_ITERS {
        let eig = SymEigen::new(s.as_ref())?;
        let (root, inv_root) = (eig.pow(0.5, 0.0), eig.pow(-0.5, EIG_FLOOR));
        let roots: Vec<Mat<f64>> = covs
            .par_iter()
            .map(|c| {
                let inner = mul(mul(root.as_ref(), c.as_ref()).as_ref(), root.as_ref());
                sym_pow(inner.as_ref(), 0.5, 0.0)
            })
            .collect::<Option<_>>()?;
        let mut sum = Mat::zeros(k, k);
        for (r, w) in roots.iter().zip(weights) {
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
        if change <= BARY_TOL * scale {
            break;
        }
    }
    Some(s)
}

/// The symmetric matrix `T` of the optimal map `x -> T x` from `N(0, from)`
/// to `N(0, to)`: `from^{-1/2} (from^{1/2} to from^{1/2})^{1/2} from^{-1/2}`.
fn transport_matrix(from: MatRef<'_, f64>, to: MatRef<'_, f64>) -> Option<Mat<f64>> {
    let eig = SymEigen::new(from)?;
    let (root, inv_root) = (eig.pow(0.5, 0.0), eig.pow(-0.5, EIG_FLOOR));
    let inner = mul(mul(root.as_ref(), to).as_ref(), root.as_ref());
    let mid = sym_pow(inner.as_ref(), 0.5, 0.0)?;
    Some(mul(
        mul(inv_root.as_ref(), mid.as_ref()).as_ref(),
        inv_root.as_ref(),
    ))
}

impl GaussianMaps {
    /// Fits the maps from each domain's points (rows of `domains[c]`).
    pub fn fit(domains: &[MatRef<'_, f64>], weights: &[f64]) -> Option<GaussianMaps> {
        let k = domains[0].ncols();
        let (means, covs): (Vec<Vec<f64>>, Vec<Mat<f64>>) = domains
            .iter()
            .map(|x| {
                let (m, mut c) = mean_cov(*x);
                ridge(&mut c, x.nrows());
                (m, c)
            })
            .unzip();
        let s = barycenter_cov(&covs, weights)?;
        let mean: Vec<f64> = (0..k)
            .map(|j| means.iter().zip(weights).map(|(m, w)| w * m[j]).sum())
            .collect();
        let per_domain: Vec<(Mat<f64>, Mat<f64>, f64)> = covs
            .par_iter()
            .map(|sc| {
                let a = transport_matrix(sc.as_ref(), s.as_ref())?;
                let a_inv = {
                    use faer::linalg::solvers::Solve;
                    a.partial_piv_lu()
                        .solve(Mat::<f64>::identity(k, k).as_ref())
                };
                let eig = a.self_adjoint_eigenvalues(faer::Side::Lower).ok()?;
                let log_det: f64 = eig.iter().map(|l| l.abs().ln()).sum();
                log_det.is_finite().then_some((a, a_inv, log_det))
            })
            .collect::<Option<_>>()?;
        let mut maps = GaussianMaps {
            mean,
            domain_means: means,
            a: Vec::new(),
            a_inv: Vec::new(),
            log_det: Vec::new(),
        };
        for (a, a_inv, log_det) in per_domain {
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

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    #[test]
    fn fewer_points_than_dimensions_still_give_finite_invertible_maps() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let (n, d) = (40, 120);
        let a = Mat::from_fn(n, d, |_, _| rng.random::<f64>());
        let b = Mat::from_fn(n, d, |_, j| 2.0 * rng.random::<f64>() + j as f64 * 1e-3);
        let maps = GaussianMaps::fit(&[a.as_ref(), b.as_ref()], &[0.5, 0.5]).expect("maps");
        let there = maps.apply(0, a.as_ref(), false);
        let back = maps.apply(0, there.as_ref(), true);
        let err = (0..d)
            .flat_map(|j| (0..n).map(move |i| (i, j)))
            .map(|(i, j)| (back[(i, j)] - a[(i, j)]).abs())
            .fold(0.0, f64::max);
        assert!(err < 1e-6, "round trip {err}");
    }

    #[test]
    fn closed_form_for_two_domains_matches_the_fixed_point() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(2);
        let spd = |rng: &mut rand_chacha::ChaCha8Rng| {
            let g = Mat::from_fn(6, 6, |_, _| rng.random::<f64>() - 0.5);
            let mut s = mul(g.as_ref(), g.transpose());
            ridge(&mut s, 1000);
            s
        };
        let (s0, s1) = (spd(&mut rng), spd(&mut rng));
        let closed = barycenter_cov(&[s0.clone(), s1.clone()], &[0.5, 0.5]).unwrap();
        // The same barycenter through the fixed point: s1 split in two.
        let fixed = barycenter_cov(&[s0, s1.clone(), s1], &[0.5, 0.25, 0.25]).unwrap();
        let scale = (0..6).map(|i| closed[(i, i)]).fold(0.0, f64::max);
        for j in 0..6 {
            for i in 0..6 {
                assert!((closed[(i, j)] - fixed[(i, j)]).abs() <= 1e-7 * scale);
            }
        }
    }
}
