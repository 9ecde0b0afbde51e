//! `f32` matrix products with a narrow right-hand side, `C = A B` with `A`
//! m x p and `B` p x k for small k (tens of columns): the two products of
//! every direction-search iteration, `X P` and `X^T R`, where `X` is the n x d
//! data and `P`, `R` hold one column per direction.
//!
//! All matrices are row-major slices. `B` and `C` have a row length that is
//! a multiple of [`COL_MULTIPLE`] (pad the columns with zeros, see
//! [`padded_cols`]), so every vector load is full. Keep them in [`Aligned`]
//! buffers: then no vector load of `B` straddles two cache lines, which
//! makes the product about 1.25x faster than on a plain `Vec` (whose large
//! allocations start 16 bytes into a cache line). `A` is first rearranged
//! into [`PackedRows`]: panels of as many rows as a register tile holds,
//! each stored step by step, so a tile reads `A` as one sequential stream
//! (the search multiplies the same data thousands of times, so it packs
//! once). A register tile of rows of `C` accumulates over the whole of `p`
//! while the row of `B` it needs is loaded once per step; `B` stays in cache
//! and `A` streams through once per column panel. Each entry of `C` is one
//! sequential sum over `p` in a fixed order, and rows are split into fixed
//! blocks for the threads, so the result does not depend on the thread
//! count. The product with the transpose, `X^T R`, reads the same packing
//! column-wise ([`PackedRows::transpose_times`]: a tile of `C` gathers its
//! columns of `A` from every panel), with the sums of a packed `A^T`, so the
//! data is held once. A left-hand side that changes with every product
//! (the curve basis `[X P, X W]`, 2K columns) is read in place instead, as
//! row-major blocks ([`matmul_row_blocks`]), with the same tiles and sums.
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
use aligned_vec::{AVec, ConstAlign, RuntimeAlign};
use rayon::prelude::*;

/// Row length of `B` and `C` must be a multiple of this.
pub const COL_MULTIPLE: usize = 16;
/// Bytes of a cache line, the alignment of an [`Aligned`] buffer.
pub const CACHE_LINE: usize = 64;

/// A vector whose first element starts a cache line: with rows padded to
/// [`padded_cols`] `f32` or `f64` entries, every row does.
pub type Aligned<T> = AVec<T, ConstAlign<CACHE_LINE>>;

/// `len` zeros in an [`Aligned`] buffer.
///
/// ```
/// let z = kernels::gemm::aligned_zeros::<f32>(40);
/// assert_eq!((z.len(), z.as_ptr().align_offset(64)), (40, 0));
/// ```
pub fn aligned_zeros<T: Copy + Default>(len: usize) -> Aligned<T> {
    let mut v = Aligned::new(CACHE_LINE);
    v.resize(len, T::default());
    v
}
/// Bytes of a transparent huge page on x86-64 Linux.
const HUGE_PAGE: usize = 2 << 20;

/// Zeroed storage for `len` packed entries. A buffer of a huge page or more
/// starts on a huge-page boundary, and Linux is asked to back it with huge
/// pages (`madvise(MADV_HUGEPAGE)`, a hint that may be ignored): every
/// product streams the whole packed matrix, which then needs a few TLB
/// entries instead of one per 4 KiB page.
fn packed_storage(len: usize) -> AVec<f32, RuntimeAlign> {
    let bytes = len * size_of::<f32>();
    if bytes < HUGE_PAGE {
        let mut v = AVec::new(CACHE_LINE);
        v.resize(len, 0.0);
        return v;
    }
    let capacity = bytes.next_multiple_of(HUGE_PAGE) / size_of::<f32>();
    let mut v = AVec::with_capacity(HUGE_PAGE, capacity);
    advise_huge_pages(v.as_mut_ptr(), capacity * size_of::<f32>());
    v.resize(len, 0.0);
    v
}

/// Asks Linux to back `bytes` from `start` with huge pages.
#[cfg(target_os = "linux")]
fn advise_huge_pages(start: *mut f32, bytes: usize) {
    // SAFETY: [start, start + bytes) is the capacity of a vector this
    // function's caller owns, starting on a page boundary. MADV_HUGEPAGE
    // changes only how the pages are backed, never their contents; an error
    // (a kernel without huge pages) leaves them as they were.
    unsafe {
        libc::madvise(start.cast(), bytes, libc::MADV_HUGEPAGE);
    }
}

