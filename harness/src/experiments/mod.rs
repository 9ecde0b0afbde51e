//! Paper-style experiments (`iaf reproduce`): each writes CSV tables and
//! figures under its own folder of the output directory. SPEC sections 3 to
//! 6 define the methods, experiments, metrics and data; `results/README.md`
//! documents every column.

pub mod ablation;
pub mod figures;
pub mod images;
pub mod methods;
pub mod scaling;
pub mod table;
pub mod toys;

use crate::data::Dataset;
use crate::evaluation::mean_pairwise_w2_sq;
use crate::flow::{Flow, FlowError};
use anyhow::Context;
use faer::Mat;
use std::path::{Path, PathBuf};
use std::time::Instant;

pub use methods::Method;
pub use table::Table;

/// An experiment of `iaf reproduce`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Experiment {
    /// 2-D toys: convergence of latent W2 per layer.
    Toys,
    /// MNIST: k = 2, 3, 10 classes as domains.
    Mnist,
    /// Fashion-MNIST: k = 2, 3, 10 classes as domains.
    Fmnist,
    /// K, J, L and grid size on MNIST 0/1.
    Ablation,
    /// Fit time against n, d and threads.
    Scaling,
}

impl Experiment {
    /// Every experiment, in the order `all` runs them.
    pub const ALL: [Experiment; 5] = [
        Experiment::Toys,
        Experiment::Mnist,
        Experiment::Fmnist,
        Experiment::Ablation,
        Experiment::Scaling,
    ];

    /// The name on the command line and of the output folder.
    pub fn name(self) -> &'static str {
        match self {
            Experiment::Toys => "toys",
            Experiment::Mnist => "mnist",
            Experiment::Fmnist => "fmnist",
            Experiment::Ablation => "ablation",
            Experiment::Scaling => "scaling",
        }
    }

    /// The image data set it needs under the data directory, if any.
    pub fn data_set(self) -> Option<&'static str> {
        match self {
            Experiment::Mnist | Experiment::Ablation => Some("mnist"),
            Experiment::Fmnist => Some("fashion-mnist"),
            Experiment::Toys | Experiment::Scaling => None,
        }
    }
}

/// Settings shared by every experiment.
#[derive(Clone, Debug)]
pub struct Options {
    /// Reduced sizes (a smoke run of a minute or two).
    pub quick: bool,
    /// Output directory; each experiment writes to `out/<name>/`.
    pub out: PathBuf,
    /// Where `mnist/` and `fashion-mnist/` IDX folders are.
    pub data_dir: PathBuf,
    /// Worker threads (`None`: all cores).
    pub threads: Option<usize>,
    /// Seeds of the toy experiment (`None`: 10, or 3 with `quick`).
    pub seeds: Option<usize>,
    /// Print progress lines on stderr.
    pub verbose: bool,
}

impl Options {
    /// `out/<experiment>/`, created if missing.
    pub fn folder(&self, experiment: Experiment) -> anyhow::Result<PathBuf> {
        let dir = self.out.join(experiment.name());
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("creating the output folder {}", dir.display()))?;
        Ok(dir)
    }

    /// A progress line on stderr (when verbose).
    pub fn say(&self, message: impl AsRef<str>) {
        if self.verbose {
            eprintln!("iaf reproduce: {}", message.as_ref());
        }
    }
}

/// Runs one experiment and records its settings and wall time in
/// `out/<name>/meta.json`.
pub fn run(experiment: Experiment, options: &Options) -> anyhow::Result<()> {
    let start = Instant::now();
    let dir = options.folder(experiment)?;
    match experiment {
        Experiment::Toys => toys::run(options, &dir)?,
        Experiment::Mnist => images::run("mnist", options, &dir)?,
        Experiment::Fmnist => images::run("fashion-mnist", options, &dir)?,
        Experiment::Ablation => ablation::run(options, &dir)?,
        Experiment::Scaling => scaling::run(options, &dir)?,
    }
    let meta = serde_json::json!({
        "experiment": experiment.name(),
        "quick": options.quick,
        "seconds": start.elapsed().as_secs_f64(),
        "threads": options.threads.unwrap_or_else(rayon::current_num_threads),
        "iaf_version": env!("CARGO_PKG_VERSION"),
        "finished_unix_time": std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
    });
    let path = dir.join("meta.json");
    crate::io::write_atomic(&path, |w| {
        serde_json::to_writer_pretty(&mut *w, &meta)?;
        std::io::Write::write_all(w, b"\n")
    })
    .with_context(|| format!("writing {}", path.display()))?;
    options.say(format!(
        "{} done in {:.1} s; results in {}",
        experiment.name(),
        start.elapsed().as_secs_f64(),
        dir.display()
    ));
    Ok(())
}

/// Whether the files an experiment needs are present (always, for those
/// that need none); their contents are checked when the experiment loads
/// them.
pub fn data_present(experiment: Experiment, data_dir: &Path) -> bool {
    experiment
        .data_set()
        .is_none_or(|name| crate::data::mnist_like_files(data_dir, name).is_ok())
}

/// The domain label of every row of `data`, as the flow sees them.
pub fn label_names(data: &Dataset) -> Vec<&str> {
    data.labels
        .iter()
        .map(|&l| data.domain_names[l].as_str())
        .collect()
}

/// Each domain of `data` (in `data`'s domain order) through the input map
/// and the first `layers` layers of `flow`.
pub fn latent_parts(
    flow: &Flow,
    data: &Dataset,
    layers: usize,
) -> Result<Vec<Mat<f64>>, FlowError> {
    (0..data.n_domains())
        .map(|c| {
            let domain = flow.require_domain(&data.domain_names[c])?;
            flow.forward_partial(data.domain(c).as_ref(), domain, layers)
        })
        .collect()
}

/// The mean pairwise latent W2^2 of `data`'s domains after 0, 1, ...,
/// `layers` layers of `flow`, walking each domain through the flow once.
pub fn latent_w2_curve(flow: &Flow, data: &Dataset, layers: usize) -> anyhow::Result<Vec<f64>> {
    let mut parts = latent_parts(flow, data, 0)?;
    let domains: Vec<usize> = (0..data.n_domains())
        .map(|c| flow.require_domain(&data.domain_names[c]))
        .collect::<Result<_, _>>()?;
    let mut curve = vec![mean_pairwise_w2_sq(&parts)?];
    for l in 0..layers {
        for (z, &domain) in parts.iter_mut().zip(&domains) {
            flow.apply_layer(z.as_mut(), domain, l);
        }
        curve.push(mean_pairwise_w2_sq(&parts)?);
    }
    Ok(curve)
}

/// Mean and (population) standard deviation.
pub fn mean_std(values: &[f64]) -> (f64, f64) {
    let n = values.len().max(1) as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
    (mean, var.sqrt())
}

/// Seconds taken by `f`, with its result.
pub fn timed<T>(f: impl FnOnce() -> T) -> (T, f64) {
    let start = Instant::now();
    let out = f();
    (out, start.elapsed().as_secs_f64())
}
