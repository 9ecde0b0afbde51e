//! Sliced W2^2: the mean over random directions of the 1-D W2^2 of projections.

use faer::{Mat, MatRef};
use rand::Rng;
use rand_distr::{Distribution, StandardNormal};
use rayon::prelude::*;

use super::validate::{check_cloud, check_pair};
use super::MetricError;

/// `n_dirs` independent uniformly random unit vectors in R^d, one per column
/// (normalised standard normal vectors), drawn sequentially from `rng`.
///
/// # Example
/// ```
/// use harness::metrics::random_directions;
/// use rand::SeedableRng;
/// let dirs = random_directions(3, 5, &mut rand_chacha::ChaCha8Rng::seed_from_u64(1));
/// let norm: f64 = (0..3).map(|i| dirs[(i, 4)] * dirs[(i, 4)]).sum();
/// assert!((norm - 1.0).abs() < 1e-12);
/// ```
pub fn random_directions<R: Rng + ?Sized>(d: usize, n_dirs: usize, rng: &mut R) -> Mat<f64> {
    let mut dirs = Mat::zeros(d, n_dirs);
    for k in 0..n_dirs {
        loop {
            for i in 0..d {
                dirs[(i, k)] = StandardNormal.sample(rng);
            }
            let norm = (0..d)
                .map(|i| dirs[(i, k)] * dirs[(i, k)])
                .sum::<f64>()
                .sqrt();
            if norm > 1e-12 {
                for i in 0..d {
                    dirs[(i, k)] /= norm;
                }
                break;
            }
        }
    }
    dirs
}

/// Sliced W2^2 along the given directions (columns of `dirs`, used as is):
/// the mean over directions of the 1-D W2^2 between the projected clouds.
///
/// The 1-D distance compares quantile functions at the common levels
/// u_i = (i + 0.5)/L, i < L = max(n_a, n_b), each empirical quantile being
/// the linear interpolation of the sorted projections at position
/// u * n - 0.5. For equal sizes this is exactly the sorted matching
/// (1/n) sum_i (a_(i) - b_(i))^2.
///
/// # Errors
/// Empty clouds, non-finite entries, or `dirs` not having `d` rows / no columns.
///
/// # Example
/// ```
/// use faer::mat;
/// use harness::metrics::sliced_w2_sq_along;
/// let a = mat![[0.0, 0.0], [1.0, 0.0]];
/// let b = mat![[0.0, 3.0], [1.0, 3.0]];
/// let dirs = mat![[1.0, 0.0], [0.0, 1.0]];
/// let v = sliced_w2_sq_along(a.as_ref(), b.as_ref(), dirs.as_ref()).unwrap();
/// assert!((v - 4.5).abs() < 1e-12); // (0 + 9) / 2
/// ```
pub fn sliced_w2_sq_along(
    a: MatRef<'_, f64>,
    b: MatRef<'_, f64>,
    dirs: MatRef<'_, f64>,
) -> Result<f64, MetricError> {
    sliced_multi_along(&[a, b], dirs)
}

/// Sliced W2^2 with `n_dirs` random directions drawn from `rng`
/// (see [`sliced_w2_sq_along`] for the 1-D comparison and unequal sizes).
///
/// For a pure shift `b = a + s` every direction theta contributes exactly
/// (theta . s)^2, whose expectation over the sphere is |s|^2 / d.
///
/// # Errors
/// As [`sliced_w2_sq_along`], plus `n_dirs == 0`.
///
/// # Example
/// ```
/// use faer::Mat;
/// use harness::metrics::sliced_w2_sq;
/// use rand::SeedableRng;
/// let a = Mat::from_fn(50, 3, |i, j| ((i * 7 + j * 3) % 11) as f64);
/// let b = Mat::from_fn(50, 3, |i, j| a[(i, j)] + 2.0);
/// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
/// let v = sliced_w2_sq(a.as_ref(), b.as_ref(), 4000, &mut rng).unwrap();
/// // |s|^2 / d = 12 / 3 = 4 (s = (2, 2, 2)) ... up to Monte-Carlo error
/// assert!((v - 4.0).abs() < 0.5);
/// ```
pub fn sliced_w2_sq<R: Rng + ?Sized>(
    a: MatRef<'_, f64>,
    b: MatRef<'_, f64>,
    n_dirs: usize,
    rng: &mut R,
) -> Result<f64, MetricError> {
    sliced_w2_sq_multi(&[a, b], n_dirs, rng)
}

