//! A static search tree over the inner knots for the unsorted batched
//! evaluation: `FANOUT` keys per node, so one node is searched with a few
//! vector compares and a popcount, and a map of up to 4095 inner knots
//! needs 3 nodes per query, with no data-dependent branch and no gather
//! (hardware gathers are slow on many x86 CPUs).
//!
//! Level `d` of a tree of depth `D` holds, for node `p`, the keys
//! `K[(FANOUT p + c + 1) FANOUT^(D-1-d) - 1]`, `c < FANOUT` (NaN past the
//! end, which no compare counts); the last level is `K` itself. With
//! `cnt = #{j : K[j] <= v}`, counting a node's keys `<= v` turns
//! `p = cnt / FANOUT^(D-d)` into `cnt / FANOUT^(D-d-1)`, so the last level
//! yields `cnt`: the segment of `v`, as the reference search finds it.

use super::lanes::Lanes;

/// Keys per node.
pub(super) const FANOUT: usize = 16;

/// The tree over the sorted (non-decreasing) keys `K`.
pub(super) struct SearchTree {
    /// All levels, top first, each a whole number of nodes.
    keys: Vec<f64>,
    /// Start of each level in `keys`.
    levels: Vec<usize>,
}

impl SearchTree {
    /// The tree over `keys`, non-decreasing and without NaN.
    pub(super) fn new(keys: &[f64]) -> SearchTree {
        let m = keys.len();
        let mut span = FANOUT; // FANOUT^D
        while span <= m {
            span *= FANOUT;
        }
        let mut tree = SearchTree {
            keys: Vec::new(),
            levels: Vec::new(),
        };
        while span > 1 {
            let stride = span / FANOUT; // FANOUT^(D-1-d)
            tree.levels.push(tree.keys.len());
            let nodes = m / span + 1;
            tree.keys.extend((0..nodes * FANOUT).map(|k| {
                let j = (k + 1) * stride - 1;
                if j < m {
                    keys[j]
                } else {
                    f64::NAN
                }
            }));
            span = stride;
        }
        tree
    }

    /// `#{j : K[j] <= v}` (0 for NaN `v`) for `N` queries `v` at once (their
    /// independent descents interleaved, so their latencies overlap).
    #[inline(always)]
    pub(super) fn count<L: Lanes, const N: usize>(&self, l: L, v: [f64; N]) -> [usize; N] {
        let splat = v.map(|v| l.splat(v));
        let mut p = [0; N];
        for &start in &self.levels {
            for (p, &s) in p.iter_mut().zip(&splat) {
                let node = &self.keys[start + *p * FANOUT..][..FANOUT];
                *p = *p * FANOUT + l.count_le(node, s);
            }
        }
        p
    }
}
