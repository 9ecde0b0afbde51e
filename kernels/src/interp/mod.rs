//! Monotone piecewise-linear (PL) maps: evaluation with a chosen
//! out-of-range rule, exact inverse for strictly increasing maps, derivative
//! (for log-det Jacobians), and batched evaluation of unsorted queries (a
//! branchless search run on blocks of queries in lockstep, compiled for each
//! SIMD level) and of sorted queries (one merge walk).
//!
//! Every path evaluates `y = ys[i] + (x - xs[i]) * slope[i]` on the segment
//! `i` found for `x`, so all paths agree bit for bit.
//!
//! ```
//! use kernels::interp::{MonotonePl, OutOfRange};
//! let f = MonotonePl::new_strict(vec![0.0, 1.0, 3.0], vec![0.0, 2.0, 3.0]).unwrap();
//! assert_eq!(f.eval(0.5, OutOfRange::Clamp), 1.0);
//! assert_eq!(f.eval(-1.0, OutOfRange::Clamp), 0.0);
//! assert_eq!(f.eval(-1.0, OutOfRange::Linear), -2.0);
//! assert_eq!(f.inverse(2.5, OutOfRange::Linear), 2.0);
//! assert_eq!(f.derivative(2.0, OutOfRange::Linear), 0.5);
//! let mut out = [0.0; 3];
//! f.eval_batch(&[3.0, 0.0, 5.0], &mut out, OutOfRange::Linear);
//! assert_eq!(out, [3.0, 0.0, 4.0]);
//! ```

mod batch;
mod error;
mod lanes;
mod sorted;
mod tree;

pub use error::InterpError;

use lanes::Table;

use crate::dispatch::{active, SimdLevel};
use serde::{Deserialize, Serialize};

/// What evaluation does outside the knot range.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum OutOfRange {
    /// Hold the end values (derivative 0 outside).
    Clamp,
    /// Extend the end segments linearly.
    Linear,
}

/// The stored form of a map: its knots. Deserialisation validates them.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Knots {
    xs: Vec<f64>,
    ys: Vec<f64>,
}

/// A monotone piecewise-linear function through knots `(xs[i], ys[i])`, `xs`
/// strictly increasing, `ys` non-decreasing, all finite, at least 2 knots.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "Knots", into = "Knots")]
pub struct MonotonePl {
    xs: Vec<f64>,
    ys: Vec<f64>,
    /// `slope[i]` of segment `i` (length: knots - 1).
    slope: Vec<f64>,
    /// `1 / slope[i]`, for the inverse (infinite on flat segments).
    inv_slope: Vec<f64>,
    strict: bool,
}

impl From<MonotonePl> for Knots {
    fn from(f: MonotonePl) -> Knots {
        Knots { xs: f.xs, ys: f.ys }
    }
}

impl TryFrom<Knots> for MonotonePl {
    type Error = InterpError;
    fn try_from(k: Knots) -> Result<Self, InterpError> {
        MonotonePl::new(k.xs, k.ys)
    }
}

impl MonotonePl {
    /// A monotone map: `xs` strictly increasing, `ys` non-decreasing, all
    /// finite, equal lengths, at least 2 knots.
    pub fn new(xs: Vec<f64>, ys: Vec<f64>) -> Result<Self, InterpError> {
        if xs.len() != ys.len() {
            return Err(InterpError::LengthMismatch {
                xs: xs.len(),
                ys: ys.len(),
            });
        }
        if xs.len() < 2 {
            return Err(InterpError::TooFewKnots(xs.len()));
        }
        if let Some(i) = xs.iter().chain(&ys).position(|v| !v.is_finite()) {
            return Err(InterpError::NonFinite(i % xs.len()));
        }
        if let Some(i) = xs.windows(2).position(|w| w[0] >= w[1]) {
            return Err(InterpError::XNotIncreasing(i + 1));
        }
        if let Some(i) = ys.windows(2).position(|w| w[0] > w[1]) {
            return Err(InterpError::YDecreasing(i + 1));
        }
        let slope: Vec<f64> = xs
            .windows(2)
            .zip(ys.windows(2))
            .map(|(x, y)| (y[1] - y[0]) / (x[1] - x[0]))
            .collect();
        if slope.iter().any(|s| !s.is_finite()) {
            return Err(InterpError::SlopeOverflow);
        }
        let inv_slope = xs
            .windows(2)
            .zip(ys.windows(2))
            .map(|(x, y)| (x[1] - x[0]) / (y[1] - y[0]))
            .collect();
        let strict = ys.windows(2).all(|w| w[0] < w[1]);
        Ok(MonotonePl {
            xs,
            ys,
            slope,
            inv_slope,
            strict,
        })
    }

