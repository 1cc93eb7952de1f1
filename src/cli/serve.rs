//! `paynorm serve`: the engine over HTTP/JSON (axum on tokio), for back ends in any language.
//!
//! Stateless per mapping revision: the active set sits in an [`ArcSwapOption`]; a reload
//! (SIGHUP) builds and validates the new set completely before the swap, so a request sees one
//! revision, never a mix, and a broken reload keeps the old set serving. The library does the
//! work (`batch::parse_line`, `batch::normalize_line`, `Engine::explain`); this module is
//! transport: routes, limits, status codes, metrics.

// A refused request is a whole `Response`, built once and returned at once.
#![allow(clippy::result_large_err)]

use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use arc_swap::ArcSwapOption;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use paynorm::batch::{self, BatchOptions};
use paynorm::json::Json;
use paynorm::{Context, Engine, Lang, catalog};
use serde::Deserialize;
use tower_http::timeout::TimeoutLayer;

use super::args::ServeArgs;
use super::decision_log::{self, DecisionLog, Entry, Records};
use super::{Failure, Outcome, fs};
use query::ApiQuery;

mod openapi;
mod playground;
mod query;

/// The active mapping set and where it came from.
struct Loaded {
    engine: Engine,
    revision: String,
    loaded_at: u64,
}

/// What the last load or reload gave.
#[derive(Clone, serde::Serialize)]
struct ReloadResult {
    ok: bool,
    at: u64,
    revision: Option<String>,
    diagnostics: serde_json::Value,
}

struct AppState {
    active: ArcSwapOption<Loaded>,
    mappings: Option<PathBuf>,
    last_reload: Mutex<ReloadResult>,
    token: Option<Vec<u8>>,
    max_body_bytes: usize,
    max_batch_items: usize,
    metrics: PrometheusHandle,
    decisions: AtomicU64,
    started: u64,
    decision_log: Option<DecisionLog>,
}

type Shared = Arc<AppState>;

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// A stable digest of a mapping set's files (FNV-1a, 64 bits): the revision, also the ETag.
/// `layer` is what was read from --mappings DIR, the very files the engine is built from.
fn revision_of(layer: Option<&paynorm::Layer>) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: &[u8]| {
        for b in bytes {
            hash ^= u64::from(*b);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    };
    let builtin = paynorm::builtin::layer();
    for layer in std::iter::once(&builtin).chain(layer) {
        for f in layer.mappings.iter().chain(&layer.decisions) {
            eat(f.name.as_bytes());
            eat(&[0]);
            eat(f.text.as_bytes());
            eat(&[0]);
        }
    }
    eat(env!("CARGO_PKG_VERSION").as_bytes());
    format!("{hash:016x}")
}

/// Loads (or reloads) the set; on failure the active set stays.
fn load(state: &AppState) -> ReloadResult {
    let mut revision = revision_of(None);
    let loaded = fs::load_engine_seen(state.mappings.as_deref(), |layer| {
        revision = revision_of(Some(layer));
    });
    let result = match loaded {
        Ok(engine) => {
            let at = now_secs();
            state.active.store(Some(Arc::new(Loaded {
                engine,
                revision: revision.clone(),
                loaded_at: at,
            })));
            metrics::counter!("paynorm_reloads_total", "result" => "ok").increment(1);
            metrics::gauge!("paynorm_last_reload_success_timestamp_seconds").set(at as f64);
            ReloadResult {
                ok: true,
                at,
                revision: Some(revision),
                diagnostics: serde_json::json!([]),
            }
        }
        Err(diags) => {
            metrics::counter!("paynorm_reloads_total", "result" => "error").increment(1);
            ReloadResult {
                ok: false,
                at: now_secs(),
                revision: None,
                diagnostics: diags.to_json(),
            }
        }
    };
    *state.last_reload.lock().unwrap_or_else(|e| e.into_inner()) = result.clone();
    result
}

