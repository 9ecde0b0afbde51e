//! `f32` matrix products with a narrow right-hand side, `C = A B` with `A`
//! m x p and `B` p x k for small k (tens of columns): the two products of
//! every direction-search iteration, `X P` and `X^T R`, where `X` is the n x d
//! data and `P`, `R` hold one column per direction.
//!
//! All matrices are row-major slices. `B` and `C` have a row length that is
//! a multiple of [`COL_MULTIPLE`] (pad the columns with zeros, see
//! [`padded_cols`]), so every vector load is full. A register tile of rows
//! of `C` accumulates over the whole of `p` while the row of `B` it needs is
//! loaded once per step; `B` stays in cache and `A` streams through once per
//! column panel. Each entry of `C` is one sequential sum over `p` in a fixed
//! order, and rows are split into fixed blocks for the threads, so the
//! result does not depend on the thread count.
//!
//! ```
//! use kernels::gemm::{matmul_narrow, padded_cols};
//! // A = [[1, 2], [3, 4]] (2 x 2), B = [[1, 0], [0, 1]] padded to 16 columns.
//! let kp = padded_cols(2);
//! let mut b = vec![0.0f32; 2 * kp];
//! b[0] = 1.0;
//! b[kp + 1] = 1.0;
//! let mut c = vec![0.0f32; 2 * kp];
//! matmul_narrow(&[1.0, 2.0, 3.0, 4.0], 2, &b, &mut c);
//! assert_eq!((c[0], c[1], c[kp], c[kp + 1]), (1.0, 2.0, 3.0, 4.0));
//! ```

use crate::dispatch::{active, SimdLevel};
use rayon::prelude::*;

/// Row length of `B` and `C` must be a multiple of this.
pub const COL_MULTIPLE: usize = 16;
/// Rows of `C` per parallel task (a multiple of every tile height).
const ROW_BLOCK: usize = 96;

/// `k` rounded up to a multiple of [`COL_MULTIPLE`].
pub fn padded_cols(k: usize) -> usize {
    k.div_ceil(COL_MULTIPLE) * COL_MULTIPLE
}

/// `C = A B` with the active SIMD level; see the module docs for layouts.
///
/// # Panics
/// If `p == 0`, the slice lengths are not whole rows, `B`'s row length is
/// not a multiple of [`COL_MULTIPLE`], or `C` has the wrong shape.
pub fn matmul_narrow(a: &[f32], p: usize, b: &[f32], c: &mut [f32]) {
    matmul_narrow_with(active(), a, p, b, c)
}

/// [`matmul_narrow`] with a chosen level (an unavailable level falls back).
pub fn matmul_narrow_with(level: SimdLevel, a: &[f32], p: usize, b: &[f32], c: &mut [f32]) {
    assert!(p > 0, "matmul_narrow: A needs at least one column");
    assert!(
        a.len().is_multiple_of(p) && b.len().is_multiple_of(p),
        "matmul_narrow: A and B must be whole rows of length p = {p} and p rows"
    );
    let (m, kp) = (a.len() / p, b.len() / p);
    assert!(
        kp.is_multiple_of(COL_MULTIPLE),
        "matmul_narrow: B's row length {kp} is not a multiple of {COL_MULTIPLE}"
    );
    assert_eq!(
        c.len(),
        m * kp,
        "matmul_narrow: C must be m x (B's row length)"
    );
    if kp == 0 {
        return;
    }
    let level = level.or_best_below();
    c.par_chunks_mut(ROW_BLOCK * kp)
        .zip(a.par_chunks(ROW_BLOCK * p))
        .for_each(|(cb, ab)| block(level, ab, p, b, cb, kp));
}

