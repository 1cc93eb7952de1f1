//! The mapping-format features for real response shapes: `*` pointers (list fields),
//! `present` / `not` conditions, `[[message]]` entries on free text, and `outcome`. One small
//! mapping exercises each; every result is asserted, through the library and through batch.

use paynorm::batch::{self, BatchOptions};
use paynorm::{Engine, Lang, SourceFile};
use serde_json::{Value, json};

const SHAPES: &str = r#"
[provider]
id = "shapes"
name = "Shapes"
sources = ["tests/shapes.rs"]
edition = "test"

[[field]]
name = "error_codes"
paths = ["/error_codes/*", "/actions/*/error_codes/*"]
normalize = ["trim", "lowercase"]

[[field]]
name = "status"
paths = ["/status"]
normalize = ["lowercase"]

[[field]]
name = "response_code"
paths = ["/response_code", "/actions/*/response_code"]
delegate = { provider = "iso8583", field = "response_code" }

[[field]]
name = "type"
paths = ["/type"]

[[field]]
name = "message"
paths = ["/message", "/error/message"]

[[rule]]
id = "declined-without-code"
when = { status = "declined", response_code = { present = false } }
code = 100607
generic = true
desc = "Declined, no response code"

[[rule]]
id = "pending-not-3ds"
when = { status = "pending", type = { not = { one_of = ["3ds", "redirect"] } } }
code = 100998
outcome = "pending"
desc = "Pending for another reason"

[values.error_codes]
request_invalid = { code = 100414, generic = true, desc = "Request invalid" }
card_expired = { code = 100206, desc = "Card expired" }
cvv_invalid = { code = 100224, desc = "CVV invalid" }

[values.status]
pending = { code = 100622, desc = "Pending" }
captured = { code = 100000, desc = "Captured" }
capture_received = { code = 100000, outcome = "pending", desc = "Capture received" }

[[message]]
id = "no-such-charge"
field = "message"
contains = "no such  CHARGE"
code = 100620
desc = "No such charge: 'ch_1'"

[[message]]
id = "api-key"
field = "message"
words = ["invalid", "key"]
when = { type = "invalid_request_error" }
code = 100412
desc = "Invalid API Key provided: sk_test_****"
"#;

fn engine() -> Engine {
    Engine::with_overlay(vec![SourceFile::new("shapes.toml", SHAPES)]).unwrap()
}

/// (code, outcome, rule, raw) of one response, through the library.
fn norm(response: Value) -> (u32, String, Option<String>, Value) {
    let engine = engine();
    let r = engine.normalize("shapes", &response).unwrap();
    let record = serde_json::to_value(r.record(Lang::En)).unwrap();
    (
        r.code,
        record["outcome"].as_str().unwrap().to_string(),
        r.rule.map(str::to_string),
        record["raw"].clone(),
    )
}

#[test]
fn every_element_of_a_list_field_is_read_and_kept() {
    // The first element with a non-generic entry decides; a generic entry of an earlier
    // element does not beat it.
    let (code, outcome, rule, raw) =
        norm(json!({"error_codes": ["request_invalid", "card_expired", "cvv_invalid"]}));
    assert_eq!(code, 100206);
    assert_eq!(outcome, "declined");
    assert_eq!(rule.as_deref(), Some("shapes/error_codes/card_expired"));
    assert_eq!(
        raw,
        json!({"error_codes": ["request_invalid", "card_expired", "cvv_invalid"]})
    );
    // Only generic entries: the first one.
    let (code, outcome, _, raw) = norm(json!({"error_codes": ["request_invalid"]}));
    assert_eq!((code, outcome.as_str()), (100414, "error"));
    assert_eq!(raw, json!({"error_codes": ["request_invalid"]}));
    // Nested `*`, outer array first; non-scalars skipped.
    let (code, _, _, raw) = norm(json!({"actions": [
        {"error_codes": [{"x": 1}, "cvv_invalid"]},
        {"error_codes": ["card_expired"]}
    ]}));
    assert_eq!(code, 100224);
    assert_eq!(raw, json!({"error_codes": ["cvv_invalid", "card_expired"]}));
}

#[test]
fn a_list_field_delegates_each_value_in_order() {
    let (code, _, rule, raw) = norm(json!({"actions": [
        {"response_code": "XX"}, {"response_code": "51"}, {"response_code": "05"}
    ]}));
    assert_eq!(code, 100100);
    assert_eq!(rule.as_deref(), Some("iso8583/response_code/51"));
    assert_eq!(raw, json!({"response_code": ["XX", "51", "05"]}));
    // The first path that finds anything wins; the list field is still an array in raw.
    let (code, _, _, raw) =
        norm(json!({"response_code": "05", "actions": [{"response_code": "51"}]}));
    assert_eq!(code, 100609);
    assert_eq!(raw, json!({"response_code": ["05"]}));
}

