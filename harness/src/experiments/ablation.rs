//! E3: ablations on MNIST 0/1: directions per layer K, direction
//! iterations J, grid size G of the 1-D maps (the "bins"), and the number
//! of layers L (one fit, measured after every layer). Writes
//! `k.csv`, `max_iters.csv`, `grid.csv`, `layers.csv` and a figure each.

use super::figures::{line_chart, Labels, Series};
use super::images::{load, pixel_classifier, sizes, translation_scores};
use super::{label_names, latent_parts, latent_w2_curve, timed, Method, Options, Table};
use crate::data::Dataset;
use crate::evaluation::mean_pairwise_w2_sq;
use crate::flow::FlowConfig;
use crate::metrics::KnnClassifier;
use std::path::Path;

/// One varied setting: its name (and CSV file), values and how it changes
/// the base settings.
struct Knob {
    name: &'static str,
    full: &'static [usize],
    quick: &'static [usize],
    set: fn(&mut FlowConfig, usize),
}

const KNOBS: [Knob; 3] = [
    Knob {
        name: "k",
        full: &[1, 5, 10, 30, 60],
        quick: &[2, 10],
        set: |c, v| c.k = Some(v),
    },
    Knob {
        name: "max_iters",
        full: &[1, 5, 20, 50, 100],
        quick: &[1, 20],
        set: |c, v| c.max_iters = v,
    },
    Knob {
        name: "grid",
        full: &[10, 25, 50, 100, 200],
        quick: &[10, 50],
        set: |c, v| c.grid = v,
    },
];

fn chart(
    path: &Path,
    title: &str,
    x: &str,
    name: &str,
    points: Vec<(f64, f64, f64)>,
) -> anyhow::Result<()> {
    let series = [Series {
        name: name.to_string(),
        points,
    }];
    line_chart(path, Labels { title, x, y: name }, &series)
}

struct Split<'a> {
    train: &'a Dataset,
    test: &'a Dataset,
    classifier: &'a KnnClassifier,
}

/// Fits INB with `config` and measures it on the test split.
fn measure(split: &Split<'_>, config: &FlowConfig) -> anyhow::Result<(f64, f64, f64)> {
    let (flow, secs) =
        timed(|| Method::Inb.fit(split.train.x.as_ref(), &label_names(split.train), config));
    let flow = flow?;
    let latent = mean_pairwise_w2_sq(&latent_parts(&flow, split.test, usize::MAX)?)?;
    let (translation, _) = translation_scores(&flow, split.test, split.classifier)?;
    Ok((secs, latent, translation))
}

/// Runs the ablations, writing into `dir`.
pub fn run(options: &Options, dir: &Path) -> anyhow::Result<()> {
    let s = sizes(options);
    let (train, test, _) = load("mnist", options, &s)?;
    let (train, test) = (
        train.select_domains(&[0, 1])?,
        test.select_domains(&[0, 1])?,
    );
    let classifier = pixel_classifier(&train)?;
    let split = Split {
        train: &train,
        test: &test,
        classifier: &classifier,
    };
    for knob in &KNOBS {
        let mut table = Table::new(&[
            "parameter",
            "value",
            "fit_seconds",
            "latent_w2_sq",
            "translation_w2_sq",
        ]);
        let mut points = Vec::new();
        let values = if options.quick { knob.quick } else { knob.full };
        for &v in values {
            options.say(format!("ablation: {} = {v}", knob.name));
            let mut config = s.base.clone();
            (knob.set)(&mut config, v);
            let (secs, latent, translation) = measure(&split, &config)?;
            table.push(&[&knob.name, &v, &secs, &latent, &translation]);
            points.push((v as f64, translation, 0.0));
        }
        table.write(&dir.join(format!("{}.csv", knob.name)))?;
        let title = format!("MNIST 0/1: translation W2^2 against {}", knob.name);
        chart(
            &dir.join(format!("{}.svg", knob.name)),
            &title,
            knob.name,
            "translation W2^2",
            points,
        )?;
    }
    options.say("ablation: layers");
    let layers = if options.quick { 8 } else { 60 };
    let config = FlowConfig {
        layers,
        ..s.base.clone()
    };
    let flow = Method::Inb.fit(train.x.as_ref(), &label_names(&train), &config)?;
    let mut table = Table::new(&["layer", "latent_w2_sq_train", "latent_w2_sq_test"]);
    let mut series = [("train", Vec::new()), ("test", Vec::new())];
    let (train_curve, test_curve) = (
        latent_w2_curve(&flow, &train, layers)?,
        latent_w2_curve(&flow, &test, layers)?,
    );
    for (l, (&tr, &te)) in train_curve.iter().zip(&test_curve).enumerate() {
        table.push(&[&l, &tr, &te]);
        series[0].1.push((l as f64, tr, 0.0));
        series[1].1.push((l as f64, te, 0.0));
    }
    table.write(&dir.join("layers.csv"))?;
    let series: Vec<Series> = series
        .into_iter()
        .map(|(name, points)| Series {
            name: name.to_string(),
            points,
        })
        .collect();
    let labels = Labels {
        title: "MNIST 0/1: latent W2^2 against layers",
        x: "layer",
        y: "latent W2^2",
    };
    line_chart(&dir.join("layers.svg"), labels, &series)
}
