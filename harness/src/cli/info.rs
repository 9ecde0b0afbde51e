//! `iaf info`: what a saved model holds.

use crate::flow::Flow;
use clap::Args;
use std::path::PathBuf;

/// Arguments of `iaf info`.
#[derive(Args, Debug)]
pub struct InfoArgs {
    /// The model written by `iaf fit`.
    #[arg(long, value_name = "FILE")]
    model: PathBuf,
}

/// Runs `iaf info`.
pub fn run(args: InfoArgs) -> anyhow::Result<()> {
    let flow = Flow::load(&args.model)?;
    let c = flow.config();
    println!("model           {}", args.model.display());
    println!(
        "domains         {} ({})",
        flow.domains().len(),
        flow.domains().join(", ")
    );
    println!("dimensions      {}", flow.dim());
    if let Some(names) = flow.feature_names() {
        println!("features        {}", names.join(", "));
    }
    println!(
        "layers          {}{}",
        flow.layers(),
        if flow.is_independent() {
            " per domain (independent flows)"
        } else {
            ""
        }
    );
    println!(
        "directions K    {} ({:?})",
        c.directions_for(flow.dim()),
        c.directions
    );
    println!("layer type      {:?}", c.layer_type);
    println!("pre-map         {:?}", c.premap);
    println!("max iterations  {}", c.max_iters);
    println!("search precision {:?}", c.search_precision);
    println!("grid            {}", c.grid);
    println!("data split      {:?}", c.split);
    println!("seed            {}", c.seed);
    println!("parameters      {}", flow.parameter_count());
    Ok(())
}
