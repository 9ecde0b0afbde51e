//! E1: 2-D toys (two moons, concentric circles, four blob patterns). Every
//! method is fitted on a train split for several seeds; the latent W2^2
//! between domains is recorded after every layer on train and test points.
//! Writes `convergence.csv`, `summary.csv` and one figure per data set and
//! split.

use super::figures::{line_chart, Labels, Series};
use super::{label_names, latent_parts, latent_w2_curve, mean_std, timed, Method, Options, Table};
use crate::data::{blobs4, circles, train_test_split, two_moons, Dataset};
use crate::evaluation::mean_pairwise_w2_sq;
use crate::flow::FlowConfig;
use anyhow::Context;
use std::path::Path;

/// A toy data set: its name and generator (points per domain, seed).
struct Toy {
    name: &'static str,
    make: fn(usize, u64) -> Result<Dataset, crate::data::DataError>,
}

const TOYS: [Toy; 3] = [
    Toy {
        name: "moons",
        make: |n, seed| two_moons(n, 0.1, seed),
    },
    Toy {
        name: "circles",
        make: |n, seed| circles(n, 0.05, 0.5, seed),
    },
    Toy {
        name: "blobs4",
        make: blobs4,
    },
];

/// Sizes of a run.
struct Sizes {
    per_domain: usize,
    layers: usize,
    max_iters: usize,
    seeds: usize,
}

fn sizes(options: &Options) -> Sizes {
    let (per_domain, layers, max_iters, seeds) = if options.quick {
        (200, 10, 50, 3)
    } else {
        (500, 20, 100, 10)
    };
    Sizes {
        per_domain,
        layers,
        max_iters,
        seeds: options.seeds.unwrap_or(seeds),
    }
}

/// One curve: W2 after 0..=L layers (one-shot methods: their final value
/// at every layer, drawn as a flat line).
fn curve(
    flow: &crate::flow::Flow,
    data: &Dataset,
    layers: usize,
    iterative: bool,
) -> anyhow::Result<Vec<f64>> {
    if iterative {
        latent_w2_curve(flow, data, layers)
    } else {
        let w2 = mean_pairwise_w2_sq(&latent_parts(flow, data, usize::MAX)?)?;
        Ok(vec![w2; layers + 1])
    }
}

/// Runs the toy experiment, writing into `dir`.
pub fn run(options: &Options, dir: &Path) -> anyhow::Result<()> {
    let s = sizes(options);
    let mut convergence = Table::new(&["dataset", "method", "seed", "split", "layer", "w2"]);
    let mut summary = Table::new(&[
        "dataset",
        "method",
        "split",
        "seeds",
        "w2_layer0",
        "w2_layer1",
        "w2_layer5",
        "w2_final_mean",
        "w2_final_std",
        "fit_seconds_mean",
    ]);
    for toy in &TOYS {
        // curves[method][split][seed] = W2 per layer; fit seconds per method.
        let mut curves = vec![[Vec::new(), Vec::new()]; Method::ALL.len()];
        let mut fit_seconds = vec![Vec::new(); Method::ALL.len()];
        for seed in 0..s.seeds as u64 {
            options.say(format!("toys: {} seed {}/{}", toy.name, seed + 1, s.seeds));
            let data = (toy.make)(s.per_domain, seed).with_context(|| toy.name)?;
            let (train, test) = train_test_split(&data, 0.4, seed)?;
            let base = FlowConfig {
                layers: s.layers,
                max_iters: s.max_iters,
                seed,
                threads: options.threads,
                ..FlowConfig::default()
            };
            for (m, method) in Method::ALL.iter().enumerate() {
                let (flow, secs) =
                    timed(|| method.fit(train.x.as_ref(), &label_names(&train), &base));
                let flow = flow.with_context(|| format!("{} {}", toy.name, method.name()))?;
                fit_seconds[m].push(secs);
                for (sp, (split, part)) in
                    [("train", &train), ("test", &test)].into_iter().enumerate()
                {
                    let w2 = curve(&flow, part, s.layers, method.is_iterative())?;
                    for (layer, v) in w2.iter().enumerate() {
                        convergence.push(&[&toy.name, &method.name(), &seed, &split, &layer, v]);
                    }
                    curves[m][sp].push(w2);
                }
            }
        }
        for (sp, split) in ["train", "test"].into_iter().enumerate() {
            let mut series = Vec::new();
            for (m, method) in Method::ALL.iter().enumerate() {
                let at = |layer: usize| {
                    mean_std(&curves[m][sp].iter().map(|c| c[layer]).collect::<Vec<_>>())
                };
                let (fin, fin_sd) = at(s.layers);
                summary.push(&[
                    &toy.name,
                    &method.name(),
                    &split,
                    &s.seeds,
                    &at(0).0,
                    &at(1).0,
                    &at(5.min(s.layers)).0,
                    &fin,
                    &fin_sd,
                    &mean_std(&fit_seconds[m]).0,
                ]);
                series.push(Series {
                    name: method.name().to_string(),
                    points: (0..=s.layers)
                        .map(|l| (l as f64, at(l).0, at(l).1))
                        .collect(),
                });
            }
            let title = format!(
                "{}: latent W2^2 between domains ({split}, mean +/- std over {} seeds)",
                toy.name, s.seeds
            );
            let labels = Labels {
                title: &title,
                x: "layer",
                y: "W2^2",
            };
            line_chart(
                &dir.join(format!("convergence_{}_{split}.svg", toy.name)),
                labels,
                &series,
            )?;
        }
    }
    convergence.write(&dir.join("convergence.csv"))?;
    summary.write(&dir.join("summary.csv"))?;
    Ok(())
}
