//! CSV input and output of labelled data, streamed row by row.

use super::{write_atomic, DataError, LabelledData, Layout};
use faer::{Mat, MatRef};
use std::fs::File;
use std::io::{self, BufReader};
use std::path::Path;

/// Parses one numeric cell; the message names what is wrong with it.
fn parse_cell(cell: &str) -> Result<f64, String> {
    let text = cell.trim();
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        Ok(_) => Err(format!(
            "{text:?} is not a finite number (NaN and inf are not allowed)"
        )),
        Err(_) if text.is_empty() => Err("empty cell".into()),
        Err(_) => Err(format!("{text:?} is not a number")),
    }
}

/// Resolves the label and feature columns against the header.
fn columns(
    path: &Path,
    header: &[String],
    label: &str,
    features: Option<&[String]>,
) -> Result<(usize, Vec<usize>), DataError> {
    let find = |name: &str| header.iter().position(|h| h == name);
    let label_column = find(label).ok_or_else(|| {
        DataError::invalid(
            path,
            format!(
                "no label column named {label:?} (columns: {})",
                header.join(", ")
            ),
        )
    })?;
    let feature_columns: Vec<usize> = match features {
        None => (0..header.len()).filter(|&c| c != label_column).collect(),
        Some(names) => names
            .iter()
            .map(|name| match find(name) {
                Some(c) if c != label_column => Ok(c),
                Some(_) => Err(DataError::invalid(
                    path,
                    format!("column {name:?} is the label column and cannot be a feature"),
                )),
                None => Err(DataError::invalid(
                    path,
                    format!(
                        "no feature column named {name:?} (columns: {})",
                        header.join(", ")
                    ),
                )),
            })
            .collect::<Result<_, _>>()?,
    };
    if feature_columns.is_empty() {
        return Err(DataError::invalid(
            path,
            "no feature columns besides the label column",
        ));
    }
    Ok((label_column, feature_columns))
}

/// Reads a CSV file with a header row.
pub(super) fn read(
    path: &Path,
    label: &str,
    features: Option<&[String]>,
) -> Result<LabelledData, DataError> {
    let file = File::open(path).map_err(|e| DataError::io(path, e))?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(BufReader::with_capacity(1 << 20, file));
    let mut record = csv::StringRecord::new();
    let read_record = |reader: &mut csv::Reader<_>, record: &mut csv::StringRecord| {
        reader.read_record(record).map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            DataError::invalid(path, format!("line {line}: {e}"))
        })
    };
    if !read_record(&mut reader, &mut record)? {
        return Err(DataError::invalid(
            path,
            "empty file: expected a header line",
        ));
    }
    let header: Vec<String> = record.iter().map(|h| h.trim().to_string()).collect();
    let (label_column, feature_columns) = columns(path, &header, label, features)?;
    let mut is_feature = vec![false; header.len()];
    for &c in &feature_columns {
        is_feature[c] = true;
    }
    let mut values: Vec<Vec<f64>> = vec![Vec::new(); feature_columns.len()];
    let mut passthrough: Vec<(usize, Vec<String>)> = (0..header.len())
        .filter(|&c| c != label_column && !is_feature[c])
        .map(|c| (c, Vec::new()))
        .collect();
    let mut labels = Vec::new();
    while read_record(&mut reader, &mut record)? {
        let line = record.position().map_or(0, |p| p.line());
        if record.len() == 1 && record[0].trim().is_empty() {
            continue; // blank line
        }
        if record.len() != header.len() {
            return Err(DataError::invalid(
                path,
                format!(
                    "line {line}: {} fields, but the header has {}",
                    record.len(),
                    header.len()
                ),
            ));
        }
        for (f, &c) in feature_columns.iter().enumerate() {
            let v = parse_cell(&record[c]).map_err(|m| {
                let hint = if features.is_none() {
                    " (every column but the label is a feature unless --features names them)"
                } else {
                    ""
                };
                DataError::invalid(
                    path,
                    format!("line {line}, column {:?}: {m}{hint}", header[c]),
                )
            })?;
            values[f].push(v);
        }
        let label_text = record[label_column].trim();
        if label_text.is_empty() {
            return Err(DataError::invalid(
                path,
                format!(
                    "line {line}, column {:?}: empty label",
                    header[label_column]
                ),
            ));
        }
        labels.push(label_text.to_string());
        for (c, cells) in &mut passthrough {
            cells.push(record[*c].to_string());
        }
    }
    if labels.is_empty() {
        return Err(DataError::invalid(path, "no data rows after the header"));
    }
    let x = Mat::from_fn(labels.len(), values.len(), |i, j| values[j][i]);
    Ok(LabelledData {
        source: path.to_path_buf(),
        x,
        labels,
        feature_names: feature_columns.iter().map(|&c| header[c].clone()).collect(),
        layout: Layout::Csv {
            header,
            label_column,
            feature_columns,
            passthrough,
        },
    })
}

/// The header and column roles of an output: `like`'s if it came from a CSV
/// file, else `x0..x{d-1}` followed by a `label` column.
fn output_columns(like: &LabelledData, d: usize) -> (Vec<String>, usize, Vec<usize>) {
    match &like.layout {
        Layout::Csv {
            header,
            label_column,
            feature_columns,
            ..
        } => (header.clone(), *label_column, feature_columns.clone()),
        Layout::Npy => {
            let mut header: Vec<String> = (0..d).map(|j| format!("x{j}")).collect();
            header.push("label".into());
            (header, d, (0..d).collect())
        }
    }
}

/// Writes `values` and `labels` in `like`'s CSV layout.
pub(super) fn write(
    path: &Path,
    like: &LabelledData,
    values: MatRef<'_, f64>,
    labels: &[String],
) -> Result<(), DataError> {
    let (header, label_column, feature_columns) = output_columns(like, values.ncols());
    assert_eq!(
        feature_columns.len(),
        values.ncols(),
        "one value column per feature"
    );
    let passthrough: &[(usize, Vec<String>)] = match &like.layout {
        Layout::Csv { passthrough, .. } => passthrough,
        Layout::Npy => &[],
    };
    let mut role = vec![None; header.len()];
    for (f, &c) in feature_columns.iter().enumerate() {
        role[c] = Some(f);
    }
    write_atomic(path, |w| {
        let mut out = csv::Writer::from_writer(w);
        out.write_record(&header)?;
        let mut cells: Vec<String> = vec![String::new(); header.len()];
        let mut fmt = ryu::Buffer::new();
        for (i, label) in labels.iter().enumerate() {
            for (c, cell) in cells.iter_mut().enumerate() {
                cell.clear();
                if c == label_column {
                    cell.push_str(label);
                } else if let Some(f) = role[c] {
                    cell.push_str(fmt.format(values[(i, f)]));
                }
            }
            for (c, column) in passthrough {
                cells[*c].push_str(&column[i]);
            }
            out.write_record(&cells)?;
        }
        out.flush()?;
        Ok(())
    })
    .map_err(|e: io::Error| DataError::io(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_parse_or_say_why_not() {
        assert_eq!(parse_cell(" 1e300 "), Ok(1e300));
        assert_eq!(
            parse_cell("-0.0").map(f64::to_bits),
            Ok((-0.0f64).to_bits())
        );
        assert!(parse_cell("NaN").unwrap_err().contains("finite"));
        assert!(parse_cell("-inf").unwrap_err().contains("finite"));
        assert!(parse_cell("abc").unwrap_err().contains("not a number"));
        assert_eq!(parse_cell("").unwrap_err(), "empty cell");
    }
}
