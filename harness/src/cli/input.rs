//! Arguments shared by the commands that read labelled data, and the
//! conversion of labels to the model's domain indices.

use crate::flow::Flow;
use crate::io::{read_labelled, LabelledData, ReadOptions};
use anyhow::{bail, Context};
use clap::Args;
use std::path::PathBuf;

/// Where the data and their labels are.
#[derive(Args, Debug, Clone)]
pub struct DataArgs {
    /// Input file: .csv (header row) or .npy (2-D float32/float64).
    #[arg(long, value_name = "FILE")]
    pub data: PathBuf,
    /// Name of the CSV column holding the domain labels.
    #[arg(long, value_name = "NAME", required_unless_present = "labels")]
    pub label_column: Option<String>,
    /// For NPY input: a text file with one label per line.
    #[arg(long, value_name = "FILE")]
    pub labels: Option<PathBuf>,
}

impl DataArgs {
    /// Reads the data, selecting `features` (CSV) if given.
    pub fn read(&self, features: Option<Vec<String>>) -> anyhow::Result<LabelledData> {
        let options = ReadOptions {
            label_column: self.label_column.clone(),
            labels_file: self.labels.clone(),
            features,
        };
        Ok(read_labelled(&self.data, &options)?)
    }

    /// Reads data for an existing model: its feature columns by name (CSV),
    /// its width (NPY), and every label must be one of its domains.
    pub fn read_for(&self, flow: &Flow) -> anyhow::Result<(LabelledData, Vec<usize>)> {
        let data = self.read(flow.feature_names().map(<[String]>::to_vec))?;
        if data.x.ncols() != flow.dim() {
            bail!(
                "{}: {} feature columns, but the model was fitted on {}",
                data.source.display(),
                data.x.ncols(),
                flow.dim()
            );
        }
        let domains = data
            .labels
            .iter()
            .enumerate()
            .map(|(i, l)| {
                flow.require_domain(l)
                    .with_context(|| format!("{}: data row {}", data.source.display(), i + 1))
            })
            .collect::<anyhow::Result<Vec<usize>>>()?;
        Ok((data, domains))
    }
}

/// An error naming `out` unless the folder it would be written to exists
/// (checked before any work, so a long fit does not fail at the end).
pub fn require_out_folder(out: &std::path::Path) -> anyhow::Result<()> {
    if let Some(dir) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        if !dir.is_dir() {
            bail!(
                "{}: the output folder {} does not exist",
                out.display(),
                dir.display()
            );
        }
    }
    Ok(())
}
