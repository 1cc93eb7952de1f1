//! `GET /openapi.json`: the service's OpenAPI document, generated with utoipa from the
//! operations and wire types declared here.
//!
//! The library's types stay free of utoipa: the shapes below are the JSON the service writes
//! (the library's `Record`, `Explained`, catalog and provider lists, the error body), each
//! closed (`additionalProperties: false`), and the tests keep them honest: the unit tests
//! below compare their keys and words with what the library serializes, and
//! `scripts/contract.sh` checks the running service against the document with schemathesis.
//! `docs/openapi.json` is this document committed (`tests/serve.rs`,
//! `openapi_document_is_committed`).

// The shapes are read by utoipa's derives only.
#![allow(dead_code)]

use std::sync::LazyLock;

use axum::Router;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Serialize;
use utoipa::openapi::schema::{
    AdditionalProperties, ArrayBuilder, Object, ObjectBuilder, OneOfBuilder, SchemaType, Type,
};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{
    ContentBuilder, OpenApi as Document, PathItem, Ref, RefOr, ResponseBuilder, Schema,
};
use utoipa::{IntoParams, Modify, OpenApi, ToSchema};

/// The routes of this module (served without the bearer token, as the health checks).
pub(super) fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new().route("/openapi.json", get(openapi_json))
}

/// The document as served and as committed in `docs/openapi.json`.
pub(super) static DOCUMENT: LazyLock<String> = LazyLock::new(|| {
    let mut text = Api::openapi()
        .to_pretty_json()
        .expect("the document serializes");
    text.push('\n');
    text
});

async fn openapi_json() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        DOCUMENT.as_str(),
    )
        .into_response()
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "paynorm",
        description = "Normalize payment providers' failure answers to one canonical code: \
            `paynorm serve` (see README, *Service*). Errors are `{\"error\": {\"kind\", \"message\"}}`.",
    ),
    paths(
        normalize,
        normalize_batch,
        explain,
        catalog,
        providers,
        status,
        health_live,
        health_ready,
        metrics,
        openapi_document,
        playground
    ),
    components(schemas(ErrorBody, Record, NormalizedRecord, BatchResult, Explained, CatalogEntry)),
    modifiers(&CommonResponses),
    tags(
        (name = "normalize", description = "Provider responses to canonical records"),
        (name = "reference", description = "The catalog and the loaded providers"),
        (name = "operations", description = "Status, health checks and metrics"),
        (name = "documentation", description = "This document and the playground page"),
    )
)]
struct Api;

// ---- operations -------------------------------------------------------------------------

/// `?lang=` and `?explain=`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
struct NormalizeQuery {
    /// Language of `message` and `customer_message`, a BCP-47 tag: zh, zh-CN, zh-Hans →
    /// Chinese; anything else → English. Overrides `Accept-Language`. A malformed tag is a 400
    /// `invalid-query`.
    #[param(pattern = "^[A-Za-z]{1,8}([-_][A-Za-z0-9]{1,8})*$", example = "zh-CN")]
    lang: Option<String>,
    /// `true` adds `explain`: the record and the trace, as `POST /v1/explain` answers.
    explain: Option<bool>,
}

/// `?lang=`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
struct LangQuery {
    /// Language of `message` and `customer_message`, a BCP-47 tag: zh, zh-CN, zh-Hans →
    /// Chinese; anything else → English. Overrides `Accept-Language`. A malformed tag is a 400
    /// `invalid-query`.
    #[param(pattern = "^[A-Za-z]{1,8}([-_][A-Za-z0-9]{1,8})*$", example = "zh-CN")]
    lang: Option<String>,
}

