//! The decision walk, on small mapping sets written for each case.

mod support;

use paynorm::diagnostic::SourceFile;
use paynorm::{Engine, Error};
use serde_json::json;

fn src(name: &str, text: &str) -> SourceFile {
    SourceFile {
        name: name.to_string(),
        text: text.to_string(),
    }
}

const NET: &str = r#"
[provider]
id = "net"
name = "Network"
sources = ["test"]
edition = "test"

[[field]]
name = "rc"
paths = ["/rc"]
normalize = ["trim", "uppercase", { pad_left = 2, fill = "0" }]

[[rule]]
id = "private-range"
when = { rc = { range = [90, 95] } }
code = 100998
desc = "private use"

[values.rc]
"05" = { code = 100609, desc = "Do not honor" }
"51" = { code = 100100, desc = "Insufficient funds" }
"N7" = { code = 100224, desc = "CVV2 failure" }
"#;

const GATE: &str = r#"
[provider]
id = "gate"
name = "Gateway"
sources = ["test"]
edition = "test"
fallback = 100998

[[rule]]
id = "expired-recurring"
when = { reason = "expired", kind = { one_of = ["recurring", "installment"] } }
code = 100229
desc = "expired on a stored credential"

[[rule]]
id = "soft"
when = { reason = { prefix = "soft_" } }
code = 100607
generic = true
desc = "soft decline"

[[field]]
name = "reason"
paths = ["/error/reason", "/reason"]
normalize = ["trim", "lowercase"]

[[field]]
name = "network"
paths = ["/error/network"]
delegate = { provider = "net", field = "rc" }

[[field]]
name = "kind"
paths = ["/kind"]

[values.reason]
declined = { code = 100607, generic = true, desc = "declined" }
expired = { code = 100206, desc = "expired" }
insufficient_funds = { code = 100100, desc = "no money" }
"true" = { code = 100000, desc = "a boolean read as text" }
"#;

fn engine() -> Engine {
    Engine::from_sources(vec![src("net.toml", NET), src("gate.toml", GATE)], vec![]).unwrap()
}

#[test]
fn exact_entry_decides_and_reports_raw_text_before_normalization() {
    let e = engine();
    let r = e
        .normalize("gate", &json!({"reason": "  Insufficient_Funds "}))
        .unwrap();
    assert_eq!(r.code, 100100);
    assert_eq!(r.rule, Some("gate/reason/insufficient_funds"));
    assert_eq!(r.via, None);
    assert_eq!(r.raw.get("reason"), Some("  Insufficient_Funds "));
    assert_eq!(r.raw.get("network"), None);
}

#[test]
fn paths_are_tried_in_order() {
    let e = engine();
    let r = e
        .normalize(
            "gate",
            &json!({"error": {"reason": "expired"}, "reason": "declined"}),
        )
        .unwrap();
    assert_eq!(r.rule, Some("gate/reason/expired"));
    // The first path is absent: the second one is read.
    let r = e
        .normalize("gate", &json!({"error": {}, "reason": "expired"}))
        .unwrap();
    assert_eq!(r.rule, Some("gate/reason/expired"));
}

#[test]
fn generic_entry_yields_to_a_specific_delegated_one() {
    let e = engine();
    let r = e
        .normalize(
            "gate",
            &json!({"reason": "declined", "error": {"network": "51"}}),
        )
        .unwrap();
    assert_eq!(r.code, 100100);
    assert_eq!(r.rule, Some("net/rc/51"));
    assert_eq!(r.via, Some("gate/network"));
    // Alone, the generic entry decides.
    let r = e.normalize("gate", &json!({"reason": "declined"})).unwrap();
    assert_eq!(r.rule, Some("gate/reason/declined"));
    assert_eq!(r.code, 100607);
}

#[test]
fn specific_entry_of_an_earlier_field_beats_the_delegation() {
    let e = engine();
    let r = e
        .normalize(
            "gate",
            &json!({"reason": "expired", "error": {"network": "51"}}),
        )
        .unwrap();
    assert_eq!(r.rule, Some("gate/reason/expired"));
}

#[test]
fn delegation_applies_the_target_normalization() {
    let e = engine();
    // A number 5 is "5", padded by the target field to "05".
    let r = e
        .normalize("gate", &json!({"error": {"network": 5}}))
        .unwrap();
    assert_eq!(r.rule, Some("net/rc/05"));
    assert_eq!(r.raw.get("network"), Some("5"));
    let r = e
        .normalize("gate", &json!({"error": {"network": "n7"}}))
        .unwrap();
    assert_eq!(r.rule, Some("net/rc/N7"));
    // Single-field rules of the target are part of the delegated search.
    let r = e
        .normalize("gate", &json!({"error": {"network": "93"}}))
        .unwrap();
    assert_eq!(r.rule, Some("net/rule/private-range"));
    assert_eq!(r.code, 100998);
}

#[test]
fn rules_come_first_and_need_all_conditions() {
    let e = engine();
    let r = e
        .normalize("gate", &json!({"reason": "expired", "kind": "recurring"}))
        .unwrap();
    assert_eq!(r.rule, Some("gate/rule/expired-recurring"));
    assert_eq!(r.code, 100229);
    let r = e
        .normalize("gate", &json!({"reason": "expired", "kind": "one-off"}))
        .unwrap();
    assert_eq!(r.rule, Some("gate/reason/expired"));
}

