//! Decisions: the precedence of advice, network rule, entry override and catalog default
//! (docs/decisions.md), the context's effects, languages and customer-safe texts.

use paynorm::catalog::{self, Category, CustomerMessage, Lang};
use paynorm::engine::DecisionSource;
use paynorm::{Action, DeclineType, Initiator};
use paynorm::{Context, Engine};

mod support;
use serde_json::{Value, json};

fn engine() -> Engine {
    Engine::builtin().unwrap()
}

fn ctx(initiator: Option<Initiator>, network: Option<&str>) -> Context {
    Context {
        initiator,
        network: network.map(str::to_string),
    }
}

/// (action, action source, decline type) of one response.
fn decide(
    provider: &str,
    response: Value,
    context: &Context,
) -> (Action, String, Option<DeclineType>) {
    let e = engine();
    let r = e.normalize_with(provider, &response, context).unwrap();
    (r.action, r.action_source.to_string(), r.decline_type)
}

#[test]
fn advice_beats_network_category_beats_catalog_default() {
    let none = Context::default();
    // ISO 51 is Visa category 2 (retry later) ...
    let (action, source, dt) = decide("iso8583", json!({"39": "51"}), &none);
    assert_eq!((action, dt), (Action::RetryLater, Some(DeclineType::Soft)));
    assert_eq!(source, "network rule visa-decline-categories/51");
    // ... reached through Stripe's delegation too ...
    let generic = json!({"error": {"code": "card_declined", "decline_code": "generic_decline", "network_decline_code": "51"}});
    let (action, source, _) = decide("stripe", generic.clone(), &none);
    assert_eq!(
        (action, source.as_str()),
        (
            Action::RetryLater,
            "network rule visa-decline-categories/51"
        )
    );
    // ... but the response's own advice is stronger.
    let mut advised = generic;
    advised["error"]["advice_code"] = json!("do_not_try_again");
    let (action, source, _) = decide("stripe", advised, &none);
    assert_eq!(action, Action::DoNotRetry);
    assert!(
        source.starts_with("advice stripe-advice-codes/do_not_try_again"),
        "{source}"
    );
}

#[test]
fn visa_category_one_is_never_retried() {
    for code in ["04", "07", "14", "41", "43", "57", "R0", "R1", "R3"] {
        let e = engine();
        let r = e.normalize("iso8583", &json!({"39": code})).unwrap();
        if code == "14" && r.action_source == DecisionSource::Catalog(r.code) {
            continue; // sources disagree on 14 (category 1 or 3): the table may leave it out
        }
        assert_eq!(r.action, Action::DoNotRetry, "{code}: {}", r.action_source);
        assert_eq!(r.decline_type, Some(DeclineType::Hard), "{code}");
    }
}

#[test]
fn catalog_default_when_no_layer_above_speaks() {
    let e = engine();
    let r = e
        .normalize("stripe", &json!({"error": {"code": "api_key_expired"}}))
        .unwrap();
    let entry = catalog::lookup(r.code).unwrap();
    assert_eq!(r.action_source, DecisionSource::Catalog(r.code));
    assert_eq!(r.action, entry.action);
    assert_eq!(r.decline_type, entry.decline_type);
}

#[test]
fn visa_rules_do_not_apply_to_another_network() {
    let e = engine();
    let visa = e
        .normalize_with("iso8583", &json!({"39": "41"}), &ctx(None, Some("visa")))
        .unwrap();
    assert_eq!(
        visa.action_source.to_string(),
        "network rule visa-decline-categories/41"
    );
    let mc = e
        .normalize_with(
            "iso8583",
            &json!({"39": "41"}),
            &ctx(None, Some("mastercard")),
        )
        .unwrap();
    assert_eq!(mc.code, visa.code, "context never changes the code");
    assert_eq!(mc.action_source, DecisionSource::Catalog(mc.code));
}

#[test]
fn mastercard_advice_codes_give_retry_timing() {
    let e = engine();
    for (mac, secs) in [("24", 3600), ("25", 86400), ("26", 172800), ("30", 864000)] {
        let response = json!({"error": {"code": "card_declined", "network_decline_code": "51", "network_advice_code": mac}});
        let r = e.normalize("stripe", &response).unwrap();
        assert_eq!(
            (r.action, r.retry_after_seconds),
            (Action::RetryLater, Some(secs)),
            "MAC {mac}"
        );
    }
    let response = json!({"error": {"code": "card_declined", "network_decline_code": "51", "network_advice_code": "03"}});
    let r = e.normalize("stripe", &response).unwrap();
    assert_eq!(
        (r.action, r.retry_after_seconds),
        (Action::DoNotRetry, None)
    );
    // Adyen carries the MAC in additionalData.
    let adyen = json!({"resultCode": "Refused", "refusalReasonCode": "12", "additionalData": {"merchantAdviceCode": "03"}});
    let r = e.normalize("adyen", &adyen).unwrap();
    assert_eq!(r.code, 100100);
    assert_eq!(r.action, Action::DoNotRetry);
}

