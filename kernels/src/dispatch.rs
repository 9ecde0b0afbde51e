//! Runtime CPU dispatch shared by every kernel.
//!
//! Each kernel has up to four implementations: AVX-512, AVX2, a portable
//! SIMD path on the `wide` crate, and a plain scalar reference. The best one
//! the CPU supports is chosen once, at first use. The environment variable
//! `IAF_SIMD=scalar|portable|avx2|avx512` forces a level; a level the CPU
//! lacks falls back to the best available one below it, with a warning on
//! stderr, never a crash.
//!
//! Kernels expose `*_with(level, ...)` entry points so tests and benchmarks
//! can run every path on one machine, whatever `IAF_SIMD` says.
//!
//! ```
//! use kernels::dispatch::{active, available, SimdLevel};
//! assert!(available().contains(&SimdLevel::Scalar));
//! assert!(available().contains(&active()));
//! ```

use std::fmt;
use std::sync::OnceLock;

/// A vectorisation level, ordered from the plainest to the widest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SimdLevel {
    /// Plain scalar Rust: the reference every fast path is tested against.
    Scalar,
    /// Portable SIMD through the `wide` crate (any target).
    Portable,
    /// x86-64 AVX2 + FMA.
    Avx2,
    /// x86-64 AVX-512 F, BW, DQ and VL (plus AVX2 + FMA).
    Avx512,
}

impl SimdLevel {
    /// All levels, plainest first.
    pub const ALL: [SimdLevel; 4] = [
        SimdLevel::Scalar,
        SimdLevel::Portable,
        SimdLevel::Avx2,
        SimdLevel::Avx512,
    ];

    /// The name used by `IAF_SIMD` and in reports.
    pub fn name(self) -> &'static str {
        match self {
            SimdLevel::Scalar => "scalar",
            SimdLevel::Portable => "portable",
            SimdLevel::Avx2 => "avx2",
            SimdLevel::Avx512 => "avx512",
        }
    }

    /// Parses a level name as written in `IAF_SIMD` (case-insensitive).
    pub fn parse(name: &str) -> Option<SimdLevel> {
        SimdLevel::ALL
            .into_iter()
            .find(|l| l.name().eq_ignore_ascii_case(name.trim()))
    }

    /// Whether this CPU can run the level.
    pub fn is_available(self) -> bool {
        match self {
            SimdLevel::Scalar | SimdLevel::Portable => true,
            SimdLevel::Avx2 => has_avx2(),
            SimdLevel::Avx512 => has_avx512(),
        }
    }

    /// This level if available, otherwise the best available level below it.
    pub fn or_best_below(self) -> SimdLevel {
        SimdLevel::ALL
            .into_iter()
            .rev()
            .find(|l| *l <= self && l.is_available())
            .unwrap_or(SimdLevel::Scalar)
    }
}

impl fmt::Display for SimdLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(target_arch = "x86_64")]
fn has_avx2() -> bool {
    std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
}

#[cfg(not(target_arch = "x86_64"))]
fn has_avx2() -> bool {
    false
}

#[cfg(target_arch = "x86_64")]
fn has_avx512() -> bool {
    has_avx2()
        && std::arch::is_x86_feature_detected!("avx512f")
        && std::arch::is_x86_feature_detected!("avx512bw")
        && std::arch::is_x86_feature_detected!("avx512dq")
        && std::arch::is_x86_feature_detected!("avx512vl")
}

#[cfg(not(target_arch = "x86_64"))]
fn has_avx512() -> bool {
    false
}

/// The best level this CPU supports, ignoring `IAF_SIMD`.
pub fn detected() -> SimdLevel {
    SimdLevel::Avx512.or_best_below()
}

/// Every level this CPU can run, plainest first.
pub fn available() -> Vec<SimdLevel> {
    SimdLevel::ALL
        .into_iter()
        .filter(|l| l.is_available())
        .collect()
}

/// Resolves a requested level name (the value of `IAF_SIMD`) to a level
/// this CPU can run, with a warning for an unknown or unavailable request.
fn resolve(request: Option<&str>) -> (SimdLevel, Option<String>) {
    let Some(raw) = request.filter(|s| !s.trim().is_empty()) else {
        return (detected(), None);
    };
    match SimdLevel::parse(raw) {
        None => (
            detected(),
            Some(format!(
                "iaf: IAF_SIMD={raw:?} is not one of scalar|portable|avx2|avx512; using {}",
                detected()
            )),
        ),
        Some(level) if level.is_available() => (level, None),
        Some(level) => {
            let fallback = level.or_best_below();
            (
                fallback,
                Some(format!(
                    "iaf: IAF_SIMD={level} is not supported by this CPU; using {fallback}"
                )),
            )
        }
    }
}

/// The level every kernel's default entry point uses: `IAF_SIMD` if set and
/// runnable, else the best detected level. Resolved once per process.
pub fn active() -> SimdLevel {
    static ACTIVE: OnceLock<SimdLevel> = OnceLock::new();
    *ACTIVE.get_or_init(|| {
        let request = std::env::var("IAF_SIMD").ok();
        let (level, warning) = resolve(request.as_deref());
        if let Some(w) = warning {
            eprintln!("{w}");
        }
        level
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_round_trips_every_name() {
        for l in SimdLevel::ALL {
            assert_eq!(SimdLevel::parse(l.name()), Some(l));
            assert_eq!(SimdLevel::parse(&l.name().to_uppercase()), Some(l));
        }
        assert_eq!(SimdLevel::parse("sse9"), None);
    }

    #[test]
    fn resolve_falls_back_with_a_warning() {
        assert_eq!(resolve(None), (detected(), None));
        assert_eq!(resolve(Some("scalar")), (SimdLevel::Scalar, None));
        let (level, warning) = resolve(Some("bogus"));
        assert_eq!(level, detected());
        assert!(warning.unwrap().contains("bogus"));
        let (level, warning) = resolve(Some("avx512"));
        assert!(level.is_available());
        assert_eq!(warning.is_some(), !SimdLevel::Avx512.is_available());
    }

    #[test]
    fn fallback_never_exceeds_request() {
        for l in SimdLevel::ALL {
            let f = l.or_best_below();
            assert!(f <= l && f.is_available());
        }
    }
}
