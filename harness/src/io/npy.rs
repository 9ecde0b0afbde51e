//! NPY input (2-D float32/float64, C or Fortran order) with a labels file,
//! and float64 NPY output.

use super::{write_atomic, DataError, LabelledData, Layout};
use faer::{Mat, MatRef};
use npyz::WriterBuilder;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

/// Reads the whole matrix as f64 in file order, with its shape and order.
fn read_values(path: &Path) -> Result<(Vec<f64>, usize, usize, npyz::Order), DataError> {
    let file = File::open(path).map_err(|e| DataError::io(path, e))?;
    let npy = npyz::NpyFile::new(BufReader::with_capacity(1 << 20, file))
        .map_err(|e| DataError::invalid(path, format!("not a valid NPY file: {e}")))?;
    let (n, d) = match npy.shape() {
        &[n, d] => (n as usize, d as usize),
        shape => {
            return Err(DataError::invalid(
                path,
                format!("expected a 2-D array (rows x features), found shape {shape:?}"),
            ))
        }
    };
    let order = npy.order();
    let descr = npy.dtype().descr();
    let short_read =
        |e: std::io::Error| DataError::invalid(path, format!("truncated or unreadable data: {e}"));
    let values: Vec<f64> = if descr.ends_with("f8'") || descr.ends_with("f8") {
        npy.into_vec::<f64>().map_err(short_read)?
    } else if descr.ends_with("f4'") || descr.ends_with("f4") {
        let v = npy.into_vec::<f32>().map_err(short_read)?;
        v.into_iter().map(f64::from).collect()
    } else {
        return Err(DataError::invalid(
            path,
            format!("dtype {descr} is not supported: expected float32 or float64"),
        ));
    };
    if values.len() != n * d {
        return Err(DataError::invalid(
            path,
            format!("holds {} values, its shape says {n} x {d}", values.len()),
        ));
    }
    Ok((values, n, d, order))
}

/// Reads one label per line (a trailing empty line is allowed).
fn read_labels(path: &Path, rows: usize, data: &Path) -> Result<Vec<String>, DataError> {
    let file = File::open(path).map_err(|e| DataError::io(path, e))?;
    let mut labels = Vec::with_capacity(rows);
    for (i, line) in BufReader::new(file).lines().enumerate() {
        let line = line.map_err(|e| DataError::io(path, e))?;
        let label = line.trim();
        if label.is_empty() {
            return Err(DataError::invalid(
                path,
                format!("line {}: empty label", i + 1),
            ));
        }
        labels.push(label.to_string());
    }
    if labels.len() != rows {
        return Err(DataError::invalid(
            path,
            format!(
                "{} labels for the {rows} rows of {}",
                labels.len(),
                data.display()
            ),
        ));
    }
    Ok(labels)
}

/// Reads an NPY matrix and its labels file.
pub(super) fn read(path: &Path, labels_path: &Path) -> Result<LabelledData, DataError> {
    let (values, n, d, order) = read_values(path)?;
    if n == 0 || d == 0 {
        return Err(DataError::invalid(path, format!("empty array ({n} x {d})")));
    }
    let x = match order {
        npyz::Order::C => Mat::from_fn(n, d, |i, j| values[i * d + j]),
        npyz::Order::Fortran => Mat::from_fn(n, d, |i, j| values[j * n + i]),
    };
    for j in 0..d {
        if let Some(i) = (0..n).find(|&i| !x[(i, j)].is_finite()) {
            return Err(DataError::invalid(
                path,
                format!("row {i}, column {j}: {} is not a finite number", x[(i, j)]),
            ));
        }
    }
    let labels = read_labels(labels_path, n, path)?;
    Ok(LabelledData {
        source: path.to_path_buf(),
        x,
        labels,
        feature_names: (0..d).map(|j| format!("x{j}")).collect(),
        layout: Layout::Npy,
    })
}

/// Writes a float64 matrix in C order, atomically.
pub fn write(path: &Path, values: MatRef<'_, f64>) -> Result<(), DataError> {
    let (n, d) = (values.nrows(), values.ncols());
    write_atomic(path, |w| {
        let mut writer = npyz::WriteOptions::new()
            .default_dtype()
            .shape(&[n as u64, d as u64])
            .writer(w)
            .begin_nd()?;
        for i in 0..n {
            for j in 0..d {
                writer.push(&values[(i, j)])?;
            }
        }
        writer.finish()
    })
    .map_err(|e| DataError::io(path, e))
}
