//! Operating `paynorm serve`: the decision log, `--watch`, `paynorm health`,
//! `--diagnostic-addr`, reloads under load, graceful shutdown with requests in flight, and
//! slow clients.

use std::collections::BTreeMap;
use std::fs;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{OVERRIDE, Server, client, get, post, revision, wait_until};

/// The lines of a decision log once it holds `n` (bounded wait).
fn log_lines(path: &Path, n: usize) -> Vec<Value> {
    let start = Instant::now();
    loop {
        let text = fs::read_to_string(path).unwrap_or_default();
        let lines: Vec<Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        if lines.len() >= n {
            assert_eq!(lines.len(), n, "more lines than decisions: {text}");
            return lines;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{} of {n} lines: {text}",
            lines.len()
        );
        std::thread::sleep(Duration::from_millis(25));
    }
}

/// `YYYY-MM-DDTHH:MM:SS.mmmZ`, within a minute of now.
fn assert_recent_rfc3339(time: &Value) {
    let t = time.as_str().unwrap();
    assert_eq!(t.len(), 24, "{t}");
    let b = t.as_bytes();
    for (i, c) in [
        (4, b'-'),
        (7, b'-'),
        (10, b'T'),
        (13, b':'),
        (16, b':'),
        (19, b'.'),
        (23, b'Z'),
    ] {
        assert_eq!(b[i], c, "{t}");
    }
    let out = Command::new("date")
        .args(["-u", "-d", t, "+%s"])
        .output()
        .unwrap();
    assert!(out.status.success(), "date cannot read {t}");
    let secs: i64 = String::from_utf8(out.stdout)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert!((now - secs).abs() < 60, "{t} is not now");
}

const DECLINED: &str =
    r#"{"error": {"code": "card_declined", "decline_code": "insufficient_funds"}}"#;

/// One line per decision, single and batch; what a line holds; raw only on request.
#[test]
fn the_decision_log_has_one_line_per_decision_without_raw_by_default() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("decisions.jsonl");
    let server = Server::start_with(&["--decision-log", path.to_str().unwrap()]);
    let response: Value = serde_json::from_str(DECLINED).unwrap();
    let (s, record) = post(
        &server,
        "/v1/normalize",
        &json!({"id": "tx-1", "provider": "stripe", "response": response}),
    );
    assert_eq!(s, StatusCode::OK);
    let lines = log_lines(&path, 1);
    let line = lines[0].as_object().unwrap();
    assert_eq!(line["decision_id"], record["decision_id"]);
    assert_eq!(line["revision"], record["mapping_revision"]);
    assert_eq!(line["route"], "/v1/normalize");
    assert_eq!(line["id"], "tx-1");
    assert_eq!(line["provider"], "stripe");
    assert_eq!(line["rule"], "stripe/decline_code/insufficient_funds");
    assert_eq!(line["via"], record["via"]);
    assert_eq!(line["code"], 100100);
    assert_eq!(line["category"], record["category"]);
    assert_eq!(line["outcome"], "declined");
    assert_eq!(line["lang"], "en");
    assert_recent_rfc3339(&line["time"]);
    assert!(!line.contains_key("raw"), "raw is logged only on request");
    assert!(!line.contains_key("message") && !line.contains_key("index"));
    assert!(
        !fs::read_to_string(&path)
            .unwrap()
            .contains("insufficient_funds\"}"),
        "nothing of the response beyond the rule name"
    );

    // A batch: one line per good item, with its index, under the batch's decision id.
    let items = json!([
        {"id": 7, "provider": "iso8583", "response": {"39": "51"}},
        {"provider": "acme", "response": {}},
        {"provider": "stripe", "response": response},
    ]);
    let r = client()
        .post(server.url("/v1/normalize/batch?lang=zh"))
        .header("content-type", "application/json")
        .body(items.to_string())
        .send()
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let batch_id = r.headers()["x-decision-id"].to_str().unwrap().to_string();
    let answers: Value = r.json().unwrap();
    assert_ne!(Value::from(batch_id.clone()), record["decision_id"]);
    let lines = log_lines(&path, 3);
    for (line, index) in lines[1..].iter().zip([0, 2]) {
        assert_eq!(line["decision_id"], batch_id.as_str());
        assert_eq!(line["route"], "/v1/normalize/batch");
        assert_eq!(line["index"], index);
        assert_eq!(line["lang"], "zh");
        assert_eq!(line["code"], answers[index]["code"]);
        assert_eq!(line["rule"], answers[index]["rule"]);
        assert_eq!(line["revision"], record["mapping_revision"]);
    }
    assert_eq!(lines[1]["id"], 7);
    assert_eq!(lines[1]["provider"], "iso8583");
    assert_eq!(lines[2]["provider"], "stripe");

    // NDJSON batches too.
    let r = client()
        .post(server.url("/v1/normalize/batch"))
        .header("content-type", "application/x-ndjson")
        .body("{\"provider\": \"iso8583\", \"response\": {\"39\": \"05\"}}\n")
        .send()
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let id = r.headers()["x-decision-id"].to_str().unwrap().to_string();
    let lines = log_lines(&path, 4);
    assert_eq!(lines[3]["decision_id"], id.as_str());
    assert_eq!(lines[3]["index"], 0);
    assert_eq!(lines[3]["provider"], "iso8583");
}

