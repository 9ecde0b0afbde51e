//! Brute-force k-nearest-neighbour classification: the domain-confusion
//! metric on latent points and the translation-accuracy classifier.

use faer::{Mat, MatRef};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use super::validate::{check_cloud, check_pair};
use super::MetricError;

/// Number of neighbours used by [`confusion_accuracy`].
pub const DEFAULT_NEIGHBORS: usize = 11;

/// Queries per block of the distance computation.
const BLOCK: usize = 256;

/// A k-NN classifier storing its (validated) training set.
///
/// Prediction is a majority vote among the `k` nearest training points
/// (squared Euclidean distance, ties in distance broken by training index);
/// a tie in votes goes to the tied class whose member is nearest. Queries
/// are processed in parallel blocks of fixed size, so results do not depend
/// on the number of threads.
#[derive(Debug, Clone)]
pub struct KnnClassifier {
    train: Mat<f64>,
    norms: Vec<f64>,
    labels: Vec<usize>,
    n_classes: usize,
    k: usize,
}

impl KnnClassifier {
    /// Stores the training points (rows of `x`) with their class labels.
    ///
    /// # Errors
    /// Empty or non-finite `x`, `labels.len() != x.nrows()`, `k == 0` or
    /// `k > x.nrows()`.
    ///
    /// # Example
    /// ```
    /// use faer::mat;
    /// use harness::metrics::KnnClassifier;
    /// let x = mat![[0.0], [0.1], [5.0], [5.1]];
    /// let knn = KnnClassifier::fit(x.as_ref(), &[0, 0, 1, 1], 1).unwrap();
    /// assert_eq!(knn.predict(mat![[4.0], [0.2]].as_ref()).unwrap(), vec![1, 0]);
    /// ```
    pub fn fit(x: MatRef<'_, f64>, labels: &[usize], k: usize) -> Result<Self, MetricError> {
        check_cloud(x, "training points")?;
        if labels.len() != x.nrows() {
            return Err(MetricError::SizeMismatch {
                what: "training labels",
                left: labels.len(),
                right: x.nrows(),
            });
        }
        if k == 0 || k > x.nrows() {
            return Err(MetricError::InvalidParameter {
                name: "k",
                reason: format!("must be in 1..={}, got {k}", x.nrows()),
            });
        }
        Ok(Self {
            train: x.to_owned(),
            norms: row_norms(x),
            labels: labels.to_vec(),
            n_classes: labels.iter().max().map_or(0, |m| m + 1),
            k,
        })
    }

    /// Predicted class of every row of `queries`.
    ///
    /// # Errors
    /// Empty or non-finite queries, or a dimension different from training.
    pub fn predict(&self, queries: MatRef<'_, f64>) -> Result<Vec<usize>, MetricError> {
        check_pair(self.train.as_ref(), queries)?;
        let q_norms = row_norms(queries);
        let n_blocks = queries.nrows().div_ceil(BLOCK);
        let blocks: Vec<Vec<usize>> = (0..n_blocks)
            .into_par_iter()
            .map(|b| {
                let start = b * BLOCK;
                let rows = BLOCK.min(queries.nrows() - start);
                let block = queries.subrows(start, rows);
                let gram = block * self.train.transpose();
                (0..rows)
                    .map(|r| {
                        let dist: Vec<f64> = (0..self.train.nrows())
                            .map(|t| q_norms[start + r] + self.norms[t] - 2.0 * gram[(r, t)])
                            .collect();
                        self.vote(&dist)
                    })
                    .collect()
            })
            .collect();
        Ok(blocks.concat())
    }

    /// Fraction of `queries` whose predicted class equals `labels`.
    ///
    /// # Errors
    /// As [`KnnClassifier::predict`], plus `labels.len() != queries.nrows()`.
    ///
    /// # Example
    /// ```
    /// use faer::mat;
    /// use harness::metrics::KnnClassifier;
    /// let knn = KnnClassifier::fit(mat![[0.0], [1.0]].as_ref(), &[0, 1], 1).unwrap();
    /// let acc = knn.accuracy(mat![[0.1], [0.2]].as_ref(), &[0, 1]).unwrap();
    /// assert_eq!(acc, 0.5);
    /// ```
    pub fn accuracy(&self, queries: MatRef<'_, f64>, labels: &[usize]) -> Result<f64, MetricError> {
        if labels.len() != queries.nrows() {
            return Err(MetricError::SizeMismatch {
                what: "query labels",
                left: labels.len(),
                right: queries.nrows(),
            });
        }
        let predicted = self.predict(queries)?;
        let correct = predicted.iter().zip(labels).filter(|(p, l)| p == l).count();
        Ok(correct as f64 / labels.len() as f64)
    }

