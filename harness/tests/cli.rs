//! The `iaf` binary end to end: the practitioner's workflow on CSV and NPY
//! files, and one clear error (right exit code, nothing written, existing
//! outputs untouched) for each kind of bad input.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A scratch folder removed at the end of the test.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("iaf-cli-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
    fn file(&self, name: &str, text: &str) -> PathBuf {
        let p = self.path(name);
        fs::write(&p, text).unwrap();
        p
    }
    fn arg(&self, name: &str) -> String {
        self.path(name).to_str().unwrap().to_string()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn iaf(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_iaf"))
        .args(args)
        .output()
        .expect("run iaf")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn assert_ok(out: &Output) {
    assert!(out.status.success(), "iaf failed: {}", stderr(out));
}

/// Asserts a failure with `code` and a one-line message holding every
/// string of `needles`.
fn assert_fails(out: &Output, code: i32, needles: &[&str]) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(code), "exit code; stderr: {err}");
    assert_eq!(err.trim().lines().count(), 1, "one-line message: {err}");
    assert!(!err.contains("panicked"), "{err}");
    for n in needles {
        assert!(err.contains(n), "message must mention {n:?}: {err}");
    }
}

/// Deterministic pseudo-random numbers in [0, 1) (a small LCG).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// A CSV of `per_domain` rows for each of `domains`, with three features
/// (shifted per domain), a passthrough `id` column and the label `site`.
fn labelled_csv(domains: &[&str], per_domain: usize) -> String {
    let mut rng = Lcg(7);
    let mut text = String::from("id,f1,site,f2,f3\n");
    for (c, name) in domains.iter().enumerate() {
        for i in 0..per_domain {
            let shift = c as f64;
            let (a, b, d) = (rng.next(), rng.next(), rng.next());
            text += &format!(
                "{name}-{i},{},{name},{},{}\n",
                a + shift,
                2.0 * b - shift,
                a * d + 0.5 * shift
            );
        }
    }
    text
}

const FAST: &[&str] = &["--layers", "3", "--max-iters", "15", "--quiet"];

/// Selects the numeric columns of [`labelled_csv`] (its `id` is text).
const FEATURES: &[&str] = &["--features", "f1,f2,f3"];

fn fit(data: &str, model: &str, extra: &[&str]) -> Output {
    let mut args = vec![
        "fit",
        "--data",
        data,
        "--label-column",
        "site",
        "--model",
        model,
    ];
    args.extend_from_slice(FAST);
    args.extend_from_slice(extra);
    if !extra.contains(&"--k") {
        args.extend_from_slice(&["--k", "2"]);
    }
    iaf(&args)
}

fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let text = fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap().split(',').map(String::from).collect();
    let rows = lines
        .map(|l| l.split(',').map(String::from).collect())
        .collect();
    (header, rows)
}

fn numeric_columns(rows: &[Vec<String>], cols: &[usize]) -> Vec<Vec<f64>> {
    rows.iter()
        .map(|r| cols.iter().map(|&c| r[c].parse().unwrap()).collect())
        .collect()
}

