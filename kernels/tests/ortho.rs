//! Frames, Cayley steps and the layer update against plain formulas.

mod common;

use faer::Mat;
use kernels::ortho::{
    cayley_full, layer_update, layer_update_with_projection, orthonormalize, project, random_frame,
    CayleyCurve, OrthoError,
};
use rand::Rng;

fn gaussian(n: usize, k: usize, seed: u64) -> Mat<f64> {
    let mut r = common::rng(seed);
    Mat::from_fn(n, k, |_, _| r.sample(rand_distr::StandardNormal))
}

fn max_abs_diff(a: &Mat<f64>, b: &Mat<f64>) -> f64 {
    assert_eq!((a.nrows(), a.ncols()), (b.nrows(), b.ncols()));
    let mut m: f64 = 0.0;
    for j in 0..a.ncols() {
        for i in 0..a.nrows() {
            m = m.max((a[(i, j)] - b[(i, j)]).abs());
        }
    }
    m
}

fn orthonormality_error(w: &Mat<f64>) -> f64 {
    let g = w.transpose() * w;
    max_abs_diff(&g, &Mat::identity(w.ncols(), w.ncols()))
}

#[test]
fn random_frames_are_orthonormal_reproducible_and_sign_fixed() {
    for (d, k) in [(1, 1), (2, 1), (5, 5), (10, 3), (784, 30)] {
        let w = random_frame(d, k, &mut common::rng(3));
        assert!(orthonormality_error(&w) < 1e-12, "{d}x{k}");
        let again = random_frame(d, k, &mut common::rng(3));
        assert_eq!(w, again);
        // Sign fix: the QR of the frame itself has a positive diagonal, so
        // re-orthonormalising changes nothing beyond rounding.
        let mut w2 = w.clone();
        orthonormalize(&mut w2).unwrap();
        assert!(max_abs_diff(&w, &w2) < 1e-13);
    }
}

#[test]
fn orthonormalize_spans_the_same_space_and_reports_bad_input() {
    let a = gaussian(40, 6, 1);
    let mut q = a.clone();
    orthonormalize(&mut q).unwrap();
    assert!(orthonormality_error(&q) < 1e-13);
    // a = q (q^T a): the columns of a lie in span(q).
    let back = &q * (q.transpose() * &a);
    assert!(max_abs_diff(&back, &a) < 1e-12);
    let mut dep = a.clone();
    for i in 0..40 {
        dep[(i, 4)] = 2.0 * dep[(i, 1)] - dep[(i, 0)];
    }
    assert_eq!(orthonormalize(&mut dep), Err(OrthoError::RankDeficient(4)));
    let mut nan = a.clone();
    nan[(3, 2)] = f64::NAN;
    assert_eq!(orthonormalize(&mut nan), Err(OrthoError::NonFinite));
}

#[test]
fn woodbury_point_equals_the_full_cayley_step_and_stays_orthonormal() {
    for (d, k) in [(1, 1), (3, 1), (4, 2), (10, 5), (60, 8)] {
        let w = random_frame(d, k, &mut common::rng(d as u64));
        let p = gaussian(d, k, 100 + d as u64);
        let curve = CayleyCurve::new(w.as_ref(), p.as_ref());
        for t in [0.0, 1e-3, 0.1, 0.7, 3.0] {
            let y = curve.point(t).unwrap();
            let full = cayley_full(w.as_ref(), p.as_ref(), t).unwrap();
            assert!(max_abs_diff(&y, &full) < 1e-11, "{d}x{k} t={t}");
            assert!(orthonormality_error(&y) < 1e-12, "{d}x{k} t={t}");
            // point_into reports the largest entry change, exactly.
            let mut again = Mat::zeros(d, k);
            let c = curve.coefficients(t).unwrap();
            let change = curve.point_into(t, c.as_ref(), again.as_mut());
            assert_eq!(again, y);
            assert_eq!(change, max_abs_diff(&y, &w), "{d}x{k} t={t}");
            // The same through row-major views (strided columns).
            let (wt, pt) = (w.transpose().to_owned(), p.transpose().to_owned());
            let strided = CayleyCurve::new(wt.transpose(), pt.transpose());
            let mut yt = Mat::zeros(k, d);
            let change_t = strided.point_into(t, c.as_ref(), yt.as_mut().transpose_mut());
            // (faer may round a strided product differently.)
            let y_strided = yt.transpose().to_owned();
            assert!(
                max_abs_diff(&y_strided, &y) < 1e-14,
                "{d}x{k} t={t} strided"
            );
            assert_eq!(
                change_t,
                max_abs_diff(&y_strided, &w),
                "{d}x{k} t={t} strided"
            );
        }
        assert_eq!(curve.point(0.0).unwrap(), w);
    }
}

