//! The two data products of every direction-search iteration, `X M` (n x K)
//! and `X^T R` (d x K), in the precision the config asks for: `f64` with
//! faer, or `f32` on `kernels::gemm` with the data held once in each layout
//! the products stream through (row-major `X` and row-major `X^T`).
//!
//! Both forms split the work into fixed blocks, each summed sequentially, so
//! results do not depend on the thread count.

use super::config::SearchPrecision;
use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, MatMut, MatRef, Par};
use kernels::gemm::{padded_cols, PackedRows};
use kernels::ortho::{project_into, CayleyCurve, OrthoError};
use rayon::prelude::*;

/// Columns of `X` per parallel block of the `f64` product `X^T R`.
const GRAD_COL_BLOCK: usize = 64;

/// The search's data matrix, ready for its products. The `f32` form keeps
/// its packed operands and results between calls, so the search's
/// iterations allocate nothing.
pub enum Products<'a> {
    /// `f64` products on the data as given.
    F64(MatRef<'a, f64>),
    /// `f32` copies of the data.
    F32(Box<F32Products>),
}

/// The packed `f32` operands of [`Products::F32`].
pub struct F32Products {
    /// `X` times a d x K matrix.
    x: PackedProduct,
    /// `X^T` times an n x K matrix.
    xt: PackedProduct,
    /// `[X P, X W]` of the current iteration times the curve's
    /// coefficients.
    curve: PackedProduct,
}

/// `[X P, X W]` (n x 2K) of one search iteration, from which the
/// projections on any point of the Cayley curve through W along P follow in
/// O(n K^2); at `f32` precision packed once for `kernels::gemm`.
pub struct CurveBasis<'s> {
    xu: MatRef<'s, f64>,
    packed: Option<&'s mut PackedProduct>,
}

impl CurveBasis<'_> {
    /// `X Y(t) = X W - t [X P, X W] C(t)` (n x K) into `dst`, as
    /// [`CayleyCurve::project_into`] does in `f64`.
    ///
    /// # Panics
    /// If `dst` is not n x K.
    pub fn project(
        &mut self,
        curve: &CayleyCurve,
        t: f64,
        mut dst: MatMut<'_, f64>,
    ) -> Result<(), OrthoError> {
        let Some(packed) = self.packed.as_deref_mut() else {
            return curve.project_into(self.xu, t, dst);
        };
        let c = curve.coefficients(t)?;
        let k = dst.ncols();
        packed.apply(c.as_ref(), dst.as_mut());
        for j in 0..k {
            let xw = self.xu.col(k + j);
            for (o, &w) in dst.as_mut().col_mut(j).iter_mut().zip(xw.iter()) {
                *o = w - t * *o;
            }
        }
        Ok(())
    }
}

/// An `f32` left-hand side packed for `kernels::gemm`, with buffers for the
/// right-hand side and the product.
pub struct PackedProduct {
    a: PackedRows,
    /// The right-hand side, `padded_cols` wide, row-major.
    rhs: Vec<f32>,
    /// Columns of the right-hand side in `rhs` (the rest is zero padding).
    rhs_cols: usize,
    /// The product, the same way.
    out: Vec<f32>,
}

impl PackedProduct {
    /// Packs the `rows` x `p` matrix with entries `entry(i, j)`.
    fn new(rows: usize, p: usize, entry: impl Fn(usize, usize) -> f32 + Sync) -> Self {
        PackedProduct {
            a: PackedRows::from_fn(rows, p, entry),
            rhs: Vec::new(),
            rhs_cols: 0,
            out: Vec::new(),
        }
    }

    /// `dst = A m` (`m` p x K, `dst` rows x K), through `f32`.
    fn apply(&mut self, m: MatRef<'_, f64>, mut dst: MatMut<'_, f64>) {
        let (k, kp) = (m.ncols(), padded_cols(m.ncols()));
        assert_eq!(
            (dst.nrows(), dst.ncols()),
            (self.a.rows(), k),
            "Products: the product's shape"
        );
        if self.rhs.len() != m.nrows() * kp || self.rhs_cols != k {
            // New shape: the padding columns must be zero.
            self.rhs.clear();
            self.rhs.resize(m.nrows() * kp, 0.0);
            self.rhs_cols = k;
        }
        for j in 0..k {
            for (o, &v) in self.rhs[j..].iter_mut().step_by(kp).zip(m.col(j).iter()) {
                *o = v as f32;
            }
        }
        self.out.resize(self.a.rows() * kp, 0.0);
        self.a.times(&self.rhs, &mut self.out);
        for j in 0..k {
            let column = self.out[j..].iter().step_by(kp);
            for (o, &v) in dst.as_mut().col_mut(j).iter_mut().zip(column) {
                *o = f64::from(v);
            }
        }
    }
}

impl<'a> Products<'a> {
    /// Prepares the products of `x` (n x d) at the given precision.
    pub fn new(x: MatRef<'a, f64>, precision: SearchPrecision) -> Self {
        match precision {
            SearchPrecision::F64 => Products::F64(x),
            SearchPrecision::F32 => {
                let (n, d) = (x.nrows(), x.ncols());
                Products::F32(Box::new(F32Products {
                    x: PackedProduct::new(n, d, |i, j| x[(i, j)] as f32),
                    xt: PackedProduct::new(d, n, |i, j| x[(j, i)] as f32),
                    curve: PackedProduct::new(0, 1, |_, _| 0.0),
                }))
            }
        }
    }