    /// A strictly increasing (invertible) map: like [`MonotonePl::new`] but
    /// `ys` must be strictly increasing too.
    pub fn new_strict(xs: Vec<f64>, ys: Vec<f64>) -> Result<Self, InterpError> {
        let f = Self::new(xs, ys)?;
        match f.ys.windows(2).position(|w| w[0] >= w[1]) {
            Some(i) => Err(InterpError::YNotIncreasing(i + 1)),
            None => Ok(f),
        }
    }

    /// Knot abscissae.
    pub fn xs(&self) -> &[f64] {
        &self.xs
    }

    /// Knot values.
    pub fn ys(&self) -> &[f64] {
        &self.ys
    }

    /// Whether the map is strictly increasing (so [`MonotonePl::inverse`] is exact).
    pub fn is_strict(&self) -> bool {
        self.strict
    }

    /// Evaluates the map at `x`. NaN gives NaN.
    #[inline]
    pub fn eval(&self, x: f64, rule: OutOfRange) -> f64 {
        eval_on(&self.xs, &self.ys, &self.slope, x, rule)
    }

    /// Evaluates unsorted queries with the active SIMD level.
    ///
    /// # Panics
    /// If `x` and `out` differ in length.
    pub fn eval_batch(&self, x: &[f64], out: &mut [f64], rule: OutOfRange) {
        self.eval_batch_with(active(), x, out, rule)
    }

    /// [`MonotonePl::eval_batch`] with a chosen level.
    pub fn eval_batch_with(&self, level: SimdLevel, x: &[f64], out: &mut [f64], rule: OutOfRange) {
        assert_eq!(x.len(), out.len(), "eval_batch: one output per query");
        let t = self.table();
        lanes::run(level, batch::Unsorted { t, x, out, rule });
    }

    /// The forward map's knot table.
    fn table(&self) -> Table<'_> {
        Table {
            xs: &self.xs,
            ys: &self.ys,
            slope: &self.slope,
        }
    }

    /// Evaluates ascending queries with one merge walk over the knots and
    /// the active SIMD level (same results as [`MonotonePl::eval`]).
    ///
    /// # Panics
    /// If the lengths differ. Unsorted queries still give the results of
    /// [`MonotonePl::eval`], only more slowly.
    pub fn eval_sorted(&self, x: &[f64], out: &mut [f64], rule: OutOfRange) {
        self.eval_sorted_with(active(), x, out, rule)
    }

    /// [`MonotonePl::eval_sorted`] with a chosen level.
    pub fn eval_sorted_with(&self, level: SimdLevel, x: &[f64], out: &mut [f64], rule: OutOfRange) {
        assert_eq!(x.len(), out.len(), "eval_sorted: one output per query");
        let t = self.table();
        lanes::run(level, sorted::Sorted { t, x, out, rule });
    }

    /// The inverse map at `y`: exact (to rounding) for strict maps; on a flat
    /// segment of a non-strict map, the leftmost `x` of the segment's level.
    #[inline]
    pub fn inverse(&self, y: f64, rule: OutOfRange) -> f64 {
        eval_on(&self.ys, &self.xs, &self.inv_slope, y, rule)
    }

    /// Inverse of many values (vectorised like [`MonotonePl::eval_batch`]).
    pub fn inverse_batch(&self, y: &[f64], out: &mut [f64], rule: OutOfRange) {
        self.inverse_batch_with(active(), y, out, rule)
    }

    /// [`MonotonePl::inverse_batch`] with a chosen level.
    pub fn inverse_batch_with(
        &self,
        level: SimdLevel,
        y: &[f64],
        out: &mut [f64],
        rule: OutOfRange,
    ) {
        assert_eq!(y.len(), out.len(), "inverse_batch: one output per query");
        let t = Table {
            xs: &self.ys,
            ys: &self.xs,
            slope: &self.inv_slope,
        };
        lanes::run(level, batch::Unsorted { t, x: y, out, rule });
    }

    /// Slope at `x`: the segment holding `x` (the right one at an inner
    /// knot); outside the knots 0 for [`OutOfRange::Clamp`], the end slope
    /// for [`OutOfRange::Linear`].
    #[inline]
    pub fn derivative(&self, x: f64, rule: OutOfRange) -> f64 {
        let n = self.xs.len();
        if rule == OutOfRange::Clamp && (x < self.xs[0] || x > self.xs[n - 1]) {
            return 0.0;
        }
        if x.is_nan() {
            return f64::NAN;
        }
        self.slope[segment(&self.xs, x)]
    }

    /// Slopes at many points.
    pub fn derivative_batch(&self, x: &[f64], out: &mut [f64], rule: OutOfRange) {
        assert_eq!(x.len(), out.len(), "derivative_batch: one output per query");
        for (o, &v) in out.iter_mut().zip(x) {
            *o = self.derivative(v, rule);
        }
    }
}