/// One block of rows at the given (available) level.
fn block(level: SimdLevel, a: &[f32], p: usize, b: &[f32], c: &mut [f32], kp: usize) {
    match level {
        SimdLevel::Scalar => reference(a, p, b, c, kp),
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `level` is available, so the CPU has AVX-512 F.
        SimdLevel::Avx512 => unsafe { x86::block_avx512(a, p, b, c, kp) },
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `level` is available, so the CPU has AVX2 and FMA.
        SimdLevel::Avx2 => unsafe { x86::block_avx2(a, p, b, c, kp) },
        _ => tiles::<wide::f32x8, 6, 2>(a, p, b, c, kp),
    }
}

/// The scalar reference: each entry a sequential sum over `p`.
fn reference(a: &[f32], p: usize, b: &[f32], c: &mut [f32], kp: usize) {
    for (arow, crow) in a.chunks_exact(p).zip(c.chunks_exact_mut(kp)) {
        crow.fill(0.0);
        for (&x, brow) in arow.iter().zip(b.chunks_exact(kp)) {
            for (o, &y) in crow.iter_mut().zip(brow) {
                *o += x * y;
            }
        }
    }
}

/// A SIMD vector of `f32` lanes, as far as the tiles need one.
trait Lanes: Copy {
    /// Lanes per vector.
    const N: usize;
    fn zero() -> Self;
    fn splat(x: f32) -> Self;
    /// Loads `N` lanes from `s[..N]`.
    fn load(s: &[f32]) -> Self;
    /// `self * b + acc`.
    fn mul_add(self, b: Self, acc: Self) -> Self;
    /// Stores the lanes to `s[..N]`.
    fn store(self, s: &mut [f32]);
}

impl Lanes for wide::f32x8 {
    const N: usize = 8;
    #[inline(always)]
    fn zero() -> Self {
        wide::f32x8::ZERO
    }
    #[inline(always)]
    fn splat(x: f32) -> Self {
        wide::f32x8::splat(x)
    }
    #[inline(always)]
    fn load(s: &[f32]) -> Self {
        let a: [f32; 8] = s[..8].try_into().expect("8 lanes");
        wide::f32x8::from(a)
    }
    #[inline(always)]
    fn mul_add(self, b: Self, acc: Self) -> Self {
        self.mul_add(b, acc)
    }
    #[inline(always)]
    fn store(self, s: &mut [f32]) {
        s[..8].copy_from_slice(&self.to_array());
    }
}

/// All tiles of a block: `MR` rows by `NV` vectors of columns at a time,
/// narrower panels and single rows for the edges.
#[inline(always)]
fn tiles<V: Lanes, const MR: usize, const NV: usize>(
    a: &[f32],
    p: usize,
    b: &[f32],
    c: &mut [f32],
    kp: usize,
) {
    let m = a.len() / p;
    let mut col = 0;
    while col < kp {
        let wide_panel = kp - col >= NV * V::N;
        let mut row = 0;
        while row < m {
            let full = m - row >= MR;
            match (full, wide_panel) {
                (true, true) => tile::<V, MR, NV>(a, p, b, c, kp, row, col),
                (true, false) => tile::<V, MR, 1>(a, p, b, c, kp, row, col),
                (false, true) => tile::<V, 1, NV>(a, p, b, c, kp, row, col),
                (false, false) => tile::<V, 1, 1>(a, p, b, c, kp, row, col),
            }
            row += if full { MR } else { 1 };
        }
        col += if wide_panel { NV * V::N } else { V::N };
    }
}

