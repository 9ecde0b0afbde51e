//! The INB flow: exact round trips, alignment quality, baselines,
//! determinism and persistence.

use faer::Mat;
use harness::flow::{
    DataSplit, DirectionMode, Flow, FlowConfig, LayerReport, LayerType, ModelFormat, PreMap,
    SearchPrecision, FORMAT_VERSION,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

fn rng(seed: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed)
}

/// Samples of N(mean, L L^T) as rows.
fn gaussian(n: usize, mean: &[f64], chol: &Mat<f64>, r: &mut ChaCha8Rng) -> Mat<f64> {
    let d = mean.len();
    let e = Mat::from_fn(n, d, |_, _| r.sample::<f64, _>(StandardNormal));
    let mut x = &e * chol.transpose();
    for i in 0..n {
        for j in 0..d {
            x[(i, j)] += mean[j];
        }
    }
    x
}

fn stack(parts: &[&Mat<f64>]) -> Mat<f64> {
    let n: usize = parts.iter().map(|p| p.nrows()).sum();
    let d = parts[0].ncols();
    let mut out = Mat::zeros(n, d);
    let mut r = 0;
    for p in parts {
        for i in 0..p.nrows() {
            for j in 0..d {
                out[(r + i, j)] = p[(i, j)];
            }
        }
        r += p.nrows();
    }
    out
}

fn labels(sizes: &[(usize, &str)]) -> Vec<String> {
    sizes
        .iter()
        .flat_map(|&(n, l)| std::iter::repeat_n(l.to_string(), n))
        .collect()
}

/// Mean over domain pairs of the sliced W2^2 with 200 random directions
/// (equal sizes: sorted matching).
fn sliced_w2(domains: &[Mat<f64>], seed: u64) -> f64 {
    let d = domains[0].ncols();
    let mut r = rng(seed);
    let dirs: Vec<Vec<f64>> = (0..200)
        .map(|_| {
            let v: Vec<f64> = (0..d).map(|_| r.sample(StandardNormal)).collect();
            let norm = v.iter().map(|x| x * x).sum::<f64>().sqrt();
            v.iter().map(|x| x / norm).collect()
        })
        .collect();
    let proj = |x: &Mat<f64>, v: &[f64]| -> Vec<f64> {
        let mut p: Vec<f64> = (0..x.nrows())
            .map(|i| (0..d).map(|j| x[(i, j)] * v[j]).sum())
            .collect();
        p.sort_by(f64::total_cmp);
        p
    };
    let mut total = 0.0;
    let mut pairs = 0;
    for a in 0..domains.len() {
        for b in a + 1..domains.len() {
            for v in &dirs {
                let (pa, pb) = (proj(&domains[a], v), proj(&domains[b], v));
                total += pa
                    .iter()
                    .zip(&pb)
                    .map(|(x, y)| (x - y) * (x - y))
                    .sum::<f64>()
                    / pa.len() as f64;
            }
            pairs += 1;
        }
    }
    total / (pairs as f64 * dirs.len() as f64)
}

fn max_abs_diff(a: &Mat<f64>, b: &Mat<f64>) -> f64 {
    let mut m: f64 = 0.0;
    for j in 0..a.ncols() {
        for i in 0..a.nrows() {
            m = m.max((a[(i, j)] - b[(i, j)]).abs());
        }
    }
    m
}

struct ThreeGaussians {
    train: Mat<f64>,
    labels: Vec<String>,
    test: Vec<Mat<f64>>,
}

fn three_gaussians(n_train: usize, n_test: usize) -> ThreeGaussians {
    let d = 10;
    let mut r = rng(42);
    let mut train = Vec::new();
    let mut test = Vec::new();
    for c in 0..3 {
        let mean: Vec<f64> = (0..d)
            .map(|j| ((c * 7 + j) % 5) as f64 - 2.0 + c as f64)
            .collect();
        let chol = Mat::from_fn(d, d, |i, j| {
            if i == j {
                0.5 + ((c + i) % 3) as f64 * 0.6
            } else if i > j {
                r.random::<f64>() * 0.6 - 0.3
            } else {
                0.0
            }
        });
        train.push(gaussian(n_train, &mean, &chol, &mut r));
        test.push(gaussian(n_test, &mean, &chol, &mut r));
    }
    ThreeGaussians {
        train: stack(&[&train[0], &train[1], &train[2]]),
        labels: labels(&[(n_train, "a"), (n_train, "b"), (n_train, "c")]),
        test,
    }
}

