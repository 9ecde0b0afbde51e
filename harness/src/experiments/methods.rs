//! The methods every experiment compares, by the names used in the CSVs,
//! and how each is fitted: all of them are configurations of the one flow.

use crate::flow::{DirectionMode, Flow, FlowConfig, FlowError, LayerType};
use faer::MatRef;

/// An alignment method of SPEC section 3.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// No alignment (only the input map): the floor.
    Identity,
    /// One NB layer with W = identity: every coordinate aligned on its own.
    Nb,
    /// One Gaussian-barycenter map in the full space.
    Gb,
    /// INB with random directions.
    RandNb,
    /// Independent per-domain Gaussianising flows.
    Independent,
    /// Iterative alignment flow with NB layers.
    Inb,
    /// Iterative alignment flow with GB layers.
    InbGb,
}

impl Method {
    /// Every method, in table order.
    pub const ALL: [Method; 7] = [
        Method::Identity,
        Method::Nb,
        Method::Gb,
        Method::RandNb,
        Method::Independent,
        Method::Inb,
        Method::InbGb,
    ];

    /// The name used in CSV files and figures.
    pub fn name(self) -> &'static str {
        match self {
            Method::Identity => "identity",
            Method::Nb => "nb",
            Method::Gb => "gb",
            Method::RandNb => "rand-nb",
            Method::Independent => "independent",
            Method::Inb => "inb",
            Method::InbGb => "inb-gb",
        }
    }

    /// Whether the method stacks layers (so has a per-layer curve).
    pub fn is_iterative(self) -> bool {
        !matches!(self, Method::Identity | Method::Nb | Method::Gb)
    }

    /// The flow settings of this method, from the experiment's `base`
    /// settings (layers, K, J, grid, input map, seed, threads).
    pub fn config(self, base: &FlowConfig) -> FlowConfig {
        let one_shot = |layer_type| FlowConfig {
            layers: 1,
            directions: DirectionMode::Identity,
            layer_type,
            ..base.clone()
        };
        match self {
            Method::Identity => FlowConfig {
                layers: 0,
                ..base.clone()
            },
            Method::Nb => one_shot(LayerType::Nb),
            Method::Gb => one_shot(LayerType::Gb),
            Method::RandNb => FlowConfig {
                directions: DirectionMode::Random,
                layer_type: LayerType::Nb,
                ..base.clone()
            },
            Method::Independent | Method::Inb => FlowConfig {
                directions: DirectionMode::MaxSw,
                layer_type: LayerType::Nb,
                ..base.clone()
            },
            Method::InbGb => FlowConfig {
                directions: DirectionMode::MaxSw,
                layer_type: LayerType::Gb,
                ..base.clone()
            },
        }
    }

    /// Fits the method on rows of `x` with domain `labels`.
    pub fn fit<S: AsRef<str>>(
        self,
        x: MatRef<'_, f64>,
        labels: &[S],
        base: &FlowConfig,
    ) -> Result<Flow, FlowError> {
        let config = self.config(base);
        match self {
            Method::Independent => Flow::fit_independent(x, labels, &config, None),
            _ => Flow::fit(x, labels, &config, None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_distinct_and_one_shot_methods_have_at_most_one_layer() {
        let mut names: Vec<&str> = Method::ALL.iter().map(|m| m.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Method::ALL.len());
        let base = FlowConfig {
            layers: 9,
            ..FlowConfig::default()
        };
        for m in Method::ALL {
            let layers = m.config(&base).layers;
            assert_eq!(m.is_iterative(), layers == 9, "{}", m.name());
        }
    }
}