#[test]
fn security_decline_with_mac_01_asks_for_authentication_unless_merchant_initiated() {
    let e = engine();
    let response = json!({"error": {"code": "card_declined", "network_decline_code": "83", "network_advice_code": "01"}});
    let r = e.normalize("stripe", &response).unwrap();
    assert_eq!(r.action, Action::Authenticate);
    assert_eq!(r.context_adjustment, None);
    let mit = e
        .normalize_with("stripe", &response, &ctx(Some(Initiator::Merchant), None))
        .unwrap();
    assert_eq!(mit.code, r.code);
    assert_eq!(mit.action, Action::UseAnotherMethod);
    assert!(mit.context_adjustment.is_some());
    let cit = e
        .normalize_with("stripe", &response, &ctx(Some(Initiator::Customer), None))
        .unwrap();
    assert_eq!(cit.action, Action::Authenticate);
    // On Mastercard itself (whose advice it is) too, though the response-code rules table
    // (Visa's decline categories) does not apply there; on Visa the Mastercard advice does
    // not apply and Visa's rules decide.
    let mastercard = e
        .normalize_with("stripe", &response, &ctx(None, Some("mastercard")))
        .unwrap();
    assert_eq!(mastercard.action, Action::Authenticate);
    let visa = e
        .normalize_with("stripe", &response, &ctx(None, Some("visa")))
        .unwrap();
    assert_ne!(visa.action, Action::Authenticate);
    assert_eq!(visa.code, r.code);
}

#[test]
fn braintree_hard_and_soft_labels_come_from_the_entry() {
    let e = engine();
    for (code, expected) in [
        ("2004", DeclineType::Hard),
        ("2001", DeclineType::Soft),
        ("2500", DeclineType::Soft),
    ] {
        let r = e
            .normalize_with(
                "braintree",
                &json!({"status": "processor_declined", "processorResponseCode": code}),
                &ctx(None, Some("amex")),
            )
            .unwrap();
        assert_eq!(r.decline_type, Some(expected), "{code}");
    }
}

#[test]
fn approvals_need_no_decision_whatever_the_advice() {
    let e = engine();
    let r = e
        .normalize(
            "adyen",
            &json!({"resultCode": "Authorised", "additionalData": {"merchantAdviceCode": "03"}}),
        )
        .unwrap();
    assert_eq!(r.code, 100000);
    assert_eq!(
        (r.decline_type, r.action, r.retry_after_seconds),
        (None, Action::None, None)
    );
    assert_eq!(r.action_source, DecisionSource::Approval);
}

#[test]
fn every_catalog_code_has_a_default_decision() {
    for e in catalog::entries() {
        if e.category == Category::Success {
            assert_eq!(
                (e.decline_type, e.action),
                (None, Action::None),
                "{}",
                e.code
            );
        } else {
            assert!(
                e.decline_type.is_some(),
                "{} needs a default decline_type",
                e.code
            );
            assert_ne!(e.action, Action::None, "{} is not an approval", e.code);
        }
    }
}

#[test]
fn sensitive_reasons_never_reach_the_shopper() {
    let generic_en = catalog::lookup(catalog::GENERIC_CUSTOMER_CODE)
        .unwrap()
        .en
        .as_str();
    for code in [
        100203, 100204, 100205, 100208, 100209, 100210, 100211, 100300, 100301, 100302, 100303,
        100304,
    ] {
        let e = catalog::lookup(code).unwrap();
        assert_eq!(e.customer_message, CustomerMessage::Generic, "{code}");
        assert_eq!(e.customer_text(Lang::En), generic_en, "{code}");
        assert_eq!(
            e.customer_text(Lang::Zh),
            "交易失败,请尝试使用其他支付方式或稍后再试"
        );
    }
    let e = catalog::lookup(100100).unwrap();
    assert_eq!(e.customer_text(Lang::En), "Insufficient balance");
    assert_eq!(e.customer_text(Lang::Zh), "余额不足");
}

