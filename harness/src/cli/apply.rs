//! `iaf transform`, `iaf inverse` and `iaf translate`: apply a saved model
//! to a labelled data file and write the result in the same layout.

use super::input::{require_out_folder, DataArgs};
use crate::flow::Flow;
use crate::io::write_labelled;
use anyhow::Context;
use clap::Args;
use std::path::PathBuf;

/// Arguments of `iaf transform` and `iaf inverse`.
#[derive(Args, Debug)]
pub struct ApplyArgs {
    /// The model written by `iaf fit`.
    #[arg(long, value_name = "FILE")]
    model: PathBuf,
    #[command(flatten)]
    data: DataArgs,
    /// Output file (.csv keeps the input's header, row order and labels; .npy).
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
}

/// Arguments of `iaf translate`.
#[derive(Args, Debug)]
pub struct TranslateArgs {
    #[command(flatten)]
    apply: ApplyArgs,
    /// Domain every row is mapped into.
    #[arg(long, value_name = "LABEL")]
    to: String,
}

/// What to do with each row.
#[derive(Clone, Copy, Debug)]
pub enum Direction {
    /// Data -> latent.
    Forward,
    /// Latent -> data.
    Inverse,
}

/// Runs `iaf transform` (forward) or `iaf inverse`.
pub fn run(args: ApplyArgs, direction: Direction) -> anyhow::Result<()> {
    require_out_folder(&args.out)?;
    let flow = Flow::load(&args.model)?;
    let (data, domains) = args.data.read_for(&flow)?;
    let result = flow
        .per_domain(data.x.as_ref(), &domains, |x, c| match direction {
            Direction::Forward => flow.forward(x, c),
            Direction::Inverse => flow.inverse(x, c),
        })
        .with_context(|| data.source.display().to_string())?;
    write_labelled(&args.out, &data, result.as_ref(), &data.labels)?;
    Ok(())
}

/// Runs `iaf translate`.
pub fn translate(args: TranslateArgs) -> anyhow::Result<()> {
    let a = args.apply;
    require_out_folder(&a.out)?;
    let flow = Flow::load(&a.model)?;
    let to = flow.require_domain(&args.to).context("--to")?;
    let (data, domains) = a.data.read_for(&flow)?;
    let result = flow
        .per_domain(data.x.as_ref(), &domains, |x, c| flow.translate(x, c, to))
        .with_context(|| data.source.display().to_string())?;
    let labels = vec![args.to.clone(); data.labels.len()];
    write_labelled(&a.out, &data, result.as_ref(), &labels)?;
    Ok(())
}
