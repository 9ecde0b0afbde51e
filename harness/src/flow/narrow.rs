//! The direction search's n x K matrices (projections on the directions and
//! the objective's residuals) in its working precision: row-major, each row
//! padded with zeros to [`padded_cols`] entries and stored in an [`Aligned`]
//! buffer, so `kernels::gemm` reads and writes them in place at full speed
//! and the objective reads a direction's column with a fixed stride.

use faer::{MatMut, MatRef};
use kernels::gemm::{aligned_zeros, padded_cols, Aligned};
use kernels::sort::SortKey;
use rayon::prelude::*;

/// Rows per parallel task of [`Projections::step_from`]: a multiple
/// of every `kernels::gemm` tile height, so a product written a block at a
/// time runs in whole tiles.
const ROW_BLOCK: usize = 96;

/// A floating-point type the direction search runs in (`f32` or `f64`).
pub trait SearchFloat: SortKey + Default + Into<f64> {
    /// Whether this type is `f64` itself (its values need no separate
    /// `f64` sums).
    const IS_F64: bool;
    /// `v` rounded to this type.
    fn from_f64(v: f64) -> Self;
}

impl SearchFloat for f32 {
    const IS_F64: bool = false;
    fn from_f64(v: f64) -> Self {
        v as f32
    }
}

impl SearchFloat for f64 {
    const IS_F64: bool = true;
    fn from_f64(v: f64) -> Self {
        v
    }
}

/// A rows x cols matrix, row-major with rows of `padded_cols(cols)`
/// entries, each starting a cache line; the padding entries are zero.
#[derive(Clone, Debug)]
pub struct Narrow<T> {
    data: Aligned<T>,
    rows: usize,
    cols: usize,
    stride: usize,
}

impl<T: SearchFloat> Narrow<T> {
    /// A rows x cols matrix of zeros.
    pub fn zeros(rows: usize, cols: usize) -> Self {
        let stride = padded_cols(cols);
        Narrow {
            data: aligned_zeros(rows * stride),
            rows,
            cols,
            stride,
        }
    }

    /// Rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Entries from one row to the next.
    pub fn stride(&self) -> usize {
        self.stride
    }

    /// The matrix as a (strided) view.
    pub fn as_ref(&self) -> MatRef<'_, T> {
        MatRef::from_row_major_slice_with_stride(&self.data, self.rows, self.cols, self.stride)
    }

    /// The matrix as a (strided) mutable view.
    pub fn as_mut(&mut self) -> MatMut<'_, T> {
        // The transpose of the column-major view: faer 0.24.4's
        // `MatMut::from_row_major_slice_with_stride_mut` swaps the strides.
        MatMut::from_column_major_slice_with_stride_mut(
            &mut self.data,
            self.cols,
            self.rows,
            self.stride,
        )
        .transpose_mut()
    }

    /// All entries, padding included, row by row.
    pub fn as_slice(&self) -> &[T] {
        &self.data
    }

    /// All entries, padding included, row by row. Writers keep the padding
    /// zero.
    pub fn as_mut_slice(&mut self) -> &mut [T] {
        &mut self.data
    }
}

/// Projections on the search's current frame or a trial frame, summed in
/// `f64` over the search's steps, and their rounding to `T` that the
/// objective sorts and the products multiply. (Summed in `f32`, a step
/// smaller than half an ulp of a projection is lost, and the `f32` search
/// stalled: steps shrank until it stopped early, at a lower objective.)
#[derive(Clone, Debug)]
pub struct Projections<T> {
    /// The projections summed in `f64`; `None` when `T` is `f64`, whose
    /// `rounded` are the sums.
    sum: Option<Narrow<f64>>,
    /// The sums rounded to `T`.
    pub rounded: Narrow<T>,
}

impl<T: SearchFloat> Projections<T> {
    /// rows x cols zeros.
    pub fn zeros(rows: usize, cols: usize) -> Self {
        Projections {
            sum: (!T::IS_F64).then(|| Narrow::zeros(rows, cols)),
            rounded: Narrow::zeros(rows, cols),
        }
    }

    /// Takes `rounded` (just computed in `T`) as the sums.
    pub fn take_rounded(&mut self) {
        if let Some(sum) = &mut self.sum {
            for (s, &r) in sum.data.iter_mut().zip(self.rounded.data.iter()) {
                *s = r.into();
            }
        }
    }

    /// `self = base - t D`, where `delta(first, rows)` writes the rows of
    /// `D` from row `first` into `rows` (whole rows of `self.rounded`, a
    /// block at a time, padding included, to be left zero): each block is
    /// stepped as soon as its change is written, while it is in cache.
    ///
    /// # Panics
    /// If the shapes differ.
    pub fn step_from(
        &mut self,
        base: &Projections<T>,
        t: f64,
        delta: impl Fn(usize, &mut [T]) + Sync,
    ) {
        assert_eq!(
            (self.rounded.rows, self.rounded.cols),
            (base.rounded.rows, base.rounded.cols),
            "Projections::step_from: shapes differ"
        );
        let chunk = ROW_BLOCK * self.rounded.stride;
        let rounded = self.rounded.data.par_chunks_mut(chunk).enumerate();
        let first = |block: usize| block * ROW_BLOCK;
        match (&mut self.sum, &base.sum) {
            (Some(sum), Some(base_sum)) => rounded
                .zip(sum.data.par_chunks_mut(chunk))
                .zip(base_sum.data.par_chunks(chunk))
                .for_each(|(((block, rounded), sum), base)| {
                    delta(first(block), rounded);
                    for ((r, s), &b) in rounded.iter_mut().zip(sum).zip(base) {
                        *s = b - t * (*r).into();
                        *r = T::from_f64(*s);
                    }
                }),
            _ => rounded.zip(base.rounded.data.par_chunks(chunk)).for_each(
                |((block, rounded), base)| {
                    delta(first(block), rounded);
                    for (r, &b) in rounded.iter_mut().zip(base) {
                        *r = T::from_f64(b.into() - t * (*r).into());
                    }
                },
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes through the mutable view land row by row, `stride` apart,
    /// and leave the padding zero.
    #[test]
    fn views_are_row_major_with_padding() {
        let mut m = Narrow::<f32>::zeros(3, 2);
        let s = m.stride();
        assert!(s >= 2 && s.is_multiple_of(kernels::gemm::COL_MULTIPLE));
        let mut v = m.as_mut();
        for i in 0..3 {
            for j in 0..2 {
                v[(i, j)] = (10 * i + j) as f32 + 1.0;
            }
        }
        for (idx, &x) in m.as_slice().iter().enumerate() {
            let (i, j) = (idx / s, idx % s);
            let want = if j < 2 {
                (10 * i + j) as f32 + 1.0
            } else {
                0.0
            };
            assert_eq!(x, want, "entry {idx}");
        }
        assert_eq!(m.as_ref()[(2, 1)], 22.0);
    }
}