#[test]
fn fit_transform_inverse_translate_evaluate_info() {
    let s = Scratch::new("workflow");
    let data = s.file("data.csv", &labelled_csv(&["a", "b", "c"], 80));
    let (data, model) = (data.to_str().unwrap(), s.arg("model.iaf"));
    assert_ok(&fit(data, &model, FEATURES));

    let info = iaf(&["info", "--model", &model]);
    assert_ok(&info);
    let text = String::from_utf8_lossy(&info.stdout);
    for needle in ["a, b, c", "f1, f2, f3", "3"] {
        assert!(text.contains(needle), "info lacks {needle:?}: {text}");
    }

    let latent = s.arg("latent.csv");
    let common = ["--model", &model, "--label-column", "site"];
    let run = |cmd: &str, input: &str, out: &str, extra: &[&str]| {
        let mut args = vec![cmd, "--data", input, "--out", out];
        args.extend_from_slice(&common);
        args.extend_from_slice(extra);
        iaf(&args)
    };
    assert_ok(&run("transform", data, &latent, &[]));
    let back = s.arg("back.csv");
    assert_ok(&run("inverse", &latent, &back, &[]));

    let (h0, rows0) = read_csv(Path::new(data));
    let (h1, rows1) = read_csv(Path::new(&latent));
    let (h2, rows2) = read_csv(Path::new(&back));
    assert_eq!(h0, h1, "transform keeps the header");
    assert_eq!(h0, h2);
    assert_eq!(rows0.len(), rows2.len());
    for ((r0, r1), r2) in rows0.iter().zip(&rows1).zip(&rows2) {
        assert_eq!(
            (&r0[0], &r0[2]),
            (&r1[0], &r1[2]),
            "id and label kept in order"
        );
        assert_eq!((&r0[0], &r0[2]), (&r2[0], &r2[2]));
    }
    let (x0, z, x2) = (
        numeric_columns(&rows0, &[1, 3, 4]),
        numeric_columns(&rows1, &[1, 3, 4]),
        numeric_columns(&rows2, &[1, 3, 4]),
    );
    let err = x0
        .iter()
        .flatten()
        .zip(x2.iter().flatten())
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    assert!(err <= 1e-9, "round trip through CSV files: {err}");
    assert!(x0 != z, "transform changes the data");

    let translated = s.arg("as_b.csv");
    assert_ok(&run("translate", data, &translated, &["--to", "b"]));
    let (_, rows3) = read_csv(Path::new(&translated));
    assert!(
        rows3.iter().all(|r| r[2] == "b"),
        "translated rows carry the target label"
    );
    let t = numeric_columns(&rows3, &[1, 3, 4]);
    for ((orig, tr), row) in x0.iter().zip(&t).zip(&rows0) {
        if row[2] == "b" {
            for (u, v) in orig.iter().zip(tr) {
                assert!((u - v).abs() <= 1e-9, "b -> b is the identity: {u} vs {v}");
            }
        }
    }

    let eval = iaf(&[
        "evaluate",
        "--model",
        &model,
        "--data",
        data,
        "--label-column",
        "site",
        "--format",
        "json",
    ]);
    assert_ok(&eval);
    let json: serde_json::Value = serde_json::from_slice(&eval.stdout).unwrap();
    for key in [
        "latent_w2_sq",
        "sliced_w2_sq",
        "transport_cost",
        "confusion_accuracy",
        "roundtrip_max_abs_error",
    ] {
        let v = json[key]
            .as_f64()
            .unwrap_or_else(|| panic!("{key} in {json}"));
        assert!(v.is_finite() && v >= 0.0, "{key} = {v}");
    }
    assert_eq!(json["n"].as_u64(), Some(240));
    assert_eq!(json["k"].as_u64(), Some(3));
    assert!(json["roundtrip_max_abs_error"].as_f64().unwrap() <= 1e-9);
}

/// Writes a little-endian float64 NPY file of `n x d` row-major `values`.
fn write_npy(path: &Path, n: usize, d: usize, values: &[f64]) {
    let header = format!("{{'descr': '<f8', 'fortran_order': False, 'shape': ({n}, {d}), }}");
    let pad = (64 - (10 + header.len() + 1) % 64) % 64;
    let header = format!("{header}{}\n", " ".repeat(pad));
    let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
    bytes.extend_from_slice(&(header.len() as u16).to_le_bytes());
    bytes.extend_from_slice(header.as_bytes());
    for v in values {
        bytes.extend_from_slice(&v.to_le_bytes());
    }
    fs::write(path, bytes).unwrap();
}

