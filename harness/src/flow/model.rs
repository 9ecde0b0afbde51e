//! The fitted flow: domains, input map and layer stacks, and how it maps
//! new data forward, back and across domains.

use super::config::FlowConfig;
use super::error::FlowError;
use super::fit::{fit, LayerReport};
use super::layer::Layer;
use super::objective::Target;
use super::premap::FittedPreMap;
use faer::{Mat, MatMut, MatRef};
use serde::{Deserialize, Serialize};

/// Version of the stored model format; files of another version are refused.
pub const FORMAT_VERSION: u32 = 3;

/// Layers fitted together on some domains.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Stack {
    /// The domains (indices into [`Flow::domains`]), in block order: the
    /// layers' per-domain maps are indexed by position in this list.
    pub domains: Vec<usize>,
    /// What the stack aligns onto.
    pub target: Target,
    /// The layers, first applied first.
    pub layers: Vec<Layer>,
}

/// A fitted alignment flow: one invertible map per domain into a shared
/// latent space.
///
/// ```
/// use faer::Mat;
/// use harness::flow::{Flow, FlowConfig};
/// // Two 2-D domains that differ by a shift of 4 along the first axis.
/// let x = Mat::from_fn(200, 2, |i, j| {
///     let base = ((i * 37 % 100) as f64 / 10.0, (i * 53 % 100) as f64 / 25.0);
///     let v = if j == 0 { base.0 } else { base.1 };
///     if i >= 100 && j == 0 { v + 4.0 } else { v }
/// });
/// let labels: Vec<&str> = (0..200).map(|i| if i < 100 { "a" } else { "b" }).collect();
/// let config = FlowConfig { layers: 5, k: Some(2), ..FlowConfig::default() };
/// let flow = Flow::fit(x.as_ref(), &labels, &config, None).unwrap();
/// let a = flow.domain_index("a").unwrap();
/// let z = flow.forward(x.as_ref().subrows(0, 100), a).unwrap();
/// let back = flow.inverse(z.as_ref(), a).unwrap();
/// assert!((back[(7, 0)] - x[(7, 0)]).abs() < 1e-9);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Flow {
    /// Format version of the model.
    pub(super) version: u32,
    /// Domain labels, in index order.
    pub(super) domains: Vec<String>,
    /// Data dimension d.
    pub(super) dim: usize,
    /// The settings it was fitted with.
    pub(super) config: FlowConfig,
    /// The input map.
    pub(super) premap: FittedPreMap,
    /// One stack (joint flow) or one per domain (independent flows).
    pub(super) stacks: Vec<Stack>,
    /// Names of the feature columns it was fitted on, if known.
    pub(super) feature_names: Option<Vec<String>>,
}

impl Flow {
    /// Fits a joint INB flow (or a baseline, by `config`) on rows of `x`
    /// labelled by `labels` (any k >= 2 distinct strings). `callback` hears
    /// about every layer.
    pub fn fit<S: AsRef<str>>(
        x: MatRef<'_, f64>,
        labels: &[S],
        config: &FlowConfig,
        callback: Option<&mut (dyn FnMut(&LayerReport) + Send)>,
    ) -> Result<Flow, FlowError> {
        fit(x, labels, config, callback, false)
    }

    /// Fits independent per-domain Gaussianising flows (the "existing
    /// flow-based approaches" baseline): each domain onto N(0, I) by its own
    /// layers; translation goes through the shared N(0, I).
    pub fn fit_independent<S: AsRef<str>>(
        x: MatRef<'_, f64>,
        labels: &[S],
        config: &FlowConfig,
        callback: Option<&mut (dyn FnMut(&LayerReport) + Send)>,
    ) -> Result<Flow, FlowError> {
        fit(x, labels, config, callback, true)
    }

    /// Domain labels, in index order.
    pub fn domains(&self) -> &[String] {
        &self.domains
    }

    /// Index of a domain label.
    pub fn domain_index(&self, label: &str) -> Option<usize> {
        self.domains.iter().position(|d| d == label)
    }

    /// Index of a domain label, or an error naming the known domains.
    pub fn require_domain(&self, label: &str) -> Result<usize, FlowError> {
        self.domain_index(label)
            .ok_or_else(|| FlowError::UnknownDomain {
                label: label.to_string(),
                known: self.domains.join(", "),
            })
    }

    /// Data dimension d.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Names of the feature columns the flow was fitted on, if recorded.
    pub fn feature_names(&self) -> Option<&[String]> {
        self.feature_names.as_deref()
    }

    /// Records the feature column names (one per dimension).
    ///
    /// # Panics
    /// If the number of names is not the dimension.
    pub fn set_feature_names(&mut self, names: Vec<String>) {
        assert_eq!(names.len(), self.dim, "one feature name per dimension");
        self.feature_names = Some(names);
    }

    /// The settings the flow was fitted with.
    pub fn config(&self) -> &FlowConfig {
        &self.config
    }

    /// The fitted input map.
    pub fn premap(&self) -> &FittedPreMap {
        &self.premap
    }

    /// Layers per domain.
    pub fn layers(&self) -> usize {
        self.stacks.first().map_or(0, |s| s.layers.len())
    }

    /// Whether each domain has its own layers (independent flows).
    pub fn is_independent(&self) -> bool {
        self.stacks.len() > 1
    }

