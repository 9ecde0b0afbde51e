//! E4: fit time of INB against the number of points n, the dimension d and
//! the number of threads, on two Gaussian domains. Writes `n.csv`,
//! `d.csv`, `threads.csv` and a figure each.

use super::figures::{line_chart, Labels, Series};
use super::{label_names, timed, Method, Options, Table};
use crate::data::gaussians;
use crate::flow::FlowConfig;
use faer::Mat;
use std::path::Path;

/// Seconds to fit INB on two d-dimensional Gaussian domains of `n` points
/// each (shifted means, different scales).
fn fit_seconds(n: usize, d: usize, threads: usize, base: &FlowConfig) -> anyhow::Result<f64> {
    let mut shifted = vec![0.0; d];
    shifted[0] = 2.0;
    let narrow = Mat::<f64>::identity(d, d) * faer::Scale(0.25);
    let wide = Mat::<f64>::identity(d, d);
    let data = gaussians(
        &[vec![0.0; d], shifted],
        &[narrow.as_ref(), wide.as_ref()],
        n,
        7,
    )?;
    let config = FlowConfig {
        threads: Some(threads),
        ..base.clone()
    };
    let (flow, secs) = timed(|| Method::Inb.fit(data.x.as_ref(), &label_names(&data), &config));
    flow?;
    Ok(secs)
}

/// Runs the scaling measurements, writing into `dir`.
pub fn run(options: &Options, dir: &Path) -> anyhow::Result<()> {
    let cores = options
        .threads
        .unwrap_or_else(rayon::current_num_threads)
        .max(1);
    let quick = options.quick;
    let base = FlowConfig {
        layers: if quick { 2 } else { 5 },
        k: Some(8),
        max_iters: if quick { 20 } else { 50 },
        ..FlowConfig::default()
    };
    let (n0, d0) = if quick { (500, 32) } else { (2000, 128) };
    let sweeps: [(&str, Vec<usize>); 3] = [
        (
            "n",
            if quick {
                vec![250, 1000]
            } else {
                vec![250, 500, 1000, 2000, 4000, 8000]
            },
        ),
        (
            "d",
            if quick {
                vec![8, 64]
            } else {
                vec![8, 32, 128, 512, 784]
            },
        ),
        ("threads", (1..=cores).collect()),
    ];
    for (variable, values) in sweeps {
        let mut table = Table::new(&[
            "variable",
            "value",
            "n_per_domain",
            "d",
            "threads",
            "layers",
            "fit_seconds",
            "seconds_per_layer",
        ]);
        let mut points = Vec::new();
        for v in values {
            let (n, d, t) = match variable {
                "n" => (v, d0, cores),
                "d" => (n0, v, cores),
                _ => (n0, d0, v),
            };
            options.say(format!("scaling: n = {n}, d = {d}, threads = {t}"));
            let secs = fit_seconds(n, d, t, &base)?;
            let per_layer = secs / base.layers as f64;
            table.push(&[&variable, &v, &n, &d, &t, &base.layers, &secs, &per_layer]);
            points.push((v as f64, per_layer, 0.0));
        }
        table.write(&dir.join(format!("{variable}.csv")))?;
        let title = format!(
            "INB fit time per layer against {variable} (K = 8, J = {})",
            base.max_iters
        );
        let series = [Series {
            name: "seconds per layer".into(),
            points,
        }];
        let labels = Labels {
            title: &title,
            x: variable,
            y: "seconds per layer",
        };
        line_chart(&dir.join(format!("{variable}.svg")), labels, &series)?;
    }
    Ok(())
}
