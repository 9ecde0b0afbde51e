//! Orthonormal frames on the Stiefel manifold (faer): Haar-random frames,
//! re-orthonormalisation, the Cayley curve of Wen & Yin in its Woodbury form
//! (a 2K x 2K solve per step) and its full d x d form, and the layer's
//! projection update `X + (Z - X W) W^T`, blocked and parallel over rows.
//!
//! Parallel work is split into fixed row blocks, each computed sequentially,
//! so results do not depend on the number of threads.
//!
//! ```
//! use kernels::ortho::{random_frame, CayleyCurve};
//! use rand::SeedableRng;
//! let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
//! let w = random_frame(6, 2, &mut rng);
//! let p = random_frame(6, 2, &mut rng); // any d x k direction
//! let y = CayleyCurve::new(w.as_ref(), p.as_ref()).point(0.3).unwrap();
//! let gram = y.transpose() * &y;
//! assert!((gram[(0, 0)] - 1.0).abs() < 1e-12 && gram[(0, 1)].abs() < 1e-12);
//! ```

use crate::dispatch::SimdLevel;
use faer::linalg::matmul::matmul;
use faer::linalg::solvers::Solve;
use faer::{Accum, Mat, MatMut, MatRef, Par};
use rand::Rng;
use rand_distr::StandardNormal;
use rayon::prelude::*;
use std::fmt;

/// Rows per block of the parallel kernels.
const ROW_BLOCK: usize = 128;

/// Why a frame operation failed.
#[derive(Clone, Debug, PartialEq)]
pub enum OrthoError {
    /// The input holds NaN or infinite values.
    NonFinite,
    /// Column `j` is (numerically) a combination of the ones before it.
    RankDeficient(usize),
    /// The linear system of a Cayley step is singular or ill-conditioned.
    Singular,
}

impl fmt::Display for OrthoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OrthoError::NonFinite => write!(f, "the frame holds NaN or infinite values"),
            OrthoError::RankDeficient(j) => {
                write!(
                    f,
                    "column {j} of the frame is linearly dependent on the others"
                )
            }
            OrthoError::Singular => write!(f, "the Cayley step's linear system is singular"),
        }
    }
}

impl std::error::Error for OrthoError {}

fn all_finite(m: MatRef<'_, f64>) -> bool {
    (0..m.ncols()).all(|j| (0..m.nrows()).all(|i| m[(i, j)].is_finite()))
}

/// A Haar-random d x k orthonormal frame: thin QR of a d x k standard-normal
/// matrix (drawn column by column from `rng`), column signs fixed so that
/// `diag(R) > 0`.
///
/// # Panics
/// If `k > d` or `k == 0`.
pub fn random_frame<R: Rng + ?Sized>(d: usize, k: usize, rng: &mut R) -> Mat<f64> {
    assert!(
        0 < k && k <= d,
        "random_frame: need 0 < k <= d, got d = {d}, k = {k}"
    );
    loop {
        let mut w = Mat::from_fn(d, k, |_, _| 0.0);
        for j in 0..k {
            for i in 0..d {
                w[(i, j)] = rng.sample(StandardNormal);
            }
        }
        // A Gaussian matrix is rank deficient with probability zero; draw
        // again in that case rather than return a bad frame.
        if orthonormalize(&mut w).is_ok() {
            return w;
        }
    }
}

/// Replaces the columns of `w` by the Q factor of its thin QR, with signs
/// fixed so that `diag(R) > 0`: an orthonormal frame spanning the same space
/// (equal to `w` up to rounding when `w` is already orthonormal). Uses an
/// unblocked Householder QR specialised to tall-skinny frames, compiled for
/// the active SIMD level.
pub fn orthonormalize(w: &mut Mat<f64>) -> Result<(), OrthoError> {
    if !all_finite(w.as_ref()) {
        return Err(OrthoError::NonFinite);
    }
    let (d, k) = (w.nrows(), w.ncols());
    if k == 0 {
        return Ok(());
    }
    if k > d {
        return Err(OrthoError::RankDeficient(d));
    }
    let a: Vec<f64> = (0..k).flat_map(|j| w.col(j).iter().copied()).collect();
    let (r_diag, q) = thin_qr(a, d, k);
    let scale = r_diag.iter().fold(0.0, |s: f64, r| s.max(r.abs()));
    let tol = scale * (d as f64) * f64::EPSILON * 16.0;
    if let Some(j) = r_diag.iter().position(|r| r.abs() <= tol || r.is_nan()) {
        return Err(OrthoError::RankDeficient(j));
    }
    for (j, r) in r_diag.iter().enumerate() {
        let s = if *r < 0.0 { -1.0 } else { 1.0 };
        for (i, &v) in q[j * d..(j + 1) * d].iter().enumerate() {
            w[(i, j)] = s * v;
        }
    }
    Ok(())
}

