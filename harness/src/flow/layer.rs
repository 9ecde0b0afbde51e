//! One fitted layer: a frame W (or the coordinate axes) and per-domain maps
//! of the projections, applied as `X' = X + (T(X W) - X W) W^T` (SPEC 2.3).

use super::gaussian::GaussianMaps;
use super::stored::StoredMat;
use faer::{Mat, MatMut, MatRef};
use kernels::interp::{MonotonePl, OutOfRange};
use kernels::ortho::{layer_update_with_projection, project};
use serde::{Deserialize, Serialize};

/// The directions of a layer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Frame {
    /// All d coordinate axes (W = I).
    Identity,
    /// A d x K orthonormal frame.
    Matrix(StoredMat),
}

/// What a layer does to the projections of each domain.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Maps {
    /// Per domain, per direction, a strictly increasing 1-D map.
    Marginal(Vec<Vec<MonotonePl>>),
    /// Per domain, an affine map onto the Gaussian barycenter.
    Gaussian(GaussianMaps),
}

/// A fitted layer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Layer {
    /// Its directions.
    pub frame: Frame,
    /// Its maps.
    pub maps: Maps,
    /// Objective F (sliced W2^2 to the target) at fit time, before the maps.
    pub objective: f64,
}

impl Layer {
    /// Projections `X W` of the rows of `x`.
    pub fn project(&self, x: MatRef<'_, f64>) -> Mat<f64> {
        match &self.frame {
            Frame::Identity => x.to_owned(),
            Frame::Matrix(w) => project(x, w.as_ref()),
        }
    }

    /// Maps projections of domain `c` (n x K) forward or back.
    pub fn map_projections(&self, c: usize, p: MatRef<'_, f64>, inverse: bool) -> Mat<f64> {
        match &self.maps {
            Maps::Gaussian(g) => g.apply(c, p, inverse),
            Maps::Marginal(maps) => {
                let mut out = Mat::zeros(p.nrows(), p.ncols());
                for (j, f) in maps[c].iter().enumerate() {
                    let src: Vec<f64> = p.col(j).iter().copied().collect();
                    let mut dst = vec![0.0; src.len()];
                    if inverse {
                        f.inverse_batch(&src, &mut dst, OutOfRange::Linear);
                    } else {
                        f.eval_batch(&src, &mut dst, OutOfRange::Linear);
                    }
                    out.col_mut(j)
                        .iter_mut()
                        .zip(&dst)
                        .for_each(|(o, v)| *o = *v);
                }
                out
            }
        }
    }

    /// Applies the layer (or its inverse) in place to rows of domain `c`.
    pub fn apply(&self, c: usize, mut x: MatMut<'_, f64>, inverse: bool) {
        let p = self.project(x.as_ref());
        let z = self.map_projections(c, p.as_ref(), inverse);
        match &self.frame {
            Frame::Identity => x.copy_from(z.as_ref()),
            Frame::Matrix(w) => {
                layer_update_with_projection(x.as_mut(), w.as_ref(), z.as_ref(), p.as_ref())
            }
        }
    }

    /// log |det J| of the forward layer at each row of `x` (domain `c`).
    pub fn log_det(&self, c: usize, x: MatRef<'_, f64>) -> Vec<f64> {
        match &self.maps {
            Maps::Gaussian(g) => vec![g.log_det[c]; x.nrows()],
            Maps::Marginal(maps) => {
                let p = self.project(x);
                let mut total = vec![0.0; x.nrows()];
                for (j, f) in maps[c].iter().enumerate() {
                    for (i, t) in total.iter_mut().enumerate() {
                        *t += f.derivative(p[(i, j)], OutOfRange::Linear).ln();
                    }
                }
                total
            }
        }
    }
}
