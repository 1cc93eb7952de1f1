//! Property tests: whatever the input, paynorm answers and never panics.
//!
//! - (a) arbitrary JSON, with keys taken from the built-in mappings' own paths, through
//!   `normalize` of every built-in provider: always `Ok`, always a catalog code;
//! - (b) arbitrary strings at every field path of every built-in provider: `Ok`, a catalog
//!   code, `raw` echoes what was read, and the result is deterministic (twice on one engine,
//!   and on a second engine compiled independently from the same files);
//! - (c) arbitrary bytes as one batch line: exactly one output line, valid JSON, either a
//!   `code` or an `error`;
//! - (d) arbitrary bytes and mutated real mapping files through `validate_file` (and the
//!   whole loader): `Ok` or `Err`, never a panic; every diagnostic's span lies inside its
//!   file and on char boundaries;
//! - (e) `batch::run` over arbitrary input with `\n`, `\r\n` or no final line end: one output
//!   line per input line, as `batch::read_line_bounded` defines lines.
//!
//! The field names, paths and raw values come from `mappings/*.toml` at test time, so the
//! generators follow the mappings as they change. `PROPTEST_CASES` sets the case count
//! (default 256 here; each case of (a) and (b) runs every provider).

use std::io::BufReader;
use std::ops::Range;
use std::path::Path;
use std::sync::LazyLock;

use paynorm::batch::{self, BatchOptions};
use paynorm::diagnostic::SourceFile;
use paynorm::validate::validate_file;
use paynorm::{Engine, Lang, catalog};
use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::{Map, Value};

// ---------------------------------------------------------------------------------------
// What the built-in mappings read

/// One built-in mapping file, as far as the generators need it.
struct Mapping {
    file: String,
    text: String,
    id: String,
    /// Fields in declaration order.
    fields: Vec<FieldInfo>,
}

/// One `[[field]]` of a built-in mapping.
struct FieldInfo {
    name: String,
    /// JSON pointers, in order.
    paths: Vec<String>,
    /// Raw values the field knows: its values-table keys, the texts of rule conditions on it,
    /// and those of the field it delegates to.
    values: Vec<String>,
}

/// Every string (and integer, as text) inside a TOML value.
fn toml_strings(v: &toml::Value, out: &mut Vec<String>) {
    match v {
        toml::Value::String(s) => out.push(s.clone()),
        toml::Value::Array(a) => a.iter().for_each(|x| toml_strings(x, out)),
        toml::Value::Table(t) => t.values().for_each(|x| toml_strings(x, out)),
        toml::Value::Integer(i) => out.push(i.to_string()),
        _ => {}
    }
}

static MAPPINGS: LazyLock<Vec<Mapping>> = LazyLock::new(|| {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("mappings");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("mappings/ exists")
        .map(|e| e.expect("readable mappings/ entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    // (mapping, delegate target per field), targets resolved once every file is read.
    let mut delegates: Vec<Vec<Option<(String, String)>>> = Vec::new();
    let mut mappings: Vec<Mapping> = files
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).expect("readable mapping file");
            let table: toml::Table = toml::from_str(&text).expect("built-in mapping is TOML");
            let id = table["provider"]["id"]
                .as_str()
                .expect("provider.id")
                .to_string();
            let str_of = |v: &toml::Value, k: &str| v[k].as_str().expect(k).to_string();
            let raw_fields = table.get("field").and_then(|f| f.as_array());
            let mut fields = Vec::new();
            let mut targets = Vec::new();
            for f in raw_fields.into_iter().flatten() {
                let name = str_of(f, "name");
                let paths = f["paths"]
                    .as_array()
                    .expect("field.paths")
                    .iter()
                    .map(|p| p.as_str().expect("a path is a string").to_string())
                    .collect();
                let mut values = Vec::new();
                if let Some(t) = table
                    .get("values")
                    .and_then(|v| v.get(&name))
                    .and_then(|t| t.as_table())
                {
                    values.extend(t.keys().cloned());
                }
                for rule in table
                    .get("rule")
                    .and_then(|r| r.as_array())
                    .into_iter()
                    .flatten()
                {
                    if let Some(cond) = rule.get("when").and_then(|w| w.get(&name)) {
                        toml_strings(cond, &mut values);
                    }
                }
                targets.push(
                    f.get("delegate")
                        .map(|d| (str_of(d, "provider"), str_of(d, "field"))),
                );
                fields.push(FieldInfo {
                    name,
                    paths,
                    values,
                });
            }
            delegates.push(targets);
            Mapping {
                file: format!("mappings/{}", path.file_name().unwrap().to_string_lossy()),
                text,
                id,
                fields,
            }
        })
        .collect();
    // A delegating field also knows the values of the field it delegates to (one level is
    // enough for the built-in set).
    for (mi, targets) in delegates.iter().enumerate() {
        for (fi, target) in targets.iter().enumerate() {
            let Some((provider, field)) = target else {
                continue;
            };
            let extra: Vec<String> = mappings
                .iter()
                .filter(|m| &m.id == provider)
                .flat_map(|m| m.fields.iter().filter(|f| &f.name == field))
                .flat_map(|f| f.values.iter().cloned())
                .collect();
            mappings[mi].fields[fi].values.extend(extra);
        }
    }
    for f in mappings.iter_mut().flat_map(|m| m.fields.iter_mut()) {
        f.values.sort();
        f.values.dedup();
    }
    mappings
});

