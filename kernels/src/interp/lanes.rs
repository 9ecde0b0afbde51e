//! The vector operations the batched evaluations need, behind one trait, so
//! the search and the evaluation are written once (in `batch` and `sorted`)
//! and compiled for AVX-512 (8 lanes), AVX2 (4 lanes) and portable `wide`
//! vectors (4 lanes).
//!
//! Every operation mirrors a scalar step of the reference in `mod.rs`
//! operation for operation (no fused multiply-add), so every level gives the
//! reference's results bit for bit.

use super::tree::FANOUT;
use super::OutOfRange;
use crate::dispatch::SimdLevel;
use wide::f64x4;

/// Widest vector of any implementation, in `f64` lanes.
pub(super) const MAX_LANES: usize = 8;

/// A vector instruction set: `F` holds `LANES` queries, `I` one knot index
/// per lane. A value of an implementing type is a token that the CPU runs
/// the instruction set (only the dispatchers create one, after detection).
pub(super) trait Lanes: Copy {
    /// Lanes per vector (at most [`MAX_LANES`]).
    const LANES: usize;
    /// A vector of `f64`.
    type F: Copy;
    /// A vector of knot indices.
    type I: Copy;

    /// Every lane `v`.
    fn splat(self, v: f64) -> Self::F;
    /// The first `LANES` values of `x`.
    fn load(self, x: &[f64]) -> Self::F;
    /// Writes the lanes to the first `LANES` slots of `out`.
    fn store(self, v: Self::F, out: &mut [f64]);
    /// Every lane index `i`.
    fn index(self, i: usize) -> Self::I;
    /// How many of the `FANOUT` keys of a search-tree node are `<= v` (NaN
    /// keys and NaN `v` never count); `v` is splat.
    fn count_le(self, node: &[f64], v: Self::F) -> usize;
    /// `base + step` in the lanes where `key <= v` (false for NaN), `base`
    /// elsewhere: one step of the halving search.
    fn step(self, base: Self::I, key: Self::F, v: Self::F, step: usize) -> Self::I;
    /// `table[idx]` in every lane.
    ///
    /// # Safety
    /// Every lane of `idx` must be below `table.len()`.
    unsafe fn gather(self, table: &[f64], idx: Self::I) -> Self::F;
    /// `lo` where `v < lo`, then `hi` where `v > hi` (NaN stays): the
    /// reference's `limit` for [`OutOfRange::Clamp`](super::OutOfRange).
    fn clamp(self, v: Self::F, lo: Self::F, hi: Self::F) -> Self::F;
    /// `y0 + (x - x0) * s`, but `y0` where `s == 0` and `x` is not NaN: the
    /// reference's `apply`.
    fn apply(self, x0: Self::F, y0: Self::F, s: Self::F, x: Self::F) -> Self::F;

    /// Smallest and largest non-NaN lane (`(inf, -inf)` if all are NaN).
    #[inline(always)]
    fn min_max(self, v: Self::F) -> (f64, f64) {
        let mut a = [0.0; MAX_LANES];
        self.store(v, &mut a);
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        for &x in &a[..Self::LANES] {
            lo = if x < lo { x } else { lo };
            hi = if x > hi { x } else { hi };
        }
        (lo, hi)
    }
}

/// The knot table of a map: abscissae (or values, for the inverse), the
/// matching ordinates and the per-segment slopes.
#[derive(Clone, Copy)]
pub(super) struct Table<'a> {
    pub(super) xs: &'a [f64],
    pub(super) ys: &'a [f64],
    pub(super) slope: &'a [f64],
}