/// `C[row..row+MR, col..col+NV*N] = A[row..row+MR, :] B[:, col..col+NV*N]`,
/// accumulated in registers.
#[inline(always)]
fn tile<V: Lanes, const MR: usize, const NV: usize>(
    a: &[f32],
    p: usize,
    b: &[f32],
    c: &mut [f32],
    kp: usize,
    row: usize,
    col: usize,
) {
    let mut acc = [[V::zero(); NV]; MR];
    let rows: [&[f32]; MR] = std::array::from_fn(|r| &a[(row + r) * p..(row + r + 1) * p]);
    for (j, brow) in b.chunks_exact(kp).enumerate() {
        let mut bv = [V::zero(); NV];
        for (v, x) in bv.iter_mut().enumerate() {
            *x = V::load(&brow[col + v * V::N..]);
        }
        for r in 0..MR {
            let x = V::splat(rows[r][j]);
            for v in 0..NV {
                acc[r][v] = x.mul_add(bv[v], acc[r][v]);
            }
        }
    }
    for (r, accr) in acc.iter().enumerate() {
        let out = &mut c[(row + r) * kp + col..];
        for (v, x) in accr.iter().enumerate() {
            x.store(&mut out[v * V::N..]);
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    //! AVX-512 and AVX2 vectors for the tiles.
    use super::{tiles, Lanes};
    use std::arch::x86_64::*;

    impl Lanes for __m512 {
        const N: usize = 16;
        #[inline(always)]
        fn zero() -> Self {
            // SAFETY: only reached from `block_avx512`, which requires AVX-512 F.
            unsafe { _mm512_setzero_ps() }
        }
        #[inline(always)]
        fn splat(x: f32) -> Self {
            // SAFETY: as in `zero`.
            unsafe { _mm512_set1_ps(x) }
        }
        #[inline(always)]
        fn load(s: &[f32]) -> Self {
            assert!(s.len() >= 16);
            // SAFETY: 16 readable lanes (checked); AVX-512 F as in `zero`.
            unsafe { _mm512_loadu_ps(s.as_ptr()) }
        }
        #[inline(always)]
        fn mul_add(self, b: Self, acc: Self) -> Self {
            // SAFETY: as in `zero`.
            unsafe { _mm512_fmadd_ps(self, b, acc) }
        }
        #[inline(always)]
        fn store(self, s: &mut [f32]) {
            assert!(s.len() >= 16);
            // SAFETY: 16 writable lanes (checked); AVX-512 F as in `zero`.
            unsafe { _mm512_storeu_ps(s.as_mut_ptr(), self) }
        }
    }

    impl Lanes for __m256 {
        const N: usize = 8;
        #[inline(always)]
        fn zero() -> Self {
            // SAFETY: only reached from `block_avx2`, which requires AVX2 + FMA.
            unsafe { _mm256_setzero_ps() }
        }
        #[inline(always)]
        fn splat(x: f32) -> Self {
            // SAFETY: as in `zero`.
            unsafe { _mm256_set1_ps(x) }
        }
        #[inline(always)]
        fn load(s: &[f32]) -> Self {
            assert!(s.len() >= 8);
            // SAFETY: 8 readable lanes (checked); AVX as in `zero`.
            unsafe { _mm256_loadu_ps(s.as_ptr()) }
        }
        #[inline(always)]
        fn mul_add(self, b: Self, acc: Self) -> Self {
            // SAFETY: as in `zero`.
            unsafe { _mm256_fmadd_ps(self, b, acc) }
        }
        #[inline(always)]
        fn store(self, s: &mut [f32]) {
            assert!(s.len() >= 8);
            // SAFETY: 8 writable lanes (checked); AVX as in `zero`.
            unsafe { _mm256_storeu_ps(s.as_mut_ptr(), self) }
        }
    }

    /// Tiles of 12 rows x 32 columns (24 of the 32 vector registers).
    #[target_feature(enable = "avx512f,avx2,fma")]
    pub(super) unsafe fn block_avx512(a: &[f32], p: usize, b: &[f32], c: &mut [f32], kp: usize) {
        tiles::<__m512, 12, 2>(a, p, b, c, kp)
    }

    /// Tiles of 6 rows x 16 columns (12 of the 16 vector registers).
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn block_avx2(a: &[f32], p: usize, b: &[f32], c: &mut [f32], kp: usize) {
        tiles::<__m256, 6, 2>(a, p, b, c, kp)
    }
}
