//! MNIST-style image data sets (MNIST, Fashion-MNIST) from IDX files.

use std::path::{Path, PathBuf};

use faer::Mat;

use super::idx::{read_idx_images, read_idx_labels};
use super::{DataError, Dataset};

/// Class names of Fashion-MNIST, by label.
pub const FASHION_CLASSES: [&str; 10] = [
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
];

/// A train/test pair of image data sets; rows are flattened images with
/// pixel values scaled to [0, 1], domains are the classes.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageData {
    /// Training split.
    pub train: Dataset,
    /// Test split.
    pub test: Dataset,
    /// Image height in pixels.
    pub rows: usize,
    /// Image width in pixels.
    pub cols: usize,
}

/// The `[images, labels]` files of the train and test splits of
/// `dir/name` (see [`load_mnist_like`] for the names accepted), without
/// reading them.
///
/// # Errors
/// [`DataError::Missing`] naming the first absent file.
pub fn mnist_like_files(dir: &Path, name: &str) -> Result<[[PathBuf; 2]; 2], DataError> {
    let base = dir.join(name);
    let find = |stem: &str, kind: &str| -> Result<PathBuf, DataError> {
        let candidates = [
            base.join(format!("{stem}-{kind}-ubyte")),
            base.join(format!("{stem}.{kind}-ubyte")),
        ];
        candidates
            .iter()
            .find(|p| p.is_file())
            .cloned()
            .ok_or_else(|| DataError::Missing {
                name: name.to_string(),
                missing: candidates[0].clone(),
            })
    };
    let split = |prefix: &str| -> Result<[PathBuf; 2], DataError> {
        Ok([
            find(&format!("{prefix}-images"), "idx3")?,
            find(&format!("{prefix}-labels"), "idx1")?,
        ])
    };
    Ok([split("train")?, split("t10k")?])
}

/// Loads `dir/name/{train-images-idx3-ubyte, train-labels-idx1-ubyte,
/// t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte}` (the dotted variants
/// `train-images.idx3-ubyte` etc. are accepted too), e.g.
/// `load_mnist_like("datasets", "mnist")` after running
/// `scripts/fetch_datasets.sh`. Pixels are divided by 255. Domains are the
/// classes: digit names, or the Fashion-MNIST class names when `name`
/// contains "fashion".
///
/// # Errors
/// [`DataError::Missing`] (pointing at `scripts/fetch_datasets.sh`) when a
/// file is absent; IDX format errors naming the file; images and labels of
/// different counts or train and test images of different shapes.
///
/// # Example
/// ```
/// use harness::data::{load_mnist_like, DataError};
/// let err = load_mnist_like("no/such/dir".as_ref(), "mnist").unwrap_err();
/// assert!(matches!(err, DataError::Missing { .. }));
/// assert!(err.to_string().contains("scripts/fetch_datasets.sh"));
/// ```
pub fn load_mnist_like(dir: &Path, name: &str) -> Result<ImageData, DataError> {
    let mut splits = Vec::with_capacity(2);
    let mut shape = None;
    for [images_path, labels_path] in mnist_like_files(dir, name)? {
        let images = read_idx_images(&images_path)?;
        let labels = read_idx_labels(&labels_path)?;
        if labels.len() != images.n {
            return Err(DataError::CountMismatch {
                images: images_path,
                n_images: images.n,
                labels: labels_path,
                n_labels: labels.len(),
            });
        }
        if *shape.get_or_insert((images.rows, images.cols)) != (images.rows, images.cols) {
            return Err(DataError::InvalidParameter {
                name: "images",
                reason: format!(
                    "{} has a different image size than the training images",
                    images_path.display()
                ),
            });
        }
        splits.push((images, labels));
    }
    let n_classes = splits
        .iter()
        .flat_map(|(_, l)| l.iter())
        .map(|&l| l as usize + 1)
        .max()
        .unwrap_or(0);
    let names = class_names(name, n_classes);
    let mut datasets = splits.into_iter().map(|(images, labels)| {
        let dim = images.rows * images.cols;
        let x = Mat::from_fn(images.n, dim, |i, j| {
            f64::from(images.pixels[i * dim + j]) / 255.0
        });
        Dataset::new(
            x,
            labels.iter().map(|&l| l as usize).collect(),
            names.clone(),
        )
    });
    let (rows, cols) = shape.unwrap_or((0, 0));
    let train = datasets.next().expect("two splits were read")?;
    let test = datasets.next().expect("two splits were read")?;
    Ok(ImageData {
        train,
        test,
        rows,
        cols,
    })
}

fn class_names(name: &str, n_classes: usize) -> Vec<String> {
    if name.to_ascii_lowercase().contains("fashion") && n_classes <= FASHION_CLASSES.len() {
        FASHION_CLASSES[..n_classes]
            .iter()
            .map(|s| s.to_string())
            .collect()
    } else {
        (0..n_classes).map(|c| c.to_string()).collect()
    }
}
