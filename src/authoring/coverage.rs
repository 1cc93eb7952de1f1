//! Coverage of a provider's mapping: what it can answer, what the fixtures exercise, and
//! which codes of a published list have no entry of their own.
//!
//! Reference lists are the TSV files of `reference/`: a header row, then
//! `code<TAB>description<TAB>source`. A listed code is *covered* when one of the provider's
//! fields, after its normalization, finds a table entry or a single-field rule for it.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::Value;

use crate::engine::{Engine, Entry, Error, Provider};
use crate::text;

/// Errors of [`Engine::coverage`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CoverageError {
    /// The provider is not loaded.
    #[error(transparent)]
    Engine(#[from] Error),
    /// `field` names no field of the provider.
    #[error("provider `{0}` has no field `{1}`")]
    UnknownField(String, String),
}

/// One row of a published code list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReferenceRow {
    pub code: String,
    pub description: String,
}

/// Parses a reference TSV (header row first). Errors name the bad line.
pub fn parse_reference(text: &str) -> Result<Vec<ReferenceRow>, String> {
    let mut lines = text.lines().enumerate();
    match lines.next() {
        Some((_, header)) if header.split('\t').next() == Some("code") => {}
        _ => return Err("line 1: expected a header row starting with `code`".into()),
    }
    let mut rows = Vec::new();
    for (i, line) in lines {
        if line.trim().is_empty() {
            continue;
        }
        let mut cols = line.split('\t');
        let code = cols.next().unwrap_or("").trim();
        let description = cols
            .next()
            .ok_or_else(|| format!("line {}: expected code<TAB>description", i + 1))?;
        if code.is_empty() {
            return Err(format!("line {}: empty code", i + 1));
        }
        rows.push(ReferenceRow {
            code: code.to_string(),
            description: description.to_string(),
        });
    }
    Ok(rows)
}

/// A listed code and the entry that covers it.
#[derive(Debug, Clone, Serialize)]
pub struct CoveredRow {
    pub code: String,
    /// Id of the covering entry; `None` when the code has no entry of its own.
    pub entry: Option<String>,
    /// The reference's description.
    pub reference_description: String,
    /// The covering entry's `desc`, to compare with the reference.
    pub entry_description: Option<String>,
}

/// How a published list is covered.
#[derive(Debug, Clone, Serialize)]
pub struct ReferenceCoverage {
    pub listed: usize,
    pub covered: usize,
    /// Covered share in percent, rounded down to one decimal.
    pub percent: f64,
    /// Listed codes with no entry of their own.
    pub missing: Vec<String>,
    /// Listed codes whose entry's `desc` differs from the list's description.
    pub description_differs: Vec<String>,
    pub rows: Vec<CoveredRow>,
}

/// The coverage report of one provider.
#[derive(Debug, Clone, Serialize)]
pub struct Coverage {
    pub provider: String,
    /// Table entries plus rules.
    pub entries: usize,
    /// Entries by the category of their catalog code.
    pub entries_by_category: BTreeMap<&'static str, usize>,
    /// Catalog codes the provider can answer with: its entries, the entries its delegations
    /// reach, and its fallback.
    pub reachable_codes: Vec<u32>,
    /// Fixtures run.
    pub fixtures: usize,
    /// Ids of the provider's entries that no fixture decided.
    pub unexercised: Vec<String>,
    pub reference: Option<ReferenceCoverage>,
}

