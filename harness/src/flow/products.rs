//! The data products of every direction-search iteration, `X M` (n x K) and
//! `X^T R` (d x K), and the projections on the Cayley curve's trial points,
//! `X W - t [X P, X W] C` (n x K), in the search's precision: `f64` with faer on the
//! data as given, or `f32` on `kernels::gemm` with the data packed once (one
//! copy of `X`, which `X^T R` reads column-wise; a second, of `X^T`, at the
//! portable level). The n x K
//! matrices are [`Narrow`]s of the search's float type, so the `f32` search
//! never converts them.
//!
//! Both forms split the work into fixed blocks, each summed sequentially, so
//! results do not depend on the thread count.

use super::narrow::{Narrow, Projections, SearchFloat};
use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, MatMut, MatRef, Par};
use kernels::gemm::{aligned_zeros, matmul_row_blocks, padded_cols, Aligned, PackedRows, RowBlock};
use kernels::ortho::project_into;
use rayon::prelude::*;

/// Columns of `X` per parallel block of the `f64` product `X^T R`.
const GRAD_COL_BLOCK: usize = 64;

/// The products of the direction search on an n x d data matrix `X`, with
/// n x K matrices of type `T`.
pub trait DataProducts<T: SearchFloat>: Send {
    /// `dst = X m` for a d x K matrix `m`.
    fn times(&mut self, m: MatRef<'_, f64>, dst: &mut Narrow<T>);

    /// `dst = X^T r` (d x K) for an n x K matrix `r`.
    fn transpose_times(&mut self, r: &Narrow<T>, dst: MatMut<'_, f64>);

    /// `dst = X G` for the `G = X^T r` of the last
    /// [`DataProducts::transpose_times`], as that product left it (the
    /// `f32` form multiplies its `f32` result without a round trip through
    /// `f64`).
    fn times_gradient(&mut self, dst: &mut Narrow<T>);

    /// `dst = xw - t [xp, xw] c`: the projections on the Cayley curve's
    /// point at `t`, from the projections `xw` on its start, `xp` on the
    /// gradient and the curve's 2K x K coefficients `c` (see
    /// `kernels::ortho::CayleyCurve`).
    fn curve_projections(
        &mut self,
        basis: (&Narrow<T>, &Projections<T>),
        c: MatRef<'_, f64>,
        t: f64,
        dst: &mut Projections<T>,
    );
}

/// `f64` products with faer on the data as given. faer multiplies
/// column-major n x K matrices faster than the row-major [`Narrow`]s, so
/// those go through a column-major copy.
pub struct F64Products<'a> {
    x: MatRef<'a, f64>,
    /// The d x K product `X^T R` of the last `transpose_times`.
    gradient: Mat<f64>,
    basis: Mat<f64>,
    /// An n x K matrix in column-major order.
    columns: Mat<f64>,
}

impl<'a> F64Products<'a> {
    /// Products of `x` (n x d).
    pub fn new(x: MatRef<'a, f64>) -> Self {
        F64Products {
            x,
            gradient: Mat::zeros(0, 0),
            basis: Mat::zeros(0, 0),
            columns: Mat::zeros(0, 0),
        }
    }
}

/// `m`, resized to `rows` x `cols` (contents unspecified).
fn resized(m: &mut Mat<f64>, rows: usize, cols: usize) -> MatMut<'_, f64> {
    if (m.nrows(), m.ncols()) != (rows, cols) {
        *m = Mat::zeros(rows, cols);
    }
    m.as_mut()
}

/// `dst = x m`, computed column-major in `columns`.
fn times_through(
    x: MatRef<'_, f64>,
    m: MatRef<'_, f64>,
    columns: &mut Mat<f64>,
    dst: &mut Narrow<f64>,
) {
    let mut xm = resized(columns, x.nrows(), m.ncols());
    project_into(x, m, xm.as_mut());
    dst.as_mut().copy_from(xm);
}

