//! The hostile-input suite: what a careless user or an attacker would try against every entry
//! point, with the documented answer asserted. Each test names the defect it pins down
//! (issue 16) or the property it guards.

use std::fs::{self, File};
use std::io::{BufRead, Read, Write};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn paynorm() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_paynorm"));
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("RUST_LOG");
    cmd
}

fn dev_full() -> Stdio {
    Stdio::from(
        File::options()
            .write(true)
            .open("/dev/full")
            .expect("Linux has /dev/full"),
    )
}

/// Runs `paynorm args` with `stdin`, stdout and stderr piped; returns the output.
fn run(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = paynorm()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let stdin = stdin.to_vec();
    let feeder = std::thread::spawn(move || {
        let _ = input.write_all(&stdin);
    });
    let out = child.wait_with_output().unwrap();
    feeder.join().unwrap();
    out
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).unwrap()
}

/// A broken mapping directory: a mapping file that does not parse.
fn broken_set() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("acme.toml"), "provider = \n").unwrap();
    dir
}

// --- 1. No panic on a closed or full output --------------------------------------------------

/// `check`, text and JSON, valid or broken set, with stdout on /dev/full: exit 4 (valid set,
/// the verdict could not be written) or 3 (broken set), never 101.
#[test]
fn check_with_a_full_stdout_does_not_panic() {
    let broken = broken_set();
    let broken = broken.path().to_str().unwrap();
    for (args, code) in [
        (vec!["check"], 4),
        (vec!["check", "--format", "json"], 4),
        (vec!["--mappings", broken, "check"], 3),
        (vec!["--mappings", broken, "check", "--format", "json"], 3),
    ] {
        let out = paynorm()
            .args(&args)
            .stdout(dev_full())
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(code), "{args:?}: {}", stderr(&out));
        assert!(
            !stderr(&out).contains("panicked"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
}

/// The same with a closed stdout (the reader went away): the status the command had.
#[test]
fn check_with_a_closed_stdout_keeps_its_status() {
    let broken = broken_set();
    let broken = broken.path().to_str().unwrap();
    for (args, code) in [
        (vec!["check"], 0),
        (vec!["check", "--format", "json"], 0),
        (vec!["--mappings", broken, "check", "--format", "json"], 3),
        (vec!["catalog"], 0),
        (vec!["providers", "--format", "json"], 0),
    ] {
        let mut child = paynorm()
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(code), "{args:?}: {}", stderr(&out));
        assert!(
            !stderr(&out).contains("panicked"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
}

/// `batch`, `normalize` and `check` with stderr on /dev/full: their usual status.
#[test]
fn a_full_stderr_does_not_panic() {
    let broken = broken_set();
    let broken = broken.path().to_str().unwrap();
    let line = br#"{"provider":"stripe","response":{"error":{"code":"card_declined"}}}
not json
"#;
    for (args, stdin, code) in [
        (vec!["batch"], line.as_slice(), 1),
        (vec!["normalize", "stripe"], b"{not json".as_slice(), 1),
        (vec!["normalize", "acme", "{}"], b"".as_slice(), 1),
        (vec!["--mappings", broken, "check"], b"".as_slice(), 3),
        (vec!["--mappings", broken, "batch"], line.as_slice(), 3),
    ] {
        let mut child = paynorm()
            .args(&args)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(dev_full())
            .spawn()
            .unwrap();
        let _ = child.stdin.take().unwrap().write_all(stdin);
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(code), "{args:?}");
    }
}

// --- 2. Ids and numbers kept exactly -----------------------------------------------------------

/// An `id` comes back as written, on records and on error records.
#[test]
fn ids_are_echoed_exactly() {
    let ids = [
        "123456789012345678901234567890",
        "18446744073709551616",
        "-9223372036854775809",
        "1e2",
        "-0",
        "1.50",
        "\"tx-1\"",
        "true",
        "null",
    ];
    let mut input = String::new();
    for id in ids {
        input.push_str(&format!(
            r#"{{"id": {id}, "provider": "iso8583", "response": {{"39": "51"}}}}"#
        ));
        input.push('\n');
        input.push_str(&format!(
            r#"{{"id": {id}, "provider": "acme", "response": {{}}}}"#
        ));
        input.push('\n');
    }
    let out = run(&["batch"], input.as_bytes());
    let lines: Vec<&str> = std::str::from_utf8(&out.stdout).unwrap().lines().collect();
    assert_eq!(lines.len(), 2 * ids.len());
    for (i, id) in ids.iter().enumerate() {
        assert!(
            lines[2 * i].starts_with(&format!("{{\"id\":{id},\"code\":100100,")),
            "{}",
            lines[2 * i]
        );
        assert!(
            lines[2 * i + 1]
                .starts_with(&format!("{{\"line\":{},\"id\":{id},\"error\":", 2 * i + 2)),
            "{}",
            lines[2 * i + 1]
        );
    }
}

/// `raw` shows a number as its JSON text, in `normalize` and in `batch`.
#[test]
fn numbers_in_raw_keep_their_text() {
    for (number, text) in [("5.10", "5.10"), ("1e2", "1e2"), ("-0", "-0"), ("51", "51")] {
        let response = format!(r#"{{"39": {number}}}"#);
        let out = run(&["normalize", "iso8583", &response], b"");
        assert_eq!(out.status.code(), Some(0));
        assert!(
            stdout(&out).contains(&format!(r#""raw":{{"response_code":"{text}"}}"#)),
            "{}",
            stdout(&out)
        );
        let line = format!(r#"{{"provider": "iso8583", "response": {response}}}"#);
        let out = run(&["batch"], line.as_bytes());
        assert!(
            stdout(&out).contains(&format!(r#""raw":{{"response_code":"{text}"}}"#)),
            "{}",
            stdout(&out)
        );
    }
}

// --- 5. Inputs that must be rejected -----------------------------------------------------------

/// A JSON array is not a context (serde would read it as the fields in order).
#[test]
fn an_array_is_not_a_context() {
    let out = run(
        &[
            "normalize",
            "stripe",
            "--context",
            r#"["merchant"]"#,
            r#"{"error": {"code": "card_declined"}}"#,
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("invalid --context"),
        "{}",
        stderr(&out)
    );
    let line = r#"{"provider": "stripe", "response": {"error": {"code": "card_declined"}}, "context": ["merchant", "visa"]}"#;
    let out = run(&["batch"], line.as_bytes());
    assert!(
        stdout(&out).contains(r#""kind":"invalid-context""#),
        "{}",
        stdout(&out)
    );
    assert_eq!(out.status.code(), Some(1));
}

/// A key a line does not have is an error record, not a silently dropped field.
#[test]
fn an_unknown_key_in_a_line_is_an_error() {
    let line = r#"{"id": 7, "provider": "stripe", "response": {"error": {"code": "card_declined"}}, "contxt": {"initiator": "merchant"}}"#;
    let out = run(&["batch"], line.as_bytes());
    assert_eq!(
        stdout(&out),
        "{\"line\":1,\"id\":7,\"error\":{\"kind\":\"unknown-key\",\"message\":\"unknown key `contxt` (a line has `provider`, `response`, `id` and `context`)\"}}\n"
    );
    assert_eq!(out.status.code(), Some(1));
}

// --- 6. The same answer from every entry point -------------------------------------------------

/// A response that is not an object or an array (Checkout.com lists a payment's actions as
/// an array) is an input error for `normalize` and `explain`, as it is an `invalid-response`
/// for `batch`.
#[test]
fn a_response_that_is_not_an_object_is_an_input_error() {
    for response in ["\"declined\"", "51", "null", "true"] {
        for cmd in ["normalize", "explain"] {
            let out = run(&[cmd, "iso8583", response], b"");
            assert_eq!(out.status.code(), Some(1), "{cmd} {response}");
            assert_eq!(
                stderr(&out),
                "error: the response must be a JSON object or array\n"
            );
            assert!(out.stdout.is_empty());
        }
        let line = format!(r#"{{"provider": "iso8583", "response": {response}}}"#);
        let out = run(&["batch"], line.as_bytes());
        let kind = if response == "null" {
            "missing-response"
        } else {
            "invalid-response"
        };
        assert!(
            stdout(&out).contains(&format!(r#""kind":"{kind}""#)),
            "{}",
            stdout(&out)
        );
    }
    let out = run(
        &[
            "normalize",
            "checkout",
            r#"[{"type": "Capture", "approved": true}]"#,
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let line = r#"{"provider": "checkout", "response": [{"type": "Capture"}]}"#;
    assert!(stdout(&run(&["batch"], line.as_bytes())).starts_with(r#"{"code":"#));
}

/// The nesting limit counts from the response, wherever it arrives.
#[test]
fn the_nesting_limit_is_the_same_for_normalize_and_batch() {
    let nested = |n: usize| {
        format!(
            r#"{}"39":"51"{}"#,
            r#"{"a":"#.repeat(n - 1) + "{",
            "}".repeat(n)
        )
    };
    let ok = nested(100);
    let deep = nested(101);
    assert_eq!(
        run(&["normalize", "iso8583", &ok], b"").status.code(),
        Some(0)
    );
    let out = run(&["normalize", "iso8583", &deep], b"");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "error: the response nests deeper than 100 levels\n"
    );
    let lines = format!(
        "{{\"provider\":\"iso8583\",\"response\":{ok}}}\n{{\"provider\":\"iso8583\",\"response\":{deep}}}\n"
    );
    let out = run(&["batch"], lines.as_bytes());
    let records: Vec<&str> = std::str::from_utf8(&out.stdout).unwrap().lines().collect();
    assert!(
        records[0].starts_with(r#"{"code":100999,"#),
        "{}",
        records[0]
    );
    assert_eq!(
        records[1],
        r#"{"line":2,"error":{"kind":"too-deep","message":"the response nests deeper than 100 levels"}}"#
    );
}

/// Invalid UTF-8 on stdin is invalid input (exit 1), not an I/O error.
#[test]
fn invalid_utf8_on_stdin_is_invalid_input() {
    let out = run(&["normalize", "iso8583"], b"{\"39\": \"5\xff1\"}");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "error: the response is not UTF-8 (bad byte at offset 9)\n"
    );
}

/// A byte order mark before the first batch line is ignored; anywhere else it is invalid.
#[test]
fn a_byte_order_mark_before_the_first_line_is_ignored() {
    let line = r#"{"provider": "iso8583", "response": {"39": "51"}}"#;
    let input = format!("\u{feff}{line}\n\u{feff}{line}\n");
    let out = run(&["batch"], input.as_bytes());
    let records: Vec<&str> = std::str::from_utf8(&out.stdout).unwrap().lines().collect();
    assert!(
        records[0].starts_with(r#"{"code":100100,"#),
        "{}",
        records[0]
    );
    assert!(
        records[1].contains(r#""kind":"invalid-json""#),
        "{}",
        records[1]
    );
}

/// `zh-Hans-HK` is simplified Chinese: the script decides before the region.
#[test]
fn a_simplified_script_tag_wins_over_a_traditional_region() {
    let out = run(
        &[
            "--lang",
            "zh-Hans-HK",
            "normalize",
            "iso8583",
            r#"{"39": "51"}"#,
        ],
        b"",
    );
    assert!(stdout(&out).contains("余额不足"), "{}", stdout(&out));
    let out = run(
        &["--lang", "zh-HK", "normalize", "iso8583", r#"{"39": "51"}"#],
        b"",
    );
    assert!(
        stdout(&out).contains("Insufficient balance"),
        "{}",
        stdout(&out)
    );
}

// --- 3. No mapping file skipped silently -------------------------------------------------------

/// A `*.toml` symlink that dangles or loops is a diagnostic (exit 3), not a file skipped so
/// that the built-in one quietly answers in its place.
#[test]
fn a_broken_symlink_in_the_mapping_directory_is_a_diagnostic() {
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(
        dir.path().join("missing.toml"),
        dir.path().join("stripe.toml"),
    )
    .unwrap();
    std::os::unix::fs::symlink(dir.path().join("loop.toml"), dir.path().join("loop.toml")).unwrap();
    let out = run(
        &[
            "--mappings",
            dir.path().to_str().unwrap(),
            "check",
            "--format",
            "json",
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(3));
    let diags: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let files: Vec<(String, String)> = diags
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                Path::new(d["file"].as_str().unwrap())
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .into_owned(),
                d["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(files.len(), 2, "{files:?}");
    assert_eq!(files[0].0, "loop.toml");
    assert!(files[0].1.contains("symbolic links"), "{files:?}");
    assert_eq!(files[1].0, "stripe.toml");
    assert!(files[1].1.contains("No such file"), "{files:?}");
    // The same set refuses to normalize: no silent fallback to the built-in stripe.toml.
    let out = run(
        &[
            "--mappings",
            dir.path().to_str().unwrap(),
            "normalize",
            "stripe",
            "{}",
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(3));
}

/// One unreadable file (not UTF-8, too large) hides no other file's problems.
#[test]
fn an_unreadable_file_hides_no_other_diagnostic() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("a_binary.toml"), b"provider = \"\xff\"\n").unwrap();
    fs::write(
        dir.path().join("b_huge.toml"),
        vec![b'#'; paynorm::diagnostic::MAX_FILE_BYTES + 1],
    )
    .unwrap();
    fs::copy(
        "tests/broken/invalid-regex/bad.toml",
        dir.path().join("c_regex.toml"),
    )
    .unwrap();
    let out = run(
        &[
            "--mappings",
            dir.path().to_str().unwrap(),
            "check",
            "--format",
            "json",
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(3));
    let diags: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let codes: Vec<&str> = diags
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        ["io-error", "file-too-large", "invalid-regex"],
        "{diags:#}"
    );
}

// --- 4. Every input bounded --------------------------------------------------------------------

/// `normalize` reads at most 1 MiB of stdin: `</dev/zero` is refused at once, not buffered.
#[test]
fn normalize_reads_a_bounded_stdin() {
    for cmd in ["normalize", "explain"] {
        let start = Instant::now();
        let out = paynorm()
            .args([cmd, "stripe"])
            .stdin(File::open("/dev/zero").unwrap())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{cmd}");
        assert_eq!(
            stderr(&out),
            "error: the response is larger than 1048576 bytes\n"
        );
        assert!(start.elapsed() < Duration::from_secs(10), "{cmd}");
    }
}

/// Writes a mapping file of `n` rules whose regexes are each under the per-regex limit.
fn heavy_regex_set(n: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from(
        "[provider]\nid = \"hostile\"\nname = \"h\"\nsources = [\"t\"]\nedition = \"t\"\nfallback = 100999\n\n[[field]]\nname = \"f\"\npaths = [\"/f\"]\n\n",
    );
    for i in 0..n {
        text.push_str(&format!(
            "[[rule]]\nid = \"r{i}\"\nwhen = {{ f = {{ regex = '\\w{{20}}N{i}' }} }}\ncode = 100100\ndesc = \"x\"\n\n"
        ));
    }
    fs::write(dir.path().join("hostile.toml"), text).unwrap();
    dir
}

/// 2000 regexes each under the per-regex limit cost 2.3 GB and 19 s to load before the set
/// budget; now the load stops at the budget with one diagnostic.
#[test]
fn many_heavy_regexes_stop_at_the_set_budget() {
    let dir = heavy_regex_set(2000);
    let start = Instant::now();
    let out = run(
        &[
            "--mappings",
            dir.path().to_str().unwrap(),
            "check",
            "--format",
            "json",
        ],
        b"",
    );
    let took = start.elapsed();
    assert_eq!(out.status.code(), Some(3));
    let diags: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let codes: Vec<&str> = diags
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["regex-budget"]);
    // About 30 regexes compile before the budget is spent (0.2 s optimized, a few seconds in
    // a debug build); the other 1970 are not compiled.
    assert!(took < Duration::from_secs(30), "{took:?}");
}

/// A set whose files together exceed the limit is refused before anything is parsed.
#[test]
fn a_set_larger_than_the_limit_is_refused_unread() {
    let dir = tempfile::tempdir().unwrap();
    let comment = vec![b'#'; paynorm::diagnostic::MAX_FILE_BYTES];
    for i in 0..(paynorm::validate::MAX_SET_BYTES / paynorm::diagnostic::MAX_FILE_BYTES + 1) {
        fs::write(dir.path().join(format!("f{i:02}.toml")), &comment).unwrap();
    }
    let out = run(&["--mappings", dir.path().to_str().unwrap(), "check"], b"");
    assert_eq!(out.status.code(), Some(3));
    assert!(stderr(&out).contains("[set-too-large]"), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("nothing was validated"),
        "{}",
        stderr(&out)
    );
}

/// A delegation chain of 3000 providers loads in linear time (it took 14-20 s when the cycle
/// check was quadratic).
#[test]
fn a_long_delegation_chain_loads_in_linear_time() {
    let dir = tempfile::tempdir().unwrap();
    let n = 3000;
    for i in 0..n {
        let delegate = if i + 1 < n {
            format!(
                "\ndelegate = {{ provider = \"p{}\", field = \"f\" }}",
                i + 1
            )
        } else {
            String::new()
        };
        fs::write(
            dir.path().join(format!("p{i}.toml")),
            format!(
                "[provider]\nid = \"p{i}\"\nname = \"p\"\nsources = [\"t\"]\nedition = \"t\"\nfallback = 100999\n\n[[field]]\nname = \"f\"\npaths = [\"/f\"]{delegate}\n"
            ),
        )
        .unwrap();
    }
    let start = Instant::now();
    let out = run(&["--mappings", dir.path().to_str().unwrap(), "check"], b"");
    let took = start.elapsed();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(took < Duration::from_secs(10), "{took:?}");
}

// --- 7. Authoring tools that pass on nothing ---------------------------------------------------

/// `paynorm test` on a folder without cases fails, and says where cases go; one level too
/// deep (the provider folder itself) says to pass the folder above.
#[test]
fn expectation_tests_without_cases_fail() {
    let empty = tempfile::tempdir().unwrap();
    let out = run(&["test", empty.path().to_str().unwrap()], b"");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        format!(
            "error: no cases in {}: a case is DIR/<provider>/<case>.json\n",
            empty.path().display()
        )
    );
    let out = run(&["test", "fixtures/stripe"], b"");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "error: no cases in fixtures/stripe: a case is DIR/<provider>/<case>.json; fixtures/stripe holds .json files itself: pass the directory above it\n"
    );
}

/// An expectation saved with CRLF line ends (a Windows checkout) or a BOM passes.
#[test]
fn a_crlf_expectation_passes() {
    let dir = tempfile::tempdir().unwrap();
    let cases = dir.path().join("iso8583");
    fs::create_dir(&cases).unwrap();
    fs::write(cases.join("a.json"), r#"{"39": "51"}"#).unwrap();
    let root = dir.path().to_str().unwrap();
    assert_eq!(run(&["test", root, "--update"], b"").status.code(), Some(0));
    let lf = fs::read_to_string(cases.join("a.expected.json")).unwrap();
    assert!(lf.contains("\"code\": 100100"), "{lf}");
    fs::write(
        cases.join("a.expected.json"),
        format!("\u{feff}{}", lf.replace('\n', "\r\n")),
    )
    .unwrap();
    let out = run(&["test", root], b"");
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert_eq!(stdout(&out), "1 cases: 1 passed, 0 failed, 0 updated\n");
    // A real difference still fails.
    fs::write(
        cases.join("a.expected.json"),
        lf.replace("100100", "100101"),
    )
    .unwrap();
    assert_eq!(run(&["test", root], b"").status.code(), Some(1));
}

/// `coverage --fixtures` naming no directory is an I/O error, not "0 fixtures".
#[test]
fn coverage_with_a_missing_fixtures_directory_fails() {
    let out = run(&["coverage", "stripe", "--fixtures", "/nonexistent"], b"");
    assert_eq!(out.status.code(), Some(4));
    assert_eq!(
        stderr(&out),
        "error: the fixtures directory /nonexistent does not exist (see --fixtures)\n"
    );
}

/// Fixture, case and reference files are read up to a limit: a symlink to /dev/zero is an
/// error, not an endless read.
#[test]
fn authoring_reads_are_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let cases = dir.path().join("iso8583");
    fs::create_dir(&cases).unwrap();
    std::os::unix::fs::symlink("/dev/zero", cases.join("zero.json")).unwrap();
    let root = dir.path().to_str().unwrap();
    let out = run(&["test", root], b"");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("larger than 1048576 bytes"),
        "{}",
        stdout(&out)
    );
    let out = run(&["coverage", "iso8583", "--fixtures", root], b"");
    assert_eq!(out.status.code(), Some(4));
    assert!(
        stderr(&out).contains("larger than 1048576 bytes"),
        "{}",
        stderr(&out)
    );
    let out = run(&["coverage", "iso8583", "--reference", "/dev/zero"], b"");
    assert_eq!(out.status.code(), Some(4));
    assert!(
        stderr(&out).contains("larger than 4194304 bytes"),
        "{}",
        stderr(&out)
    );
}

// --- 8. Streaming and interruption -------------------------------------------------------------

const LINE: &str = r#"{"provider": "iso8583", "response": {"39": "51"}}"#;

/// Lines read from `r`, sent one by one.
fn line_reader(r: impl Read + Send + 'static) -> std::sync::mpsc::Receiver<String> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(r).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// With a slow writer (`tail -f log | paynorm batch`), each result follows its line at once,
/// with the input still open.
#[test]
fn results_follow_a_slow_input() {
    for threads in ["1", "2"] {
        let mut child = paynorm()
            .args(["batch", "--threads", threads])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut input = child.stdin.take().unwrap();
        let lines = line_reader(child.stdout.take().unwrap());
        for i in 0..3 {
            writeln!(input, "{LINE}").unwrap();
            input.flush().unwrap();
            let got = lines
                .recv_timeout(Duration::from_secs(10))
                .unwrap_or_else(|_| panic!("threads {threads}: no result for line {i}"));
            assert!(got.starts_with(r#"{"code":100100,"#), "{got}");
        }
        drop(input);
        assert_eq!(child.wait().unwrap().code(), Some(0));
    }
}

/// On SIGTERM the output is an in-order prefix that ends on a line boundary, and stderr
/// says how many lines it holds.
#[test]
fn sigterm_ends_the_output_on_a_line_boundary() {
    for round in 0..4 {
        let mut child = paynorm()
            .args(["batch", "--threads", "2"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut input = child.stdin.take().unwrap();
        std::thread::spawn(move || {
            let block = format!("{LINE}\n").repeat(1000);
            while input.write_all(block.as_bytes()).is_ok() {}
        });
        // Wait for output to flow (builds may load the machine), then a little longer.
        let stdout = child.stdout.take().unwrap();
        let (first_tx, first_rx) = std::sync::mpsc::channel();
        let collected = std::thread::spawn(move || {
            let mut reader = std::io::BufReader::new(stdout);
            let mut out = Vec::new();
            let _ = reader.read_until(b'\n', &mut out);
            let _ = first_tx.send(());
            let _ = reader.read_to_end(&mut out);
            out
        });
        let mut stderr_pipe = child.stderr.take().unwrap();
        let errors = std::thread::spawn(move || read_all(&mut stderr_pipe));
        first_rx
            .recv_timeout(Duration::from_secs(30))
            .expect("some output before the signal");
        std::thread::sleep(Duration::from_millis(50 + 100 * round));
        let killed = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        let status = wait_with_timeout(&mut child, Duration::from_secs(10)).expect("it exits");
        assert_eq!(status.code(), Some(143), "round {round}");
        let out = collected.join().unwrap();
        let err = String::from_utf8(errors.join().unwrap()).unwrap();
        assert!(
            !out.is_empty(),
            "round {round}: some output before the signal"
        );
        assert_eq!(
            out.last(),
            Some(&b'\n'),
            "round {round}: ends on a line boundary"
        );
        let n = out.iter().filter(|&&b| b == b'\n').count();
        for line in out.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
            assert!(line.starts_with(br#"{"code":100100,"#));
            serde_json::from_slice::<serde_json::Value>(line).unwrap();
        }
        assert_eq!(
            err,
            format!(
                "interrupted by SIGTERM after {n} output lines (one per input line, in order); the output ends on a line boundary\n"
            ),
            "round {round}"
        );
    }
}

fn read_all(r: &mut impl Read) -> Vec<u8> {
    let mut v = Vec::new();
    let _ = r.read_to_end(&mut v);
    v
}

fn wait_with_timeout(
    child: &mut std::process::Child,
    limit: Duration,
) -> Option<std::process::ExitStatus> {
    let start = Instant::now();
    while start.elapsed() < limit {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    None
}

// --- 9. Tables aligned in display width --------------------------------------------------------

/// A provider named in Chinese keeps the `providers` table aligned: CJK characters take two
/// columns on a terminal.
#[test]
fn tables_align_cjk_text_by_display_width() {
    use unicode_width::UnicodeWidthStr;
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("unionpay.toml"),
        "[provider]\nid = \"unionpay\"\nname = \"银联 UnionPay\"\nsources = [\"中国银联\"]\nedition = \"t\"\nfallback = 100999\n\n[[field]]\nname = \"f\"\npaths = [\"/f\"]\n",
    )
    .unwrap();
    let out = run(
        &["--mappings", dir.path().to_str().unwrap(), "providers"],
        b"",
    );
    let text = stdout(&out);
    // Where the right-aligned `entries` column ends (before the two spaces ahead of
    // `source`), in display columns.
    let ends: Vec<usize> = text
        .lines()
        .map(|l| UnicodeWidthStr::width(&l[..l.rfind("  ").unwrap()]))
        .collect();
    assert!(ends.windows(2).all(|w| w[0] == w[1]), "{text}");
    assert!(text.contains("银联 UnionPay"), "{text}");
    let out = run(&["catalog"], b"");
    let starts: Vec<usize> = stdout(&out)
        .lines()
        .map(|l| UnicodeWidthStr::width(&l[..l.rfind("  ").unwrap()]))
        .collect();
    assert!(starts.windows(2).all(|w| w[0] == w[1]));
}

// --- Generated hostile input ---------------------------------------------------------------------

mod generated {
    use paynorm::json::{Json, Node, Pointer};
    use paynorm::{Engine, Layer, SourceFile, builtin};
    use proptest::prelude::*;

    /// Valid JSON number texts, in every form the grammar allows.
    fn number_text() -> impl Strategy<Value = String> {
        (
            any::<bool>(),
            prop_oneof![Just("0".to_string()), "[1-9][0-9]{0,30}"],
            prop::option::of("[0-9]{1,20}"),
            // serde_json refuses a number beyond the f64 range (`1e400`) as invalid JSON.
            prop::option::of(("[eE]", "[+-]?", "[0-9]{1,2}")),
        )
            .prop_map(|(neg, int, frac, exp)| {
                let mut s = String::new();
                if neg {
                    s.push('-');
                }
                s.push_str(&int);
                if let Some(f) = frac {
                    s.push('.');
                    s.push_str(&f);
                }
                if let Some((e, sign, digits)) = exp {
                    s.push_str(&format!("{e}{sign}{digits}"));
                }
                s
            })
    }

    /// Strings with the characters that could mislead the number cursor.
    fn tricky_string() -> impl Strategy<Value = String> {
        prop::collection::vec(
            prop_oneof![
                Just("\\\"".to_string()),
                Just("\\\\".to_string()),
                Just("1".to_string()),
                Just("-2.5e3".to_string()),
                Just("\\u0031".to_string()),
                "[a-z ]{0,3}",
            ],
            0..6,
        )
        .prop_map(|parts| format!("\"{}\"", parts.concat()))
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        /// Every number keeps its exact text, whatever strings (with digits, escaped quotes)
        /// and keys stand between the numbers.
        #[test]
        fn numbers_keep_their_text_between_tricky_strings(
            items in prop::collection::vec((tricky_string(), number_text()), 1..8)
        ) {
            let mut text = String::from("{\"n\": [");
            for (i, (s, n)) in items.iter().enumerate() {
                if i > 0 {
                    text.push(',');
                }
                text.push_str(&format!("{{{s}: {s}, \"v\": {n}}}"));
            }
            text.push_str("]}");
            let doc = Json::parse(text.as_bytes()).unwrap();
            for (i, (_, n)) in items.iter().enumerate() {
                let p = Pointer::parse(&format!("/n/{i}/v")).unwrap();
                let got = doc.text_at(&p).map(|t| t.into_owned());
                prop_assert_eq!(got.as_deref(), Some(n.as_str()), "{}", text);
            }
            let mut out = Vec::new();
            doc.write_to(&mut out);
            let again = Json::parse(&out).unwrap();
            prop_assert_eq!(again, doc);
        }

        /// The document accepts exactly what serde_json accepts (within the nesting limit),
        /// and reads the same values.
        #[test]
        fn the_document_accepts_what_serde_json_accepts(
            bytes in prop_oneof![
                prop::collection::vec(any::<u8>(), 0..64),
                "[\\[\\]{}\":,0-9a-z .eE+-]{0,48}".prop_map(String::into_bytes),
            ]
        ) {
            let ours = Json::parse(&bytes);
            let theirs = serde_json::from_slice::<serde_json::Value>(&bytes);
            prop_assert_eq!(ours.is_ok(), theirs.is_ok(), "{:?}", String::from_utf8_lossy(&bytes));
            if let (Ok(ours), Ok(theirs)) = (ours, theirs) {
                prop_assert_eq!(ours.to_value(), theirs);
            }
        }

        /// A built-in decision file with bytes changed loads or is refused with diagnostics;
        /// it never panics.
        #[test]
        fn mutated_decision_files_never_panic(
            which in 0usize..4,
            edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8)
        ) {
            let mut decisions = builtin::decision_sources();
            let count = decisions.len();
            let file = &mut decisions[which % count];
            let mut bytes = file.text.clone().into_bytes();
            for (at, byte) in edits {
                let i = at.index(bytes.len());
                bytes[i] = byte;
            }
            let Ok(source) = SourceFile::from_bytes(&file.name, bytes) else {
                return Ok(());
            };
            *file = source;
            let layer = Layer { mappings: builtin::mapping_sources(), decisions };
            if let Err(diags) = Engine::from_layers(vec![layer]) {
                prop_assert!(!diags.items.is_empty());
                let _ = diags.render();
            }
        }
    }
}

/// `batch DIR` names the directory it cannot read (exit 4).
#[test]
fn batch_on_a_directory_names_it() {
    let out = run(&["batch", "tests"], b"");
    assert_eq!(out.status.code(), Some(4));
    assert_eq!(stderr(&out), "error: cannot open tests: is a directory\n");
}
