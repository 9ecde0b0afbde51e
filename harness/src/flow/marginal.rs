//! The 1-D maps of an NB layer: for each domain and direction, a strictly
//! increasing piecewise-linear map from the domain's quantiles to the
//! target's quantiles at common levels, extended by slope-1 tails so that it
//! is defined, exact and invertible on the whole real line.

use super::objective::Target;
use kernels::hist::quantiles_sorted;
use kernels::interp::{InterpError, MonotonePl};
use kernels::normal;
use kernels::sort::sort;

/// Quantile levels of the maps: `(g + 0.5) / G` for `g < G`, plus the
/// extreme levels `0.5 / n` and `1 - 0.5 / n` of the smallest domain.
pub fn map_levels(grid: usize, min_size: usize) -> Vec<f64> {
    let edge = 0.5 / min_size.max(1) as f64;
    let mut levels = vec![edge];
    levels.extend((0..grid).map(|g| (g as f64 + 0.5) / grid as f64));
    levels.push(1.0 - edge);
    levels.sort_by(f64::total_cmp);
    levels.dedup();
    levels
}

/// The target's quantiles at `levels`, from every domain's quantiles.
pub fn target_quantiles(
    target: Target,
    domain_q: &[Vec<f64>],
    weights: &[f64],
    levels: &[f64],
) -> Vec<f64> {
    match target {
        Target::StandardNormal => levels.iter().map(|&u| normal::quantile(u)).collect(),
        Target::Barycenter => (0..levels.len())
            .map(|i| domain_q.iter().zip(weights).map(|(q, w)| w * q[i]).sum())
            .collect(),
    }
}

/// Smallest slope of a map segment, as a fraction of the map's mean slope.
const MIN_RELATIVE_SLOPE: f64 = 1e-5;

/// A strictly increasing map through `(xs[i], ys[i])` (xs non-decreasing,
/// ys non-decreasing): repeated xs collapse to their first knot, ys are
/// nudged up where flat, and slope-1 tails are added beyond both ends.
pub fn monotone_map(xs: &[f64], ys: &[f64]) -> Result<MonotonePl, InterpError> {
    let mut kx: Vec<f64> = Vec::with_capacity(xs.len() + 2);
    let mut ky: Vec<f64> = Vec::with_capacity(xs.len() + 2);
    for (&x, &y) in xs.iter().zip(ys) {
        if kx.last().is_some_and(|&last| x <= last) {
            continue;
        }
        kx.push(x);
        ky.push(y);
    }
    let span = |v: &[f64]| v[v.len() - 1] - v[0];
    let (sx, sy) = (span(&kx), span(&ky));
    // Minimum slope per segment, relative to the map's mean slope: keeps the
    // map strictly increasing and its inverse well conditioned (a segment of
    // slope s loses about ulp(y) / s on the way back).
    let mean_slope = if sx > 0.0 && sy > 0.0 { sy / sx } else { 1.0 };
    let min_slope = MIN_RELATIVE_SLOPE * mean_slope;
    for i in 1..ky.len() {
        let floor = (ky[i - 1] + min_slope * (kx[i] - kx[i - 1])).max(ky[i - 1].next_up());
        if ky[i] < floor {
            ky[i] = floor;
        }
    }
    let ends = kx[0]
        .abs()
        .max(kx[kx.len() - 1].abs())
        .max(ky[0].abs())
        .max(ky[ky.len() - 1].abs());
    let tail = 10.0 * sx.max(sy).max(1.0) + 1e-3 * ends;
    let (x0, y0) = (kx[0], ky[0]);
    let (x1, y1) = (kx[kx.len() - 1], ky[ky.len() - 1]);
    let mut fx = Vec::with_capacity(kx.len() + 2);
    let mut fy = Vec::with_capacity(kx.len() + 2);
    fx.push(x0 - tail);
    fy.push(y0 - tail);
    fx.extend(kx);
    fy.extend(ky);
    fx.push(x1 + tail);
    fy.push(y1 + tail);
    MonotonePl::new_strict(fx, fy)
}

/// Builds the maps of one direction: `values[c]` are domain c's
/// projections (any order); returns one map per domain.
pub fn direction_maps(
    values: Vec<Vec<f64>>,
    weights: &[f64],
    target: Target,
    grid: usize,
) -> Result<Vec<MonotonePl>, InterpError> {
    let min_size = values.iter().map(Vec::len).min().unwrap_or(1);
    let levels = map_levels(grid, min_size);
    let domain_q: Vec<Vec<f64>> = values
        .into_iter()
        .map(|mut v| {
            sort(&mut v);
            let mut q = vec![0.0; levels.len()];
            quantiles_sorted(&v, &levels, &mut q);
            q
        })
        .collect();
    let tq = target_quantiles(target, &domain_q, weights, &levels);
    domain_q.iter().map(|q| monotone_map(q, &tq)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use kernels::interp::OutOfRange;

    #[test]
    fn ties_and_constants_give_strict_maps_without_nan() {
        let f = monotone_map(&[1.0, 1.0, 1.0], &[2.0, 2.0, 2.0]).unwrap();
        assert!(f.is_strict());
        assert_eq!(f.eval(1.0, OutOfRange::Linear), 2.0);
        assert!((f.eval(5.0, OutOfRange::Linear) - 6.0).abs() < 1e-12);
        let g = monotone_map(&[0.0, 0.0, 1.0, 1.0, 2.0], &[0.0, 1.0, 1.0, 1.0, 1.0]).unwrap();
        assert!(g.is_strict());
        for x in [-1e6, -1.0, 0.0, 0.5, 1.0, 1.5, 2.0, 1e6] {
            let y = g.eval(x, OutOfRange::Linear);
            assert!(y.is_finite());
            assert!((g.inverse(y, OutOfRange::Linear) - x).abs() <= 1e-9 * x.abs().max(1.0));
        }
    }

    #[test]
    fn two_shifted_domains_meet_in_the_middle() {
        let a: Vec<f64> = (0..100).map(|i| i as f64 / 10.0).collect();
        let b: Vec<f64> = a.iter().map(|v| v + 4.0).collect();
        let maps = direction_maps(vec![a, b], &[0.5, 0.5], Target::Barycenter, 50).unwrap();
        for x in [0.0, 3.3, 9.9] {
            assert!((maps[0].eval(x, OutOfRange::Linear) - (x + 2.0)).abs() < 1e-9);
            assert!((maps[1].eval(x + 4.0, OutOfRange::Linear) - (x + 2.0)).abs() < 1e-9);
        }
    }
}