#[test]
fn records_carry_texts_in_the_requested_language() {
    let e = engine();
    let r = e.normalize("iso8583", &json!({"39": "43"})).unwrap();
    let zh = serde_json::to_value(r.record(Lang::from_tag("zh-Hans"))).unwrap();
    assert_eq!(zh["message"], "被窃卡");
    assert_eq!(
        zh["customer_message"],
        "交易失败,请尝试使用其他支付方式或稍后再试"
    );
    let en = serde_json::to_value(r.record(Lang::from_tag("fr-FR"))).unwrap();
    assert_eq!(en["message"], "Stolen bank account");
    assert_eq!(en["decline_type"], "hard");
    assert_eq!(en["action"], "do_not_retry");
}

/// The merchant-initiated rule is data: a `--mappings DIR` whose `decisions/` replaces the
/// built-in `context-adjustments` table changes it, without a Rust change.
#[test]
fn context_adjustments_are_data_and_overlay_through_a_mappings_directory() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("decisions")).unwrap();
    let table = |adjust: &str| {
        format!(
            "[table]\nid = \"context-adjustments\"\nname = \"house rules\"\nsources = [\"test\"]\nedition = \"test\"\n{adjust}"
        )
    };
    let response = json!({"error": {"code": "card_declined", "network_decline_code": "83", "network_advice_code": "01"}});
    let mit = ctx(Some(Initiator::Merchant), None);
    let path = dir.path().join("decisions/context.toml");

    // No adjustment: a merchant-initiated payment keeps `authenticate`.
    std::fs::write(&path, table("")).unwrap();
    let e = support::load_dir(dir.path()).unwrap();
    let r = e.normalize_with("stripe", &response, &mit).unwrap();
    assert_eq!(
        (r.action, r.context_adjustment),
        (Action::Authenticate, None)
    );

    // House rules, tried in file order: the first does not hold without a network.
    let rules = "[[adjust]]\nid = \"amex-mit\"\nwhen = { initiator = \"merchant\", network = \"amex\" }\naction = \"authenticate\"\nbecomes = \"fix_request\"\nwhy = \"amex rule\"\n\n[[adjust]]\nid = \"mit\"\nwhen = { initiator = \"merchant\" }\naction = \"authenticate\"\nbecomes = \"do_not_retry\"\nwhy = \"house rule\"\n";
    std::fs::write(&path, table(rules)).unwrap();
    let e = support::load_dir(dir.path()).unwrap();
    let r = e.normalize_with("stripe", &response, &mit).unwrap();
    assert_eq!(
        (r.action, r.context_adjustment),
        (Action::DoNotRetry, Some("house rule"))
    );
    let customer = ctx(Some(Initiator::Customer), None);
    let r = e.normalize_with("stripe", &response, &customer).unwrap();
    assert_eq!(
        (r.action, r.context_adjustment),
        (Action::Authenticate, None)
    );
}

#[test]
fn a_broken_overlay_decision_table_is_reported_with_its_place() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("decisions")).unwrap();
    std::fs::write(
        dir.path().join("decisions/bad.toml"),
        "[table]\nid = \"x\"\nname = \"x\"\nsources = []\nedition = \"x\"\n[values]\n\"01\" = { action = \"retry_later\" }\n",
    )
    .unwrap();
    let diags = support::load_dir(dir.path()).unwrap_err();
    let codes: Vec<&str> = diags.items.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(codes, ["invalid-value"]);
    assert!(
        diags.render().contains("decisions/bad.toml:7:8"),
        "{}",
        diags.render()
    );
}

/// One broken decision file per diagnostic a decision file can have
/// (`tests/broken-decisions/<code>/decisions/bad.toml`), its rendered diagnostics snapshotted:
/// decision files are checked like mapping files.
#[test]
fn each_broken_decision_case_renders_its_diagnostics() {
    let mut cases: Vec<String> = std::fs::read_dir("tests/broken-decisions")
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    cases.sort();
    assert_eq!(cases.len(), 7);
    for code in &cases {
        let rel = format!("tests/broken-decisions/{code}");
        let diags = support::load_dir(std::path::Path::new(&rel))
            .expect_err("a broken decision file must not load");
        let codes: Vec<&str> = diags.items.iter().map(|d| d.code.as_str()).collect();
        assert!(
            !codes.is_empty() && codes.iter().all(|c| c == code),
            "{rel} must produce only `{code}` diagnostics, got {codes:?}"
        );
        insta::assert_snapshot!(format!("broken-decision-{code}"), diags.render());
    }
}