/// One item in, its record out, with `decision_id` and `mapping_revision`. A decline is a
/// successful normalization: 200.
#[utoipa::path(
    post,
    path = "/v1/normalize",
    tag = "normalize",
    params(
        NormalizeQuery,
        ("Accept-Language" = Option<String>, Header, description = "Used when `?lang=` is absent: its first tag."),
    ),
    request_body(content = NormalizeRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The record", body = NormalizedRecord),
        (status = 400, description = "The body or the query is not a valid request: `invalid-json`, `invalid-query`, `not-an-object`, `missing-provider`, `unknown-provider`, `missing-response`, `invalid-response`, `unknown-key`, `invalid-context`, ...", body = ErrorBody),
        (status = 413, description = "The body is larger than `--max-body-bytes` (`body-too-large`)", body = ErrorBody),
        (status = 415, description = "The body is not `application/json` (`unsupported-media-type`)", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
fn normalize() {}

/// Many items: a JSON array in, an array out in input order (an error object in place of a
/// bad item); or NDJSON in, NDJSON out, byte for byte what `paynorm batch` writes.
#[utoipa::path(
    post,
    path = "/v1/normalize/batch",
    tag = "normalize",
    params(
        LangQuery,
        ("Accept-Language" = Option<String>, Header, description = "Used when `?lang=` is absent: its first tag."),
    ),
    request_body(content(
        (Vec<NormalizeRequest> = "application/json"),
        (String = "application/x-ndjson", example = "{\"provider\":\"iso8583\",\"response\":{\"39\":\"51\"}}\n"),
    )),
    responses(
        (status = 200, description = "One result per item, in input order", content(
            (Vec<BatchResult> = "application/json"),
            (String = "application/x-ndjson"),
        ), headers(("x-decision-id" = String, description = "The batch's decision id, which its decision-log lines carry"))),
        (status = 400, description = "The body is not a JSON array (`invalid-json`, `not-an-array`, ...), or the query is invalid (`invalid-query`)", body = ErrorBody),
        (status = 413, description = "Larger than `--max-body-bytes` (`body-too-large`) or more items than `--max-batch-items` (`too-many-items`)", body = ErrorBody),
        (status = 415, description = "Neither `application/json` nor `application/x-ndjson` (`unsupported-media-type`)", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
fn normalize_batch() {}

/// The record and the trace of one item, as `paynorm explain --format json`.
#[utoipa::path(
    post,
    path = "/v1/explain",
    tag = "normalize",
    params(
        LangQuery,
        ("Accept-Language" = Option<String>, Header, description = "Used when `?lang=` is absent: its first tag."),
    ),
    request_body(content = NormalizeRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The record and its trace", body = Explained),
        (status = 400, description = "As for `/v1/normalize`", body = ErrorBody),
        (status = 413, description = "The body is larger than `--max-body-bytes` (`body-too-large`)", body = ErrorBody),
        (status = 415, description = "The body is not `application/json` (`unsupported-media-type`)", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
fn explain() {}

/// The catalog, with each code's default outcome and its texts in English and Chinese.
#[utoipa::path(
    get,
    path = "/v1/catalog",
    tag = "reference",
    params(("If-None-Match" = Option<String>, Header, description = "An `ETag` of an earlier answer: 304 while the mapping revision is the same.")),
    responses(
        (status = 200, description = "Every catalog code", body = Vec<CatalogEntry>,
            headers(("ETag" = String, description = "The mapping revision, quoted"))),
        (status = 304, description = "Not modified since the `If-None-Match` revision"),
    ),
    security(("bearer" = []))
)]
fn catalog() {}

/// The loaded providers.
#[utoipa::path(
    get,
    path = "/v1/providers",
    tag = "reference",
    params(("If-None-Match" = Option<String>, Header, description = "An `ETag` of an earlier answer: 304 while the mapping revision is the same.")),
    responses(
        (status = 200, description = "The providers, built-in and from `--mappings`", body = Vec<ProviderInfo>,
            headers(("ETag" = String, description = "The mapping revision, quoted"))),
        (status = 304, description = "Not modified since the `If-None-Match` revision"),
    ),
    security(("bearer" = []))
)]
fn providers() {}

/// The active mapping revision and what the last load or reload gave.
#[utoipa::path(
    get,
    path = "/v1/status",
    tag = "operations",
    responses((status = 200, description = "The status", body = Status)),
    security(("bearer" = []))
)]
fn status() {}

/// Liveness: the process answers.
#[utoipa::path(
    get,
    path = "/health/live",
    tag = "operations",
    responses((status = 200, description = "`ok`", body = String, content_type = "text/plain", example = "ok\n"))
)]
fn health_live() {}

/// Readiness: a valid mapping set is active.
#[utoipa::path(
    get,
    path = "/health/ready",
    tag = "operations",
    responses(
        (status = 200, description = "`ready`", body = String, content_type = "text/plain", example = "ready\n"),
        (status = 503, description = "No valid mapping set is loaded yet", body = String, content_type = "text/plain"),
    )
)]
fn health_ready() {}

