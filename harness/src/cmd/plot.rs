//! `harness plot`: SVG plots from result files.

use super::Outcome;
use crate::plan::PlotPlan;
use crate::report::plot;
use crate::result::read_results;

pub(super) fn plot(plan: PlotPlan) -> anyhow::Result<Outcome> {
    let results = read_results(&plan.files)?;
    let written = plot::write_all(&results, &plan.out)?;
    for (path, _) in &written {
        println!("{}", path.display());
    }
    eprintln!(
        "wrote {} plot(s) from {} result(s) to {}",
        written.len(),
        results.len(),
        plan.out.display()
    );
    Ok(Outcome::Clean)
}
