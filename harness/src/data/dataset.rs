//! The labelled point set every experiment consumes.

use faer::Mat;

use super::DataError;

/// Points with one domain label each.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    /// Points, one per row (n x d).
    pub x: Mat<f64>,
    /// Domain of every row, in `0..domain_names.len()`.
    pub labels: Vec<usize>,
    /// Human-readable name of every domain.
    pub domain_names: Vec<String>,
}

impl Dataset {
    /// Builds a data set, checking that labels match rows and name a domain.
    ///
    /// # Errors
    /// [`DataError::InvalidParameter`] if `labels.len() != x.nrows()` or a
    /// label is not below `domain_names.len()`.
    ///
    /// # Example
    /// ```
    /// use faer::mat;
    /// use harness::data::Dataset;
    /// let ds = Dataset::new(mat![[0.0], [1.0]], vec![0, 1], vec!["a".into(), "b".into()]).unwrap();
    /// assert_eq!(ds.domain_counts(), vec![1, 1]);
    /// ```
    pub fn new(
        x: Mat<f64>,
        labels: Vec<usize>,
        domain_names: Vec<String>,
    ) -> Result<Self, DataError> {
        if labels.len() != x.nrows() {
            return Err(DataError::InvalidParameter {
                name: "labels",
                reason: format!("{} labels for {} rows", labels.len(), x.nrows()),
            });
        }
        if let Some(&bad) = labels.iter().find(|&&l| l >= domain_names.len()) {
            return Err(DataError::InvalidParameter {
                name: "labels",
                reason: format!("label {bad} but only {} domain names", domain_names.len()),
            });
        }
        Ok(Self {
            x,
            labels,
            domain_names,
        })
    }

    /// Number of points.
    pub fn len(&self) -> usize {
        self.x.nrows()
    }

    /// Whether there are no points.
    pub fn is_empty(&self) -> bool {
        self.x.nrows() == 0
    }

    /// Dimension of the points.
    pub fn dim(&self) -> usize {
        self.x.ncols()
    }

    /// Number of domains.
    pub fn n_domains(&self) -> usize {
        self.domain_names.len()
    }

    /// Number of points in every domain.
    pub fn domain_counts(&self) -> Vec<usize> {
        let mut counts = vec![0; self.n_domains()];
        for &l in &self.labels {
            counts[l] += 1;
        }
        counts
    }

    /// The points of domain `c` (in their original order).
    ///
    /// # Example
    /// ```
    /// use faer::mat;
    /// use harness::data::Dataset;
    /// let ds = Dataset::new(mat![[0.0], [1.0], [2.0]], vec![1, 0, 1], vec!["a".into(), "b".into()]).unwrap();
    /// assert_eq!(ds.domain(1), mat![[0.0], [2.0]]);
    /// ```
    pub fn domain(&self, c: usize) -> Mat<f64> {
        self.rows(&self.indices_of(c))
    }

    /// Row indices of domain `c`.
    pub fn indices_of(&self, c: usize) -> Vec<usize> {
        (0..self.len()).filter(|&i| self.labels[i] == c).collect()
    }

    /// The rows at `indices` (in that order), with their labels.
    ///
    /// # Panics
    /// If an index is out of range.
    pub fn subset(&self, indices: &[usize]) -> Dataset {
        Dataset {
            x: self.rows(indices),
            labels: indices.iter().map(|&i| self.labels[i]).collect(),
            domain_names: self.domain_names.clone(),
        }
    }

    /// Keeps only the listed domains, relabelled `0..domains.len()` in the
    /// given order (e.g. MNIST digits 0 and 1 for a k = 2 experiment).
    ///
    /// # Errors
    /// An unknown or repeated domain, or an empty list.
    ///
    /// # Example
    /// ```
    /// use faer::mat;
    /// use harness::data::Dataset;
    /// let names = vec!["a".into(), "b".into(), "c".into()];
    /// let ds = Dataset::new(mat![[0.0], [1.0], [2.0]], vec![0, 1, 2], names).unwrap();
    /// let sub = ds.select_domains(&[2, 0]).unwrap();
    /// assert_eq!(sub.labels, vec![1, 0]);
    /// assert_eq!(sub.domain_names, vec!["c".to_string(), "a".to_string()]);
    /// ```
    pub fn select_domains(&self, domains: &[usize]) -> Result<Dataset, DataError> {
        let mut new_label = vec![usize::MAX; self.n_domains()];
        if domains.is_empty() {
            return Err(DataError::InvalidParameter {
                name: "domains",
                reason: "no domain selected".into(),
            });
        }
        for (new, &old) in domains.iter().enumerate() {
            if old >= self.n_domains() || new_label[old] != usize::MAX {
                return Err(DataError::InvalidParameter {
                    name: "domains",
                    reason: format!("domain {old} is unknown or repeated"),
                });
            }
            new_label[old] = new;
        }
        let keep: Vec<usize> = (0..self.len())
            .filter(|&i| new_label[self.labels[i]] != usize::MAX)
            .collect();
        Ok(Dataset {
            x: self.rows(&keep),
            labels: keep.iter().map(|&i| new_label[self.labels[i]]).collect(),
            domain_names: domains
                .iter()
                .map(|&c| self.domain_names[c].clone())
                .collect(),
        })
    }

    fn rows(&self, indices: &[usize]) -> Mat<f64> {
        Mat::from_fn(indices.len(), self.dim(), |r, c| self.x[(indices[r], c)])
    }
}
