//! The error type of data generation and loading.

use std::path::PathBuf;

use thiserror::Error;

/// Why a data set could not be generated or loaded.
#[derive(Debug, Error)]
pub enum DataError {
    /// A generator or split parameter is out of range.
    #[error("invalid parameter {name}: {reason}")]
    InvalidParameter {
        /// Parameter name.
        name: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// A file could not be read.
    #[error("cannot read {path}: {error}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying I/O error (in the message, not a separate source,
        /// so `{:#}` prints it once).
        error: std::io::Error,
    },
    /// A file does not start with the expected IDX magic number.
    #[error("{path} is not an IDX {kind} file: magic number 0x{found:08x}, expected 0x{expected:08x}{hint}")]
    BadMagic {
        /// The file.
        path: PathBuf,
        /// "images" or "labels".
        kind: &'static str,
        /// Magic number found.
        found: u32,
        /// Magic number expected.
        expected: u32,
        /// Extra advice (e.g. about gzip), possibly empty.
        hint: &'static str,
    },
    /// A file is shorter (or longer) than its header announces.
    #[error("{path} is malformed: header announces {expected} bytes but the file has {found}")]
    Truncated {
        /// The file.
        path: PathBuf,
        /// Length implied by the header.
        expected: u64,
        /// Actual length.
        found: u64,
    },
    /// Images and labels of one split disagree in count.
    #[error("{images} holds {n_images} images but {labels} holds {n_labels} labels")]
    CountMismatch {
        /// Images file.
        images: PathBuf,
        /// Number of images.
        n_images: usize,
        /// Labels file.
        labels: PathBuf,
        /// Number of labels.
        n_labels: usize,
    },
    /// The files of a data set are not there.
    #[error("data set {name} not found: missing {missing}; run scripts/fetch_datasets.sh to download it")]
    Missing {
        /// Data set name.
        name: String,
        /// The first missing file.
        missing: PathBuf,
    },
}