/// Index of the segment used for `x`: the largest `i <= n - 2` with
/// `xs[i] <= x`, or 0 (also for NaN). Branchless halving search.
#[inline(always)]
pub(crate) fn segment(xs: &[f64], x: f64) -> usize {
    let mut base = 0usize;
    let mut len = xs.len() - 1;
    while len > 1 {
        let half = len / 2;
        base = if xs[base + half] <= x {
            base + half
        } else {
            base
        };
        len -= half;
    }
    base
}

/// `ys[i] + (x - xs[i]) * slope[i]` on the segment of `x`, with the rule.
#[inline(always)]
pub(crate) fn eval_on(xs: &[f64], ys: &[f64], slope: &[f64], x: f64, rule: OutOfRange) -> f64 {
    let x = limit(xs, x, rule);
    let i = segment(xs, x);
    apply(xs[i], ys[i], slope[i], x)
}

/// Applies the out-of-range rule to a query (NaN stays NaN).
#[inline(always)]
pub(crate) fn limit(xs: &[f64], x: f64, rule: OutOfRange) -> f64 {
    match rule {
        OutOfRange::Clamp => {
            let (lo, hi) = (xs[0], xs[xs.len() - 1]);
            let x = if x < lo { lo } else { x };
            if x > hi {
                hi
            } else {
                x
            }
        }
        OutOfRange::Linear => x,
    }
}

/// One segment's value; a flat segment gives its level even at infinite `x`.
#[inline(always)]
pub(crate) fn apply(x0: f64, y0: f64, s: f64, x: f64) -> f64 {
    let y = y0 + (x - x0) * s;
    if s == 0.0 && !x.is_nan() {
        y0
    } else {
        y
    }
}

/// Evaluates ascending queries by walking the segments once: the scalar
/// reference of the sorted evaluation.
fn merge_walk(xs: &[f64], ys: &[f64], slope: &[f64], x: &[f64], out: &mut [f64], rule: OutOfRange) {
    let n = xs.len();
    let mut i = 0usize;
    for (o, &q) in out.iter_mut().zip(x) {
        let v = limit(xs, q, rule);
        if v.is_nan() {
            *o = apply(xs[0], ys[0], slope[0], v);
            continue;
        }
        while i + 2 < n && xs[i + 1] <= v {
            i += 1;
        }
        if i > 0 && xs[i] > v {
            // Not ascending after all: fall back to the search.
            i = segment(xs, v);
        }
        *o = apply(xs[i], ys[i], slope[i], v);
    }
}
