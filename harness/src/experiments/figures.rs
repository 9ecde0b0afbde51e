//! Figures the experiments write: line charts of mean +/- std curves (SVG,
//! through plotters) and grids of grey-level images (PNG). Both are written
//! atomically and open in any browser or image viewer.

use crate::io::write_atomic;
use anyhow::{anyhow, Context};
use plotters::prelude::*;
use std::io::Write;
use std::path::Path;

/// One curve: points `(x, mean, std)`; the band mean +/- std is shaded.
#[derive(Clone, Debug)]
pub struct Series {
    /// Legend name.
    pub name: String,
    /// `(x, mean, std)`, ascending in x.
    pub points: Vec<(f64, f64, f64)>,
}

/// Labels of a chart.
#[derive(Clone, Copy, Debug)]
pub struct Labels<'a> {
    /// Title above the plot.
    pub title: &'a str,
    /// Horizontal axis.
    pub x: &'a str,
    /// Vertical axis (log scale).
    pub y: &'a str,
}

const COLORS: [RGBColor; 8] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
];

/// The vertical range of the chart: positive, covering every band.
fn y_range(series: &[Series]) -> (f64, f64) {
    let values = series
        .iter()
        .flat_map(|s| s.points.iter())
        .flat_map(|&(_, m, sd)| [m - sd, m, m + sd])
        .filter(|v| v.is_finite() && *v > 0.0);
    let (lo, hi) = values.fold((f64::INFINITY, 0.0f64), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    if lo.is_finite() && hi > lo {
        (lo / 1.5, hi * 1.5)
    } else if lo.is_finite() {
        (lo / 10.0, lo * 10.0)
    } else {
        (1e-3, 1.0)
    }
}

/// Draws `series` on a log-y chart and writes it as SVG to `path`.
pub fn line_chart(path: &Path, labels: Labels<'_>, series: &[Series]) -> anyhow::Result<()> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (820, 520)).into_drawing_area();
        draw_lines(&root, labels, series).map_err(|e| anyhow!("{e}"))?;
        root.present().map_err(|e| anyhow!("{e}"))?;
    }
    write_atomic(path, |w| w.write_all(svg.as_bytes()))
        .with_context(|| format!("writing {}", path.display()))
}

type DrawResult = Result<(), Box<dyn std::error::Error>>;

fn draw_lines<DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    labels: Labels<'_>,
    series: &[Series],
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE)?;
    let xs = series.iter().flat_map(|s| s.points.iter().map(|p| p.0));
    let (x0, x1) = xs.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
        (a.min(x), b.max(x))
    });
    let (x0, x1) = if x0 < x1 {
        (x0, x1)
    } else {
        (x0 - 1.0, x0 + 1.0)
    };
    let (y0, y1) = y_range(series);
    let mut chart = ChartBuilder::on(root)
        .caption(labels.title, ("sans-serif", 20))
        .margin(12)
        .x_label_area_size(42)
        .y_label_area_size(70)
        .build_cartesian_2d(x0..x1, (y0..y1).log_scale())?;
    chart
        .configure_mesh()
        .x_desc(labels.x)
        .y_desc(labels.y)
        .y_label_formatter(&|v| format!("{v:.1e}"))
        .draw()?;
    for (i, s) in series.iter().enumerate() {
        let color = COLORS[i % COLORS.len()];
        let clamp = |v: f64| v.clamp(y0, y1);
        let mut band: Vec<(f64, f64)> = s
            .points
            .iter()
            .map(|&(x, m, sd)| (x, clamp(m + sd)))
            .collect();
        band.extend(s.points.iter().rev().map(|&(x, m, sd)| (x, clamp(m - sd))));
        if s.points.iter().any(|p| p.2 > 0.0) {
            chart.draw_series(std::iter::once(Polygon::new(band, color.mix(0.15))))?;
        }
        let line = s.points.iter().map(|&(x, m, _)| (x, clamp(m)));
        chart
            .draw_series(LineSeries::new(line, color.stroke_width(2)))?
            .label(s.name.as_str())
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
            });
        if s.points.len() <= 12 {
            let dots = s
                .points
                .iter()
                .map(|&(x, m, _)| Circle::new((x, clamp(m)), 3, color.filled()));
            chart.draw_series(dots)?;
        }
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()?;
    Ok(())
}

/// Writes a grid of grey images (`cells[row][col]`, each `h * w` values in
/// [0, 1], row-major) as an 8-bit PNG, each pixel drawn `scale` x `scale`,
/// with a 2-pixel white gap between cells.
pub fn image_grid(
    path: &Path,
    cells: &[Vec<Vec<f64>>],
    (h, w): (usize, usize),
    scale: usize,
) -> anyhow::Result<()> {
    let rows = cells.len();
    let cols = cells.iter().map(Vec::len).max().unwrap_or(0);
    let gap = 2;
    let (cell_h, cell_w) = (h * scale + gap, w * scale + gap);
    let (height, width) = (rows * cell_h + gap, cols * cell_w + gap);
    let mut pixels = vec![255u8; height * width];
    for (r, row) in cells.iter().enumerate() {
        for (c, image) in row.iter().enumerate() {
            for (p, &v) in image.iter().enumerate().take(h * w) {
                let grey = 255 - (v.clamp(0.0, 1.0) * 255.0).round() as u8;
                let (py, px) = (p / w, p % w);
                for dy in 0..scale {
                    let y = gap + r * cell_h + py * scale + dy;
                    let x = gap + c * cell_w + px * scale;
                    pixels[y * width + x..y * width + x + scale].fill(grey);
                }
            }
        }
    }
    let mut bytes = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut bytes, width as u32, height as u32);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header()?;
        writer.write_image_data(&pixels)?;
        writer.finish()?;
    }
    write_atomic(path, |w| w.write_all(&bytes))
        .with_context(|| format!("writing {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("iaf-fig-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn chart_is_an_svg_with_every_series_named() {
        let dir = scratch("chart");
        let path = dir.join("c.svg");
        let series = vec![
            Series {
                name: "inb".into(),
                points: vec![(0.0, 1.0, 0.1), (1.0, 0.1, 0.05), (2.0, 0.01, 0.0)],
            },
            Series {
                name: "nb".into(),
                points: vec![(0.0, 1.0, 0.0), (2.0, 0.5, 0.0)],
            },
        ];
        let labels = Labels {
            title: "t",
            x: "layer",
            y: "W2^2",
        };
        line_chart(&path, labels, &series).unwrap();
        let svg = std::fs::read_to_string(&path).unwrap();
        assert!(svg.starts_with("<svg") && svg.contains("inb") && svg.contains("nb"));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn image_grid_is_a_png_of_the_right_size() {
        let dir = scratch("grid");
        let path = dir.join("g.png");
        let img = vec![0.5; 4];
        image_grid(
            &path,
            &[vec![img.clone(), img.clone()], vec![img]],
            (2, 2),
            3,
        )
        .unwrap();
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
        let width = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
        let height = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
        assert_eq!((width, height), (2 * (2 * 3 + 2) + 2, 2 * (2 * 3 + 2) + 2));
        std::fs::remove_dir_all(dir).unwrap();
    }
}
