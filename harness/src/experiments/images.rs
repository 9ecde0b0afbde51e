//! E2: MNIST and Fashion-MNIST with classes as domains (k = 2, 3, 10): fit
//! on a train split, report on a test split. Writes `summary.csv` and, per
//! k and method, a PNG grid of translations (each row one test image of a
//! domain followed by its translation into every domain).

use super::figures::image_grid;
use super::{label_names, timed, Method, Options, Table};
use crate::data::{load_mnist_like, Dataset, ImageData};
use crate::evaluation::{evaluate, rows};
use crate::flow::{Flow, FlowConfig, PreMap};
use crate::metrics::{w2_sq, KnnClassifier};
use anyhow::Context;
use faer::Mat;
use std::path::Path;

/// Sizes of a run.
pub struct Sizes {
    /// Training images per class (at most).
    pub train_per_class: usize,
    /// Test images per class (at most).
    pub test_per_class: usize,
    /// Base flow settings of the iterative methods.
    pub base: FlowConfig,
}

/// Sizes for `options` (quick or full).
pub fn sizes(options: &Options) -> Sizes {
    let (train, test, layers, k, iters) = if options.quick {
        (100, 60, 4, 10, 20)
    } else {
        (500, 200, 15, 30, 30)
    };
    Sizes {
        train_per_class: train,
        test_per_class: test,
        base: FlowConfig {
            layers,
            k: Some(k),
            max_iters: iters,
            premap: PreMap::Probit {
                dequantize: Some(256),
            },
            threads: options.threads,
            ..FlowConfig::default()
        },
    }
}

/// The first `per_class` rows of each domain.
pub fn cap_per_domain(data: &Dataset, per_class: usize) -> Dataset {
    let mut keep: Vec<usize> = (0..data.n_domains())
        .flat_map(|c| data.indices_of(c).into_iter().take(per_class))
        .collect();
    keep.sort_unstable();
    data.subset(&keep)
}

/// Loads a data set, capped to the run's sizes, with its class subsets.
pub fn load(
    name: &str,
    options: &Options,
    s: &Sizes,
) -> anyhow::Result<(Dataset, Dataset, (usize, usize))> {
    let ImageData {
        train,
        test,
        rows: h,
        cols: w,
    } = load_mnist_like(&options.data_dir, name)?;
    let (train, test) = (
        cap_per_domain(&train, s.train_per_class),
        cap_per_domain(&test, s.test_per_class),
    );
    if options.quick {
        // Quick runs use 2 x 2 average-pooled images (784 -> 196 pixels),
        // so the full-space GB baseline's eigen-decompositions stay cheap.
        return Ok((pool2(&train, h, w), pool2(&test, h, w), (h / 2, w / 2)));
    }
    Ok((train, test, (h, w)))
}

/// Images of `h x w` pixels (one per row) averaged over 2 x 2 blocks.
pub fn pool2(data: &Dataset, h: usize, w: usize) -> Dataset {
    let (h2, w2) = (h / 2, w / 2);
    let x = Mat::from_fn(data.len(), h2 * w2, |i, p| {
        let (r, c) = (2 * (p / w2), 2 * (p % w2));
        let at = |dr: usize, dc: usize| data.x[(i, (r + dr) * w + c + dc)];
        0.25 * (at(0, 0) + at(0, 1) + at(1, 0) + at(1, 1))
    });
    Dataset {
        x,
        labels: data.labels.clone(),
        domain_names: data.domain_names.clone(),
    }
}

/// Translation quality on `test`: for every ordered pair of domains
/// (b -> a), W2^2 between real a and translated b (equal sizes, exact), and
/// the share of translated images that `classifier` (trained on real
/// images, labels = domain index of `test`) assigns to a. Returns the means
/// over pairs.
pub fn translation_scores(
    flow: &Flow,
    test: &Dataset,
    classifier: &KnnClassifier,
) -> anyhow::Result<(f64, f64)> {
    let k = test.n_domains();
    let parts: Vec<Mat<f64>> = (0..k).map(|c| test.domain(c)).collect();
    let index: Vec<usize> = (0..k)
        .map(|c| flow.require_domain(&test.domain_names[c]))
        .collect::<Result<_, _>>()?;
    let (mut w2, mut hits, mut total, mut pairs) = (0.0, 0usize, 0usize, 0usize);
    for a in 0..k {
        for b in (0..k).filter(|&b| b != a) {
            let moved = flow.translate(parts[b].as_ref(), index[b], index[a])?;
            let m = parts[a].nrows().min(moved.nrows());
            let (real, fake) = (
                parts[a].as_ref().subrows(0, m),
                moved.as_ref().subrows(0, m),
            );
            w2 += w2_sq(real, fake)?;
            let predicted = classifier.predict(moved.as_ref())?;
            hits += predicted.iter().filter(|&&p| p == a).count();
            total += predicted.len();
            pairs += 1;
        }
    }
    Ok((w2 / pairs as f64, hits as f64 / total as f64))
}

