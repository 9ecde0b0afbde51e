//! The `iaf` command line: argument parsing and dispatch to subcommands.
//! Exit codes: 0 success, 1 bad data or files, 2 bad usage.

mod apply;
mod bench;
mod evaluate;
mod fit;
mod info;
mod input;
mod reproduce;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// A usage error (bad combination of options): exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

const EXAMPLES: &str = "Examples (the bundled example data):
  iaf fit --data datasets/examples/batches.csv --label-column batch --model model.iaf
  iaf transform --model model.iaf --data datasets/examples/batches.csv --label-column batch --out latent.csv
  iaf translate --model model.iaf --data datasets/examples/batches.csv --label-column batch --to b1 --out as_b1.csv
  iaf evaluate --model model.iaf --data datasets/examples/batches.csv --label-column batch --format json
  iaf info --model model.iaf";

/// Iterative Alignment Flows: align labelled point clouds (batches, sites,
/// groups) into one shared latent space with an invertible flow.
#[derive(Parser, Debug)]
#[command(name = "iaf", version, about, after_help = EXAMPLES)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Fit a flow on a labelled CSV/NPY file and save the model.
    #[command(
        after_help = "Example:\n  iaf fit --data datasets/examples/batches.csv --label-column batch --model model.iaf --layers 20"
    )]
    Fit(fit::FitArgs),
    /// Map rows into the shared latent space (each row by its own domain).
    #[command(
        after_help = "Example:\n  iaf transform --model model.iaf --data datasets/examples/batches.csv --label-column batch --out latent.csv"
    )]
    Transform(apply::ApplyArgs),
    /// Map latent rows back into their domain's data space.
    #[command(
        after_help = "Example:\n  iaf inverse --model model.iaf --data latent.csv --label-column batch --out back.csv"
    )]
    Inverse(apply::ApplyArgs),
    /// Map every row into the domain LABEL.
    #[command(
        after_help = "Example:\n  iaf translate --model model.iaf --data datasets/examples/batches.csv --label-column batch --to b1 --out as_b1.csv"
    )]
    Translate(apply::TranslateArgs),
    /// Alignment metrics of a model on labelled data.
    #[command(
        after_help = "Example:\n  iaf evaluate --model model.iaf --data datasets/examples/batches.csv --label-column batch --format json"
    )]
    Evaluate(evaluate::EvaluateArgs),
    /// Show what a saved model holds.
    #[command(after_help = "Example:\n  iaf info --model model.iaf")]
    Info(info::InfoArgs),
    /// Paper-style experiments: CSV tables and figures under results/.
    #[command(after_help = "Examples:\n  iaf reproduce toys\n  \
                            iaf reproduce all --quick --out /tmp/results\n  \
                            scripts/fetch_datasets.sh && iaf reproduce mnist")]
    Reproduce(reproduce::ReproduceArgs),
    /// Benchmark reports (kernels, fit), printed as CSV or a table.
    #[command(after_help = "Examples:\n  iaf bench kernels --quick --format csv\n  \
                            iaf bench fit --quick\n  \
                            scripts/compare_kernels.sh   # ratios against NumPy")]
    Bench(bench::BenchArgs),
}

/// Parses the process arguments, runs the command and maps failures to exit
/// codes: 2 for usage errors, 1 for everything else.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Fit(a) => fit::run(a),
        Command::Transform(a) => apply::run(a, apply::Direction::Forward),
        Command::Inverse(a) => apply::run(a, apply::Direction::Inverse),
        Command::Translate(a) => apply::translate(a),
        Command::Evaluate(a) => evaluate::run(a),
        Command::Info(a) => info::run(a),
        Command::Reproduce(a) => reproduce::run(a),
        Command::Bench(a) => bench::run(a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("iaf: error: {e:#}");
            if e.downcast_ref::<UsageError>().is_some() {
                ExitCode::from(2)
            } else {
                ExitCode::from(1)
            }
        }
    }
}
