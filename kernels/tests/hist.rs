//! Histograms (every level against the scalar count), histogram CDFs and
//! sorted-data quantiles.

mod common;

use kernels::dispatch::available;
use kernels::hist::{histogram, histogram_cdf, histogram_with, quantiles_sorted};
use kernels::interp::OutOfRange;
use rand::Rng;

/// Direct definition: floor((x - lo) / width), clamped; NaN skipped.
fn naive(data: &[f64], lo: f64, hi: f64, bins: usize) -> Vec<u64> {
    let mut c = vec![0u64; bins];
    for &x in data.iter().filter(|x| !x.is_nan()) {
        let b = ((x - lo) * (bins as f64 / (hi - lo))).floor();
        let b = if b < 0.0 {
            0
        } else {
            (b as usize).min(bins - 1)
        };
        c[b] += 1;
    }
    c
}

#[test]
fn every_level_counts_like_the_definition() {
    for n in (0..=300).chain([1_000_000]) {
        for (name, v) in common::shapes(n, n as u64 + 3) {
            for bins in [1, 2, 3, 7, 64, 100, 1000] {
                let want = naive(&v, -0.5, 0.75, bins);
                for level in available() {
                    let mut got = vec![0u64; bins];
                    histogram_with(level, &v, -0.5, 0.75, &mut got);
                    assert_eq!(got, want, "{level} {name} n={n} bins={bins}");
                }
            }
            if n > 1000 {
                break;
            }
        }
    }
}

#[test]
fn counts_accumulate_and_skip_nan() {
    let mut c = [1u64, 1];
    histogram(
        &[f64::NAN, -f64::NAN, 0.0, 1.0, f64::INFINITY],
        0.0,
        1.0,
        &mut c,
    );
    assert_eq!(c, [2, 3]);
}

#[test]
fn histogram_cdf_is_strictly_increasing_with_pseudo_count() {
    let counts = [0u64, 5, 0, 0, 3];
    let f = histogram_cdf(&counts, -1.0, 1.0, 1e-6).unwrap();
    assert!(f.is_strict());
    assert_eq!(f.eval(-1.0, OutOfRange::Clamp), 0.0);
    assert_eq!(f.eval(1.0, OutOfRange::Clamp), 1.0);
    let mid = f.eval(-0.2, OutOfRange::Clamp);
    assert!((mid - (5.0 + 2e-6) / (8.0 + 5e-6)).abs() < 1e-15);
    let g = histogram_cdf(&counts, -1.0, 1.0, 0.0).unwrap();
    assert!(!g.is_strict());
    assert!(histogram_cdf(&[0, 0], 0.0, 1.0, 0.0).is_err());
}

#[test]
fn quantiles_hit_sorted_values_at_mid_levels_and_interpolate_between() {
    let mut r = common::rng(2);
    for n in 1..200 {
        let mut s: Vec<f64> = (0..n).map(|_| r.random::<f64>()).collect();
        s.sort_by(f64::total_cmp);
        let levels: Vec<f64> = (0..n).map(|i| (i as f64 + 0.5) / n as f64).collect();
        let mut q = vec![0.0; n];
        quantiles_sorted(&s, &levels, &mut q);
        for i in 0..n {
            assert!((q[i] - s[i]).abs() <= 4.0 * f64::EPSILON, "n={n} i={i}");
        }
    }
    let s = [0.0, 10.0];
    let mut q = [0.0; 5];
    quantiles_sorted(&s, &[0.0, 0.25, 0.5, 0.75, 1.0], &mut q);
    assert_eq!(q, [0.0, 0.0, 5.0, 10.0, 10.0]);
    let mut e = [0.0];
    quantiles_sorted(&[], &[0.5], &mut e);
    assert!(e[0].is_nan());
    quantiles_sorted(&[f64::INFINITY, f64::INFINITY], &[0.5], &mut e);
    assert_eq!(e[0], f64::INFINITY);
}
