//! Batched evaluation of ascending queries: one merge walk over the knots,
//! a vector of queries at a time. The walk advances to the segment of the
//! vector's largest query; every knot it passes is compared with all lanes
//! at once, which counts each lane's own segment. A vector inside a single
//! segment (the common case when queries outnumber knots) is evaluated with
//! broadcasts, otherwise with gathers.
//!
//! Unsorted input is still evaluated exactly: a vector whose smallest query
//! lies left of the walk's position restarts the walk with a search.

use super::lanes::{Kernel, Lanes, Table, MAX_LANES};
use super::{merge_walk, segment, OutOfRange};

/// State of the walk: the segment of the largest query seen so far.
#[inline(always)]
fn vector<L: Lanes>(
    l: L,
    t: Table<'_>,
    i: &mut usize,
    q: &[f64],
    out: &mut [f64],
    rule: OutOfRange,
) {
    let n = t.xs.len();
    let v = t.limit(l, l.load(q), rule);
    let (lo, hi) = l.min_max(v);
    if *i > 0 && lo < t.xs[*i] {
        // Not ascending: restart the walk at the smallest query's segment.
        *i = segment(t.xs, lo);
    }
    let start = *i;
    let mut seg = l.index(start);
    while *i + 2 < n && t.xs[*i + 1] <= hi {
        *i += 1;
        seg = l.step(seg, l.splat(t.xs[*i]), v, 1);
    }
    let y = if *i == start {
        l.apply(
            l.splat(t.xs[start]),
            l.splat(t.ys[start]),
            l.splat(t.slope[start]),
            v,
        )
    } else {
        // SAFETY: every lane is between `start` and `*i <= n - 2`.
        unsafe { t.apply(l, seg, v) }
    };
    l.store(y, out);
}

/// Every query through [`vector`]; the tail padded with NaN (ignored by
/// the walk) in a local buffer.
#[inline(always)]
fn eval_lanes<L: Lanes>(l: L, t: Table<'_>, x: &[f64], out: &mut [f64], rule: OutOfRange) {
    let w = L::LANES;
    let mut i = 0;
    let mut qs = x.chunks_exact(w);
    let mut os = out.chunks_exact_mut(w);
    for (q, o) in (&mut qs).zip(&mut os) {
        vector(l, t, &mut i, q, o, rule);
    }
    let (q, o) = (qs.remainder(), os.into_remainder());
    if !q.is_empty() {
        let mut qb = [f64::NAN; MAX_LANES];
        let mut ob = [0.0; MAX_LANES];
        qb[..q.len()].copy_from_slice(q);
        vector(l, t, &mut i, &qb, &mut ob, rule);
        o.copy_from_slice(&ob[..o.len()]);
    }
}

/// The sorted evaluation as a [`Kernel`].
pub(super) struct Sorted<'a> {
    pub(super) t: Table<'a>,
    pub(super) x: &'a [f64],
    pub(super) out: &'a mut [f64],
    pub(super) rule: OutOfRange,
}

impl Kernel for Sorted<'_> {
    fn scalar(self) {
        merge_walk(
            self.t.xs,
            self.t.ys,
            self.t.slope,
            self.x,
            self.out,
            self.rule,
        )
    }
    #[inline(always)]
    fn lanes<L: Lanes>(self, l: L) {
        eval_lanes(l, self.t, self.x, self.out, self.rule)
    }
}
