//! One broken mapping directory per diagnostic code (`tests/broken/<code>/`), its rendered
//! diagnostics snapshotted; and registry-wide checks that every code has its case and its
//! documentation.

mod support;

use paynorm::diagnostic::DiagCode;

fn load(dir: &str) -> paynorm::Diagnostics {
    support::load_dir(std::path::Path::new(dir)).expect_err("a broken mapping set must not load")
}

#[test]
fn each_broken_case_renders_its_diagnostics() {
    let mut cases: Vec<String> = std::fs::read_dir("tests/broken")
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    cases.sort();
    assert!(cases.len() >= 16);
    for code in &cases {
        let rel = format!("tests/broken/{code}");
        let diags = load(&rel);
        assert!(
            diags.items.iter().all(|d| d.code.as_str() == code),
            "{rel} must produce only `{code}` diagnostics, got {:?}",
            diags
                .items
                .iter()
                .map(|d| d.code.as_str())
                .collect::<Vec<_>>()
        );
        insta::assert_snapshot!(code.as_str(), diags.render());
    }
}

#[test]
fn every_diagnostic_code_has_a_broken_case_and_documentation() {
    let docs = include_str!("../docs/mapping-format.md");
    for code in DiagCode::ALL {
        let name = code.as_str();
        assert!(
            docs.contains(&format!("| `{name}` |")),
            "docs/mapping-format.md must document `{name}`"
        );
        if matches!(code, DiagCode::FileTooLarge | DiagCode::SetTooLarge) {
            // generated files: oversized_file_is_rejected_before_parsing, and
            // tests/hostile.rs's a_set_larger_than_the_limit_is_refused_unread
            continue;
        }
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/broken")
            .join(name);
        assert!(
            dir.is_dir(),
            "tests/broken/{name}/ must hold a case for `{name}`"
        );
    }
}

#[test]
fn all_problems_of_all_files_come_in_one_run() {
    let dir = tempfile::tempdir().unwrap();
    for case in [
        "unknown-catalog-code",
        "key-not-normalized",
        "undeclared-field",
    ] {
        let src = std::path::Path::new("tests/broken")
            .join(case)
            .join("bad.toml");
        let text = std::fs::read_to_string(src)
            .unwrap()
            .replace("id = \"bad\"", &format!("id = \"{case}\""));
        std::fs::write(dir.path().join(format!("{case}.toml")), text).unwrap();
    }
    let diags = support::load_dir(dir.path()).unwrap_err();
    let codes: Vec<&str> = diags.items.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(
        codes,
        [
            "key-not-normalized",
            "key-not-normalized",
            "key-not-normalized",
            "undeclared-field",
            "undeclared-field",
            "unknown-catalog-code",
            "unknown-catalog-code",
        ]
    );
}

#[test]
fn diagnostics_as_json_carry_line_and_column() {
    let diags = load("tests/broken/unknown-catalog-code");
    let json = diags.to_json();
    assert_eq!(json[0]["code"], "unknown-catalog-code");
    assert_eq!(
        json[0]["file"],
        "tests/broken/unknown-catalog-code/bad.toml"
    );
    assert_eq!(json[0]["line"], 13);
    assert_eq!(json[0]["column"], 21);
    assert_eq!(json.as_array().unwrap().len(), 2);
}

#[test]
fn oversized_file_is_rejected_before_parsing() {
    let dir = tempfile::tempdir().unwrap();
    let big = "# padding\n".repeat(paynorm::diagnostic::MAX_FILE_BYTES / 10 + 1);
    std::fs::write(dir.path().join("big.toml"), big).unwrap();
    let diags = support::load_dir(dir.path()).unwrap_err();
    assert_eq!(diags.items.len(), 1);
    assert_eq!(diags.items[0].code, DiagCode::FileTooLarge);
}

#[test]
fn a_missing_directory_is_an_io_error() {
    let diags = load("tests/broken/does-not-exist");
    assert_eq!(diags.items[0].code, DiagCode::IoError);
}