/// Runs the server until SIGTERM/SIGINT.
pub fn serve(mappings: Option<&Path>, args: ServeArgs) -> Outcome {
    let token = match &args.auth_token_file {
        Some(path) => {
            let text = fs::read_text(path, 4096).map_err(|e| {
                io::Error::new(e.kind(), format!("cannot read {}: {e}", path.display()))
            })?;
            let token = text.trim().as_bytes().to_vec();
            if token.is_empty() {
                return Err(Failure::Input(format!("{} holds no token", path.display())));
            }
            Some(token)
        }
        None => None,
    };
    let recorder = PrometheusBuilder::new()
        .set_buckets_for_metric(
            metrics_exporter_prometheus::Matcher::Full("paynorm_request_duration_seconds".into()),
            &[
                0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                1.0, 2.5, 10.0,
            ],
        )
        .map_err(|e| io::Error::other(e.to_string()))?
        .build_recorder();
    let handle = recorder.handle();
    let _ = metrics::set_global_recorder(recorder);
    if args.watch && mappings.is_none() {
        return Err(Failure::Input("--watch needs --mappings DIR".into()));
    }
    let decision_log = match decision_log::Target::parse(&args.decision_log) {
        Some(target) => Some(DecisionLog::start(
            target,
            args.decision_log_raw,
            args.decision_log_queue,
        )?),
        None => None,
    };
    let state = Arc::new(AppState {
        active: ArcSwapOption::empty(),
        mappings: mappings.map(Path::to_path_buf),
        last_reload: Mutex::new(ReloadResult {
            ok: false,
            at: 0,
            revision: None,
            diagnostics: serde_json::json!([]),
        }),
        token,
        max_body_bytes: args.max_body_bytes,
        max_batch_items: args.max_batch_items,
        metrics: handle,
        decisions: AtomicU64::new(0),
        started: SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64),
        decision_log,
    });
    let first = load(&state);
    if args.watch
        && let Some(dir) = mappings
    {
        let watched = state.clone();
        super::watch::spawn(dir, move || {
            let r = load(&watched);
            log_reload(&r, "change in the mapping directory");
        })
        .map_err(|e| io::Error::other(format!("cannot watch {}: {e}", dir.display())))?;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let served = runtime.block_on(run(state.clone(), args, first));
    drop(runtime);
    if let Some(log) = &state.decision_log {
        log.close();
    }
    served?;
    Ok(std::process::ExitCode::SUCCESS)
}

fn log_reload(r: &ReloadResult, why: &str) {
    let verdict = if r.ok {
        "reloaded"
    } else {
        "reload failed, old set kept"
    };
    tracing::info!(ok = r.ok, revision = ?r.revision, "{verdict} ({why})");
}

async fn run(state: Shared, args: ServeArgs, first: ReloadResult) -> io::Result<()> {
    let listener = tokio::net::TcpListener::bind(args.addr).await?;
    let addr = listener.local_addr()?;
    let diagnostic = match args.diagnostic_addr {
        Some(a) => Some(tokio::net::TcpListener::bind(a).await?),
        None => None,
    };
    let also = match &diagnostic {
        Some(l) => format!(", diagnostics on http://{}", l.local_addr()?),
        None => String::new(),
    };
    super::say(&format!(
        "paynorm serve: listening on http://{addr} (revision {}){also}\n",
        first
            .revision
            .as_deref()
            .unwrap_or("none: the mapping set is invalid, not ready")
    ));
    tokio::spawn(reload_on_sighup(state.clone()));
    tokio::spawn(metrics_upkeep(state.clone()));
    let app = router(state.clone(), &args, diagnostic.is_none());
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        stop_signal().await;
        let _ = stop_tx.send(true);
    });
    let stopped = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|stopped| *stopped).await;
    };
    let main = axum::serve(listener, app).with_graceful_shutdown(stopped(stop_rx.clone()));
    let diagnostic_stop = stop_rx.clone();
    let diagnostics = async {
        match diagnostic {
            Some(l) => {
                axum::serve(l, diagnostic_router(state, &args))
                    .with_graceful_shutdown(stopped(diagnostic_stop))
                    .await
            }
            None => Ok(()),
        }
    };
    let grace = Duration::from_secs(args.shutdown_grace_period);
    let both = async { tokio::try_join!(main.into_future(), diagnostics).map(|_| ()) };
    tokio::select! {
        result = both => result,
        () = async move {
            stopped(stop_rx).await;
            tokio::time::sleep(grace).await;
        } => {
            super::say("paynorm serve: the shutdown grace period ran out\n");
            Ok(())
        }
    }
}

/// Drains the histograms' samples every 5 s. The exporter keeps each recorded sample until
/// upkeep (or a scrape) folds it into the buckets, so without this a server nobody scrapes
/// grows by every request's duration (0.8 MB/s under wrk in benches/soak.sh).
async fn metrics_upkeep(state: Shared) {
    let mut every = tokio::time::interval(Duration::from_secs(5));
    loop {
        every.tick().await;
        state.metrics.run_upkeep();
    }
}

