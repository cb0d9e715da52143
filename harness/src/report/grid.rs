//! A plain text grid: the first column left-aligned, the others right-aligned, drawn by
//! comfy-table without borders.

use comfy_table::{presets, CellAlignment, Table};

/// Rows of cells, rendered with aligned columns.
#[derive(Clone, Debug, Default)]
pub struct Grid {
    table: Table,
    left: bool,
}

impl Grid {
    /// An empty grid.
    pub fn new() -> Grid {
        Grid::default()
    }

    /// An empty grid whose columns are all left-aligned.
    pub fn left_aligned() -> Grid {
        Grid {
            left: true,
            ..Grid::default()
        }
    }

    /// Appends a row.
    pub fn row<I, S>(&mut self, cells: I) -> &mut Grid
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.table
            .add_row(cells.into_iter().map(Into::into).collect::<Vec<String>>());
        self
    }

    /// The grid as text, each line indented by `indent` spaces.
    ///
    /// ```
    /// let mut g = harness::report::Grid::new();
    /// g.row(["a", "1"]).row(["bbb", "22"]);
    /// assert_eq!(g.render(0), "a     1\nbbb  22\n");
    /// ```
    pub fn render(&self, indent: usize) -> String {
        let mut table = self.table.clone();
        table.load_preset(presets::NOTHING);
        for (c, column) in table.column_iter_mut().enumerate() {
            // Two spaces after each column; the last line's trailing ones are trimmed.
            column.set_padding((0, 2));
            if c > 0 && !self.left {
                column.set_cell_alignment(CellAlignment::Right);
            }
        }
        let margin = " ".repeat(indent);
        table
            .lines()
            .map(|line| format!("{margin}{}\n", line.trim_end()))
            .collect()
    }
}

/// Formats a number with thousands separators: `1234567` as `1,234,567`.
pub(crate) fn thousands(n: u64) -> String {
    indicatif::HumanCount(n).to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn uneven_rows_and_wide_characters() {
        let mut g = super::Grid::new();
        g.row(["latency µs", "p50 1", "p99 22"])
            .row(["x", "p50 100"]);
        assert_eq!(
            g.render(2),
            "  latency µs    p50 1  p99 22\n  x           p50 100\n"
        );
        let mut left = super::Grid::left_aligned();
        left.row(["a", "1"]).row(["bb", "22"]);
        assert_eq!(left.render(0), "a   1\nbb  22\n");
        assert_eq!(super::Grid::new().render(4), "");
    }

    #[test]
    fn thousands() {
        assert_eq!(super::thousands(0), "0");
        assert_eq!(super::thousands(1234567), "1,234,567");
        assert_eq!(super::thousands(100), "100");
    }
}