#[test]
fn the_decision_log_has_raw_with_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("decisions.jsonl");
    let server = Server::start_with(&[
        "--decision-log",
        path.to_str().unwrap(),
        "--decision-log-raw",
    ]);
    let response: Value = serde_json::from_str(DECLINED).unwrap();
    let (s, record) = post(
        &server,
        "/v1/normalize",
        &json!({"provider": "stripe", "response": response}),
    );
    assert_eq!(s, StatusCode::OK);
    let lines = log_lines(&path, 1);
    assert_eq!(lines[0]["decision_id"], record["decision_id"]);
    assert!(record["raw"].as_object().is_some_and(|r| !r.is_empty()));
    assert_eq!(lines[0]["raw"], record["raw"]);
}

/// Log rotation: after the file is moved away, SIGHUP makes the server write a new one.
#[test]
fn the_decision_log_file_is_reopened_on_sighup() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("decisions.jsonl");
    let server = Server::start_with(&["--decision-log", path.to_str().unwrap()]);
    let item = json!({"provider": "iso8583", "response": {"39": "51"}});
    let first = post(&server, "/v1/normalize", &item).1;
    log_lines(&path, 1);
    let rotated = dir.path().join("decisions.jsonl.1");
    fs::rename(&path, &rotated).unwrap();
    server.signal("HUP");
    // The writer reopens before its next line (or within half a second when idle).
    wait_until(Duration::from_secs(10), || {
        post(&server, "/v1/normalize", &item);
        path.exists()
    });
    let old = log_lines(&rotated, 1);
    assert_eq!(old[0]["decision_id"], first["decision_id"]);
    let new = fs::read_to_string(&path).unwrap();
    assert!(!new.contains(first["decision_id"].as_str().unwrap()));
}

fn house(server: &Server) -> Value {
    post(
        server,
        "/v1/normalize",
        &json!({"provider": "house", "response": {"c": "x"}}),
    )
    .1
}

/// `--watch`: an edited file is picked up; a broken one keeps the old set and says why.
#[test]
fn watch_reloads_on_change_and_keeps_the_old_set_when_broken() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("house.toml");
    fs::write(&file, OVERRIDE).unwrap();
    let server = Server::launch(&["--mappings", dir.path().to_str().unwrap()], &["--watch"]);
    let first = house(&server);
    assert_eq!(first["code"], 100100);

    fs::write(&file, OVERRIDE.replace("100100", "100206")).unwrap();
    wait_until(Duration::from_secs(10), || house(&server)["code"] == 100206);
    let second = house(&server);
    assert_ne!(second["mapping_revision"], first["mapping_revision"]);
    let status = revision(&server);
    assert_eq!(status["revision"], second["mapping_revision"]);
    assert_eq!(status["last_reload"]["ok"], true);

    fs::write(&file, "[provider\n").unwrap();
    wait_until(Duration::from_secs(10), || {
        revision(&server)["last_reload"]["ok"] == false
    });
    let status = revision(&server);
    assert_eq!(status["revision"], second["mapping_revision"]);
    assert_eq!(status["ready"], true);
    assert_eq!(
        status["last_reload"]["diagnostics"][0]["code"],
        "toml-syntax"
    );
    let still = house(&server);
    assert_eq!(still["code"], 100206);
    assert_eq!(still["mapping_revision"], second["mapping_revision"]);
    assert_eq!(get(&server, "/health/ready").0, StatusCode::OK);
}

