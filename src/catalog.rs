//! The canonical catalog: every code paynorm can answer with.
//!
//! The catalog is data (`catalog/catalog.toml`, checked against the seed by `tests/catalog.rs`),
//! compiled into the binary and parsed once on first use. Everything else refers to catalog
//! entries by their numeric code; [`lookup`] turns a code into its category and texts.

use std::collections::HashMap;
use std::fmt;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use crate::vocab::{Action, DeclineType, Outcome};

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
    /// Default decline type (layer 4 of `docs/decisions.md`); `None` only for `100000`.
    #[serde(default)]
    pub decline_type: Option<DeclineType>,
    /// Default next action (layer 4).
    pub action: Action,
    /// `generic` when the text must never reach a shopper (lost, stolen, fraud, risk, the
    /// merchant's own set-up): the customer message is then the text of [`GENERIC_CUSTOMER_CODE`].
    #[serde(default)]
    pub customer_message: CustomerMessage,
    /// The outcome when the deciding entry does not set one; absent in the file, it follows
    /// the category (see [`CatalogEntry::outcome`]).
    #[serde(default, rename = "outcome")]
    pub outcome_override: Option<Outcome>,
}

/// Whether a code's own text may be shown to the shopper.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CustomerMessage {
    /// The code's own text.
    #[default]
    Own,
    /// The generic text of [`GENERIC_CUSTOMER_CODE`].
    Generic,
}

/// The code whose text stands in for texts a shopper must not see.
pub const GENERIC_CUSTOMER_CODE: u32 = 100998;

/// The language of output texts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Lang {
    /// English (the default).
    #[default]
    En,
    /// Simplified Chinese.
    Zh,
}

impl Lang {
    /// Chooses a language from a BCP-47 tag: primary subtag `zh` → Chinese, except
    /// Traditional-script tags (`zh-Hant`, or a region `TW`, `HK`, `MO` without the script
    /// `Hans`), for which the catalog has no text; everything else → English.
    pub fn from_tag(tag: &str) -> Lang {
        let parts: Vec<String> = tag
            .split(['-', '_'])
            .map(|p| p.to_ascii_lowercase())
            .collect();
        if parts.first().map(String::as_str) != Some("zh") {
            return Lang::En;
        }
        // The script decides when given (`zh-Hans-HK` is simplified); without one, the
        // regions that write traditional characters imply `Hant`.
        let has = |subtags: &[&str]| parts[1..].iter().any(|p| subtags.contains(&p.as_str()));
        if has(&["hans"]) {
            Lang::Zh
        } else if has(&["hant", "tw", "hk", "mo"]) {
            Lang::En
        } else {
            Lang::Zh
        }
    }
}

impl CatalogEntry {
    /// The default outcome of the code: its own `outcome` in the catalog file, else by
    /// category: `success` approved; `parameter`, `unknown` (100998) and `uncategorized`
    /// (100999) error; `amount`, `account`, `risk` and `general` declined.
    pub fn outcome(&self) -> Outcome {
        self.outcome_override.unwrap_or(match self.category {
            Category::Success => Outcome::Approved,
            Category::Parameter | Category::Unknown | Category::Uncategorized => Outcome::Error,
            Category::Amount | Category::Account | Category::Risk | Category::General => {
                Outcome::Declined
            }
        })
    }

    /// The entry's text in `lang`.
    pub fn text(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::Zh => &self.zh,
        }
    }

    /// The text safe to show the shopper, in `lang`.
    pub fn customer_text(&self, lang: Lang) -> &'static str {
        let entry = match self.customer_message {
            CustomerMessage::Own => lookup(self.code),
            CustomerMessage::Generic => lookup(GENERIC_CUSTOMER_CODE),
        };
        entry
            .expect("catalog codes and the generic code exist")
            .text(lang)
    }
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

/// The position of `code` in [`entries`], for tables indexed like the catalog.
pub(crate) fn index_of(code: u32) -> Option<usize> {
    CATALOG.by_code.get(&code).copied()
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
    fn language_tags() {
        for tag in [
            "zh",
            "zh-CN",
            "zh-Hans",
            "ZH-hans-cn",
            "zh_SG",
            "zh-Hans-HK",
            "zh-Hans-TW",
        ] {
            assert_eq!(Lang::from_tag(tag), Lang::Zh, "{tag}");
        }
        for tag in [
            "en",
            "en-US",
            "fr",
            "",
            "zh-TW",
            "zh-Hant",
            "zh-HK",
            "zh-Hant-CN",
            "zh-MO",
            "chinese",
            "z",
        ] {
            assert_eq!(Lang::from_tag(tag), Lang::En, "{tag}");
        }
    }

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