impl Engine {
    /// Builds the coverage report of `provider`, running `fixtures` (raw responses of that
    /// provider) and checking `reference` (a published list) when given. With `field`, only
    /// that field's entries count as covering the list (a provider with one list per field).
    pub fn coverage(
        &self,
        provider: &str,
        fixtures: &[Value],
        reference: Option<&[ReferenceRow]>,
        field: Option<&str>,
    ) -> Result<Coverage, CoverageError> {
        let &pi = self
            .inner
            .by_id
            .get(provider)
            .ok_or_else(|| Error::UnknownProvider(provider.to_string()))?;
        let p = &self.inner.providers[pi];
        if let Some(f) = field
            && !p.fields.iter().any(|x| x.name == f)
        {
            return Err(CoverageError::UnknownField(
                provider.to_string(),
                f.to_string(),
            ));
        }

        let mut reachable = BTreeSet::from([p.fallback.code]);
        let mut seen = BTreeSet::new();
        self.collect_reachable(pi, &mut reachable, &mut seen);

        let mut hit = BTreeSet::new();
        for response in fixtures {
            if let Some(rule) = self.normalize(provider, response)?.rule {
                hit.insert(rule.to_string());
            }
        }
        let unexercised = own_entries(p)
            .map(|e| e.id.clone())
            .filter(|id| !hit.contains(id))
            .collect();

        let reference = reference.map(|rows| reference_coverage(p, rows, field));

        Ok(Coverage {
            provider: p.id.clone(),
            entries: own_entries(p).count(),
            entries_by_category: own_entries(p).fold(BTreeMap::new(), |mut m, e| {
                *m.entry(e.catalog.category.as_str()).or_default() += 1;
                m
            }),
            reachable_codes: reachable.into_iter().collect(),
            fixtures: fixtures.len(),
            unexercised,
            reference,
        })
    }

    fn collect_reachable(
        &self,
        pi: usize,
        codes: &mut BTreeSet<u32>,
        seen: &mut BTreeSet<(usize, usize)>,
    ) {
        let p = &self.inner.providers[pi];
        codes.extend(own_entries(p).map(|e| e.catalog.code));
        for field in &p.fields {
            if let Some(r) = field.delegate
                && seen.insert((r.provider, r.field))
            {
                let target = &self.inner.providers[r.provider];
                let f = &target.fields[r.field];
                codes.extend(f.table.values().map(|e| e.catalog.code));
                codes.extend(
                    f.single_field_rules
                        .iter()
                        .map(|&ri| target.rules[ri].entry.catalog.code),
                );
            }
        }
    }
}

/// How `p`'s entries (only `field`'s, when given) cover a published list.
fn reference_coverage(
    p: &Provider,
    rows: &[ReferenceRow],
    field: Option<&str>,
) -> ReferenceCoverage {
    let rows: Vec<CoveredRow> = rows
        .iter()
        .map(|row| {
            let entry = covering_entry(p, &row.code, field);
            CoveredRow {
                code: row.code.clone(),
                entry: entry.map(|e| e.id.clone()),
                reference_description: row.description.clone(),
                entry_description: entry.map(|e| e.desc.clone()),
            }
        })
        .collect();
    let covered = rows.iter().filter(|r| r.entry.is_some()).count();
    let listed = rows.len();
    ReferenceCoverage {
        listed,
        covered,
        percent: if listed == 0 {
            100.0
        } else {
            (covered as f64 * 1000.0 / listed as f64).floor() / 10.0
        },
        missing: rows
            .iter()
            .filter(|r| r.entry.is_none())
            .map(|r| r.code.clone())
            .collect(),
        description_differs: rows
            .iter()
            .filter(|r| {
                r.entry_description
                    .as_ref()
                    .is_some_and(|d| *d != r.reference_description)
            })
            .map(|r| r.code.clone())
            .collect(),
        rows,
    }
}

/// Every entry of a provider: rules in file order, then table entries by field and key.
fn own_entries(p: &Provider) -> impl Iterator<Item = &Entry> {
    let mut tables: Vec<&Entry> = p.fields.iter().flat_map(|f| f.table.values()).collect();
    tables.sort_by(|a, b| a.id.cmp(&b.id));
    p.rules.iter().map(|r| &r.entry).chain(tables)
}

/// The entry a raw code would hit in some field of `p`, looked at on its own.
fn covering_entry<'e>(p: &'e Provider, code: &str, only: Option<&str>) -> Option<&'e Entry> {
    let mut fields = p.fields.iter().filter(|f| only.is_none_or(|o| f.name == o));
    fields.find_map(|field| {
        let value = text::apply(&field.steps, code)?;
        field.table.get(value.as_ref()).or_else(|| {
            field
                .single_field_rules
                .iter()
                .map(|&ri| &p.rules[ri])
                .find(|r| r.conditions.iter().all(|(_, m)| m.matches(&value)))
                .map(|r| &r.entry)
        })
    })
}
