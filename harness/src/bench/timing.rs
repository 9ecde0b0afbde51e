//! Median wall-clock timing of repeated runs.

use std::time::Instant;

/// Runs `f` once to warm up, then `reps` times, and returns the median
/// duration in seconds. `setup` runs before every timed call, untimed, and
/// hands `f` its input (so in-place kernels see fresh data each time).
pub fn median_seconds<S, T, F>(reps: usize, mut setup: S, mut f: F) -> f64
where
    S: FnMut() -> T,
    F: FnMut(T),
{
    f(setup());
    let mut times: Vec<f64> = (0..reps.max(1))
        .map(|_| {
            let input = setup();
            let start = Instant::now();
            f(input);
            start.elapsed().as_secs_f64()
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_runs_setup_and_body_reps_plus_one_times() {
        let mut setups = 0;
        let mut calls = 0;
        let t = median_seconds(
            4,
            || {
                setups += 1;
                setups
            },
            |_| calls += 1,
        );
        assert_eq!((setups, calls), (5, 5));
        assert!(t >= 0.0);
    }
}
