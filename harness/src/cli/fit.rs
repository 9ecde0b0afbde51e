//! `iaf fit`: fit a flow on a labelled data file and save the model.

use super::input::{require_out_folder, DataArgs};
use super::UsageError;
use crate::flow::{
    DataSplit, DirectionMode, Flow, FlowConfig, FlowError, LayerReport, LayerType, ModelFormat,
    PreMap, SearchPrecision,
};
use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::path::PathBuf;

/// Arguments of `iaf fit`.
#[derive(Args, Debug)]
pub struct FitArgs {
    #[command(flatten)]
    data: DataArgs,
    /// Where to write the model (.json for JSON, anything else binary).
    #[arg(long, value_name = "FILE")]
    model: PathBuf,
    /// Number of layers L.
    #[arg(long, default_value_t = 50)]
    layers: usize,
    /// Directions per layer K (default: min(d, 8)).
    #[arg(long)]
    k: Option<usize>,
    /// Maximum direction-search iterations J per layer.
    #[arg(long, default_value_t = 200)]
    max_iters: usize,
    /// How directions are chosen.
    #[arg(long, value_enum, default_value_t = Directions::Maxsw)]
    directions: Directions,
    /// Layer type: nb (1-D barycenter maps) or gb (Gaussian barycenter).
    #[arg(long, value_enum, default_value_t = Layers::Nb)]
    layer_type: Layers,
    /// Input map applied before the layers.
    #[arg(long, value_enum, default_value_t = Preprocess::Standardize)]
    preprocess: Preprocess,
    /// With --preprocess probit: dequantise data with this many grey levels (e.g. 256).
    #[arg(long, value_name = "LEVELS")]
    dequantize: Option<u32>,
    /// Quantile levels per 1-D map.
    #[arg(long, default_value_t = 100)]
    grid: usize,
    /// Use half of each domain's rows for directions and the other half for maps.
    #[arg(long)]
    half_split: bool,
    /// Precision of the direction search's data products (f64 is slower;
    /// maps and the model are f64 either way).
    #[arg(long, value_enum, default_value_t = Precision::F32)]
    search_precision: Precision,
    /// Random seed.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Worker threads (default: all cores; results do not depend on it).
    #[arg(long)]
    threads: Option<usize>,
    /// Feature columns to use, comma-separated (default: all but the label).
    #[arg(long, value_delimiter = ',', value_name = "A,B,C")]
    features: Option<Vec<String>>,
    /// No progress bar.
    #[arg(long)]
    quiet: bool,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Directions {
    Maxsw,
    Random,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Layers {
    Nb,
    Gb,
}

/// `--search-precision` of `iaf fit` and `iaf bench fit`.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub(super) enum Precision {
    F32,
    F64,
}

impl From<Precision> for SearchPrecision {
    fn from(p: Precision) -> SearchPrecision {
        match p {
            Precision::F32 => SearchPrecision::F32,
            Precision::F64 => SearchPrecision::F64,
        }
    }
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Preprocess {
    None,
    Standardize,
    Probit,
}

impl FitArgs {
    fn config(&self) -> Result<FlowConfig, UsageError> {
        if self.dequantize.is_some() && !matches!(self.preprocess, Preprocess::Probit) {
            return Err(UsageError("--dequantize needs --preprocess probit".into()));
        }
        if self.dequantize.is_some_and(|l| l < 2) {
            return Err(UsageError("--dequantize needs at least 2 levels".into()));
        }
        Ok(FlowConfig {
            layers: self.layers,
            k: self.k,
            max_iters: self.max_iters,
            directions: match self.directions {
                Directions::Maxsw => DirectionMode::MaxSw,
                Directions::Random => DirectionMode::Random,
            },
            layer_type: match self.layer_type {
                Layers::Nb => LayerType::Nb,
                Layers::Gb => LayerType::Gb,
            },
            grid: self.grid,
            weights: None,
            premap: match self.preprocess {
                Preprocess::None => PreMap::None,
                Preprocess::Standardize => PreMap::Standardize,
                Preprocess::Probit => PreMap::Probit {
                    dequantize: self.dequantize,
                },
            },
            seed: self.seed,
            threads: self.threads,
            split: if self.half_split {
                DataSplit::Half
            } else {
                DataSplit::All
            },
            search_precision: self.search_precision.into(),
        })
    }
}

fn progress_bar(layers: usize) -> ProgressBar {
    let bar = ProgressBar::new(layers as u64);
    bar.set_style(
        ProgressStyle::with_template(
            "{bar:30} layer {pos}/{len}  sliced W2^2 {msg}  {elapsed_precise} ETA {eta_precise}",
        )
        .expect("valid progress template"),
    );
    bar
}

/// Runs `iaf fit`.
pub fn run(args: FitArgs) -> anyhow::Result<()> {
    let config = args.config()?;
    require_out_folder(&args.model)?;
    let data = args.data.read(args.features.clone())?;
    let show = !args.quiet && std::io::stderr().is_terminal();
    let bar = show.then(|| progress_bar(config.layers));
    let mut on_layer = |r: &LayerReport| {
        if let Some(b) = &bar {
            b.set_message(format!("{:.4e}", r.objective));
            b.inc(1);
        }
    };
    let fitted = Flow::fit(data.x.as_ref(), &data.labels, &config, Some(&mut on_layer));
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let mut flow = fitted.map_err(|e| match e {
        FlowError::BadK { .. } | FlowError::BadConfig(_) => {
            anyhow::Error::new(UsageError(format!("{}: {e}", args.data.data.display())))
        }
        e => anyhow::Error::new(e).context(format!("{}", args.data.data.display())),
    })?;
    flow.set_feature_names(data.feature_names.clone());
    flow.save(&args.model, ModelFormat::for_path(&args.model))?;
    if !args.quiet {
        eprintln!(
            "iaf: fitted {} layers on {} rows x {} features, domains {}; model written to {}",
            flow.layers(),
            data.x.nrows(),
            data.x.ncols(),
            flow.domains().join(", "),
            args.model.display()
        );
    }
    Ok(())
}
