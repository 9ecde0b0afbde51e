//! Dense linear assignment by the Jonker–Volgenant algorithm (LAPJV).
//!
//! Column reduction with reduction transfer, two rounds of augmenting row
//! reduction, then shortest augmenting paths (Dijkstra on reduced costs) for
//! the rows still free. Worst case O(n^3); on the squared-distance matrices
//! of point clouds most rows are settled by the cheap initial phases.

/// Marks an unassigned row or column.
const FREE: usize = usize::MAX;

/// Solves the square linear assignment problem.
///
/// `cost` is an `n x n` matrix stored row-major (`cost[i * n + j]` is the
/// cost of giving column `j` to row `i`). Returns `row_to_col` such that
/// `sum_i cost[i * n + row_to_col[i]]` is minimal over all permutations.
/// Entries must be finite (callers validate user data first).
///
/// # Panics
/// If `cost.len() != n * n`.
///
/// # Example
/// ```
/// use harness::metrics::assignment::solve_assignment;
/// let cost = [4.0, 1.0, 3.0, 2.0, 0.0, 5.0, 3.0, 2.0, 2.0];
/// let perm = solve_assignment(&cost, 3);
/// let total: f64 = perm.iter().enumerate().map(|(i, &j)| cost[i * 3 + j]).sum();
/// assert_eq!(total, 5.0);
/// ```
pub fn solve_assignment(cost: &[f64], n: usize) -> Vec<usize> {
    assert_eq!(cost.len(), n * n, "cost must be an n x n row-major matrix");
    if n == 0 {
        return Vec::new();
    }
    let mut lap = Lap {
        n,
        cost,
        x: vec![FREE; n],
        y: vec![FREE; n],
        v: vec![f64::INFINITY; n],
    };
    let mut free_rows = lap.column_reduction();
    for _ in 0..2 {
        if free_rows.is_empty() {
            break;
        }
        free_rows = lap.augmenting_row_reduction(&free_rows);
    }
    lap.augment(&free_rows);
    lap.x
}

/// Working state: `x` row -> column, `y` column -> row, `v` column prices.
struct Lap<'a> {
    n: usize,
    cost: &'a [f64],
    x: Vec<usize>,
    y: Vec<usize>,
    v: Vec<f64>,
}

