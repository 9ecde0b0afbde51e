//! The fitted input map applied before the layers: identity,
//! standardisation or probit (with its exact inverse and log-det term).

use super::config::PreMap;
use faer::{MatMut, MatRef};
use kernels::normal;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// Probit clamp: values are kept in `[EPS, 1 - EPS]` before `Phi^{-1}`.
const PROBIT_EPS: f64 = 1e-6;

/// A fitted input map.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum FittedPreMap {
    /// No input map.
    None,
    /// `(x - mean) / scale` per feature.
    Standardize {
        /// Pooled feature means.
        mean: Vec<f64>,
        /// Pooled feature deviations (1 for constant features).
        scale: Vec<f64>,
    },
    /// `Phi^{-1}(clamp(x))` per element; the dequantisation levels used at
    /// fit time, if any, are recorded for `iaf info`.
    Probit {
        /// Grey levels dequantised at fit time.
        dequantize: Option<u32>,
    },
}

/// The affine map `x -> a x + b` applied before the probit: with `L`
/// grey levels it sends grey level `g / (L - 1)` to the centre
/// `(g + 0.5) / L` of its dequantisation bin, so new (not dequantised)
/// data land where the dequantised training data were; without levels it
/// is the identity.
fn bin_centring(levels: Option<u32>) -> (f64, f64) {
    match levels {
        Some(l) => {
            let l = l as f64;
            ((l - 1.0) / l, 0.5 / l)
        }
        None => (1.0, 0.0),
    }
}

impl FittedPreMap {
    /// Fits the map on all training rows (`x` is n x d).
    pub fn fit(kind: PreMap, x: MatRef<'_, f64>) -> FittedPreMap {
        match kind {
            PreMap::None => FittedPreMap::None,
            PreMap::Probit { dequantize } => FittedPreMap::Probit { dequantize },
            PreMap::Standardize => {
                let n = x.nrows() as f64;
                let (mean, scale) = (0..x.ncols())
                    .map(|j| {
                        // Work on col / max|col| so sums of squares cannot
                        // overflow for values near f64::MAX.
                        let col = x.col(j);
                        let top = col.iter().fold(0.0f64, |a, v| a.max(v.abs()));
                        if top == 0.0 || !top.is_finite() {
                            return (0.0, 1.0);
                        }
                        let m = col.iter().map(|v| v / top).sum::<f64>() / n;
                        let var = col.iter().map(|v| (v / top - m).powi(2)).sum::<f64>() / n;
                        let s = var.sqrt() * top;
                        (m * top, if s > 0.0 && s.is_finite() { s } else { 1.0 })
                    })
                    .unzip();
                FittedPreMap::Standardize { mean, scale }
            }
        }
    }

    /// Dequantises training data in place (probit with levels only).
    pub fn dequantize(&self, mut x: MatMut<'_, f64>, seed: u64) {
        if let FittedPreMap::Probit {
            dequantize: Some(levels),
        } = *self
        {
            let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x6465_7175_616e_7469);
            let l = levels as f64;
            for j in 0..x.ncols() {
                for i in 0..x.nrows() {
                    let pixel = (x[(i, j)].clamp(0.0, 1.0) * (l - 1.0)).round();
                    x[(i, j)] = (pixel + rng.random::<f64>() - 0.5) / (l - 1.0);
                }
            }
        }
    }

    /// Applies the map in place; returns the per-row log |det J|.
    pub fn forward(&self, mut x: MatMut<'_, f64>) -> Vec<f64> {
        let mut logdet = vec![0.0; x.nrows()];
        match self {
            FittedPreMap::None => {}
            FittedPreMap::Standardize { mean, scale } => {
                let shift: f64 = scale.iter().map(|s| s.ln()).sum();
                for (j, (m, s)) in mean.iter().zip(scale).enumerate() {
                    x.as_mut()
                        .col_mut(j)
                        .iter_mut()
                        .for_each(|v| *v = (*v - m) / s);
                }
                logdet.iter_mut().for_each(|l| *l = -shift);
            }
            FittedPreMap::Probit { dequantize } => {
                let (a, b) = bin_centring(*dequantize);
                let shift = x.ncols() as f64 * a.ln();
                for j in 0..x.ncols() {
                    for (i, v) in x.as_mut().col_mut(j).iter_mut().enumerate() {
                        let u = a * *v + b;
                        let z = normal::quantile(u.clamp(PROBIT_EPS, 1.0 - PROBIT_EPS));
                        logdet[i] -= normal::log_pdf(z);
                        *v = z;
                    }
                }
                logdet.iter_mut().for_each(|l| *l += shift);
            }
        }
        logdet
    }

    /// Inverts the map in place.
    pub fn inverse(&self, mut x: MatMut<'_, f64>) {
        match self {
            FittedPreMap::None => {}
            FittedPreMap::Standardize { mean, scale } => {
                for (j, (m, s)) in mean.iter().zip(scale).enumerate() {
                    x.as_mut()
                        .col_mut(j)
                        .iter_mut()
                        .for_each(|v| *v = *v * s + m);
                }
            }
            FittedPreMap::Probit { dequantize } => {
                let (a, b) = bin_centring(*dequantize);
                for j in 0..x.ncols() {
                    x.as_mut()
                        .col_mut(j)
                        .iter_mut()
                        .for_each(|v| *v = (normal::cdf(*v) - b) / a);
                }
            }
        }
    }

    /// Number of features the map expects, if it records one.
    pub fn dim(&self) -> Option<usize> {
        match self {
            FittedPreMap::Standardize { mean, .. } => Some(mean.len()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use faer::Mat;

    #[test]
    fn probit_with_levels_centres_new_data_in_the_training_bins() {
        let map = FittedPreMap::Probit {
            dequantize: Some(256),
        };
        let grey: [f64; 4] = [0.0, 1.0 / 255.0, 128.0 / 255.0, 1.0];
        let mut x = Mat::from_fn(grey.len(), 1, |i, _| grey[i]);
        let mut train = x.clone();
        map.forward(x.as_mut());
        map.dequantize(train.as_mut(), 3);
        map.forward(train.as_mut());
        for (i, g) in grey.iter().enumerate() {
            let bin = (g * 255.0).round();
            let (lo, hi) = (
                normal::quantile(bin / 256.0).max(-40.0),
                normal::quantile((bin + 1.0) / 256.0).min(40.0),
            );
            let centre = normal::quantile((bin + 0.5) / 256.0);
            assert!(
                (x[(i, 0)] - centre).abs() < 1e-12,
                "new data at the bin centre"
            );
            assert!(
                lo <= train[(i, 0)] && train[(i, 0)] <= hi,
                "training data inside the bin"
            );
        }
        let mut back = x.clone();
        map.inverse(back.as_mut());
        for (i, g) in grey.iter().enumerate() {
            assert!((back[(i, 0)] - g).abs() < 1e-12, "round trip");
        }
    }
}
