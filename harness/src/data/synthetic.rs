//! Seeded synthetic data sets (toy experiment E1 and metric checks).
//!
//! Every generator draws from a `ChaCha8Rng` seeded with the given `u64`, so
//! the same arguments always give the same points on every platform.
//!
//! # Example
//! ```
//! use harness::data::{circles, two_moons};
//! let moons = two_moons(100, 0.05, 7).unwrap();
//! assert_eq!((moons.len(), moons.dim(), moons.n_domains()), (200, 2, 2));
//! assert_eq!(moons, two_moons(100, 0.05, 7).unwrap());
//! let rings = circles(50, 0.0, 0.5, 1).unwrap();
//! let r = (rings.x[(0, 0)].powi(2) + rings.x[(0, 1)].powi(2)).sqrt();
//! assert!((r - 1.0).abs() < 1e-12); // first domain: the outer circle
//! ```

use std::f64::consts::PI;

use faer::{Mat, MatRef};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

use super::{DataError, Dataset};
use crate::metrics::sqrtm_psd;

/// Blob count range of each [`blobs4`] domain.
const BLOBS_PER_DOMAIN: std::ops::RangeInclusive<usize> = 2..=4;
/// Blob centres of [`blobs4`] are uniform in this square.
const BLOB_CENTRE_RANGE: f64 = 4.0;
/// Blob standard deviations of [`blobs4`] are uniform in this range.
const BLOB_STD_RANGE: std::ops::Range<f64> = 0.2..0.6;

/// Two interleaving half circles ("moons"), one domain each: domain 0 is
/// (cos t, sin t), domain 1 is (1 - cos t, 0.5 - sin t), t uniform in
/// [0, pi], plus isotropic Gaussian noise of standard deviation `noise`.
///
/// # Errors
/// `n_per_domain == 0` or a negative / non-finite `noise`.
///
/// # Example
/// ```
/// let ds = harness::data::two_moons(10, 0.1, 0).unwrap();
/// assert_eq!(ds.domain_counts(), vec![10, 10]);
/// ```
pub fn two_moons(n_per_domain: usize, noise: f64, seed: u64) -> Result<Dataset, DataError> {
    check_count(n_per_domain)?;
    check_noise(noise)?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let shapes: [fn(f64) -> [f64; 2]; 2] =
        [|t| [t.cos(), t.sin()], |t| [1.0 - t.cos(), 0.5 - t.sin()]];
    let mut points = Vec::with_capacity(2 * n_per_domain);
    for shape in shapes {
        for _ in 0..n_per_domain {
            let p = shape(rng.random_range(0.0..PI));
            points.push(add_noise(p, noise, &mut rng));
        }
    }
    assemble(points, n_per_domain, &["upper moon", "lower moon"])
}

