//! Batched evaluation of unsorted queries: each query descends a
//! [`SearchTree`] over the inner knots (a vector compare per node instead
//! of a branch per knot), then the reference's `limit` and `apply` run on
//! the segment found, so results equal the scalar reference bit for bit.
//! Queries are independent, so the CPU overlaps several descents.

use super::lanes::{Kernel, Lanes, Table};
use super::tree::SearchTree;
use super::{apply, eval_on, limit, OutOfRange};

/// Queries descending the tree together.
const IN_FLIGHT: usize = 8;

/// `IN_FLIGHT` queries (`N`, or fewer at the tail).
#[inline(always)]
fn block<L: Lanes, const N: usize>(
    l: L,
    t: Table<'_>,
    tree: &SearchTree,
    q: &[f64],
    out: &mut [f64],
    rule: OutOfRange,
) {
    let mut v = [0.0; N];
    for (v, &q) in v.iter_mut().zip(q) {
        *v = limit(t.xs, q, rule);
    }
    let seg = tree.count(l, v);
    for ((o, &i), &v) in out.iter_mut().zip(&seg).zip(&v) {
        *o = apply(t.xs[i], t.ys[i], t.slope[i], v);
    }
}

/// Every query, one tree descent each.
#[inline(always)]
fn eval_lanes<L: Lanes>(l: L, t: Table<'_>, x: &[f64], out: &mut [f64], rule: OutOfRange) {
    let n = t.xs.len();
    let tree = SearchTree::new(&t.xs[1..n - 1]);
    let mut qs = x.chunks_exact(IN_FLIGHT);
    let mut os = out.chunks_exact_mut(IN_FLIGHT);
    for (q, o) in (&mut qs).zip(&mut os) {
        block::<L, IN_FLIGHT>(l, t, &tree, q, o, rule);
    }
    for (o, q) in os.into_remainder().iter_mut().zip(qs.remainder()) {
        block::<L, 1>(
            l,
            t,
            &tree,
            std::slice::from_ref(q),
            std::slice::from_mut(o),
            rule,
        );
    }
}

/// The unsorted evaluation as a [`Kernel`].
pub(super) struct Unsorted<'a> {
    pub(super) t: Table<'a>,
    pub(super) x: &'a [f64],
    pub(super) out: &'a mut [f64],
    pub(super) rule: OutOfRange,
}

impl Kernel for Unsorted<'_> {
    fn scalar(self) {
        for (o, &q) in self.out.iter_mut().zip(self.x) {
            *o = eval_on(self.t.xs, self.t.ys, self.t.slope, q, self.rule);
        }
    }
    #[inline(always)]
    fn lanes<L: Lanes>(self, l: L) {
        eval_lanes(l, self.t, self.x, self.out, self.rule)
    }
}