impl DataProducts<f64> for F64Products<'_> {
    fn times(&mut self, m: MatRef<'_, f64>, dst: &mut Narrow<f64>) {
        times_through(self.x, m, &mut self.columns, dst);
    }

    fn transpose_times(&mut self, r: &Narrow<f64>, mut dst: MatMut<'_, f64>) {
        let x = self.x;
        resized(&mut self.columns, r.rows(), r.as_ref().ncols()).copy_from(r.as_ref());
        let r = self.columns.as_ref();
        assert_eq!(
            (dst.nrows(), dst.ncols(), r.nrows()),
            (x.ncols(), r.ncols(), x.nrows()),
            "Products: the product's shape"
        );
        let gradient = resized(&mut self.gradient, dst.nrows(), dst.ncols());
        gradient
            .par_row_chunks_mut(GRAD_COL_BLOCK)
            .enumerate()
            .for_each(|(b, gb)| {
                let cols = gb.nrows();
                let xb = x.get(.., b * GRAD_COL_BLOCK..b * GRAD_COL_BLOCK + cols);
                matmul(gb, Accum::Replace, xb.transpose(), r, 1.0, Par::Seq);
            });
        dst.copy_from(&self.gradient);
    }

    fn times_gradient(&mut self, dst: &mut Narrow<f64>) {
        times_through(self.x, self.gradient.as_ref(), &mut self.columns, dst);
    }

    fn curve_projections(
        &mut self,
        (xp, xw): (&Narrow<f64>, &Projections<f64>),
        c: MatRef<'_, f64>,
        t: f64,
        dst: &mut Projections<f64>,
    ) {
        let (n, k) = (xp.rows(), xp.as_ref().ncols());
        let mut basis = resized(&mut self.basis, n, 2 * k);
        basis.as_mut().get_mut(.., ..k).copy_from(xp.as_ref());
        basis.get_mut(.., k..).copy_from(xw.rounded.as_ref());
        let mut out = resized(&mut self.columns, n, c.ncols());
        project_into(self.basis.as_ref(), c, out.as_mut());
        // The product's rows are copied into each block as it is stepped.
        let (out, stride) = (self.columns.as_ref(), dst.rounded.stride());
        dst.step_from(xw, t, |first, rows| {
            for (r, row) in rows.chunks_exact_mut(stride).enumerate() {
                for (j, v) in row[..k].iter_mut().enumerate() {
                    *v = out[(first + r, j)];
                }
            }
        });
    }
}

/// `f32` products on `kernels::gemm`: `X` packed once, which `X^T R` reads
/// column-wise as well where that is fast (one 5 MB copy instead of two at
/// the bench's shape, so more of the data stays in cache), the curve basis
/// read in place.
pub struct F32Products {
    x: PackedRows,
    /// `X^T` packed too, at the levels where reading `x` column-wise is
    /// slow (see `PackedRows::transpose_reads_fast`).
    xt: Option<PackedRows>,
    /// The right-hand side of the next product, row-major, padded.
    rhs: Aligned<f32>,
    /// Columns of the matrix in `rhs`, the rest being zero padding.
    rhs_cols: usize,
    /// The d x K product `X^T R`, row-major, padded.
    gradient: Aligned<f32>,
}

impl F32Products {
    /// Products of `x` (n x d), rounded to `f32`.
    pub fn new(x: MatRef<'_, f64>) -> Self {
        let mut products = F32Products {
            x: PackedRows::new(&[], 1),
            xt: None,
            rhs: aligned_zeros(0),
            rhs_cols: 0,
            gradient: aligned_zeros(0),
        };
        products.repack(x);
        products
    }

    /// Products of another `x`, in the storage of these (allocated anew
    /// only when the shape changes): the next layer's search reuses the
    /// last one's.
    pub fn repack(&mut self, x: MatRef<'_, f64>) {
        let (n, d) = (x.nrows(), x.ncols());
        self.x.repack_with(n, d, |i, j| x[(i, j)] as f32);
        if !self.x.transpose_reads_fast() {
            let xt = self.xt.get_or_insert_with(|| PackedRows::new(&[], 1));
            xt.repack_with(d, n, |i, j| x[(j, i)] as f32);
        }
    }

