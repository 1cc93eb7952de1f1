//! The canonical catalog: every code paynorm can answer with.
//!
//! The catalog is data (`catalog/catalog.toml`, checked against the seed by `tests/catalog.rs`),
//! compiled into the binary and parsed once on first use. Everything else refers to catalog
//! entries by their numeric code; [`lookup`] turns a code into its category and texts.

use std::collections::HashMap;
use std::fmt;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

/// The catalog data file, embedded at build time.
const CATALOG_TOML: &str = include_str!("../catalog/catalog.toml");

/// The group a catalog code belongs to (the hundreds of the code, mostly).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    /// `100000`: the payment succeeded.
    Success,
    /// `1001xx`: amount and currency.
    Amount,
    /// `1002xx`: account or card.
    Account,
    /// `1003xx`: risk control.
    Risk,
    /// `1004xx`: request parameters and merchant set-up.
    Parameter,
    /// `1006xx`: general transaction errors.
    General,
    /// `100998`: failed for a reason nobody told us.
    Unknown,
    /// `100999`: any other error.
    Uncategorized,
}

impl Category {
    /// The lowercase key used in output and in the catalog file.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Success => "success",
            Category::Amount => "amount",
            Category::Account => "account",
            Category::Risk => "risk",
            Category::Parameter => "parameter",
            Category::General => "general",
            Category::Unknown => "unknown",
            Category::Uncategorized => "uncategorized",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One catalog code with its texts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogEntry {
    /// The six-digit code, e.g. `100100`.
    pub code: u32,
    /// Its category.
    pub category: Category,
    /// English text, as in the seed.
    pub en: String,
    /// Chinese text, as in the seed.
    pub zh: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogFile {
    code: Vec<CatalogEntry>,
}

struct Catalog {
    entries: Vec<CatalogEntry>,
    by_code: HashMap<u32, usize>,
}

static CATALOG: LazyLock<Catalog> = LazyLock::new(|| {
    // The file is part of the binary and checked by tests: failing here is a build defect.
    let file: CatalogFile =
        toml::from_str(CATALOG_TOML).expect("catalog/catalog.toml is embedded and tested");
    let by_code = file
        .code
        .iter()
        .enumerate()
        .map(|(i, e)| (e.code, i))
        .collect();
    Catalog {
        entries: file.code,
        by_code,
    }
});

/// The entry for `code`, if the catalog has it.
pub fn lookup(code: u32) -> Option<&'static CatalogEntry> {
    let catalog = &*CATALOG;
    catalog.by_code.get(&code).map(|&i| &catalog.entries[i])
}

/// Every catalog entry, in catalog order (ascending codes).
pub fn entries() -> &'static [CatalogEntry] {
    &CATALOG.entries
}

/// The code used when a provider's mapping does not say otherwise and nothing matched.
pub const DEFAULT_FALLBACK: u32 = 100999;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_finds_known_codes_and_rejects_others() {
        let e = lookup(100100).unwrap();
        assert_eq!(e.category, Category::Amount);
        assert_eq!(e.en, "Insufficient balance");
        assert_eq!(e.zh, "余额不足");
        assert!(lookup(100500).is_none());
        assert!(lookup(DEFAULT_FALLBACK).is_some());
    }
}
