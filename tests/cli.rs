//! The binary as users run it, where a case needs Rust: temporary directories that a
//! run creates or changes, a closed pipe, output that depends on the environment, and
//! assertions computed from the output. Cases with a fixed command, stdin, stdout,
//! stderr and exit status are one file each under `tests/cmd/`, run by `tests/cmd.rs`.

use std::io::Write;
use std::process::{Command, Stdio};

/// Runs `paynorm args...` with `stdin`, returns "exit: N / stdout / stderr" as one text.
fn run(args: &[&str], stdin: &str) -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_paynorm"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("RUST_LOG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("paynorm runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    format!(
        "exit: {}\n--- stdout\n{}--- stderr\n{}",
        out.status.code().map_or("signal".into(), |c| c.to_string()),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The stdout part of a `run` report.
fn stdout_of(report: &str) -> &str {
    let after = report.split_once("--- stdout\n").expect("a run report").1;
    after.split_once("--- stderr").expect("a run report").0
}

fn exit_code(report: &str) -> &str {
    report.lines().next().unwrap().trim_start_matches("exit: ")
}

#[test]
fn batch_sample_file_succeeds() {
    let report = run(&["batch", "fixtures/sample.jsonl"], "");
    assert_eq!(exit_code(&report), "0", "{report}");
    let lines = std::fs::read_to_string("fixtures/sample.jsonl")
        .unwrap()
        .lines()
        .count();
    let stdout = stdout_of(&report);
    assert_eq!(stdout.lines().count(), lines, "one record per line");
    assert!(
        stdout
            .lines()
            .all(|l| l.starts_with("{\"id\":") && l.contains("\"rule\":")),
        "{stdout}"
    );
    assert!(report.contains(&format!("{lines} lines: {lines} ok, 0 failed")));
}

#[test]
fn normalize_and_batch_refuse_a_broken_mapping_set() {
    for args in [
        &[
            "--mappings",
            "tests/broken/invalid-regex",
            "normalize",
            "stripe",
            "{}",
        ][..],
        &["--mappings", "tests/broken/invalid-regex", "batch"][..],
    ] {
        let report = run(args, "{\"provider\":\"stripe\",\"response\":{}}\n");
        assert_eq!(exit_code(&report), "3", "{report}");
        assert!(report.contains("[invalid-regex]"), "{report}");
        assert!(
            report.contains("--- stdout\n--- stderr"),
            "no results on stdout: {report}"
        );
    }
}

#[test]
fn catalog_json_lists_every_code_with_both_languages() {
    let report = run(&["catalog", "--format", "json"], "");
    assert_eq!(exit_code(&report), "0");
    let json = stdout_of(&report);
    let list: serde_json::Value = serde_json::from_str(json).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 91);
    assert_eq!(
        list[1],
        serde_json::json!({"code": 100100, "category": "amount", "messages": {"en": "Insufficient balance", "zh": "余额不足"}})
    );
}

#[test]
fn help_is_there_for_every_subcommand() {
    // The top-level help text itself is `tests/cmd/help_top_level.toml`.
    for sub in ["normalize", "batch", "check", "catalog", "providers"] {
        let report = run(&[sub, "--help"], "");
        assert_eq!(exit_code(&report), "0", "{report}");
        assert!(report.contains("Usage: paynorm"), "{report}");
    }
}

