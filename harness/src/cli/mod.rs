//! The `iaf` command line: argument parsing and dispatch to subcommands.

mod bench;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Iterative Alignment Flows: align labelled point clouds into one latent space.
#[derive(Parser, Debug)]
#[command(name = "iaf", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Benchmark reports (kernels, fit), printed as CSV or a table.
    #[command(after_help = "Examples:\n  iaf bench kernels --quick --format csv\n  \
                            scripts/compare_kernels.sh   # ratios against NumPy")]
    Bench(bench::BenchArgs),
}

/// Parses the process arguments, runs the command and maps failures to exit
/// codes: 2 for usage errors (from clap), 1 for everything else.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Bench(args) => bench::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("iaf: error: {e:#}");
            ExitCode::from(1)
        }
    }
}