/// Prometheus metrics (text exposition format 0.0.4).
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "operations",
    responses((status = 200, description = "The metrics", body = String, content_type = "text/plain")),
    security(("bearer" = []))
)]
fn metrics() {}

/// This document.
#[utoipa::path(
    get,
    path = "/openapi.json",
    tag = "documentation",
    responses((status = 200, description = "The OpenAPI document", body = Object, content_type = "application/json"))
)]
fn openapi_document() {}

/// The playground page for people: pick a provider, paste a response, read the record and
/// the trace; browse the catalog. Served without the bearer token; the page asks for it.
#[utoipa::path(
    get,
    path = "/",
    tag = "documentation",
    responses((status = 200, description = "The page", body = String, content_type = "text/html"))
)]
fn playground() {}

/// The responses every operation may give, added to each: 408 (the request took longer than
/// `--request-timeout`), and on the guarded ones 401 (no valid bearer token), on those that
/// need a mapping set 503 `not-ready`, plus the bearer security scheme.
struct CommonResponses;

impl Modify for CommonResponses {
    fn modify(&self, doc: &mut Document) {
        // Cargo.toml names no license: say none rather than an empty one.
        doc.info.license = None;
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "The token of `--auth-token-file`, when the server has one",
                    ))
                    .build(),
            ),
        );
        let error = |description: &str| {
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("ErrorBody")))
                        .build(),
                )
                .build()
        };
        for (path, item) in doc.paths.paths.iter_mut() {
            let needs_set = path.starts_with("/v1/") && path != "/v1/status";
            for op in operations(item) {
                let guarded = op.security.is_some();
                let responses = &mut op.responses.responses;
                if guarded {
                    responses.insert(
                        "401".into(),
                        RefOr::T(error(
                            "No valid bearer token (`unauthorized`), when the server has one",
                        )),
                    );
                }
                if needs_set {
                    responses.insert(
                        "503".into(),
                        RefOr::T(error("No valid mapping set is loaded yet (`not-ready`)")),
                    );
                }
                responses.insert(
                    "408".into(),
                    RefOr::T(
                        ResponseBuilder::new()
                            .description(
                                "The request (body included) took longer than `--request-timeout`; no body",
                            )
                            .build(),
                    ),
                );
            }
        }
    }
}

fn operations(item: &mut PathItem) -> impl Iterator<Item = &mut utoipa::openapi::path::Operation> {
    [&mut item.get, &mut item.post]
        .into_iter()
        .filter_map(Option::as_mut)
}

// ---- wire shapes ------------------------------------------------------------------------

/// A schema of no single Rust type: `types` (any value when empty), described.
fn schema(types: &[Type], description: &str) -> ObjectBuilder {
    let kind = match types {
        [] => SchemaType::AnyValue,
        [one] => SchemaType::Type(one.clone()),
        many => SchemaType::from_iter(many.iter().cloned()),
    };
    ObjectBuilder::new()
        .schema_type(kind)
        .description(Some(description))
}

/// An `id`: any JSON scalar, echoed as written.
fn any_scalar() -> Object {
    schema(
        &[Type::String, Type::Number, Type::Boolean, Type::Null],
        "Any JSON scalar, echoed exactly as written (numbers too)",
    )
    .build()
}

/// A raw provider response: an object, or an array for the providers that answer lists.
fn any_response() -> Object {
    schema(
        &[Type::Object, Type::Array],
        "The provider's raw response as it arrived: a JSON object, or an array",
    )
    .build()
}

/// The raw texts read: field → text, a list field's texts as an array.
fn raw_fields() -> Object {
    let text = ObjectBuilder::new().schema_type(Type::String).build();
    let texts = ArrayBuilder::new().items(text.clone()).build();
    let one = OneOfBuilder::new().item(text).item(texts).build();
    schema(
        &[Type::Object],
        "The raw text each field read, by field name; a list field's texts as an array",
    )
    .additional_properties(Some(AdditionalProperties::RefOr(RefOr::T(Schema::OneOf(
        one,
    )))))
    .build()
}

/// Anything (the diagnostics of a failed reload).
fn any_json() -> Object {
    schema(
        &[],
        "The diagnostics of a failed load, as `paynorm check --format json`",
    )
    .build()
}

