//! Tables and lists for people (and their JSON forms for tools).

use std::io::{self, Write};
use std::process::ExitCode;

use paynorm::authoring::coverage::Coverage;
use paynorm::{Engine, catalog};
use unicode_width::UnicodeWidthStr;

use super::Outcome;
use super::args::TableFormat;

/// Where a column's text sits in its cell.
#[derive(Clone, Copy)]
enum Align {
    Left,
    Right,
}

/// Writes `rows` (the first one the header) as a table: columns as wide as their widest cell
/// in display width (a CJK character takes two columns), two spaces apart, the last column
/// unpadded.
fn table(out: &mut impl Write, align: &[Align], rows: &[Vec<String>]) -> io::Result<()> {
    let mut widths = vec![0; align.len()];
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(UnicodeWidthStr::width(cell.as_str()));
        }
    }
    for row in rows {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            let last = i + 1 == row.len();
            let pad = widths[i] - UnicodeWidthStr::width(cell.as_str());
            match align[i] {
                Align::Right => {
                    line.extend(std::iter::repeat_n(' ', pad));
                    line.push_str(cell);
                }
                Align::Left => {
                    line.push_str(cell);
                    if !last {
                        line.extend(std::iter::repeat_n(' ', pad));
                    }
                }
            }
            if !last {
                line.push_str("  ");
            }
        }
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

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
            let mut rows = vec![vec![
                "code".into(),
                "category".into(),
                "en".into(),
                "zh".into(),
            ]];
            rows.extend(catalog::entries().iter().map(|e| {
                vec![
                    e.code.to_string(),
                    e.category.to_string(),
                    e.en.to_string(),
                    e.zh.to_string(),
                ]
            }));
            table(&mut out, &[Align::Left; 4], &rows)?;
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
            let mut rows = vec![vec![
                "id".into(),
                "name".into(),
                "entries".into(),
                "source".into(),
            ]];
            rows.extend(providers.iter().map(|p| {
                vec![
                    p.id.to_string(),
                    p.name.to_string(),
                    p.entries.to_string(),
                    p.sources.first().cloned().unwrap_or_default(),
                ]
            }));
            let align = [Align::Left, Align::Left, Align::Right, Align::Left];
            table(&mut out, &align, &rows)?;
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
    let mut rows = vec![
        [
            "provider",
            "entries",
            "reachable",
            "fixtures",
            "unexercised",
            "reference",
        ]
        .map(String::from)
        .to_vec(),
    ];
    rows.extend(reports.iter().map(|r| {
        let reference = r.reference.as_ref().map_or("-".to_string(), |c| {
            format!("{:.1}% ({}/{})", c.percent, c.covered, c.listed)
        });
        vec![
            r.provider.to_string(),
            r.entries.to_string(),
            r.reachable_codes.len().to_string(),
            r.fixtures.to_string(),
            r.unexercised.len().to_string(),
            reference,
        ]
    }));
    let align = [
        Align::Left,
        Align::Right,
        Align::Right,
        Align::Right,
        Align::Right,
        Align::Left,
    ];
    table(&mut out, &align, &rows)?;
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
