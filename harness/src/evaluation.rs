//! Alignment metrics of a fitted flow on labelled data, shared by
//! `iaf evaluate` and the experiments: latent W2 between domains, sliced
//! W2, transport cost, domain-confusion accuracy and the round-trip error.

use crate::flow::{Flow, FlowError};
use crate::metrics::{self, MetricError};
use faer::{Mat, MatRef};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

/// Points per domain used by the exact (cubic-time) latent W2; larger
/// domains are subsampled, seeded.
pub const W2_MAX_PER_DOMAIN: usize = 1500;
/// Points in all used by the k-NN domain classifier.
pub const CONFUSION_MAX_POINTS: usize = 4000;
/// Random directions of the sliced W2.
pub const SLICED_DIRECTIONS: usize = 200;

/// Why an evaluation failed.
#[derive(Debug, thiserror::Error)]
pub enum EvaluationError {
    /// The flow refused the data.
    #[error(transparent)]
    Flow(#[from] FlowError),
    /// A metric failed.
    #[error("metric: {0}")]
    Metric(#[from] MetricError),
    /// Fewer than two domains present in the data.
    #[error("the data hold {0} of the model's domains; evaluation needs at least 2")]
    TooFewDomains(usize),
}

/// Metrics of a flow on some labelled data (the keys of `iaf evaluate
/// --format json`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Evaluation {
    /// Mean over domain pairs of W2^2 between the latent domains (exact
    /// assignment when the two sizes are equal, Sinkhorn otherwise), on at
    /// most [`W2_MAX_PER_DOMAIN`] points per domain.
    pub latent_w2_sq: f64,
    /// Mean over domain pairs of the sliced W2^2 of the latent domains.
    pub sliced_w2_sq: f64,
    /// Mean squared distance between each point and its latent image, in
    /// the coordinates after the input map, averaged over domains.
    pub transport_cost: f64,
    /// Cross-validated k-NN accuracy of telling the domains apart in the
    /// latent space (chance, 1/k, is perfect alignment).
    pub confusion_accuracy: f64,
    /// Largest |inverse(forward(x)) - x| over all values.
    pub roundtrip_max_abs_error: f64,
    /// Rows evaluated.
    pub n: usize,
    /// Domains present.
    pub k: usize,
}

/// Rows of `x` with the given indices.
pub fn rows(x: MatRef<'_, f64>, idx: &[usize]) -> Mat<f64> {
    Mat::from_fn(idx.len(), x.ncols(), |i, j| x[(idx[i], j)])
}

/// Mean over unordered pairs of `clouds` of W2^2 between them: exact
/// assignment when the two sizes are equal, Sinkhorn otherwise.
pub fn mean_pairwise_w2_sq(clouds: &[Mat<f64>]) -> Result<f64, MetricError> {
    let mut total = 0.0;
    let mut pairs = 0;
    for a in 0..clouds.len() {
        for b in a + 1..clouds.len() {
            total += metrics::w2_sq(clouds[a].as_ref(), clouds[b].as_ref())?;
            pairs += 1;
        }
    }
    Ok(if pairs == 0 {
        0.0
    } else {
        total / pairs as f64
    })
}

/// At most `max` of `idx`, chosen with `rng` (all of them, in order, if few).
fn subsample(idx: &[usize], max: usize, rng: &mut ChaCha8Rng) -> Vec<usize> {
    if idx.len() <= max {
        return idx.to_vec();
    }
    let mut v = idx.to_vec();
    v.shuffle(rng);
    v.truncate(max);
    v.sort_unstable();
    v
}

/// Evaluates `flow` on rows of `x` whose domain indices are `domains`.
pub fn evaluate(
    flow: &Flow,
    x: MatRef<'_, f64>,
    domains: &[usize],
    seed: u64,
) -> Result<Evaluation, EvaluationError> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let present: Vec<usize> = (0..flow.domains().len())
        .filter(|c| domains.contains(c))
        .collect();
    if present.len() < 2 {
        return Err(EvaluationError::TooFewDomains(present.len()));
    }
    let mut latent = Vec::new();
    let mut inputs = Vec::new();
    let mut roundtrip: f64 = 0.0;
    for &c in &present {
        let idx: Vec<usize> = (0..x.nrows()).filter(|&i| domains[i] == c).collect();
        let xc = rows(x, &idx);
        let z = flow.forward(xc.as_ref(), c)?;
        let back = flow.inverse(z.as_ref(), c)?;
        for j in 0..xc.ncols() {
            for i in 0..xc.nrows() {
                roundtrip = roundtrip.max((back[(i, j)] - xc[(i, j)]).abs());
            }
        }
        inputs.push(flow.forward_partial(xc.as_ref(), c, 0)?);
        latent.push(z);
    }
    let refs: Vec<MatRef<'_, f64>> = latent.iter().map(|z| z.as_ref()).collect();
    let sliced_w2_sq = metrics::sliced_w2_sq_multi(&refs, SLICED_DIRECTIONS, &mut rng)?;
    let samples: Vec<Mat<f64>> = latent
        .iter()
        .map(|z| {
            let all: Vec<usize> = (0..z.nrows()).collect();
            rows(z.as_ref(), &subsample(&all, W2_MAX_PER_DOMAIN, &mut rng))
        })
        .collect();
    let latent_w2_sq = mean_pairwise_w2_sq(&samples)?;
    let pairs_tc: Vec<(MatRef<'_, f64>, MatRef<'_, f64>)> = inputs
        .iter()
        .zip(&latent)
        .map(|(i, z)| (i.as_ref(), z.as_ref()))
        .collect();
    let transport_cost = metrics::transport_cost_weighted(&pairs_tc, None)?;
    let n: usize = latent.iter().map(|z| z.nrows()).sum();
    let all_labels: Vec<usize> = latent
        .iter()
        .enumerate()
        .flat_map(|(c, z)| std::iter::repeat_n(c, z.nrows()))
        .collect();
    let mut stacked = Mat::zeros(n, x.ncols());
    let mut offset = 0;
    for z in &latent {
        stacked
            .as_mut()
            .subrows_mut(offset, z.nrows())
            .copy_from(z.as_ref());
        offset += z.nrows();
    }
    let all: Vec<usize> = (0..n).collect();
    let pick = subsample(&all, CONFUSION_MAX_POINTS, &mut rng);
    let pick_labels: Vec<usize> = pick.iter().map(|&i| all_labels[i]).collect();
    let confusion_accuracy = metrics::confusion_accuracy(
        rows(stacked.as_ref(), &pick).as_ref(),
        &pick_labels,
        5,
        seed,
    )?;
    Ok(Evaluation {
        latent_w2_sq,
        sliced_w2_sq,
        transport_cost,
        confusion_accuracy,
        roundtrip_max_abs_error: roundtrip,
        n,
        k: present.len(),
    })
}
