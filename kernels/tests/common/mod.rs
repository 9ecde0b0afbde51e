//! Input generators shared by the kernel tests: random and adversarial
//! vectors (NaN of both signs, infinities, signed zeros, subnormals,
//! duplicates, sorted, reversed, organ-pipe, all-equal).
#![allow(dead_code)]

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A seeded generator for reproducible tests.
pub fn rng(seed: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed)
}

/// Special values every adversarial input mixes in.
pub fn specials() -> Vec<f64> {
    vec![
        f64::NAN,
        -f64::NAN,
        f64::from_bits(0x7ff0_0000_0000_0001), // signalling-style NaN payload
        f64::from_bits(0xfff8_dead_beef_0000), // negative NaN with payload
        f64::INFINITY,
        f64::NEG_INFINITY,
        0.0,
        -0.0,
        f64::MIN_POSITIVE / 8.0,
        -f64::MIN_POSITIVE / 8.0,
        f64::MIN_POSITIVE,
        f64::MAX,
        f64::MIN,
        1.0,
        -1.0,
    ]
}

/// The named input shapes, each of length `n`.
pub fn shapes(n: usize, seed: u64) -> Vec<(&'static str, Vec<f64>)> {
    let mut r = rng(seed);
    let random: Vec<f64> = (0..n).map(|_| r.random::<f64>() * 2.0 - 1.0).collect();
    let mut sorted = random.clone();
    sorted.sort_by(f64::total_cmp);
    let reversed: Vec<f64> = sorted.iter().rev().copied().collect();
    let organ: Vec<f64> = (0..n).map(|i| i.min(n - 1 - i) as f64).collect();
    let dups: Vec<f64> = (0..n).map(|_| r.random_range(0..4) as f64 - 1.5).collect();
    let sp = specials();
    let special: Vec<f64> = (0..n)
        .map(|i| {
            if r.random_bool(0.5) {
                sp[i % sp.len()]
            } else {
                r.random::<f64>() - 0.5
            }
        })
        .collect();
    let zeros: Vec<f64> = (0..n)
        .map(|i| if i % 2 == 0 { 0.0 } else { -0.0 })
        .collect();
    vec![
        ("random", random),
        ("sorted", sorted),
        ("reversed", reversed),
        ("organ-pipe", organ),
        ("duplicates", dups),
        ("specials", special),
        ("signed-zeros", zeros),
        ("all-equal", vec![0.25; n]),
    ]
}