    /// `X M` for a d x K matrix `M`, into `dst` (n x K).
    ///
    /// # Panics
    /// If the shapes do not fit.
    pub fn times_into(&mut self, m: MatRef<'_, f64>, dst: MatMut<'_, f64>) {
        match self {
            Products::F64(x) => project_into(*x, m, dst),
            Products::F32(f) => f.x.apply(m, dst),
        }
    }

    /// `X M` for a d x K matrix `M`.
    pub fn times(&mut self, m: MatRef<'_, f64>) -> Mat<f64> {
        let rows = match self {
            Products::F64(x) => x.nrows(),
            Products::F32(f) => f.x.a.rows(),
        };
        let mut dst = Mat::zeros(rows, m.ncols());
        self.times_into(m, dst.as_mut());
        dst
    }

    /// The curve basis `xu = [X P, X W]` of an iteration, packed at this
    /// precision.
    pub fn curve_basis<'s>(&'s mut self, xu: MatRef<'s, f64>) -> CurveBasis<'s> {
        let packed = match self {
            Products::F64(_) => None,
            Products::F32(f) => {
                f.curve
                    .a
                    .repack_with(xu.nrows(), xu.ncols(), |i, j| xu[(i, j)] as f32);
                Some(&mut f.curve)
            }
        };
        CurveBasis { xu, packed }
    }

    /// `X^T R` for an n x K matrix `R`, into `dst` (d x K).
    ///
    /// # Panics
    /// If the shapes do not fit.
    pub fn transpose_times_into(&mut self, r: MatRef<'_, f64>, dst: MatMut<'_, f64>) {
        match self {
            Products::F64(x) => {
                assert_eq!(
                    (dst.nrows(), dst.ncols(), r.nrows()),
                    (x.ncols(), r.ncols(), x.nrows()),
                    "Products: the product's shape"
                );
                dst.par_row_chunks_mut(GRAD_COL_BLOCK)
                    .enumerate()
                    .for_each(|(b, gb)| {
                        let cols = gb.nrows();
                        let xb = x.get(.., b * GRAD_COL_BLOCK..b * GRAD_COL_BLOCK + cols);
                        matmul(gb, Accum::Replace, xb.transpose(), r, 1.0, Par::Seq);
                    });
            }
            Products::F32(f) => f.xt.apply(r, dst),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn gradient(products: &mut Products<'_>, r: MatRef<'_, f64>, d: usize) -> Mat<f64> {
        let mut g = Mat::zeros(d, r.ncols());
        products.transpose_times_into(r, g.as_mut());
        g
    }

    /// Both precisions agree, also when the buffers are reused for
    /// products of other widths.
    #[test]
    fn both_precisions_give_the_same_products() {
        let x = Mat::from_fn(37, 11, |i, j| ((i * 5 + j * 3) % 7) as f64 - 3.0);
        let mut exact = Products::new(x.as_ref(), SearchPrecision::F64);
        let mut fast = Products::new(x.as_ref(), SearchPrecision::F32);
        for k in [3, 1, 20, 3] {
            let m = Mat::from_fn(11, k, |i, j| (i + 2 * j) as f64 * 0.25);
            let r = Mat::from_fn(37, k, |i, j| ((i * j) % 4) as f64 - 1.5);
            for (a, b) in [
                (exact.times(m.as_ref()), fast.times(m.as_ref())),
                (
                    gradient(&mut exact, r.as_ref(), 11),
                    gradient(&mut fast, r.as_ref(), 11),
                ),
            ] {
                assert_eq!((a.nrows(), a.ncols()), (b.nrows(), b.ncols()));
                for j in 0..a.ncols() {
                    for i in 0..a.nrows() {
                        assert!((a[(i, j)] - b[(i, j)]).abs() <= 1e-4 * (1.0 + a[(i, j)].abs()));
                    }
                }
            }
        }
    }

    /// The `f32` curve projections agree with the `f64` ones.
    #[test]
    fn both_precisions_give_the_same_curve_projections() {
        let (n, d, k) = (50, 9, 3);
        let x = Mat::from_fn(n, d, |i, j| ((i * 7 + j * 5) % 11) as f64 * 0.2 - 1.0);
        let w = kernels::ortho::random_frame(d, k, &mut rand::rngs::StdRng::seed_from_u64(1));
        let p = Mat::from_fn(d, k, |i, j| ((i + 3 * j) % 5) as f64 * 0.1 - 0.2);
        let curve = CayleyCurve::new(w.as_ref(), p.as_ref());
        let mut exact = Products::new(x.as_ref(), SearchPrecision::F64);
        let mut xu = Mat::zeros(n, 2 * k);
        exact.times_into(p.as_ref(), xu.get_mut(.., ..k));
        exact.times_into(w.as_ref(), xu.get_mut(.., k..));
        let mut fast = Products::new(x.as_ref(), SearchPrecision::F32);
        for t in [0.01, 0.3, 2.0] {
            let (mut a, mut b) = (Mat::zeros(n, k), Mat::zeros(n, k));
            exact
                .curve_basis(xu.as_ref())
                .project(&curve, t, a.as_mut())
                .unwrap();
            fast.curve_basis(xu.as_ref())
                .project(&curve, t, b.as_mut())
                .unwrap();
            let y = curve.point(t).unwrap();
            for j in 0..k {
                for i in 0..n {
                    let direct: f64 = (0..d).map(|l| x[(i, l)] * y[(l, j)]).sum();
                    assert!((a[(i, j)] - direct).abs() <= 1e-10, "f64 t={t}");
                    assert!(
                        (b[(i, j)] - direct).abs() <= 1e-5 * (1.0 + direct.abs()),
                        "f32 t={t}"
                    );
                }
            }
        }
    }
}