/// Huge pages are asked for on Linux only.
#[cfg(not(target_os = "linux"))]
fn advise_huge_pages(_start: *mut f32, _bytes: usize) {}

/// Tile panels per parallel task (48 rows of `C` at 12 rows per panel).
/// Each task is a job of its own (`with_max_len(1)`): rayon's default
/// splitting left a few runs of several tasks each, and a thread that
/// finished early waited on the last run (in the direction search, `X^T R`
/// beside the curve's point took 497-540 us per iteration, and 438-454 with
/// one job per task).
const PANELS_PER_TASK: usize = 4;

/// `k` rounded up to a multiple of [`COL_MULTIPLE`].
pub fn padded_cols(k: usize) -> usize {
    k.div_ceil(COL_MULTIPLE) * COL_MULTIPLE
}

/// Rows of a register tile at an (available) level.
fn tile_rows(level: SimdLevel) -> usize {
    match level {
        SimdLevel::Avx512 => 12,
        _ => 6,
    }
}

/// An m x p row-major `A`, rearranged for [`PackedRows::times`] at one SIMD
/// level: panels of the level's tile height (the last one padded with zero
/// rows), each holding its rows' entries step by step (`p` groups of one
/// entry per row).
///
/// ```
/// use kernels::gemm::{padded_cols, PackedRows};
/// // A = [[1, 2], [3, 4]] times B = I, padded to 16 columns.
/// let a = PackedRows::new(&[1.0, 2.0, 3.0, 4.0], 2);
/// let kp = padded_cols(2);
/// let mut b = vec![0.0f32; 2 * kp];
/// b[0] = 1.0;
/// b[kp + 1] = 1.0;
/// let mut c = vec![0.0f32; 2 * kp];
/// a.times(&b, &mut c);
/// assert_eq!((c[0], c[1], c[kp], c[kp + 1]), (1.0, 2.0, 3.0, 4.0));
/// ```
#[derive(Clone, Debug)]
pub struct PackedRows {
    level: SimdLevel,
    /// Rows per panel.
    mr: usize,
    rows: usize,
    p: usize,
    data: AVec<f32, RuntimeAlign>,
}

impl PackedRows {
    /// Packs `a` (whole rows of length `p`) for the active level.
    ///
    /// # Panics
    /// If `p == 0` or `a.len()` is not a multiple of `p`.
    pub fn new(a: &[f32], p: usize) -> Self {
        Self::new_with(active(), a, p)
    }

    /// [`PackedRows::new`] for a chosen level (an unavailable level falls
    /// back).
    pub fn new_with(level: SimdLevel, a: &[f32], p: usize) -> Self {
        assert!(p > 0, "matmul_narrow: A needs at least one column");
        assert!(
            a.len().is_multiple_of(p),
            "matmul_narrow: A must be whole rows of length p = {p}"
        );
        Self::from_fn_with(level, a.len() / p, p, |i, j| a[i * p + j])
    }

    /// Packs the `rows` x `p` matrix whose entry (i, j) is `entry(i, j)`,
    /// for the active level (no row-major copy needed).
    ///
    /// # Panics
    /// If `p == 0`.
    pub fn from_fn(rows: usize, p: usize, entry: impl Fn(usize, usize) -> f32 + Sync) -> Self {
        Self::from_fn_with(active(), rows, p, entry)
    }

    /// [`PackedRows::from_fn`] for a chosen level.
    pub fn from_fn_with(
        level: SimdLevel,
        rows: usize,
        p: usize,
        entry: impl Fn(usize, usize) -> f32 + Sync,
    ) -> Self {
        let mut packed = PackedRows {
            level: level.or_best_below(),
            mr: 1,
            rows: 0,
            p,
            data: AVec::new(CACHE_LINE),
        };
        packed.repack_with(rows, p, entry);
        packed
    }

