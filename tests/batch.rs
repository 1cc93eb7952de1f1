//! Batch runs: the fast path (typed line parsing, pre-serialized record parts, worker
//! threads) writes byte for byte what the plain path (parse a `Value`, `normalize`, serialize
//! the record with serde) writes; lines stay in order; long lines stay bounded.

use paynorm::batch::{self, BatchOptions};
use paynorm::{Context, Engine, Lang};
use serde_json::Value;

/// The reference output of one line, computed the slow, obvious way.
fn reference_line(engine: &Engine, line: &str, lang: Lang) -> String {
    let v: Value = serde_json::from_str(line).expect("workload lines are valid");
    let context: Context = v
        .get("context")
        .map(|c| serde_json::from_value(c.clone()).unwrap())
        .unwrap_or_default();
    let r = engine
        .normalize_with(v["provider"].as_str().unwrap(), &v["response"], &context)
        .unwrap();
    // `{"id":..,` then the record's own fields, in the record's order.
    let mut text = String::from("{");
    if let Some(id) = v.get("id") {
        text.push_str(&format!("\"id\":{},", serde_json::to_string(id).unwrap()));
    }
    text.push_str(&serde_json::to_string(&r.record(lang)).unwrap()[1..]);
    text
}

fn fixture_lines() -> Vec<String> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut lines = Vec::new();
    for provider in std::fs::read_dir(&root).unwrap() {
        let provider = provider.unwrap().path();
        if !provider.is_dir() {
            continue;
        }
        let id = provider.file_name().unwrap().to_str().unwrap().to_string();
        let mut files: Vec<_> = std::fs::read_dir(&provider)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        for (n, f) in files.iter().enumerate() {
            let response: Value =
                serde_json::from_str(&std::fs::read_to_string(f).unwrap()).unwrap();
            let mut line = serde_json::json!({"provider": id, "response": response});
            if n % 3 == 0 {
                line["id"] = Value::from(format!("{id}-{n}"));
            }
            if n % 5 == 0 {
                line["context"] = serde_json::json!({"initiator": "merchant", "network": "visa"});
            }
            lines.push(serde_json::to_string(&line).unwrap());
        }
    }
    lines
}

#[test]
fn fast_parallel_output_equals_the_plain_path_on_fixtures_and_a_workload() {
    let engine = Engine::builtin().unwrap();
    let workload = String::from_utf8(paynorm_workload::generate(20_000, 7)).unwrap();
    let mut lines = fixture_lines();
    lines.extend(workload.lines().map(str::to_string));
    let input = lines.join("\n") + "\n";
    for lang in [Lang::En, Lang::Zh] {
        let expected: String = lines
            .iter()
            .map(|l| reference_line(&engine, l, lang) + "\n")
            .collect();
        for threads in [1, 2, 3] {
            let mut out = Vec::new();
            let options = BatchOptions {
                threads,
                lang,
                ..BatchOptions::default()
            };
            let summary = batch::run(&engine, input.as_bytes(), &mut out, &options).unwrap();
            assert_eq!(summary.lines, lines.len() as u64);
            assert_eq!(summary.ok, lines.len() as u64);
            let out = String::from_utf8(out).unwrap();
            if out != expected {
                let (i, (a, b)) = out
                    .lines()
                    .zip(expected.lines())
                    .enumerate()
                    .find(|(_, (a, b))| a != b)
                    .expect("outputs differ in length only");
                panic!(
                    "{threads} threads, line {}:\n got      {a}\n expected {b}",
                    i + 1
                );
            }
        }
    }
}

#[test]
fn a_fifty_megabyte_line_is_skipped_not_buffered_and_the_run_goes_on() {
    let engine = Engine::builtin().unwrap();
    let mut input = Vec::new();
    input.extend_from_slice(br#"{"provider":"iso8583","response":{"39":"51"}}"#);
    input.push(b'\n');
    input.extend_from_slice(br#"{"provider":"iso8583","response":{"39":""#);
    input.extend(std::iter::repeat_n(b'x', 50 << 20));
    input.extend_from_slice(b"\"}}\n");
    input.extend_from_slice(br#"{"provider":"iso8583","response":{"39":"05"}}"#);
    for threads in [1, 2] {
        let mut out = Vec::new();
        let options = BatchOptions {
            threads,
            ..BatchOptions::default()
        };
        let summary = batch::run(&engine, &input[..], &mut out, &options).unwrap();
        assert_eq!((summary.lines, summary.ok), (3, 2));
        assert_eq!(summary.failed.get("line-too-long"), Some(&1));
        let out = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(lines[0].contains("iso8583/response_code/51"));
        assert_eq!(
            lines[1],
            r#"{"line":2,"error":{"kind":"line-too-long","message":"line is longer than 1048576 bytes"}}"#
        );
        assert!(
            lines[2].contains("iso8583/response_code/05"),
            "the last line has no line end and counts"
        );
        assert!(out.len() < 4096, "the long line was not echoed");
    }
}

/// The README's list of batch error kinds is the registry's, no more, no less.
#[test]
fn readme_lists_exactly_the_line_error_kinds() {
    let readme = include_str!("../README.md");
    let start = readme
        .find("Error kinds:")
        .expect("README lists the error kinds");
    let end = start + readme[start..].find("Odd values").expect("the list ends");
    let listed: std::collections::BTreeSet<&str> =
        readme[start..end].split('`').skip(1).step_by(2).collect();
    let kinds: std::collections::BTreeSet<&str> = paynorm::batch::LineErrorKind::ALL
        .iter()
        .map(|k| k.as_str())
        .collect();
    assert_eq!(listed, kinds);
}