/// A k-NN classifier of the domains of `train` on raw pixels, on at most
/// 3000 of its rows.
pub fn pixel_classifier(train: &Dataset) -> anyhow::Result<KnnClassifier> {
    let step = train.len().div_ceil(3000).max(1);
    let pick: Vec<usize> = (0..train.len()).step_by(step).collect();
    let labels: Vec<usize> = pick.iter().map(|&i| train.labels[i]).collect();
    Ok(KnnClassifier::fit(
        rows(train.x.as_ref(), &pick).as_ref(),
        &labels,
        5,
    )?)
}

/// The translation grid: row b holds test image 0 of domain b, then its
/// translation into every domain a.
fn translation_grid(flow: &Flow, test: &Dataset) -> anyhow::Result<Vec<Vec<Vec<f64>>>> {
    (0..test.n_domains())
        .map(|b| {
            let x = test.domain(b);
            let source = x.as_ref().subrows(0, 1);
            let from = flow.require_domain(&test.domain_names[b])?;
            let mut row = vec![(0..x.ncols()).map(|j| source[(0, j)]).collect::<Vec<f64>>()];
            for a in 0..test.n_domains() {
                let to = flow.require_domain(&test.domain_names[a])?;
                let t = flow.translate(source, from, to)?;
                row.push((0..t.ncols()).map(|j| t[(0, j)]).collect());
            }
            Ok(row)
        })
        .collect()
}

/// The class subsets of the experiment: k = 2, 3 and 10 (all).
pub fn class_sets(n_classes: usize) -> Vec<Vec<usize>> {
    [2, 3, 10]
        .into_iter()
        .filter(|&k| k <= n_classes)
        .map(|k| (0..k).collect())
        .collect()
}

/// Methods drawn as translation grids.
const GRID_METHODS: [Method; 4] = [Method::Nb, Method::Gb, Method::Independent, Method::Inb];

/// Runs the experiment on data set `name` (`mnist` or `fashion-mnist`).
pub fn run(name: &str, options: &Options, dir: &Path) -> anyhow::Result<()> {
    let s = sizes(options);
    let (train_all, test_all, shape) = load(name, options, &s)?;
    let mut summary = Table::new(&[
        "dataset",
        "k",
        "method",
        "n_train",
        "n_test",
        "fit_seconds",
        "transform_seconds",
        "latent_w2_sq",
        "translation_w2_sq",
        "transport_cost",
        "confusion_accuracy",
        "translation_accuracy",
    ]);
    for classes in class_sets(train_all.n_domains()) {
        let k = classes.len();
        let train = train_all.select_domains(&classes)?;
        let test = test_all.select_domains(&classes)?;
        let classifier = pixel_classifier(&train)?;
        for method in Method::ALL {
            options.say(format!("{name}: k = {k}, {}", method.name()));
            let (flow, fit_seconds) =
                timed(|| method.fit(train.x.as_ref(), &label_names(&train), &s.base));
            let flow = flow.with_context(|| format!("{name} k = {k} {}", method.name()))?;
            let domains: Vec<usize> = label_names(&test)
                .iter()
                .map(|l| flow.require_domain(l))
                .collect::<Result<_, _>>()?;
            let (latent, transform_seconds) =
                timed(|| flow.per_domain(test.x.as_ref(), &domains, |x, c| flow.forward(x, c)));
            latent?;
            let e = evaluate(&flow, test.x.as_ref(), &domains, 0)?;
            let (translation_w2, translation_accuracy) =
                translation_scores(&flow, &test, &classifier)?;
            summary.push(&[
                &name,
                &k,
                &method.name(),
                &train.len(),
                &test.len(),
                &fit_seconds,
                &transform_seconds,
                &e.latent_w2_sq,
                &translation_w2,
                &e.transport_cost,
                &e.confusion_accuracy,
                &translation_accuracy,
            ]);
            if GRID_METHODS.contains(&method) {
                let grid = translation_grid(&flow, &test)?;
                image_grid(
                    &dir.join(format!("translations_k{k}_{}.png", method.name())),
                    &grid,
                    shape,
                    2,
                )?;
            }
        }
    }
    summary.write(&dir.join("summary.csv"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pooling_averages_two_by_two_blocks() {
        let x = Mat::from_fn(1, 16, |_, p| p as f64);
        let data = Dataset::new(x, vec![0], vec!["a".into()]).unwrap();
        let pooled = pool2(&data, 4, 4);
        let got: Vec<f64> = (0..4).map(|p| pooled.x[(0, p)]).collect();
        assert_eq!(got, vec![2.5, 4.5, 10.5, 12.5]);
    }

    #[test]
    fn capping_keeps_the_first_rows_of_each_domain_in_order() {
        let x = Mat::from_fn(6, 1, |i, _| i as f64);
        let data = Dataset::new(x, vec![0, 1, 0, 1, 0, 1], vec!["a".into(), "b".into()]).unwrap();
        let capped = cap_per_domain(&data, 2);
        assert_eq!(capped.labels, vec![0, 1, 0, 1]);
        assert_eq!(capped.x[(3, 0)], 3.0);
    }
}
