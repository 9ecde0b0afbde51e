//! Batched evaluation of unsorted queries: blocks of `LANES` queries run the
//! branchless halving search in lockstep, so their independent loads
//! overlap; the same code is compiled for AVX-512, AVX2 and the baseline
//! target, where the compiler vectorises the lockstep loops (gathers on
//! AVX2/AVX-512).

use super::{apply, eval_on, limit, OutOfRange};
use crate::dispatch::SimdLevel;

/// Queries searched in lockstep.
const LANES: usize = 16;

#[inline(always)]
fn eval_blocks(
    xs: &[f64],
    ys: &[f64],
    slope: &[f64],
    x: &[f64],
    out: &mut [f64],
    rule: OutOfRange,
) {
    let segments = xs.len() - 1;
    let mut qs = x.chunks_exact(LANES);
    let mut os = out.chunks_exact_mut(LANES);
    for (q, o) in (&mut qs).zip(&mut os) {
        let mut v = [0.0f64; LANES];
        for l in 0..LANES {
            v[l] = limit(xs, q[l], rule);
        }
        let mut base = [0usize; LANES];
        let mut len = segments;
        while len > 1 {
            let half = len / 2;
            for l in 0..LANES {
                let probe = base[l] + half;
                base[l] = if xs[probe] <= v[l] { probe } else { base[l] };
            }
            len -= half;
        }
        for l in 0..LANES {
            let i = base[l];
            o[l] = apply(xs[i], ys[i], slope[i], v[l]);
        }
    }
    for (o, &q) in os.into_remainder().iter_mut().zip(qs.remainder()) {
        *o = eval_on(xs, ys, slope, q, rule);
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,avx2,fma")]
fn eval_avx512(
    xs: &[f64],
    ys: &[f64],
    slope: &[f64],
    x: &[f64],
    out: &mut [f64],
    rule: OutOfRange,
) {
    eval_blocks(xs, ys, slope, x, out, rule)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn eval_avx2(xs: &[f64], ys: &[f64], slope: &[f64], x: &[f64], out: &mut [f64], rule: OutOfRange) {
    eval_blocks(xs, ys, slope, x, out, rule)
}

/// Evaluates every query with the given level's code.
pub(super) fn eval(
    level: SimdLevel,
    xs: &[f64],
    ys: &[f64],
    slope: &[f64],
    x: &[f64],
    out: &mut [f64],
    rule: OutOfRange,
) {
    match level.or_best_below() {
        SimdLevel::Scalar => {
            for (o, &q) in out.iter_mut().zip(x) {
                *o = eval_on(xs, ys, slope, q, rule);
            }
        }
        SimdLevel::Portable => eval_blocks(xs, ys, slope, x, out, rule),
        // SAFETY: or_best_below() only returns levels whose CPU features
        // were detected at run time.
        #[cfg(target_arch = "x86_64")]
        SimdLevel::Avx2 => unsafe { eval_avx2(xs, ys, slope, x, out, rule) },
        #[cfg(target_arch = "x86_64")]
        SimdLevel::Avx512 => unsafe { eval_avx512(xs, ys, slope, x, out, rule) },
        #[cfg(not(target_arch = "x86_64"))]
        _ => eval_blocks(xs, ys, slope, x, out, rule),
    }
}
