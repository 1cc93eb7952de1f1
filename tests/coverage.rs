//! Completeness: every code of every built-in provider's published list has an entry of its
//! own, carrying the list's description word for word.

use paynorm::Engine;
use paynorm::authoring::coverage::parse_reference;

/// provider → (reference list in `reference/`, the field it covers, if one per field).
const REFERENCES: &[(&str, &str, Option<&str>)] = &[
    (
        "adyen",
        "adyen_refusal_reasons.tsv",
        Some("refusalReasonCode"),
    ),
    ("adyen", "adyen_api_error_codes.tsv", Some("errorCode")),
    (
        "braintree",
        "braintree_processor_codes.tsv",
        Some("processorResponseCode"),
    ),
    (
        "braintree",
        "braintree_validation_error_codes.tsv",
        Some("legacyCode"),
    ),
    ("checkout", "checkout_com_codes.tsv", Some("response_code")),
    (
        "checkout",
        "checkout_api_error_codes.tsv",
        Some("error_codes"),
    ),
    (
        "cybersource",
        "cybersource_reason_codes.tsv",
        Some("reason_code"),
    ),
    (
        "cybersource",
        "cybersource_rest_reasons.tsv",
        Some("reason"),
    ),
    ("cybersource", "cybersource_rest_status.tsv", Some("status")),
    ("iso8583", "iso8583_field39.tsv", Some("response_code")),
    (
        "iso8583",
        "iso8583_1993_action_codes.tsv",
        Some("response_code"),
    ),
    ("iso8583", "jpos_result_codes.tsv", Some("response_code")),
    (
        "paypal",
        "paypal_orders_payments_v2_issues.tsv",
        Some("issue"),
    ),
    (
        "paypal",
        "paypal_processor_response_codes.tsv",
        Some("processor_response_code"),
    ),
    ("stripe", "stripe_decline_codes.tsv", Some("decline_code")),
    ("stripe", "stripe_error_codes.tsv", Some("code")),
    ("unionpay", "unionpay_online_respcode.tsv", Some("respCode")),
    (
        "unionpay",
        "unionpay_upi_qrc_respcode.tsv",
        Some("qrc_response_code"),
    ),
    (
        "wechatpay",
        "wechatpay_v2_micropay_err_code.tsv",
        Some("err_code"),
    ),
    ("wechatpay", "wechatpay_v3_error_codes.tsv", Some("code")),
    (
        "wechatpay",
        "wechatpay_trade_state.tsv",
        Some("trade_state"),
    ),
];

#[test]
fn every_builtin_provider_is_checked_against_a_published_list() {
    let engine = Engine::builtin().unwrap();
    for p in engine.providers() {
        assert!(
            REFERENCES.iter().any(|(id, _, _)| *id == p.id),
            "built-in provider `{}` needs its published list in tests/coverage.rs",
            p.id
        );
    }
}