/// A Kubernetes ConfigMap volume: files are symlinks through `..data`, and an update swaps
/// `..data` to a new timestamped directory.
#[test]
fn watch_sees_a_configmap_symlink_swap() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::create_dir(d.join("..2026_12_01_00_00_00.1")).unwrap();
    fs::write(d.join("..2026_12_01_00_00_00.1/house.toml"), OVERRIDE).unwrap();
    symlink("..2026_12_01_00_00_00.1", d.join("..data")).unwrap();
    symlink("..data/house.toml", d.join("house.toml")).unwrap();
    let server = Server::launch(&["--mappings", d.to_str().unwrap()], &["--watch"]);
    let first = house(&server);
    assert_eq!(first["code"], 100100);

    // What the kubelet does: write the new directory, point ..data_tmp at it, rename it over
    // ..data, remove the old directory.
    fs::create_dir(d.join("..2026_12_02_00_00_00.2")).unwrap();
    fs::write(
        d.join("..2026_12_02_00_00_00.2/house.toml"),
        OVERRIDE.replace("100100", "100206"),
    )
    .unwrap();
    symlink("..2026_12_02_00_00_00.2", d.join("..data_tmp")).unwrap();
    fs::rename(d.join("..data_tmp"), d.join("..data")).unwrap();
    fs::remove_dir_all(d.join("..2026_12_01_00_00_00.1")).unwrap();

    wait_until(Duration::from_secs(10), || house(&server)["code"] == 100206);
    let status = revision(&server);
    assert_eq!(status["last_reload"]["ok"], true);
    assert_ne!(status["revision"], first["mapping_revision"]);

    // Reading the files on reload is no change: once quiet, the set is not reloaded again.
    let reloads = || {
        let text = get(&server, "/metrics").1;
        text.lines()
            .find(|l| l.starts_with("paynorm_reloads_total{result=\"ok\"}"))
            .and_then(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
            .expect("paynorm_reloads_total")
    };
    std::thread::sleep(Duration::from_millis(900));
    let settled = reloads();
    assert!(settled >= 2, "{settled}");
    std::thread::sleep(Duration::from_millis(1200));
    assert_eq!(reloads(), settled, "reloads go on with nothing changed");
}