/// Every raw value the mappings know.
static KNOWN_VALUES: LazyLock<Vec<String>> = LazyLock::new(|| {
    let mut out: Vec<String> = MAPPINGS
        .iter()
        .flat_map(|m| m.fields.iter().flat_map(|f| f.values.iter().cloned()))
        .collect();
    out.sort();
    out.dedup();
    assert!(!out.is_empty(), "the built-in mappings have values");
    out
});

/// Every segment of every field path (`error`, `decline_code`, `39`, `details`, `0`, ...).
static KEYS: LazyLock<Vec<String>> = LazyLock::new(|| {
    let mut keys: Vec<String> = all_paths()
        .iter()
        .flat_map(|p| segments(p))
        .chain(["id", "provider", "response", "context"].map(String::from))
        .collect();
    keys.sort();
    keys.dedup();
    keys
});

fn all_paths() -> Vec<String> {
    MAPPINGS
        .iter()
        .flat_map(|m| m.fields.iter().flat_map(|f| f.paths.iter().cloned()))
        .collect()
}

/// RFC 6901 reference tokens of a pointer, unescaped.
fn segments(pointer: &str) -> Vec<String> {
    pointer
        .split('/')
        .skip(1)
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect()
}

fn provider_ids() -> Vec<String> {
    MAPPINGS.iter().map(|m| m.id.clone()).collect()
}

static ENGINE: LazyLock<Engine> =
    LazyLock::new(|| Engine::builtin().expect("built-in mappings are valid"));

/// A second engine compiled from the same files (its hash maps have other seeds).
static ENGINE2: LazyLock<Engine> = LazyLock::new(|| {
    Engine::from_sources(builtin_sources(), Vec::new()).expect("built-in mappings are valid")
});

fn builtin_sources() -> Vec<SourceFile> {
    MAPPINGS
        .iter()
        .map(|m| SourceFile {
            name: m.file.clone(),
            text: m.text.clone(),
        })
        .collect()
}

fn config() -> ProptestConfig {
    // `ProptestConfig::default()` reads PROPTEST_CASES; keep our own default modest.
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(256);
    ProptestConfig {
        cases,
        // Shrinking a failure of these generators can take long; a bounded search is enough.
        max_shrink_iters: 2048,
        ..ProptestConfig::default()
    }
}

// ---------------------------------------------------------------------------------------
// Generators

/// Strings that stress normalization: any chars (NUL, controls, any plane), white space,
/// case-changing letters, digits with signs, and the mappings' own values, perturbed.
fn any_string() -> BoxedStrategy<String> {
    let known = prop::sample::select(KNOWN_VALUES.clone());
    prop_oneof![
        3 => prop::collection::vec(any::<char>(), 0..12).prop_map(String::from_iter),
        2 => "[ \t\r\n\u{0}\u{b}\u{c}\u{85}\u{a0}\u{2028}\u{3000}\u{feff}]{0,4}",
        2 => "[+-]?[0-9]{0,25}",
        1 => "[İıßﬃǅΣςẞK̊Å]{1,4}",
        1 => "\\PC{0,16}",
        4 => known.clone(),
        3 => (known, any::<u8>()).prop_map(|(v, how)| perturb(&v, how | 4)),
    ]
    .boxed()
}

/// A known value, mostly as it is (`how` < 4), else changed the way raw answers differ from
/// the tables: case, padding, an ISO code with its text after it.
fn perturb(v: &str, how: u8) -> String {
    match how % 12 {
        0..4 => v.to_string(),
        4 => v.to_uppercase(),
        5 => v.to_lowercase(),
        6 => format!(" {v} "),
        7 => format!("{v} : some text"),
        8 => format!("0{v}"),
        9 => v.trim_start_matches('0').to_string(),
        10 => format!("{v}{v}"),
        _ => v.chars().rev().collect(),
    }
}

fn any_number() -> BoxedStrategy<Value> {
    prop_oneof![
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (-1000i64..1000).prop_map(Value::from),
        any::<f64>().prop_map(Value::from), // NaN and infinities become null
        prop::sample::select(vec![0.0, -0.0, 51.0, 5e-324, 1e300, -1e-7, 1.5])
            .prop_map(Value::from),
    ]
    .boxed()
}

fn json_leaf() -> BoxedStrategy<Value> {
    prop_oneof![
        1 => Just(Value::Null),
        1 => any::<bool>().prop_map(Value::Bool),
        2 => any_number(),
        4 => any_string().prop_map(Value::String),
    ]
    .boxed()
}

/// An object key: mostly the mappings' own path segments.
fn key() -> BoxedStrategy<String> {
    prop_oneof![
        4 => prop::sample::select(KEYS.clone()),
        1 => any_string(),
    ]
    .boxed()
}

fn json_value() -> BoxedStrategy<Value> {
    json_leaf()
        .prop_recursive(5, 64, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::vec((key(), inner), 0..6)
                    .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
            ]
        })
        .boxed()
}

