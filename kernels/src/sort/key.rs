//! The keys the sorts accept (`f32`, `f64`) and their order-preserving
//! unsigned-integer transform: unsigned order of the transformed bits equals
//! the total order of `total_cmp` (-NaN < -inf < ... < -0.0 < +0.0 < ... <
//! +inf < +NaN), and the transform is a bijection, so NaN payloads survive.

use std::cmp::Ordering;

mod sealed {
    pub trait Sealed {}
    impl Sealed for f32 {}
    impl Sealed for f64 {}
    impl Sealed for u32 {}
    impl Sealed for u64 {}
}

/// Unsigned integers used as radix keys.
pub trait RadixBits: Copy + Send + Sync + Default + Ord + sealed::Sealed + 'static {
    /// Width in bits.
    const BITS: u32;
    /// The `width`-bit digit starting at bit `shift`.
    fn digit(self, shift: u32, mask: u64) -> usize;
    /// Zero-extended to `u64`.
    fn widen(self) -> u64;
    /// The low `BITS` bits of a `u64`.
    fn narrow(wide: u64) -> Self;
}

impl RadixBits for u32 {
    const BITS: u32 = 32;
    #[inline(always)]
    fn widen(self) -> u64 {
        self as u64
    }
    #[inline(always)]
    fn narrow(wide: u64) -> u32 {
        wide as u32
    }
    #[inline(always)]
    fn digit(self, shift: u32, mask: u64) -> usize {
        ((self >> shift) as u64 & mask) as usize
    }
}

impl RadixBits for u64 {
    const BITS: u32 = 64;
    #[inline(always)]
    fn widen(self) -> u64 {
        self
    }
    #[inline(always)]
    fn narrow(wide: u64) -> u64 {
        wide
    }
    #[inline(always)]
    fn digit(self, shift: u32, mask: u64) -> usize {
        ((self >> shift) & mask) as usize
    }
}

/// A floating-point type the sorts accept: `f32` or `f64` (sealed).
pub trait SortKey: Copy + Send + Sync + PartialOrd + 'static + sealed::Sealed {
    /// The unsigned integer of the same width.
    type Bits: RadixBits;
    /// NumPy's name of the type (`float32`, `float64`).
    const DTYPE: &'static str;
    /// Order-preserving transform to unsigned bits.
    fn to_ordered(self) -> Self::Bits;
    /// Inverse of [`SortKey::to_ordered`].
    fn from_ordered(bits: Self::Bits) -> Self;
    /// The total order (`f32::total_cmp` / `f64::total_cmp`).
    fn total_cmp_key(&self, other: &Self) -> Ordering;
    /// The raw IEEE bits, widened to `u64` (for bit-exact comparisons).
    fn raw_bits(self) -> u64;
    /// The value with these raw IEEE bits.
    fn from_raw(bits: Self::Bits) -> Self;
    /// The raw IEEE bits.
    fn to_raw(self) -> Self::Bits;
}

impl SortKey for f32 {
    type Bits = u32;
    const DTYPE: &'static str = "float32";
    #[inline(always)]
    fn to_ordered(self) -> u32 {
        let b = self.to_bits();
        // Negative: flip everything; positive: flip the sign bit.
        b ^ (((b as i32 >> 31) as u32) | 0x8000_0000)
    }
    #[inline(always)]
    fn from_ordered(o: u32) -> f32 {
        let b = if o & 0x8000_0000 != 0 {
            o ^ 0x8000_0000
        } else {
            !o
        };
        f32::from_bits(b)
    }
    #[inline(always)]
    fn total_cmp_key(&self, other: &f32) -> Ordering {
        self.total_cmp(other)
    }
    fn raw_bits(self) -> u64 {
        self.to_bits() as u64
    }
    #[inline(always)]
    fn from_raw(bits: u32) -> f32 {
        f32::from_bits(bits)
    }
    #[inline(always)]
    fn to_raw(self) -> u32 {
        self.to_bits()
    }
}

impl SortKey for f64 {
    type Bits = u64;
    const DTYPE: &'static str = "float64";
    #[inline(always)]
    fn to_ordered(self) -> u64 {
        let b = self.to_bits();
        b ^ (((b as i64 >> 63) as u64) | 0x8000_0000_0000_0000)
    }
    #[inline(always)]
    fn from_ordered(o: u64) -> f64 {
        let b = if o & 0x8000_0000_0000_0000 != 0 {
            o ^ 0x8000_0000_0000_0000
        } else {
            !o
        };
        f64::from_bits(b)
    }
    #[inline(always)]
    fn total_cmp_key(&self, other: &f64) -> Ordering {
        self.total_cmp(other)
    }
    fn raw_bits(self) -> u64 {
        self.to_bits()
    }
    #[inline(always)]
    fn from_raw(bits: u64) -> f64 {
        f64::from_bits(bits)
    }
    #[inline(always)]
    fn to_raw(self) -> u64 {
        self.to_bits()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transform_preserves_total_order_and_round_trips() {
        let vals = [
            f64::from_bits(0xfff8_0000_0000_0001), // -NaN with payload
            f64::NEG_INFINITY,
            -1.5,
            -f64::MIN_POSITIVE / 4.0, // negative subnormal
            -0.0,
            0.0,
            f64::MIN_POSITIVE / 4.0,
            2.0,
            f64::INFINITY,
            f64::NAN,
        ];
        for w in vals.windows(2) {
            assert_eq!(w[0].total_cmp(&w[1]), Ordering::Less);
            assert!(w[0].to_ordered() < w[1].to_ordered());
        }
        for v in vals {
            assert_eq!(f64::from_ordered(v.to_ordered()).to_bits(), v.to_bits());
            let s = v as f32;
            assert_eq!(f32::from_ordered(s.to_ordered()).to_bits(), s.to_bits());
        }
        assert!((-0.0f32).to_ordered() < 0.0f32.to_ordered());
        assert!(f32::NEG_INFINITY.to_ordered() < (-1.0f32).to_ordered());
    }
}
