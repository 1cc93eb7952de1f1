//! Arbitrary bytes as one batch input line (`paynorm::batch::process_line`, built-in
//! mappings): never a panic, and always exactly one JSON record ending in `\n`, carrying
//! either a `code` or an `error`.

#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use paynorm::Engine;
use paynorm::batch::{self, BatchOptions};
use serde_json::Value;

static ENGINE: LazyLock<Engine> =
    LazyLock::new(|| Engine::builtin().expect("built-in mappings are valid"));

fuzz_target!(|line: &[u8]| {
    let mut out = Vec::new();
    let outcome = batch::process_line(&ENGINE, &BatchOptions::default(), 1, line, &mut out);
    assert_eq!(out.last(), Some(&b'\n'), "a record ends in a line end");
    assert_eq!(
        out.iter().filter(|&&b| b == b'\n').count(),
        1,
        "exactly one line"
    );
    let record: Value = serde_json::from_slice(&out).expect("the record is JSON");
    let has_code = record.get("code").is_some();
    assert_ne!(has_code, record.get("error").is_some(), "code xor error");
    assert_eq!(outcome.is_ok(), has_code);
    if let Some(code) = record.get("code") {
        let code = code.as_u64().and_then(|c| u32::try_from(c).ok());
        assert!(
            code.and_then(paynorm::catalog::lookup).is_some(),
            "a catalog code"
        );
    }
});
