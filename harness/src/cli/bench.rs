//! `iaf bench`: kernel and fit benchmark reports.

use super::fit::Precision;
use crate::bench::{fit, kernels, to_csv, to_table};
use crate::flow::SearchPrecision;
use clap::{Args, Subcommand, ValueEnum};
use std::path::PathBuf;

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
    /// Fit INB layers on n = 1600 (two domains), d = 784, K = 30, J = 200.
    Fit(FitArgs),
}

#[derive(Args, Debug)]
struct FitArgs {
    /// One layer instead of five.
    #[arg(long)]
    quick: bool,
    /// Worker threads (default: all cores).
    #[arg(long)]
    threads: Option<usize>,
    /// Precision of the direction search's data products (as `iaf fit`).
    #[arg(long, value_enum, default_value_t = Precision::F32)]
    search_precision: Precision,
    /// Also write the benchmark's data to this float64 NPY file (domain 0's
    /// 800 rows, then domain 1's), for scripts/peer_fit_torch.py.
    #[arg(long, value_name = "FILE.npy")]
    save_data: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
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
    match args.what {
        BenchWhat::Kernels(report) => {
            let rows = kernels::run(report.quick);
            let text = match report.format {
                Format::Csv => to_csv(&rows),
                Format::Table => to_table(&rows),
            };
            print!("{text}");
        }
        BenchWhat::Fit(a) => {
            if let Some(path) = &a.save_data {
                fit::save_data(path)?;
            }
            let precision = SearchPrecision::from(a.search_precision);
            let r = fit::run(if a.quick { 1 } else { 5 }, a.threads, precision);
            match a.format {
                Format::Csv => {
                    println!("benchmark,precision,layers,seconds_per_layer,seconds_per_iteration,iterations_per_layer,share_directions,share_maps,share_apply,first_objective,product_gelem_per_s_before,product_gelem_per_s_after,product_seconds_per_layer,register_peak_gmac_per_s");
                    println!(
                        "fit_n1600_d784_k30_j200,{:?},{},{:.4},{:.6},{:.1},{:.3},{:.3},{:.3},{:.6},{:.1},{:.1},{:.4},{:.1}",
                        precision, r.layers, r.seconds_per_layer, r.seconds_per_iteration, r.iterations_per_layer,
                        r.share_directions, r.share_maps, r.share_apply, r.first_objective,
                        r.product_rate.0 / 1e9, r.product_rate.1 / 1e9, r.product_seconds_per_layer,
                        r.register_peak / 1e9
                    );
                }
                Format::Table => println!(
                    "fit n=1600 d=784 K=30 J=200 ({precision:?} search): {:.3} s/layer, {:.2} ms/iteration, {:.0} iterations/layer \
                     (directions {:.0}%, maps {:.0}%, apply {:.0}%), first layer's F = {:.6}; \
                     X P alone at {:.1} Gelem/s before and {:.1} after the fit, so the two products take {:.3} s/layer; \
                     the register tile alone (the products' ceiling) at {:.1} Gmac/s",
                    r.seconds_per_layer, r.seconds_per_iteration * 1e3, r.iterations_per_layer,
                    r.share_directions * 100.0, r.share_maps * 100.0, r.share_apply * 100.0,
                    r.first_objective, r.product_rate.0 / 1e9, r.product_rate.1 / 1e9,
                    r.product_seconds_per_layer, r.register_peak / 1e9
                ),
            }
        }
    }
    Ok(())
}
