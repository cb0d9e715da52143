//! The latency percentile distribution, the way HdrHistogram's plotter draws it: the
//! x axis is `1/(1-p)` on a log scale, so 50%, 90%, 99%, 99.9%, ... are evenly spaced
//! and the tail gets the room it deserves. One line per backend, with the repetitions'
//! histograms merged (never averaged); one plot per (level, connections, size).

use std::collections::BTreeMap;

use anyhow::Context;
use plotters::prelude::*;

use super::style::{self, int};
use super::{drawing, Plot};
use crate::metrics::histogram::{self, Latency};
use crate::report::level::{backends_of, size_name, CellKey};
use crate::result::RunResult;

/// Where the x axis starts and the largest end it may have: 99.99999%.
const X_MIN: f64 = 1.0;
const X_CAP: f64 = 1e7;

/// The file name of the latency plot of one cell, e.g. `latency-closed-c1000-m64.svg`.
pub fn file_name(cell: CellKey) -> String {
    format!(
        "latency-{}-c{}-m{}.svg",
        cell.level.slug(),
        cell.conns,
        cell.msg_size
    )
}

/// Labels an x value `1/(1-p)` with its percentile: `2` is `50%`, `1000` is `99.9%`.
///
/// ```
/// use harness::report::plot::latency::percentile_label;
/// assert_eq!(percentile_label(2.0), "50%");
/// assert_eq!(percentile_label(10.0), "90%");
/// assert_eq!(percentile_label(1e3), "99.9%");
/// assert_eq!(percentile_label(1e5), "99.999%");
/// ```
pub fn percentile_label(x: f64) -> String {
    let p = 100.0 - 100.0 / x.max(1.0);
    let decimals = (x.log10().round() as i64 - 2).clamp(0, 8) as usize;
    format!("{p:.decimals$}%")
}

/// `(1/(1-q), value µs)` points of a histogram, the 100% point left out.
fn points(h: &Latency) -> Vec<(f64, f64)> {
    let mut out: Vec<(f64, f64)> = Vec::new();
    for v in h.iter_quantiles(5) {
        let q = v.quantile_iterated_to();
        if q >= 1.0 {
            break;
        }
        let x = (1.0 / (1.0 - q)).min(X_CAP);
        let y = (v.value_iterated_to() as f64).max(1.0);
        if out.last().is_some_and(|&(px, _)| x <= px) {
            continue;
        }
        out.push((x, y));
    }
    out
}

/// The merged histogram of each backend in one cell.
fn merged(results: &[&RunResult]) -> anyhow::Result<Vec<(String, Latency, usize)>> {
    let mut out = Vec::new();
    for backend in backends_of(results.iter().copied()) {
        let mut h = histogram::new();
        let mut runs = 0;
        for r in results
            .iter()
            .filter(|r| r.backend.as_deref().unwrap_or("load") == backend)
        {
            let one = histogram::decode(&r.load.histogram)
                .with_context(|| format!("bad histogram in a {backend} result"))?;
            histogram::merge(&mut h, &one)?;
            runs += 1;
        }
        out.push((backend, h, runs));
    }
    Ok(out)
}

/// One latency plot per (level, connections, message size) in `results`.
///
/// # Errors
///
/// If a histogram is malformed or the plot cannot be drawn.
pub fn render(results: &[RunResult]) -> anyhow::Result<Vec<Plot>> {
    let mut cells: BTreeMap<CellKey, Vec<&RunResult>> = BTreeMap::new();
    for r in results {
        cells.entry(CellKey::of(r)).or_default().push(r);
    }
    cells
        .into_iter()
        .map(|(cell, runs)| draw(cell, &merged(&runs)?))
        .collect()
}

fn draw(cell: CellKey, series: &[(String, Latency, usize)]) -> anyhow::Result<Plot> {
    let file = file_name(cell);
    let title = format!(
        "Latency by percentile: {}, {} conns, {}",
        cell.level,
        int(cell.conns as f64),
        size_name(cell.msg_size)
    );
    let runs = series.iter().map(|s| s.2).max().unwrap_or(0);
    let subtitle = format!(
        "{}{} run{} per backend, histograms merged (not averaged)",
        if cell.level.is_open() {
            "corrected for coordinated omission (from the planned send time); "
        } else {
            "from each request's send; "
        },
        runs,
        if runs == 1 { "" } else { "s" },
    );
    let lines: Vec<(String, Vec<(f64, f64)>)> = series
        .iter()
        .map(|(name, h, _)| (name.clone(), points(h)))
        .collect();
    let all = lines.iter().flat_map(|(_, p)| p.iter().copied());
    let (mut x_end, mut y_lo, mut y_hi) = (100.0_f64, f64::MAX, 1.0_f64);
    for (x, y) in all {
        x_end = x_end.max(x);
        y_lo = y_lo.min(y);
        y_hi = y_hi.max(y);
    }
    if y_lo > y_hi {
        y_lo = 1.0;
    }
    let x_max = 10f64.powf(x_end.log10().ceil()).min(X_CAP);
    let mut ticks = vec![2.0];
    let mut t = 10.0;
    while t <= x_max {
        ticks.push(t);
        t *= 10.0;
    }

    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, style::SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(drawing(&file))?;
        let (top, body) = root.split_vertically(style::HEADER);
        style::header(&top, &title, &subtitle).map_err(drawing(&file))?;
        let mut chart = ChartBuilder::on(&body)
            .margin(20)
            .margin_right(56)
            .x_label_area_size(50)
            .y_label_area_size(90)
            .build_cartesian_2d(
                (X_MIN..x_max).log_scale().with_key_points(ticks),
                ((y_lo / 1.3).max(0.5)..y_hi * 1.3).log_scale(),
            )
            .map_err(drawing(&file))?;
        chart
            .configure_mesh()
            .x_desc("percentile (log scale of 1/(1-p))")
            .y_desc("latency (µs, log scale)")
            .x_label_formatter(&|x| percentile_label(*x))
            .y_label_formatter(&|y| int(*y))
            .axis_desc_style(style::axis())
            .label_style(style::label())
            .light_line_style(WHITE)
            .draw()
            .map_err(drawing(&file))?;
        let names: Vec<String> = lines.iter().map(|(n, _)| n.clone()).collect();
        for ((name, pts), color) in lines.iter().zip(style::colors(&names)) {
            chart
                .draw_series(LineSeries::new(pts.iter().copied(), color.stroke_width(3)))
                .map_err(drawing(&file))?
                .label(name.as_str())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 24, y)], color.stroke_width(3))
                });
        }
        style::legend(&mut chart, SeriesLabelPosition::LowerRight).map_err(drawing(&file))?;
        root.present().map_err(drawing(&file))?;
    }
    Ok(Plot { file, title, svg })
}