/// Mean sliced W2^2 over all unordered pairs of `domains` (the same random
/// directions for every pair).
///
/// # Errors
/// Fewer than two domains, any empty or non-finite domain, dimension
/// mismatch, `n_dirs == 0`.
///
/// # Example
/// ```
/// use faer::mat;
/// use harness::metrics::sliced_w2_sq_multi;
/// use rand::SeedableRng;
/// let a = mat![[0.0], [1.0]];
/// let b = mat![[1.0], [2.0]];
/// let c = mat![[2.0], [3.0]];
/// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
/// let v = sliced_w2_sq_multi(&[a.as_ref(), b.as_ref(), c.as_ref()], 8, &mut rng).unwrap();
/// assert!((v - 2.0).abs() < 1e-12); // pairs: 1, 4, 1
/// ```
pub fn sliced_w2_sq_multi<R: Rng + ?Sized>(
    domains: &[MatRef<'_, f64>],
    n_dirs: usize,
    rng: &mut R,
) -> Result<f64, MetricError> {
    if n_dirs == 0 {
        return Err(MetricError::InvalidParameter {
            name: "n_dirs",
            reason: "must be at least 1".into(),
        });
    }
    let d = domains.first().map_or(0, |x| x.ncols());
    let dirs = random_directions(d, n_dirs, rng);
    sliced_multi_along(domains, dirs.as_ref())
}

fn sliced_multi_along(
    domains: &[MatRef<'_, f64>],
    dirs: MatRef<'_, f64>,
) -> Result<f64, MetricError> {
    if domains.len() < 2 {
        return Err(MetricError::InvalidParameter {
            name: "domains",
            reason: format!("need at least two domains, got {}", domains.len()),
        });
    }
    for pair in domains.windows(2) {
        check_pair(pair[0], pair[1])?;
    }
    check_cloud(dirs, "directions")?;
    if dirs.nrows() != domains[0].ncols() {
        return Err(MetricError::DimensionMismatch {
            what: "directions",
            left: dirs.nrows(),
            right: domains[0].ncols(),
        });
    }
    let levels = domains.iter().map(|x| x.nrows()).max().unwrap_or(0);
    let n_pairs = domains.len() * (domains.len() - 1) / 2;
    let per_dir: Vec<f64> = (0..dirs.ncols())
        .into_par_iter()
        .map(|k| {
            let quantiles: Vec<Vec<f64>> = domains
                .iter()
                .map(|x| quantiles_at_levels(&sorted_projection(*x, dirs, k), levels))
                .collect();
            let mut total = 0.0;
            for (i, qi) in quantiles.iter().enumerate() {
                for qj in &quantiles[i + 1..] {
                    total += qi
                        .iter()
                        .zip(qj)
                        .map(|(p, q)| (p - q) * (p - q))
                        .sum::<f64>();
                }
            }
            total / levels as f64
        })
        .collect();
    Ok(per_dir.iter().sum::<f64>() / (dirs.ncols() * n_pairs) as f64)
}

fn sorted_projection(x: MatRef<'_, f64>, dirs: MatRef<'_, f64>, k: usize) -> Vec<f64> {
    let mut p: Vec<f64> = (0..x.nrows())
        .map(|i| (0..x.ncols()).map(|j| x[(i, j)] * dirs[(j, k)]).sum())
        .collect();
    p.sort_unstable_by(f64::total_cmp);
    p
}

/// Quantiles of the sorted sample at u_i = (i + 0.5)/levels by linear
/// interpolation at position u * n - 0.5 (clamped to the sample range).
fn quantiles_at_levels(sorted: &[f64], levels: usize) -> Vec<f64> {
    let n = sorted.len();
    if n == levels {
        return sorted.to_vec();
    }
    (0..levels)
        .map(|i| {
            let pos =
                ((i as f64 + 0.5) * n as f64 / levels as f64 - 0.5).clamp(0.0, (n - 1) as f64);
            let lo = pos.floor() as usize;
            let hi = (lo + 1).min(n - 1);
            let t = pos - lo as f64;
            sorted[lo] + t * (sorted[hi] - sorted[lo])
        })
        .collect()
}
