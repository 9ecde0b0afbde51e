//! Monotone PL maps: every batched path against scalar `eval`, bit for bit,
//! on random and adversarial queries; inverse(eval(x)) = x for strict maps;
//! out-of-range rules; knot validation.

mod common;

use kernels::dispatch::available;
use kernels::interp::{InterpError, MonotonePl, OutOfRange};
use proptest::prelude::*;
use rand::Rng;

const RULES: [OutOfRange; 2] = [OutOfRange::Clamp, OutOfRange::Linear];

fn random_map(knots: usize, seed: u64, strict: bool) -> MonotonePl {
    let mut r = common::rng(seed);
    let mut x = -3.0;
    let mut y = 10.0;
    let (mut xs, mut ys) = (vec![], vec![]);
    for _ in 0..knots {
        xs.push(x);
        ys.push(y);
        x += r.random::<f64>() + 1e-3;
        let flat = !strict && r.random_bool(0.2);
        y += if flat {
            0.0
        } else {
            r.random::<f64>() * 2.0 + 1e-6
        };
    }
    MonotonePl::new(xs, ys).unwrap()
}

fn same(a: f64, b: f64) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}

fn check_batches(f: &MonotonePl, q: &[f64], what: &str) {
    for rule in RULES {
        let want: Vec<f64> = q.iter().map(|&v| f.eval(v, rule)).collect();
        for level in available() {
            let mut got = vec![0.0; q.len()];
            f.eval_batch_with(level, q, &mut got, rule);
            for i in 0..q.len() {
                assert!(
                    same(got[i], want[i]),
                    "{level} {rule:?} {what}: x={} got {} want {}",
                    q[i],
                    got[i],
                    want[i]
                );
            }
        }
        let mut sorted: Vec<f64> = q.to_vec();
        sorted.sort_by(f64::total_cmp);
        let want: Vec<f64> = sorted.iter().map(|&v| f.eval(v, rule)).collect();
        let unsorted_want: Vec<f64> = q.iter().map(|&v| f.eval(v, rule)).collect();
        let inverse_want: Vec<f64> = q.iter().map(|&v| f.inverse(v, rule)).collect();
        for level in available() {
            let mut got = vec![0.0; q.len()];
            f.eval_sorted_with(level, &sorted, &mut got, rule);
            for i in 0..q.len() {
                assert!(
                    same(got[i], want[i]),
                    "sorted {level} {rule:?} {what}: x={}",
                    sorted[i]
                );
            }
            // Unsorted input to the sorted path: slower, still exact.
            f.eval_sorted_with(level, q, &mut got, rule);
            for i in 0..q.len() {
                assert!(
                    same(got[i], unsorted_want[i]),
                    "sorted path on unsorted input {level} {rule:?} {what}: x={}",
                    q[i]
                );
            }
            // The inverse runs the same search on the values (with repeated
            // values when the map is not strict).
            f.inverse_batch_with(level, q, &mut got, rule);
            for i in 0..q.len() {
                assert!(
                    same(got[i], inverse_want[i]),
                    "inverse {level} {rule:?} {what}: y={}",
                    q[i]
                );
            }
        }
    }
}

#[test]
fn batched_paths_equal_scalar_on_every_shape_and_size() {
    for knots in [2, 3, 7, 64, 1002] {
        for strict in [true, false] {
            let f = random_map(knots, knots as u64, strict);
            let span = f.xs()[knots - 1] - f.xs()[0];
            for n in (0..=300).step_by(if knots == 1002 { 1 } else { 13 }) {
                for (name, v) in common::shapes(n, n as u64) {
                    // Scale the shapes over and beyond the knot range.
                    let q: Vec<f64> = v.iter().map(|&x| f.xs()[0] + (x + 0.6) * span).collect();
                    check_batches(&f, &q, name);
                }
            }
            // Queries exactly at the knots and the specials unscaled.
            check_batches(&f, f.xs(), "at knots");
            check_batches(&f, &common::specials(), "specials");
        }
    }
}

#[test]
fn a_million_queries() {
    let f = random_map(1002, 5, true);
    let mut r = common::rng(9);
    let q: Vec<f64> = (0..1_000_000)
        .map(|_| r.random::<f64>() * 1200.0 - 100.0)
        .collect();
    check_batches(&f, &q, "1e6");
}