    /// Majority label among the k smallest distances.
    fn vote(&self, dist: &[f64]) -> usize {
        let mut order: Vec<usize> = (0..dist.len()).collect();
        let by_distance = |a: &usize, b: &usize| dist[*a].total_cmp(&dist[*b]).then(a.cmp(b));
        if self.k < order.len() {
            order.select_nth_unstable_by(self.k - 1, by_distance);
        }
        let nearest = &mut order[..self.k];
        nearest.sort_unstable_by(by_distance);
        let mut counts = vec![0usize; self.n_classes];
        for &t in nearest.iter() {
            counts[self.labels[t]] += 1;
        }
        let best = counts.iter().copied().max().unwrap_or(0);
        nearest
            .iter()
            .map(|&t| self.labels[t])
            .find(|&c| counts[c] == best)
            .unwrap_or(0)
    }
}

/// Cross-validated accuracy of a k-NN domain classifier on latent points
/// `z` with domain `labels` ([`DEFAULT_NEIGHBORS`] neighbours, capped by the
/// training-fold size). Perfectly aligned domains give chance level
/// (1/k for k balanced domains); separable domains give 1.
///
/// Folds are stratified: each domain's indices are shuffled by a ChaCha8
/// generator seeded with `seed` and dealt round-robin into `k_folds` folds.
///
/// # Errors
/// Empty or non-finite `z`, label count mismatch, `k_folds < 2` or
/// `k_folds > z.nrows()`.
///
/// # Example
/// ```
/// use faer::Mat;
/// use harness::metrics::confusion_accuracy;
/// // two well separated domains: the classifier always tells them apart
/// let z = Mat::from_fn(40, 2, |i, j| (i % 2) as f64 * 10.0 + ((i * 7 + j) % 5) as f64 * 0.1);
/// let labels: Vec<usize> = (0..40).map(|i| i % 2).collect();
/// assert_eq!(confusion_accuracy(z.as_ref(), &labels, 5, 0).unwrap(), 1.0);
/// ```
pub fn confusion_accuracy(
    z: MatRef<'_, f64>,
    labels: &[usize],
    k_folds: usize,
    seed: u64,
) -> Result<f64, MetricError> {
    check_cloud(z, "latent points")?;
    let n = z.nrows();
    if labels.len() != n {
        return Err(MetricError::SizeMismatch {
            what: "labels",
            left: labels.len(),
            right: n,
        });
    }
    if k_folds < 2 || k_folds > n {
        return Err(MetricError::InvalidParameter {
            name: "k_folds",
            reason: format!("must be in 2..={n}, got {k_folds}"),
        });
    }
    let fold = stratified_folds(labels, k_folds, seed);
    let mut correct = 0usize;
    for f in 0..k_folds {
        let (test, train): (Vec<usize>, Vec<usize>) = (0..n).partition(|&i| fold[i] == f);
        if test.is_empty() || train.is_empty() {
            continue;
        }
        let pick = |idx: &[usize]| Mat::from_fn(idx.len(), z.ncols(), |r, c| z[(idx[r], c)]);
        let train_labels: Vec<usize> = train.iter().map(|&i| labels[i]).collect();
        let knn = KnnClassifier::fit(
            pick(&train).as_ref(),
            &train_labels,
            DEFAULT_NEIGHBORS.min(train.len()),
        )?;
        let predicted = knn.predict(pick(&test).as_ref())?;
        correct += test
            .iter()
            .zip(&predicted)
            .filter(|(&i, &p)| labels[i] == p)
            .count();
    }
    Ok(correct as f64 / n as f64)
}

/// Fold index of every sample (per-class shuffle, then round-robin).
fn stratified_folds(labels: &[usize], k_folds: usize, seed: u64) -> Vec<usize> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let n_classes = labels.iter().max().map_or(0, |m| m + 1);
    let mut fold = vec![0; labels.len()];
    let mut next = 0usize;
    for c in 0..n_classes {
        let mut members: Vec<usize> = (0..labels.len()).filter(|&i| labels[i] == c).collect();
        members.shuffle(&mut rng);
        for i in members {
            fold[i] = next % k_folds;
            next += 1;
        }
    }
    fold
}

fn row_norms(x: MatRef<'_, f64>) -> Vec<f64> {
    (0..x.nrows())
        .map(|i| x.row(i).iter().map(|v| v * v).sum())
        .collect()
}