/// `paynorm health`: 0 when ready; 1 with a one-line reason when not ready or not there.
#[test]
fn health_subcommand_exit_status() {
    let health = |url: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_paynorm"))
            .args(["health", "--url", url, "--timeout", "3"])
            .output()
            .unwrap();
        (out.status.code(), String::from_utf8(out.stderr).unwrap())
    };
    let server = Server::start(&[]);
    assert_eq!(
        health(&server.url("/health/ready")),
        (Some(0), String::new())
    );
    assert_eq!(health(&server.url("/health/live")).0, Some(0));
    let (code, err) = health(&server.url("/no/such/page"));
    assert_eq!(code, Some(1));
    assert!(err.contains("answered 404"), "{err}");

    // A port nobody listens on.
    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = free.local_addr().unwrap().port();
    drop(free);
    let (code, err) = health(&format!("http://127.0.0.1:{port}/health/ready"));
    assert_eq!(code, Some(1));
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("unhealthy: ") && err.contains("refused"),
        "{err}"
    );

    // Not ready: a broken mapping set.
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("house.toml"), "[provider\n").unwrap();
    let broken = Server::start(&["--mappings", dir.path().to_str().unwrap()]);
    let (code, err) = health(&broken.url("/health/ready"));
    assert_eq!(code, Some(1));
    assert!(err.contains("answered 503"), "{err}");

    // A listener that never answers: the timeout bounds the check.
    let mute = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/health/ready", mute.local_addr().unwrap());
    let start = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_paynorm"))
        .args(["health", "--url", &url, "--timeout", "0.5"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(start.elapsed() < Duration::from_secs(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("timed out"));

    let (code, err) = health("https://127.0.0.1:1/health/ready");
    assert_eq!(code, Some(1));
    assert!(err.contains("https is not supported"), "{err}");
}

/// `--diagnostic-addr`: /metrics and the health checks there; the API (and no /metrics) on
/// the main listener.
#[test]
fn a_diagnostic_listener_serves_metrics_and_health() {
    let server = Server::start_with(&["--diagnostic-addr", "127.0.0.1:0"]);
    let diag = server.diagnostics.clone().expect("the diagnostic address");
    assert_ne!(diag, server.base);
    let c = client();
    let at = |base: &str, path: &str| {
        let r = c.get(format!("{base}{path}")).send().unwrap();
        (r.status(), r.text().unwrap())
    };
    let (s, _) = post(
        &server,
        "/v1/normalize",
        &json!({"provider": "iso8583", "response": {"39": "51"}}),
    );
    assert_eq!(s, StatusCode::OK);
    assert_eq!(at(&server.base, "/metrics").0, StatusCode::NOT_FOUND);
    assert_eq!(at(&server.base, "/v1/status").0, StatusCode::OK);
    let (s, metrics) = at(&diag, "/metrics");
    assert_eq!(s, StatusCode::OK);
    assert!(
        metrics.contains("paynorm_normalizations_total"),
        "{metrics}"
    );
    assert_eq!(
        at(&diag, "/health/ready"),
        (StatusCode::OK, "ready\n".into())
    );
    assert_eq!(at(&diag, "/health/live").0, StatusCode::OK);
    assert_eq!(at(&diag, "/v1/status").0, StatusCode::NOT_FOUND);
    let r = c
        .post(format!("{diag}/v1/normalize"))
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

/// Readers hammer /v1/normalize while SIGHUP swaps the set: valid, broken, valid, valid.
/// Every answer is 200 and its code is the one its revision gives.
#[test]
fn reloads_under_load_never_mix_revisions() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("house.toml");
    let set = |code: u32| OVERRIDE.replace("100100", &code.to_string());
    fs::write(&file, set(100100)).unwrap();
    let server = Server::start(&["--mappings", dir.path().to_str().unwrap()]);
    let mut known: BTreeMap<String, u64> = BTreeMap::new();
    let rev = |s: &Server| revision(s)["revision"].as_str().unwrap().to_string();
    known.insert(rev(&server), 100100);

    let stop = Arc::new(AtomicBool::new(false));
    let readers: Vec<_> = (0..3)
        .map(|_| {
            let (base, stop) = (server.base.clone(), stop.clone());
            std::thread::spawn(move || {
                let c = client();
                let mut seen = Vec::new();
                while !stop.load(Ordering::Relaxed) {
                    let r = c
                        .post(format!("{base}/v1/normalize"))
                        .header("content-type", "application/json")
                        .body(r#"{"provider": "house", "response": {"c": "x"}}"#)
                        .send()
                        .unwrap();
                    assert_eq!(r.status(), StatusCode::OK);
                    let v: Value = r.json().unwrap();
                    seen.push((
                        v["mapping_revision"].as_str().unwrap().to_string(),
                        v["code"].as_u64().unwrap(),
                    ));
                }
                seen
            })
        })
        .collect();

    let mut reloads = 0;
    for step in [Some(100206), None, Some(100300), Some(100100)] {
        std::thread::sleep(Duration::from_millis(150));
        let before = revision(&server)["revision"].clone();
        match step {
            Some(code) => fs::write(&file, set(code)).unwrap(),
            None => fs::write(&file, "[provider\n").unwrap(),
        }
        server.signal("HUP");
        reloads += 1;
        wait_until(Duration::from_secs(10), || {
            let s = revision(&server);
            s["last_reload"]["at"].as_u64() > Some(0)
                && s["last_reload"]["ok"] == step.is_some()
                && (step.is_none() || s["revision"] != before)
        });
        let status = revision(&server);
        match step {
            Some(code) => {
                known.insert(
                    status["revision"].as_str().unwrap().to_string(),
                    u64::from(code),
                );
                assert_eq!(house(&server)["code"], code);
            }
            None => {
                assert_eq!(status["revision"], before, "a broken set keeps the old one");
                assert_eq!(house(&server)["mapping_revision"], before);
            }
        }
    }
    std::thread::sleep(Duration::from_millis(150));
    stop.store(true, Ordering::Relaxed);
    let mut revisions_seen = std::collections::BTreeSet::new();
    let mut answers = 0;
    for r in readers {
        for (rev, code) in r.join().unwrap() {
            assert_eq!(
                known.get(&rev),
                Some(&code),
                "revision {rev} answered {code}"
            );
            revisions_seen.insert(rev);
            answers += 1;
        }
    }
    assert_eq!(reloads, 4);
    assert_eq!(known.len(), 3, "100100 twice is one revision: {known:?}");
    assert!(revisions_seen.len() >= 2, "readers saw {revisions_seen:?}");
    assert!(answers > 20, "{answers} answers");
}

/// Sends the head and half the body of a /v1/normalize request; the rest comes later.
fn half_sent(addr: &str, body: &str) -> (TcpStream, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    let head = format!(
        "POST /v1/normalize HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        body.len()
    );
    let (first, rest) = body.split_at(body.len() / 2);
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(first.as_bytes()).unwrap();
    (s, rest.to_string())
}

/// The status and JSON body of a whole HTTP/1.1 answer (content-length framed).
fn read_answer(s: &mut TcpStream) -> (u16, Value) {
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = s.read(&mut chunk).unwrap();
        assert!(
            n > 0,
            "closed before a whole answer: {:?}",
            String::from_utf8_lossy(&buf)
        );
        buf.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&buf).to_string();
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let length: usize = head
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().parse().unwrap())
                })
                .expect("content-length");
            if body.len() >= length {
                let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
                return (status, serde_json::from_str(&body[..length]).unwrap());
            }
        }
    }
}

