//! `explain` traces of a dozen fixtures that cover each path of the walk: exact entries,
//! generic entries passed over, delegation, rules, fallback, advice and network rules.

use paynorm::engine::events::StepStatus;
use paynorm::{Context, Engine};

const CASES: &[&str] = &[
    "stripe/generic_decline_network_51",
    "stripe/insufficient_funds_over_network_05",
    "stripe/unknown_code_fallback",
    "stripe/authentication_required_bare",
    "iso8583/approved",
    "adyen/generic_refused_raw_51",
    "adyen/cancelled_after_issuer_approval",
    "adyen/specific_reason_beats_contradicting_raw",
    "braintree/range_code_2500",
    "checkout/insufficient_funds",
    "paypal/instrument_declined",
    "paypal/unknown_issue_falls_to_name",
];

fn response(case: &str) -> serde_json::Value {
    let path = format!("{}/fixtures/{case}.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap()
}

#[test]
fn explain_traces() {
    let engine = Engine::builtin().unwrap();
    for case in CASES {
        let provider = case.split('/').next().unwrap();
        let explanation = engine
            .explain(provider, &response(case), &Context::default())
            .unwrap();
        let name = case.replace('/', "__");
        insta::assert_snapshot!(name, explanation.render());
    }
}

#[test]
fn the_trace_agrees_with_normalize() {
    let engine = Engine::builtin().unwrap();
    for case in CASES {
        let provider = case.split('/').next().unwrap();
        let value = response(case);
        let explanation = engine
            .explain(provider, &value, &Context::default())
            .unwrap();
        let plain = engine.normalize(provider, &value).unwrap();
        assert_eq!(explanation.result, plain, "{case}");
        let decided: Vec<_> = explanation
            .steps
            .iter()
            .filter(|s| s.status == StepStatus::Decided)
            .collect();
        match plain.rule {
            Some(rule) => {
                assert_eq!(decided.len(), 1, "{case}: exactly one step decides");
                assert_eq!(decided[0].entry.as_deref(), Some(rule), "{case}");
            }
            None => assert!(decided.is_empty(), "{case}: the fallback decided"),
        }
    }
}

#[test]
fn generic_entries_passed_over_are_shown() {
    let engine = Engine::builtin().unwrap();
    let e = engine
        .explain(
            "stripe",
            &response("stripe/generic_decline_network_51"),
            &Context::default(),
        )
        .unwrap();
    let passed: Vec<&str> = e
        .steps
        .iter()
        .filter(|s| s.status == StepStatus::PassedOver)
        .filter_map(|s| s.entry.as_deref())
        .collect();
    assert_eq!(
        passed,
        [
            "stripe/decline_code/generic_decline",
            "stripe/code/card_declined"
        ]
    );
}