#[test]
fn three_gaussians_align_on_held_out_data() {
    let g = three_gaussians(2000, 1000);
    let config = FlowConfig {
        layers: 20,
        k: Some(5),
        seed: 7,
        ..FlowConfig::default()
    };
    let flow = Flow::fit(g.train.as_ref(), &g.labels, &config, None).unwrap();
    let before = sliced_w2(&g.test, 1);
    let latent: Vec<Mat<f64>> = (0..3)
        .map(|c| flow.forward(g.test[c].as_ref(), c).unwrap())
        .collect();
    // Compare in the same (standardised) units: map the held-out data
    // through the input map only.
    let standardised: Vec<Mat<f64>> = (0..3)
        .map(|c| flow.forward_partial(g.test[c].as_ref(), c, 0).unwrap())
        .collect();
    let before_std = sliced_w2(&standardised, 1);
    let after = sliced_w2(&latent, 1);
    let ratio = after / before_std;
    eprintln!("held-out sliced W2^2: raw {before:.4}, standardised {before_std:.4} -> {after:.5} (ratio {ratio:.4})");
    assert!(ratio <= 0.10, "held-out ratio {ratio}");
    // Round trip on the held-out points and on points far outside.
    for (c, z) in latent.iter().enumerate() {
        let back = flow.inverse(z.as_ref(), c).unwrap();
        assert!(max_abs_diff(&back, &g.test[c]) <= 1e-9, "domain {c}");
        let far = Mat::from_fn(50, 10, |i, j| (i as f64 - 25.0) * 40.0 + j as f64);
        let z = flow.forward(far.as_ref(), c).unwrap();
        let back = flow.inverse(z.as_ref(), c).unwrap();
        assert!(
            max_abs_diff(&back, &far) <= 1e-9 * 1000.0_f64.max(1.0),
            "far points, domain {c}"
        );
        let train_c = g.train.as_ref().subrows(c * 2000, 2000).to_owned();
        let z = flow.forward(train_c.as_ref(), c).unwrap();
        assert!(max_abs_diff(&flow.inverse(z.as_ref(), c).unwrap(), &train_c) <= 1e-9);
    }
}

/// The direction search in `f32` finds directions as good as in `f64`:
/// per-layer objectives and held-out alignment agree.
#[test]
fn f32_direction_search_matches_f64() {
    let g = three_gaussians(1000, 500);
    let fit = |search_precision| {
        let config = FlowConfig {
            layers: 6,
            k: Some(5),
            seed: 3,
            search_precision,
            ..FlowConfig::default()
        };
        let mut objectives = Vec::new();
        let mut record = |r: &LayerReport| objectives.push(r.objective);
        let flow = Flow::fit(g.train.as_ref(), &g.labels, &config, Some(&mut record)).unwrap();
        let latent: Vec<Mat<f64>> = (0..3)
            .map(|c| flow.forward(g.test[c].as_ref(), c).unwrap())
            .collect();
        (objectives, sliced_w2(&latent, 1))
    };
    let (o32, after32) = fit(SearchPrecision::F32);
    let (o64, after64) = fit(SearchPrecision::F64);
    eprintln!("objectives f32 {o32:?}\n           f64 {o64:?}\nheld-out {after32} vs {after64}");
    // Same random start: the first layer reaches the same maximum.
    assert!(
        (o32[0] - o64[0]).abs() <= 1e-3 * o64[0],
        "{} vs {}",
        o32[0],
        o64[0]
    );
    // Layers whose objective is well above the sampling floor (the first
    // three here) agree closely; below it, searches on nearly aligned data
    // end in different, equally small maxima.
    for (a, b) in o32.iter().zip(&o64).filter(|(_, b)| **b > 1e-2) {
        assert!((a - b).abs() <= 0.05 * b, "layer objectives {a} vs {b}");
    }
    assert!(
        (after32 - after64).abs() <= 0.1 * after64,
        "held-out {after32} vs {after64}"
    );
}