    /// Replaces the packed matrix with the `rows` x `p` matrix whose entry
    /// (i, j) is `entry(i, j)`, reusing the storage (same level).
    ///
    /// # Panics
    /// If `p == 0`.
    pub fn repack_with(
        &mut self,
        rows: usize,
        p: usize,
        entry: impl Fn(usize, usize) -> f32 + Sync,
    ) {
        assert!(p > 0, "matmul_narrow: A needs at least one column");
        let mr = tile_rows(self.level);
        (self.mr, self.rows, self.p) = (mr, rows, p);
        // Every entry is written below, the last panel's padding rows too.
        let len = rows.div_ceil(mr) * mr * p;
        if self.data.len() != len {
            self.data = packed_storage(len);
        }
        self.data
            .par_chunks_mut(mr * p)
            .enumerate()
            .for_each(|(b, panel)| {
                let valid = mr.min(rows - b * mr);
                for (j, step) in panel.chunks_exact_mut(mr).enumerate() {
                    for (r, o) in step.iter_mut().enumerate() {
                        *o = if r < valid { entry(b * mr + r, j) } else { 0.0 };
                    }
                }
            });
    }

    /// Rows of `A`.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Columns of `A`.
    pub fn cols(&self) -> usize {
        self.p
    }

    /// Whether a caller that also multiplies by `A^T` does better with
    /// [`PackedRows::transpose_times`] on this packing than with a second
    /// packing, of `A^T`: at the AVX-512 and AVX2 levels. Criterion
    /// `gemm_xt_times_r` on 2 cores, against the packed `A^T` in the same
    /// run: AVX-512 93.8 against 95.2 Gelem/s, AVX2 84.3 against 95.2,
    /// portable 19.6 against 22.7. Slower alone at AVX2, but in the
    /// direction search the one copy stays in cache: with an earlier,
    /// slower version of the gather (72.2 against 91.3 alone) it was faster
    /// in 2 of 3 `iaf bench fit --quick` pairs and 0.001 s slower in the
    /// third.
    pub fn transpose_reads_fast(&self) -> bool {
        matches!(self.level, SimdLevel::Avx512 | SimdLevel::Avx2)
    }

    /// `C = A B` for `B` p x kp and `C` m x kp, row-major.
    ///
    /// # Panics
    /// If `B` is not whole rows of length p, its row length is not a
    /// multiple of [`COL_MULTIPLE`], or `C` has the wrong shape.
    pub fn times(&self, b: &[f32], c: &mut [f32]) {
        let p = self.p;
        assert!(
            b.len().is_multiple_of(p),
            "matmul_narrow: B must be p = {p} rows"
        );
        let kp = b.len() / p;
        assert!(
            kp.is_multiple_of(COL_MULTIPLE),
            "matmul_narrow: B's row length {kp} is not a multiple of {COL_MULTIPLE}"
        );
        assert_eq!(
            c.len(),
            self.rows * kp,
            "matmul_narrow: C must be m x (B's row length)"
        );
        if kp == 0 {
            return;
        }
        let (mr, level) = (self.mr, self.level);
        c.par_chunks_mut(PANELS_PER_TASK * mr * kp)
            .zip(self.data.par_chunks(PANELS_PER_TASK * mr * p))
            .with_max_len(1)
            .for_each(|(cb, ab)| {
                for (c, panel) in cb.chunks_mut(mr * kp).zip(ab.chunks_exact(mr * p)) {
                    run(level, Plain { panel, b, c, kp });
                }
            });
    }

    /// `C = A^T B` for `B` rows x kp and `C` p x kp, row-major: the product
    /// with the transpose, read from the same packing (a tile of `C` gathers
    /// its columns of `A` from every panel), so one packed copy of the data
    /// serves both of the search's products. Each entry of `C` is one
    /// sequential sum over the rows of `A` in order: bit for bit the
    /// [`PackedRows::times`] of a packing of `A^T`.
    ///
    /// # Panics
    /// If `B` is not `rows` rows whose length is a multiple of
    /// [`COL_MULTIPLE`], or `C` is not p x (B's row length).
    pub fn transpose_times(&self, b: &[f32], c: &mut [f32]) {
        let (rows, p) = (self.rows, self.p);
        assert!(
            rows > 0 && b.len().is_multiple_of(rows),
            "matmul_narrow: B must be the {rows} rows of A"
        );
        let kp = b.len() / rows;
        assert!(
            kp.is_multiple_of(COL_MULTIPLE),
            "matmul_narrow: B's row length {kp} is not a multiple of {COL_MULTIPLE}"
        );
        assert_eq!(
            c.len(),
            p * kp,
            "matmul_narrow: C must be p x (B's row length)"
        );
        if kp == 0 {
            return;
        }
        let tiles = TransposedTiles { packed: self, b };
        run_tile_rows(self.level, self.mr, tiles, c, kp);
    }
}