    /// Rounds `m` into `rhs` as `kernels::gemm` reads it: row-major, rows
    /// padded with zeros to `padded_cols(m.ncols())`.
    fn load_rhs(&mut self, m: MatRef<'_, f64>) {
        let kp = padded_cols(m.ncols());
        if self.rhs.len() != m.nrows() * kp || self.rhs_cols != m.ncols() {
            // A new shape: zero the padding once.
            self.rhs.clear();
            self.rhs.resize(m.nrows() * kp, 0.0);
            self.rhs_cols = m.ncols();
        }
        for (j, col) in m.col_iter().enumerate() {
            for (o, &v) in self.rhs[j..].iter_mut().step_by(kp).zip(col.iter()) {
                *o = v as f32;
            }
        }
    }
}

/// `m`'s rows from `first` as a block of columns for
/// `kernels::gemm::matmul_row_blocks`.
fn row_block(m: &Narrow<f32>, first: usize) -> RowBlock<'_> {
    RowBlock {
        data: &m.as_slice()[first * m.stride()..],
        cols: m.as_ref().ncols(),
        stride: m.stride(),
    }
}

impl DataProducts<f32> for F32Products {
    fn times(&mut self, m: MatRef<'_, f64>, dst: &mut Narrow<f32>) {
        self.load_rhs(m);
        self.x.times(&self.rhs, dst.as_mut_slice());
    }

    fn transpose_times(&mut self, r: &Narrow<f32>, dst: MatMut<'_, f64>) {
        let kp = r.stride();
        assert_eq!(
            (dst.nrows(), dst.ncols(), r.rows()),
            (self.x.cols(), r.as_ref().ncols(), self.x.rows()),
            "Products: the product's shape"
        );
        self.gradient.resize(self.x.cols() * kp, 0.0);
        match &self.xt {
            Some(xt) => xt.times(r.as_slice(), &mut self.gradient),
            None => self.x.transpose_times(r.as_slice(), &mut self.gradient),
        }
        for (j, col) in dst.col_iter_mut().enumerate() {
            for (o, row) in col.iter_mut().zip(self.gradient.chunks_exact(kp)) {
                *o = f64::from(row[j]);
            }
        }
    }

    fn times_gradient(&mut self, dst: &mut Narrow<f32>) {
        self.x.times(&self.gradient, dst.as_mut_slice());
    }