/// Walking the layers one at a time gives exactly `forward_partial` at
/// every depth.
#[test]
fn layer_by_layer_walk_matches_forward_partial() {
    let g = three_gaussians(300, 50);
    let config = FlowConfig {
        layers: 4,
        k: Some(3),
        ..FlowConfig::default()
    };
    let flow = Flow::fit(g.train.as_ref(), &g.labels, &config, None).unwrap();
    let mut z = flow.forward_partial(g.test[1].as_ref(), 1, 0).unwrap();
    for l in 0..config.layers {
        flow.apply_layer(z.as_mut(), 1, l);
        assert_eq!(
            z,
            flow.forward_partial(g.test[1].as_ref(), 1, l + 1).unwrap(),
            "depth {}",
            l + 1
        );
    }
    flow.apply_layer(z.as_mut(), 1, config.layers);
    assert_eq!(z, flow.forward(g.test[1].as_ref(), 1).unwrap());
}

#[test]
fn shifted_domains_meet_at_the_midpoint() {
    let mut r = rng(3);
    let base = Mat::from_fn(500, 2, |_, _| r.sample::<f64, _>(StandardNormal));
    let shifted = Mat::from_fn(500, 2, |i, j| base[(i, j)] + if j == 0 { 6.0 } else { 0.0 });
    let x = stack(&[&base, &shifted]);
    let labels = labels(&[(500, "left"), (500, "right")]);
    let config = FlowConfig {
        layers: 1,
        directions: DirectionMode::Identity,
        premap: PreMap::None,
        ..FlowConfig::default()
    };
    let flow = Flow::fit(x.as_ref(), &labels, &config, None).unwrap();
    let zl = flow.forward(base.as_ref(), 0).unwrap();
    let zr = flow.forward(shifted.as_ref(), 1).unwrap();
    for i in 0..500 {
        assert!((zl[(i, 0)] - (base[(i, 0)] + 3.0)).abs() < 0.05, "row {i}");
        assert!((zr[(i, 0)] - (base[(i, 0)] + 3.0)).abs() < 0.05, "row {i}");
        assert!((zl[(i, 1)] - base[(i, 1)]).abs() < 1e-9);
    }
}

#[test]
fn gb_one_shot_reproduces_the_gaussian_barycenter() {
    // Two centred 2-D Gaussians with commuting (diagonal) covariances: the
    // barycenter is N(mean of means, diag((s1 + s2)^2 / 4)).
    let mut r = rng(5);
    let n = 20_000;
    let a = Mat::from_fn(n, 2, |_, j| {
        r.sample::<f64, _>(StandardNormal) * [1.0, 3.0][j]
    });
    let b = Mat::from_fn(n, 2, |_, j| {
        r.sample::<f64, _>(StandardNormal) * [2.0, 1.0][j] + 4.0
    });
    let x = stack(&[&a, &b]);
    let labels = labels(&[(n, "a"), (n, "b")]);
    let config = FlowConfig {
        layers: 1,
        directions: DirectionMode::Identity,
        layer_type: LayerType::Gb,
        premap: PreMap::None,
        ..FlowConfig::default()
    };
    let flow = Flow::fit(x.as_ref(), &labels, &config, None).unwrap();
    for (c, data) in [&a, &b].into_iter().enumerate() {
        let z = flow.forward(data.as_ref(), c).unwrap();
        for (j, sd) in [1.5, 2.0].into_iter().enumerate() {
            let m = (0..n).map(|i| z[(i, j)]).sum::<f64>() / n as f64;
            let v = (0..n).map(|i| (z[(i, j)] - m).powi(2)).sum::<f64>() / n as f64;
            assert!((m - 2.0).abs() < 0.05, "domain {c} axis {j} mean {m}");
            assert!(
                (v.sqrt() - sd).abs() < 0.05,
                "domain {c} axis {j} sd {}",
                v.sqrt()
            );
        }
        let back = flow.inverse(z.as_ref(), c).unwrap();
        assert!(max_abs_diff(&back, data) < 1e-9);
    }
}