/// `C = A B` with the active SIMD level; see the module docs for layouts.
/// Packs `A` first: to multiply the same `A` repeatedly, keep a
/// [`PackedRows`].
///
/// # Panics
/// If `p == 0`, the slice lengths are not whole rows, `B`'s row length is
/// not a multiple of [`COL_MULTIPLE`], or `C` has the wrong shape.
pub fn matmul_narrow(a: &[f32], p: usize, b: &[f32], c: &mut [f32]) {
    matmul_narrow_with(active(), a, p, b, c)
}

/// [`matmul_narrow`] with a chosen level (an unavailable level falls back).
pub fn matmul_narrow_with(level: SimdLevel, a: &[f32], p: usize, b: &[f32], c: &mut [f32]) {
    PackedRows::new_with(level, a, p).times(b, c)
}

/// Some columns of `A` for [`matmul_row_blocks`], row-major: `cols` entries
/// of each row, rows `stride` entries apart.
#[derive(Clone, Copy, Debug)]
pub struct RowBlock<'a> {
    /// The entries, from the first row's first.
    pub data: &'a [f32],
    /// Columns of the block.
    pub cols: usize,
    /// Entries from one row to the next (at least `cols`).
    pub stride: usize,
}

impl RowBlock<'_> {
    /// Row `i`'s `cols` entries.
    fn row(&self, i: usize) -> &[f32] {
        &self.data[i * self.stride..i * self.stride + self.cols]
    }
}