impl Table<'_> {
    /// `rule` applied to a vector of queries.
    #[inline(always)]
    pub(super) fn limit<L: Lanes>(&self, l: L, v: L::F, rule: OutOfRange) -> L::F {
        match rule {
            OutOfRange::Clamp => {
                l.clamp(v, l.splat(self.xs[0]), l.splat(self.xs[self.xs.len() - 1]))
            }
            OutOfRange::Linear => v,
        }
    }

    /// The map on segments `seg` (every lane below `xs.len() - 1`).
    ///
    /// # Safety
    /// Every lane of `seg` must be a segment index, below `slope.len()`.
    #[inline(always)]
    pub(super) unsafe fn apply<L: Lanes>(&self, l: L, seg: L::I, v: L::F) -> L::F {
        debug_assert!(self.slope.len() < self.xs.len() && self.slope.len() < self.ys.len());
        // SAFETY: `seg < slope.len() < xs.len(), ys.len()` by the caller.
        unsafe {
            let x0 = l.gather(self.xs, seg);
            let y0 = l.gather(self.ys, seg);
            let s = l.gather(self.slope, seg);
            l.apply(x0, y0, s, v)
        }
    }
}

/// A batched evaluation with a scalar reference and a vector version for
/// any [`Lanes`].
pub(super) trait Kernel: Sized {
    /// The scalar reference.
    fn scalar(self);
    /// The vector version on `l`'s instruction set.
    fn lanes<L: Lanes>(self, l: L);
}

/// Runs `k` with the given level's code.
pub(super) fn run<K: Kernel>(level: SimdLevel, k: K) {
    match level.or_best_below() {
        SimdLevel::Scalar => k.scalar(),
        #[cfg(target_arch = "x86_64")]
        SimdLevel::Avx512 => {
            let l = Avx512::detect().expect("or_best_below returns detected levels");
            // SAFETY: the token exists, so the CPU runs AVX-512.
            unsafe { x86::run_avx512(l, k) }
        }
        #[cfg(target_arch = "x86_64")]
        SimdLevel::Avx2 => {
            let l = Avx2::detect().expect("or_best_below returns detected levels");
            // SAFETY: the token exists, so the CPU runs AVX2 + FMA.
            unsafe { x86::run_avx2(l, k) }
        }
        _ => k.lanes(Portable),
    }
}

/// Portable vectors of the `wide` crate (4 lanes; indices per lane in an
/// array, gathers as scalar loads).
#[derive(Clone, Copy)]
pub(super) struct Portable;

impl Lanes for Portable {
    const LANES: usize = 4;
    type F = f64x4;
    type I = [usize; 4];

    #[inline(always)]
    fn splat(self, v: f64) -> f64x4 {
        f64x4::splat(v)
    }
    #[inline(always)]
    fn load(self, x: &[f64]) -> f64x4 {
        f64x4::new([x[0], x[1], x[2], x[3]])
    }
    #[inline(always)]
    fn store(self, v: f64x4, out: &mut [f64]) {
        out[..4].copy_from_slice(&v.to_array());
    }
    #[inline(always)]
    fn index(self, i: usize) -> [usize; 4] {
        [i; 4]
    }
    #[inline(always)]
    fn count_le(self, node: &[f64], v: f64x4) -> usize {
        let node = &node[..FANOUT];
        let mut bits = 0;
        for (c, k) in node.chunks_exact(4).enumerate() {
            bits |= self.load(k).simd_le(v).to_bitmask() << (4 * c);
        }
        bits.count_ones() as usize
    }
    #[inline(always)]
    fn step(self, base: [usize; 4], key: f64x4, v: f64x4, step: usize) -> [usize; 4] {
        let mask = key.simd_le(v).to_bitmask();
        let mut out = base;
        for (l, o) in out.iter_mut().enumerate() {
            // Arithmetic, not a branch: the lanes' outcomes are random.
            *o += step & 0usize.wrapping_sub(((mask >> l) & 1) as usize);
        }
        out
    }
    #[inline(always)]
    unsafe fn gather(self, table: &[f64], idx: [usize; 4]) -> f64x4 {
        // SAFETY: the caller guarantees every index is in bounds.
        f64x4::new(idx.map(|i| unsafe { *table.get_unchecked(i) }))
    }
    #[inline(always)]
    fn clamp(self, v: f64x4, lo: f64x4, hi: f64x4) -> f64x4 {
        let v = v.simd_lt(lo).bitselect(lo, v);
        v.simd_gt(hi).bitselect(hi, v)
    }
    #[inline(always)]
    fn apply(self, x0: f64x4, y0: f64x4, s: f64x4, x: f64x4) -> f64x4 {
        let y = y0 + (x - x0) * s;
        let flat = s.simd_eq(f64x4::ZERO) & x.simd_eq(x);
        flat.bitselect(y0, y)
    }
}

