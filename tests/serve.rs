//! `paynorm serve` with a real HTTP client over loopback: the binary is started on a free
//! port, and every endpoint, status code, limit, reload and shutdown is checked from outside.

use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use paynorm::{Engine, Lang};
use reqwest::StatusCode;
use reqwest::blocking::Client;
use serde_json::{Value, json};

#[path = "serve/ops.rs"]
mod ops;

/// A running server; killed when dropped.
struct Server {
    child: Child,
    base: String,
    /// The `--diagnostic-addr` listener, when there is one.
    diagnostics: Option<String>,
}

impl Server {
    /// Starts `paynorm GLOBAL... serve --addr 127.0.0.1:0`.
    fn start(global: &[&str]) -> Server {
        Server::launch(global, &[])
    }

    /// Starts `paynorm serve --addr 127.0.0.1:0 SERVE...`.
    fn start_with(serve: &[&str]) -> Server {
        Server::launch(&[], serve)
    }

    fn launch(global: &[&str], serve: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_paynorm"))
            .args(global)
            .args(["serve", "--addr", "127.0.0.1:0"])
            .args(serve)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env_remove("RUST_LOG")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        let mut line = String::new();
        stderr.read_line(&mut line).unwrap();
        let addr = line
            .split("http://")
            .nth(1)
            .and_then(|r| r.split_whitespace().next())
            .unwrap_or_else(|| panic!("no address in {line:?}"))
            .to_string();
        let diagnostics = line
            .split("diagnostics on ")
            .nth(1)
            .map(|r| r.trim().to_string());
        // Keep draining stderr so the server never blocks on it.
        std::thread::spawn(move || {
            let mut sink = String::new();
            let _ = stderr.read_to_string(&mut sink);
        });
        Server {
            child,
            base: format!("http://{addr}"),
            diagnostics,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn signal(&self, name: &str) {
        let ok = Command::new("kill")
            .args([&format!("-{name}"), &self.child.id().to_string()])
            .status()
            .unwrap()
            .success();
        assert!(ok);
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn client() -> Client {
    Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

fn post(server: &Server, path: &str, body: &Value) -> (StatusCode, Value) {
    let r = client()
        .post(server.url(path))
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .unwrap();
    let status = r.status();
    (status, r.json().unwrap())
}

fn get(server: &Server, path: &str) -> (StatusCode, String) {
    let r = client().get(server.url(path)).send().unwrap();
    (r.status(), r.text().unwrap())
}

#[test]
fn normalize_answers_the_record_with_a_decision_id_and_revision() {
    let server = Server::start(&[]);
    let (status, record) = post(
        &server,
        "/v1/normalize",
        &json!({"id": "tx-1", "provider": "stripe", "response": {"error": {"code": "card_declined", "decline_code": "insufficient_funds"}}}),
    );
    assert_eq!(status, StatusCode::OK);
    assert_eq!(record["id"], "tx-1");
    assert_eq!(record["code"], 100100);
    assert_eq!(record["outcome"], "declined");
    assert_eq!(record["rule"], "stripe/decline_code/insufficient_funds");
    assert!(
        record["decision_id"]
            .as_str()
            .is_some_and(|d| !d.is_empty())
    );
    let (_, status_body) = get(&server, "/v1/status");
    let status_json: Value = serde_json::from_str(&status_body).unwrap();
    assert_eq!(record["mapping_revision"], status_json["revision"]);
    // Two decisions, two ids.
    let (_, again) = post(
        &server,
        "/v1/normalize",
        &json!({"provider": "iso8583", "response": {"39": "51"}}),
    );
    assert_ne!(again["decision_id"], record["decision_id"]);
}

/// The service gives the same record as the library (and so the CLI) on every fixture.
#[test]
fn the_service_agrees_with_the_library_on_every_fixture() {
    let server = Server::start(&[]);
    let engine = Engine::builtin().unwrap();
    let mut items = Vec::new();
    let mut expected = Vec::new();
    for dir in fs::read_dir("fixtures").unwrap() {
        let dir = dir.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        let provider = dir.file_name().unwrap().to_str().unwrap().to_string();
        for file in fs::read_dir(&dir).unwrap() {
            let path = file.unwrap().path();
            let name = path.file_name().unwrap().to_str().unwrap();
            if !name.ends_with(".json") || name.ends_with(".expected.json") {
                continue;
            }
            let response: Value =
                serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
            let record = engine.normalize(&provider, &response).unwrap();
            expected.push(serde_json::to_value(record.record(Lang::En)).unwrap());
            items.push(json!({"provider": provider, "response": response}));
        }
    }
    assert!(items.len() > 300);
    // One by one for a sample, all at once through the batch endpoint.
    for (item, want) in items.iter().zip(&expected).step_by(25) {
        let (status, mut got) = post(&server, "/v1/normalize", item);
        assert_eq!(status, StatusCode::OK);
        let got = got.as_object_mut().unwrap();
        got.remove("decision_id");
        got.remove("mapping_revision");
        assert_eq!(&Value::Object(got.clone()), want);
    }
    let (status, all) = post(&server, "/v1/normalize/batch", &Value::Array(items.clone()));
    assert_eq!(status, StatusCode::OK);
    assert_eq!(all.as_array().unwrap(), &expected);
}

#[test]
fn bad_requests_get_their_status_and_the_batch_error_kinds() {
    let server = Server::start(&["--lang", "en"]);
    let c = client();
    let send = |body: &str, ct: &str| {
        let r = c
            .post(server.url("/v1/normalize"))
            .header("content-type", ct)
            .body(body.to_string())
            .send()
            .unwrap();
        let status = r.status();
        (status, r.json::<Value>().unwrap())
    };
    let (s, e) = send("{not json", "application/json");
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(e["error"]["kind"], "invalid-json");
    let (s, e) = send(
        r#"{"provider": "acme", "response": {}}"#,
        "application/json",
    );
    assert_eq!(
        (s, e["error"]["kind"].as_str()),
        (StatusCode::BAD_REQUEST, Some("unknown-provider"))
    );
    let (s, e) = send(r#"{"provider": "stripe"}"#, "application/json");
    assert_eq!(e["error"]["kind"], "missing-response");
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, e) = send(
        r#"{"provider": "stripe", "response": {}, "contxt": {}}"#,
        "application/json",
    );
    assert_eq!(
        (s, e["error"]["kind"].as_str()),
        (StatusCode::BAD_REQUEST, Some("unknown-key"))
    );
    let (s, e) = send(r#"{"provider": "stripe", "response": {}}"#, "text/plain");
    assert_eq!(
        (s, e["error"]["kind"].as_str()),
        (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Some("unsupported-media-type")
        )
    );
    let r = c.get(server.url("/v1/nothing")).send().unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = c.get(server.url("/v1/normalize")).send().unwrap();
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
}

#[test]
fn bodies_over_the_limit_are_413() {
    let server = Server::start_with(&["--max-body-bytes", "200", "--max-batch-items", "3"]);
    let big = json!({"provider": "stripe", "response": {"error": {"message": "x".repeat(500)}}});
    let (s, e) = post(&server, "/v1/normalize", &big);
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(e["error"]["kind"], "body-too-large");
    let items = Value::Array(vec![
        json!({"provider": "iso8583", "response": {"39": "51"}});
        4
    ]);
    let (s, e) = post(&server, "/v1/normalize/batch", &items);
    assert_eq!(
        (s, e["error"]["kind"].as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, Some("too-many-items"))
    );
}

#[test]
fn batch_keeps_order_and_puts_an_error_in_place_of_a_bad_item() {
    let server = Server::start(&[]);
    let (s, out) = post(
        &server,
        "/v1/normalize/batch?lang=zh",
        &json!([
            {"id": 1, "provider": "iso8583", "response": {"39": "51"}},
            {"id": 2, "provider": "acme", "response": {}},
            {"id": 3, "provider": "iso8583", "response": {"39": "05"}}
        ]),
    );
    assert_eq!(s, StatusCode::OK);
    let out = out.as_array().unwrap();
    assert_eq!(out.len(), 3);
    assert_eq!(
        (out[0]["id"].clone(), out[0]["code"].clone()),
        (json!(1), json!(100100))
    );
    assert_eq!(out[0]["message"], "余额不足");
    assert_eq!(
        out[1],
        json!({"index": 1, "id": 2, "error": {"kind": "unknown-provider", "message": "unknown provider `acme`"}})
    );
    assert_eq!(out[2]["code"], 100609);
    // NDJSON in, NDJSON out: the same bytes as `paynorm batch`.
    let lines = "{\"provider\":\"iso8583\",\"response\":{\"39\":\"51\"}}\nnot json\n{\"id\":1e2,\"provider\":\"stripe\",\"response\":{}}\n";
    let r = client()
        .post(server.url("/v1/normalize/batch"))
        .header("content-type", "application/x-ndjson")
        .body(lines)
        .send()
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let got = r.text().unwrap();
    let mut cli = Command::new(env!("CARGO_BIN_EXE_paynorm"))
        .arg("batch")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    cli.stdin
        .take()
        .unwrap()
        .write_all(lines.as_bytes())
        .unwrap();
    let want = String::from_utf8(cli.wait_with_output().unwrap().stdout).unwrap();
    assert_eq!(got, want);
    assert!(got.contains("\"id\":1e2"));
}

#[test]
fn explain_and_the_catalog_and_providers_with_etags() {
    let server = Server::start(&[]);
    let (s, out) = post(
        &server,
        "/v1/normalize?explain=true",
        &json!({"provider": "iso8583", "response": {"39": "51"}}),
    );
    assert_eq!(s, StatusCode::OK);
    assert_eq!(out["explain"]["trace"]["steps"][0]["outcome"], "decided");
    assert_eq!(out["explain"]["record"]["code"], 100100);
    let (s, out) = post(
        &server,
        "/v1/explain",
        &json!({"provider": "iso8583", "response": {"39": "51"}}),
    );
    assert_eq!(s, StatusCode::OK);
    assert_eq!(out["record"]["code"], 100100);
    assert_eq!(out["trace"]["decision"]["outcome"], "declined");
    let c = client();
    let r = c.get(server.url("/v1/catalog")).send().unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let etag = r.headers()["etag"].to_str().unwrap().to_string();
    let catalog: Value = r.json().unwrap();
    assert_eq!(
        catalog.as_array().unwrap().len(),
        paynorm::catalog::entries().len()
    );
    let r = c
        .get(server.url("/v1/providers"))
        .header("if-none-match", &etag)
        .send()
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_MODIFIED);
    let r = c
        .get(server.url("/v1/providers"))
        .header("if-none-match", "\"other\"")
        .send()
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let providers: Value = r.json().unwrap();
    assert!(
        providers
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["id"] == "stripe")
    );
}

#[test]
fn health_status_and_metrics() {
    let server = Server::start(&[]);
    assert_eq!(
        get(&server, "/health/live"),
        (StatusCode::OK, "ok\n".into())
    );
    assert_eq!(
        get(&server, "/health/ready"),
        (StatusCode::OK, "ready\n".into())
    );
    post(
        &server,
        "/v1/normalize",
        &json!({"provider": "iso8583", "response": {"39": "51"}}),
    );
    post(
        &server,
        "/v1/normalize",
        &json!({"provider": "iso8583", "response": {"39": "zz"}}),
    );
    let (s, text) = get(&server, "/metrics");
    assert_eq!(s, StatusCode::OK);
    assert!(text.contains(r#"paynorm_normalizations_total{provider="iso8583",category="amount",outcome="declined"} 1"#), "{text}");
    assert!(
        text.contains(r#"paynorm_fallback_total{provider="iso8583"} 1"#),
        "{text}"
    );
    assert!(
        text.contains(
            "paynorm_request_duration_seconds_bucket{route=\"/v1/normalize\",status=\"200\""
        ),
        "{text}"
    );
    assert!(
        text.contains(r#"paynorm_reloads_total{result="ok"} 1"#),
        "{text}"
    );
    // No raw code or id ever becomes a label.
    assert!(!text.contains("zz"));
}

#[test]
fn a_bearer_token_guards_the_api_but_not_the_health_checks() {
    let dir = tempfile::tempdir().unwrap();
    let token = dir.path().join("token");
    fs::write(&token, "s3cret\n").unwrap();
    let server = Server::start_with(&["--auth-token-file", token.to_str().unwrap()]);
    let c = client();
    let body = json!({"provider": "iso8583", "response": {"39": "51"}}).to_string();
    let r = c
        .post(server.url("/v1/normalize"))
        .header("content-type", "application/json")
        .body(body.clone())
        .send()
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = c
        .post(server.url("/v1/normalize"))
        .header("content-type", "application/json")
        .header("authorization", "Bearer wrong")
        .body(body.clone())
        .send()
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = c
        .post(server.url("/v1/normalize"))
        .header("content-type", "application/json")
        .header("authorization", "Bearer s3cret")
        .body(body)
        .send()
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(get(&server, "/metrics").0, StatusCode::UNAUTHORIZED);
    assert_eq!(get(&server, "/health/ready").0, StatusCode::OK);
}

const OVERRIDE: &str = "[provider]\nid = \"house\"\nname = \"House\"\nsources = [\"t\"]\nedition = \"t\"\n\n[[field]]\nname = \"c\"\npaths = [\"/c\"]\n\n[values.c]\nx = { code = 100100, desc = \"x\" }\n";

fn revision(server: &Server) -> Value {
    let (_, text) = get(server, "/v1/status");
    let status: Value = serde_json::from_str(&text).unwrap();
    status
}

fn wait_until(limit: Duration, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < limit, "timed out");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// SIGHUP reloads; a broken reload keeps serving the old revision and says why; readers
/// under load see one revision or the other, never an error.
#[test]
fn reload_on_sighup_keeps_the_old_set_when_the_new_one_is_broken() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("house.toml"), OVERRIDE).unwrap();
    let server = Server::start(&["--mappings", dir.path().to_str().unwrap()]);
    let first = revision(&server)["revision"].clone();
    let item = json!({"provider": "house", "response": {"c": "x"}});
    assert_eq!(post(&server, "/v1/normalize", &item).1["code"], 100100);

    // Readers hammer the service while the set changes under them.
    let base = server.base.clone();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let readers: Vec<_> = (0..3)
        .map(|_| {
            let (base, stop) = (base.clone(), stop.clone());
            std::thread::spawn(move || {
                let c = client();
                let mut seen = std::collections::BTreeSet::new();
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let r = c
                        .post(format!("{base}/v1/normalize"))
                        .header("content-type", "application/json")
                        .body(json!({"provider": "house", "response": {"c": "x"}}).to_string())
                        .send()
                        .unwrap();
                    assert_eq!(r.status(), StatusCode::OK);
                    let v: Value = r.json().unwrap();
                    seen.insert((
                        v["code"].as_u64().unwrap(),
                        v["mapping_revision"].as_str().unwrap().to_string(),
                    ));
                }
                seen
            })
        })
        .collect();

    fs::write(
        dir.path().join("house.toml"),
        OVERRIDE.replace("100100", "100206"),
    )
    .unwrap();
    server.signal("HUP");
    wait_until(Duration::from_secs(10), || {
        revision(&server)["revision"] != first
    });
    let second = revision(&server)["revision"].clone();
    assert_eq!(post(&server, "/v1/normalize", &item).1["code"], 100206);

    fs::write(dir.path().join("house.toml"), "[provider\n").unwrap();
    server.signal("HUP");
    wait_until(Duration::from_secs(10), || {
        revision(&server)["last_reload"]["ok"] == false
    });
    let status = revision(&server);
    assert_eq!(status["revision"], second, "the old set keeps serving");
    assert_eq!(
        status["last_reload"]["diagnostics"][0]["code"],
        "toml-syntax"
    );
    assert_eq!(post(&server, "/v1/normalize", &item).1["code"], 100206);
    assert_eq!(get(&server, "/health/ready").0, StatusCode::OK);

    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for r in readers {
        let seen = r.join().unwrap();
        // Each answer is one revision's: 100100 with the first, 100206 with the second.
        for (code, rev) in seen {
            assert!(
                (code == 100100 && rev == first) || (code == 100206 && rev == second),
                "{code} {rev}"
            );
        }
    }
}

/// A broken set at start: not ready (503) until a reload brings a valid one.
#[test]
fn not_ready_until_a_valid_set_is_loaded() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("house.toml"), "[provider\n").unwrap();
    let server = Server::start(&["--mappings", dir.path().to_str().unwrap()]);
    assert_eq!(
        get(&server, "/health/ready").0,
        StatusCode::SERVICE_UNAVAILABLE
    );
    assert_eq!(get(&server, "/health/live").0, StatusCode::OK);
    let (s, e) = post(
        &server,
        "/v1/normalize",
        &json!({"provider": "iso8583", "response": {}}),
    );
    assert_eq!(
        (s, e["error"]["kind"].as_str()),
        (StatusCode::SERVICE_UNAVAILABLE, Some("not-ready"))
    );
    fs::write(dir.path().join("house.toml"), OVERRIDE).unwrap();
    server.signal("HUP");
    wait_until(Duration::from_secs(10), || {
        get(&server, "/health/ready").0 == StatusCode::OK
    });
}

/// A slow client is cut off by the request timeout (408) without holding up others.
#[test]
fn a_slow_client_times_out_without_affecting_others() {
    let server = Server::start_with(&["--request-timeout", "1"]);
    let addr = server.base.trim_start_matches("http://").to_string();
    let mut slow = TcpStream::connect(&addr).unwrap();
    slow.write_all(b"POST /v1/normalize HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{\"provider\"")
        .unwrap();
    // Others are served meanwhile.
    let start = Instant::now();
    let (s, _) = post(
        &server,
        "/v1/normalize",
        &json!({"provider": "iso8583", "response": {"39": "51"}}),
    );
    assert_eq!(s, StatusCode::OK);
    assert!(start.elapsed() < Duration::from_millis(900));
    slow.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut answer = String::new();
    let _ = slow.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer:?}");
}

/// SIGTERM: the server stops (exit 0) after in-flight requests finish.
#[test]
fn sigterm_shuts_down_gracefully() {
    let mut server = Server::start(&[]);
    assert_eq!(get(&server, "/health/live").0, StatusCode::OK);
    server.signal("TERM");
    let start = Instant::now();
    loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            assert_eq!(status.code(), Some(0));
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(10), "still running");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// `GET /openapi.json` is `docs/openapi.json`; `UPDATE_OPENAPI=1` rewrites the file.
#[test]
fn openapi_document_is_committed() {
    let server = Server::start(&[]);
    let r = client().get(server.url("/openapi.json")).send().unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/json");
    let served = r.text().unwrap();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/openapi.json");
    if std::env::var_os("UPDATE_OPENAPI").is_some_and(|v| v == "1") {
        fs::write(path, &served).unwrap();
    }
    let committed = fs::read_to_string(path).unwrap_or_default();
    assert!(
        served == committed,
        "docs/openapi.json differs from GET /openapi.json: run `UPDATE_OPENAPI=1 cargo test --test serve openapi` and commit it"
    );
    let doc: Value = serde_json::from_str(&served).unwrap();
    assert_eq!(doc["info"]["version"], env!("CARGO_PKG_VERSION"));
    let paths: Vec<&str> = doc["paths"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for p in [
        "/v1/normalize",
        "/v1/normalize/batch",
        "/v1/explain",
        "/v1/catalog",
        "/v1/providers",
        "/v1/status",
        "/health/live",
        "/health/ready",
        "/metrics",
    ] {
        assert!(paths.contains(&p), "{p} is documented");
    }
}

/// Every operation of the document is routed: none is 404 or 405, and each answers one of
/// the statuses the document lists for it.
#[test]
fn every_documented_operation_is_routed() {
    let server = Server::start(&[]);
    let (_, text) = get(&server, "/openapi.json");
    let doc: Value = serde_json::from_str(&text).unwrap();
    let c = client();
    let mut seen = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let r = match method.as_str() {
                "get" => c.get(server.url(path)).send().unwrap(),
                "post" => c
                    .post(server.url(path))
                    .header("content-type", "application/json")
                    .body(r#"{"provider": "iso8583", "response": {"39": "51"}}"#)
                    .send()
                    .unwrap(),
                other => panic!("undocumented method {other}"),
            };
            let status = r.status().as_u16().to_string();
            assert!(
                op["responses"].get(&status).is_some(),
                "{method} {path} answered {status}, not a documented status"
            );
            seen += 1;
        }
    }
    assert_eq!(seen, 11);
}

/// A bad query string is the API's JSON 400 `invalid-query`, not axum's plain text.
#[test]
fn a_bad_query_string_is_a_json_400() {
    let server = Server::start(&[]);
    let body = json!({"provider": "iso8583", "response": {"39": "51"}});
    for path in ["/v1/normalize", "/v1/explain"] {
        for query in ["lang=", "lang=zh%20CN", "lang=a&lang=b", "explain=maybe"] {
            let r = client()
                .post(server.url(&format!("{path}?{query}")))
                .header("content-type", "application/json")
                .body(body.to_string())
                .send()
                .unwrap();
            assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{path}?{query}");
            assert_eq!(r.headers()["content-type"], "application/json");
            let e: Value = r.json().unwrap();
            assert_eq!(e["error"]["kind"], "invalid-query", "{path}?{query}");
        }
    }
    let (s, e) = post(&server, "/v1/normalize/batch?lang=", &json!([body]));
    assert_eq!(
        (s, e["error"]["kind"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid-query"))
    );
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains("language tag")
    );
    // Well-formed tags still pick the language.
    let (s, out) = post(&server, "/v1/normalize?lang=zh_Hans&explain=false", &body);
    assert_eq!(s, StatusCode::OK);
    assert_eq!(out["message"], "余额不足");
    assert!(out.get("explain").is_none());
}

/// The playground and its assets are served without the bearer token, under a policy that
/// allows this origin only; the API behind it still wants the token.
#[test]
fn the_playground_is_open_and_under_a_strict_policy() {
    let dir = tempfile::tempdir().unwrap();
    let token = dir.path().join("token");
    fs::write(&token, "s3cret\n").unwrap();
    let server = Server::start_with(&["--auth-token-file", token.to_str().unwrap()]);
    let c = client();
    for (path, kind) in [
        ("/", "text/html"),
        ("/playground.js", "text/javascript"),
        ("/playground.css", "text/css"),
    ] {
        let r = c.get(server.url(path)).send().unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        let headers = r.headers().clone();
        assert!(
            headers["content-type"].to_str().unwrap().starts_with(kind),
            "{path}"
        );
        let csp = headers["content-security-policy"].to_str().unwrap();
        for directive in [
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "connect-src 'self'",
            "frame-ancestors 'none'",
        ] {
            assert!(csp.contains(directive), "{path}: {csp}");
        }
        assert!(!csp.contains("unsafe"), "{csp}");
        assert_eq!(headers["x-content-type-options"], "nosniff");
        let text = r.text().unwrap();
        // Self-contained: nothing from another origin.
        assert!(
            !text.contains("http://") && !text.contains("https://"),
            "{path}"
        );
        if path == "/" {
            assert!(text.contains(r#"<script src="/playground.js""#));
            assert!(!text.contains("<script>") && !text.contains(" style="));
            assert!(
                text.contains(r#"id="token""#),
                "the page asks for the token"
            );
        }
    }
    assert_eq!(get(&server, "/openapi.json").0, StatusCode::OK);
    assert_eq!(get(&server, "/v1/providers").0, StatusCode::UNAUTHORIZED);
}