/// `C = [A_1, A_2, ...] B` where `A` (m x p) is given as side-by-side
/// row-major blocks, read in place: for a left-hand side of a few tens of
/// columns that changes with every product (the search's curve basis
/// `[X P, X W]`), where packing would cost as much as the product. `B` is
/// p x kp and `C` m x kp, row-major, as for [`PackedRows::times`]; each
/// entry of `C` is one sequential sum over the blocks' columns in order,
/// the same sums, bit for bit, as `times` on a packing of `A`.
///
/// # Panics
/// If `B` is not whole rows of length `kp` (a multiple of
/// [`COL_MULTIPLE`]), `C` is not m x kp for the rows every block holds, or
/// a block's stride is shorter than its row.
pub fn matmul_row_blocks(blocks: &[RowBlock<'_>], b: &[f32], c: &mut [f32]) {
    matmul_row_blocks_with(active(), blocks, b, c)
}

/// [`matmul_row_blocks`] with a chosen level (an unavailable level falls
/// back).
pub fn matmul_row_blocks_with(level: SimdLevel, blocks: &[RowBlock<'_>], b: &[f32], c: &mut [f32]) {
    let level = level.or_best_below();
    let p: usize = blocks.iter().map(|blk| blk.cols).sum();
    assert!(p > 0, "matmul_narrow: A needs at least one column");
    assert!(
        b.len().is_multiple_of(p),
        "matmul_narrow: B must be p = {p} rows"
    );
    let kp = b.len() / p;
    assert!(
        kp > 0 && kp.is_multiple_of(COL_MULTIPLE),
        "matmul_narrow: B's row length {kp} is not a positive multiple of {COL_MULTIPLE}"
    );
    assert!(
        c.len().is_multiple_of(kp),
        "matmul_narrow: C must be whole rows of B's length {kp}"
    );
    let m = c.len() / kp;
    for blk in blocks {
        assert!(
            blk.cols <= blk.stride && (m == 0 || blk.data.len() >= (m - 1) * blk.stride + blk.cols),
            "matmul_narrow: a block of A must hold m = {m} rows of {} entries, {} apart",
            blk.cols,
            blk.stride
        );
    }
    run_tile_rows(level, tile_rows(level), RowBlockTiles { blocks, b }, c, kp);
}

/// Runs `steps` steps of the products' register tile at `level` (an
/// unavailable level falls back) with no memory traffic at all: every step
/// one multiply-add into each of the tile's sums, as a step of
/// [`PackedRows::times`] does after its loads. Returns the multiply-adds
/// done; timed, they give this thread's ceiling for the products (the
/// machine's multiply-add peak for the tile's vector width), which
/// `iaf bench fit` reports beside the products' own speed.
///
/// ```
/// use kernels::dispatch::SimdLevel;
/// use kernels::gemm::register_multiply_adds_with;
/// // The scalar reference keeps 8 sums.
/// assert_eq!(register_multiply_adds_with(SimdLevel::Scalar, 10), 80);
/// ```
pub fn register_multiply_adds_with(level: SimdLevel, steps: usize) -> usize {
    let mut done = 0;
    run(
        level.or_best_below(),
        RegisterSteps {
            steps,
            done: &mut done,
        },
    );
    done
}

/// [`register_multiply_adds_with`] at the best available level.
pub fn register_multiply_adds(steps: usize) -> usize {
    register_multiply_adds_with(active(), steps)
}

/// Work on one panel of `A` that a SIMD level carries out with its tiles
/// (`MR` rows of `A`, `NV` vectors of columns), or the scalar reference.
trait PanelWork {
    /// The work with tiles of vectors `V`.
    fn tiles<V: Lanes, const MR: usize, const NV: usize>(self);
    /// The scalar reference.
    fn reference(self);
}

/// Runs `work` at the given (available) level.
fn run(level: SimdLevel, work: impl PanelWork) {
    match level {
        SimdLevel::Scalar => work.reference(),
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `level` is available, so the CPU has AVX-512 F.
        SimdLevel::Avx512 => unsafe { x86::avx512(work) },
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `level` is available, so the CPU has AVX2 and FMA.
        SimdLevel::Avx2 => unsafe { x86::avx2(work) },
        _ => work.tiles::<wide::f32x8, 6, 2>(),
    }
}

/// `C = A B` on one panel of `A` (`c.len() / kp` valid rows).
struct Plain<'a> {
    panel: &'a [f32],
    b: &'a [f32],
    c: &'a mut [f32],
    kp: usize,
}

impl PanelWork for Plain<'_> {
    #[inline(always)]
    fn tiles<V: Lanes, const MR: usize, const NV: usize>(self) {
        let Plain { panel, b, c, kp } = self;
        for (col, wide) in column_panels::<V, NV>(kp) {
            if wide {
                tile::<V, MR, NV>(panel, b, c, (kp, col));
            } else {
                tile::<V, MR, 1>(panel, b, c, (kp, col));
            }
        }
    }

    /// Each entry a sequential sum over `p`.
    fn reference(self) {
        let Plain { panel, b, c, kp } = self;
        let mr = panel.len() / (b.len() / kp);
        for (r, crow) in c.chunks_exact_mut(kp).enumerate() {
            crow.fill(0.0);
            for (step, brow) in panel.chunks_exact(mr).zip(b.chunks_exact(kp)) {
                for (o, &y) in crow.iter_mut().zip(brow) {
                    *o += step[r] * y;
                }
            }
        }
    }
}

/// `steps` multiply-adds into every sum of a register tile, for
/// [`register_multiply_adds_with`]; `done` receives their number.
struct RegisterSteps<'a> {
    steps: usize,
    done: &'a mut usize,
}

impl PanelWork for RegisterSteps<'_> {
    #[inline(always)]
    fn tiles<V: Lanes, const MR: usize, const NV: usize>(self) {
        // Opaque factors, so the compiler cannot turn the multiply-adds
        // into additions of a constant.
        let x = V::splat(std::hint::black_box(0.5));
        let b = V::splat(std::hint::black_box(1e-3));
        let mut acc = [[V::zero(); NV]; MR];
        for _ in 0..self.steps {
            for sums in acc.iter_mut() {
                for sum in sums.iter_mut() {
                    *sum = x.mul_add(b, *sum);
                }
            }
        }
        std::hint::black_box(&acc);
        *self.done = self.steps * MR * NV * V::N;
    }

    fn reference(self) {
        let (x, b) = (std::hint::black_box(0.5f32), std::hint::black_box(1e-3f32));
        let mut acc = [0.0f32; 8];
        for _ in 0..self.steps {
            for sum in acc.iter_mut() {
                *sum = x.mul_add(b, *sum);
            }
        }
        std::hint::black_box(&acc);
        *self.done = self.steps * acc.len();
    }
}