#[test]
fn npy_input_with_a_labels_file() {
    let s = Scratch::new("npy");
    let (n, d) = (120usize, 3usize);
    let mut rng = Lcg(3);
    let values: Vec<f64> = (0..n * d)
        .map(|i| rng.next() + (i / d >= n / 2) as u8 as f64)
        .collect();
    let data = s.path("x.npy");
    write_npy(&data, n, d, &values);
    let labels: String = (0..n)
        .map(|i| if i < n / 2 { "left\n" } else { "right\n" })
        .collect();
    let labels = s.file("labels.txt", &labels);
    let (data, labels, model) = (
        data.to_str().unwrap(),
        labels.to_str().unwrap(),
        s.arg("m.iaf"),
    );
    let mut args = vec!["fit", "--data", data, "--labels", labels, "--model", &model];
    args.extend_from_slice(FAST);
    assert_ok(&iaf(&args));
    let z = s.arg("z.npy");
    let t = [
        "transform",
        "--model",
        &model,
        "--data",
        data,
        "--labels",
        labels,
        "--out",
        &z,
    ];
    assert_ok(&iaf(&t));
    assert!(fs::metadata(&z).unwrap().len() as usize >= n * d * 8);

    // The same matrix with one column too many.
    let wide_labels = labels;
    let wide = s.path("wide.npy");
    let counting: Vec<f64> = (0..n * (d + 1)).map(|i| i as f64).collect();
    write_npy(&wide, n, d + 1, &counting);
    let out = s.arg("never.npy");
    let args = [
        "transform",
        "--model",
        &model,
        "--data",
        wide.to_str().unwrap(),
        "--labels",
        wide_labels,
        "--out",
        &out,
    ];
    assert_fails(
        &iaf(&args),
        1,
        &["wide.npy", "4 feature columns", "fitted on 3"],
    );
    assert!(!Path::new(&out).exists());
}

/// Fit on `text` must fail with `code` and a message holding `needles`;
/// an existing model file stays as it was.
fn fit_fails(text: &str, extra: &[&str], code: i32, needles: &[&str]) {
    let s = Scratch::new("badfit");
    let data = s.file("input.csv", text);
    let model = s.file("model.iaf", "previous model");
    let out = fit(data.to_str().unwrap(), model.to_str().unwrap(), extra);
    assert_fails(&out, code, needles);
    assert_eq!(fs::read_to_string(&model).unwrap(), "previous model");
    let leftovers = fs::read_dir(&s.0).unwrap().count();
    assert_eq!(leftovers, 2, "no temp file left behind");
}

#[test]
fn bad_data_files_at_fit() {
    fit_fails("", &[], 1, &["input.csv", "empty file"]);
    fit_fails("f1,f2,site\n", &[], 1, &["input.csv", "no data rows"]);
    fit_fails(
        "f1,f2,site\n1,2,a\n3,b\n",
        &[],
        1,
        &["input.csv", "line 3", "2 fields"],
    );
    fit_fails(
        "f1,f2,site\n1,2,a\n3,x7,b\n",
        &[],
        1,
        &["line 3", "\"f2\"", "x7"],
    );
    fit_fails(
        "f1,f2,site\n1,2,a\nNaN,1,b\n",
        &[],
        1,
        &["line 3", "\"f1\"", "NaN"],
    );
    fit_fails(
        "f1,f2,site\n1,2,a\n1,-inf,b\n",
        &[],
        1,
        &["line 3", "\"f2\"", "inf"],
    );
    fit_fails(
        "f1,f2,group\n1,2,a\n1,3,b\n",
        &[],
        1,
        &["no label column named \"site\""],
    );
    let one_domain = labelled_csv(&["only"], 30);
    fit_fails(&one_domain, FEATURES, 1, &["input.csv", "only 1 domain"]);
    let mut tiny = labelled_csv(&["big"], 30);
    tiny += "x,1,small,2,3\n";
    fit_fails(&tiny, FEATURES, 1, &["input.csv", "\"small\"", "1 row"]);
    let fine = labelled_csv(&["a", "b"], 30);
    fit_fails(
        &fine,
        &["--features", "f1,f2,f3", "--k", "4"],
        2,
        &["K = 4", "d = 3"],
    );
    fit_fails(
        &fine,
        &["--features", "f1,nope"],
        1,
        &["no feature column named \"nope\""],
    );
}