#[test]
fn slope_is_the_derivative_of_the_loss_along_the_curve() {
    // For the loss L(W) = <P, W> (gradient P), dL(Y(t))/dt at 0 = slope().
    let (d, k) = (12, 3);
    let w = random_frame(d, k, &mut common::rng(8));
    let p = gaussian(d, k, 9);
    let curve = CayleyCurve::new(w.as_ref(), p.as_ref());
    let loss = |y: &Mat<f64>| -> f64 {
        (0..k)
            .map(|j| (0..d).map(|i| p[(i, j)] * y[(i, j)]).sum::<f64>())
            .sum()
    };
    let h = 1e-6;
    let numeric = (loss(&curve.point(h).unwrap()) - loss(&curve.point(-h).unwrap())) / (2.0 * h);
    assert!((numeric - curve.slope()).abs() < 1e-6 * curve.slope().abs().max(1.0));
    assert!(curve.slope() < 0.0);
}

#[test]
fn projected_curve_equals_projection_of_the_point() {
    let (n, d, k) = (1000, 30, 4);
    let x = gaussian(n, d, 1);
    let w = random_frame(d, k, &mut common::rng(2));
    let p = gaussian(d, k, 3);
    let curve = CayleyCurve::new(w.as_ref(), p.as_ref());
    let xp = project(x.as_ref(), p.as_ref());
    let xw = project(x.as_ref(), w.as_ref());
    let xu = Mat::from_fn(
        n,
        2 * k,
        |i, j| if j < k { xp[(i, j)] } else { xw[(i, j - k)] },
    );
    for t in [0.05, 0.5] {
        // X Y(t) = X W - t [X P, X W] C(t), in O(n k^2) without X.
        let fast = &xw - &xu * curve.coefficients(t).unwrap() * t;
        let slow = &x * curve.point(t).unwrap();
        assert!(max_abs_diff(&fast, &slow) < 1e-11);
    }
}

#[test]
fn layer_update_matches_the_formula_and_inverts() {
    for (n, d, k) in [(1, 1, 1), (7, 3, 2), (300, 20, 5), (1000, 50, 50)] {
        let x = gaussian(n, d, 5);
        let w = random_frame(d, k, &mut common::rng(6));
        let z = gaussian(n, k, 7);
        let want = &x + (&z - &x * &w) * w.transpose();
        let mut got = x.clone();
        layer_update(got.as_mut(), w.as_ref(), z.as_ref());
        assert!(max_abs_diff(&got, &want) < 1e-12, "{n}x{d}x{k}");
        // The inverse: update back with the original projections.
        let p0 = project(x.as_ref(), w.as_ref());
        let p1 = project(got.as_ref(), w.as_ref());
        let mut back = got.clone();
        layer_update_with_projection(back.as_mut(), w.as_ref(), p0.as_ref(), p1.as_ref());
        assert!(max_abs_diff(&back, &x) < 1e-12, "{n}x{d}x{k}");
    }
}

#[test]
fn results_do_not_depend_on_the_thread_count() {
    let (n, d, k) = (5000, 40, 6);
    let x = gaussian(n, d, 1);
    let w = random_frame(d, k, &mut common::rng(2));
    let z = gaussian(n, k, 3);
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let mut y = x.clone();
            layer_update(y.as_mut(), w.as_ref(), z.as_ref());
            (y, project(x.as_ref(), w.as_ref()))
        })
    };
    assert_eq!(run(1), run(2));
    assert_eq!(run(1), run(3));
}
