//! Benchmark reports printed by `iaf bench`: the kernel set that
//! `shared/peers/numpy_kernels.py` also times, in the same CSV shape, so the
//! two can be joined row by row (`scripts/compare_kernels.sh`).

pub mod fit;
pub mod kernels;
pub mod timing;

/// One row of a benchmark report: `kernel,dtype,n,ns_per_elem`.
#[derive(Clone, Debug, PartialEq)]
pub struct BenchRow {
    /// Kernel name, exactly as the NumPy peer script names it.
    pub kernel: String,
    /// Element type (`float32` or `float64`).
    pub dtype: &'static str,
    /// Problem size the time is divided by.
    pub n: usize,
    /// Median nanoseconds per element.
    pub ns_per_elem: f64,
}

/// Renders rows as the CSV the peer script prints (header included).
pub fn to_csv(rows: &[BenchRow]) -> String {
    let mut out = String::from("kernel,dtype,n,ns_per_elem\n");
    for r in rows {
        out.push_str(&format!(
            "{},{},{},{:.3}\n",
            r.kernel, r.dtype, r.n, r.ns_per_elem
        ));
    }
    out
}

/// Renders rows as an aligned plain-text table for people.
pub fn to_table(rows: &[BenchRow]) -> String {
    let mut out = format!(
        "{:<30} {:>8} {:>10} {:>12}\n",
        "kernel", "dtype", "n", "ns/elem"
    );
    for r in rows {
        out.push_str(&format!(
            "{:<30} {:>8} {:>10} {:>12.3}\n",
            r.kernel, r.dtype, r.n, r.ns_per_elem
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_has_the_peer_header_and_one_line_per_row() {
        let rows = vec![
            BenchRow {
                kernel: "sort".into(),
                dtype: "float32",
                n: 1000,
                ns_per_elem: 1.23456,
            },
            BenchRow {
                kernel: "argsort".into(),
                dtype: "float64",
                n: 10,
                ns_per_elem: 7.0,
            },
        ];
        let csv = to_csv(&rows);
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], "kernel,dtype,n,ns_per_elem");
        assert_eq!(lines[1], "sort,float32,1000,1.235");
        assert_eq!(lines[2], "argsort,float64,10,7.000");
        assert_eq!(to_table(&rows).lines().count(), 3);
    }
}