#[test]
fn out_of_range_rules_and_derivative() {
    let f = MonotonePl::new_strict(vec![0.0, 1.0, 2.0], vec![0.0, 1.0, 3.0]).unwrap();
    assert_eq!(f.eval(-5.0, OutOfRange::Clamp), 0.0);
    assert_eq!(f.eval(5.0, OutOfRange::Clamp), 3.0);
    assert_eq!(f.eval(-5.0, OutOfRange::Linear), -5.0);
    assert_eq!(f.eval(5.0, OutOfRange::Linear), 9.0);
    assert_eq!(f.eval(f64::INFINITY, OutOfRange::Linear), f64::INFINITY);
    assert_eq!(f.eval(f64::NEG_INFINITY, OutOfRange::Clamp), 0.0);
    assert!(f.eval(f64::NAN, OutOfRange::Clamp).is_nan());
    assert_eq!(f.inverse(9.0, OutOfRange::Linear), 5.0);
    assert_eq!(f.inverse(9.0, OutOfRange::Clamp), 2.0);
    assert_eq!(f.derivative(0.5, OutOfRange::Linear), 1.0);
    assert_eq!(f.derivative(1.0, OutOfRange::Linear), 2.0);
    assert_eq!(f.derivative(7.0, OutOfRange::Linear), 2.0);
    assert_eq!(f.derivative(7.0, OutOfRange::Clamp), 0.0);
    let mut d = [0.0; 2];
    f.derivative_batch(&[-1.0, 1.5], &mut d, OutOfRange::Linear);
    assert_eq!(d, [1.0, 2.0]);
    let flat = MonotonePl::new(vec![0.0, 1.0], vec![2.0, 2.0]).unwrap();
    assert_eq!(flat.eval(f64::INFINITY, OutOfRange::Linear), 2.0);
    assert!(!flat.is_strict());
}

#[test]
fn invalid_knots_are_rejected_with_the_reason() {
    use InterpError::*;
    assert_eq!(MonotonePl::new(vec![0.0], vec![0.0]), Err(TooFewKnots(1)));
    assert_eq!(
        MonotonePl::new(vec![0.0, 1.0], vec![0.0]),
        Err(LengthMismatch { xs: 2, ys: 1 })
    );
    assert_eq!(
        MonotonePl::new(vec![0.0, 0.0], vec![0.0, 1.0]),
        Err(XNotIncreasing(1))
    );
    assert_eq!(
        MonotonePl::new(vec![0.0, 1.0], vec![1.0, 0.0]),
        Err(YDecreasing(1))
    );
    assert_eq!(
        MonotonePl::new_strict(vec![0.0, 1.0], vec![1.0, 1.0]),
        Err(YNotIncreasing(1))
    );
    assert_eq!(
        MonotonePl::new(vec![0.0, f64::NAN], vec![0.0, 1.0]),
        Err(NonFinite(1))
    );
    assert_eq!(
        MonotonePl::new(vec![0.0, 1e-300], vec![0.0, 1e300]),
        Err(SlopeOverflow)
    );
    assert!(YDecreasing(3).to_string().contains("knot 3"));
}

#[test]
fn serde_round_trip_validates() {
    let f = random_map(20, 1, true);
    let json = serde_json::to_string(&f).unwrap();
    assert_eq!(serde_json::from_str::<MonotonePl>(&json).unwrap(), f);
    // A corrupted knot list is refused on load, not accepted.
    let bad = r#"{"xs":[0.0,1.0],"ys":[1.0,0.0]}"#;
    let err = serde_json::from_str::<MonotonePl>(bad).unwrap_err();
    assert!(err.to_string().contains("decrease"), "{err}");
}

proptest! {
    #[test]
    fn prop_inverse_of_eval_is_identity(
        seed in 0u64..1000,
        knots in 2usize..200,
        xs in prop::collection::vec(-1e3f64..1e3, 1..50),
    ) {
        let f = random_map(knots, seed, true);
        for &x in &xs {
            let y = f.eval(x, OutOfRange::Linear);
            let back = f.inverse(y, OutOfRange::Linear);
            // Exact up to rounding: of x and the knots, and of y, which a
            // segment of slope s turns into an x error of ulp(y) / s.
            let scale = x.abs().max(f.xs()[0].abs()).max(f.xs()[knots - 1].abs());
            let slope = f.derivative(x, OutOfRange::Linear);
            let tol = 64.0 * f64::EPSILON * (scale + y.abs().max(f.ys()[0].abs()) / slope);
            prop_assert!((back - x).abs() <= tol, "x={} back={} tol={}", x, back, tol);
        }
    }
}