async fn stop_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut term), Ok(mut int)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        return std::future::pending().await;
    };
    tokio::select! {
        _ = term.recv() => {}
        _ = int.recv() => {}
    }
}

async fn reload_on_sighup(state: Shared) {
    use tokio::signal::unix::{SignalKind, signal};
    let Ok(mut hup) = signal(SignalKind::hangup()) else {
        return;
    };
    while hup.recv().await.is_some() {
        if let Some(log) = &state.decision_log {
            log.reopen();
        }
        let state = state.clone();
        let result = tokio::task::spawn_blocking(move || load(&state)).await;
        if let Ok(r) = result {
            log_reload(&r, "SIGHUP");
        }
    }
}

/// The API, and /metrics unless a diagnostic listener serves it.
fn router(state: Shared, args: &ServeArgs, with_metrics: bool) -> Router {
    let mut api = Router::new()
        .route("/v1/normalize", post(normalize))
        .route("/v1/normalize/batch", post(normalize_batch))
        .route("/v1/explain", post(explain))
        .route("/v1/catalog", get(catalog_list))
        .route("/v1/providers", get(providers))
        .route("/v1/status", get(status));
    if with_metrics {
        api = api.route("/metrics", get(metrics_text));
    }
    let api = api.route_layer(middleware::from_fn_with_state(state.clone(), authorize));
    let pages = openapi::routes().merge(playground::routes());
    limited(health().merge(api).merge(pages), args).with_state(state)
}

/// `--diagnostic-addr`: /metrics (behind the token, when there is one) and the health checks.
fn diagnostic_router(state: Shared, args: &ServeArgs) -> Router {
    let metrics = Router::new()
        .route("/metrics", get(metrics_text))
        .route_layer(middleware::from_fn_with_state(state.clone(), authorize));
    limited(health().merge(metrics), args).with_state(state)
}

fn health() -> Router<Shared> {
    Router::new()
        .route("/health/live", get(|| async { "ok\n" }))
        .route("/health/ready", get(ready))
}

/// Measuring, the body limit and the request timeout.
fn limited(router: Router<Shared>, args: &ServeArgs) -> Router<Shared> {
    router
        .layer(middleware::from_fn(measure))
        .layer(DefaultBodyLimit::disable())
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(args.request_timeout),
        ))
}

/// `Authorization: Bearer <token>` when a token is configured, compared in constant time.
async fn authorize(State(state): State<Shared>, request: Request, next: Next) -> Response {
    if let Some(token) = &state.token {
        let given = request
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or("");
        let same: bool = subtle::ConstantTimeEq::ct_eq(given.as_bytes(), token.as_slice()).into();
        if !same {
            return error(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "a valid bearer token is required",
            );
        }
    }
    next.run(request).await
}

/// Request duration by route and status.
async fn measure(request: Request, next: Next) -> Response {
    let route = match request.uri().path() {
        p @ ("/v1/normalize"
        | "/v1/normalize/batch"
        | "/v1/explain"
        | "/v1/catalog"
        | "/v1/providers"
        | "/v1/status"
        | "/metrics"
        | "/health/live"
        | "/health/ready"
        | "/openapi.json"
        | "/") => p.to_string(),
        _ => "other".to_string(),
    };
    let start = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::histogram!("paynorm_request_duration_seconds", "route" => route, "status" => status)
        .record(start.elapsed().as_secs_f64());
    response
}

/// `{"error": {"kind", "message"}}` with `status`.
fn error(status: StatusCode, kind: &str, message: &str) -> Response {
    let body = serde_json::json!({"error": {"kind": kind, "message": message}});
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

fn json_response(status: StatusCode, body: Vec<u8>) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

#[derive(Deserialize, Default)]
struct Params {
    #[serde(default, deserialize_with = "query::lang_tag")]
    lang: Option<String>,
    #[serde(default)]
    explain: bool,
}

/// `?lang=`, else the first tag of `Accept-Language`, with the CLI's BCP-47 rules.
fn lang_of(params: &Params, headers: &HeaderMap) -> Lang {
    let tag = params.lang.clone().or_else(|| {
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split([',', ';']).next())
            .map(|t| t.trim().to_string())
    });
    tag.map_or(Lang::En, |t| Lang::from_tag(&t))
}

fn content_type(headers: &HeaderMap) -> &str {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map_or("", str::trim)
}

fn active(state: &AppState) -> Result<Arc<Loaded>, Response> {
    state.active.load_full().ok_or_else(|| {
        error(
            StatusCode::SERVICE_UNAVAILABLE,
            "not-ready",
            "no valid mapping set is loaded (see /v1/status)",
        )
    })
}