/// Sets `leaf` at `segs` below `slot`, making objects (or, with `arrays`, arrays for small
/// index segments) on the way. The root stays an object.
fn insert_at(slot: &mut Value, segs: &[String], leaf: Value, arrays: bool, depth: usize) {
    let Some((first, rest)) = segs.split_first() else {
        *slot = leaf;
        return;
    };
    let index = first
        .parse::<usize>()
        .ok()
        .filter(|&i| arrays && depth > 0 && i < 16 && (first == "0" || !first.starts_with('0')));
    match index {
        Some(i) => {
            if !slot.is_array() {
                *slot = Value::Array(Vec::new());
            }
            let a = slot.as_array_mut().unwrap();
            while a.len() <= i {
                a.push(Value::Null);
            }
            insert_at(&mut a[i], rest, leaf, arrays, depth + 1);
        }
        None => {
            if !slot.is_object() {
                *slot = Value::Object(Map::new());
            }
            let m = slot.as_object_mut().unwrap();
            let next = m.entry(first.clone()).or_insert(Value::Null);
            insert_at(next, rest, leaf, arrays, depth + 1);
        }
    }
}

/// One value planted at a field's path.
#[derive(Debug, Clone)]
struct Plant {
    /// A field of the response's provider, else of any provider.
    own: bool,
    field: Index,
    path: Index,
    value: Index,
    /// 0..4: a known value of the field, as text (perturbed by `perturb`); 4: as a number
    /// when it is one; else `other`.
    kind: u8,
    perturb: u8,
    other: Value,
    arrays: bool,
}

fn plant() -> impl Strategy<Value = Plant> {
    (
        prop::bool::weighted(0.8),
        (any::<Index>(), any::<Index>(), any::<Index>()),
        (0..7u8, any::<u8>()),
        json_value(),
        any::<bool>(),
    )
        .prop_map(
            |(own, (field, path, value), (kind, perturb), other, arrays)| Plant {
                own,
                field,
                path,
                value,
                kind,
                perturb,
                other,
                arrays,
            },
        )
}

/// A response shaped like the real ones: values planted at the mappings' paths (mostly the
/// fields of one provider, mostly values those fields know), over an arbitrary base object.
fn planted_response() -> BoxedStrategy<Value> {
    (
        any::<Index>(),
        prop::collection::vec(plant(), 0..8),
        prop::collection::vec((key(), json_value()), 0..3),
    )
        .prop_map(|(provider, plants, base)| {
            let mut v = Value::Object(base.into_iter().collect());
            let own = &MAPPINGS[provider.index(MAPPINGS.len())].fields;
            let all: Vec<&FieldInfo> = MAPPINGS.iter().flat_map(|m| m.fields.iter()).collect();
            for p in plants {
                let f = if p.own {
                    &own[p.field.index(own.len())]
                } else {
                    all[p.field.index(all.len())]
                };
                let path = &f.paths[p.path.index(f.paths.len())];
                let known =
                    (!f.values.is_empty()).then(|| &f.values[p.value.index(f.values.len())]);
                let leaf = match (p.kind, known) {
                    (0..4, Some(k)) => Value::String(perturb(k, p.perturb)),
                    (4, Some(k)) => k
                        .parse::<i64>()
                        .map(Value::from)
                        .unwrap_or_else(|_| Value::String(k.clone())),
                    _ => p.other,
                };
                insert_at(&mut v, &segments(path), leaf, p.arrays, 0);
            }
            v
        })
        .boxed()
}

/// A batch input line as a JSON value: mostly well-formed, with odd parts.
fn json_line() -> BoxedStrategy<Value> {
    let provider = prop_oneof![
        4 => prop::sample::select(provider_ids()).prop_map(Value::String),
        1 => json_leaf(),
    ];
    let response = prop_oneof![
        4 => planted_response(),
        1 => json_value(),
    ];
    let context = prop_oneof![
        6 => Just(None),
        1 => Just(Some(Value::Null)),
        4 => (
            prop::option::of(prop_oneof![
                2 => Just(Value::from("customer")),
                2 => Just(Value::from("merchant")),
                1 => json_leaf(),
            ]),
            prop::option::of(prop_oneof![
                prop::sample::select(vec!["visa", "mastercard", "amex", "discover", "VISA"])
                    .prop_map(Value::from),
                json_leaf(),
            ]),
            prop::option::weighted(0.1, (key(), json_leaf())),
        )
            .prop_map(|(initiator, network, extra)| {
                let mut m = Map::new();
                if let Some(i) = initiator {
                    m.insert("initiator".into(), i);
                }
                if let Some(n) = network {
                    m.insert("network".into(), n);
                }
                if let Some((k, v)) = extra {
                    m.insert(k, v);
                }
                Some(Value::Object(m))
            }),
        1 => json_value().prop_map(Some),
    ];
    let id = prop_oneof![
        4 => json_leaf(),
        1 => json_value(),
    ];
    (
        prop::option::weighted(0.95, provider),
        prop::option::weighted(0.95, response),
        prop::option::weighted(0.7, id),
        context,
    )
        .prop_map(|(provider, response, id, context)| {
            let mut m = Map::new();
            if let Some(id) = id {
                m.insert("id".into(), id);
            }
            if let Some(p) = provider {
                m.insert("provider".into(), p);
            }
            if let Some(r) = response {
                m.insert("response".into(), r);
            }
            if let Some(c) = context {
                m.insert("context".into(), c);
            }
            Value::Object(m)
        })
        .boxed()
}

