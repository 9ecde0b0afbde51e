//! `iaf evaluate`: alignment metrics of a model on labelled data.

use super::input::DataArgs;
use crate::evaluation::{evaluate, Evaluation};
use crate::flow::Flow;
use clap::{Args, ValueEnum};
use std::path::PathBuf;

/// Arguments of `iaf evaluate`.
#[derive(Args, Debug)]
pub struct EvaluateArgs {
    /// The model written by `iaf fit`.
    #[arg(long, value_name = "FILE")]
    model: PathBuf,
    #[command(flatten)]
    data: DataArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Seed of the subsampling, directions and folds.
    #[arg(long, default_value_t = 0)]
    seed: u64,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Format {
    Table,
    Csv,
    Json,
}

fn render(e: &Evaluation, format: Format) -> anyhow::Result<String> {
    let fields = [
        ("latent_w2_sq", e.latent_w2_sq),
        ("sliced_w2_sq", e.sliced_w2_sq),
        ("transport_cost", e.transport_cost),
        ("confusion_accuracy", e.confusion_accuracy),
        ("roundtrip_max_abs_error", e.roundtrip_max_abs_error),
    ];
    Ok(match format {
        Format::Json => serde_json::to_string_pretty(e)? + "\n",
        Format::Csv => {
            let names: Vec<&str> = fields.iter().map(|f| f.0).collect();
            let values: Vec<String> = fields.iter().map(|f| f.1.to_string()).collect();
            format!(
                "{},n,k\n{},{},{}\n",
                names.join(","),
                values.join(","),
                e.n,
                e.k
            )
        }
        Format::Table => {
            let mut s = String::new();
            for (name, v) in fields {
                s.push_str(&format!("{name:<26} {v:.6e}\n"));
            }
            s.push_str(&format!(
                "{:<26} {}\n{:<26} {} (chance accuracy {:.3})\n",
                "n",
                e.n,
                "k",
                e.k,
                1.0 / e.k as f64
            ));
            s
        }
    })
}

/// Runs `iaf evaluate`.
pub fn run(args: EvaluateArgs) -> anyhow::Result<()> {
    let flow = Flow::load(&args.model)?;
    let (data, domains) = args.data.read_for(&flow)?;
    let e = evaluate(&flow, data.x.as_ref(), &domains, args.seed)?;
    print!("{}", render(&e, args.format)?);
    Ok(())
}