/// The body of a JSON request, or the response refusing it (415, 413, 400).
async fn json_body(state: &AppState, headers: &HeaderMap, body: Body) -> Result<Bytes, Response> {
    if content_type(headers) != "application/json" {
        return Err(error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "send the request as application/json",
        ));
    }
    read_body(state, body).await
}

/// At most `--max-body-bytes` of the body: a longer one is 413, read no further.
async fn read_body(state: &AppState, body: Body) -> Result<Bytes, Response> {
    axum::body::to_bytes(body, state.max_body_bytes)
        .await
        .map_err(|e| {
            let too_large = format!("{e:?}").contains("LengthLimitError");
            if too_large {
                error(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "body-too-large",
                    "the request body is larger than --max-body-bytes",
                )
            } else {
                error(StatusCode::BAD_REQUEST, "invalid-body", &e.to_string())
            }
        })
}

/// The record's parts the metrics count by (never a raw code or an id as a label).
#[derive(Deserialize)]
struct Counted<'a> {
    provider: &'a str,
    category: &'a str,
    outcome: &'a str,
    rule: Option<&'a str>,
}

fn count(record: &[u8]) {
    if let Ok(c) = serde_json::from_slice::<Counted>(record) {
        metrics::counter!(
            "paynorm_normalizations_total",
            "provider" => c.provider.to_string(),
            "category" => c.category.to_string(),
            "outcome" => c.outcome.to_string()
        )
        .increment(1);
        if c.rule.is_none() {
            metrics::counter!("paynorm_fallback_total", "provider" => c.provider.to_string())
                .increment(1);
        }
    }
}

/// Hands a request's records to the decision log, when there is one.
fn log_decisions(
    state: &AppState,
    loaded: &Loaded,
    lang: Lang,
    (route, decision_id): (&'static str, &str),
    decisions: u64,
    records: impl FnOnce() -> Records,
) {
    if let Some(log) = &state.decision_log {
        log.log(Entry {
            at: SystemTime::now(),
            decision_id: decision_id.to_string(),
            revision: loaded.revision.as_str().into(),
            route,
            lang: match lang {
                Lang::En => "en",
                Lang::Zh => "zh",
            },
            decisions,
            records: records(),
        });
    }
}

/// A batch response, with its decision id (which its decision-log lines carry) in a header.
fn with_decision_id(mut response: Response, id: &str) -> Response {
    if let Ok(v) = HeaderValue::from_str(id) {
        response.headers_mut().insert("x-decision-id", v);
    }
    response
}

fn decision_id(state: &AppState) -> String {
    let n = state.decisions.fetch_add(1, Ordering::Relaxed);
    format!("{:016x}-{n:x}", state.started)
}

/// Replaces the record's closing brace with `,"key":value}`.
fn append_key(record: &mut Vec<u8>, key: &str, value: &[u8]) {
    record.pop();
    record.push(b',');
    record.extend_from_slice(serde_json::to_string(key).unwrap_or_default().as_bytes());
    record.push(b':');
    record.extend_from_slice(value);
    record.push(b'}');
}

/// The prologue of a one-document request: the active set, the language, the JSON body.
async fn json_request(
    state: &AppState,
    params: &Params,
    headers: &HeaderMap,
    body: Body,
) -> Result<(Arc<Loaded>, Lang, Bytes), Response> {
    let loaded = active(state)?;
    let bytes = json_body(state, headers, body).await?;
    Ok((loaded, lang_of(params, headers), bytes))
}

/// The request body as a document and its record, or the 400 saying what is wrong with it
/// (the batch error kinds).
fn normalized<'b>(
    loaded: &Loaded,
    lang: Lang,
    bytes: &'b [u8],
) -> Result<(Json<'b>, Vec<u8>), Response> {
    let doc = batch::parse_line(bytes)
        .map_err(|(kind, message)| error(StatusCode::BAD_REQUEST, kind.as_str(), &message))?;
    let mut out = Vec::with_capacity(512);
    if let Err(((kind, message), _)) = batch::normalize_line(&loaded.engine, lang, &doc, &mut out) {
        return Err(error(StatusCode::BAD_REQUEST, kind.as_str(), &message));
    }
    Ok((doc, out))
}

