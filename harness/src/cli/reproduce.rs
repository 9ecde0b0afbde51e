//! `iaf reproduce`: run the paper-style experiments and write CSV tables
//! and figures.

use crate::experiments::{self, data_present, Experiment, Options};
use clap::{Args, ValueEnum};
use std::path::PathBuf;

/// Which experiment to run.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Which {
    /// 2-D toys: convergence per layer (needs no data).
    Toys,
    /// MNIST, k = 2, 3, 10 (needs scripts/fetch_datasets.sh).
    Mnist,
    /// Fashion-MNIST, k = 2, 3, 10 (needs scripts/fetch_datasets.sh).
    Fmnist,
    /// K, J, L and grid ablations on MNIST 0/1.
    Ablation,
    /// Fit time against n, d and threads.
    Scaling,
    /// Everything; experiments whose data are missing are skipped.
    All,
}

/// Arguments of `iaf reproduce`.
#[derive(Args, Debug)]
pub struct ReproduceArgs {
    /// The experiment.
    #[arg(value_enum)]
    experiment: Which,
    /// Reduced sizes: every experiment in a minute or two.
    #[arg(long)]
    quick: bool,
    /// Output directory (one folder per experiment).
    #[arg(long, value_name = "DIR", default_value = "results")]
    out: PathBuf,
    /// Where the mnist/ and fashion-mnist/ IDX folders are.
    #[arg(long, value_name = "DIR", default_value = "datasets")]
    data_dir: PathBuf,
    /// Worker threads (default: all cores).
    #[arg(long)]
    threads: Option<usize>,
    /// Seeds of the toy experiment (default 10; 3 with --quick).
    #[arg(long)]
    seeds: Option<usize>,
    /// No progress lines.
    #[arg(long)]
    quiet: bool,
}

/// Runs `iaf reproduce`.
pub fn run(args: ReproduceArgs) -> anyhow::Result<()> {
    let options = Options {
        quick: args.quick,
        out: args.out,
        data_dir: args.data_dir,
        threads: args.threads,
        seeds: args.seeds,
        verbose: !args.quiet,
    };
    let chosen: Vec<Experiment> = match args.experiment {
        Which::Toys => vec![Experiment::Toys],
        Which::Mnist => vec![Experiment::Mnist],
        Which::Fmnist => vec![Experiment::Fmnist],
        Which::Ablation => vec![Experiment::Ablation],
        Which::Scaling => vec![Experiment::Scaling],
        Which::All => Experiment::ALL.to_vec(),
    };
    let skip_missing = matches!(args.experiment, Which::All);
    for experiment in chosen {
        if skip_missing && !data_present(experiment, &options.data_dir) {
            eprintln!(
                "iaf reproduce: skipping {}: data set {} not found under {} (run scripts/fetch_datasets.sh)",
                experiment.name(),
                experiment.data_set().unwrap_or("?"),
                options.data_dir.display()
            );
            continue;
        }
        experiments::run(experiment, &options)?;
    }
    Ok(())
}