/// Runs `tiles` over all rows of `C` (row-major, rows of `kp`) at `level`,
/// `mr` rows per tile, in parallel tasks of [`PANELS_PER_TASK`] tiles (fixed
/// blocks, so the result does not depend on the thread count).
fn run_tile_rows<K: RowTiles + Copy + Sync>(
    level: SimdLevel,
    mr: usize,
    tiles: K,
    c: &mut [f32],
    kp: usize,
) {
    c.par_chunks_mut(PANELS_PER_TASK * mr * kp)
        .enumerate()
        .with_max_len(1)
        .for_each(|(task, cb)| {
            for (t, c) in cb.chunks_mut(mr * kp).enumerate() {
                let first = (task * PANELS_PER_TASK + t) * mr;
                run(
                    level,
                    TileRows {
                        tiles,
                        first,
                        c,
                        kp,
                    },
                );
            }
        });
}

/// Rows of `C` (`c.len() / kp` of them, from row `first`) computed by
/// `tiles`, whose rows are not a packed panel of their own.
struct TileRows<'a, K> {
    tiles: K,
    first: usize,
    c: &'a mut [f32],
    kp: usize,
}

impl<K: RowTiles> PanelWork for TileRows<'_, K> {
    #[inline(always)]
    fn tiles<V: Lanes, const MR: usize, const NV: usize>(self) {
        by_tiles::<V, MR, NV>(&self.tiles, self.first, self.c, self.kp);
    }

    fn reference(self) {
        self.tiles.reference(self.first, self.c, self.kp);
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

/// The column panels of a row length `kp`: (first column, whether the
/// panel is `NV` vectors wide rather than one), `NV` vectors at a time,
/// then single vectors. (An iterator, not a callback: a closure would not
/// inherit the caller's target features, and the vector operations in it
/// would become calls.)
#[inline(always)]
fn column_panels<V: Lanes, const NV: usize>(kp: usize) -> impl Iterator<Item = (usize, bool)> {
    let wide = kp / (NV * V::N) * NV * V::N;
    let narrow = (wide..kp).step_by(V::N).map(|col| (col, false));
    (0..wide)
        .step_by(NV * V::N)
        .map(|col| (col, true))
        .chain(narrow)
}

/// `C[.., col..col+NV*N] = A B[:, col..col+NV*N]` for one panel of `MR`
/// rows of packed `A` (of which the first `c.len() / kp` are stored),
/// accumulated in registers.
#[inline(always)]
fn tile<V: Lanes, const MR: usize, const NV: usize>(
    panel: &[f32],
    b: &[f32],
    c: &mut [f32],
    (kp, col): (usize, usize),
) {
    let mut acc = [[V::zero(); NV]; MR];
    let (steps, _) = panel.as_chunks::<MR>();
    accumulate(&mut acc, steps.iter().copied(), b.chunks_exact(kp), col);
    store_tile(&acc, c, (kp, col));
}

/// The register tiles of a product whose rows of `C` are computed from row
/// `first` on (not from a packed panel of their own).
trait RowTiles {
    /// Rows `first..first + OR` of `C`, columns `col..col + NV * N` (`at` =
    /// (kp, col)), into `c` (those rows), at a level of `MR`-row tiles.
    fn tile<V: Lanes, const MR: usize, const OR: usize, const NV: usize>(
        &self,
        first: usize,
        c: &mut [f32],
        at: (usize, usize),
    );

    /// The scalar reference for the rows of `C` in `c` (from row `first`):
    /// each entry a sequential sum in the tiles' order.
    fn reference(&self, first: usize, c: &mut [f32], kp: usize);
}

/// Runs `tiles` over the rows of `C` in `c` (from row `first`): `MR` rows
/// at a time, or one at a time for a last, partial panel (the same sums);
/// `NV`-vector column panels, then single vectors.
#[inline(always)]
fn by_tiles<V: Lanes, const MR: usize, const NV: usize>(
    tiles: &impl RowTiles,
    first: usize,
    c: &mut [f32],
    kp: usize,
) {
    for (col, wide) in column_panels::<V, NV>(kp) {
        let at = (kp, col);
        if c.len() == MR * kp {
            if wide {
                tiles.tile::<V, MR, MR, NV>(first, c, at);
            } else {
                tiles.tile::<V, MR, MR, 1>(first, c, at);
            }
        } else {
            for (r, c) in c.chunks_exact_mut(kp).enumerate() {
                if wide {
                    tiles.tile::<V, MR, 1, NV>(first + r, c, at);
                } else {
                    tiles.tile::<V, MR, 1, 1>(first + r, c, at);
                }
            }
        }
    }
}

/// The tiles of `[A_1, A_2, ...] B` for side-by-side row-major blocks.
#[derive(Clone, Copy)]
struct RowBlockTiles<'a> {
    blocks: &'a [RowBlock<'a>],
    b: &'a [f32],
}

