//! Errors of fitting, applying and storing flows.

use std::path::PathBuf;

/// Why a flow could not be fitted, applied, saved or loaded.
#[derive(Debug, thiserror::Error)]
pub enum FlowError {
    /// Labels and rows differ in number.
    #[error("{labels} labels for {rows} rows")]
    LabelCount {
        /// Number of labels.
        labels: usize,
        /// Number of rows.
        rows: usize,
    },
    /// Fewer than two domains.
    #[error("only {0} domain(s) in the labels; alignment needs at least 2")]
    TooFewDomains(usize),
    /// A domain with too few rows.
    #[error("domain {name:?} has {rows} row(s); at least {needed} are needed")]
    DomainTooSmall {
        /// Domain label.
        name: String,
        /// Its number of rows.
        rows: usize,
        /// The minimum.
        needed: usize,
    },
    /// K is not in 1..=d.
    #[error("K = {k} directions do not fit the dimension d = {d} (need 1 <= K <= d)")]
    BadK {
        /// Requested directions.
        k: usize,
        /// Data dimension.
        d: usize,
    },
    /// A setting is out of range.
    #[error("invalid setting: {0}")]
    BadConfig(String),
    /// Input holds NaN or infinite values.
    #[error("row {row}, column {col}: value {value} is not finite")]
    NonFinite {
        /// Row index (0-based).
        row: usize,
        /// Column index (0-based).
        col: usize,
        /// The value.
        value: f64,
    },
    /// Data of the wrong width for this model.
    #[error("data have {got} feature columns; the model was fitted on {expected}")]
    Dimension {
        /// Columns given.
        got: usize,
        /// Columns expected.
        expected: usize,
    },
    /// A label the model does not know.
    #[error("label {label:?} is not a domain of the model (domains: {known})")]
    UnknownDomain {
        /// The label.
        label: String,
        /// The model's domains, comma-separated.
        known: String,
    },
    /// A numerical failure inside a layer.
    #[error("numerical failure in layer {layer}: {message}")]
    Numerical {
        /// Layer index.
        layer: usize,
        /// What failed.
        message: String,
    },
    /// A model file could not be read or written.
    #[error("{}: {error}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's error (in the message, not a separate
        /// source, so `{:#}` prints it once).
        error: std::io::Error,
    },
    /// A model file is not a valid model of this format version.
    #[error("{}: {message}", path.display())]
    BadModelFile {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
}

impl FlowError {
    /// `Err(NonFinite)` naming the first NaN or infinite entry of `x`
    /// (column by column), `Ok` if there is none.
    pub fn check_finite(x: faer::MatRef<'_, f64>) -> Result<(), FlowError> {
        for j in 0..x.ncols() {
            if let Some(i) = (0..x.nrows()).find(|&i| !x[(i, j)].is_finite()) {
                return Err(FlowError::NonFinite {
                    row: i,
                    col: j,
                    value: x[(i, j)],
                });
            }
        }
        Ok(())
    }
}