impl<'a> Lap<'a> {
    #[inline]
    fn row(&self, i: usize) -> &'a [f64] {
        &self.cost[i * self.n..(i + 1) * self.n]
    }

    /// Column reduction and reduction transfer; returns the free rows.
    fn column_reduction(&mut self) -> Vec<usize> {
        let n = self.n;
        let mut argmin = vec![0usize; n];
        for i in 0..n {
            for (j, &c) in self.row(i).iter().enumerate() {
                if c < self.v[j] {
                    self.v[j] = c;
                    argmin[j] = i;
                }
            }
        }
        let mut unique = vec![true; n];
        for j in (0..n).rev() {
            let i = argmin[j];
            if self.x[i] == FREE {
                self.x[i] = j;
                self.y[j] = i;
            } else {
                unique[i] = false;
            }
        }
        let mut free_rows = Vec::new();
        for (i, &is_unique) in unique.iter().enumerate() {
            if self.x[i] == FREE {
                free_rows.push(i);
            } else if is_unique {
                let j = self.x[i];
                let mut min = f64::INFINITY;
                for (j2, &c) in self.row(i).iter().enumerate() {
                    if j2 != j {
                        min = min.min(c - self.v[j2]);
                    }
                }
                if min.is_finite() {
                    self.v[j] -= min;
                }
            }
        }
        free_rows
    }

    /// One round of augmenting row reduction; returns the rows left free.
    fn augmenting_row_reduction(&mut self, free_rows_in: &[usize]) -> Vec<usize> {
        let n = self.n;
        let mut free_rows = free_rows_in.to_vec();
        let n_free = free_rows.len();
        let mut current = 0usize;
        let mut new_free = 0usize;
        let mut rr_count = 0usize;
        while current < n_free {
            rr_count += 1;
            let free_i = free_rows[current];
            current += 1;
            let row = self.row(free_i);
            let (mut j1, mut v1) = (0usize, row[0] - self.v[0]);
            let (mut j2, mut v2) = (FREE, f64::INFINITY);
            for (j, (&c_ij, &v_j)) in row.iter().zip(&self.v).enumerate().skip(1) {
                let c = c_ij - v_j;
                if c < v2 {
                    if c >= v1 {
                        v2 = c;
                        j2 = j;
                    } else {
                        v2 = v1;
                        v1 = c;
                        j2 = j1;
                        j1 = j;
                    }
                }
            }
            let mut i0 = self.y[j1];
            let v1_new = self.v[j1] - (v2 - v1);
            let v1_lowers = v1_new < self.v[j1];
            if rr_count < current * n {
                if v1_lowers {
                    self.v[j1] = v1_new;
                } else if i0 != FREE && j2 != FREE {
                    j1 = j2;
                    i0 = self.y[j2];
                }
                if i0 != FREE {
                    if v1_lowers {
                        current -= 1;
                        free_rows[current] = i0;
                    } else {
                        free_rows[new_free] = i0;
                        new_free += 1;
                    }
                }
            } else if i0 != FREE {
                free_rows[new_free] = i0;
                new_free += 1;
            }
            self.x[free_i] = j1;
            self.y[j1] = free_i;
        }
        free_rows.truncate(new_free);
        free_rows
    }

    /// Augments every free row along a shortest path of reduced costs.
    fn augment(&mut self, free_rows: &[usize]) {
        let n = self.n;
        let mut pred = vec![0usize; n];
        let mut d = vec![0.0f64; n];
        let mut cols: Vec<usize> = (0..n).collect();
        for &free_i in free_rows {
            let mut j = self.shortest_path(free_i, &mut pred, &mut d, &mut cols);
            loop {
                let i = pred[j];
                self.y[j] = i;
                let previous = std::mem::replace(&mut self.x[i], j);
                if i == free_i {
                    break;
                }
                j = previous;
            }
        }
    }

    /// Dijkstra from `start` over reduced costs; updates prices and returns
    /// the free column that ends the shortest augmenting path.
    fn shortest_path(
        &mut self,
        start: usize,
        pred: &mut [usize],
        d: &mut [f64],
        cols: &mut [usize],
    ) -> usize {
        let n = self.n;
        let row = self.row(start);
        for j in 0..n {
            cols[j] = j;
            d[j] = row[j] - self.v[j];
            pred[j] = start;
        }
        // cols[..ready] are done, cols[lo..hi] are to scan (all at distance
        // `d[cols[lo]]`), cols[hi..] are still to do.
        let (mut lo, mut hi, mut ready) = (0usize, 0usize, 0usize);
        let final_j = loop {
            if lo == hi {
                ready = lo;
                hi = collect_minimum(lo, d, cols);
                if let Some(&j) = cols[lo..hi].iter().find(|&&j| self.y[j] == FREE) {
                    break j;
                }
            }
            if let Some(j) = self.scan(&mut lo, &mut hi, pred, d, cols) {
                break j;
            }
        };
        let min_d = d[cols[lo]];
        for &j in &cols[..ready] {
            self.v[j] += d[j] - min_d;
        }
        final_j
    }

    /// Scans the rows assigned to the columns in `cols[lo..hi]`, relaxing
    /// the distances of the columns still to do. Returns a free column
    /// reached at the current minimum distance, if any.
    fn scan(
        &self,
        lo: &mut usize,
        hi: &mut usize,
        pred: &mut [usize],
        d: &mut [f64],
        cols: &mut [usize],
    ) -> Option<usize> {
        let n = self.n;
        // Work on copies: an early return must leave `lo` at the start of
        // the current minimum block, where the caller reads the distance.
        let (mut l, mut h_end) = (*lo, *hi);
        while l != h_end {
            let j0 = cols[l];
            l += 1;
            let i = self.y[j0];
            let min_d = d[j0];
            let row = self.row(i);
            let h = row[j0] - self.v[j0] - min_d;
            let todo_start = h_end;
            for k in todo_start..n {
                let j = cols[k];
                let reduced = row[j] - self.v[j] - h;
                if reduced < d[j] {
                    d[j] = reduced;
                    pred[j] = i;
                    if reduced == min_d {
                        if self.y[j] == FREE {
                            return Some(j);
                        }
                        cols.swap(k, h_end);
                        h_end += 1;
                    }
                }
            }
        }
        *lo = l;
        *hi = h_end;
        None
    }
}

/// Moves every column of `cols[lo..]` at the minimum distance to the front
/// of that range; returns the end of the moved block.
fn collect_minimum(lo: usize, d: &[f64], cols: &mut [usize]) -> usize {
    let mut hi = lo + 1;
    let mut min_d = d[cols[lo]];
    for k in lo + 1..cols.len() {
        let j = cols[k];
        if d[j] <= min_d {
            if d[j] < min_d {
                hi = lo;
                min_d = d[j];
            }
            cols.swap(k, hi);
            hi += 1;
        }
    }
    hi
}
