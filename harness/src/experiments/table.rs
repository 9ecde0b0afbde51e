//! The CSV tables experiments write: a header and rows of cells, written
//! atomically.

use crate::io::write_atomic;
use anyhow::Context;
use std::io::Write;
use std::path::Path;

/// A CSV table built row by row.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

/// A table cell: numbers in shortest round-trip form, text as is.
pub trait Cell {
    /// The cell's CSV text.
    fn cell(&self) -> String;
}

impl Cell for f64 {
    fn cell(&self) -> String {
        let mut b = ryu::Buffer::new();
        b.format(*self).to_string()
    }
}

impl Cell for usize {
    fn cell(&self) -> String {
        self.to_string()
    }
}

impl Cell for u64 {
    fn cell(&self) -> String {
        self.to_string()
    }
}

impl Cell for &str {
    fn cell(&self) -> String {
        self.to_string()
    }
}

impl Cell for String {
    fn cell(&self) -> String {
        self.clone()
    }
}

impl Table {
    /// An empty table with these column names.
    pub fn new(header: &[&str]) -> Table {
        Table {
            header: header.iter().map(|h| h.to_string()).collect(),
            rows: Vec::new(),
        }
    }

    /// Appends a row; it must have one cell per column.
    pub fn push(&mut self, row: &[&dyn Cell]) {
        assert_eq!(row.len(), self.header.len(), "one cell per column");
        self.rows.push(row.iter().map(|c| c.cell()).collect());
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether the table has no rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The CSV text.
    pub fn to_csv(&self) -> String {
        let mut s = self.header.join(",") + "\n";
        for r in &self.rows {
            s += &r.join(",");
            s.push('\n');
        }
        s
    }

    /// Writes the table to `path` atomically.
    pub fn write(&self, path: &Path) -> anyhow::Result<()> {
        write_atomic(path, |w| w.write_all(self.to_csv().as_bytes()))
            .with_context(|| format!("writing {}", path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_render_in_order_with_round_trip_numbers() {
        let mut t = Table::new(&["method", "w2"]);
        t.push(&[&"inb", &0.1]);
        t.push(&[&"nb", &(1.0 / 3.0)]);
        assert_eq!(t.len(), 2);
        let csv = t.to_csv();
        assert_eq!(csv.lines().next(), Some("method,w2"));
        let last: f64 = csv
            .lines()
            .nth(2)
            .unwrap()
            .split(',')
            .nth(1)
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(last, 1.0 / 3.0);
    }
}