/// A batch line written member by member, so keys can repeat (`"provider"` twice...) and
/// white space sits anywhere: what a typed fast-path parser and a `Value` parser may read
/// differently.
fn raw_object_line() -> BoxedStrategy<Vec<u8>> {
    let member_key = prop_oneof![
        3 => prop::sample::select(vec!["id", "provider", "response", "context"]).prop_map(String::from),
        1 => key(),
    ];
    let member_value = prop_oneof![
        2 => prop::sample::select(provider_ids()).prop_map(Value::String),
        3 => planted_response(),
        2 => json_value(),
    ];
    (
        prop::collection::vec((member_key, member_value), 0..7),
        prop::sample::select(vec!["", " ", "\t", "\r", "  \t "]),
    )
        .prop_map(|(members, ws)| {
            let members: Vec<String> = members
                .iter()
                .map(|(k, v)| format!("{ws}{}{ws}:{ws}{v}{ws}", Value::from(k.as_str())))
                .collect();
            format!("{ws}{{{}}}{ws}", members.join(",")).into_bytes()
        })
        .boxed()
}

/// A byte-level edit of a text.
#[derive(Debug, Clone)]
enum Mutation {
    Truncate(Index),
    FlipBit(Index, u8),
    Insert(Index, u8),
    Delete(Index, usize),
    DeleteLine(Index),
    DuplicateLine(Index),
    SwapLines(Index, Index),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let interesting = prop_oneof![
        prop::sample::select(b"[]{}=,.\"'\\#\n\r\t 0aZ-_+~\xff\xc3".to_vec()),
        any::<u8>(),
    ];
    prop_oneof![
        1 => any::<Index>().prop_map(Mutation::Truncate),
        2 => (any::<Index>(), 0..8u8).prop_map(|(i, b)| Mutation::FlipBit(i, b)),
        2 => (any::<Index>(), interesting).prop_map(|(i, b)| Mutation::Insert(i, b)),
        1 => (any::<Index>(), 1..16usize).prop_map(|(i, n)| Mutation::Delete(i, n)),
        2 => any::<Index>().prop_map(Mutation::DeleteLine),
        2 => any::<Index>().prop_map(Mutation::DuplicateLine),
        1 => (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
    ]
}

fn apply_mutation(bytes: &mut Vec<u8>, m: &Mutation) {
    let lines = |bytes: &[u8]| -> Vec<Vec<u8>> {
        bytes
            .split_inclusive(|&b| b == b'\n')
            .map(<[u8]>::to_vec)
            .collect()
    };
    match m {
        Mutation::Truncate(i) => {
            let at = i.index(bytes.len() + 1);
            bytes.truncate(at);
        }
        Mutation::FlipBit(i, bit) if !bytes.is_empty() => {
            let at = i.index(bytes.len());
            bytes[at] ^= 1 << bit;
        }
        Mutation::Insert(i, b) => {
            let at = i.index(bytes.len() + 1);
            bytes.insert(at, *b);
        }
        Mutation::Delete(i, n) if !bytes.is_empty() => {
            let at = i.index(bytes.len());
            let end = (at + n).min(bytes.len());
            bytes.drain(at..end);
        }
        Mutation::DeleteLine(i) | Mutation::DuplicateLine(i) if !bytes.is_empty() => {
            let mut ls = lines(bytes);
            let at = i.index(ls.len());
            if matches!(m, Mutation::DeleteLine(_)) {
                ls.remove(at);
            } else {
                let l = ls[at].clone();
                ls.insert(at, l);
            }
            *bytes = ls.concat();
        }
        Mutation::SwapLines(a, b) if !bytes.is_empty() => {
            let mut ls = lines(bytes);
            let (a, b) = (a.index(ls.len()), b.index(ls.len()));
            ls.swap(a, b);
            *bytes = ls.concat();
        }
        _ => {}
    }
}

/// The text of a real mapping file after some edits (lossy UTF-8, as a reader would make
/// of it), with the file's name.
fn mutated_mapping() -> BoxedStrategy<(String, String)> {
    (any::<Index>(), prop::collection::vec(mutation(), 1..5))
        .prop_map(|(which, edits)| {
            let m = &MAPPINGS[which.index(MAPPINGS.len())];
            let mut bytes = m.text.clone().into_bytes();
            for e in &edits {
                apply_mutation(&mut bytes, e);
            }
            (
                format!("mutated/{}", m.file),
                String::from_utf8_lossy(&bytes).into_owned(),
            )
        })
        .boxed()
}

// ---------------------------------------------------------------------------------------
// Checks

fn check_normalized(provider: &str, response: &Value) -> Result<(), TestCaseError> {
    let r = ENGINE.normalize(provider, response);
    prop_assert!(r.is_ok(), "{provider}: {r:?} for {response}");
    let r = r.unwrap();
    prop_assert!(
        catalog::lookup(r.code).is_some(),
        "{provider}: code {} is not in the catalog, for {response}",
        r.code
    );
    prop_assert_eq!(r.provider, provider);
    Ok(())
}

fn check_span(text: &str, span: &Range<usize>) -> bool {
    span.start <= span.end
        && span.end <= text.len()
        && text.is_char_boundary(span.start)
        && text.is_char_boundary(span.end)
}

/// Every diagnostic of `validate_file(name, text)` is for `name` and has a good span.
fn check_validate(name: &str, text: &str) -> Result<(), TestCaseError> {
    match validate_file(name, text) {
        Ok(spec) => prop_assert_eq!(spec.file, name),
        Err(diags) => {
            prop_assert!(!diags.is_empty(), "Err without a diagnostic");
            for d in &diags {
                prop_assert_eq!(&d.file, name);
                if let Some(span) = &d.span {
                    prop_assert!(
                        check_span(text, span),
                        "span {:?} of {} [{}] is outside the text or not on char boundaries (len {})",
                        span,
                        d.message,
                        d.code,
                        text.len()
                    );
                }
            }
        }
    }
    Ok(())
}

/// The whole loader over the built-ins plus `overlay`: an engine that answers, or
/// diagnostics that render.
fn check_load(name: &str, text: &str) -> Result<(), TestCaseError> {
    let overlay = vec![SourceFile {
        name: name.to_string(),
        text: text.to_string(),
    }];
    match Engine::from_sources(builtin_sources(), overlay) {
        Ok(engine) => {
            for m in MAPPINGS.iter() {
                let r = engine.normalize(&m.id, &serde_json::json!({"39": "51", "error": {}}));
                if let Ok(r) = r {
                    prop_assert!(catalog::lookup(r.code).is_some());
                }
            }
        }
        Err(diags) => {
            prop_assert!(!diags.is_empty());
            for d in &diags.items {
                let Some(span) = &d.span else { continue };
                let source = diags.sources.iter().find(|s| s.name == d.file);
                prop_assert!(source.is_some(), "no source for {}", d.file);
                prop_assert!(
                    check_span(&source.unwrap().text, span),
                    "span {:?} of {} [{}] in {}",
                    span,
                    d.message,
                    d.code,
                    d.file
                );
            }
            let rendered = diags.to_string();
            prop_assert!(!rendered.is_empty());
            let json = diags.to_json();
            prop_assert!(
                json.as_array()
                    .is_some_and(|a| a.len() == diags.items.len())
            );
        }
    }
    Ok(())
}

/// One output record of a batch, parsed; checks the shape every record has.
fn check_record(line: &[u8], line_no: u64) -> Result<Map<String, Value>, TestCaseError> {
    let value: Value = match serde_json::from_slice(line) {
        Ok(v) => v,
        Err(e) => {
            return Err(TestCaseError::fail(format!(
                "output is not JSON ({e}): {}",
                String::from_utf8_lossy(line)
            )));
        }
    };
    let Value::Object(obj) = value else {
        return Err(TestCaseError::fail(format!("not an object: {value}")));
    };
    let has_code = obj.contains_key("code");
    let has_error = obj.contains_key("error");
    prop_assert!(has_code != has_error, "code xor error: {:?}", obj);
    if has_code {
        let code = obj["code"].as_u64();
        prop_assert!(
            code.is_some_and(|c| u32::try_from(c).ok().and_then(catalog::lookup).is_some()),
            "not a catalog code: {:?}",
            obj
        );
    } else {
        prop_assert_eq!(obj.get("line").and_then(Value::as_u64), Some(line_no));
        prop_assert!(obj["error"]["kind"].is_string(), "{:?}", obj);
        prop_assert!(obj["error"]["message"].is_string(), "{:?}", obj);
    }
    Ok(obj)
}

fn options(max_line_bytes: usize, lang: &str) -> BatchOptions {
    BatchOptions {
        max_line_bytes,
        lang: Lang::from_tag(lang),
        ..BatchOptions::default()
    }
}

/// Lines as `read_line_bounded` defines them: split at `\n`; a line ended by `\n` loses one
/// trailing `\r`; a last line without a line end counts (and loses a trailing `\r` too).
/// Returns (content, whether a final unterminated `\r` was removed).
fn split_lines(input: &[u8]) -> Vec<(&[u8], bool)> {
    if input.is_empty() {
        return Vec::new();
    }
    let mut parts: Vec<&[u8]> = input.split(|&b| b == b'\n').collect();
    if input.ends_with(b"\n") {
        parts.pop(); // the empty piece after the last line end
    }
    let n = parts.len();
    parts
        .into_iter()
        .enumerate()
        .map(|(i, p)| {
            let terminated = i + 1 < n || input.ends_with(b"\n");
            match p.strip_suffix(b"\r") {
                Some(stripped) => (stripped, !terminated),
                None => (p, false),
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// The properties

proptest! {
    #![proptest_config(config())]

    /// (a) Arbitrary JSON through every built-in provider.
    #[test]
    fn normalize_any_json_gives_a_catalog_code(response in json_value()) {
        for m in MAPPINGS.iter() {
            check_normalized(&m.id, &response)?;
        }
    }

    /// (a) Arbitrary values planted at the mappings' real paths.
    #[test]
    fn normalize_planted_json_gives_a_catalog_code(response in planted_response()) {
        for m in MAPPINGS.iter() {
            check_normalized(&m.id, &response)?;
        }
    }

    /// (b) Arbitrary strings at every path of every field of every provider.
    #[test]
    fn normalize_strings_at_every_path_is_deterministic(
        strings in prop::collection::vec((any_string(), any::<Index>(), any::<u8>()), 1..24),
        present in any::<u64>(),
        arrays in any::<bool>(),
    ) {
        for m in MAPPINGS.iter() {
            let mut response = Value::Object(Map::new());
            let mut k = 0usize;
            for f in &m.fields {
                for path in &f.paths {
                    // Most paths get a value; `present` leaves some out, so later paths and
                    // fields are reached too. Half the strings are values the field knows.
                    if (present >> (k % 64)) & 3 != 0 {
                        let (any, which, how) = &strings[k % strings.len()];
                        let s = if f.values.is_empty() || how % 2 == 0 {
                            any.clone()
                        } else {
                            perturb(&f.values[which.index(f.values.len())], how / 2)
                        };
                        insert_at(&mut response, &segments(path), Value::String(s), arrays, 0);
                    }
                    k += 1;
                }
            }
            check_normalized(&m.id, &response)?;
            let first = ENGINE.normalize(&m.id, &response).unwrap();
            let again = ENGINE.normalize(&m.id, &response).unwrap();
            prop_assert_eq!(&first, &again, "same engine, same input");
            let other = ENGINE2.normalize(&m.id, &response).unwrap();
            prop_assert_eq!(&first, &other, "independently compiled engine");
            // `raw` is the text read, before normalization. A `*` token matches array elements
            // only, while `insert_at` plants an object key "*" there: no such path is checked.
            for f in &m.fields {
                if f.paths[0].split('/').any(|t| t == "*") {
                    continue;
                }
                if let Some(Value::String(s)) = response.pointer(&f.paths[0]) {
                    prop_assert_eq!(first.raw.get(&f.name), Some(s.as_str()), "raw of {}", f.name);
                }
            }
        }
    }

    /// (c) Arbitrary bytes as one batch line.
    #[test]
    fn process_line_writes_exactly_one_record(
        line in prop_oneof![
            3 => prop::collection::vec(any::<u8>(), 0..64),
            4 => json_line().prop_map(|v| serde_json::to_vec(&v).unwrap()),
            2 => raw_object_line(),
            2 => (json_line(), prop::collection::vec(mutation(), 1..3)).prop_map(|(v, ms)| {
                let mut b = serde_json::to_vec(&v).unwrap();
                for m in &ms {
                    apply_mutation(&mut b, m);
                }
                b
            }),
            1 => (1usize..2000, prop::sample::select(vec!["[", "{\"a\":", "{\"provider\":\"stripe\",\"response\":{\"error\":"]))
                .prop_map(|(n, open)| open.repeat(n).into_bytes()),
        ],
        line_no in 1u64..1_000_000,
        lang in prop::sample::select(vec!["en", "zh", "zh-Hant", ""]),
    ) {
        let mut out = b"previous\n".to_vec();
        let outcome = batch::process_line(&ENGINE, &options(1 << 20, lang), line_no, &line, &mut out);
        let out = out.strip_prefix(b"previous\n".as_slice()).expect("earlier output kept");
        prop_assert_eq!(out.last(), Some(&b'\n'), "ends in a line end");
        prop_assert_eq!(out.iter().filter(|&&b| b == b'\n').count(), 1, "exactly one line");
        let obj = check_record(&out[..out.len() - 1], line_no)?;
        prop_assert_eq!(outcome.is_ok(), obj.contains_key("code"));
        if let Err(kind) = outcome {
            prop_assert_eq!(obj["error"]["kind"].as_str(), Some(kind.as_str()));
        }
        // A scalar id is echoed (floats may move by an ulp through serde_json's default
        // parser, so only other scalars are compared exactly).
        if let Ok(Value::Object(input)) = serde_json::from_slice::<Value>(&line)
            && let Some(id) = input.get("id")
            && !id.is_array() && !id.is_object() && !id.is_f64()
        {
            prop_assert_eq!(obj.get("id"), Some(id));
        }
    }

    /// (d) Arbitrary bytes as a mapping file.
    #[test]
    fn validate_file_never_panics_on_bytes(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let text = String::from_utf8_lossy(&bytes);
        check_validate("fuzz.toml", &text)?;
    }

    /// (d) Real mapping files, truncated, with bytes flipped, inserted or deleted, lines
    /// dropped, duplicated or swapped.
    #[test]
    fn validate_file_never_panics_on_mutated_mappings((name, text) in mutated_mapping()) {
        check_validate(&name, &text)?;
    }

    /// (e) `batch::run`: one output line per input line, whatever the line ends, chunking
    /// and line limit; each record is what `process_line` makes of that line alone.
    #[test]
    fn run_writes_one_line_per_input_line(case in batch_input()) {
        check_run(&case, false)?;
    }

    /// (e) The line limit counts the line without its line end (`BatchOptions`), with `\r\n`
    /// as with `\n`.
    #[test]
    fn run_line_limit_excludes_the_line_end(case in batch_input()) {
        check_run(&case, true)?;
    }
}

/// Input of a batch run: lines with `\n` or `\r\n`, a last line with either or none.
#[derive(Debug, Clone)]
struct BatchInput {
    input: Vec<u8>,
    max_line_bytes: usize,
    /// `BufReader` capacity: small ones split lines (and `\r\n`) across reads.
    capacity: usize,
    lang: &'static str,
}

fn batch_input() -> impl Strategy<Value = BatchInput> {
    (
        prop::collection::vec(
            (
                prop_oneof![
                    2 => prop::collection::vec(any::<u8>(), 0..40),
                    2 => json_line().prop_map(|v| serde_json::to_vec(&v).unwrap()),
                    1 => raw_object_line(),
                    1 => Just(Vec::new()),
                    1 => Just(b"\r".to_vec()),
                ],
                prop::sample::select(vec!["\n", "\r\n"]),
            ),
            0..12,
        ),
        prop::sample::select(vec!["", "\n", "\r\n"]),
        prop_oneof![Just(batch::DEFAULT_MAX_LINE_BYTES), 0usize..48],
        1usize..64,
        prop::sample::select(vec!["en", "zh"]),
    )
        .prop_map(|(lines, last_end, max_line_bytes, capacity, lang)| {
            let mut input = Vec::new();
            let n = lines.len();
            for (i, (content, end)) in lines.into_iter().enumerate() {
                input.extend_from_slice(&content);
                input.extend_from_slice(if i + 1 == n { last_end } else { end }.as_bytes());
            }
            BatchInput {
                input,
                max_line_bytes,
                capacity,
                lang,
            }
        })
}

/// Runs a batch and checks it line by line. With `exact_limit`, a line is `line-too-long`
/// exactly when its content (without line end) is longer than the limit; without, lines of
/// exactly the limit are not judged.
fn check_run(case: &BatchInput, exact_limit: bool) -> Result<(), TestCaseError> {
    let BatchInput {
        input,
        max_line_bytes,
        capacity,
        lang,
    } = case;
    let max = *max_line_bytes;
    let expected = split_lines(input);
    let opts = options(max, lang);
    let mut output = Vec::new();
    let reader = BufReader::with_capacity(*capacity, input.as_slice());
    let summary =
        batch::run(&ENGINE, reader, &mut output, &opts).expect("in-memory I/O does not fail");
    let out_lines: Vec<&[u8]> = output.split_inclusive(|&b| b == b'\n').collect();
    prop_assert_eq!(
        out_lines.len(),
        expected.len(),
        "output lines for {:?}",
        String::from_utf8_lossy(input)
    );
    prop_assert_eq!(summary.lines, expected.len() as u64);
    prop_assert_eq!(summary.ok + summary.failed_total(), summary.lines);
    for (i, (out, (content, lone_cr))) in out_lines.iter().zip(&expected).enumerate() {
        let line_no = i as u64 + 1;
        prop_assert_eq!(out.last(), Some(&b'\n'));
        let obj = check_record(&out[..out.len() - 1], line_no)?;
        let too_long = obj
            .get("error")
            .is_some_and(|e| e["kind"] == "line-too-long");
        // A last line ending in a lone `\r` may be measured with or without it.
        let judged = if exact_limit {
            !(*lone_cr && content.len() == max)
        } else {
            content.len() != max
        };
        if judged {
            prop_assert_eq!(
                too_long,
                content.len() > max,
                "line {} of {} bytes, limit {}, input {:?}",
                line_no,
                content.len(),
                max,
                String::from_utf8_lossy(input)
            );
        }
        if !too_long {
            let mut alone = Vec::new();
            let _ = batch::process_line(&ENGINE, &opts, line_no, content, &mut alone);
            prop_assert_eq!(
                String::from_utf8_lossy(out),
                String::from_utf8_lossy(&alone)
            );
        }
    }
    Ok(())
}

proptest! {
    // Thousands of lines per case: fewer cases.
    #![proptest_config(ProptestConfig { cases: config().cases.div_ceil(32), ..config() })]

    /// (e) Inputs that cross the batch's chunks (lines and bytes): one record per line, in
    /// input order, and the same bytes and counts with 1, 2 or 3 threads.
    #[test]
    fn run_keeps_order_across_chunks_and_threads(case in big_batch_input()) {
        check_big_run(&case)?;
    }
}

/// A large batch: `lines` lines made from `seed`, mostly valid with `"id": <line number>`.
#[derive(Debug, Clone)]
struct BigBatch {
    seed: u64,
    lines: usize,
    crlf: bool,
    final_end: bool,
    max_line_bytes: usize,
    threads: usize,
    capacity: usize,
}

fn big_batch_input() -> impl Strategy<Value = BigBatch> {
    (
        any::<u64>(),
        1usize..6000,
        any::<bool>(),
        any::<bool>(),
        prop_oneof![
            Just(batch::DEFAULT_MAX_LINE_BYTES),
            Just(64 * 1024),
            16usize..200
        ],
        2usize..=3,
        prop_oneof![Just(8 * 1024), 1usize..4096],
    )
        .prop_map(
            |(seed, lines, crlf, final_end, max_line_bytes, threads, capacity)| BigBatch {
                seed,
                lines,
                crlf,
                final_end,
                max_line_bytes,
                threads,
                capacity,
            },
        )
}

/// Builds the input of a [`BigBatch`]; returns it and, per line, whether its output must
/// carry `"id": <line number>` (lines that are valid JSON objects within the limit).
fn big_batch_bytes(case: &BigBatch) -> (Vec<u8>, Vec<bool>) {
    let mut state = case.seed | 1;
    let mut next = move || {
        // xorshift64
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let ids = provider_ids();
    let known = &*KNOWN_VALUES;
    let mut input = Vec::new();
    let mut with_id = Vec::with_capacity(case.lines);
    for i in 0..case.lines {
        let n = i + 1;
        let r = next();
        let provider = &ids[(r >> 8) as usize % ids.len()];
        let value = &known[(r >> 24) as usize % known.len()];
        let path = {
            let paths = all_paths();
            paths[(r >> 40) as usize % paths.len()].clone()
        };
        let mut response = Value::Object(Map::new());
        insert_at(
            &mut response,
            &segments(&path),
            Value::from(value.as_str()),
            true,
            0,
        );
        let line = match r % 16 {
            0 => b"not json".to_vec(),
            1 => Vec::new(),
            2 => serde_json::to_vec(
                &serde_json::json!({"id": n, "provider": "no-such", "response": {}}),
            )
            .unwrap(),
            // A long line now and then, past 64 KiB (and the small limits).
            3 if (r >> 4) % 64 == 0 => serde_json::to_vec(&serde_json::json!({
                "id": n, "provider": provider, "response": response,
                "pad": "x".repeat(((r >> 16) % (100 * 1024)) as usize),
            }))
            .unwrap(),
            _ => serde_json::to_vec(
                &serde_json::json!({"id": n, "provider": provider, "response": response}),
            )
            .unwrap(),
        };
        with_id.push(line.first() == Some(&b'{') && line.len() <= case.max_line_bytes);
        input.extend_from_slice(&line);
        if i + 1 < case.lines || case.final_end {
            input.extend_from_slice(if case.crlf { b"\r\n" } else { b"\n" });
        }
    }
    (input, with_id)
}

fn check_big_run(case: &BigBatch) -> Result<(), TestCaseError> {
    let (input, with_id) = big_batch_bytes(case);
    let run = |threads: usize| {
        let opts = BatchOptions {
            threads,
            ..options(case.max_line_bytes, "en")
        };
        let mut output = Vec::new();
        let reader = BufReader::with_capacity(case.capacity, input.as_slice());
        let summary = batch::run(&ENGINE, reader, &mut output, &opts).expect("in-memory I/O");
        (output, summary)
    };
    // An empty last line without a line end is no line: count as the module docs do.
    let lines = split_lines(&input).len();
    prop_assert!(lines == case.lines || lines + 1 == case.lines);
    let (output, summary) = run(1);
    prop_assert_eq!(summary.lines, lines as u64);
    let out_lines: Vec<&[u8]> = output.split_inclusive(|&b| b == b'\n').collect();
    prop_assert_eq!(out_lines.len(), lines);
    for (i, out) in out_lines.iter().enumerate() {
        let n = i as u64 + 1;
        let obj = check_record(&out[..out.len() - 1], n)?;
        if with_id[i] {
            prop_assert_eq!(obj.get("id").and_then(Value::as_u64), Some(n), "line {}", n);
        }
    }
    let (threaded, threaded_summary) = run(case.threads);
    prop_assert_eq!(&threaded_summary, &summary, "{} threads", case.threads);
    prop_assert!(threaded == output, "{} threads: other output", case.threads);
    Ok(())
}

proptest! {
    // The whole loader validates every built-in file per case: fewer cases.
    #![proptest_config(ProptestConfig { cases: config().cases.div_ceil(4), ..config() })]

    /// (d) A mutated mapping file as an overlay on the built-ins: an engine that answers
    /// with catalog codes, or diagnostics that point inside their files and render.
    #[test]
    fn loading_a_mutated_overlay_never_panics((name, text) in mutated_mapping()) {
        check_load(&name, &text)?;
    }
}

/// The generators' sources are sane: every built-in file validates and every provider id
/// is loaded, so the properties above cover every provider.
#[test]
fn generators_cover_every_builtin_provider() {
    assert!(!MAPPINGS.is_empty());
    for m in MAPPINGS.iter() {
        assert!(validate_file(&m.file, &m.text).is_ok(), "{}", m.file);
        assert!(!m.fields.is_empty(), "{}", m.file);
        assert!(ENGINE.normalize(&m.id, &Value::Null).is_ok(), "{}", m.id);
    }
    for k in ["error", "decline_code", "39", "details", "additionalData"] {
        assert!(KEYS.contains(&k.to_string()), "{k}");
    }
}

/// Line counting as the batch module documents it.
#[test]
fn split_lines_follows_the_module_docs() {
    let count = |s: &[u8]| split_lines(s).len();
    assert_eq!(count(b""), 0);
    assert_eq!(count(b"\n"), 1);
    assert_eq!(count(b"a"), 1);
    assert_eq!(count(b"a\n"), 1);
    assert_eq!(count(b"a\r\nb"), 2);
    assert_eq!(count(b"a\n\n"), 2);
    assert_eq!(split_lines(b"a\r\n")[0].0, b"a");
}

/// The shrunk failure of `run_line_limit_excludes_the_line_end`, as a fixed case.
#[test]
fn crlf_line_of_exactly_the_limit_is_not_too_long() {
    let opts = options(4, "en");
    for input in [b"abcd\n".as_slice(), b"abcd\r\n".as_slice()] {
        let mut out = Vec::new();
        batch::run(&ENGINE, input, &mut out, &opts).unwrap();
        let out = String::from_utf8(out).unwrap();
        assert!(
            !out.contains("line-too-long"),
            "{:?} with max_line_bytes = 4: {out}",
            String::from_utf8_lossy(input)
        );
    }
}
