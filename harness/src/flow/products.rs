//! The two data products of every direction-search iteration, `X M` (n x K)
//! and `X^T R` (d x K), in the precision the config asks for: `f64` with
//! faer, or `f32` on `kernels::gemm` with the data held once in each layout
//! the products stream through (row-major `X` and row-major `X^T`).
//!
//! Both forms split the work into fixed blocks, each summed sequentially, so
//! results do not depend on the thread count.

use super::config::SearchPrecision;
use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, MatRef, Par};
use kernels::gemm::{matmul_narrow, padded_cols};
use kernels::ortho::project;
use rayon::prelude::*;

/// Columns of `X` per parallel block of the `f64` product `X^T R`.
const GRAD_COL_BLOCK: usize = 64;

/// The search's data matrix, ready for its products.
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
    },
}

/// `m` (r x k, f64) as an r x `padded_cols(k)` row-major `f32` array.
fn pack(m: MatRef<'_, f64>) -> Vec<f32> {
    let kp = padded_cols(m.ncols());
    let mut out = vec![0.0f32; m.nrows() * kp];
    for (i, row) in out.chunks_exact_mut(kp).enumerate() {
        for (j, o) in row.iter_mut().take(m.ncols()).enumerate() {
            *o = m[(i, j)] as f32;
        }
    }
    out
}

/// The first `k` columns of an r x kp row-major `f32` array, as `f64`.
fn unpack(packed: &[f32], k: usize) -> Mat<f64> {
    let kp = padded_cols(k);
    Mat::from_fn(packed.len() / kp, k, |i, j| f64::from(packed[i * kp + j]))
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
                Products::F32 { rows, cols, n, d }
            }
        }
    }

    /// `X M` for a d x K matrix `M`.
    pub fn times(&self, m: MatRef<'_, f64>) -> Mat<f64> {
        match self {
            Products::F64(x) => project(*x, m),
            Products::F32 { rows, n, d, .. } => {
                let mut out = vec![0.0f32; n * padded_cols(m.ncols())];
                matmul_narrow(rows, *d, &pack(m), &mut out);
                unpack(&out, m.ncols())
            }
        }
    }

    /// `X^T R` for an n x K matrix `R`.
    pub fn transpose_times(&self, r: MatRef<'_, f64>) -> Mat<f64> {
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
            Products::F32 { cols, n, d, .. } => {
                let mut out = vec![0.0f32; d * padded_cols(r.ncols())];
                matmul_narrow(cols, *n, &pack(r), &mut out);
                unpack(&out, r.ncols())
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
        let exact = Products::new(x.as_ref(), SearchPrecision::F64);
        let fast = Products::new(x.as_ref(), SearchPrecision::F32);
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
