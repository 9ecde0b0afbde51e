//! Stratified train/test splits.

use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::{DataError, Dataset};

/// Splits every domain separately: its indices are shuffled by a ChaCha8
/// generator seeded with `seed` and the first round(n_c * test_fraction) go
/// to the test set. Both parts keep the original row order.
///
/// # Errors
/// `test_fraction` outside [0, 1].
///
/// # Example
/// ```
/// use harness::data::{train_test_split, two_moons};
/// let ds = two_moons(100, 0.1, 0).unwrap();
/// let (train, test) = train_test_split(&ds, 0.25, 1).unwrap();
/// assert_eq!(train.domain_counts(), vec![75, 75]);
/// assert_eq!(test.domain_counts(), vec![25, 25]);
/// ```
pub fn train_test_split(
    data: &Dataset,
    test_fraction: f64,
    seed: u64,
) -> Result<(Dataset, Dataset), DataError> {
    if !(0.0..=1.0).contains(&test_fraction) {
        return Err(DataError::InvalidParameter {
            name: "test_fraction",
            reason: format!("must be in [0, 1], got {test_fraction}"),
        });
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut is_test = vec![false; data.len()];
    for c in 0..data.n_domains() {
        let mut members = data.indices_of(c);
        members.shuffle(&mut rng);
        let n_test = (members.len() as f64 * test_fraction).round() as usize;
        for &i in &members[..n_test] {
            is_test[i] = true;
        }
    }
    let (test, train): (Vec<usize>, Vec<usize>) = (0..data.len()).partition(|&i| is_test[i]);
    Ok((data.subset(&train), data.subset(&test)))
}