#[test]
fn verbose_logs_go_to_stderr_only() {
    let report = run(&["-vv", "normalize", "iso8583", r#"{"39":"51"}"#], "");
    let (stdout, stderr) = report.split_once("--- stderr\n").unwrap();
    assert!(stderr.contains("compiled mapping"), "{stderr}");
    assert!(stderr.contains("mapping set loaded"), "{stderr}");
    assert_eq!(
        stdout.lines().count(),
        3,
        "exit line, marker, one record: {stdout}"
    );
}

#[test]
fn coverage_against_a_list_with_gaps_can_fail_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("list.tsv");
    std::fs::write(
        &list,
        "code\tdescription\tsource\n51\tInsufficient funds\tx\nQQ\tinvented\tx\n",
    )
    .unwrap();
    let list = list.to_str().unwrap();
    let report = run(
        &[
            "coverage",
            "iso8583",
            "--reference",
            list,
            "--require-complete",
        ],
        "",
    );
    assert_eq!(exit_code(&report), "1", "{report}");
    assert!(report.contains("50.0% (1/2)"), "{report}");
    assert!(
        report.contains("listed codes without an entry (1):\n  QQ"),
        "{report}"
    );
    let report = run(&["coverage", "iso8583", "--reference", list], "");
    assert_eq!(
        exit_code(&report),
        "0",
        "without --require-complete it only reports: {report}"
    );
}

#[test]
fn expectation_tests_new_update_pass_and_mismatch() {
    let dir = tempfile::tempdir().unwrap();
    let cases = dir.path().join("iso8583");
    std::fs::create_dir(&cases).unwrap();
    std::fs::write(cases.join("nsf.json"), r#"{"39": "51"}"#).unwrap();
    let d = dir.path().to_str().unwrap();

    let report = run(&["test", d], "");
    assert_eq!(exit_code(&report), "1", "{report}");
    assert!(
        report.contains("new      ") && report.contains("1 cases: 0 passed, 1 failed, 0 updated"),
        "{report}"
    );

    let report = run(&["test", d, "--update"], "");
    assert_eq!(exit_code(&report), "0", "{report}");
    let expected = std::fs::read_to_string(cases.join("nsf.expected.json")).unwrap();
    let written: serde_json::Value = serde_json::from_str(&expected).unwrap();
    assert_eq!(written["code"], 100100);
    assert_eq!(written["rule"], "iso8583/response_code/51");

    let report = run(&["test", d], "");
    assert_eq!(exit_code(&report), "0", "{report}");
    assert!(
        report.contains("1 cases: 1 passed, 0 failed, 0 updated"),
        "{report}"
    );

    std::fs::write(
        cases.join("nsf.expected.json"),
        expected.replace("100100", "100999"),
    )
    .unwrap();
    let report = run(&["test", d], "");
    assert_eq!(exit_code(&report), "1", "{report}");
    assert!(report.contains("FAIL"), "{report}");
    assert!(
        report.contains("-  \"code\": 100999,\n+  \"code\": 100100,"),
        "{report}"
    );
}

#[test]
fn a_closed_stdout_ends_the_batch_quietly() {
    // `paynorm batch big.jsonl | head -1`: the reader of stdout goes away after one line.
    let input = paynorm_workload::generate(200_000, 3);
    let mut child = Command::new(env!("CARGO_BIN_EXE_paynorm"))
        .args(["batch", "--threads", "2"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input); // fails once paynorm has stopped reading
    });
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 64];
    std::io::Read::read_exact(&mut stdout, &mut first).unwrap();
    drop(stdout);
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("panicked") && !stderr.contains("Broken pipe"),
        "{stderr}"
    );
}

#[test]
fn explain_as_json_for_tools() {
    let report = run(
        &[
            "explain",
            "--format",
            "json",
            "--context",
            r#"{"initiator":"merchant"}"#,
            "stripe",
        ],
        r#"{"error":{"code":"card_declined","network_decline_code":"83","network_advice_code":"01"}}"#,
    );
    assert_eq!(exit_code(&report), "0", "{report}");
    let stdout = stdout_of(&report);
    assert!(
        stdout.starts_with("{\n  \"record\": {\n    \"code\": "),
        "record fields keep their order: {stdout}"
    );
    let v: serde_json::Value = serde_json::from_str(stdout).unwrap();
    assert_eq!(v["record"]["action"], "use_another_method");
    assert_eq!(
        v["trace"]["decision"]["action_source"],
        "advice mastercard-advice-codes/01 (read from stripe/network_advice_code)"
    );
    assert!(
        v["trace"]["decision"]["context_adjustment"]
            .as_str()
            .unwrap()
            .contains("initiator = merchant")
    );
    assert_eq!(
        v["trace"]["steps"].as_array().unwrap().last().unwrap()["outcome"],
        "decided"
    );
}

#[test]
fn lang_zh_hans_gives_the_chinese_messages() {
    // `--lang zh` on `explain` text is `tests/cmd/explain_text_and_lang.toml`.
    let report = run(
        &[
            "--lang",
            "zh-Hans",
            "normalize",
            "iso8583",
            r#"{"39":"43"}"#,
        ],
        "",
    );
    assert!(
        report.contains(
            r#""message":"被窃卡","customer_message":"交易失败,请尝试使用其他支付方式或稍后再试""#
        ),
        "{report}"
    );
}