/// `POST /v1/normalize`: one batch line's shape in, the record out.
async fn normalize(
    State(state): State<Shared>,
    ApiQuery(params): ApiQuery<Params>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let (loaded, lang, bytes) = match json_request(&state, &params, &headers, body).await {
        Ok(r) => r,
        Err(r) => return r,
    };
    let (doc, mut out) = match normalized(&loaded, lang, &bytes) {
        Ok(r) => r,
        Err(r) => return r,
    };
    count(&out);
    let decision = decision_id(&state);
    log_decisions(
        &state,
        &loaded,
        lang,
        ("/v1/normalize", &decision),
        1,
        || Records::One(out.clone()),
    );
    let id = serde_json::to_vec(&decision).unwrap_or_default();
    append_key(&mut out, "decision_id", &id);
    let rev = serde_json::to_vec(&loaded.revision).unwrap_or_default();
    append_key(&mut out, "mapping_revision", &rev);
    if params.explain {
        match explanation(&loaded.engine, &doc, lang) {
            Ok(trace) => append_key(&mut out, "explain", &trace),
            Err(r) => return r,
        }
    }
    json_response(StatusCode::OK, out)
}

/// The `explain --format json` trace of a valid request document.
fn explanation(engine: &Engine, doc: &Json, lang: Lang) -> Result<Vec<u8>, Response> {
    let provider = match doc.get("provider") {
        Some(Json::Str(p)) => p.as_ref(),
        _ => {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "missing-provider",
                "missing `provider`",
            ));
        }
    };
    let response = doc.get("response").unwrap_or(&Json::Null);
    let context = match doc.get("context") {
        None | Some(Json::Null) => Context::default(),
        Some(c) => Context::deserialize(c.to_value()).map_err(|e| {
            error(
                StatusCode::BAD_REQUEST,
                "invalid-context",
                &format!("invalid `context`: {e}"),
            )
        })?,
    };
    let explained = engine
        .explain(provider, response, &context)
        .map_err(|e| error(StatusCode::BAD_REQUEST, "unknown-provider", &e.to_string()))?;
    serde_json::to_vec(&explained.with_record(lang)).map_err(|e| {
        error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            &e.to_string(),
        )
    })
}

/// `POST /v1/explain`: the record and the trace, as `paynorm explain --format json`.
async fn explain(
    State(state): State<Shared>,
    ApiQuery(params): ApiQuery<Params>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let (loaded, lang, bytes) = match json_request(&state, &params, &headers, body).await {
        Ok(r) => r,
        Err(r) => return r,
    };
    // The same checks as /v1/normalize, so a bad request gets the same error.
    let doc = match normalized(&loaded, lang, &bytes) {
        Ok((doc, _)) => doc,
        Err(r) => return r,
    };
    match explanation(&loaded.engine, &doc, lang) {
        Ok(trace) => json_response(StatusCode::OK, trace),
        Err(r) => r,
    }
}

/// `POST /v1/normalize/batch`: a JSON array of batch lines → an array of records, an error
/// object in place of a bad item; or NDJSON in → NDJSON out, as `paynorm batch`.
async fn normalize_batch(
    State(state): State<Shared>,
    ApiQuery(params): ApiQuery<Params>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let loaded = match active(&state) {
        Ok(l) => l,
        Err(r) => return r,
    };
    let lang = lang_of(&params, &headers);
    match content_type(&headers) {
        "application/x-ndjson" => {
            let bytes = match read_body(&state, body).await {
                Ok(b) => b,
                Err(r) => return r,
            };
            let lines = memchr::memchr_iter(b'\n', &bytes).count() + 1;
            if lines > state.max_batch_items + 1 {
                return too_many(state.max_batch_items);
            }
            let options = BatchOptions {
                lang,
                ..BatchOptions::default()
            };
            let mut out = Vec::with_capacity(bytes.len() * 2);
            match batch::run(&loaded.engine, &bytes[..], &mut out, &options) {
                Ok(summary) => {
                    metrics::counter!("paynorm_batch_items_total").increment(summary.lines);
                    let decision = decision_id(&state);
                    let route = ("/v1/normalize/batch", decision.as_str());
                    log_decisions(&state, &loaded, lang, route, summary.lines, || {
                        Records::Lines(out.clone())
                    });
                    let response = (
                        StatusCode::OK,
                        [(header::CONTENT_TYPE, "application/x-ndjson")],
                        out,
                    )
                        .into_response();
                    with_decision_id(response, &decision)
                }
                Err(e) => error(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    &e.to_string(),
                ),
            }
        }
        "application/json" => {
            let bytes = match read_body(&state, body).await {
                Ok(b) => b,
                Err(r) => return r,
            };
            let doc = match batch::parse_line(&bytes) {
                Ok(doc) => doc,
                Err((kind, message)) => {
                    return error(StatusCode::BAD_REQUEST, kind.as_str(), &message);
                }
            };
            let Json::Array(items) = &doc else {
                return error(
                    StatusCode::BAD_REQUEST,
                    "not-an-array",
                    "a JSON batch is an array of items",
                );
            };
            if items.len() > state.max_batch_items {
                return too_many(state.max_batch_items);
            }
            metrics::counter!("paynorm_batch_items_total").increment(items.len() as u64);
            let mut out = Vec::with_capacity(bytes.len() * 2);
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                let start = out.len();
                if let Err(((kind, message), id)) =
                    batch::normalize_line(&loaded.engine, lang, item, &mut out)
                {
                    out.truncate(start);
                    let mut e = format!("{{\"index\":{i},");
                    if let Some(id) = id {
                        let mut idb = Vec::new();
                        id.write_to(&mut idb);
                        e.push_str("\"id\":");
                        e.push_str(&String::from_utf8_lossy(&idb));
                        e.push(',');
                    }
                    let body = serde_json::json!({"kind": kind.as_str(), "message": message});
                    e.push_str(&format!("\"error\":{body}}}"));
                    out.extend_from_slice(e.as_bytes());
                }
            }
            out.push(b']');
            let decision = decision_id(&state);
            let route = ("/v1/normalize/batch", decision.as_str());
            log_decisions(&state, &loaded, lang, route, items.len() as u64, || {
                Records::Array(out.clone())
            });
            with_decision_id(json_response(StatusCode::OK, out), &decision)
        }
        _ => error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "send a JSON array (application/json) or JSON lines (application/x-ndjson)",
        ),
    }
}

