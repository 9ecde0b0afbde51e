//! A labelled data matrix and the file layout it came from, so outputs keep
//! the input's header, row order and label column.

use super::{csv_table, npy, DataError};
use faer::{Mat, MatRef};
use std::path::{Path, PathBuf};

/// How to read a labelled data file.
#[derive(Clone, Debug, Default)]
pub struct ReadOptions {
    /// Name of the CSV column holding the labels (CSV input).
    pub label_column: Option<String>,
    /// A file with one label per line (NPY input).
    pub labels_file: Option<PathBuf>,
    /// Feature columns to use, in this order (CSV input); all other non-label
    /// columns are carried through to outputs unchanged. `None`: every
    /// non-label column is a feature.
    pub features: Option<Vec<String>>,
}

/// The column structure of the file the data came from.
#[derive(Clone, Debug, PartialEq)]
pub enum Layout {
    /// A CSV file.
    Csv {
        /// All column names, in file order.
        header: Vec<String>,
        /// Position of the label column in `header`.
        label_column: usize,
        /// Positions of the feature columns in `header`, in feature order.
        feature_columns: Vec<usize>,
        /// The other columns, verbatim: (position in `header`, one cell per row).
        passthrough: Vec<(usize, Vec<String>)>,
    },
    /// An NPY matrix (labels come from a separate file).
    Npy,
}

/// A data matrix with one label per row.
#[derive(Clone, Debug)]
pub struct LabelledData {
    /// The file it was read from.
    pub source: PathBuf,
    /// Rows are samples, columns features (n x d).
    pub x: Mat<f64>,
    /// One label per row.
    pub labels: Vec<String>,
    /// Feature names (CSV header names, or `x0..x{d-1}` for NPY).
    pub feature_names: Vec<String>,
    /// The file layout, for writing outputs of the same shape.
    pub layout: Layout,
}

fn extension(path: &Path) -> String {
    path.extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// Reads a labelled data file: `.csv` (header, numeric feature columns, one
/// label column named by `options.label_column`) or `.npy` (2-D float32 or
/// float64, labels from `options.labels_file`).
///
/// ```
/// use harness::io::{read_labelled, ReadOptions};
/// let dir = std::env::temp_dir().join(format!("iaf-doc-read-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let path = dir.join("data.csv");
/// std::fs::write(&path, "a,b,site\n1,2,x\n3,4,y\n").unwrap();
/// let options = ReadOptions { label_column: Some("site".into()), ..Default::default() };
/// let data = read_labelled(&path, &options).unwrap();
/// assert_eq!((data.x.nrows(), data.x.ncols()), (2, 2));
/// assert_eq!(data.labels, ["x", "y"]);
/// # std::fs::remove_dir_all(&dir).unwrap();
/// ```
pub fn read_labelled(path: &Path, options: &ReadOptions) -> Result<LabelledData, DataError> {
    match extension(path).as_str() {
        "csv" => {
            let label = options
                .label_column
                .as_deref()
                .ok_or_else(|| DataError::invalid(path, "CSV input needs --label-column NAME"))?;
            csv_table::read(path, label, options.features.as_deref())
        }
        "npy" => {
            let labels = options.labels_file.as_deref().ok_or_else(|| {
                DataError::invalid(path, "NPY input needs --labels FILE (one label per line)")
            })?;
            npy::read(path, labels)
        }
        other => Err(DataError::invalid(
            path,
            format!("unknown file type {other:?}: expected .csv or .npy"),
        )),
    }
}

/// Writes `values` (one row per row of `like`) with `labels` to `path`,
/// atomically. `.csv` keeps `like`'s header, column order, passthrough
/// columns and label column (values in shortest round-trip form); `.npy`
/// writes a float64 matrix (labels are not stored in NPY files).
pub fn write_labelled(
    path: &Path,
    like: &LabelledData,
    values: MatRef<'_, f64>,
    labels: &[String],
) -> Result<(), DataError> {
    assert_eq!(values.nrows(), labels.len(), "one label per output row");
    match extension(path).as_str() {
        "csv" => csv_table::write(path, like, values, labels),
        "npy" => npy::write(path, values),
        other => Err(DataError::invalid(
            path,
            format!("unknown output type {other:?}: expected .csv or .npy"),
        )),
    }
}
