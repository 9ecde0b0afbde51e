//! Reading and writing labelled data files for the command line: CSV with a
//! header and a label column, or NPY matrices with a separate labels file.
//! Every problem is reported with the file, line and column it concerns;
//! outputs are written atomically.

mod atomic;
mod csv_table;
mod error;
mod labelled;
mod npy;

pub use atomic::write_atomic;
pub use error::DataError;
pub use labelled::{read_labelled, write_labelled, LabelledData, Layout, ReadOptions};
pub use npy::write as write_npy;
