//! The error type shared by every metric.

use thiserror::Error;

/// Why a metric could not be computed.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum MetricError {
    /// An input point cloud (or label list) has no rows.
    #[error("{what} is empty")]
    Empty {
        /// Which input was empty.
        what: &'static str,
    },
    /// Two inputs that must live in the same space have different numbers of columns.
    #[error("dimension mismatch: {what} has {left} columns but {right} were expected")]
    DimensionMismatch {
        /// Which input disagreed.
        what: &'static str,
        /// Dimension found.
        left: usize,
        /// Dimension expected.
        right: usize,
    },
    /// Two inputs that must have the same number of rows do not.
    #[error("size mismatch: {what} has {left} rows but {right} were expected")]
    SizeMismatch {
        /// Which input disagreed.
        what: &'static str,
        /// Number of rows found.
        left: usize,
        /// Number of rows expected.
        right: usize,
    },
    /// An input contains NaN or an infinity.
    #[error("{what} contains a non-finite value (NaN or infinity) at row {row}, column {col}")]
    NonFinite {
        /// Which input held the value.
        what: &'static str,
        /// Row of the first offending entry.
        row: usize,
        /// Column of the first offending entry.
        col: usize,
    },
    /// A tuning parameter is out of its valid range.
    #[error("invalid parameter {name}: {reason}")]
    InvalidParameter {
        /// Parameter name.
        name: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// A matrix that must be symmetric positive semi-definite is not.
    #[error("{what} is not symmetric positive semi-definite: {reason}")]
    NotPsd {
        /// Which matrix.
        what: &'static str,
        /// What failed (asymmetry, negative eigenvalue, ...).
        reason: String,
    },
    /// The symmetric eigen decomposition did not converge.
    #[error("eigen decomposition of {what} did not converge")]
    EigenFailed {
        /// Which matrix.
        what: &'static str,
    },
}