#[test]
fn missing_paths() {
    let s = Scratch::new("paths");
    let missing = s.arg("nowhere.csv");
    let out = fit(&missing, &s.arg("m.iaf"), &[]);
    assert_fails(&out, 1, &["nowhere.csv"]);
    // The operating system's reason is given once, not repeated as a cause.
    assert_eq!(
        stderr(&out).matches("os error").count(),
        1,
        "{}",
        stderr(&out)
    );
    let model = s.arg("no-model.iaf");
    let out = iaf(&["info", "--model", &model]);
    assert_fails(&out, 1, &["no-model.iaf"]);
    assert_eq!(
        stderr(&out).matches("os error").count(),
        1,
        "{}",
        stderr(&out)
    );
    let data = s.file("d.csv", &labelled_csv(&["a", "b"], 30));
    let in_missing_dir = s.arg("no/such/dir/m.iaf");
    let out = fit(data.to_str().unwrap(), &in_missing_dir, FEATURES);
    assert_fails(&out, 1, &["no/such/dir", "does not exist"]);
    let out = iaf(&["fit", "--data", data.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "usage error: {}", stderr(&out));
}

#[test]
fn bad_models_and_labels_at_transform() {
    let s = Scratch::new("badmodel");
    let data = s.file("d.csv", &labelled_csv(&["a", "b"], 40));
    let data = data.to_str().unwrap();
    let model = s.arg("m.iaf");
    assert_ok(&fit(data, &model, FEATURES));
    let bytes = fs::read(&model).unwrap();
    let out = s.file("out.csv", "keep me");
    let out = out.to_str().unwrap();
    let transform = |model: &str, input: &str| {
        iaf(&[
            "transform",
            "--model",
            model,
            "--data",
            input,
            "--label-column",
            "site",
            "--out",
            out,
        ])
    };

    let truncated = s.path("truncated.iaf");
    fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    assert_fails(
        &transform(truncated.to_str().unwrap(), data),
        1,
        &["truncated.iaf"],
    );

    let mut flipped = bytes.clone();
    let mid = flipped.len() / 2;
    flipped[mid] ^= 0x5a;
    let corrupt = s.path("corrupt.iaf");
    fs::write(&corrupt, &flipped).unwrap();
    assert_fails(
        &transform(corrupt.to_str().unwrap(), data),
        1,
        &["corrupt.iaf"],
    );

    let garbage = s.file("garbage.iaf", "this is not a model at all");
    assert_fails(
        &transform(garbage.to_str().unwrap(), data),
        1,
        &["garbage.iaf"],
    );

    // The format version follows the 8-byte magic; bump it.
    let mut newer = bytes.clone();
    newer[8] = newer[8].wrapping_add(1);
    let version = s.path("version.iaf");
    fs::write(&version, &newer).unwrap();
    assert_fails(
        &transform(version.to_str().unwrap(), data),
        1,
        &["version.iaf", "version"],
    );

    let unknown = s.file("unknown.csv", "id,f1,site,f2,f3\nz,1,a,2,3\nq,1,zz,2,3\n");
    let unknown = unknown.to_str().unwrap();
    assert_fails(
        &transform(&model, unknown),
        1,
        &["unknown.csv", "row 2", "\"zz\""],
    );

    let narrow = s.file("narrow.csv", "id,f1,site,f2\nz,1,a,2\n");
    assert_fails(
        &transform(&model, narrow.to_str().unwrap()),
        1,
        &["narrow.csv", "no feature column named \"f3\""],
    );

    let translate = iaf(&[
        "translate",
        "--model",
        &model,
        "--data",
        data,
        "--label-column",
        "site",
        "--to",
        "nope",
        "--out",
        out,
    ]);
    assert_fails(&translate, 1, &["\"nope\""]);
    assert_eq!(
        fs::read_to_string(out).unwrap(),
        "keep me",
        "existing output untouched"
    );
}

#[test]
fn awkward_but_valid_data() {
    let s = Scratch::new("awkward");
    let mut text = String::from("f1,f2,f3,site\n");
    let mut rng = Lcg(11);
    for i in 0..200 {
        let site = ["a", "b"][i % 2];
        let tie = (rng.next() * 4.0).floor(); // heavy ties: four values
        let big = 1e300 * (1.0 + rng.next()) * if i % 2 == 0 { 1.0 } else { -0.5 };
        text += &format!("7.5,{tie},{big:e},{site}\n");
    }
    let data = s.file("awkward.csv", &text);
    let data = data.to_str().unwrap();
    let model = s.arg("m.iaf");
    assert_ok(&fit(data, &model, &[]));
    let (latent, back) = (s.arg("z.csv"), s.arg("x.csv"));
    let args = |cmd, input, out| {
        [
            cmd,
            "--model",
            &model,
            "--data",
            input,
            "--label-column",
            "site",
            "--out",
            out,
        ]
        .map(String::from)
    };
    assert_ok(&iaf(&args("transform", data, &latent)
        .each_ref()
        .map(|s| s.as_str())));
    assert_ok(&iaf(&args("inverse", &latent, &back)
        .each_ref()
        .map(|s| s.as_str())));
    let (_, z) = read_csv(Path::new(&latent));
    let (_, x0) = read_csv(Path::new(data));
    let (_, x2) = read_csv(Path::new(&back));
    let (z, x0, x2) = (
        numeric_columns(&z, &[0, 1, 2]),
        numeric_columns(&x0, &[0, 1, 2]),
        numeric_columns(&x2, &[0, 1, 2]),
    );
    assert!(z.iter().flatten().all(|v| v.is_finite()), "finite latent");
    for (a, b) in x0.iter().zip(&x2) {
        for (u, v) in a.iter().zip(b) {
            assert!(
                (u - v).abs() <= 1e-9 * u.abs().max(1.0),
                "round trip {u} -> {v}"
            );
        }
    }
}

#[test]
fn reproduce_toys_quick_writes_tables_and_figures() {
    let s = Scratch::new("reproduce");
    let out = s.arg("results");
    let run = iaf(&[
        "reproduce",
        "toys",
        "--quick",
        "--seeds",
        "1",
        "--quiet",
        "--out",
        &out,
    ]);
    assert_ok(&run);
    let (header, rows) = read_csv(&s.path("results/toys/convergence.csv"));
    assert_eq!(
        header,
        ["dataset", "method", "seed", "split", "layer", "w2"]
    );
    for method in [
        "identity",
        "nb",
        "gb",
        "rand-nb",
        "independent",
        "inb",
        "inb-gb",
    ] {
        for dataset in ["moons", "circles", "blobs4"] {
            assert!(
                rows.iter().any(|r| r[0] == dataset && r[1] == method),
                "{dataset} {method} missing"
            );
        }
    }
    // INB lowers the latent W2 of the moons' training split.
    let w2 = |layer: &str| -> f64 {
        let row = rows
            .iter()
            .find(|r| r[0] == "moons" && r[1] == "inb" && r[3] == "train" && r[4] == layer)
            .unwrap();
        row[5].parse().unwrap()
    };
    assert!(w2("10") < 0.1 * w2("0"), "{} vs {}", w2("10"), w2("0"));
    let svg = fs::read_to_string(s.path("results/toys/convergence_moons_test.svg")).unwrap();
    assert!(svg.contains("<svg") && svg.contains("inb"));
    assert!(s.path("results/toys/meta.json").is_file());

    let missing = iaf(&[
        "reproduce",
        "mnist",
        "--quick",
        "--out",
        &out,
        "--data-dir",
        &s.arg("none"),
    ]);
    assert_fails(&missing, 1, &["scripts/fetch_datasets.sh"]);
}

/// `iaf bench fit --quick --format csv`: one header and one row with the
/// same columns, one layer of 200 iterations, the first objective in
/// range, and positive speeds for the product and its register ceiling.
#[test]
fn bench_fit_csv_has_one_row_of_its_columns() {
    let out = iaf(&[
        "bench",
        "fit",
        "--quick",
        "--threads",
        "1",
        "--format",
        "csv",
    ]);
    assert_ok(&out);
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    let header: Vec<&str> = lines[0].split(',').collect();
    let row: Vec<&str> = lines[1].split(',').collect();
    assert_eq!(header.len(), row.len(), "{text}");
    let value = |name: &str| -> f64 {
        let i = header
            .iter()
            .position(|h| *h == name)
            .unwrap_or_else(|| panic!("no column {name}"));
        row[i]
            .parse()
            .unwrap_or_else(|e| panic!("{name} = {}: {e}", row[i]))
    };
    assert_eq!(value("layers"), 1.0);
    assert_eq!(value("iterations_per_layer"), 200.0);
    assert!(value("first_objective") > 0.0 && value("first_objective") < 10.0);
    for name in [
        "product_gelem_per_s_before",
        "product_gelem_per_s_after",
        "register_peak_gmac_per_s",
    ] {
        assert!(value(name) > 0.0, "{name} in {text}");
    }
}
