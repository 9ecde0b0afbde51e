//! `iaf bench`: kernel and fit benchmark reports.

use crate::bench::{kernels, to_csv, to_table};
use clap::{Args, Subcommand, ValueEnum};

/// Arguments of `iaf bench`.
#[derive(Args, Debug)]
pub struct BenchArgs {
    #[command(subcommand)]
    what: BenchWhat,
}

#[derive(Subcommand, Debug)]
enum BenchWhat {
    /// Time the kernel set of shared/peers/numpy_kernels.py (same names and sizes).
    Kernels(ReportArgs),
}

#[derive(Args, Debug)]
struct ReportArgs {
    /// Fewer repetitions (5 instead of 21).
    #[arg(long)]
    quick: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Format {
    Csv,
    Table,
}

/// Runs the chosen report and prints it on stdout.
pub fn run(args: BenchArgs) -> anyhow::Result<()> {
    let BenchWhat::Kernels(report) = args.what;
    let rows = kernels::run(report.quick);
    let text = match report.format {
        Format::Csv => to_csv(&rows),
        Format::Table => to_table(&rows),
    };
    print!("{text}");
    Ok(())
}
