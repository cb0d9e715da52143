//! The look shared by every plot: size, fonts, and one stable colour per backend.

use plotters::style::{RGBColor, TextStyle};

use crate::backend::BackendKind;

/// Plot size in pixels.
pub(super) const SIZE: (u32, u32) = (1000, 620);
/// Font family (SVG viewers substitute their sans-serif). plotters writes font sizes
/// as 1/1.24 of these.
const FAMILY: &str = "sans-serif";

/// Colour-blind-friendly colours (Okabe-Ito), the baseline first in black.
const COLORS: [RGBColor; 8] = [
    RGBColor(0, 0, 0),
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
    RGBColor(120, 120, 120),
];

/// Colours for a list of backend names: a backend's by its place in
/// [`BackendKind::all`], so it keeps its colour across plots; other names take the
/// colours after the known ones, in order.
pub(super) fn colors(backends: &[String]) -> Vec<RGBColor> {
    let mut unknown = BackendKind::all().len();
    backends
        .iter()
        .map(|b| {
            let known = BackendKind::all().iter().position(|k| k.name() == b);
            let i = known.unwrap_or_else(|| {
                unknown += 1;
                unknown - 1
            });
            COLORS[i % COLORS.len()]
        })
        .collect()
}

/// The title font.
pub(super) fn title() -> TextStyle<'static> {
    (FAMILY, 28).into()
}

/// The font of axis descriptions.
pub(super) fn axis() -> TextStyle<'static> {
    (FAMILY, 22).into()
}

/// The font of tick labels and the legend.
pub(super) fn label() -> TextStyle<'static> {
    (FAMILY, 19).into()
}

/// An integer with thousands separators.
pub(super) fn int(v: f64) -> String {
    crate::report::grid::thousands(v.max(0.0).round() as u64)
}

/// Draws a title and a smaller subtitle across the top of `area`.
pub(super) fn header<DB: plotters::prelude::DrawingBackend>(
    area: &plotters::prelude::DrawingArea<DB, plotters::coord::Shift>,
    title_text: &str,
    subtitle: &str,
) -> Result<(), plotters::drawing::DrawingAreaErrorKind<DB::ErrorType>> {
    area.draw_text(title_text, &title(), (24, 12))?;
    area.draw_text(subtitle, &label(), (24, 46))?;
    Ok(())
}

/// Draws the series legend of `chart` at `position`, in the house style.
pub(super) fn legend<'a, DB, CT>(
    chart: &mut plotters::prelude::ChartContext<'a, DB, CT>,
    position: plotters::prelude::SeriesLabelPosition,
) -> Result<(), plotters::drawing::DrawingAreaErrorKind<DB::ErrorType>>
where
    DB: plotters::prelude::DrawingBackend + 'a,
    CT: plotters::coord::CoordTranslate,
{
    use plotters::style::{Color, BLACK, WHITE};
    chart
        .configure_series_labels()
        .position(position)
        .label_font(label())
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .draw()
}

/// Height of the [`header`] band in pixels.
pub(super) const HEADER: u32 = 72;
