//! Throughput and p99 latency over time, one line per backend, per (load level,
//! connections, message size): so that warm-up, drift and stalls can be seen. Drawn
//! from each run's time series (the `.hlog` data); of repeated runs, the first.

use std::collections::BTreeMap;

use plotters::prelude::*;

use super::style::{self, int};
use super::{drawing, Plot};
use crate::metrics::histogram;
use crate::report::level::size_name;
use crate::report::Level;
use crate::result::RunResult;

/// One interval: seconds from the window start, req/s, p99 µs.
type Point = (f64, f64, f64);
/// One line: a backend's points.
type Line = (String, Vec<Point>);
/// A panel: its axis description, its top, and the value it draws.
type Panel<'a> = (&'a str, f64, fn(&Point) -> f64);

fn line(r: &RunResult) -> anyhow::Result<Option<Line>> {
    let Some(s) = &r.load.series else {
        return Ok(None);
    };
    let mut points = Vec::with_capacity(s.histograms.len());
    for (i, encoded) in s.histograms.iter().enumerate() {
        let h = histogram::decode(encoded)?;
        let t = i as f64 * s.interval_s - s.window_offset_s;
        let p99 = if h.is_empty() {
            0.0
        } else {
            h.value_at_quantile(0.99) as f64
        };
        points.push((t, h.len() as f64 / s.interval_s, p99));
    }
    let name = r.backend.clone().unwrap_or_else(|| "load".to_owned());
    Ok(Some((name, points)))
}

/// One plot per (level, connections, message size) of `results` that hold a series.
///
/// # Errors
///
/// If a histogram is malformed or a plot cannot be drawn.
pub fn render(results: &[RunResult]) -> anyhow::Result<Vec<Plot>> {
    let mut groups: BTreeMap<(String, u64, u64), Vec<Line>> = BTreeMap::new();
    for r in results.iter().filter(|r| r.repetition == 0) {
        if let Some(l) = line(r)? {
            let key = (Level::of(r).slug(), r.load.conns, r.load.msg_size);
            groups.entry(key).or_default().push(l);
        }
    }
    groups
        .into_iter()
        .map(|((level, conns, msg), lines)| draw(&level, conns, msg, &lines))
        .collect()
}

fn draw(level: &str, conns: u64, msg: u64, lines: &[Line]) -> anyhow::Result<Plot> {
    let file = format!("time-{level}-c{conns}-m{msg}.svg");
    let title = format!("Over time: {level}, {conns} conns, {}", size_name(msg));
    let subtitle = "per second; the measured window starts at 0 s (warm-up before it); \
                    p99 of the corrected latency";
    let points = || lines.iter().flat_map(|(_, p)| p.iter());
    let t_lo = points().map(|p| p.0).fold(0.0_f64, f64::min);
    let t_hi = points().map(|p| p.0 + 1.0).fold(1.0_f64, f64::max);
    let rps_hi = points().map(|p| p.1).fold(0.0_f64, f64::max).max(1.0) * 1.3;
    let p99_hi = points().map(|p| p.2).fold(0.0_f64, f64::max).max(1.0) * 1.3;
    let backends: Vec<String> = lines.iter().map(|(n, _)| n.clone()).collect();
    let colors = style::colors(&backends);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (style::SIZE.0, style::SIZE.1 * 3 / 2))
            .into_drawing_area();
        root.fill(&WHITE).map_err(drawing(&file))?;
        let (top, body) = root.split_vertically(style::HEADER);
        style::header(&top, &title, subtitle).map_err(drawing(&file))?;
        let panels = body.split_evenly((2, 1));
        let metrics: [Panel<'_>; 2] = [
            ("requests per second", rps_hi, |p| p.1),
            ("p99 latency, µs", p99_hi, |p| p.2),
        ];
        for (panel, (desc, hi, value)) in panels.iter().zip(metrics) {
            let mut chart = ChartBuilder::on(panel)
                .margin(20)
                .x_label_area_size(50)
                .y_label_area_size(100)
                .build_cartesian_2d(t_lo..t_hi, 0.0..hi)
                .map_err(drawing(&file))?;
            chart
                .configure_mesh()
                .x_desc("seconds from the window start")
                .y_desc(desc)
                .y_label_formatter(&|y| int(*y))
                .axis_desc_style(style::axis())
                .label_style(style::label())
                .light_line_style(WHITE)
                .draw()
                .map_err(drawing(&file))?;
            for ((name, pts), &color) in lines.iter().zip(&colors) {
                chart
                    .draw_series(LineSeries::new(
                        pts.iter().map(|p| (p.0 + 0.5, value(p))),
                        color.stroke_width(3),
                    ))
                    .map_err(drawing(&file))?
                    .label(name.as_str())
                    .legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 24, y)], color.stroke_width(3))
                    });
            }
            style::legend(&mut chart, SeriesLabelPosition::UpperRight).map_err(drawing(&file))?;
        }
        root.present().map_err(drawing(&file))?;
    }
    Ok(Plot { file, title, svg })
}