#[test]
fn present_and_not_conditions() {
    let (code, _, rule, _) = norm(json!({"status": "Declined"}));
    assert_eq!(code, 100607);
    assert_eq!(rule.as_deref(), Some("shapes/rule/declined-without-code"));
    // With a response code the rule does not hold; the code decides.
    let (code, _, rule, _) = norm(json!({"status": "Declined", "response_code": "51"}));
    assert_eq!(
        (code, rule.as_deref()),
        (100100, Some("iso8583/response_code/51"))
    );
    // `not` holds without a value, and for a value outside the list.
    let (code, outcome, _, _) = norm(json!({"status": "pending"}));
    assert_eq!((code, outcome.as_str()), (100998, "pending"));
    let (code, outcome, _, _) = norm(json!({"status": "pending", "type": "review"}));
    assert_eq!((code, outcome.as_str()), (100998, "pending"));
    // ... and does not hold for a value in it: the status table's entry decides.
    let (code, outcome, rule, _) = norm(json!({"status": "pending", "type": "3ds"}));
    assert_eq!((code, outcome.as_str()), (100622, "pending"));
    assert_eq!(rule.as_deref(), Some("shapes/status/pending"));
}

#[test]
fn messages_decide_only_when_no_code_matched() {
    let (code, outcome, rule, raw) =
        norm(json!({"type": "invalid_request_error", "message": "No such charge: 'ch_1'"}));
    assert_eq!((code, outcome.as_str()), (100620, "error"));
    assert_eq!(rule.as_deref(), Some("shapes/message/no-such-charge"));
    assert_eq!(
        raw,
        json!({"type": "invalid_request_error", "message": "No such charge: 'ch_1'"})
    );
    // White space and case do not matter.
    let (code, ..) = norm(json!({"error": {"message": "no   such\ncharge"}}));
    assert_eq!(code, 100620);
    // Words in any order, with the message's conditions.
    let (code, ..) = norm(
        json!({"type": "invalid_request_error", "message": "Invalid API Key provided: sk_test_1"}),
    );
    assert_eq!(code, 100412);
    let (code, outcome, rule, _) =
        norm(json!({"type": "card_error", "message": "Invalid API Key provided"}));
    assert_eq!((code, outcome.as_str(), rule), (100999, "unknown", None));
    // A code, even a generic one, beats any message.
    let (code, _, rule, _) =
        norm(json!({"error_codes": ["request_invalid"], "message": "No such charge"}));
    assert_eq!(
        (code, rule.as_deref()),
        (100414, Some("shapes/error_codes/request_invalid"))
    );
}

#[test]
fn outcomes_come_from_entries_codes_and_misses() {
    assert_eq!(norm(json!({"status": "captured"})).1, "approved");
    let (code, outcome, ..) = norm(json!({"status": "capture_received"}));
    assert_eq!((code, outcome.as_str()), (100000, "pending"));
    // Nothing matched: the fallback, with an unknown outcome and no decline type.
    let engine = engine();
    let r = engine.normalize("shapes", &json!({"foo": 1})).unwrap();
    let record = serde_json::to_value(r.record(Lang::En)).unwrap();
    assert_eq!(record["code"], 100999);
    assert_eq!(record["outcome"], "unknown");
    assert_eq!(record["decline_type"], Value::Null);
    assert_eq!(record["rule"], Value::Null);
}

/// The batch writer gives the same bytes as the library's record, list fields included.
#[test]
fn batch_writes_the_same_records() {
    let engine = engine();
    let responses = [
        json!({"error_codes": ["request_invalid", "card_expired"]}),
        json!({"actions": [{"response_code": "51"}, {"response_code": "05"}]}),
        json!({"status": "Declined", "message": "x"}),
        json!({"type": "invalid_request_error", "message": "No such charge"}),
        json!({"status": "capture_received"}),
        json!({}),
    ];
    let mut input = String::new();
    for r in &responses {
        input.push_str(&json!({"provider": "shapes", "response": r}).to_string());
        input.push('\n');
    }
    let mut out = Vec::new();
    batch::run(
        &engine,
        input.as_bytes(),
        &mut out,
        &BatchOptions::default(),
    )
    .unwrap();
    let lines: Vec<&str> = std::str::from_utf8(&out).unwrap().lines().collect();
    for (line, r) in lines.iter().zip(&responses) {
        let expected = engine.normalize("shapes", r).unwrap();
        assert_eq!(
            *line,
            serde_json::to_string(&expected.record(Lang::En)).unwrap()
        );
    }
}

#[test]
fn explain_names_list_values_and_message_steps() {
    let engine = engine();
    let e = engine
        .explain(
            "shapes",
            &json!({"error_codes": ["x", "y"], "message": "No such charge"}),
            &paynorm::Context::default(),
        )
        .unwrap();
    let text = e.render();
    assert!(
        text.contains(r#"list field, 2 values read: ["x", "y"]"#),
        "{text}"
    );
    assert!(
        text.contains(r#"shapes/message/no-such-charge ["No such charge"]: DECIDED"#),
        "{text}"
    );
    assert!(text.contains("/error_codes/* ->"), "{text}");
    assert!(text.contains("outcome: error"), "{text}");
}