/// `a . b` with 16 partial sums (vectorised, short dependency chains).
#[inline(always)]
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = [0.0; 16];
    let (ca, cb) = (a.chunks_exact(16), b.chunks_exact(16));
    let tail: f64 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in ca.zip(cb) {
        for l in 0..16 {
            acc[l] += x[l] * y[l];
        }
    }
    acc.iter().sum::<f64>() + tail
}

/// `y -= t v` where `v = [1, rest]` is a Householder vector.
#[inline(always)]
fn reflect(y: &mut [f64], rest: &[f64], t: f64) {
    y[0] -= t;
    for (y, &v) in y[1..].iter_mut().zip(rest) {
        *y -= t * v;
    }
}

/// Applies `H = I - tau v v^T` (`v = [1, rest]`) to a column `y`.
#[inline(always)]
fn apply_reflector(y: &mut [f64], rest: &[f64], tau: f64) {
    let s = y[0] + dot(&y[1..], rest);
    reflect(y, rest, tau * s);
}

/// Unblocked Householder QR of the column-major `m x k` matrix `a` (`k <=
/// m`), in place, LAPACK style: `R` above the diagonal, the reflectors'
/// vectors (first entry 1, implicit) below. Returns the reflectors' `tau`
/// and `diag(R)`. A tall-skinny matrix stays in L2, so the column sweeps
/// run at vector speed with no blocking or threading overhead.
#[inline(always)]
fn householder_qr_generic(a: &mut [f64], m: usize, k: usize) -> (Vec<f64>, Vec<f64>) {
    let mut tau = vec![0.0; k];
    let mut r_diag = vec![0.0; k];
    for j in 0..k {
        let (done, rest) = a.split_at_mut((j + 1) * m);
        let col = &mut done[j * m + j..];
        let alpha = col[0];
        let sigma = dot(&col[1..], &col[1..]);
        if sigma == 0.0 {
            // Already triangular in this column: H = I.
            r_diag[j] = alpha;
            continue;
        }
        let norm = (alpha * alpha + sigma).sqrt();
        let beta = if alpha >= 0.0 { -norm } else { norm };
        tau[j] = (beta - alpha) / beta;
        let inv = 1.0 / (alpha - beta);
        for v in &mut col[1..] {
            *v *= inv;
        }
        col[0] = beta;
        r_diag[j] = beta;
        let v = &col[1..];
        for c in rest.chunks_exact_mut(m) {
            apply_reflector(&mut c[j..], v, tau[j]);
        }
    }
    (tau, r_diag)
}

