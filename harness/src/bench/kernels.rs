//! `iaf bench kernels`: times the kernel set of `shared/peers/numpy_kernels.py`
//! (same names, sizes and per-element normalisation) with this crate's kernels.

use super::timing::median_seconds;
use super::BenchRow;
use faer::Mat;
use kernels::interp::{MonotonePl, OutOfRange};
use kernels::{ortho, sort};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

/// Problem sizes of the sort and interpolation rows.
const SIZES: [usize; 3] = [1_000, 100_000, 1_000_000];
/// Number of knots of the interpolation rows.
const KNOTS: usize = 1_002;

fn normals(rng: &mut ChaCha8Rng, n: usize) -> Vec<f64> {
    (0..n).map(|_| rng.sample(StandardNormal)).collect()
}

fn row(kernel: &str, dtype: &'static str, n: usize, seconds: f64) -> BenchRow {
    BenchRow {
        kernel: kernel.to_string(),
        dtype,
        n,
        ns_per_elem: seconds / n as f64 * 1e9,
    }
}

/// Times every kernel of the peer set and returns one row each, in the peer
/// script's order. `quick` uses 5 repetitions instead of 21.
pub fn run(quick: bool) -> Vec<BenchRow> {
    let reps = if quick { 5 } else { 21 };
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    let mut rows = Vec::new();

    for n in SIZES {
        let x64 = normals(&mut rng, n);
        let x32: Vec<f32> = x64.iter().map(|&v| v as f32).collect();
        // Like np.sort, which returns a sorted copy, the copy is timed too.
        let t = median_seconds(reps, || (), |_| sort::sort(&mut x32.clone()));
        rows.push(row("sort", "float32", n, t));
        let t = median_seconds(reps, || (), |_| drop(sort::argsort(&x32)));
        rows.push(row("argsort", "float32", n, t));
        let t = median_seconds(reps, || (), |_| sort::sort(&mut x64.clone()));
        rows.push(row("sort", "float64", n, t));
        let t = median_seconds(reps, || (), |_| drop(sort::argsort(&x64)));
        rows.push(row("argsort", "float64", n, t));
    }
    // The peer prints all float32 rows before the float64 ones.
    rows.sort_by_key(|r| (r.dtype == "float64", r.n));

    let mut xp = normals(&mut rng, KNOTS);
    sort::sort(&mut xp);
    let fp: Vec<f64> = (0..KNOTS).map(|i| i as f64 / (KNOTS - 1) as f64).collect();
    let map = MonotonePl::new(xp, fp).expect("sorted normal knots are strictly increasing");
    for n in SIZES {
        let q = normals(&mut rng, n);
        let mut out = vec![0.0; n];
        let t = median_seconds(
            reps,
            || (),
            |_| map.eval_batch(&q, &mut out, OutOfRange::Clamp),
        );
        rows.push(row("interp_unsorted", "float64", n, t));
        let mut qs = q.clone();
        sort::sort(&mut qs);
        let t = median_seconds(
            reps,
            || (),
            |_| map.eval_sorted(&qs, &mut out, OutOfRange::Clamp),
        );
        rows.push(row("interp_sorted", "float64", n, t));
    }

    let (d, k) = (784, 30);
    let a = Mat::from_fn(d, k, |_, _| rng.sample::<f64, _>(StandardNormal));
    // np.linalg.qr also returns a fresh matrix: the copy is timed.
    let t = median_seconds(
        reps * 10,
        || (),
        |_| ortho::orthonormalize(&mut a.clone()).expect("a Gaussian matrix has full rank"),
    );
    rows.push(row("qr_thin_784x30", "float64", d * k, t));

    let n = 12_000;
    let w = ortho::random_frame(d, k, &mut rng);
    let x = Mat::from_fn(n, d, |_, _| rng.sample::<f64, _>(StandardNormal));
    let z = Mat::from_fn(n, k, |_, _| rng.sample::<f64, _>(StandardNormal));
    let t = median_seconds(
        (reps / 3).max(3),
        || x.clone(),
        |mut m| ortho::layer_update(m.as_mut(), w.as_ref(), z.as_ref()),
    );
    rows.push(row("layer_update_12000x784_k30", "float64", n * d, t));
    rows
}
