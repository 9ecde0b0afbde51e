//! Wall-clock timing of repeated runs: the median (typical speed) or the
//! fastest run (what the machine can do at best).

use std::time::Instant;

/// Runs `f` once to warm up, then `reps` times (at least once), and
/// returns the timed runs' durations in seconds. `setup` runs before every
/// call, untimed, and hands `f` its input.
fn timed_runs<S, T, F>(reps: usize, mut setup: S, mut f: F) -> Vec<f64>
where
    S: FnMut() -> T,
    F: FnMut(T),
{
    f(setup());
    (0..reps.max(1))
        .map(|_| {
            let input = setup();
            let start = Instant::now();
            f(input);
            start.elapsed().as_secs_f64()
        })
        .collect()
}

/// Runs `f` once to warm up, then `reps` times, and returns the median
/// duration in seconds. `setup` runs before every timed call, untimed, and
/// hands `f` its input (so in-place kernels see fresh data each time).
pub fn median_seconds<S, T, F>(reps: usize, setup: S, f: F) -> f64
where
    S: FnMut() -> T,
    F: FnMut(T),
{
    let mut times = timed_runs(reps, setup, f);
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

/// Runs `f` once to warm up, then `reps` times, and returns the shortest
/// duration in seconds.
pub fn fastest_seconds(reps: usize, mut f: impl FnMut()) -> f64 {
    timed_runs(reps, || (), |()| f())
        .into_iter()
        .fold(f64::INFINITY, f64::min)
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

    /// The fastest of the runs: a body that sleeps less on each call takes
    /// the last run's time, and runs the warm-up plus `reps` times.
    #[test]
    fn fastest_is_the_shortest_run() {
        let mut calls = 0u64;
        let t = fastest_seconds(3, || {
            calls += 1;
            std::thread::sleep(std::time::Duration::from_millis(80 - 20 * calls));
        });
        assert_eq!(calls, 4);
        // The other timed runs sleep 20 and 40 ms.
        assert!((0.0..0.015).contains(&t), "{t}");
    }
}
