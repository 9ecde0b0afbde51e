//! Reader for the IDX format of MNIST-style files (uncompressed).
//!
//! An IDX file is a big-endian header `0x00 0x00 <type> <ndims>`, then
//! `ndims` u32 dimensions, then the data. Images are type 0x08 (u8) with
//! three dimensions (magic 0x00000803), labels type 0x08 with one dimension
//! (magic 0x00000801).
//!
//! # Example
//! ```
//! use harness::data::read_idx_labels;
//! let path = std::env::temp_dir().join("harness_idx_doc_labels");
//! std::fs::write(&path, [0, 0, 8, 1, 0, 0, 0, 3, 7, 2, 1]).unwrap();
//! assert_eq!(read_idx_labels(&path).unwrap(), vec![7, 2, 1]);
//! std::fs::remove_file(&path).unwrap();
//! ```

use std::path::Path;

use super::DataError;

/// Magic number of a u8 image file with three dimensions.
pub const IMAGES_MAGIC: u32 = 0x0000_0803;
/// Magic number of a u8 label file with one dimension.
pub const LABELS_MAGIC: u32 = 0x0000_0801;

/// Images read from an IDX file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdxImages {
    /// Number of images.
    pub n: usize,
    /// Rows per image.
    pub rows: usize,
    /// Columns per image.
    pub cols: usize,
    /// `n * rows * cols` pixels, image after image, row-major within an image.
    pub pixels: Vec<u8>,
}

/// Reads an IDX image file (magic 0x00000803).
///
/// # Errors
/// The file cannot be read, has the wrong magic number (a gzip-compressed
/// file gets a hint to decompress it), or is truncated / has trailing bytes.
/// Every error names the file.
pub fn read_idx_images(path: &Path) -> Result<IdxImages, DataError> {
    let (dims, data) = read_idx(path, IMAGES_MAGIC, "images")?;
    Ok(IdxImages {
        n: dims[0],
        rows: dims[1],
        cols: dims[2],
        pixels: data,
    })
}

/// Reads an IDX label file (magic 0x00000801).
///
/// # Errors
/// As [`read_idx_images`].
pub fn read_idx_labels(path: &Path) -> Result<Vec<u8>, DataError> {
    Ok(read_idx(path, LABELS_MAGIC, "labels")?.1)
}

/// Reads a whole IDX file with the given magic; returns its dimensions and data.
fn read_idx(
    path: &Path,
    magic: u32,
    kind: &'static str,
) -> Result<(Vec<usize>, Vec<u8>), DataError> {
    let bytes = std::fs::read(path).map_err(|error| DataError::Io {
        path: path.to_path_buf(),
        error,
    })?;
    let truncated = |expected: u64| DataError::Truncated {
        path: path.to_path_buf(),
        expected,
        found: bytes.len() as u64,
    };
    let word = |at: usize| -> Option<u32> {
        bytes
            .get(at..at + 4)
            .map(|w| u32::from_be_bytes([w[0], w[1], w[2], w[3]]))
    };
    let found = word(0).ok_or_else(|| truncated(4))?;
    if found != magic {
        let hint = if bytes.starts_with(&[0x1f, 0x8b]) {
            " (the file is gzip-compressed: decompress it with gunzip first)"
        } else {
            ""
        };
        return Err(DataError::BadMagic {
            path: path.to_path_buf(),
            kind,
            found,
            expected: magic,
            hint,
        });
    }
    let ndims = (magic & 0xff) as usize;
    let header = 4 + 4 * ndims;
    let dims: Vec<usize> = (0..ndims)
        .map(|k| word(4 + 4 * k).map(|v| v as usize))
        .collect::<Option<_>>()
        .ok_or_else(|| truncated(header as u64))?;
    let expected = header as u64 + dims.iter().map(|&v| v as u64).product::<u64>();
    if bytes.len() as u64 != expected {
        return Err(truncated(expected));
    }
    Ok((dims, bytes[header..].to_vec()))
}
