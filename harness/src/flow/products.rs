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
use kernels::ortho::project_into;
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
    F32 {
        /// `X` times a d x K matrix.
        x: PackedProduct,
        /// `X^T` times an n x K matrix.
        xt: PackedProduct,
    },
}

/// An `f32` left-hand side packed for `kernels::gemm`, with buffers for the
/// right-hand side and the product.
pub struct PackedProduct {
    a: PackedRows,
    /// The right-hand side, `padded_cols` wide, row-major.
    rhs: Vec<f32>,
    /// The product, the same way.
    out: Vec<f32>,
}

impl PackedProduct {
    /// Packs `a` (rows of length `p`).
    fn new(a: &[f32], p: usize) -> Self {
        PackedProduct {
            a: PackedRows::new(a, p),
            rhs: Vec::new(),
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
        self.rhs.resize(m.nrows() * kp, 0.0);
        for (i, row) in self.rhs.chunks_exact_mut(kp).enumerate() {
            for (j, o) in row.iter_mut().enumerate() {
                *o = if j < k { m[(i, j)] as f32 } else { 0.0 };
            }
        }
        self.out.resize(self.a.rows() * kp, 0.0);
        self.a.times(&self.rhs, &mut self.out);
        for j in 0..k {
            for (i, o) in dst.as_mut().col_mut(j).iter_mut().enumerate() {
                *o = f64::from(self.out[i * kp + j]);
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
                let mut rows = vec![0.0f32; n * d];
                rows.par_chunks_mut(d).enumerate().for_each(|(i, r)| {
                    for (j, o) in r.iter_mut().enumerate() {
                        *o = x[(i, j)] as f32;
                    }
                });
                let mut cols = vec![0.0f32; n * d];
                cols.par_chunks_mut(n).enumerate().for_each(|(j, c)| {
                    for (o, &v) in c.iter_mut().zip(x.col(j).iter()) {
                        *o = v as f32;
                    }
                });
                Products::F32 {
                    x: PackedProduct::new(&rows, d),
                    xt: PackedProduct::new(&cols, n),
                }
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
            Products::F32 { x, .. } => x.apply(m, dst),
        }
    }

    /// `X M` for a d x K matrix `M`.
    pub fn times(&mut self, m: MatRef<'_, f64>) -> Mat<f64> {
        let rows = match self {
            Products::F64(x) => x.nrows(),
            Products::F32 { x, .. } => x.a.rows(),
        };
        let mut dst = Mat::zeros(rows, m.ncols());
        self.times_into(m, dst.as_mut());
        dst
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
            Products::F32 { xt, .. } => xt.apply(r, dst),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