#[cfg(target_arch = "x86_64")]
pub(super) use x86::{Avx2, Avx512};

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::{Kernel, Lanes, FANOUT};
    use std::arch::x86_64::*;

    /// `k` compiled for AVX-512.
    #[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,avx2,fma,popcnt")]
    pub(super) fn run_avx512<K: Kernel>(l: Avx512, k: K) {
        k.lanes(l)
    }

    /// `k` compiled for AVX2 + FMA.
    #[target_feature(enable = "avx2,fma,popcnt")]
    pub(super) fn run_avx2<K: Kernel>(l: Avx2, k: K) {
        k.lanes(l)
    }

    /// AVX2 + FMA token: 4 lanes, hardware gathers.
    #[derive(Clone, Copy)]
    pub(in crate::interp) struct Avx2(());

    impl Avx2 {
        /// The token, if the CPU runs AVX2 + FMA.
        pub(in crate::interp) fn detect() -> Option<Avx2> {
            let ok = crate::dispatch::SimdLevel::Avx2.is_available()
                && std::arch::is_x86_feature_detected!("popcnt");
            ok.then_some(Avx2(()))
        }
    }

    // SAFETY (every `unsafe` block of this impl): an `Avx2` value exists only
    // once `detect` found AVX2 on this CPU; loads and stores are bounded by
    // the slice indexing before them.
    impl Lanes for Avx2 {
        const LANES: usize = 4;
        type F = __m256d;
        type I = __m256i;

        #[inline(always)]
        fn splat(self, v: f64) -> __m256d {
            unsafe { _mm256_set1_pd(v) }
        }
        #[inline(always)]
        fn load(self, x: &[f64]) -> __m256d {
            let x = &x[..4];
            unsafe { _mm256_loadu_pd(x.as_ptr()) }
        }
        #[inline(always)]
        fn store(self, v: __m256d, out: &mut [f64]) {
            let out = &mut out[..4];
            unsafe { _mm256_storeu_pd(out.as_mut_ptr(), v) }
        }
        #[inline(always)]
        fn index(self, i: usize) -> __m256i {
            unsafe { _mm256_set1_epi64x(i as i64) }
        }
        #[inline(always)]
        fn count_le(self, node: &[f64], v: __m256d) -> usize {
            let node = &node[..FANOUT];
            let mut bits = 0;
            for (c, k) in node.chunks_exact(4).enumerate() {
                let le = unsafe { _mm256_cmp_pd::<_CMP_LE_OQ>(self.load(k), v) };
                bits |= (unsafe { _mm256_movemask_pd(le) } as u32) << (4 * c);
            }
            bits.count_ones() as usize
        }
        #[inline(always)]
        fn step(self, base: __m256i, key: __m256d, v: __m256d, step: usize) -> __m256i {
            unsafe {
                let le = _mm256_castpd_si256(_mm256_cmp_pd::<_CMP_LE_OQ>(key, v));
                _mm256_add_epi64(base, _mm256_and_si256(le, _mm256_set1_epi64x(step as i64)))
            }
        }
        #[inline(always)]
        unsafe fn gather(self, table: &[f64], idx: __m256i) -> __m256d {
            // SAFETY: in bounds by the caller's guarantee.
            unsafe { _mm256_i64gather_pd::<8>(table.as_ptr(), idx) }
        }
        #[inline(always)]
        fn clamp(self, v: __m256d, lo: __m256d, hi: __m256d) -> __m256d {
            unsafe {
                let v = _mm256_blendv_pd(v, lo, _mm256_cmp_pd::<_CMP_LT_OQ>(v, lo));
                _mm256_blendv_pd(v, hi, _mm256_cmp_pd::<_CMP_GT_OQ>(v, hi))
            }
        }
        #[inline(always)]
        fn apply(self, x0: __m256d, y0: __m256d, s: __m256d, x: __m256d) -> __m256d {
            unsafe {
                let y = _mm256_add_pd(y0, _mm256_mul_pd(_mm256_sub_pd(x, x0), s));
                let flat = _mm256_and_pd(
                    _mm256_cmp_pd::<_CMP_EQ_OQ>(s, _mm256_setzero_pd()),
                    _mm256_cmp_pd::<_CMP_ORD_Q>(x, x),
                );
                _mm256_blendv_pd(y, y0, flat)
            }
        }
    }

    /// AVX-512 F/BW/DQ/VL token: 8 lanes, mask registers, hardware gathers.
    #[derive(Clone, Copy)]
    pub(in crate::interp) struct Avx512(());

    impl Avx512 {
        /// The token, if the CPU runs the AVX-512 level.
        pub(in crate::interp) fn detect() -> Option<Avx512> {
            let ok = crate::dispatch::SimdLevel::Avx512.is_available()
                && std::arch::is_x86_feature_detected!("popcnt");
            ok.then_some(Avx512(()))
        }
    }

    // SAFETY (every `unsafe` block of this impl): an `Avx512` value exists
    // only once `detect` found AVX-512 on this CPU; loads and stores are
    // bounded by the slice indexing before them.
    impl Lanes for Avx512 {
        const LANES: usize = 8;
        type F = __m512d;
        type I = __m512i;

        #[inline(always)]
        fn splat(self, v: f64) -> __m512d {
            unsafe { _mm512_set1_pd(v) }
        }
        #[inline(always)]
        fn load(self, x: &[f64]) -> __m512d {
            let x = &x[..8];
            unsafe { _mm512_loadu_pd(x.as_ptr()) }
        }
        #[inline(always)]
        fn store(self, v: __m512d, out: &mut [f64]) {
            let out = &mut out[..8];
            unsafe { _mm512_storeu_pd(out.as_mut_ptr(), v) }
        }
        #[inline(always)]
        fn index(self, i: usize) -> __m512i {
            unsafe { _mm512_set1_epi64(i as i64) }
        }
        #[inline(always)]
        fn count_le(self, node: &[f64], v: __m512d) -> usize {
            let node = &node[..FANOUT];
            unsafe {
                let a = _mm512_cmp_pd_mask::<_CMP_LE_OQ>(self.load(node), v);
                let b = _mm512_cmp_pd_mask::<_CMP_LE_OQ>(self.load(&node[8..]), v);
                (a as u32 | (b as u32) << 8).count_ones() as usize
            }
        }
        #[inline(always)]
        fn step(self, base: __m512i, key: __m512d, v: __m512d, step: usize) -> __m512i {
            unsafe {
                let le = _mm512_cmp_pd_mask::<_CMP_LE_OQ>(key, v);
                _mm512_mask_add_epi64(base, le, base, _mm512_set1_epi64(step as i64))
            }
        }
        #[inline(always)]
        unsafe fn gather(self, table: &[f64], idx: __m512i) -> __m512d {
            // SAFETY: in bounds by the caller's guarantee.
            unsafe { _mm512_i64gather_pd::<8>(idx, table.as_ptr()) }
        }
        #[inline(always)]
        fn clamp(self, v: __m512d, lo: __m512d, hi: __m512d) -> __m512d {
            unsafe {
                let v = _mm512_mask_blend_pd(_mm512_cmp_pd_mask::<_CMP_LT_OQ>(v, lo), v, lo);
                _mm512_mask_blend_pd(_mm512_cmp_pd_mask::<_CMP_GT_OQ>(v, hi), v, hi)
            }
        }
        #[inline(always)]
        fn apply(self, x0: __m512d, y0: __m512d, s: __m512d, x: __m512d) -> __m512d {
            unsafe {
                let y = _mm512_add_pd(y0, _mm512_mul_pd(_mm512_sub_pd(x, x0), s));
                let flat = _mm512_cmp_pd_mask::<_CMP_EQ_OQ>(s, _mm512_setzero_pd())
                    & _mm512_cmp_pd_mask::<_CMP_ORD_Q>(x, x);
                _mm512_mask_blend_pd(flat, y, y0)
            }
        }
    }
}