/// SIGTERM with requests in flight: each accepted request still gets its whole answer, new
/// connections are refused, and the process exits 0 within the grace period.
#[test]
fn graceful_shutdown_loses_no_accepted_request() {
    let mut server = Server::start_with(&["--shutdown-grace-period", "5"]);
    let addr = server.base.trim_start_matches("http://").to_string();
    let body = |i: usize| {
        json!({"id": format!("in-flight-{i}"), "provider": "iso8583", "response": {"39": "51"}})
            .to_string()
    };
    let mut in_flight: Vec<_> = (0..8).map(|i| half_sent(&addr, &body(i))).collect();
    // A big batch, whole, on a connection of its own.
    let items: Vec<Value> = (0..5000)
        .map(|i| json!({"id": i, "provider": "iso8583", "response": {"39": "05"}}))
        .collect();
    let big = Value::Array(items).to_string();
    let batch = {
        let url = server.url("/v1/normalize/batch");
        std::thread::spawn(move || {
            let r = client()
                .post(url)
                .header("content-type", "application/json")
                .body(big)
                .send()
                .unwrap();
            (r.status(), r.json::<Value>().unwrap())
        })
    };
    // Every connection is accepted and its head read before the signal.
    std::thread::sleep(Duration::from_millis(300));
    server.signal("TERM");
    std::thread::sleep(Duration::from_millis(300));
    let signalled = Instant::now();
    assert!(
        TcpStream::connect(&addr).is_err(),
        "no new connection once stopping"
    );
    for (i, (s, rest)) in in_flight.iter_mut().enumerate() {
        s.write_all(rest.as_bytes()).unwrap();
        let (status, record) = read_answer(s);
        assert_eq!(status, 200);
        assert_eq!(record["id"], format!("in-flight-{i}"));
        assert_eq!(record["code"], 100100);
    }
    let (status, answers) = batch.join().unwrap();
    assert_eq!(status, StatusCode::OK);
    assert_eq!(answers.as_array().unwrap().len(), 5000);
    assert_eq!(answers[4999]["id"], 4999);
    loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            assert_eq!(status.code(), Some(0));
            break;
        }
        assert!(
            signalled.elapsed() < Duration::from_secs(5),
            "still running"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A body trickling in, a byte at a time, is cut off by the request timeout while other
/// clients are served promptly.
#[test]
fn a_trickling_body_is_cut_off_by_the_request_timeout() {
    let server = Server::start_with(&["--request-timeout", "1"]);
    let addr = server.base.trim_start_matches("http://").to_string();
    let body = r#"{"provider": "iso8583", "response": {"39": "51"}, "id": "slow-slow-slow-slow"}"#;
    let (mut slow, rest) = half_sent(&addr, body);
    let trickle = std::thread::spawn(move || {
        let start = Instant::now();
        for b in rest.bytes() {
            if slow.write_all(&[b]).is_err() {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
            if start.elapsed() > Duration::from_secs(1) + Duration::from_millis(500) {
                break;
            }
        }
        slow.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut answer = Vec::new();
        let _ = slow.read_to_end(&mut answer);
        (
            String::from_utf8_lossy(&answer).to_string(),
            start.elapsed(),
        )
    });
    let c = client();
    for _ in 0..10 {
        let start = Instant::now();
        let r = c
            .post(server.url("/v1/normalize"))
            .header("content-type", "application/json")
            .body(r#"{"provider": "iso8583", "response": {"39": "51"}}"#)
            .send()
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert!(start.elapsed() < Duration::from_millis(500));
        std::thread::sleep(Duration::from_millis(50));
    }
    let (answer, took) = trickle.join().unwrap();
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 408"),
        "{answer:?}"
    );
    assert!(took < Duration::from_secs(4), "{took:?}");
}

/// An endless chunked body is cut off at --max-body-bytes with 413.
#[test]
fn an_endless_chunked_body_is_413() {
    let server = Server::start_with(&["--max-body-bytes", "65536"]);
    let addr = server.base.trim_start_matches("http://").to_string();
    let mut s = TcpStream::connect(&addr).unwrap();
    s.write_all(b"POST /v1/normalize HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n")
        .unwrap();
    let mut reader = s.try_clone().unwrap();
    let read = std::thread::spawn(move || {
        reader
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let mut buf = [0u8; 1024];
        let n = reader.read(&mut buf).unwrap_or(0);
        String::from_utf8_lossy(&buf[..n]).to_string()
    });
    let chunk = format!("400\r\n{}\r\n", " ".repeat(0x400));
    let start = Instant::now();
    let mut sent = 0usize;
    while start.elapsed() < Duration::from_secs(5) {
        if s.write_all(chunk.as_bytes()).is_err() {
            break;
        }
        sent += 0x400;
        if read.is_finished() {
            break;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    let answer = read.join().unwrap();
    assert!(
        answer.starts_with("HTTP/1.1 413"),
        "{answer:?} after {sent} bytes"
    );
    assert!(sent >= 65536, "{sent}");
    assert!(sent < 16 << 20, "the server read on: {sent}");
}

/// A decision log that cannot keep up (a pipe nobody reads) drops lines and counts them;
/// requests are not held up.
#[test]
fn a_stuck_decision_log_drops_and_counts_without_blocking_requests() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("decisions.pipe");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    // The reader opens the pipe (so the server's open succeeds) and never reads it.
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || fs::File::open(fifo).unwrap())
    };
    let server = Server::start_with(&[
        "--decision-log",
        fifo.to_str().unwrap(),
        "--decision-log-queue",
        "1",
    ]);
    let _held = reader.join().unwrap();
    let dropped = || {
        get(&server, "/metrics")
            .1
            .lines()
            .find(|l| l.starts_with("paynorm_decision_log_dropped_total "))
            .and_then(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
            .expect("paynorm_decision_log_dropped_total")
    };
    assert_eq!(dropped(), 0);
    // More than a pipe holds (64 KiB): the writer blocks on it.
    let items: Vec<Value> = (0..2000)
        .map(|i| json!({"id": i, "provider": "iso8583", "response": {"39": "51"}}))
        .collect();
    let (s, _) = post(&server, "/v1/normalize/batch", &Value::Array(items));
    assert_eq!(s, StatusCode::OK);
    std::thread::sleep(Duration::from_millis(200));
    let item = json!({"provider": "iso8583", "response": {"39": "51"}});
    let start = Instant::now();
    for _ in 0..20 {
        assert_eq!(post(&server, "/v1/normalize", &item).0, StatusCode::OK);
    }
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "requests waited for the log"
    );
    // One waits in the queue; the others are dropped.
    let n = dropped();
    assert!((19..=20).contains(&n), "{n} dropped");
}
