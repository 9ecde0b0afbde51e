//! Data sets: seeded synthetic generators, stratified splits and loaders
//! for MNIST-style IDX files.
//!
//! A [`Dataset`] holds points (one per row) with a domain label each; the
//! domains are what the flow aligns.
//!
//! # Example
//! ```
//! use harness::data::{blobs4, train_test_split};
//! let ds = blobs4(50, 42).unwrap();
//! let (train, test) = train_test_split(&ds, 0.2, 0).unwrap();
//! assert_eq!(train.len() + test.len(), 200);
//! assert_eq!(test.domain_counts(), vec![10; 4]);
//! ```

mod dataset;
mod error;
mod idx;
mod mnist;
mod split;
mod synthetic;

pub use dataset::Dataset;
pub use error::DataError;
pub use idx::{read_idx_images, read_idx_labels, IdxImages, IMAGES_MAGIC, LABELS_MAGIC};
pub use mnist::{load_mnist_like, mnist_like_files, ImageData, FASHION_CLASSES};
pub use split::train_test_split;
pub use synthetic::{blobs4, circles, gaussians, two_moons};
