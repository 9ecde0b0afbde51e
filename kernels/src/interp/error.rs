//! Errors of building a piecewise-linear map.

use std::fmt;

/// Why knots do not make a valid monotone map.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InterpError {
    /// `xs` and `ys` differ in length.
    LengthMismatch {
        /// Number of abscissae.
        xs: usize,
        /// Number of values.
        ys: usize,
    },
    /// Fewer than 2 knots.
    TooFewKnots(usize),
    /// Knot `i` has a NaN or infinite coordinate.
    NonFinite(usize),
    /// `xs[i] <= xs[i - 1]`.
    XNotIncreasing(usize),
    /// `ys[i] < ys[i - 1]`.
    YDecreasing(usize),
    /// `ys[i] <= ys[i - 1]` where a strictly increasing map was asked for.
    YNotIncreasing(usize),
    /// A segment's slope overflows to infinity.
    SlopeOverflow,
}

impl fmt::Display for InterpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InterpError::LengthMismatch { xs, ys } => {
                write!(f, "{xs} knot abscissae but {ys} knot values")
            }
            InterpError::TooFewKnots(n) => write!(f, "{n} knots; at least 2 are needed"),
            InterpError::NonFinite(i) => write!(f, "knot {i} is not finite"),
            InterpError::XNotIncreasing(i) => {
                write!(f, "knot abscissae are not strictly increasing at knot {i}")
            }
            InterpError::YDecreasing(i) => write!(f, "knot values decrease at knot {i}"),
            InterpError::YNotIncreasing(i) => {
                write!(f, "knot values are not strictly increasing at knot {i}")
            }
            InterpError::SlopeOverflow => write!(f, "a segment's slope overflows"),
        }
    }
}

impl std::error::Error for InterpError {}
