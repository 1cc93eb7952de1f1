//! Arbitrary bytes as a mapping file: `validate_file` (on the lossy UTF-8 text) never
//! panics, its diagnostics point inside the text, on char boundaries, and render; when the
//! bytes are UTF-8 and the file is valid on its own, it is also loaded with
//! `Engine::from_sources` as an overlay on the built-in mappings, and the result is either an
//! engine that answers with catalog codes or diagnostics (delegation, duplicate provider...)
//! that point inside their files and render.

#![no_main]

use std::ops::Range;

use libfuzzer_sys::fuzz_target;
use paynorm::builtin;
use paynorm::diagnostic::SourceFile;
use paynorm::validate::validate_file;
use paynorm::{Diagnostics, Engine};
use serde_json::json;

const NAME: &str = "fuzz.toml";

fn assert_span(text: &str, span: &Range<usize>, what: &str) {
    assert!(
        span.start <= span.end
            && span.end <= text.len()
            && text.is_char_boundary(span.start)
            && text.is_char_boundary(span.end),
        "span {span:?} of {what} is outside the text (len {}) or not on char boundaries",
        text.len()
    );
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let valid = match validate_file(NAME, &text) {
        Ok(_) => true,
        Err(items) => {
            assert!(!items.is_empty());
            for d in &items {
                if let Some(span) = &d.span {
                    assert_span(&text, span, &d.message);
                }
            }
            // Render them as the loader would, without validating the built-ins again.
            check_diagnostics(&Diagnostics {
                items,
                sources: vec![SourceFile {
                    name: NAME.to_string(),
                    text: text.to_string(),
                }],
            });
            false
        }
    };

    // The whole loader (checks across files, compilation) only for a file that is valid on
    // its own: an invalid one gets the same diagnostics there, after validating every
    // built-in file again, which would cost most of the fuzzer's time.
    let (true, Ok(text)) = (valid, std::str::from_utf8(data)) else {
        return;
    };
    let overlay = vec![SourceFile {
        name: NAME.to_string(),
        text: text.to_string(),
    }];
    match Engine::from_sources(builtin::mapping_sources(), overlay) {
        Ok(engine) => {
            let response = json!({"39": "51", "error": {"code": "card_declined"}, "status": "x"});
            for p in engine.providers() {
                let r = engine
                    .normalize(p.id, &response)
                    .expect("a loaded provider");
                assert!(paynorm::catalog::lookup(r.code).is_some(), "a catalog code");
            }
        }
        Err(diags) => check_diagnostics(&diags),
    }
});

fn check_diagnostics(diags: &Diagnostics) {
    assert!(!diags.is_empty());
    for d in &diags.items {
        let source = diags.sources.iter().find(|s| s.name == d.file);
        if let (Some(span), Some(source)) = (&d.span, source) {
            assert_span(&source.text, span, &d.message);
        }
    }
    let _ = diags.to_string();
    let _ = diags.to_json();
}
