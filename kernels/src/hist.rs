//! Histograms and quantiles: equal-width bin counts, the piecewise-linear
//! CDF of a histogram with a pseudo-count, and empirical quantiles of sorted
//! data by linear interpolation.
//!
//! ```
//! use kernels::hist::{histogram, histogram_cdf, quantiles_sorted};
//! use kernels::interp::OutOfRange;
//! let mut counts = [0u64; 4];
//! histogram(&[0.1, 0.2, 0.6, 0.99, 7.0, -3.0, f64::NAN], 0.0, 1.0, &mut counts);
//! assert_eq!(counts, [3, 0, 1, 2]);
//! let cdf = histogram_cdf(&counts, 0.0, 1.0, 0.0).unwrap();
//! assert_eq!(cdf.eval(0.25, OutOfRange::Clamp), 0.5);
//! let mut q = [0.0; 2];
//! quantiles_sorted(&[1.0, 2.0, 3.0, 4.0], &[0.125, 0.5], &mut q);
//! assert_eq!(q, [1.0, 2.5]);
//! ```

use crate::dispatch::{active, SimdLevel};
use crate::interp::{InterpError, MonotonePl};

/// Bin of `x` among `bins` equal-width bins starting at `lo`, `scale =
/// bins / (hi - lo)`; below `lo` is bin 0, at or above `hi` the last bin.
#[inline(always)]
fn bin(x: f64, lo: f64, scale: f64, bins: usize) -> usize {
    let b = (x - lo) * scale;
    // `as usize` saturates: negatives (and -inf) become 0.
    (b as usize).min(bins - 1)
}

/// Adds the equal-width histogram of `data` over `[lo, hi]` to `counts`
/// (one count per bin). Values below `lo` count in the first bin, values at
/// or above `hi` in the last; NaN values are not counted. Uses the active
/// SIMD level.
///
/// # Panics
/// If `counts` is empty (or has 2^32 - 1 bins or more) or `lo < hi` does
/// not hold with both finite.
pub fn histogram(data: &[f64], lo: f64, hi: f64, counts: &mut [u64]) {
    histogram_with(active(), data, lo, hi, counts)
}

/// [`histogram`] with a chosen level.
pub fn histogram_with(level: SimdLevel, data: &[f64], lo: f64, hi: f64, counts: &mut [u64]) {
    assert!(
        !counts.is_empty() && counts.len() < u32::MAX as usize,
        "histogram: between 1 and 2^32 - 2 bins"
    );
    assert!(
        lo.is_finite() && hi.is_finite() && lo < hi,
        "histogram: need finite lo < hi, got [{lo}, {hi}]"
    );
    let bins = counts.len();
    let scale = bins as f64 / (hi - lo);
    match level.or_best_below() {
        SimdLevel::Scalar => {
            for &x in data.iter().filter(|x| !x.is_nan()) {
                counts[bin(x, lo, scale, bins)] += 1;
            }
        }
        // SAFETY: or_best_below() only returns levels whose CPU features
        // were detected at run time.
        #[cfg(target_arch = "x86_64")]
        SimdLevel::Avx512 => unsafe { striped_avx512(data, lo, scale, counts) },
        #[cfg(target_arch = "x86_64")]
        SimdLevel::Avx2 => unsafe { striped_avx2(data, lo, scale, counts) },
        _ => striped(data, lo, scale, counts),
    }
}

/// Count arrays interleaved by element position, so runs of equal bins do
/// not wait on store-to-load forwarding.
const STRIPES: usize = 8;

/// Bin indices of a block are computed first, `f64` lanes at a time (a
/// branch-free loop the compiler vectorises: clamp in floating point, then
/// an exact conversion), NaN mapped to a spare slot past the real bins; then
/// each index increments one of [`STRIPES`] count arrays.
#[inline(always)]
fn striped(data: &[f64], lo: f64, scale: f64, counts: &mut [u64]) {
    const BLOCK: usize = 256;
    let bins = counts.len();
    let slots = bins + 1;
    let last = (bins - 1) as f64;
    let mut stripes = vec![0u64; STRIPES * slots];
    let mut idx = [0u32; BLOCK];
    for chunk in data.chunks(BLOCK) {
        for (i, &x) in idx.iter_mut().zip(chunk) {
            // Same bin as `bin`: `as usize` truncates and saturates at 0,
            // and `max`/`min` in floating point commute with the
            // truncation. `max` turns NaN into 0.0, replaced below.
            let b = ((x - lo) * scale).max(0.0).min(last);
            // SAFETY: b is finite, in [0, bins - 1], and bins fits u32
            // (checked by the caller).
            let b: u32 = unsafe { b.to_int_unchecked() };
            *i = if x.is_nan() { bins as u32 } else { b };
        }
        for (k, &i) in idx[..chunk.len()].iter().enumerate() {
            stripes[(k % STRIPES) * slots + i as usize] += 1;
        }
    }
    for (b, c) in counts.iter_mut().enumerate() {
        *c += (0..STRIPES).map(|s| stripes[s * slots + b]).sum::<u64>();
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,avx2,fma")]
fn striped_avx512(data: &[f64], lo: f64, scale: f64, counts: &mut [u64]) {
    striped(data, lo, scale, counts)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn striped_avx2(data: &[f64], lo: f64, scale: f64, counts: &mut [u64]) {
    striped(data, lo, scale, counts)
}

/// The piecewise-linear CDF of a histogram over `[lo, hi]`: knots at the bin
/// edges, values the cumulative mass with `alpha` added to every bin,
/// normalised to run from 0 at `lo` to 1 at `hi`. Strictly increasing when
/// `alpha > 0` or every bin is non-empty.
pub fn histogram_cdf(
    counts: &[u64],
    lo: f64,
    hi: f64,
    alpha: f64,
) -> Result<MonotonePl, InterpError> {
    let bins = counts.len();
    let total: f64 = counts.iter().map(|&c| c as f64 + alpha).sum();
    let width = (hi - lo) / bins as f64;
    let mut xs = Vec::with_capacity(bins + 1);
    let mut ys = Vec::with_capacity(bins + 1);
    let mut cum = 0.0;
    xs.push(lo);
    ys.push(0.0);
    for (b, &c) in counts.iter().enumerate() {
        cum += c as f64 + alpha;
        xs.push(if b + 1 == bins {
            hi
        } else {
            lo + (b + 1) as f64 * width
        });
        ys.push(if b + 1 == bins { 1.0 } else { cum / total });
    }
    MonotonePl::new(xs, ys)
}

/// Empirical quantiles of ascending `sorted` data at `levels` in [0, 1]:
/// linear interpolation with `q((i + 0.5) / n) = sorted[i]`, constant below
/// level `0.5 / n` and above `1 - 0.5 / n`. Empty data gives NaN.
///
/// # Panics
/// If `levels` and `out` differ in length.
pub fn quantiles_sorted(sorted: &[f64], levels: &[f64], out: &mut [f64]) {
    assert_eq!(
        levels.len(),
        out.len(),
        "quantiles_sorted: one output per level"
    );
    let n = sorted.len();
    for (o, &u) in out.iter_mut().zip(levels) {
        *o = if n == 0 || u.is_nan() {
            f64::NAN
        } else {
            let pos = (u * n as f64 - 0.5).clamp(0.0, (n - 1) as f64);
            let i = pos as usize;
            let frac = pos - i as f64;
            if frac == 0.0 || sorted[i] == sorted[i + 1] {
                sorted[i]
            } else {
                sorted[i] + frac * (sorted[i + 1] - sorted[i])
            }
        };
    }
}