/// Two concentric circles: domain 0 of radius 1, domain 1 of radius
/// `factor`, angles uniform, plus Gaussian noise of standard deviation `noise`.
///
/// # Errors
/// `n_per_domain == 0`, bad `noise`, or `factor` outside (0, 1).
///
/// # Example
/// ```
/// let ds = harness::data::circles(10, 0.0, 0.3, 0).unwrap();
/// let r = (ds.x[(15, 0)].powi(2) + ds.x[(15, 1)].powi(2)).sqrt();
/// assert!((r - 0.3).abs() < 1e-12);
/// ```
pub fn circles(
    n_per_domain: usize,
    noise: f64,
    factor: f64,
    seed: u64,
) -> Result<Dataset, DataError> {
    check_count(n_per_domain)?;
    check_noise(noise)?;
    if !(factor > 0.0 && factor < 1.0) {
        return Err(DataError::InvalidParameter {
            name: "factor",
            reason: format!("must be in (0, 1), got {factor}"),
        });
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut points = Vec::with_capacity(2 * n_per_domain);
    for radius in [1.0, factor] {
        for _ in 0..n_per_domain {
            let t = rng.random_range(0.0..2.0 * PI);
            points.push(add_noise(
                [radius * t.cos(), radius * t.sin()],
                noise,
                &mut rng,
            ));
        }
    }
    assemble(points, n_per_domain, &["outer circle", "inner circle"])
}

/// Four domains in 2-D, each a random pattern of 2 to 4 isotropic Gaussian
/// blobs (centres uniform in [-4, 4]^2, standard deviations uniform in
/// [0.2, 0.6), points spread uniformly over the domain's blobs).
///
/// # Errors
/// `n_per_domain == 0`.
///
/// # Example
/// ```
/// let ds = harness::data::blobs4(25, 3).unwrap();
/// assert_eq!(ds.domain_counts(), vec![25; 4]);
/// ```
pub fn blobs4(n_per_domain: usize, seed: u64) -> Result<Dataset, DataError> {
    check_count(n_per_domain)?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut points = Vec::with_capacity(4 * n_per_domain);
    for _ in 0..4 {
        let n_blobs = rng.random_range(BLOBS_PER_DOMAIN);
        let blobs: Vec<([f64; 2], f64)> = (0..n_blobs)
            .map(|_| {
                let centre = [
                    rng.random_range(-BLOB_CENTRE_RANGE..BLOB_CENTRE_RANGE),
                    rng.random_range(-BLOB_CENTRE_RANGE..BLOB_CENTRE_RANGE),
                ];
                (centre, rng.random_range(BLOB_STD_RANGE))
            })
            .collect();
        for _ in 0..n_per_domain {
            let (centre, std) = blobs[rng.random_range(0..n_blobs)];
            points.push(add_noise(centre, std, &mut rng));
        }
    }
    assemble(
        points,
        n_per_domain,
        &["pattern 0", "pattern 1", "pattern 2", "pattern 3"],
    )
}

/// One Gaussian domain N(means[c], covs[c]) per entry, `n_per_domain`
/// points each (x = m + S^{1/2} z with z standard normal), so that the
/// W2 between domains is known in closed form.
///
/// # Errors
/// No domains, `means`/`covs` of different lengths or dimensions,
/// non-finite means, covariances that are not symmetric PSD, `n_per_domain == 0`.
///
/// # Example
/// ```
/// use faer::mat;
/// let cov = mat![[1.0, 0.0], [0.0, 1.0]];
/// let ds = harness::data::gaussians(&[vec![0.0, 0.0], vec![3.0, 0.0]], &[cov.as_ref(), cov.as_ref()], 100, 0).unwrap();
/// assert_eq!(ds.dim(), 2);
/// ```
pub fn gaussians(
    means: &[Vec<f64>],
    covs: &[MatRef<'_, f64>],
    n_per_domain: usize,
    seed: u64,
) -> Result<Dataset, DataError> {
    check_count(n_per_domain)?;
    if means.is_empty() || means.len() != covs.len() {
        return Err(DataError::InvalidParameter {
            name: "means",
            reason: format!(
                "{} means and {} covariances (need the same, at least one)",
                means.len(),
                covs.len()
            ),
        });
    }
    let d = means[0].len();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut rows = Vec::with_capacity(means.len() * n_per_domain);
    for (c, (mean, cov)) in means.iter().zip(covs).enumerate() {
        if mean.len() != d || cov.nrows() != d || mean.iter().any(|v| !v.is_finite()) {
            return Err(DataError::InvalidParameter {
                name: "means",
                reason: format!(
                    "domain {c}: mean and covariance must be finite and of dimension {d}"
                ),
            });
        }
        let root = sqrtm_psd(*cov).map_err(|e| DataError::InvalidParameter {
            name: "covs",
            reason: format!("domain {c}: {e}"),
        })?;
        for _ in 0..n_per_domain {
            let z: Vec<f64> = (0..d).map(|_| StandardNormal.sample(&mut rng)).collect();
            rows.push(
                (0..d)
                    .map(|i| mean[i] + (0..d).map(|j| root[(i, j)] * z[j]).sum::<f64>())
                    .collect::<Vec<_>>(),
            );
        }
    }
    let x = Mat::from_fn(rows.len(), d, |i, j| rows[i][j]);
    let labels = (0..rows.len()).map(|i| i / n_per_domain).collect();
    let names = (0..means.len()).map(|c| format!("gaussian {c}")).collect();
    Dataset::new(x, labels, names)
}

fn check_count(n_per_domain: usize) -> Result<(), DataError> {
    if n_per_domain == 0 {
        return Err(DataError::InvalidParameter {
            name: "n_per_domain",
            reason: "must be at least 1".into(),
        });
    }
    Ok(())
}

fn check_noise(noise: f64) -> Result<(), DataError> {
    if !(noise.is_finite() && noise >= 0.0) {
        return Err(DataError::InvalidParameter {
            name: "noise",
            reason: format!("must be finite and non-negative, got {noise}"),
        });
    }
    Ok(())
}

fn add_noise<R: Rng>(p: [f64; 2], std: f64, rng: &mut R) -> [f64; 2] {
    let mut out = p;
    for v in &mut out {
        let z: f64 = StandardNormal.sample(rng);
        *v += std * z;
    }
    out
}

/// Stacks 2-D points generated domain after domain into a data set.
fn assemble(
    points: Vec<[f64; 2]>,
    n_per_domain: usize,
    names: &[&str],
) -> Result<Dataset, DataError> {
    let x = Mat::from_fn(points.len(), 2, |i, j| points[i][j]);
    let labels = (0..points.len()).map(|i| i / n_per_domain).collect();
    Dataset::new(x, labels, names.iter().map(|s| s.to_string()).collect())
}
