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
use kernels::gemm::{matmul_narrow, padded_cols};
use kernels::ortho::project_into;
use rayon::prelude::*;

/// Columns of `X` per parallel block of the `f64` product `X^T R`.
const GRAD_COL_BLOCK: usize = 64;

/// The search's data matrix, ready for its products. The `f32` form keeps
/// its packed operands and results between calls, so the search's
/// iterations allocate nothing of size n.
pub enum Products<'a> {
    /// `f64` products on the data as given.
    F64(MatRef<'a, f64>),
    /// `f32` copies of the data.
    F32 {
        /// n x d, row-major.
        rows: Vec<f32>,
        /// d x n, row-major (the columns of X).
        cols: Vec<f32>,
        n: usize,
        d: usize,
        /// The right-hand side, packed (`padded_cols` wide, row-major).
        rhs: Vec<f32>,
        /// The product, packed the same way.
        out: Vec<f32>,
    },
}

/// `m` (r x k, f64) into `packed`, as an r x `padded_cols(k)` row-major
/// `f32` array.
fn pack(m: MatRef<'_, f64>, packed: &mut Vec<f32>) {
    let (r, k) = (m.nrows(), m.ncols());
    let kp = padded_cols(k);
    packed.clear();
    packed.resize(r * kp, 0.0);
    for j in 0..k {
        for (i, &v) in m.col(j).iter().enumerate() {
            packed[i * kp + j] = v as f32;
        }
    }
}

/// The first `dst.ncols()` columns of a row-major `f32` array of rows
/// `padded_cols(dst.ncols())` long, into `dst` as `f64`.
fn unpack(packed: &[f32], mut dst: MatMut<'_, f64>) {
    let kp = padded_cols(dst.ncols());
    for j in 0..dst.ncols() {
        for (i, o) in dst.as_mut().col_mut(j).iter_mut().enumerate() {
            *o = f64::from(packed[i * kp + j]);
        }
    }
}

/// `out = A B` for `A` row-major with `p` columns, `B` = `m` packed.
fn packed_product(a: &[f32], p: usize, m: MatRef<'_, f64>, rhs: &mut Vec<f32>, out: &mut Vec<f32>) {
    pack(m, rhs);
    out.clear();
    out.resize(a.len() / p * padded_cols(m.ncols()), 0.0);
    matmul_narrow(a, p, rhs, out);
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
                    rows,
                    cols,
                    n,
                    d,
                    rhs: Vec::new(),
                    out: Vec::new(),
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
            Products::F32 {
                rows,
                n,
                d,
                rhs,
                out,
                ..
            } => {
                assert_eq!(
                    (m.nrows(), dst.nrows(), dst.ncols()),
                    (*d, *n, m.ncols()),
                    "Products::times_into: shapes"
                );
                packed_product(rows, *d, m, rhs, out);
                unpack(out, dst);
            }
        }
    }

    /// `X M` for a d x K matrix `M`.
    pub fn times(&mut self, m: MatRef<'_, f64>) -> Mat<f64> {
        let rows = match self {
            Products::F64(x) => x.nrows(),
            Products::F32 { n, .. } => *n,
        };
        let mut dst = Mat::zeros(rows, m.ncols());
        self.times_into(m, dst.as_mut());
        dst
    }

    /// `X^T R` for an n x K matrix `R`.
    pub fn transpose_times(&mut self, r: MatRef<'_, f64>) -> Mat<f64> {
        match self {
            Products::F64(x) => {
                let mut g = Mat::zeros(x.ncols(), r.ncols());
                g.as_mut()
                    .par_row_chunks_mut(GRAD_COL_BLOCK)
                    .enumerate()
                    .for_each(|(b, gb)| {
                        let cols = gb.nrows();
                        let xb = x.get(.., b * GRAD_COL_BLOCK..b * GRAD_COL_BLOCK + cols);
                        matmul(gb, Accum::Replace, xb.transpose(), r, 1.0, Par::Seq);
                    });
                g
            }
            Products::F32 {
                cols,
                n,
                d,
                rhs,
                out,
                ..
            } => {
                assert_eq!(
                    r.nrows(),
                    *n,
                    "Products::transpose_times: R must have n rows"
                );
                packed_product(cols, *n, r, rhs, out);
                let mut g = Mat::zeros(*d, r.ncols());
                unpack(out, g.as_mut());
                g
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_precisions_give_the_same_products() {
        let x = Mat::from_fn(37, 11, |i, j| ((i * 5 + j * 3) % 7) as f64 - 3.0);
        let m = Mat::from_fn(11, 3, |i, j| (i + 2 * j) as f64 * 0.25);
        let r = Mat::from_fn(37, 3, |i, j| ((i * j) % 4) as f64 - 1.5);
        let mut exact = Products::new(x.as_ref(), SearchPrecision::F64);
        let mut fast = Products::new(x.as_ref(), SearchPrecision::F32);
        for (a, b) in [
            (exact.times(m.as_ref()), fast.times(m.as_ref())),
            (
                exact.transpose_times(r.as_ref()),
                fast.transpose_times(r.as_ref()),
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
