//! Benchmarks: `cargo bench` (all), or `cargo bench -- normalize` (one group).
//! BENCHMARKS.md records the figures and how they were taken. Every case asserts its result
//! before it is timed, so a benchmark cannot measure a wrong answer.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use paynorm::batch::{self, BatchOptions};
use paynorm::diagnostic::SourceFile;
use paynorm::{Engine, builtin};
use serde_json::{Value, json};

/// (provider, case, response, expected rule) for the in-process normalize benchmarks.
fn cases() -> Vec<(&'static str, &'static str, Value, Option<&'static str>)> {
    vec![
        (
            "stripe",
            "exact",
            json!({"error": {"type": "card_error", "code": "card_declined", "decline_code": "insufficient_funds", "message": "Your card has insufficient funds."}}),
            Some("stripe/decline_code/insufficient_funds"),
        ),
        (
            "stripe",
            "delegation",
            json!({"error": {"type": "card_error", "code": "card_declined", "decline_code": "generic_decline", "network_decline_code": "51"}}),
            Some("iso8583/response_code/51"),
        ),
        (
            "stripe",
            "miss",
            json!({"error": {"type": "card_error", "code": "brand_new_code"}}),
            None,
        ),
        (
            "iso8583",
            "exact",
            json!({"mti": "0110", "39": "51"}),
            Some("iso8583/response_code/51"),
        ),
        ("iso8583", "miss", json!({"mti": "0110", "39": "Q9"}), None),
        (
            "adyen",
            "exact",
            json!({"resultCode": "Refused", "refusalReasonCode": "12", "refusalReason": "Not enough balance"}),
            Some("adyen/refusalReasonCode/12"),
        ),
        (
            "adyen",
            "delegation",
            json!({"resultCode": "Refused", "refusalReasonCode": "2", "additionalData": {"refusalReasonRaw": "51 : Insufficient funds"}}),
            Some("iso8583/response_code/51"),
        ),
        (
            "braintree",
            "exact",
            json!({"status": "processor_declined", "processorResponseCode": "2001", "processorResponseText": "Insufficient Funds"}),
            Some("braintree/processorResponseCode/2001"),
        ),
        (
            "braintree",
            "range-rule",
            json!({"status": "processor_declined", "processorResponseCode": "2500"}),
            Some("braintree/rule/processor-declined-2109-2999"),
        ),
        (
            "checkout",
            "exact",
            json!({"approved": false, "status": "Declined", "response_code": "20051"}),
            Some("checkout/response_code/20051"),
        ),
        (
            "paypal",
            "exact",
            json!({"name": "UNPROCESSABLE_ENTITY", "details": [{"issue": "INSTRUMENT_DECLINED"}]}),
            Some("paypal/issue/INSTRUMENT_DECLINED"),
        ),
        (
            "paypal",
            "miss",
            json!({"name": "SOMETHING_NEW", "details": [{"issue": "ALSO_NEW"}]}),
            None,
        ),
    ]
}

/// A provider whose only entry is a regex rule, for the regex tier.
fn regex_engine() -> Engine {
    let file = SourceFile {
        name: "regexpay.toml".into(),
        text: r#"
[provider]
id = "regexpay"
name = "Regex Pay"
sources = ["bench"]
edition = "bench"

[[field]]
name = "message"
paths = ["/message"]
normalize = ["trim", "lowercase"]

[[rule]]
id = "nsf"
when = { message = { regex = "(insufficient|not enough) (funds|balance)" } }
code = 100100
desc = "insufficient funds, in words"
"#
        .into(),
    };
    Engine::from_sources(builtin::mapping_sources(), vec![file]).unwrap()
}

fn normalize(c: &mut Criterion) {
    let engine = Engine::builtin().unwrap();
    let mut group = c.benchmark_group("normalize");
    for (provider, case, response, rule) in cases() {
        assert_eq!(
            engine.normalize(provider, &response).unwrap().rule,
            rule,
            "{provider}/{case}"
        );
        group.bench_with_input(BenchmarkId::new(provider, case), &response, |b, r| {
            b.iter(|| {
                engine
                    .normalize(black_box(provider), black_box(r))
                    .unwrap()
                    .code
            })
        });
    }
    let regex = regex_engine();
    let response = json!({"message": "Declined: Not enough balance on card"});
    assert_eq!(regex.normalize("regexpay", &response).unwrap().code, 100100);
    group.bench_function("regexpay/regex-rule", |b| {
        b.iter(|| {
            regex
                .normalize(black_box("regexpay"), black_box(&response))
                .unwrap()
                .code
        })
    });
    group.finish();
}

fn load(c: &mut Criterion) {
    c.bench_function("load/builtin", |b| {
        b.iter(|| Engine::from_sources(builtin::mapping_sources(), Vec::new()).unwrap())
    });
}

fn batch(c: &mut Criterion) {
    batch_on(c, "batch", paynorm_workload::generate(100_000, 42));
}

/// The same with real shapes mixed in (one line in five a whole corpus body).
fn batch_real(c: &mut Criterion) {
    batch_on(
        c,
        "batch-real",
        paynorm_workload::generate_real(100_000, 42),
    );
}

fn batch_on(c: &mut Criterion, name: &str, input: Vec<u8>) {
    const LINES: u64 = 100_000;
    let engine = Engine::builtin().unwrap();
    let map = paynorm_workload::baseline_table();
    let mut group = c.benchmark_group(name);
    group.throughput(Throughput::Elements(LINES));
    group.sample_size(10);
    let mut out = Vec::with_capacity(input.len() * 3);
    assert_eq!(
        paynorm_workload::parse_only_loop(&input, &mut out, &map),
        LINES
    );
    group.bench_function("parse-only-baseline", |b| {
        b.iter(|| {
            out.clear();
            paynorm_workload::parse_only_loop(black_box(&input), &mut out, &map)
        })
    });
    for threads in [1, 2] {
        let options = BatchOptions {
            threads,
            ..BatchOptions::default()
        };
        out.clear();
        let summary = batch::run(&engine, &input[..], &mut out, &options).unwrap();
        assert_eq!(summary.lines, LINES);
        group.bench_function(
            BenchmarkId::new("paynorm", format!("{threads}-threads")),
            |b| {
                b.iter(|| {
                    out.clear();
                    batch::run(&engine, black_box(&input[..]), &mut out, &options)
                        .unwrap()
                        .lines
                })
            },
        );
    }
    group.finish();
}

criterion_group!(benches, normalize, load, batch, batch_real);
criterion_main!(benches);
