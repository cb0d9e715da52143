//! The shape shared by the throughput, CPU and scaling plots: a metric against a count
//! (connections, or server threads; log x), one line through the medians per backend,
//! min-max whiskers.

use std::collections::BTreeMap;

use plotters::prelude::*;

use super::style::{self, int};
use super::{drawing, Plot};
use crate::report::level::{backends_of, size_name, SeriesKey};
use crate::report::Spread;
use crate::result::RunResult;

/// What to plot, against what.
pub(super) struct Spec<'a> {
    /// The plot kind, for the file name: `throughput`, `cpu`, `scaling-throughput`...
    pub(super) kind: &'a str,
    /// What the plot shows, before the level and size.
    pub(super) what: &'a str,
    /// The x value of one run: its connections ([`by_conns`]), or its server threads.
    pub(super) x: &'a dyn Fn(&RunResult) -> u64,
    /// The x axis description.
    pub(super) x_desc: &'a str,
    /// The y axis description.
    pub(super) y_desc: &'static str,
    /// The value of one run, if it has one.
    pub(super) metric: &'a dyn Fn(&RunResult) -> Option<f64>,
    /// A horizontal dashed reference line and its legend label.
    pub(super) reference: Option<(f64, String)>,
    /// Formats a y tick label.
    pub(super) y_format: fn(f64) -> String,
}

/// The x of the plots against connections.
pub(super) fn by_conns(r: &RunResult) -> u64 {
    r.load.conns
}

/// The file name of a plot of `kind` for one series, e.g. `throughput-closed-m64.svg`.
pub(super) fn file_name(kind: &str, key: SeriesKey) -> String {
    format!("{kind}-{}-m{}.svg", key.level.slug(), key.msg_size)
}

/// The results grouped by series (level and message size).
pub(super) fn by_series(results: &[RunResult]) -> BTreeMap<SeriesKey, Vec<&RunResult>> {
    let mut out: BTreeMap<SeriesKey, Vec<&RunResult>> = BTreeMap::new();
    for r in results {
        out.entry(crate::report::CellKey::of(r).series())
            .or_default()
            .push(r);
    }
    out
}

/// Draws one plot of `spec` for the runs of one series.
pub(super) fn draw(key: SeriesKey, runs: &[&RunResult], spec: &Spec<'_>) -> anyhow::Result<Plot> {
    let file = file_name(spec.kind, key);
    let title = format!("{}: {}, {}", spec.what, key.level, size_name(key.msg_size));
    let backends = backends_of(runs.iter().copied());
    let lines: Vec<(String, Vec<(f64, Spread)>)> = backends
        .iter()
        .map(|b| {
            let mut by_x: BTreeMap<u64, Vec<f64>> = BTreeMap::new();
            for r in runs
                .iter()
                .filter(|r| r.backend.as_deref().unwrap_or("load") == b)
            {
                if let Some(v) = (spec.metric)(r) {
                    by_x.entry((spec.x)(r)).or_default().push(v);
                }
            }
            let points = by_x
                .into_iter()
                .filter_map(|(c, v)| Some((c as f64, Spread::of(v)?)))
                .collect();
            (b.clone(), points)
        })
        .collect();
    let xs = xs_of(runs, spec.x);
    let repeats = runs.len() / backends.len().max(1) / xs.len().max(1);
    let subtitle = format!(
        "median of {} run{} per point, whiskers min–max; backends interleaved in one matrix run",
        repeats.max(1),
        if repeats == 1 { "" } else { "s" }
    );
    let (x_lo, x_hi) = match (xs.first(), xs.last()) {
        (Some(&lo), Some(&hi)) => (lo as f64 / 2.0, hi as f64 * 2.0),
        _ => (0.5, 2.0),
    };
    let mut y_hi = lines
        .iter()
        .flat_map(|(_, p)| p.iter().map(|(_, s)| s.max))
        .fold(0.0_f64, f64::max);
    if let Some((v, _)) = &spec.reference {
        y_hi = y_hi.max(*v);
    }
    // Headroom above the data for the legend.
    let y_hi = if y_hi > 0.0 { y_hi * 1.45 } else { 1.0 };

    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, style::SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(drawing(&file))?;
        let (top, body) = root.split_vertically(style::HEADER);
        style::header(&top, &title, &subtitle).map_err(drawing(&file))?;
        let ticks: Vec<f64> = xs.iter().map(|&c| c as f64).collect();
        let mut chart = ChartBuilder::on(&body)
            .margin(20)
            .x_label_area_size(50)
            .y_label_area_size(100)
            .build_cartesian_2d((x_lo..x_hi).log_scale().with_key_points(ticks), 0.0..y_hi)
            .map_err(drawing(&file))?;
        chart
            .configure_mesh()
            .x_desc(spec.x_desc)
            .y_desc(spec.y_desc)
            .x_label_formatter(&|x| int(*x))
            .y_label_formatter(&|y| (spec.y_format)(*y))
            .axis_desc_style(style::axis())
            .label_style(style::label())
            .light_line_style(WHITE)
            .draw()
            .map_err(drawing(&file))?;
        let n = lines.len() as f64;
        for (i, ((name, points), color)) in lines.iter().zip(style::colors(&backends)).enumerate() {
            // Spread the backends a little sideways so their whiskers do not overlap.
            let shift = 1.07_f64.powf(i as f64 - (n - 1.0) / 2.0);
            let at = |x: f64| x * shift;
            chart
                .draw_series(LineSeries::new(
                    points.iter().map(|&(x, s)| (at(x), s.median)),
                    color.stroke_width(3),
                ))
                .map_err(drawing(&file))?
                .label(name.as_str())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 24, y)], color.stroke_width(3))
                });
            chart
                .draw_series(points.iter().map(|&(x, s)| {
                    ErrorBar::new_vertical(at(x), s.min, s.median, s.max, color.stroke_width(2), 10)
                }))
                .map_err(drawing(&file))?;
            chart
                .draw_series(
                    points
                        .iter()
                        .map(|&(x, s)| Circle::new((at(x), s.median), 5, color.filled())),
                )
                .map_err(drawing(&file))?;
        }
        if let Some((v, label)) = &spec.reference {
            let grey = RGBColor(90, 90, 90);
            chart
                .draw_series(DashedLineSeries::new(
                    vec![(x_lo, *v), (x_hi, *v)],
                    12,
                    8,
                    grey.stroke_width(2),
                ))
                .map_err(drawing(&file))?
                .label(label.as_str())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 10, y)], grey.stroke_width(2))
                });
        }
        style::legend(&mut chart, SeriesLabelPosition::UpperLeft).map_err(drawing(&file))?;
        root.present().map_err(drawing(&file))?;
    }
    Ok(Plot { file, title, svg })
}

fn xs_of(runs: &[&RunResult], x: &dyn Fn(&RunResult) -> u64) -> Vec<u64> {
    let mut c: Vec<u64> = runs.iter().map(|r| x(r)).collect();
    c.sort_unstable();
    c.dedup();
    c
}
