//! One snapshot per fixture: `fixtures/<provider>/<case>.json` holds a raw response of that
//! provider; its snapshot is the normalized record. Review changes with `cargo insta review`.

use paynorm::Engine;

/// `<dir>/<provider>/<case>.json` normalized as that provider.
fn record_of<'e>(engine: &'e Engine, path: &std::path::Path) -> paynorm::Normalized<'e> {
    let provider = path
        .parent()
        .and_then(|p| p.file_name())
        .and_then(|n| n.to_str())
        .expect("<dir>/<provider>/<case>.json");
    let text = std::fs::read_to_string(path).unwrap();
    let response: serde_json::Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{}: invalid JSON: {e}", path.display()));
    engine
        .normalize(provider, &response)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn every_fixture_has_a_reviewed_snapshot() {
    let engine = Engine::builtin().expect("built-in mappings are valid");
    insta::glob!("../fixtures", "*/*.json", |path| {
        insta::assert_json_snapshot!(record_of(&engine, path).record(paynorm::Lang::En));
    });
}

/// The real-shape corpus (`corpus/<provider>/<case>.json`, sources in `sources.tsv`): each
/// body's record is snapshotted too, so a change to what paynorm reads from a real body is
/// reviewed like a fixture change.
#[test]
fn every_corpus_body_has_a_reviewed_snapshot() {
    let engine = Engine::builtin().expect("built-in mappings are valid");
    insta::glob!("../corpus", "*/*.json", |path| {
        insta::assert_json_snapshot!(record_of(&engine, path).record(paynorm::Lang::En));
    });
}

#[test]
fn every_builtin_provider_has_enough_fixtures() {
    let engine = Engine::builtin().unwrap();
    for p in engine.providers() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures")
            .join(p.id);
        let count = std::fs::read_dir(&dir)
            .map(|d| {
                d.filter(|e| {
                    e.as_ref()
                        .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "json"))
                })
                .count()
            })
            .unwrap_or(0);
        assert!(
            count >= 25,
            "{}: {count} fixtures, at least 25 expected",
            p.id
        );
    }
}

#[test]
fn no_snapshot_outlives_its_fixture() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for (prefix, dir) in [
        (
            "fixtures__every_fixture_has_a_reviewed_snapshot@",
            "fixtures",
        ),
        (
            "fixtures__every_corpus_body_has_a_reviewed_snapshot@",
            "corpus",
        ),
    ] {
        for entry in std::fs::read_dir(root.join("tests/snapshots")).unwrap() {
            let name = entry.unwrap().file_name().into_string().unwrap();
            let Some(rest) = name.strip_prefix(prefix) else {
                continue;
            };
            let body = rest.trim_end_matches(".snap").replacen("__", "/", 1);
            assert!(
                root.join(dir).join(&body).is_file(),
                "tests/snapshots/{name} has no body {dir}/{body}: delete the snapshot"
            );
        }
    }
}
