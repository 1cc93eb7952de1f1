//! The real-shape corpus (`corpus/<provider>/`): response bodies as providers send them,
//! collected from providers' docs, official SDK test resources and peers' test suites, each
//! with its source and the code a payments engineer assigns it in `sources.tsv`.
//!
//! These bodies are the yardstick of the "real responses" work: how many paynorm gets right.
//! `corpus/accuracy.tsv` records, per provider, how many it gets right today; this test fails
//! when a change gets fewer right (a regression), and asks for the file to be raised when a
//! change gets more right, so the figure only moves up.

use std::collections::BTreeMap;
use std::path::Path;

use paynorm::Engine;

const OUTCOMES: [&str; 5] = ["approved", "declined", "error", "pending", "unknown"];

struct Case {
    name: String,
    expected: u32,
}

fn cases(dir: &Path) -> Vec<Case> {
    let tsv = std::fs::read_to_string(dir.join("sources.tsv")).unwrap();
    let mut lines = tsv.lines();
    let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
    assert_eq!(
        header,
        [
            "case",
            "source",
            "shape",
            "expected_code",
            "expected_outcome",
            "evidence"
        ],
        "{}",
        dir.display()
    );
    lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            assert_eq!(cols.len(), 6, "{}: {l}", dir.display());
            assert!(!cols[1].trim().is_empty(), "{}: no source", cols[0]);
            assert!(
                OUTCOMES.contains(&cols[4]),
                "{}: outcome {}",
                cols[0],
                cols[4]
            );
            let expected: u32 = cols[3].parse().unwrap();
            assert!(
                paynorm::catalog::lookup(expected).is_some(),
                "{}: {expected}",
                cols[0]
            );
            Case {
                name: cols[0].to_string(),
                expected,
            }
        })
        .collect()
}

#[test]
fn every_corpus_body_has_its_source_recorded_and_never_regresses() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let engine = Engine::builtin().unwrap();
    let floor: BTreeMap<String, usize> = std::fs::read_to_string(root.join("accuracy.tsv"))
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            (cols[0].to_string(), cols[1].parse().unwrap())
        })
        .collect();
    let mut problems = Vec::new();
    let mut report = String::from("provider\tright\ttotal\n");
    for provider in floor.keys() {
        let dir = root.join(provider);
        let cases = cases(&dir);
        let mut files: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(|e| e.unwrap().file_name().into_string().ok())
            .filter_map(|n| n.strip_suffix(".json").map(str::to_string))
            .collect();
        files.sort();
        let mut recorded: Vec<String> = cases.iter().map(|c| c.name.clone()).collect();
        recorded.sort();
        assert_eq!(
            files, recorded,
            "{provider}: every body has one sources.tsv row"
        );
        let mut right = 0;
        let mut wrong = Vec::new();
        for case in &cases {
            let text = std::fs::read_to_string(dir.join(format!("{}.json", case.name))).unwrap();
            let body: serde_json::Value = serde_json::from_str(&text).unwrap();
            let got = engine.normalize(provider, &body).unwrap().code;
            if got == case.expected {
                right += 1;
            } else {
                wrong.push(format!("{}: {got} (expected {})", case.name, case.expected));
            }
        }
        report.push_str(&format!("{provider}\t{right}\t{}\n", cases.len()));
        let floor = floor[provider];
        if right < floor {
            problems.push(format!(
                "{provider}: {right} of {} right, fewer than the {floor} of corpus/accuracy.tsv; wrong now:\n  {}",
                cases.len(),
                wrong.join("\n  ")
            ));
        } else if right > floor {
            problems.push(format!(
                "{provider}: {right} right, more than the {floor} of corpus/accuracy.tsv: raise it to {right}"
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "{}\n\nnow:\n{report}",
        problems.join("\n")
    );
}