#[test]
fn constant_features_and_heavy_ties_stay_finite_and_invertible() {
    let mut r = rng(9);
    let n = 300;
    let x = Mat::from_fn(2 * n, 4, |i, j| match j {
        0 => 5.0,                                            // constant
        1 => (r.random_range(0..3) as f64) + (i / n) as f64, // heavy ties
        _ => r.sample::<f64, _>(StandardNormal) + (i / n) as f64,
    });
    let labels = labels(&[(n, "p"), (n, "q")]);
    for layer_type in [LayerType::Nb, LayerType::Gb] {
        let config = FlowConfig {
            layers: 5,
            k: Some(2),
            layer_type,
            ..FlowConfig::default()
        };
        let flow = Flow::fit(x.as_ref(), &labels, &config, None).unwrap();
        for c in 0..2 {
            let part = x.as_ref().subrows(c * n, n).to_owned();
            let z = flow.forward(part.as_ref(), c).unwrap();
            assert!((0..4).all(|j| (0..n).all(|i| z[(i, j)].is_finite())));
            let back = flow.inverse(z.as_ref(), c).unwrap();
            assert!(max_abs_diff(&back, &part) <= 1e-9, "{layer_type:?}");
            let ld = flow.log_det_jacobian(part.as_ref(), c).unwrap();
            assert!(ld.iter().all(|v| v.is_finite()));
        }
    }
}

#[test]
fn same_seed_same_model_with_one_or_two_threads() {
    let g = three_gaussians(300, 10);
    let fit = |threads| {
        let config = FlowConfig {
            layers: 4,
            k: Some(3),
            threads: Some(threads),
            seed: 11,
            ..FlowConfig::default()
        };
        Flow::fit(g.train.as_ref(), &g.labels, &config, None).unwrap()
    };
    let (one, two) = (fit(1), fit(2));
    assert_eq!(one, two);
    let z1 = one.forward(g.test[0].as_ref(), 0).unwrap();
    let z2 = two.forward(g.test[0].as_ref(), 0).unwrap();
    assert_eq!(z1, z2);
}

#[test]
fn baselines_fit_and_invert() {
    let g = three_gaussians(400, 100);
    let configs = [
        (
            "rand-nb",
            FlowConfig {
                layers: 5,
                directions: DirectionMode::Random,
                ..FlowConfig::default()
            },
        ),
        (
            "inb-gb",
            FlowConfig {
                layers: 3,
                layer_type: LayerType::Gb,
                ..FlowConfig::default()
            },
        ),
        (
            "half-split",
            FlowConfig {
                layers: 3,
                split: DataSplit::Half,
                ..FlowConfig::default()
            },
        ),
    ];
    for (name, config) in configs {
        let flow = Flow::fit(g.train.as_ref(), &g.labels, &config, None).unwrap();
        let z = flow.forward(g.test[1].as_ref(), 1).unwrap();
        let back = flow.inverse(z.as_ref(), 1).unwrap();
        assert!(max_abs_diff(&back, &g.test[1]) <= 1e-9, "{name}");
    }
    let config = FlowConfig {
        layers: 5,
        ..FlowConfig::default()
    };
    let ind = Flow::fit_independent(g.train.as_ref(), &g.labels, &config, None).unwrap();
    assert!(ind.is_independent());
    let t = ind.translate(g.test[0].as_ref(), 0, 2).unwrap();
    let back = ind.translate(t.as_ref(), 2, 0).unwrap();
    // Each stack inverts exactly, also at the translated points (outside
    // stack 2's training range).
    let z0 = ind.forward(g.test[0].as_ref(), 0).unwrap();
    assert!(max_abs_diff(&ind.inverse(z0.as_ref(), 0).unwrap(), &g.test[0]) <= 1e-9);
    let z2 = ind.forward(t.as_ref(), 2).unwrap();
    assert!(max_abs_diff(&ind.inverse(z2.as_ref(), 2).unwrap(), &t) <= 1e-9);
    // The translation round trip runs stack 2 forward after its inverse,
    // where points land on the steep parts of its 1-D maps: rounding is
    // amplified by the maps' slopes (up to 1e5 x their mean), so it is
    // exact only to ~1e-9 relative per layer.
    let err = max_abs_diff(&back, &g.test[0]);
    assert!(err <= 1e-7, "translate round trip {err}");
    // Each independent stack Gaussianises its own domain: the latent mean
    // of every domain is near zero.
    let z = ind.forward(g.test[2].as_ref(), 2).unwrap();
    let m0 = (0..z.nrows()).map(|i| z[(i, 0)]).sum::<f64>() / z.nrows() as f64;
    assert!(m0.abs() < 0.3, "latent mean {m0}");
}

