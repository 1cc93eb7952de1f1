//! The hostile-input suite: what a careless user or an attacker would try against every entry
//! point, with the documented answer asserted. Each test names the defect it pins down
//! (issue 16) or the property it guards.

use std::fs::{self, File};
use std::io::Write;
use std::process::{Command, Output, Stdio};

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
