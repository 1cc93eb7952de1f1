//! Reloading while other threads normalize: every result comes from the old set or the new
//! one, never a mix, and a failed reload keeps the old set.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use paynorm::{Engine, SharedEngine};
use serde_json::json;

/// A mapping set in which ISO 8583 `51` means "Other error" instead of "Insufficient balance".
fn overlay_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("iso.toml"),
        r#"
[provider]
id = "iso8583"
name = "ISO, reloaded"
sources = ["test"]
edition = "test"

[[field]]
name = "response_code"
paths = ["/39"]
normalize = ["trim", { pad_left = 2, fill = "0" }]

[values.response_code]
"51" = { code = 100999, desc = "reloaded" }
"#,
    )
    .unwrap();
    dir
}

#[test]
fn readers_see_the_old_set_or_the_new_one_never_a_mix() {
    let shared = Arc::new(SharedEngine::new(Engine::builtin().unwrap()));
    let dir = overlay_dir();
    let broken = tempfile::tempdir().unwrap();
    std::fs::write(broken.path().join("bad.toml"), "[provider]\nid = 1\n").unwrap();
    let stop = Arc::new(AtomicBool::new(false));

    let readers: Vec<_> = (0..2)
        .map(|_| {
            let shared = Arc::clone(&shared);
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                let (mut old, mut new) = (0u64, 0u64);
                let iso = json!({"39": "51"});
                let stripe =
                    json!({"error": {"code": "card_declined", "network_decline_code": "51"}});
                while !stop.load(Ordering::Relaxed) {
                    // One unit of work, one snapshot: both answers come from one set.
                    let engine = shared.current();
                    let a = engine.normalize("iso8583", &iso).unwrap().code;
                    let b = engine.normalize("stripe", &stripe).unwrap().code;
                    assert_eq!(a, b, "one snapshot answers from one mapping set");
                    match a {
                        100100 => old += 1,
                        100999 => new += 1,
                        other => panic!("{other} belongs to neither set"),
                    }
                }
                (old, new)
            })
        })
        .collect();

    for i in 0..16 {
        if i % 2 == 0 {
            let layer = support::fs::read_layer(dir.path()).unwrap();
            shared
                .reload(vec![paynorm::builtin::layer(), layer])
                .expect("a valid set reloads");
        } else {
            shared.replace(Engine::builtin().unwrap());
        }
        // A failed reload changes nothing and reports why.
        let before = shared
            .current()
            .normalize("iso8583", &json!({"39": "51"}))
            .unwrap()
            .code;
        let diags = shared
            .reload(vec![
                paynorm::builtin::layer(),
                support::fs::read_layer(broken.path()).unwrap(),
            ])
            .unwrap_err();
        assert!(!diags.is_empty());
        let after = shared
            .current()
            .normalize("iso8583", &json!({"39": "51"}))
            .unwrap()
            .code;
        assert_eq!(before, after, "a failed reload keeps the current set");
        std::thread::yield_now();
    }
    stop.store(true, Ordering::Relaxed);
    let (mut old, mut new) = (0, 0);
    for r in readers {
        let (o, n) = r.join().expect("no reader panicked");
        old += o;
        new += n;
    }
    assert!(old + new > 0, "the readers ran");
}
