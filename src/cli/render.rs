//! Tables and lists for people (and their JSON forms for tools).

use std::io::{self, Write};
use std::process::ExitCode;

use paynorm::authoring::coverage::Coverage;
use paynorm::{Engine, catalog};

use super::Outcome;
use super::args::TableFormat;

pub fn catalog(format: TableFormat) -> Outcome {
    let mut out = io::stdout().lock();
    match format {
        TableFormat::Json => {
            let list: Vec<serde_json::Value> = catalog::entries()
                .iter()
                .map(|e| {
                    serde_json::json!({
                        "code": e.code,
                        "category": e.category,
                        "messages": {"en": e.en, "zh": e.zh},
                    })
                })
                .collect();
            serde_json::to_writer_pretty(&mut out, &list)?;
            writeln!(out)?;
        }
        TableFormat::Table => {
            writeln!(out, "{:<7} {:<14} {:<55} zh", "code", "category", "en")?;
            for e in catalog::entries() {
                writeln!(
                    out,
                    "{:<7} {:<14} {:<55} {}",
                    e.code, e.category, e.en, e.zh
                )?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn providers(engine: &Engine, format: TableFormat) -> Outcome {
    let providers = engine.providers();
    let mut out = io::stdout().lock();
    match format {
        TableFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &providers)?;
            writeln!(out)?;
        }
        TableFormat::Table => {
            writeln!(out, "{:<12} {:<34} {:>7}  source", "id", "name", "entries")?;
            for p in &providers {
                let source = p.sources.first().map(String::as_str).unwrap_or("");
                writeln!(
                    out,
                    "{:<10} {:<34} {:>7}  {source}",
                    p.id, p.name, p.entries
                )?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn coverage(reports: &[Coverage], format: TableFormat) -> io::Result<()> {
    let mut out = io::stdout().lock();
    if let TableFormat::Json = format {
        serde_json::to_writer_pretty(&mut out, reports)?;
        return writeln!(out);
    }
    writeln!(
        out,
        "{:<12} {:>7} {:>9} {:>8} {:>11}  reference",
        "provider", "entries", "reachable", "fixtures", "unexercised"
    )?;
    for r in reports {
        let reference = r.reference.as_ref().map_or("-".to_string(), |c| {
            format!("{:.1}% ({}/{})", c.percent, c.covered, c.listed)
        });
        writeln!(
            out,
            "{:<12} {:>7} {:>9} {:>8} {:>11}  {reference}",
            r.provider,
            r.entries,
            r.reachable_codes.len(),
            r.fixtures,
            r.unexercised.len()
        )?;
    }
    let [r] = reports else { return Ok(()) };
    if let Some(c) = &r.reference
        && !c.missing.is_empty()
    {
        writeln!(
            out,
            "\nlisted codes without an entry ({}):",
            c.missing.len()
        )?;
        for code in &c.missing {
            writeln!(out, "  {code}")?;
        }
    }
    if !r.unexercised.is_empty() {
        writeln!(
            out,
            "\nentries no fixture exercises ({}):",
            r.unexercised.len()
        )?;
        for id in &r.unexercised {
            writeln!(out, "  {id}")?;
        }
    }
    Ok(())
}