#[test]
fn bad_inputs_are_reported() {
    let x = Mat::from_fn(10, 3, |i, j| (i + j) as f64);
    let one = vec!["a"; 10];
    let msg = Flow::fit(x.as_ref(), &one, &FlowConfig::default(), None)
        .unwrap_err()
        .to_string();
    assert!(msg.contains("only 1 domain"), "{msg}");
    let mut lab = vec!["a"; 9];
    lab.push("b");
    let msg = Flow::fit(x.as_ref(), &lab, &FlowConfig::default(), None)
        .unwrap_err()
        .to_string();
    assert!(msg.contains("\"b\" has 1 row"), "{msg}");
    let lab: Vec<&str> = (0..10).map(|i| if i < 5 { "a" } else { "b" }).collect();
    let cfg = FlowConfig {
        k: Some(4),
        ..FlowConfig::default()
    };
    let msg = Flow::fit(x.as_ref(), &lab, &cfg, None)
        .unwrap_err()
        .to_string();
    assert!(msg.contains("K = 4") && msg.contains("d = 3"), "{msg}");
    let mut bad = x.clone();
    bad[(2, 1)] = f64::NAN;
    let msg = Flow::fit(bad.as_ref(), &lab, &FlowConfig::default(), None)
        .unwrap_err()
        .to_string();
    assert!(msg.contains("row 2, column 1"), "{msg}");
    let cfg = FlowConfig {
        layers: 2,
        ..FlowConfig::default()
    };
    let flow = Flow::fit(x.as_ref(), &lab, &cfg, None).unwrap();
    assert!(flow.forward(Mat::<f64>::zeros(2, 4).as_ref(), 0).is_err());
    assert!(flow
        .require_domain("zzz")
        .unwrap_err()
        .to_string()
        .contains("a, b"));
}

#[test]
fn models_save_and_load_in_both_formats_and_bad_files_are_refused() {
    let g = three_gaussians(200, 20);
    let config = FlowConfig {
        layers: 3,
        k: Some(4),
        ..FlowConfig::default()
    };
    let flow = Flow::fit(g.train.as_ref(), &g.labels, &config, None).unwrap();
    let dir = std::env::temp_dir().join(format!("iaf-flow-persist-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (name, format) in [
        ("m.iaf", ModelFormat::Binary),
        ("m.json", ModelFormat::Json),
    ] {
        let path = dir.join(name);
        flow.save(&path, format).unwrap();
        let back = Flow::load(&path).unwrap();
        assert_eq!(back, flow, "{name}");
    }
    let bytes = std::fs::read(dir.join("m.iaf")).unwrap();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("truncated", bytes[..bytes.len() / 2].to_vec(), "truncated"),
        ("short", bytes[..10].to_vec(), "truncated"),
        (
            "corrupt",
            {
                let mut b = bytes.clone();
                let i = b.len() - 100;
                b[i] ^= 0x55;
                b
            },
            "checksum",
        ),
        (
            "version",
            {
                let mut b = bytes.clone();
                b[8] = 99;
                b
            },
            "version 99",
        ),
        ("garbage", b"hello world".to_vec(), "not an iaf model"),
    ];
    for (name, content, expect) in cases {
        let path = dir.join(format!("{name}.iaf"));
        std::fs::write(&path, content).unwrap();
        let msg = Flow::load(&path).unwrap_err().to_string();
        assert!(msg.contains(expect) && msg.contains(name), "{name}: {msg}");
    }
    let json = std::fs::read_to_string(dir.join("m.json")).unwrap();
    let path = dir.join("newer.json");
    let (ours, newer) = (FORMAT_VERSION, FORMAT_VERSION + 1);
    let bumped = json.replacen(
        &format!("\"version\":{ours}"),
        &format!("\"version\":{newer}"),
        1,
    );
    assert_ne!(bumped, json, "the JSON model holds its version");
    std::fs::write(&path, bumped).unwrap();
    let msg = Flow::load(&path).unwrap_err().to_string();
    assert!(msg.contains(&format!("version {newer}")), "{msg}");
    std::fs::remove_dir_all(&dir).unwrap();
}
