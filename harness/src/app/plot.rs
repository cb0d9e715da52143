//! `harness plot`: SVG plots from result files.

use super::inputs::read_results;
use super::Outcome;
use crate::cli::PlotArgs;
use crate::report::plot;

pub(super) fn plot(args: PlotArgs) -> anyhow::Result<Outcome> {
    let results = read_results(&args.files)?;
    let written = plot::write_all(&results, &args.out)?;
    for (path, _) in &written {
        println!("{}", path.display());
    }
    eprintln!(
        "wrote {} plot(s) from {} result(s) to {}",
        written.len(),
        results.len(),
        args.out.display()
    );
    Ok(Outcome::Clean)
}
