//! A deterministic, seedable batch workload for benchmarks and equivalence tests.
//!
//! The mix follows the performance targets: 30% stripe, 25% iso8583, 15% adyen, 10% each
//! braintree, checkout and paypal, with raw shapes as the providers send them and codes drawn
//! from each provider's published list (`reference/*.tsv`, embedded), so every tier of the
//! engine (exact tables, generic entries, delegation, rules, fallback) is exercised. The same
//! `(lines, seed)` gives the same bytes. Lines average about 185 bytes, like the logs the
//! performance targets are stated for.

use std::io::{self, Write};

/// SplitMix64: tiny, fast and good enough to pick codes and shapes.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, list: &'a [String]) -> &'a str {
        &list[self.below(list.len())]
    }
}

fn codes(tsv: &str) -> Vec<String> {
    tsv.lines()
        .skip(1)
        .filter_map(|l| l.split('\t').next())
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect()
}

/// Writes `lines` JSONL batch lines drawn with `seed` to `out`.
pub fn write(out: &mut impl Write, lines: u64, seed: u64) -> io::Result<()> {
    let mut rng = Rng(seed);

    let stripe_decline = codes(include_str!("../../../reference/stripe_decline_codes.tsv"));
    let stripe_error = codes(include_str!("../../../reference/stripe_error_codes.tsv"));
    let iso = codes(include_str!("../../../reference/iso8583_field39.tsv"));
    let adyen = codes(include_str!("../../../reference/adyen_refusal_reasons.tsv"));
    let braintree = codes(include_str!(
        "../../../reference/braintree_processor_codes.tsv"
    ));
    let checkout = codes(include_str!("../../../reference/checkout_com_codes.tsv"));
    let paypal = codes(include_str!(
        "../../../reference/paypal_orders_payments_v2_issues.tsv"
    ));
    let gateway = [
        "avs",
        "cvv",
        "avs_and_cvv",
        "fraud",
        "duplicate",
        "risk_threshold",
    ];

    for n in 0..lines {
        let roll = rng.below(100);
        match roll {
            0..=29 => {
                let (code, decline) = match rng.below(10) {
                    0..=5 => ("card_declined", Some(rng.pick(&stripe_decline))),
                    6 => ("card_declined", None),
                    _ => (rng.pick(&stripe_error), None),
                };
                let decline = decline
                    .map(|d| format!(r#","decline_code":"{d}""#))
                    .unwrap_or_default();
                let network = if rng.below(3) == 0 {
                    format!(r#","network_decline_code":"{}""#, rng.pick(&iso))
                } else {
                    String::new()
                };
                writeln!(
                    out,
                    r#"{{"id":"ch_{n:08}","provider":"stripe","response":{{"error":{{"type":"card_error","code":"{code}"{decline}{network},"message":"Your card was declined."}}}}}}"#
                )?;
            }
            30..=54 => {
                let code = rng.pick(&iso);
                writeln!(
                    out,
                    r#"{{"id":"tx{n:08}","provider":"iso8583","response":{{"mti":"0110","2":"411111******1111","3":"000000","4":"000000012500","7":"1125201200","11":"{:06}","39":"{code}"}}}}"#,
                    n % 1_000_000
                )?;
            }
            55..=69 => {
                let reason = rng.pick(&adyen);
                let raw = rng.pick(&iso);
                writeln!(
                    out,
                    r#"{{"id":"{n}","provider":"adyen","response":{{"pspReference":"88{n:014}","resultCode":"Refused","refusalReasonCode":"{reason}","merchantReference":"order-{n}","additionalData":{{"refusalReasonRaw":"{raw} : Declined"}}}}}}"#
                )?;
            }
            70..=79 => {
                if rng.below(5) == 0 {
                    let reason = gateway[rng.below(gateway.len())];
                    writeln!(
                        out,
                        r#"{{"id":"bt{n}","provider":"braintree","response":{{"id":"t{n:07}","status":"gateway_rejected","gatewayRejectionReason":"{reason}","amount":"10.00","currencyIsoCode":"USD","merchantAccountId":"acme_usd"}}}}"#
                    )?;
                } else {
                    let code = rng.pick(&braintree);
                    writeln!(
                        out,
                        r#"{{"id":"bt{n}","provider":"braintree","response":{{"id":"t{n:07}","status":"processor_declined","processorResponseCode":"{code}","amount":"10.00","currencyIsoCode":"USD","merchantAccountId":"acme_usd"}}}}"#
                    )?;
                }
            }
            80..=89 => {
                let code = rng.pick(&checkout);
                writeln!(
                    out,
                    r#"{{"id":"ck{n}","provider":"checkout","response":{{"id":"pay_{n:012}","approved":false,"status":"Declined","response_code":"{code}","amount":1000,"currency":"EUR","reference":"ORD-{n}"}}}}"#
                )?;
            }
            _ => {
                let issue = rng.pick(&paypal);
                writeln!(
                    out,
                    r#"{{"id":"pp{n}","provider":"paypal","response":{{"name":"UNPROCESSABLE_ENTITY","message":"The requested action could not be performed.","debug_id":"{:013x}","details":[{{"issue":"{issue}"}}]}}}}"#,
                    rng.next() >> 12
                )?;
            }
        }
    }
    Ok(())
}

/// The real-shape corpus (`corpus/<provider>/*.json`, read from the repository at run time)
/// as batch lines: `(provider, compact body)`, in file order.
pub fn corpus_lines() -> Vec<(String, String)> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../corpus");
    let mut out = Vec::new();
    let Ok(dirs) = std::fs::read_dir(&root) else {
        return out;
    };
    let mut dirs: Vec<_> = dirs
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    for dir in dirs {
        let provider = dir
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let Ok(files) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut files: Vec<_> = files
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        files.sort();
        for f in files {
            let Ok(text) = std::fs::read_to_string(&f) else {
                continue;
            };
            let Ok(value) = serde_json::from_str::<serde_json::Value>(&text) else {
                continue;
            };
            out.push((provider.clone(), value.to_string()));
        }
    }
    out
}

/// [`generate`] with real shapes mixed in: about one line in five is a whole body of the
/// corpus (PaymentIntents, webhook events, GraphQL error lists, ...), the rest the
/// synthetic mix. Deterministic for a given `(lines, seed)` and corpus.
pub fn generate_real(lines: u64, seed: u64) -> Vec<u8> {
    let corpus = corpus_lines();
    let synthetic = generate(lines, seed);
    let mut rng = Rng(seed ^ 0x5EED);
    let mut out = Vec::with_capacity(synthetic.len() * 2);
    for (n, line) in synthetic
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .enumerate()
    {
        if !corpus.is_empty() && rng.below(5) == 0 {
            let (provider, body) = &corpus[rng.below(corpus.len())];
            out.extend_from_slice(
                format!(
                    "{{\"id\":\"real-{n}\",\"provider\":\"{provider}\",\"response\":{body}}}\n"
                )
                .as_bytes(),
            );
        } else {
            out.extend_from_slice(line);
            out.push(b'\n');
        }
    }
    out
}

/// The workload as bytes (for benchmarks and tests).
pub fn generate(lines: u64, seed: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(lines as usize * 160);
    write(&mut out, lines, seed).expect("writing to a Vec cannot fail");
    out
}

/// The provider table of the baseline loop: one entry per provider of the workload.
pub fn baseline_table() -> std::collections::HashMap<String, u32> {
    [
        "stripe",
        "iso8583",
        "adyen",
        "braintree",
        "checkout",
        "paypal",
    ]
    .iter()
    .enumerate()
    .map(|(i, p)| (p.to_string(), i as u32))
    .collect()
}

/// The baseline the batch targets name: parse each line into a `serde_json::Value`, one
/// `HashMap` lookup, write a small JSON object. The least a hand-written Rust normalizer does;
/// `benches/paynorm.rs` and `examples/loops.rs` time it beside `paynorm batch`.
pub fn parse_only_loop(
    input: &[u8],
    out: &mut Vec<u8>,
    map: &std::collections::HashMap<String, u32>,
) -> u64 {
    let mut n = 0;
    for line in input.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
        let v: serde_json::Value = serde_json::from_slice(line).expect("workload lines are JSON");
        let code = v
            .get("provider")
            .and_then(serde_json::Value::as_str)
            .and_then(|p| map.get(p))
            .copied()
            .unwrap_or(0);
        serde_json::to_writer(&mut *out, &serde_json::json!({"line": n, "code": code}))
            .expect("writing to a Vec");
        out.push(b'\n');
        n += 1;
    }
    n
}
