//! The binary as users run it, one case per file: `tests/cmd/<case>.toml` gives the
//! arguments, stdin and exit status, `<case>.stdout` and `<case>.stderr` beside it the
//! exact output. Cases that need Rust (temporary directories, closed pipes, computed
//! assertions) are in `tests/cli.rs`.
//!
//! Update the expected files after a deliberate change with
//! `TRYCMD=overwrite cargo test --test cmd`, then review the diff.

#[test]
fn cli_cases() {
    trycmd::TestCases::new()
        // The package's own `paynorm`, as cargo built it for this test run.
        .register_bin(
            "paynorm",
            std::path::Path::new(env!("CARGO_BIN_EXE_paynorm")),
        )
        .case("tests/cmd/*.toml");
}
