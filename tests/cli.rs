//! The binary as users run it: stdout, stderr and exit status of every subcommand,
//! snapshotted together.

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
fn normalize_from_argument() {
    insta::assert_snapshot!(run(
        &[
            "normalize",
            "stripe",
            r#"{"error":{"code":"card_declined","decline_code":"generic_decline","network_decline_code":"51"}}"#
        ],
        ""
    ));
}

#[test]
fn normalize_from_stdin() {
    insta::assert_snapshot!(run(&["normalize", "iso8583"], r#"{"mti":"0110","39":5}"#));
}

#[test]
fn normalize_unknown_provider_exits_1() {
    insta::assert_snapshot!(run(&["normalize", "acme", "{}"], ""));
}

#[test]
fn normalize_invalid_json_exits_1() {
    insta::assert_snapshot!(run(&["normalize", "stripe", "{not json"], ""));
}

#[test]
fn batch_mixed_lines_keeps_order_echoes_ids_and_exits_1() {
    let input = [
        r#"{"id": "tx-1", "provider": "stripe", "response": {"error": {"code": "card_declined", "decline_code": "insufficient_funds"}}}"#,
        r#"{"id": 2, "provider": "iso8583", "response": {"39": "05"}}"#,
        r#"not json"#,
        r#"{"id": "tx-4", "provider": "acme", "response": {}}"#,
        r#"{"id": "tx-5", "provider": "stripe"}"#,
        r#""#,
        r#"[1, 2]"#,
        r#"{"provider": 7, "response": {}}"#,
        r#"{"provider": "iso8583", "response": "51"}"#,
        r#"{"id": "last", "provider": "iso8583", "response": {"39": "54"}}"#,
    ]
    .join("\n");
    let report = run(&["batch"], &input);
    assert_eq!(exit_code(&report), "1");
    insta::assert_snapshot!(report);
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
fn batch_missing_file_is_an_io_error() {
    insta::assert_snapshot!(run(&["batch", "no/such/file.jsonl"], ""));
}

#[test]
fn check_passes_on_the_builtin_mappings() {
    insta::assert_snapshot!(run(&["check"], ""));
}

#[test]
fn check_reports_broken_mappings_and_exits_3() {
    insta::assert_snapshot!(run(
        &["--mappings", "tests/broken/unknown-catalog-code", "check"],
        ""
    ));
}

#[test]
fn check_json_format() {
    insta::assert_snapshot!(run(
        &[
            "--mappings",
            "tests/broken/key-not-normalized",
            "check",
            "--format",
            "json"
        ],
        ""
    ));
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
fn catalog_table() {
    insta::assert_snapshot!(run(&["catalog"], ""));
}

#[test]
fn providers_table() {
    insta::assert_snapshot!(run(&["providers"], ""));
}

#[test]
fn usage_errors_exit_2() {
    let report = run(&["normalize"], "");
    assert_eq!(exit_code(&report), "2", "{report}");
    let report = run(&["frobnicate"], "");
    assert_eq!(exit_code(&report), "2", "{report}");
}

#[test]
fn help_is_there_for_every_subcommand() {
    insta::assert_snapshot!(run(&["--help"], ""));
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
fn coverage_table_for_all_providers() {
    insta::assert_snapshot!(run(&["coverage"], ""));
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
fn explain_text_and_lang() {
    insta::assert_snapshot!(run(
        &[
            "--lang",
            "zh",
            "explain",
            "iso8583",
            r#"{"mti":"0110","39":"n7"}"#
        ],
        ""
    ));
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