impl RowTiles for RowBlockTiles<'_> {
    #[inline(always)]
    fn tile<V: Lanes, const MR: usize, const OR: usize, const NV: usize>(
        &self,
        first: usize,
        c: &mut [f32],
        at: (usize, usize),
    ) {
        row_block_tile::<V, OR, NV>(self.blocks, first, self.b, c, at);
    }

    /// Sums over the blocks' columns in order.
    fn reference(&self, first: usize, c: &mut [f32], kp: usize) {
        for (r, crow) in c.chunks_exact_mut(kp).enumerate() {
            crow.fill(0.0);
            let mut brows = self.b.chunks_exact(kp);
            for block in self.blocks {
                for (&x, brow) in block.row(first + r).iter().zip(brows.by_ref()) {
                    for (o, &y) in crow.iter_mut().zip(brow) {
                        *o += x * y;
                    }
                }
            }
        }
    }
}

/// The tiles of `A^T B` for a packed `A`: rows of `C` are columns of `A`.
#[derive(Clone, Copy)]
struct TransposedTiles<'a> {
    packed: &'a PackedRows,
    b: &'a [f32],
}

impl RowTiles for TransposedTiles<'_> {
    #[inline(always)]
    fn tile<V: Lanes, const MR: usize, const OR: usize, const NV: usize>(
        &self,
        first: usize,
        c: &mut [f32],
        at: (usize, usize),
    ) {
        transposed_tile::<V, MR, OR, NV>(self.packed, first, self.b, c, at);
    }

    /// Sums over the rows of `A` in order.
    fn reference(&self, first: usize, c: &mut [f32], kp: usize) {
        let (mr, p) = (self.packed.mr, self.packed.p);
        for (q, crow) in c.chunks_exact_mut(kp).enumerate() {
            crow.fill(0.0);
            let j = first + q;
            for (i, brow) in self.b.chunks_exact(kp).enumerate() {
                let x = self.packed.data[i / mr * mr * p + j * mr + i % mr];
                for (o, &y) in crow.iter_mut().zip(brow) {
                    *o += x * y;
                }
            }
        }
    }
}