    /// The product `[xp, xw] c` is computed a block of rows at a time, each
    /// stepped at once, while it is in cache.
    fn curve_projections(
        &mut self,
        (xp, xw): (&Narrow<f32>, &Projections<f32>),
        c: MatRef<'_, f64>,
        t: f64,
        dst: &mut Projections<f32>,
    ) {
        self.load_rhs(c);
        let rhs = &self.rhs;
        dst.step_from(xw, t, |first, rows| {
            let basis = [row_block(xp, first), row_block(&xw.rounded, first)];
            matmul_row_blocks(&basis, rhs, rows);
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flow::narrow::Projections;
    use kernels::ortho::CayleyCurve;
    use rand::SeedableRng;

    /// The curve's step of [`all_products`].
    const T_STEP: f64 = 0.7;

    /// `a` rounded to a [`Narrow`] of type `T`.
    fn narrow<T: SearchFloat>(a: MatRef<'_, f64>) -> Narrow<T> {
        let mut out = Narrow::<T>::zeros(a.nrows(), a.ncols());
        let mut view = out.as_mut();
        for j in 0..a.ncols() {
            for i in 0..a.nrows() {
                view[(i, j)] = T::from_f64(a[(i, j)]);
            }
        }
        out
    }

    /// `X m`, `X^T r`, `r - t [X m, r] b` (r standing in for the
    /// projections X W, t = [`T_STEP`]) and `X (X^T r)` of one precision,
    /// as `f64`.
    fn all_products<T: SearchFloat>(
        products: &mut impl DataProducts<T>,
        (m, r, b): (MatRef<'_, f64>, MatRef<'_, f64>, MatRef<'_, f64>),
    ) -> [Mat<f64>; 4] {
        let (n, k) = (r.nrows(), r.ncols());
        let widen = |a: &Narrow<T>| {
            let a = a.as_ref();
            Mat::from_fn(a.nrows(), a.ncols(), |i, j| a[(i, j)].into())
        };
        let mut xm = Narrow::zeros(n, k);
        products.times(m, &mut xm);
        let mut xtr = Mat::zeros(m.nrows(), k);
        products.transpose_times(&narrow::<T>(r), xtr.as_mut());
        let mut xg = Narrow::zeros(n, k);
        products.times_gradient(&mut xg);
        let mut xw = Projections::zeros(n, k);
        xw.rounded = narrow::<T>(r);
        xw.take_rounded();
        let mut on_curve = Projections::zeros(n, k);
        products.curve_projections((&xm, &xw), b, T_STEP, &mut on_curve);
        [widen(&xm), xtr, widen(&on_curve.rounded), widen(&xg)]
    }

    /// Both precisions agree with a direct sum, also when the buffers are
    /// reused for products of other widths, on more rows than one block of
    /// the curve's projections.
    #[test]
    fn both_precisions_give_the_same_products() {
        let (n, d) = (237, 11);
        let x = Mat::from_fn(n, d, |i, j| ((i * 5 + j * 3) % 7) as f64 - 3.0);
        let mut exact = F64Products::new(x.as_ref());
        let mut fast = F32Products::new(x.as_ref());
        for k in [3, 1, 20, 3] {
            let m = Mat::from_fn(d, k, |i, j| (i + 2 * j) as f64 * 0.25);
            let r = Mat::from_fn(n, k, |i, j| ((i * j) % 4) as f64 - 1.5);
            let b = Mat::from_fn(2 * k, k, |i, j| ((i + j) % 3) as f64 * 0.5 - 0.5);
            let xm = &x * &m;
            let xtr = x.transpose() * &r;
            let direct = [
                xm.clone(),
                xtr.clone(),
                Mat::from_fn(n, k, |i, j| {
                    let sum: f64 = (0..k)
                        .map(|l| xm[(i, l)] * b[(l, j)] + r[(i, l)] * b[(k + l, j)])
                        .sum();
                    r[(i, j)] - T_STEP * sum
                }),
                &x * &xtr,
            ];
            let operands = (m.as_ref(), r.as_ref(), b.as_ref());
            let results = [
                (all_products(&mut exact, operands), 1e-12),
                (all_products(&mut fast, operands), 1e-5),
            ];
            for (got, tol) in results {
                for (which, (a, want)) in got.iter().zip(&direct).enumerate() {
                    assert_eq!((a.nrows(), a.ncols()), (want.nrows(), want.ncols()));
                    // Rounding errors grow with the largest entry.
                    let size = want.norm_max();
                    for j in 0..a.ncols() {
                        for i in 0..a.nrows() {
                            let (a, w) = (a[(i, j)], want[(i, j)]);
                            assert!(
                                (a - w).abs() <= tol * (1.0 + size),
                                "{which} k={k} tol={tol} ({i},{j}): {a} vs {w}"
                            );
                        }
                    }
                }
            }
        }
    }

    /// The projections on the Cayley curve, `X W - t [X P, X W] C(t)`, agree with
    /// `X Y(t)` in both precisions.
    #[test]
    fn both_precisions_give_the_curve_projections() {
        let (n, d, k) = (250, 9, 3);
        let x = Mat::from_fn(n, d, |i, j| ((i * 7 + j * 5) % 11) as f64 * 0.2 - 1.0);
        let w = kernels::ortho::random_frame(d, k, &mut rand::rngs::StdRng::seed_from_u64(1));
        let p = Mat::from_fn(d, k, |i, j| ((i + 3 * j) % 5) as f64 * 0.1 - 0.2);
        let curve = CayleyCurve::new(w.as_ref(), p.as_ref());
        fn on_curve<T: SearchFloat>(
            products: &mut impl DataProducts<T>,
            curve: &CayleyCurve,
            (w, p): (MatRef<'_, f64>, MatRef<'_, f64>),
            t: f64,
        ) -> Mat<f64> {
            let (n, k) = (250, w.ncols());
            let (mut xw, mut xp, mut out) = (
                Projections::zeros(n, k),
                Narrow::zeros(n, k),
                Projections::zeros(n, k),
            );
            products.times(w, &mut xw.rounded);
            xw.take_rounded();
            products.times(p, &mut xp);
            let c = curve.coefficients(t).unwrap();
            products.curve_projections((&xp, &xw), c.as_ref(), t, &mut out);
            let out = out.rounded.as_ref();
            Mat::from_fn(n, k, |i, j| out[(i, j)].into())
        }
        for t in [0.01, 0.3, 2.0] {
            let y = curve.point(t).unwrap();
            let direct = &x * &y;
            let wp = (w.as_ref(), p.as_ref());
            let a = on_curve(&mut F64Products::new(x.as_ref()), &curve, wp, t);
            let b = on_curve(&mut F32Products::new(x.as_ref()), &curve, wp, t);
            for j in 0..k {
                for i in 0..n {
                    let want = direct[(i, j)];
                    assert!((a[(i, j)] - want).abs() <= 1e-10, "f64 t={t}");
                    assert!(
                        (b[(i, j)] - want).abs() <= 1e-5 * (1.0 + want.abs()),
                        "f32 t={t}"
                    );
                }
            }
        }
    }

    /// The `f32` curve projections, computed and stepped a block of rows at
    /// a time, are bit for bit those of the whole product stepped after it.
    #[test]
    fn blockwise_curve_projections_are_the_whole_product_stepped() {
        let (n, d, k) = (301, 13, 20);
        let x = Mat::from_fn(n, d, |i, j| ((i * 7 + j * 5) % 11) as f64 * 0.3 - 1.3);
        let m = Mat::from_fn(d, k, |i, j| ((i * 3 + j) % 7) as f64 * 0.1 - 0.3);
        let g = Mat::from_fn(d, k, |i, j| ((i + 5 * j) % 9) as f64 * 0.2 - 0.8);
        let c = Mat::from_fn(2 * k, k, |i, j| ((i + 2 * j) % 5) as f64 * 0.07 - 0.1);
        let mut products = F32Products::new(x.as_ref());
        let (mut xw, mut xp) = (Projections::zeros(n, k), Narrow::zeros(n, k));
        products.times(m.as_ref(), &mut xw.rounded);
        xw.take_rounded();
        products.times(g.as_ref(), &mut xp);
        let mut blockwise = Projections::zeros(n, k);
        products.curve_projections((&xp, &xw), c.as_ref(), 0.37, &mut blockwise);
        let mut whole = Projections::zeros(n, k);
        products.load_rhs(c.as_ref());
        let basis = [row_block(&xp, 0), row_block(&xw.rounded, 0)];
        matmul_row_blocks(&basis, &products.rhs, whole.rounded.as_mut_slice());
        whole.step_from(&xw, 0.37, |_, _| {});
        let bits = |p: &Projections<f32>| -> Vec<u32> {
            p.rounded.as_slice().iter().map(|v| v.to_bits()).collect()
        };
        assert_eq!(bits(&blockwise), bits(&whole));
    }

    /// Products repacked with other data (of the same shape and of
    /// another) give the bits of products made for that data.
    #[test]
    fn repacked_products_are_fresh_products() {
        let data = |n: usize, d: usize, s: usize| {
            Mat::from_fn(n, d, |i, j| ((i * 7 + j * 5 + s) % 13) as f64 * 0.3 - 1.7)
        };
        let mut reused = F32Products::new(data(50, 9, 0).as_ref());
        for (n, d, s) in [(50, 9, 1), (77, 9, 2), (31, 4, 3), (77, 9, 4)] {
            let (x, k) = (data(n, d, s), 5);
            reused.repack(x.as_ref());
            let mut fresh = F32Products::new(x.as_ref());
            let m = Mat::from_fn(d, k, |i, j| ((i + 3 * j) % 7) as f64 * 0.2 - 0.5);
            let r = narrow::<f32>(
                Mat::from_fn(n, k, |i, j| ((i * 5 + j) % 11) as f64 * 0.1 - 0.4).as_ref(),
            );
            let (mut a, mut b) = (Narrow::zeros(n, k), Narrow::zeros(n, k));
            reused.times(m.as_ref(), &mut a);
            fresh.times(m.as_ref(), &mut b);
            assert_eq!(a.as_slice(), b.as_slice(), "X m, {n} x {d}");
            let (mut ga, mut gb) = (Mat::zeros(d, k), Mat::zeros(d, k));
            reused.transpose_times(&r, ga.as_mut());
            fresh.transpose_times(&r, gb.as_mut());
            assert_eq!(ga, gb, "X^T r, {n} x {d}");
        }
    }
}
