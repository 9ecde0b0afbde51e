//! Reading and writing labelled CSV/NPY files: round trips and the error
//! message for each kind of bad input.

use faer::Mat;
use harness::io::{read_labelled, write_labelled, DataError, ReadOptions};
use std::fs;
use std::path::PathBuf;

struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("iaf-io-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
    fn file(&self, name: &str, text: &str) -> PathBuf {
        let p = self.0.join(name);
        fs::write(&p, text).unwrap();
        p
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn csv_options(label: &str) -> ReadOptions {
    ReadOptions {
        label_column: Some(label.into()),
        ..Default::default()
    }
}

fn csv_error(text: &str, label: &str) -> String {
    let s = Scratch::new("err");
    let p = s.file("bad.csv", text);
    let err = read_labelled(&p, &csv_options(label)).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("bad.csv"), "message must name the file: {msg}");
    msg
}

#[test]
fn each_bad_csv_gets_a_message_naming_the_problem() {
    assert!(csv_error("", "y").contains("empty file"));
    assert!(csv_error("a,b,y\n", "y").contains("no data rows"));
    let ragged = csv_error("a,b,y\n1,2,p\n1,q\n", "y");
    assert!(
        ragged.contains("line 3") && ragged.contains("2 fields"),
        "{ragged}"
    );
    let text = csv_error("a,b,y\n1,2,p\n1,zz,q\n", "y");
    assert!(
        text.contains("line 3") && text.contains("\"b\"") && text.contains("zz"),
        "{text}"
    );
    let nan = csv_error("a,b,y\n1,NaN,p\n", "y");
    assert!(nan.contains("line 2") && nan.contains("finite"), "{nan}");
    let inf = csv_error("a,b,y\n1,2,p\ninf,2,q\n", "y");
    assert!(inf.contains("line 3") && inf.contains("\"a\""), "{inf}");
    let missing = csv_error("a,b,y\n1,2,p\n", "batch");
    assert!(
        missing.contains("\"batch\"") && missing.contains("a, b, y"),
        "{missing}"
    );
    let empty_label = csv_error("a,y\n1,\n", "y");
    assert!(empty_label.contains("empty label"), "{empty_label}");
}

#[test]
fn missing_file_and_unknown_extension_are_errors() {
    let s = Scratch::new("missing");
    let err = read_labelled(&s.0.join("nope.csv"), &csv_options("y")).unwrap_err();
    assert!(matches!(err, DataError::Io { .. }));
    assert!(err.to_string().contains("nope.csv"));
    let p = s.file("data.txt", "a,y\n1,p\n");
    assert!(read_labelled(&p, &csv_options("y"))
        .unwrap_err()
        .to_string()
        .contains(".csv or .npy"));
}

#[test]
fn csv_round_trip_keeps_header_order_labels_and_passthrough_bit_exactly() {
    let s = Scratch::new("rt");
    let text = "id,a,site,b\nr1,0.1,x,-0.0\nr2,1e300,y,2.5e-310\nr3,-7,x,123456789.125\n";
    let p = s.file("in.csv", text);
    let options = ReadOptions {
        label_column: Some("site".into()),
        features: Some(vec!["b".into(), "a".into()]),
        ..Default::default()
    };
    let data = read_labelled(&p, &options).unwrap();
    assert_eq!(data.feature_names, ["b", "a"]);
    assert_eq!(data.x[(1, 1)], 1e300);
    assert_eq!(data.x[(0, 0)].to_bits(), (-0.0f64).to_bits());
    let out = s.0.join("out.csv");
    write_labelled(&out, &data, data.x.as_ref(), &data.labels).unwrap();
    let back = read_labelled(&out, &options).unwrap();
    assert_eq!(back.labels, data.labels);
    for i in 0..3 {
        for j in 0..2 {
            assert_eq!(back.x[(i, j)].to_bits(), data.x[(i, j)].to_bits());
        }
    }
    let written = fs::read_to_string(&out).unwrap();
    assert!(written.starts_with("id,a,site,b\nr1,"), "{written}");
}

#[test]
fn npy_round_trip_and_label_count_check() {
    let s = Scratch::new("npy");
    let x = Mat::from_fn(4, 3, |i, j| (i * 3 + j) as f64 * 0.5 - 1.0);
    let csv = s.file("in.csv", "a,b,c,y\n0,0,0,p\n0,0,0,p\n0,0,0,q\n0,0,0,q\n");
    let like = read_labelled(&csv, &csv_options("y")).unwrap();
    let npy = s.0.join("x.npy");
    write_labelled(&npy, &like, x.as_ref(), &like.labels).unwrap();
    let labels = s.file("labels.txt", "p\np\nq\nq\n");
    let options = ReadOptions {
        labels_file: Some(labels),
        ..Default::default()
    };
    let back = read_labelled(&npy, &options).unwrap();
    assert_eq!(back.x, x);
    assert_eq!(back.labels, ["p", "p", "q", "q"]);
    let short = s.file("short.txt", "p\nq\n");
    let options = ReadOptions {
        labels_file: Some(short),
        ..Default::default()
    };
    let msg = read_labelled(&npy, &options).unwrap_err().to_string();
    assert!(msg.contains("2 labels for the 4 rows"), "{msg}");
    let truncated = s.0.join("trunc.npy");
    let bytes = fs::read(&npy).unwrap();
    fs::write(&truncated, &bytes[..bytes.len() - 5]).unwrap();
    let msg = read_labelled(&truncated, &options).unwrap_err().to_string();
    assert!(msg.contains("trunc.npy"), "{msg}");
}