/// [`tile`] for `MR` rows from `first` of side-by-side row-major blocks:
/// the sums run on over one block's columns after the other's.
#[inline(always)]
fn row_block_tile<V: Lanes, const MR: usize, const NV: usize>(
    blocks: &[RowBlock<'_>],
    first: usize,
    b: &[f32],
    c: &mut [f32],
    (kp, col): (usize, usize),
) {
    let mut acc = [[V::zero(); NV]; MR];
    let mut brows = b.chunks_exact(kp);
    for block in blocks {
        let rows: [&[f32]; MR] = std::array::from_fn(|r| block.row(first + r));
        let steps = (0..block.cols).map(|j| std::array::from_fn(|r| rows[r][j]));
        accumulate(&mut acc, steps, brows.by_ref(), col);
    }
    store_tile(&acc, c, (kp, col));
}

/// [`tile`] for `OR` rows of `C = A^T B` from row `first`: columns
/// `first..first + OR` of the packed `A` (panels of `PMR` rows), gathered
/// one step per row of `A` (the padding rows of the last panel meet no row
/// of `B`).
///
/// The gather reads through a raw pointer in one flat loop over the rows:
/// with slice indexing, or with a loop over panels around a loop over
/// their rows, the compiler stored the 24 sums to the stack on every step
/// or every panel, and the product ran 10-20 % slower (a probe at the
/// bench's shape, 2 threads: 401-444 against 376-380 us).
#[inline(always)]
fn transposed_tile<V: Lanes, const PMR: usize, const OR: usize, const NV: usize>(
    packed: &PackedRows,
    first: usize,
    b: &[f32],
    c: &mut [f32],
    (kp, col): (usize, usize),
) {
    let mut acc = [[V::zero(); NV]; OR];
    let stride = PMR * packed.p;
    assert!(
        packed.mr == PMR
            && packed.data.len() == packed.rows.div_ceil(PMR) * stride
            && b.len() / kp <= packed.rows
            && first + OR <= packed.p,
        "PackedRows: a transposed tile outside the packing (or of another level)"
    );
    let base = packed.data[first * PMR..].as_ptr();
    for (i, brow) in b.chunks_exact(kp).enumerate() {
        // SAFETY: row i < rows of A, in panel i / PMR of `PMR * p` entries
        // (the packing holds rows.div_ceil(PMR) of them); column
        // first + q < p (asserted) is at offset (first + q) * PMR in it.
        let step = unsafe {
            let column = base.add(i / PMR * stride + i % PMR);
            std::array::from_fn(|q| *column.add(q * PMR))
        };
        multiply_add_step(&mut acc, step, brow, col);
    }
    store_tile(&acc, c, (kp, col));
}

/// Adds the products of `A`'s steps (`MR` entries of one column each) with
/// the rows of `B` they meet to a tile's sums (columns `col..col+NV*N`),
/// one multiply-add per step in order.
#[inline(always)]
fn accumulate<'b, V: Lanes, const MR: usize, const NV: usize>(
    acc: &mut [[V; NV]; MR],
    steps: impl Iterator<Item = [f32; MR]>,
    brows: impl Iterator<Item = &'b [f32]>,
    col: usize,
) {
    for (step, brow) in steps.zip(brows) {
        multiply_add_step(acc, step, brow, col);
    }
}

/// One step of [`accumulate`]: `acc[r] += step[r] * brow[col..col+NV*N]`.
#[inline(always)]
fn multiply_add_step<V: Lanes, const MR: usize, const NV: usize>(
    acc: &mut [[V; NV]; MR],
    step: [f32; MR],
    brow: &[f32],
    col: usize,
) {
    let mut bv = [V::zero(); NV];
    for (v, x) in bv.iter_mut().enumerate() {
        *x = V::load(&brow[col + v * V::N..]);
    }
    for r in 0..MR {
        let x = V::splat(step[r]);
        for v in 0..NV {
            acc[r][v] = x.mul_add(bv[v], acc[r][v]);
        }
    }
}

/// Stores a tile's sums into its rows of `C` (as many as `c` holds).
#[inline(always)]
fn store_tile<V: Lanes, const MR: usize, const NV: usize>(
    acc: &[[V; NV]; MR],
    c: &mut [f32],
    (kp, col): (usize, usize),
) {
    for (accr, out) in acc.iter().zip(c.chunks_exact_mut(kp)) {
        for (v, x) in accr.iter().enumerate() {
            x.store(&mut out[col + v * V::N..]);
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    //! AVX-512 and AVX2 vectors for the tiles.
    use super::{Lanes, PanelWork};
    use std::arch::x86_64::*;

    impl Lanes for __m512 {
        const N: usize = 16;
        #[inline(always)]
        fn zero() -> Self {
            // SAFETY: only reached from `avx512`, which requires AVX-512 F.
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
            // SAFETY: only reached from `avx2`, which requires AVX2 + FMA.
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
    pub(super) unsafe fn avx512(work: impl PanelWork) {
        work.tiles::<__m512, 12, 2>()
    }

    /// Tiles of 6 rows x 16 columns (12 of the 16 vector registers).
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn avx2(work: impl PanelWork) {
        work.tiles::<__m256, 6, 2>()
    }
}