fn too_many(max: usize) -> Response {
    error(
        StatusCode::PAYLOAD_TOO_LARGE,
        "too-many-items",
        &format!("a batch has at most {max} items (--max-batch-items)"),
    )
}

/// A cacheable answer: `ETag` is the mapping revision; `If-None-Match` with it is 304.
fn cached(loaded: &Loaded, headers: &HeaderMap, body: impl FnOnce() -> Vec<u8>) -> Response {
    let etag = format!("\"{}\"", loaded.revision);
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let tag = HeaderValue::from_str(&etag).unwrap_or(HeaderValue::from_static("\"\""));
    if matches {
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, tag)]).into_response();
    }
    (
        StatusCode::OK,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ),
            (header::ETAG, tag),
        ],
        body(),
    )
        .into_response()
}

async fn catalog_list(State(state): State<Shared>, headers: HeaderMap) -> Response {
    let loaded = match active(&state) {
        Ok(l) => l,
        Err(r) => return r,
    };
    cached(&loaded, &headers, || {
        let list: Vec<serde_json::Value> = catalog::entries()
            .iter()
            .map(|e| {
                serde_json::json!({
                    "code": e.code,
                    "category": e.category,
                    "outcome": e.outcome(),
                    "messages": {"en": e.en, "zh": e.zh},
                })
            })
            .collect();
        serde_json::to_vec(&list).unwrap_or_default()
    })
}

async fn providers(State(state): State<Shared>, headers: HeaderMap) -> Response {
    let loaded = match active(&state) {
        Ok(l) => l,
        Err(r) => return r,
    };
    cached(&loaded, &headers, || {
        serde_json::to_vec(&loaded.engine.providers()).unwrap_or_default()
    })
}

async fn status(State(state): State<Shared>) -> Response {
    let loaded = state.active.load_full();
    let last = state
        .last_reload
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    let body = serde_json::json!({
        "ready": loaded.is_some(),
        "revision": loaded.as_ref().map(|l| l.revision.clone()),
        "loaded_at": loaded.as_ref().map(|l| l.loaded_at),
        "last_reload": last,
        "version": env!("CARGO_PKG_VERSION"),
    });
    json_response(StatusCode::OK, body.to_string().into_bytes())
}

async fn ready(State(state): State<Shared>) -> Response {
    match state.active.load_full() {
        Some(_) => (StatusCode::OK, "ready\n").into_response(),
        None => (StatusCode::SERVICE_UNAVAILABLE, "no valid mapping set\n").into_response(),
    }
}

async fn metrics_text(State(state): State<Shared>) -> Response {
    if let Some(l) = state.active.load_full() {
        metrics::gauge!("paynorm_mapping_revision_info", "revision" => l.revision.clone()).set(1.0);
    }
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
        .into_response()
}
