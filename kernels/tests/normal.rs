//! kernels::normal against 60-digit mpmath values
//! (scripts/gen_normal_reference.py), and the probit round trip.

use kernels::normal::{cdf, cdf_slice, log_pdf, quantile, quantile_slice, sf};

fn reference(kind: &str) -> Vec<(f64, f64)> {
    include_str!("data/normal_reference.csv")
        .lines()
        .skip(1)
        .filter_map(|l| {
            let mut f = l.split(',');
            (f.next()? == kind).then(|| {
                let x: f64 = f.next().unwrap().parse().unwrap();
                let y: f64 = f.next().unwrap().parse().unwrap();
                (x, y)
            })
        })
        .collect()
}

fn rel(got: f64, want: f64) -> f64 {
    if got == want {
        0.0
    } else {
        ((got - want) / want).abs()
    }
}

#[test]
fn cdf_relative_error_below_1e_14_everywhere() {
    let pts = reference("cdf");
    assert!(pts.len() > 700);
    let worst = pts
        .iter()
        .map(|&(z, want)| (rel(cdf(z), want), z))
        .fold((0.0, 0.0), |a, b| if b.0 > a.0 { b } else { a });
    assert!(
        worst.0 <= 1e-14,
        "max relative error {:e} at z = {}",
        worst.0,
        worst.1
    );
}

#[test]
fn quantile_relative_error_below_1e_14_everywhere() {
    // Down to 1e-300 (z = -37.05); subnormal p carry too few bits to ask more.
    let pts: Vec<(f64, f64)> = reference("quantile")
        .into_iter()
        .filter(|&(p, _)| p >= 1e-300)
        .collect();
    assert!(pts.len() > 350);
    let worst = pts
        .iter()
        .map(|&(p, want)| (rel(quantile(p), want), p))
        .fold((0.0, 0.0), |a, b| if b.0 > a.0 { b } else { a });
    assert!(
        worst.0 <= 1e-14,
        "max relative error {:e} at p = {:e}",
        worst.0,
        worst.1
    );
}

#[test]
fn probit_round_trip_loses_nothing() {
    let mut z = -37.0;
    while z <= 8.0 {
        let back = quantile(cdf(z));
        let tol = if z < 0.0 {
            1e-14 * z.abs()
        } else {
            2e-16 / cdf(-z)
        };
        assert!((back - z).abs() <= tol.max(1e-15), "z = {z}: got {back}");
        z += 0.0137;
    }
}

#[test]
fn special_values() {
    assert!(cdf(f64::NAN).is_nan() && quantile(f64::NAN).is_nan());
    assert_eq!(cdf(f64::NEG_INFINITY), 0.0);
    assert_eq!(cdf(f64::INFINITY), 1.0);
    assert_eq!(quantile(0.0), f64::NEG_INFINITY);
    assert_eq!(quantile(1.0), f64::INFINITY);
    assert!(quantile(-0.1).is_nan() && quantile(1.5).is_nan());
    assert_eq!(quantile(0.5), 0.0);
    assert_eq!(cdf(-0.0), 0.5);
    let (a, b) = (quantile(5e-324), quantile(1e-310));
    assert!(a.is_finite() && a < b && b < quantile(1e-300), "{a} {b}");
    assert_eq!(sf(3.0), cdf(-3.0));
    assert!((log_pdf(0.0) + 0.5 * (2.0 * std::f64::consts::PI).ln()).abs() < 1e-15);
}

#[test]
fn slices_equal_scalar_calls() {
    let x: Vec<f64> = (0..100_000)
        .map(|i| (i as f64 - 50_000.0) * 7.3e-4)
        .collect();
    let mut out = vec![0.0; x.len()];
    cdf_slice(&x, &mut out);
    assert!(x
        .iter()
        .zip(&out)
        .all(|(&v, &o)| o.to_bits() == cdf(v).to_bits()));
    let p: Vec<f64> = out.clone();
    let mut back = vec![0.0; p.len()];
    quantile_slice(&p, &mut back);
    assert!(p
        .iter()
        .zip(&back)
        .all(|(&v, &o)| o.to_bits() == quantile(v).to_bits()));
}
