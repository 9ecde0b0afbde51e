//! Transport cost: how far a map moves points.

use faer::MatRef;

use super::validate::{check_cloud, check_pair};
use super::MetricError;

/// Mean squared distance (1/n) sum_i |x_i - tx_i|^2 between each point and
/// its image (row i of `tx` is the image of row i of `x`).
///
/// # Errors
/// Empty or non-finite input, or different shapes.
///
/// # Example
/// ```
/// use faer::mat;
/// use harness::metrics::transport_cost;
/// let x = mat![[0.0, 0.0], [1.0, 1.0]];
/// let tx = mat![[1.0, 0.0], [1.0, 3.0]];
/// assert_eq!(transport_cost(x.as_ref(), tx.as_ref()).unwrap(), 2.5);
/// ```
pub fn transport_cost(x: MatRef<'_, f64>, tx: MatRef<'_, f64>) -> Result<f64, MetricError> {
    check_pair(x, tx)?;
    if x.nrows() != tx.nrows() {
        return Err(MetricError::SizeMismatch {
            what: "mapped points",
            left: tx.nrows(),
            right: x.nrows(),
        });
    }
    let total: f64 = (0..x.nrows())
        .map(|i| {
            (0..x.ncols())
                .map(|j| (x[(i, j)] - tx[(i, j)]).powi(2))
                .sum::<f64>()
        })
        .sum();
    Ok(total / x.nrows() as f64)
}

/// Transport cost averaged over domains: sum_c w_c transport_cost(x_c, tx_c),
/// with `weights` normalised to sum to one (`None`: equal weights 1/k).
///
/// # Errors
/// No domains, a weight count different from the domain count, negative or
/// non-finite weights or weights summing to zero, and any error of
/// [`transport_cost`] for a domain.
///
/// # Example
/// ```
/// use faer::mat;
/// use harness::metrics::transport_cost_weighted;
/// let (x0, t0) = (mat![[0.0]], mat![[1.0]]);
/// let (x1, t1) = (mat![[0.0]], mat![[2.0]]);
/// let domains = [(x0.as_ref(), t0.as_ref()), (x1.as_ref(), t1.as_ref())];
/// assert_eq!(transport_cost_weighted(&domains, None).unwrap(), 2.5);
/// assert_eq!(transport_cost_weighted(&domains, Some(&[3.0, 1.0])).unwrap(), 1.75);
/// ```
pub fn transport_cost_weighted(
    domains: &[(MatRef<'_, f64>, MatRef<'_, f64>)],
    weights: Option<&[f64]>,
) -> Result<f64, MetricError> {
    if domains.is_empty() {
        return Err(MetricError::Empty {
            what: "domain list",
        });
    }
    let weights = normalised_weights(weights, domains.len())?;
    let mut total = 0.0;
    for ((x, tx), w) in domains.iter().zip(&weights) {
        check_cloud(*x, "domain points")?;
        total += w * transport_cost(*x, *tx)?;
    }
    Ok(total)
}

/// Validates per-domain weights and scales them to sum to one.
fn normalised_weights(weights: Option<&[f64]>, k: usize) -> Result<Vec<f64>, MetricError> {
    let Some(w) = weights else {
        return Ok(vec![1.0 / k as f64; k]);
    };
    if w.len() != k {
        return Err(MetricError::SizeMismatch {
            what: "weights",
            left: w.len(),
            right: k,
        });
    }
    let sum: f64 = w.iter().sum();
    if w.iter().any(|v| !v.is_finite() || *v < 0.0) || sum <= 0.0 || !sum.is_finite() {
        return Err(MetricError::InvalidParameter {
            name: "weights",
            reason: format!("must be finite, non-negative and not all zero, got {w:?}"),
        });
    }
    Ok(w.iter().map(|v| v / sum).collect())
}