/// The thin QR of the column-major `m x k` matrix `a` (`k <= m`, consumed):
/// `diag(R)` and the thin `Q` (column-major `m x k`), formed as
/// `H_0 ... H_{k-1}` applied to the first `k` unit vectors, last reflector
/// first, so each touches only rows and columns from `j` on.
#[inline(always)]
fn thin_qr_generic(mut a: Vec<f64>, m: usize, k: usize) -> (Vec<f64>, Vec<f64>) {
    let (tau, r_diag) = householder_qr_generic(&mut a, m, k);
    let mut q = vec![0.0; m * k];
    for j in 0..k {
        q[j * m + j] = 1.0;
    }
    for j in (0..k).rev() {
        let v = &a[j * m + j + 1..(j + 1) * m];
        for c in q.chunks_exact_mut(m).skip(j) {
            apply_reflector(&mut c[j..], v, tau[j]);
        }
    }
    (r_diag, q)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,avx2,fma")]
fn thin_qr_avx512(a: Vec<f64>, m: usize, k: usize) -> (Vec<f64>, Vec<f64>) {
    thin_qr_generic(a, m, k)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn thin_qr_avx2(a: Vec<f64>, m: usize, k: usize) -> (Vec<f64>, Vec<f64>) {
    thin_qr_generic(a, m, k)
}

/// [`thin_qr_generic`] compiled for the active level.
fn thin_qr(a: Vec<f64>, m: usize, k: usize) -> (Vec<f64>, Vec<f64>) {
    match crate::dispatch::active().or_best_below() {
        // SAFETY: or_best_below() only returns levels whose CPU features
        // were detected at run time.
        #[cfg(target_arch = "x86_64")]
        SimdLevel::Avx512 => unsafe { thin_qr_avx512(a, m, k) },
        #[cfg(target_arch = "x86_64")]
        SimdLevel::Avx2 => unsafe { thin_qr_avx2(a, m, k) },
        _ => thin_qr_generic(a, m, k),
    }
}

/// `a^T b`, sequential.
fn at_b(a: MatRef<'_, f64>, b: MatRef<'_, f64>) -> Mat<f64> {
    let mut out = Mat::zeros(a.ncols(), b.ncols());
    matmul(
        out.as_mut(),
        Accum::Replace,
        a.transpose(),
        b,
        1.0,
        Par::Seq,
    );
    out
}

/// The Cayley curve through `W` along `P` (SPEC 2.1): with
/// `A = P W^T - W P^T`, `Y(t) = (I + t/2 A)^{-1} (I - t/2 A) W`, in the
/// Woodbury form `Y(t) = W - t U (I_2k + t/2 V^T U)^{-1} V^T W`,
/// `U = [P, W]`, `V = [W, -P]`. Here `P` is the Euclidean gradient of the
/// loss being minimised; the curve descends it for small `t > 0`.
#[derive(Clone, Debug)]
pub struct CayleyCurve<'a> {
    w: MatRef<'a, f64>,
    p: MatRef<'a, f64>,
    /// `V^T U` (2k x 2k).
    vtu: Mat<f64>,
    /// `V^T W` (2k x k).
    vtw: Mat<f64>,
    /// `<P, -A W>_F`, the derivative of the loss along the curve at 0.
    slope: f64,
}

impl<'a> CayleyCurve<'a> {
    /// Precomputes the small matrices of the curve through `w` along `p`
    /// (both d x k) in O(d k^2); the curve borrows `w` and `p`.
    ///
    /// # Panics
    /// If the shapes differ.
    pub fn new(w: MatRef<'a, f64>, p: MatRef<'a, f64>) -> Self {
        assert_eq!(
            (w.nrows(), w.ncols()),
            (p.nrows(), p.ncols()),
            "CayleyCurve: W and P shapes"
        );
        let k = w.ncols();
        let (wtw, (wtp, ptp)) =
            rayon::join(|| at_b(w, w), || rayon::join(|| at_b(w, p), || at_b(p, p)));
        let ptw = wtp.transpose().to_owned();
        let vtu = Mat::from_fn(2 * k, 2 * k, |i, j| match (i < k, j < k) {
            (true, true) => wtp[(i, j)],
            (true, false) => wtw[(i, j - k)],
            (false, true) => -ptp[(i - k, j)],
            (false, false) => -ptw[(i - k, j - k)],
        });
        let vtw = Mat::from_fn(
            2 * k,
            k,
            |i, j| if i < k { wtw[(i, j)] } else { -ptw[(i - k, j)] },
        );
        // <P, A W> = tr(P^T P W^T W) - tr(P^T W P^T W).
        let mut paw = 0.0;
        for i in 0..k {
            for j in 0..k {
                paw += ptp[(i, j)] * wtw[(j, i)] - ptw[(i, j)] * ptw[(j, i)];
            }
        }
        CayleyCurve {
            w,
            p,
            vtu,
            vtw,
            slope: -paw,
        }
    }

    /// `<P, -A W>_F`: the derivative of the loss along the curve at `t = 0`
    /// (`-||A||_F^2 / 2` for an orthonormal `W`), for the Armijo test.
    pub fn slope(&self) -> f64 {
        self.slope
    }

    /// `C(t) = (I_2k + t/2 V^T U)^{-1} V^T W` (2k x k), by LU with partial
    /// pivoting.
    pub fn coefficients(&self, t: f64) -> Result<Mat<f64>, OrthoError> {
        let n = self.vtu.nrows();
        let m = Mat::from_fn(n, n, |i, j| {
            let id = if i == j { 1.0 } else { 0.0 };
            id + 0.5 * t * self.vtu[(i, j)]
        });
        if !all_finite(m.as_ref()) {
            return Err(OrthoError::NonFinite);
        }
        let c = m.partial_piv_lu().solve(self.vtw.as_ref());
        if all_finite(c.as_ref()) {
            Ok(c)
        } else {
            Err(OrthoError::Singular)
        }
    }

    /// The curve's point `Y(t) = W - t U C(t)` (d x k).
    pub fn point(&self, t: f64) -> Result<Mat<f64>, OrthoError> {
        let mut y = Mat::zeros(self.w.nrows(), self.w.ncols());
        self.point_into(t, self.coefficients(t)?.as_ref(), y.as_mut());
        Ok(y)
    }

    /// [`CayleyCurve::point`] into `y` (d x k), with `c = C(t)` from
    /// [`CayleyCurve::coefficients`] already at hand; returns the largest
    /// change of an entry, `max |Y(t) - W|` (NaN entries are passed over).
    /// Sequential: the direction search runs it beside its `X^T R`, which
    /// keeps the other cores busy.
    ///
    /// # Panics
    /// If `c` is not 2k x k or `y` not d x k.
    pub fn point_into(&self, t: f64, c: MatRef<'_, f64>, mut y: MatMut<'_, f64>) -> f64 {
        let k = self.w.ncols();
        assert_eq!(
            (c.nrows(), c.ncols(), y.nrows(), y.ncols()),
            (2 * k, k, self.w.nrows(), k),
            "CayleyCurve::point_into: c must be 2k x k and y d x k"
        );
        let (w, p) = (self.w, self.p);
        y.copy_from(w);
        matmul(y.as_mut(), Accum::Add, p, c.get(..k, ..), -t, Par::Seq);
        matmul(y.as_mut(), Accum::Add, w, c.get(k.., ..), -t, Par::Seq);
        let y = y.as_ref();
        (0..k).fold(0.0, |change, j| {
            let (yj, wj) = (y.col(j), w.col(j));
            match (yj.try_as_col_major(), wj.try_as_col_major()) {
                (Some(yj), Some(wj)) => {
                    change.max(largest_difference(yj.as_slice(), wj.as_slice()))
                }
                _ => yj
                    .iter()
                    .zip(wj.iter())
                    .fold(change, |m, (a, b)| m.max((a - b).abs())),
            }
        })
    }
}

/// `max |a_i - b_i|` (0 for empty slices; NaN differences are passed
/// over), in eight independent running maxima, which the compiler can
/// vectorise, where one running maximum waits on every comparison.
fn largest_difference(a: &[f64], b: &[f64]) -> f64 {
    const LANES: usize = 8;
    let mut partial = [0.0f64; LANES];
    let (a8, b8) = (a.chunks_exact(LANES), b.chunks_exact(LANES));
    let tail = a8
        .remainder()
        .iter()
        .zip(b8.remainder())
        .fold(0.0f64, |m, (x, y)| m.max((x - y).abs()));
    for (x, y) in a8.zip(b8) {
        for l in 0..LANES {
            let d = (x[l] - y[l]).abs();
            // A NaN `d` fails the comparison and is passed over.
            if d > partial[l] {
                partial[l] = d;
            }
        }
    }
    partial.iter().fold(tail, |m, &p| m.max(p))
}

/// The full Cayley step `(I + t/2 A)^{-1} (I - t/2 A) W`, `A = P W^T - W
/// P^T`, with a d x d LU solve: the reference for [`CayleyCurve::point`].
pub fn cayley_full(w: MatRef<'_, f64>, p: MatRef<'_, f64>, t: f64) -> Result<Mat<f64>, OrthoError> {
    let d = w.nrows();
    let mut a = Mat::zeros(d, d);
    matmul(a.as_mut(), Accum::Replace, p, w.transpose(), 1.0, Par::Seq);
    matmul(a.as_mut(), Accum::Add, w, p.transpose(), -1.0, Par::Seq);
    let m = Mat::from_fn(
        d,
        d,
        |i, j| if i == j { 1.0 } else { 0.0 } + 0.5 * t * a[(i, j)],
    );
    let mut rhs = w.to_owned();
    matmul(rhs.as_mut(), Accum::Add, a.as_ref(), w, -0.5 * t, Par::Seq);
    if !all_finite(m.as_ref()) || !all_finite(rhs.as_ref()) {
        return Err(OrthoError::NonFinite);
    }
    let y = m.partial_piv_lu().solve(rhs.as_ref());
    if all_finite(y.as_ref()) {
        Ok(y)
    } else {
        Err(OrthoError::Singular)
    }
}

/// `X W` (n x k), parallel over blocks of rows.
///
/// # Panics
/// If `x.ncols() != w.nrows()`.
pub fn project(x: MatRef<'_, f64>, w: MatRef<'_, f64>) -> Mat<f64> {
    let mut out = Mat::zeros(x.nrows(), w.ncols());
    project_into(x, w, out.as_mut());
    out
}

/// [`project`] into `out` (n x k).
///
/// # Panics
/// If `x.ncols() != w.nrows()` or `out` is not n x k.
pub fn project_into(x: MatRef<'_, f64>, w: MatRef<'_, f64>, out: MatMut<'_, f64>) {
    assert_eq!(x.ncols(), w.nrows(), "project: X is n x d, W must be d x k");
    assert_eq!(
        (out.nrows(), out.ncols()),
        (x.nrows(), w.ncols()),
        "project: out must be n x k"
    );
    out.par_row_chunks_mut(ROW_BLOCK)
        .zip(x.par_row_chunks(ROW_BLOCK))
        .for_each(|(o, xb)| matmul(o, Accum::Replace, xb, w, 1.0, Par::Seq));
}

/// The layer update in place: `X <- X + (Z - X W) W^T` (X n x d, W d x k,
/// Z n x k). With `Z = T^{-1}(X' W)` the same call inverts a layer. Each
/// block of rows computes its own `X W`, so the block stays in cache.
///
/// # Panics
/// If the shapes do not fit.
pub fn layer_update(x: MatMut<'_, f64>, w: MatRef<'_, f64>, z: MatRef<'_, f64>) {
    assert_eq!(
        x.ncols(),
        w.nrows(),
        "layer_update: X is n x d, W must be d x k"
    );
    assert_eq!(
        (z.nrows(), z.ncols()),
        (x.nrows(), w.ncols()),
        "layer_update: Z must be n x k"
    );
    x.par_row_chunks_mut(ROW_BLOCK)
        .zip(z.par_row_chunks(ROW_BLOCK))
        .for_each(|(mut xb, zb)| {
            let mut delta = zb.to_owned();
            matmul(delta.as_mut(), Accum::Add, xb.as_ref(), w, -1.0, Par::Seq);
            matmul(
                xb.as_mut(),
                Accum::Add,
                delta.as_ref(),
                w.transpose(),
                1.0,
                Par::Seq,
            );
        });
}

/// [`layer_update`] when the caller already holds `P = X W`:
/// `X <- X + (Z - P) W^T`.
///
/// # Panics
/// If the shapes do not fit.
pub fn layer_update_with_projection(
    x: MatMut<'_, f64>,
    w: MatRef<'_, f64>,
    z: MatRef<'_, f64>,
    p: MatRef<'_, f64>,
) {
    assert_eq!(
        x.ncols(),
        w.nrows(),
        "layer_update: X is n x d, W must be d x k"
    );
    assert_eq!(
        (z.nrows(), z.ncols()),
        (x.nrows(), w.ncols()),
        "layer_update: Z must be n x k"
    );
    assert_eq!(
        (p.nrows(), p.ncols()),
        (z.nrows(), z.ncols()),
        "layer_update: P must be n x k"
    );
    x.par_row_chunks_mut(ROW_BLOCK)
        .zip(z.par_row_chunks(ROW_BLOCK).zip(p.par_row_chunks(ROW_BLOCK)))
        .for_each(|(mut xb, (zb, pb))| {
            let delta = Mat::from_fn(zb.nrows(), zb.ncols(), |i, j| zb[(i, j)] - pb[(i, j)]);
            matmul(
                xb.as_mut(),
                Accum::Add,
                delta.as_ref(),
                w.transpose(),
                1.0,
                Par::Seq,
            );
        });
}