#[test]
fn a_generic_rule_is_the_first_generic_candidate() {
    let e = engine();
    let r = e
        .normalize("gate", &json!({"reason": "soft_whatever"}))
        .unwrap();
    assert_eq!(r.rule, Some("gate/rule/soft"));
    let r = e
        .normalize(
            "gate",
            &json!({"reason": "soft_x", "error": {"network": "05"}}),
        )
        .unwrap();
    assert_eq!(r.rule, Some("net/rc/05"));
}

#[test]
fn fallback_when_nothing_matches_still_reports_raw() {
    let e = engine();
    let r = e
        .normalize("gate", &json!({"reason": "brand_new_reason"}))
        .unwrap();
    assert_eq!(r.code, 100998, "the provider's own fallback");
    assert_eq!(r.rule, None);
    assert_eq!(r.raw.get("reason"), Some("brand_new_reason"));
    let r = e.normalize("net", &json!({"rc": "77"})).unwrap();
    assert_eq!(r.code, 100999, "the default fallback");
}

#[test]
fn non_scalars_null_and_blank_values_never_match() {
    let e = engine();
    for response in [
        json!({"reason": null}),
        json!({"reason": ["expired"]}),
        json!({"reason": {"x": "expired"}}),
        json!({"reason": "   "}),
        json!("expired"),
        json!(null),
        json!([1, 2]),
    ] {
        let r = e.normalize("gate", &response).unwrap();
        assert_eq!(r.rule, None, "{response}");
        assert_eq!(r.code, 100998);
    }
    // Arrays and objects are not reported in raw; a blank string is (it was present).
    let r = e.normalize("gate", &json!({"reason": [1]})).unwrap();
    assert!(r.raw.is_empty());
}

#[test]
fn numbers_and_booleans_compare_as_their_text() {
    let e = engine();
    let r = e.normalize("net", &json!({"rc": 51})).unwrap();
    assert_eq!(r.rule, Some("net/rc/51"));
    let r = e.normalize("gate", &json!({"reason": true})).unwrap();
    assert_eq!(r.rule, Some("gate/reason/true"));
}

#[test]
fn unknown_provider_is_an_error() {
    let e = engine();
    assert_eq!(
        e.normalize("nope", &json!({})).unwrap_err(),
        Error::UnknownProvider("nope".into())
    );
}

#[test]
fn engine_is_send_sync_and_cheap_to_clone() {
    fn assert_send_sync<T: Send + Sync + Clone>() {}
    assert_send_sync::<Engine>();
    let e = engine();
    let copy = e.clone();
    let handle =
        std::thread::spawn(move || copy.normalize("net", &json!({"rc": "51"})).unwrap().code);
    assert_eq!(handle.join().unwrap(), 100100);
}

#[test]
fn adding_a_provider_is_adding_a_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("acme.toml"),
        r#"
[provider]
id = "acme"
name = "Acme Pay"
sources = ["https://acme.test/codes"]
edition = "2026-01"

[[field]]
name = "result"
paths = ["/result"]
normalize = ["trim", "uppercase"]

[[field]]
name = "iso"
paths = ["/iso"]
delegate = { provider = "iso8583", field = "response_code" }

[values.result]
NSF = { code = 100100, desc = "Not sufficient funds" }
DECLINED = { code = 100607, generic = true, desc = "Declined" }
"#,
    )
    .unwrap();
    let e = support::load_dir(dir.path()).unwrap();
    assert!(e.has_provider("acme"));
    assert!(e.has_provider("stripe"), "built-ins stay loaded");
    let r = e.normalize("acme", &json!({"result": "nsf"})).unwrap();
    assert_eq!((r.code, r.rule), (100100, Some("acme/result/NSF")));
    // Delegation into a built-in provider.
    let r = e
        .normalize("acme", &json!({"result": "DECLINED", "iso": "51"}))
        .unwrap();
    assert_eq!((r.code, r.rule), (100100, Some("iso8583/response_code/51")));
}

#[test]
fn a_file_with_a_builtin_id_replaces_that_provider() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("my-iso.toml"),
        r#"
[provider]
id = "iso8583"
name = "My ISO"
sources = ["ours"]
edition = "1"

[[field]]
name = "response_code"
paths = ["/39"]

[values.response_code]
"51" = { code = 100999, desc = "we treat 51 as other" }
"#,
    )
    .unwrap();
    let e = support::load_dir(dir.path()).unwrap();
    let info = e
        .providers()
        .into_iter()
        .find(|p| p.id == "iso8583")
        .unwrap();
    assert_eq!((info.name, info.entries), ("My ISO", 1));
    let r = e.normalize("iso8583", &json!({"39": "51"})).unwrap();
    assert_eq!(r.code, 100999);
    // Built-ins that delegate to it now use the replacement.
    let r = e
        .normalize(
            "stripe",
            &json!({"error": {"code": "card_declined", "network_decline_code": "51"}}),
        )
        .unwrap();
    assert_eq!(r.rule, Some("iso8583/response_code/51"));
}
