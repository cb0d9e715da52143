//! The run directory's name: the date and a host tag from the machine metadata.

use crate::result::Metadata;

/// `YYYY-MM-DD` (UTC) of a Unix timestamp.
pub(super) fn date(unix: u64) -> String {
    let at = i64::try_from(unix).ok();
    at.and_then(|t| time::OffsetDateTime::from_unix_timestamp(t).ok())
        .map_or_else(|| "9999-12-31".to_owned(), |t| t.date().to_string())
}

/// Words of a CPU model name that say nothing about the CPU.
const NOISE: [&str; 7] = [
    "(r)",
    "(tm)",
    "cpu",
    "processor",
    "with",
    "radeon",
    "graphics",
];

/// `<cores>c-<cpu model slug>`, e.g. `2c-amd-epyc` or `8c-xeon-platinum-8375c`.
pub(super) fn host_tag(m: &Metadata) -> String {
    let model = m.cpu_model.split('@').next().unwrap_or("").to_lowercase();
    let mut model = model.replace("(r)", " ").replace("(tm)", " ");
    model = model.replace("intel", " ");
    let words: Vec<String> = model
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '-')
        .map(|w| w.trim_matches('-').to_owned())
        .filter(|w| !w.is_empty() && !NOISE.contains(&w.as_str()))
        .filter(|w| !w.ends_with("-core") && w != "core")
        .take(4)
        .collect();
    let slug = if words.is_empty() {
        "unknown-cpu".to_owned()
    } else {
        words.join("-")
    };
    format!("{}c-{slug}", m.cores)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(date(0), "1970-01-01");
        assert_eq!(date(951_782_400), "2000-02-29");
        assert_eq!(date(1_700_000_000), "2023-11-14");
        assert_eq!(date(u64::MAX), "9999-12-31");
    }

    #[test]
    fn tags() {
        let tag = |model: &str, cores| {
            host_tag(&Metadata {
                cpu_model: model.to_owned(),
                cores,
                ..Metadata::default()
            })
        };
        assert_eq!(tag("AMD EPYC", 2), "2c-amd-epyc");
        assert_eq!(
            tag("Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz", 8),
            "8c-xeon-platinum-8375c"
        );
        assert_eq!(
            tag("AMD EPYC 7B13 64-Core Processor", 4),
            "4c-amd-epyc-7b13"
        );
        assert_eq!(tag("", 1), "1c-unknown-cpu");
    }
}