/// `{"error": {"kind", "message"}}`.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct ErrorBody {
    error: ErrorDetail,
}

/// What went wrong.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct ErrorDetail {
    /// Stable kebab-case kind: the batch error kinds (`invalid-json`, `unknown-provider`,
    /// `missing-response`, `unknown-key`, ...), `invalid-query`, `unauthorized`,
    /// `body-too-large`, `too-many-items`, `unsupported-media-type`, `not-ready`.
    #[schema(example = "unknown-provider")]
    kind: String,
    /// For people.
    message: String,
}

/// One item: a batch line's shape.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct NormalizeRequest {
    /// Echoed in the record.
    #[schema(schema_with = any_scalar)]
    id: Option<serde_json::Value>,
    /// A provider id of `GET /v1/providers`.
    #[schema(example = "stripe")]
    provider: String,
    #[schema(schema_with = any_response)]
    response: serde_json::Value,
    context: Option<Context>,
}

/// Per-call facts that change the action, never the code.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct Context {
    /// Who started the payment.
    initiator: Option<Initiator>,
    /// The card network, lowercase (`visa`, `mastercard`, ...).
    #[schema(example = "visa")]
    network: Option<String>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
enum Initiator {
    Customer,
    Merchant,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
enum Category {
    Success,
    Amount,
    Account,
    Risk,
    Parameter,
    General,
    Unknown,
    Uncategorized,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
enum Outcome {
    Approved,
    Declined,
    Error,
    Pending,
    Unknown,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
enum DeclineType {
    Hard,
    Soft,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
enum Action {
    None,
    RetryLater,
    DoNotRetry,
    UpdatePaymentData,
    Authenticate,
    UseAnotherMethod,
    FixRequest,
}

/// The record of one normalized response (README, *Output record*).
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct Record {
    /// The item's `id`, when it had one.
    #[schema(schema_with = any_scalar)]
    id: Option<serde_json::Value>,
    /// The canonical code.
    #[schema(example = 100100)]
    code: u32,
    category: Category,
    /// The catalog text in the request's language.
    #[schema(example = "Insufficient balance")]
    message: String,
    /// A text safe to show the shopper.
    customer_message: String,
    outcome: Outcome,
    /// `null` unless the outcome is `declined` or `error`.
    #[schema(required = true)]
    decline_type: Option<DeclineType>,
    action: Action,
    /// When to retry, if the network said so.
    #[schema(required = true)]
    retry_after_seconds: Option<u64>,
    provider: String,
    /// The entry that decided; `null` when the provider's fallback did.
    #[schema(required = true, example = "stripe/decline_code/insufficient_funds")]
    rule: Option<String>,
    /// The field that delegated to `rule`.
    #[schema(required = true)]
    via: Option<String>,
    #[schema(schema_with = raw_fields)]
    raw: serde_json::Value,
}

/// `POST /v1/normalize`'s answer: the record, and the decision's id and revision.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct NormalizedRecord {
    #[schema(schema_with = any_scalar)]
    id: Option<serde_json::Value>,
    #[schema(example = 100100)]
    code: u32,
    category: Category,
    #[schema(example = "Insufficient balance")]
    message: String,
    customer_message: String,
    outcome: Outcome,
    #[schema(required = true)]
    decline_type: Option<DeclineType>,
    action: Action,
    #[schema(required = true)]
    retry_after_seconds: Option<u64>,
    provider: String,
    #[schema(required = true)]
    rule: Option<String>,
    #[schema(required = true)]
    via: Option<String>,
    #[schema(schema_with = raw_fields)]
    raw: serde_json::Value,
    /// Unique per decision of this process.
    decision_id: String,
    /// The mapping revision that decided (as `GET /v1/status` and the `ETag`s).
    mapping_revision: String,
    /// With `?explain=true`: the record and the trace.
    explain: Option<Explained>,
}

/// One result of a JSON batch: the record, or the error in place of a bad item.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
enum BatchResult {
    Record(Record),
    Error(BatchItemError),
}

/// A bad item of a JSON batch.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct BatchItemError {
    /// Its position in the request, from 0.
    index: u64,
    /// Its `id`, when it is a scalar.
    #[schema(schema_with = any_scalar)]
    id: Option<serde_json::Value>,
    error: ErrorDetail,
}

/// The record and the trace, as `paynorm explain --format json`.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct Explained {
    record: Record,
    trace: Trace,
}

/// How the engine got to the record.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct Trace {
    provider: String,
    /// Each field read, in field order.
    fields: Vec<FieldRead>,
    /// Each step tried, in order.
    steps: Vec<TraceStep>,
    /// The decision, in words.
    conclusion: String,
    decision: DecisionTrace,
}