#[test]
fn every_listed_code_has_its_own_entry_with_the_published_description() {
    let engine = Engine::builtin().unwrap();
    for (provider, file, field) in REFERENCES {
        let path = format!("{}/reference/{file}", env!("CARGO_MANIFEST_DIR"));
        let rows = parse_reference(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert!(!rows.is_empty(), "{file} has no rows");
        let report = engine.coverage(provider, &[], Some(&rows), *field).unwrap();
        let c = report.reference.unwrap();
        assert_eq!(
            c.missing,
            Vec::<String>::new(),
            "{provider}: codes of {file} without an entry"
        );
        assert_eq!(
            (c.covered, c.percent),
            (rows.len(), 100.0),
            "{provider} against {file}"
        );
        for row in &c.rows {
            assert_eq!(
                row.entry_description.as_deref(),
                Some(row.reference_description.as_str()),
                "{provider}: entry {:?} must carry the description of {file} for `{}`",
                row.entry,
                row.code
            );
        }
    }
}

#[test]
fn coverage_reports_missing_codes_and_unexercised_entries() {
    let engine = Engine::builtin().unwrap();
    let rows = parse_reference("code\tdesc\n51\tInsufficient funds\nXX\tmade up\n").unwrap();
    let fixtures = [serde_json::json!({"39": "51"})];
    let report = engine
        .coverage("iso8583", &fixtures, Some(&rows), None)
        .unwrap();
    let c = report.reference.unwrap();
    assert_eq!((c.listed, c.covered, c.percent), (2, 1, 50.0));
    assert_eq!(c.missing, ["XX"]);
    assert_eq!(report.fixtures, 1);
    assert!(
        !report
            .unexercised
            .contains(&"iso8583/response_code/51".to_string())
    );
    assert!(
        report
            .unexercised
            .contains(&"iso8583/response_code/05".to_string())
    );
    assert_eq!(report.unexercised.len(), report.entries - 1);
    assert!(report.reachable_codes.contains(&100100));
    assert!(
        report.reachable_codes.contains(&100999),
        "the fallback is reachable"
    );
}

#[test]
fn delegation_targets_count_as_reachable() {
    let engine = Engine::builtin().unwrap();
    let stripe = engine.coverage("stripe", &[], None, None).unwrap();
    let iso = engine.coverage("iso8583", &[], None, None).unwrap();
    for code in &iso.reachable_codes {
        assert!(
            stripe.reachable_codes.contains(code),
            "stripe reaches {code} through iso8583"
        );
    }
}

#[test]
fn unknown_field_is_an_error() {
    let engine = Engine::builtin().unwrap();
    let err = engine
        .coverage("stripe", &[], Some(&[]), Some("nope"))
        .unwrap_err();
    assert_eq!(err.to_string(), "provider `stripe` has no field `nope`");
}

/// Mapping files stay canonical: `[values.*]` tables come in the order their fields are
/// declared, and a table that follows a published list keeps the list's order, so a new code
/// goes where the list has it and a diff of a list update reads like the list's own.
#[test]
fn mapping_files_keep_a_canonical_order() {
    use paynorm::format::mapping::RawFile;
    let mut problems = Vec::new();
    for (name, text) in paynorm::builtin::MAPPINGS {
        let raw: RawFile = toml::from_str(text).unwrap();
        let fields: Vec<&str> = raw
            .field
            .iter()
            .map(|f| f.name.get_ref().as_str())
            .collect();
        let mut tables: Vec<_> = raw.values.iter().collect();
        tables.sort_by_key(|(k, _)| k.span().start);
        let order: Vec<usize> = tables
            .iter()
            .filter_map(|(k, _)| fields.iter().position(|f| *f == k.get_ref()))
            .collect();
        if !order.is_sorted() {
            problems.push(format!(
                "mappings/{name}: write the [values.*] tables in field order: {}",
                fields.join(", ")
            ));
        }
        let provider = raw.provider.id.get_ref().as_str();
        for (table, entries) in &tables {
            let Some((_, file, _)) = REFERENCES
                .iter()
                .find(|(p, _, f)| *p == provider && *f == Some(table.get_ref().as_str()))
            else {
                continue;
            };
            let path = format!("{}/reference/{file}", env!("CARGO_MANIFEST_DIR"));
            let rows = parse_reference(&std::fs::read_to_string(&path).unwrap()).unwrap();
            let position = |key: &str| {
                rows.iter()
                    .position(|r| r.code.eq_ignore_ascii_case(key))
                    .unwrap_or(usize::MAX)
            };
            let mut keys: Vec<_> = entries.keys().collect();
            keys.sort_by_key(|k| k.span().start);
            if let Some(w) = keys
                .windows(2)
                .find(|w| position(w[0].get_ref()) > position(w[1].get_ref()))
            {
                problems.push(format!(
                    "mappings/{name} [values.{}]: {:?} comes before {:?}, but reference/{file} lists them the other way round; keep the list's order",
                    table.get_ref(),
                    w[0].get_ref(),
                    w[1].get_ref()
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
