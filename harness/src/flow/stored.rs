//! A dense matrix in a serialisable form (shape + column-major values),
//! validated on load.

use faer::{Mat, MatRef};
use serde::{Deserialize, Serialize};

/// A column-major matrix that serde can store.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawMat", into = "RawMat")]
pub struct StoredMat(Mat<f64>);

#[derive(Serialize, Deserialize)]
struct RawMat {
    rows: usize,
    cols: usize,
    values: Vec<f64>,
}

impl TryFrom<RawMat> for StoredMat {
    type Error = String;
    fn try_from(r: RawMat) -> Result<Self, String> {
        if r.rows.checked_mul(r.cols) != Some(r.values.len()) {
            return Err(format!(
                "a {} x {} matrix with {} values",
                r.rows,
                r.cols,
                r.values.len()
            ));
        }
        if r.values.iter().any(|v| !v.is_finite()) {
            return Err("a matrix with non-finite values".into());
        }
        Ok(StoredMat(Mat::from_fn(r.rows, r.cols, |i, j| {
            r.values[j * r.rows + i]
        })))
    }
}

impl From<StoredMat> for RawMat {
    fn from(m: StoredMat) -> RawMat {
        let (rows, cols) = (m.0.nrows(), m.0.ncols());
        let values = (0..cols)
            .flat_map(|j| (0..rows).map(move |i| (i, j)))
            .map(|(i, j)| m.0[(i, j)])
            .collect();
        RawMat { rows, cols, values }
    }
}

impl From<Mat<f64>> for StoredMat {
    fn from(m: Mat<f64>) -> Self {
        StoredMat(m)
    }
}

impl StoredMat {
    /// A view of the matrix.
    pub fn as_ref(&self) -> MatRef<'_, f64> {
        self.0.as_ref()
    }
}