    /// Total stored numbers (frames and map knots), for reports.
    pub fn parameter_count(&self) -> usize {
        use super::layer::{Frame, Maps};
        self.stacks
            .iter()
            .flat_map(|s| &s.layers)
            .map(|l| {
                let w: usize = match &l.frame {
                    Frame::Identity => 0,
                    Frame::Matrix(m) => m.as_ref().nrows() * m.as_ref().ncols(),
                };
                let maps: usize = match &l.maps {
                    Maps::Marginal(m) => m.iter().flatten().map(|f| 2 * f.xs().len()).sum(),
                    Maps::Gaussian(g) => g.a.iter().map(|a| 2 * a.as_ref().nrows().pow(2)).sum(),
                };
                w + maps
            })
            .sum()
    }

    /// Objective of every layer of the stack serving `domain` (fit time).
    pub fn layer_objectives(&self, domain: usize) -> Vec<f64> {
        let (s, _) = self.locate(domain);
        self.stacks[s].layers.iter().map(|l| l.objective).collect()
    }

    /// The stack and position within it of a domain.
    fn locate(&self, domain: usize) -> (usize, usize) {
        self.stacks
            .iter()
            .enumerate()
            .find_map(|(s, st)| st.domains.iter().position(|&d| d == domain).map(|c| (s, c)))
            .expect("every domain belongs to a stack")
    }

    fn check(&self, x: MatRef<'_, f64>, domain: usize) -> Result<(), FlowError> {
        if x.ncols() != self.dim {
            return Err(FlowError::Dimension {
                got: x.ncols(),
                expected: self.dim,
            });
        }
        if domain >= self.domains.len() {
            return Err(FlowError::UnknownDomain {
                label: format!("#{domain}"),
                known: self.domains.join(", "),
            });
        }
        FlowError::check_finite(x)
    }

    /// Maps rows of domain `domain` into the latent space through the
    /// input map and the first `layers` layers.
    pub fn forward_partial(
        &self,
        x: MatRef<'_, f64>,
        domain: usize,
        layers: usize,
    ) -> Result<Mat<f64>, FlowError> {
        self.check(x, domain)?;
        let (s, c) = self.locate(domain);
        let mut z = x.to_owned();
        self.premap.forward(z.as_mut());
        for layer in self.stacks[s].layers.iter().take(layers) {
            layer.apply(c, z.as_mut(), false);
        }
        Ok(z)
    }

    /// Applies layer `layer` (0-based) of domain `domain`'s stack in place
    /// to points that went through the input map and the layers before it
    /// (start from [`Flow::forward_partial`] with 0 layers): walking all
    /// layers this way costs L layer applications, not L^2 / 2 as calling
    /// `forward_partial` for every depth would. A layer past the stack's
    /// end changes nothing.
    pub fn apply_layer(&self, z: MatMut<'_, f64>, domain: usize, layer: usize) {
        let (s, c) = self.locate(domain);
        if let Some(l) = self.stacks[s].layers.get(layer) {
            l.apply(c, z, false);
        }
    }

    /// Maps rows of domain `domain` into the latent space.
    pub fn forward(&self, x: MatRef<'_, f64>, domain: usize) -> Result<Mat<f64>, FlowError> {
        self.forward_partial(x, domain, usize::MAX)
    }

    /// Maps latent rows back into domain `domain`'s data space.
    pub fn inverse(&self, z: MatRef<'_, f64>, domain: usize) -> Result<Mat<f64>, FlowError> {
        self.check(z, domain)?;
        let (s, c) = self.locate(domain);
        let mut x = z.to_owned();
        for layer in self.stacks[s].layers.iter().rev() {
            layer.apply(c, x.as_mut(), true);
        }
        self.premap.inverse(x.as_mut());
        Ok(x)
    }

    /// Maps rows of domain `from` into domain `to`: `inverse(forward(x, from), to)`.
    pub fn translate(
        &self,
        x: MatRef<'_, f64>,
        from: usize,
        to: usize,
    ) -> Result<Mat<f64>, FlowError> {
        let z = self.forward(x, from)?;
        self.inverse(z.as_ref(), to)
    }

    /// log |det J| of the forward map of domain `domain` at each row.
    pub fn log_det_jacobian(
        &self,
        x: MatRef<'_, f64>,
        domain: usize,
    ) -> Result<Vec<f64>, FlowError> {
        self.check(x, domain)?;
        let (s, c) = self.locate(domain);
        let mut z = x.to_owned();
        let mut total = self.premap.forward(z.as_mut());
        for layer in &self.stacks[s].layers {
            for (t, l) in total.iter_mut().zip(layer.log_det(c, z.as_ref())) {
                *t += l;
            }
            layer.apply(c, z.as_mut(), false);
        }
        Ok(total)
    }

    /// Applies `op` to the rows of each domain of a mixed batch and puts the
    /// results back in row order.
    pub fn per_domain<F>(
        &self,
        x: MatRef<'_, f64>,
        domains: &[usize],
        op: F,
    ) -> Result<Mat<f64>, FlowError>
    where
        F: Fn(MatRef<'_, f64>, usize) -> Result<Mat<f64>, FlowError>,
    {
        assert_eq!(domains.len(), x.nrows(), "per_domain: one domain per row");
        let mut out = Mat::zeros(x.nrows(), x.ncols());
        for c in 0..self.domains.len() {
            let rows: Vec<usize> = (0..x.nrows()).filter(|&i| domains[i] == c).collect();
            if rows.is_empty() {
                continue;
            }
            let part = Mat::from_fn(rows.len(), x.ncols(), |i, j| x[(rows[i], j)]);
            let done = op(part.as_ref(), c)?;
            for (i, &r) in rows.iter().enumerate() {
                for j in 0..x.ncols() {
                    out[(r, j)] = done[(i, j)];
                }
            }
        }
        Ok(out)
    }
}