/// How one field was read.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct FieldRead {
    field: String,
    /// The pointer that gave the value (`null`: no path gave a scalar).
    #[schema(required = true)]
    pointer: Option<String>,
    /// Text read, before normalization.
    #[schema(required = true)]
    raw: Option<String>,
    /// After normalization.
    #[schema(required = true)]
    value: Option<String>,
    /// Why there is no value, when a path held something that is not a usable scalar.
    #[schema(required = true)]
    note: Option<String>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
enum StepKind {
    Rule,
    Table,
    Delegation,
    Message,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
enum StepOutcome {
    Decided,
    PassedOver,
    Matched,
    NoMatch,
    NoValue,
}

/// One step the engine tried.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct TraceStep {
    kind: StepKind,
    /// The rule id, or the `provider/field` looked in.
    target: String,
    /// The (normalized) value looked up.
    #[schema(required = true)]
    value: Option<String>,
    outcome: StepOutcome,
    /// The entry that matched.
    #[schema(required = true)]
    entry: Option<String>,
    /// Whether that entry is generic.
    generic: bool,
    /// The entry's code.
    #[schema(required = true)]
    code: Option<u32>,
    /// The provider's description of the matched entry, or why nothing matched.
    why: String,
}

/// Where the decision came from.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct DecisionTrace {
    outcome: Outcome,
    #[schema(required = true)]
    decline_type: Option<DeclineType>,
    /// The layer that decided the decline type.
    decline_type_source: String,
    action: Action,
    /// The layer that decided the action.
    action_source: String,
    #[schema(required = true)]
    retry_after_seconds: Option<u64>,
    /// Set when the call's context changed the action.
    #[schema(required = true)]
    context_adjustment: Option<String>,
}

/// One catalog code.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct CatalogEntry {
    #[schema(example = 100100)]
    code: u32,
    category: Category,
    /// The default outcome of the code.
    outcome: Outcome,
    messages: Messages,
}

/// A catalog text in English and Chinese.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct Messages {
    #[schema(example = "Insufficient balance")]
    en: String,
    #[schema(example = "余额不足")]
    zh: String,
}

/// A loaded provider.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct ProviderInfo {
    #[schema(example = "stripe")]
    id: String,
    name: String,
    /// Table entries plus rules.
    entries: u64,
    sources: Vec<String>,
    edition: String,
    /// The mapping file it was loaded from.
    file: String,
}

/// `GET /v1/status`.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct Status {
    /// Whether a valid mapping set is active.
    ready: bool,
    /// The active mapping revision.
    #[schema(required = true)]
    revision: Option<String>,
    /// When it was loaded, in seconds since the Unix epoch.
    #[schema(required = true)]
    loaded_at: Option<u64>,
    last_reload: ReloadResult,
    /// The paynorm version.
    version: String,
}

