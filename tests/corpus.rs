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
    outcome: String,
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
                outcome: cols[4].to_string(),
            }
        })
        .collect()
}

/// `corpus/<provider>/misses.tsv`: the bodies paynorm does not read right yet, with what it
/// gives and why (case, code, outcome, reason).
fn misses(dir: &Path) -> BTreeMap<String, (u32, String, String)> {
    let Ok(tsv) = std::fs::read_to_string(dir.join("misses.tsv")) else {
        return BTreeMap::new();
    };
    let mut lines = tsv.lines();
    assert_eq!(
        lines.next(),
        Some("case\tcode\toutcome\treason"),
        "{}/misses.tsv",
        dir.display()
    );
    lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            assert_eq!(cols.len(), 4, "{}/misses.tsv: {l}", dir.display());
            assert!(
                !cols[3].trim().is_empty(),
                "{}: a miss needs its reason",
                cols[0]
            );
            (
                cols[0].to_string(),
                (
                    cols[1].parse().unwrap(),
                    cols[2].to_string(),
                    cols[3].to_string(),
                ),
            )
        })
        .collect()
}

/// Every body gives its expected code and outcome, or is listed in its provider's
/// `misses.tsv` with what it gives now and why: a change that breaks a body, or that fixes a
/// listed one, fails until the list says so.
#[test]
fn every_corpus_body_reads_as_expected_or_is_a_listed_miss() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let engine = Engine::builtin().unwrap();
    let mut providers: Vec<String> = std::fs::read_dir(&root)
        .unwrap()
        .filter_map(|e| {
            let e = e.unwrap();
            e.path()
                .is_dir()
                .then(|| e.file_name().into_string().unwrap())
        })
        .collect();
    providers.sort();
    assert!(providers.len() >= 7, "{providers:?}");
    let mut problems = Vec::new();
    let mut report = String::from("provider\tright\ttotal\n");
    for provider in &providers {
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
        let listed = misses(&dir);
        for name in listed.keys() {
            assert!(
                recorded.contains(name),
                "{provider}/misses.tsv: no body {name}"
            );
        }
        let mut right = 0;
        for case in &cases {
            let text = std::fs::read_to_string(dir.join(format!("{}.json", case.name))).unwrap();
            let body: serde_json::Value = serde_json::from_str(&text).unwrap();
            let result = engine.normalize(provider, &body).unwrap();
            let got = (result.code, result.outcome.as_str());
            let ok = got == (case.expected, case.outcome.as_str());
            right += usize::from(ok);
            match (ok, listed.get(&case.name)) {
                (true, None) => {}
                (true, Some(_)) => problems.push(format!(
                    "{provider}/{}: now right ({} {}): remove it from misses.tsv",
                    case.name, got.0, got.1
                )),
                (false, None) => problems.push(format!(
                    "{provider}/{}: {} {} (expected {} {})",
                    case.name, got.0, got.1, case.expected, case.outcome
                )),
                (false, Some((code, outcome, _))) => {
                    if (*code, outcome.as_str()) != got {
                        problems.push(format!(
                            "{provider}/{}: a listed miss now gives {} {} (misses.tsv says {code} {outcome}; expected {} {})",
                            case.name, got.0, got.1, case.expected, case.outcome
                        ));
                    }
                }
            }
        }
        report.push_str(&format!("{provider}\t{right}\t{}\n", cases.len()));
    }
    assert!(
        problems.is_empty(),
        "{}\n\nnow:\n{report}",
        problems.join("\n")
    );
}