/// What the last load or reload gave.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct ReloadResult {
    ok: bool,
    /// When, in seconds since the Unix epoch.
    at: u64,
    #[schema(required = true)]
    revision: Option<String>,
    #[schema(schema_with = any_json)]
    diagnostics: serde_json::Value,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn document() -> Value {
        serde_json::from_str(&DOCUMENT).unwrap()
    }

    /// The property names of a component schema (and whether extras are refused).
    fn properties(name: &str) -> Vec<String> {
        let doc = document();
        let schema = &doc["components"]["schemas"][name];
        assert_eq!(
            schema["additionalProperties"],
            json!(false),
            "{name} is closed"
        );
        let mut keys: Vec<String> = schema["properties"]
            .as_object()
            .unwrap_or_else(|| panic!("{name} has properties"))
            .keys()
            .cloned()
            .collect();
        keys.sort();
        keys
    }

    fn keys(value: &Value) -> Vec<String> {
        let mut keys: Vec<String> = value.as_object().unwrap().keys().cloned().collect();
        keys.sort();
        keys
    }

    fn enum_words(name: &str) -> Vec<String> {
        let doc = document();
        doc["components"]["schemas"][name]["enum"]
            .as_array()
            .unwrap_or_else(|| panic!("{name} is an enum"))
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    }

    /// The shapes have the keys the library writes: a record, an explanation, a catalog
    /// entry and a provider, serialized by the library itself.
    #[test]
    fn the_shapes_have_the_librarys_keys() {
        let engine = paynorm::Engine::builtin().unwrap();
        let response =
            json!({"error": {"code": "card_declined", "decline_code": "insufficient_funds"}});
        let explained = engine
            .explain("stripe", &response, &paynorm::Context::default())
            .unwrap();
        let explained = serde_json::to_value(explained.with_record(paynorm::Lang::En)).unwrap();
        let mut record = keys(&explained["record"]);
        record.push("id".into());
        record.sort();
        assert_eq!(properties("Record"), record);
        assert_eq!(properties("Explained"), keys(&explained));
        assert_eq!(properties("Trace"), keys(&explained["trace"]));
        assert_eq!(
            properties("DecisionTrace"),
            keys(&explained["trace"]["decision"])
        );
        assert_eq!(
            properties("FieldRead"),
            keys(&explained["trace"]["fields"][0])
        );
        assert_eq!(
            properties("TraceStep"),
            keys(&explained["trace"]["steps"][0])
        );
        let mut normalized = record.clone();
        normalized.extend(["decision_id", "mapping_revision", "explain"].map(String::from));
        normalized.sort();
        assert_eq!(properties("NormalizedRecord"), normalized);
        let info = serde_json::to_value(&engine.providers()[0]).unwrap();
        assert_eq!(properties("ProviderInfo"), keys(&info));
        assert_eq!(
            properties("Context"),
            keys(&serde_json::to_value(paynorm::Context::default()).unwrap())
        );
    }

    /// Every word of the enums is one the library reads and writes.
    #[test]
    fn the_enums_have_the_librarys_words() {
        fn all_parse<T: serde::de::DeserializeOwned>(words: &[String]) {
            for w in words {
                serde_json::from_value::<T>(json!(w)).unwrap_or_else(|e| panic!("{w}: {e}"));
            }
        }
        all_parse::<paynorm::vocab::Outcome>(&enum_words("Outcome"));
        all_parse::<paynorm::Action>(&enum_words("Action"));
        all_parse::<paynorm::DeclineType>(&enum_words("DeclineType"));
        all_parse::<paynorm::Initiator>(&enum_words("Initiator"));
        all_parse::<paynorm::catalog::Category>(&enum_words("Category"));
        // And every category and default outcome of the catalog is in the document.
        let categories = enum_words("Category");
        let outcomes = enum_words("Outcome");
        for e in paynorm::catalog::entries() {
            assert!(categories.contains(&e.category.as_str().to_string()));
            assert!(outcomes.contains(&e.outcome().as_str().to_string()));
        }
        assert_eq!(enum_words("Action").len(), 7);
        assert_eq!(enum_words("Outcome").len(), 5);
    }

    /// The document's `lang` pattern is the one the server applies.
    #[test]
    fn the_lang_pattern_is_the_servers() {
        let doc = document();
        let params = doc["paths"]["/v1/normalize"]["post"]["parameters"]
            .as_array()
            .unwrap();
        let lang = params.iter().find(|p| p["name"] == "lang").unwrap();
        assert_eq!(lang["schema"]["pattern"], super::super::query::LANG_PATTERN);
    }

    /// Every guarded operation names the bearer scheme and documents 401; the open ones
    /// (health, this document, the page) do not.
    #[test]
    fn security_is_stated_per_operation() {
        let doc = document();
        assert_eq!(
            doc["components"]["securitySchemes"]["bearer"]["scheme"],
            "bearer"
        );
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                let open = path.starts_with("/health") || path == "/openapi.json" || path == "/";
                assert_eq!(op.get("security").is_none(), open, "{method} {path}");
                assert_eq!(
                    op["responses"].get("401").is_none(),
                    open,
                    "{method} {path}"
                );
                assert!(op["responses"].get("408").is_some(), "{method} {path}");
            }
        }
    }
}
