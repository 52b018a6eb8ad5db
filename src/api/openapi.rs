//! The OpenAPI document, generated from the handlers' annotations, and a static HTML rendering
//! of it (`/docs`) that needs no CDN or script.

use std::fmt::Write as _;
use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use utoipa::OpenApi;

use super::config::ServeConfig;
use super::{dto, error, routes};

/// The API's OpenAPI description.
#[derive(OpenApi)]
#[openapi(
    info(title = "boussole", description = "Career-orientation recommender over ESCO and ROME: search occupations by free text or profile."),
    paths(
        routes::search,
        super::batch::search_batch,
        routes::match_profile,
        routes::occupation,
        routes::search_skills,
        routes::interests,
        routes::facets,
        routes::healthz,
        routes::readyz,
        metrics_doc,
    ),
    components(schemas(super::batch::BatchRequest, super::batch::BatchQuery, super::batch::BatchResponse, super::batch::BatchItem, error::ErrorBody, dto::RiasecScores)),
    tags(
        (name = "search", description = "Rank occupations"),
        (name = "occupations", description = "Occupation details"),
        (name = "profile", description = "Building blocks of a profile"),
        (name = "ops", description = "Health and monitoring"),
    )
)]
pub struct ApiDoc;

/// Prometheus metrics: requests by route and status, latency, index size.
#[utoipa::path(get, path = "/metrics", tag = "ops", responses((status = 200, description = "Prometheus text exposition", content_type = "text/plain")))]
#[allow(dead_code)] // Documents `metrics::metrics_handler`, whose state type utoipa cannot see through.
fn metrics_doc() {}

/// Characters `str::trim` and `str::split_whitespace` take for whitespace (Unicode
/// White_Space, `char::is_whitespace`), as inclusive ranges. The patterns below spell them out
/// because `\s` differs between regex dialects: ECMA-262 (JSON Schema's) has U+FEFF but not
/// U+0085, Python adds U+001C–U+001F, and neither is what the server trims.
const WHITESPACE: [(char, char); 10] = [
    ('\u{9}', '\u{D}'),
    (' ', ' '),
    ('\u{85}', '\u{85}'),
    ('\u{A0}', '\u{A0}'),
    ('\u{1680}', '\u{1680}'),
    ('\u{2000}', '\u{200A}'),
    ('\u{2028}', '\u{2029}'),
    ('\u{202F}', '\u{202F}'),
    ('\u{205F}', '\u{205F}'),
    ('\u{3000}', '\u{3000}'),
];

/// Regex fragments over [`WHITESPACE`], written so that ECMA-262, Python and Rust read them
/// alike (`\uXXXX` escapes, `[\s\S]` for any character).
struct Patterns {
    /// The body of a character class of whitespace.
    ws: String,
}

impl Patterns {
    fn new() -> Patterns {
        let mut ws = String::new();
        for (lo, hi) in WHITESPACE {
            let _ = write!(ws, "\\u{:04X}", u32::from(lo));
            if hi != lo {
                let _ = write!(ws, "-\\u{:04X}", u32::from(hi));
            }
        }
        Patterns { ws }
    }

    /// Only whitespace, or nothing.
    fn blank(&self) -> String {
        format!("^[{}]*$", self.ws)
    }

    /// At most `n` characters once surrounding whitespace is trimmed (blank included).
    fn trimmed_at_most(&self, n: usize) -> String {
        let ws = &self.ws;
        let inner = match n {
            0 => return self.blank(),
            1 => format!("[^{ws}]"),
            n => format!("[^{ws}](?:[\\s\\S]{{0,{}}}[^{ws}])?", n - 2),
        };
        format!("^[{ws}]*(?:{inner})?[{ws}]*$")
    }

    /// At most `n` whitespace-separated words.
    fn at_most_words(&self, n: usize) -> String {
        let ws = &self.ws;
        format!("^[{ws}]*(?:[^{ws}]+(?:[{ws}]+|$)){{0,{n}}}$")
    }
}

/// The first `description` found in a schema (utoipa puts it on a `oneOf` branch sometimes).
fn find_description(v: &Value) -> Option<String> {
    match v {
        Value::Object(map) => map
            .get("description")
            .and_then(Value::as_str)
            .map(str::to_string)
            .or_else(|| map.values().find_map(find_description)),
        Value::Array(items) => items.iter().find_map(find_description),
        _ => None,
    }
}

/// The rule of a `POST /v1/match` body that no client generator reads from a schema, in words;
/// the server answers 400 `empty_query` with the message quoted here.
const MATCH_RULE: &str = "At least one of `text`, `skills`, `interests` or `riasec` must say something: a `text` with a character other than whitespace, an item of `skills` or `interests` with one, or a `riasec` object (which needs a score above 0). Otherwise 400 `empty_query`, with the message \"give at least one of `text`, `skills`, `interests` or `riasec`; blank texts and items do not count\".";

/// States in the document what the derive macros cannot: exactly the inputs the handlers
/// accept, so that a request valid per the spec is answered 2xx and an invalid one 4xx, and
/// every answer each operation may give. `schemathesis` checks both (`scripts/contract.sh`).
///
/// - `q` needs a character other than whitespace, and has at most `max-query-chars`
///   characters once trimmed (`/v1/search` also counts tokens, which no schema can);
/// - `lang`, `taxonomy` are exactly one of their values; an empty `lang=`/`taxonomy=` (or
///   `limit=`) in a query string means the default, so `""` is part of their enums;
/// - `POST /v1/match` needs at least one of: a `text` with a non-space character, a skill or
///   an interest with one, a `riasec` object (scores in [0, 1], one above 0): said in words
///   ([`MATCH_RULE`]), as client generators cannot read it from a schema; its optional fields
///   may be `null` (= absent), and `lang`/`taxonomy` blank (= absent); lists hold at most
///   `MAX_PROFILE_ITEMS` items of at most `MAX_ITEM_CHARS` characters and `MAX_ITEM_WORDS` words;
/// - query parameters other than `q` are optional (a generated client may leave them out);
/// - every operation may answer 405 (with `Allow`), 414 and 431; every `/v1` one 408 and 413
///   (bodies are read on every `/v1` route), 500, 503 (with `Retry-After`) and 504; every
///   answer carries `x-request-id`.
fn tighten(doc: &mut Value, config: &ServeConfig) {
    use crate::search::{MAX_ITEM_CHARS, MAX_ITEM_WORDS, MAX_PROFILE_ITEMS};
    use serde_json::json;
    let p = Patterns::new();
    let (max_chars, max_tokens, max_results) = (config.max_query_chars, config.max_query_tokens, config.max_results);
    // The facet ids filters may name (contexts and levels of the compiled-in table); an empty
    // item means nothing, as an empty `max_level=` means none.
    let table = crate::catalog::FacetTable::builtin();
    let facet_ids: Vec<&str> = table
        .facets
        .iter()
        .filter(|f| matches!(f.kind, crate::catalog::FacetKind::Context | crate::catalog::FacetKind::Level))
        .map(|f| f.id.as_str())
        .chain([""])
        .collect();
    let levels: Vec<&str> = crate::catalog::EducationLevel::ALL.iter().map(|l| l.as_str()).collect();
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else { return };
    for (path, item) in paths.iter_mut() {
        let v1 = path.starts_with("/v1/");
        let Some(ops) = item.as_object_mut() else { continue };
        for (method, op) in ops.iter_mut() {
            let params = op.get_mut("parameters").and_then(Value::as_array_mut);
            for param in params.into_iter().flatten() {
                let name = param["name"].as_str().unwrap_or_default().to_string();
                let place = param["in"].as_str().unwrap_or_default().to_string();
                let (schema, description) = match (place.as_str(), name.as_str()) {
                    ("query", "q") => {
                        let tokens = if path == "/v1/search" {
                            format!(", and at most {max_tokens} tokens of the model's tokenizer (400 `too_many_tokens` beyond)")
                        } else {
                            String::new()
                        };
                        // `\S` says it for readers; `not` says exactly which characters are
                        // whitespace (`\S` reads U+0085 as text in ECMA-262). A text made only
                        // of whitespace and U+FEFF is the one thing ECMA's `\S` refuses and
                        // the server takes (as text).
                        (
                            json!({
                                "type": "string",
                                "minLength": 1,
                                "pattern": "\\S",
                                "not": {"pattern": p.blank()},
                                "allOf": [{"pattern": p.trimmed_at_most(max_chars)}],
                            }),
                            format!(
                                "{}: a character other than whitespace, at most {max_chars} characters once surrounding whitespace is trimmed{tokens}.",
                                if path == "/v1/search" { "What the person typed" } else { "Typed text (prefix or words of a skill label)" }
                            ),
                        )
                    }
                    ("query", "lang") => (
                        json!({"type": "string", "enum": ["fr", "en", ""]}),
                        "Display language: `fr` (the default) or `en`; empty means the default.".to_string(),
                    ),
                    ("query", "taxonomy") => (
                        json!({"type": "string", "enum": ["rome", "esco", ""]}),
                        "Restrict to one taxonomy, `rome` or `esco`; absent or empty: both.".to_string(),
                    ),
                    ("path", "taxonomy") => (
                        json!({"type": "string", "enum": ["rome", "esco"]}),
                        "`rome` or `esco`".to_string(),
                    ),
                    ("query", "group") => (
                        json!({"type": "string", "enum": ["occupation", "metier", ""]}),
                        "`occupation` (the default; absent or empty too): one result per occupation of either taxonomy; `metier`: one result per métier, a ROME fiche (`lang=fr`) or an ESCO occupation (`lang=en`) with the other taxonomy's exact/close crosswalk matches as `equivalents` (broad/narrow matches stay separate results).".to_string(),
                    ),
                    ("query", "skill") => (
                        json!({"type": "array", "maxItems": MAX_PROFILE_ITEMS, "items": {
                            "type": "string",
                            "maxLength": MAX_ITEM_CHARS,
                            "pattern": p.at_most_words(MAX_ITEM_WORDS),
                        }}),
                        format!("A skill of the person's profile, repeated once per skill (`skill=a&skill=b`), as suggested by `/v1/skills/search`: at most {MAX_PROFILE_ITEMS}, each at most {MAX_ITEM_CHARS} characters and {MAX_ITEM_WORDS} words (400 `invalid_parameter` beyond). With a non-blank `skill` or `text`, the answer carries `skills_covered` and `skills_to_learn`."),
                    ),
                    ("query", "text") => (
                        json!({"type": "string", "pattern": p.trimmed_at_most(max_chars)}),
                        format!("Free text of the person's profile (skills named in it count as the profile's): at most {max_chars} characters once trimmed (400 `query_too_long` beyond)."),
                    ),
                    ("query", "require" | "exclude") => {
                        // Repeated (`require=a&require=b`) as the spec says; commas work too.
                        param["style"] = json!("form");
                        param["explode"] = json!(true);
                        (
                            json!({"type": "array", "items": {"type": "string", "enum": facet_ids}}),
                            format!(
                                "Facets every result must have (`require`) or none may have (`exclude`): ids of `GET /v1/facets`, repeated or comma-separated (400 `invalid_parameter` naming an unknown one; an empty item means nothing).{}",
                                if name == "require" { " Example: `ctx-300783` (outdoors)." } else { " Example: `ctx-23376` (weekends)." }
                            ),
                        )
                    }
                    ("query", "max_level") => {
                        let mut values = levels.clone();
                        values.push("");
                        (
                            json!({"type": "string", "enum": values}),
                            "Highest entry level of a result; absent or empty: none. Occupations whose level is unknown are kept.".to_string(),
                        )
                    }
                    ("query", "offset") => (
                        json!({"anyOf": [
                            {"type": "integer", "minimum": 0, "maximum": max_results.saturating_sub(1)},
                            {"type": "string", "enum": [""]},
                        ]}),
                        format!(
                            "Results to skip, for paging, 0 to {} (0 when absent or empty); pages cover the {max_results} best, so the last one may be shorter than `limit`.",
                            max_results.saturating_sub(1)
                        ),
                    ),
                    ("query", "limit") => (
                        json!({"anyOf": [
                            {"type": "integer", "minimum": 1, "maximum": max_results},
                            {"type": "string", "enum": [""]},
                        ]}),
                        format!("Number of results, 1 to {max_results} (10 when absent or empty)."),
                    ),
                    _ => continue,
                };
                param["schema"] = schema;
                param["description"] = json!(description);
                if place == "query" {
                    // Optional unless it is `q`: a generated client must be able to leave out
                    // `skill`, `limit`... (utoipa makes a field that is not an `Option` required).
                    param["required"] = json!(name == "q");
                }
            }

            let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else { continue };
            let error = |what: &str| json!({"description": what, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}});
            let mut add = |status: &str, what: &str| {
                responses.entry(status.to_string()).or_insert_with(|| error(what));
            };
            add("405", "`method_not_allowed`");
            add("414", "`uri_too_long`");
            add("431", "`headers_too_large`");
            if v1 {
                add("408", "`request_timeout`: the body did not arrive in time");
                add("413", "`payload_too_large`");
                add("500", "`internal`: a bug; the cause is logged, not shown");
                add("503", "`overloaded`: too many requests in flight");
                add("504", "`timeout`: the request took too long");
            }
            if method == "post" {
                add("415", "`unsupported_media_type`");
                add("422", "`invalid_json`: a field has the wrong type (named)");
            }
            if v1 && method == "get" {
                if let Some(d) = responses.get_mut("405").and_then(|r| r.get_mut("description")) {
                    *d = json!("`method_not_allowed` (HEAD too: the answer is computed, use GET)");
                }
            }
            for (status, response) in responses.iter_mut() {
                let Some(response) = response.as_object_mut() else { continue };
                let headers = response.entry("headers").or_insert_with(|| json!({}));
                let Some(headers) = headers.as_object_mut() else { continue };
                headers.insert(
                    "x-request-id".into(),
                    json!({"description": "The caller's `x-request-id` when it is 1 to 64 letters, digits or `-_.:`, else a new one; also in the log line", "required": true,
                           "schema": {"type": "string", "pattern": "^[A-Za-z0-9._:-]{1,64}$"}}),
                );
                match status.as_str() {
                    "200" if v1 => {
                        headers.insert(
                            routes::INDEX_ID_HEADER.into(),
                            json!({"description": "Id of the index that answered (as `/readyz` reports it)", "required": true, "schema": {"type": "string"}}),
                        );
                    }
                    "405" => {
                        headers.insert("Allow".into(), json!({"description": "The methods the route takes", "required": true, "schema": {"type": "string"}}));
                    }
                    "503" => {
                        headers.insert("Retry-After".into(), json!({"description": "Seconds to wait", "required": true, "schema": {"type": "string", "pattern": "^[0-9]+$"}}));
                    }
                    _ => {}
                }
            }
        }
    }

    // A batch answers each item, valid or not, in its place (a bad item gets its own `error`,
    // the batch still 200): so any JSON value is an acceptable item, and `BatchQuery` says what
    // an item needs to get results.
    if let Some(items) = doc.pointer_mut("/components/schemas/BatchRequest/properties/queries/items") {
        *items = json!({
            "description": "A search: an object shaped as `BatchQuery`. Any other value, or an object with an invalid field, gets its own `error` in the answer without failing the batch."
        });
    }

    let described = |schema: Value, old: &Value, extra: &str| {
        let mut schema = schema;
        let description = format!("{}{extra}", find_description(old).unwrap_or_default());
        if !description.is_empty() {
            schema["description"] = json!(description);
        }
        schema
    };
    // Body fields: a profile's (`MatchRequest`) and the result options it shares with batch
    // items (`ResultOptions`, flattened into both).
    {
        let item = json!({
            "type": "string",
            "maxLength": MAX_ITEM_CHARS,
            "pattern": p.at_most_words(MAX_ITEM_WORDS),
            "description": format!("At most {MAX_ITEM_CHARS} characters and {MAX_ITEM_WORDS} words (400 `invalid_parameter` beyond)."),
        });
        let blank = json!({"type": "string", "pattern": p.blank()});
        let mut patch = |props: &mut serde_json::Map<String, Value>| {
            for (name, prop) in props.iter_mut() {
                let schema = match name.as_str() {
                    "text" => {
                        json!({"anyOf": [{"type": "string", "pattern": p.trimmed_at_most(max_chars)}, {"type": "null"}]})
                    }
                    "skills" | "interests" => {
                        json!({"type": ["array", "null"], "maxItems": MAX_PROFILE_ITEMS, "items": item})
                    }
                    "lang" => json!({"anyOf": [{"type": "string", "enum": ["fr", "en"]}, blank, {"type": "null"}]}),
                    "taxonomy" => {
                        json!({"anyOf": [{"type": "string", "enum": ["rome", "esco"]}, blank, {"type": "null"}]})
                    }
                    "limit" => {
                        json!({"anyOf": [{"type": "integer", "minimum": 1, "maximum": max_results}, {"type": "null"}]})
                    }
                    "offset" => json!({"anyOf": [
                        {"type": "integer", "minimum": 0, "maximum": max_results.saturating_sub(1)},
                        {"type": "null"},
                    ]}),
                    "group" => {
                        json!({"anyOf": [{"type": "string", "enum": ["occupation", "metier"]}, blank, {"type": "null"}]})
                    }
                    "riasec" => {
                        json!({"anyOf": [{"$ref": "#/components/schemas/RiasecScores"}, {"type": "null"}]})
                    }
                    "require" | "exclude" => {
                        json!({"type": ["array", "null"], "items": {"type": "string", "enum": facet_ids}})
                    }
                    "max_level" => json!({"anyOf": [{"type": "string", "enum": levels}, blank, {"type": "null"}]}),
                    _ => continue,
                };
                let extra = match name.as_str() {
                    "text" => format!(
                        " At most {max_chars} characters once trimmed and {max_tokens} tokens; blank or `null`: none."
                    ),
                    "skills" | "interests" => format!(" At most {MAX_PROFILE_ITEMS}; `null`: none."),
                    "lang" | "taxonomy" | "group" | "max_level" => " Blank or `null`: the default.".to_string(),
                    "require" | "exclude" => " Ids of `GET /v1/facets`; `null`: none.".to_string(),
                    "riasec" => " `null`: none; a letter `null`: 0. Every score 0 (`{}` included): 400 `invalid_parameter` (`riasec: every score is 0: at least one must be above 0`).".to_string(),
                    _ => " `null`: the default.".to_string(),
                };
                *prop = described(schema, prop, &extra);
            }
        };
        for name in ["ResultOptions", "MatchRequest"] {
            if let Some(schema) = doc.pointer_mut(&format!("/components/schemas/{name}")) {
                for_each_properties(schema, &mut patch);
            }
        }
    }
    // The one rule of the body a schema cannot say in a way client generators read (they give
    // up on an `anyOf` of `contains`/`pattern` branches, openapi-python-client drops the whole
    // operation): it is stated in words, and the server answers 400 `empty_query` naming it.
    let Some(body) = doc.pointer_mut("/components/schemas/MatchRequest").and_then(Value::as_object_mut) else { return };
    body.remove("required");
    let description = find_description(&Value::Object(body.clone())).unwrap_or_default();
    body.insert(
        "description".into(),
        json!(format!(
            "{description} {MATCH_RULE} Unknown fields are ignored; the whole body is at most {} bytes (413 `payload_too_large` beyond).",
            config.max_body_bytes
        )),
    );
}

/// Calls `f` on the `properties` of `schema` and of each of its `allOf` parts (a struct with
/// flattened fields is `allOf` them and its own).
fn for_each_properties(schema: &mut Value, f: &mut impl FnMut(&mut serde_json::Map<String, Value>)) {
    if let Some(props) = schema.get_mut("properties").and_then(Value::as_object_mut) {
        f(props);
    }
    for part in schema.get_mut("allOf").and_then(Value::as_array_mut).into_iter().flatten() {
        for_each_properties(part, f);
    }
}

/// The OpenAPI JSON and its HTML rendering, built once per router.
pub(crate) struct Docs {
    json: String,
    html: String,
}

impl Docs {
    /// Renders both documents for the default settings; the version is the crate's.
    #[cfg(test)]
    pub(crate) fn new() -> Docs {
        Docs::for_config(&ServeConfig::default())
    }

    /// Renders both documents, stating the limits `config` sets (query length, results, body).
    pub(crate) fn for_config(config: &ServeConfig) -> Docs {
        let mut doc = ApiDoc::openapi();
        doc.info.version = env!("CARGO_PKG_VERSION").to_string();
        let mut value = serde_json::to_value(&doc).unwrap_or(Value::Null);
        tighten(&mut value, config);
        let json = serde_json::to_string_pretty(&value).unwrap_or_else(|_| "{}".to_string());
        let html = render_html(&value);
        Docs { json, html }
    }
}

/// `GET /openapi.json`.
pub(crate) async fn openapi_json(State(docs): State<Arc<Docs>>) -> Response {
    ([(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], docs.json.clone()).into_response()
}

/// `GET /docs`.
pub(crate) async fn docs_html(State(docs): State<Arc<Docs>>) -> Response {
    ([(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"))], docs.html.clone()).into_response()
}

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// A plain HTML page listing every operation with its parameters and responses.
fn render_html(doc: &Value) -> String {
    let title = doc.pointer("/info/title").and_then(Value::as_str).unwrap_or("API");
    let description = doc.pointer("/info/description").and_then(Value::as_str).unwrap_or("");
    let version = doc.pointer("/info/version").and_then(Value::as_str).unwrap_or("");
    let mut out = String::new();
    let _ = write!(
        out,
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{t} API</title>\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <style>body{{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}}\
         code{{background:#f3f3f3;padding:0 .25em;border-radius:3px}}section{{border-top:1px solid #ddd;padding:.5rem 0}}\
         .m{{display:inline-block;min-width:3.5em;font-weight:bold;text-transform:uppercase}}\
         table{{border-collapse:collapse}}td,th{{text-align:left;padding:.1em .6em .1em 0;vertical-align:top}}</style></head>\
         <body><h1>{t} API <small>{v}</small></h1><p>{d}</p>\
         <p>Machine-readable description: <a href=\"/openapi.json\"><code>/openapi.json</code></a>. \
         Errors are always <code>{{\"error\": {{\"code\", \"message\"}}}}</code>.</p>",
        t = escape(title),
        v = escape(version),
        d = escape(description),
    );
    let empty = serde_json::Map::new();
    let paths = doc.get("paths").and_then(Value::as_object).unwrap_or(&empty);
    for (path, item) in paths {
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            let summary = op.get("summary").and_then(Value::as_str).unwrap_or("");
            let _ = write!(
                out,
                "<section><h2><span class=\"m\">{}</span> <code>{}</code></h2><p>{}</p>",
                method,
                escape(path),
                escape(summary)
            );
            if let Some(params) = op.get("parameters").and_then(Value::as_array).filter(|p| !p.is_empty()) {
                out.push_str(
                    "<h3>Parameters</h3><table><tr><th>name</th><th>in</th><th>required</th><th>description</th></tr>",
                );
                for p in params {
                    let field = |k: &str| p.get(k).and_then(Value::as_str).unwrap_or("");
                    let required = p.get("required").and_then(Value::as_bool).unwrap_or(false);
                    let _ = write!(
                        out,
                        "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
                        escape(field("name")),
                        escape(field("in")),
                        if required { "yes" } else { "no" },
                        escape(field("description"))
                    );
                }
                out.push_str("</table>");
            }
            if let Some(body) = op.pointer("/requestBody/content/application~1json/schema/$ref").and_then(Value::as_str)
            {
                let _ =
                    write!(out, "<p>Body: <code>{}</code> (JSON)</p>", escape(body.rsplit('/').next().unwrap_or(body)));
            }
            if let Some(responses) = op.get("responses").and_then(Value::as_object) {
                out.push_str("<h3>Responses</h3><table>");
                for (status, r) in responses {
                    let d = r.get("description").and_then(Value::as_str).unwrap_or("");
                    let _ = write!(out, "<tr><td><code>{}</code></td><td>{}</td></tr>", escape(status), escape(d));
                }
                out.push_str("</table>");
            }
            out.push_str("</section>");
        }
    }
    out.push_str("</body></html>");
    out
}

/// Minimal HTML escaping for text and attribute content.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_lists_every_route_and_renders() {
        let docs = Docs::new();
        let value: Value = serde_json::from_str(&docs.json).expect("valid JSON");
        for path in [
            "/v1/search",
            "/v1/match",
            "/v1/occupations/{taxonomy}/{code}",
            "/v1/skills/search",
            "/v1/interests",
            "/healthz",
            "/readyz",
            "/metrics",
        ] {
            assert!(value["paths"].get(path).is_some(), "missing {path}");
            assert!(docs.html.contains(&escape(path)), "html lacks {path}");
        }
        assert!(value["components"]["schemas"].get("SearchResponse").is_some());
        assert!(value["components"]["schemas"].get("ErrorBody").is_some());
        assert_eq!(escape("<a&\"b'>"), "&lt;a&amp;&quot;b&#39;&gt;");
    }

    #[test]
    fn whitespace_is_what_the_server_trims() {
        let listed = |c: char| WHITESPACE.iter().any(|&(lo, hi)| (lo..=hi).contains(&c));
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            assert_eq!(listed(c), c.is_whitespace(), "U+{:04X}", u32::from(c));
        }
        let p = Patterns::new();
        assert!(p.ws.starts_with("\\u0009-\\u000D\\u0020\\u0085"), "{}", p.ws);
        assert_eq!(p.trimmed_at_most(1), format!("^[{0}]*(?:[^{0}])?[{0}]*$", p.ws));
    }

    #[test]
    fn document_states_the_configured_limits() {
        let config = ServeConfig { max_query_chars: 80, max_results: 20, ..ServeConfig::default() };
        let value: Value = serde_json::from_str(&Docs::for_config(&config).json).expect("valid JSON");
        let params = value["paths"]["/v1/search"]["get"]["parameters"].as_array().expect("params");
        let param = |name: &str| params.iter().find(|p| p["name"] == name).expect(name).clone();
        assert!(param("q")["schema"]["allOf"][0]["pattern"].as_str().is_some_and(|p| p.contains("{0,78}")));
        assert_eq!(param("limit")["schema"]["anyOf"][0]["maximum"], 20);
        let occupation = &value["paths"]["/v1/occupations/{taxonomy}/{code}"]["get"];
        let taxonomy = occupation["parameters"]
            .as_array()
            .expect("params")
            .iter()
            .find(|p| p["in"] == "path" && p["name"] == "taxonomy")
            .expect("taxonomy")
            .clone();
        assert_eq!(taxonomy["schema"]["enum"], serde_json::json!(["rome", "esco"]), "no empty path segment");
        for status in ["400", "404", "405", "408", "413", "414", "431", "500", "503", "504"] {
            let r = &occupation["responses"][status];
            assert!(r.is_object(), "occupation lacks {status}");
            assert_eq!(r["headers"]["x-request-id"]["required"], true);
        }
        assert_eq!(occupation["responses"]["405"]["headers"]["Allow"]["required"], true);
        let schemas = &value["components"]["schemas"];
        let body = &schemas["MatchRequest"];
        for (schema, field) in [
            ("MatchRequest", "text"),
            ("ResultOptions", "lang"),
            ("ResultOptions", "taxonomy"),
            ("ResultOptions", "limit"),
            ("ResultOptions", "offset"),
        ] {
            let s = &schemas[schema];
            let own = s["properties"].get(field);
            let prop = own.or_else(|| s["allOf"].as_array()?.iter().find_map(|p| p["properties"].get(field)));
            let any = prop.and_then(|p| p["anyOf"].as_array()).expect(field);
            assert!(any.contains(&serde_json::json!({"type": "null"})), "{field} may be null");
        }
        let shared = |schema: &str| {
            schemas[schema]["allOf"]
                .as_array()
                .is_some_and(|parts| parts.iter().any(|p| p["$ref"] == "#/components/schemas/ResultOptions"))
        };
        assert!(shared("MatchRequest") && shared("BatchQuery"), "one description of the result options");
        assert!(body["description"].as_str().is_some_and(|d| d.contains("16384 bytes")), "{body}");
    }

    /// Every `anyOf`/`oneOf` branch of `v` (at any depth) that is neither typed nor a `$ref`,
    /// and every use of `contains`, as JSON pointers.
    fn untyped_branches(v: &Value, at: &str, out: &mut Vec<String>) {
        match v {
            Value::Object(map) => {
                for (key, child) in map {
                    let here = format!("{at}/{key}");
                    if key == "contains" {
                        out.push(here.clone());
                    }
                    if key == "anyOf" || key == "oneOf" {
                        for (i, branch) in child.as_array().into_iter().flatten().enumerate() {
                            if branch.get("type").is_none() && branch.get("$ref").is_none() {
                                out.push(format!("{here}/{i}"));
                            }
                        }
                    }
                    untyped_branches(child, &here, out);
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    untyped_branches(item, &format!("{at}/{i}"), out);
                }
            }
            _ => {}
        }
    }

    /// What client generators (openapi-python-client, openapi-typescript) need, checked
    /// end to end by `scripts/clients.sh`: unions of typed schemas only, no `contains`, and
    /// optional parameters optional; rules they cannot read are stated in descriptions.
    #[test]
    fn document_is_generator_friendly() {
        let value: Value = serde_json::from_str(&Docs::new().json).expect("valid JSON");
        let mut found = Vec::new();
        untyped_branches(&value, "", &mut found);
        assert!(found.is_empty(), "untyped union branches or `contains`: {found:?}");
        for (path, item) in value["paths"].as_object().expect("paths") {
            for (method, op) in item.as_object().expect("operations") {
                for param in op["parameters"].as_array().into_iter().flatten() {
                    let required = param["required"].as_bool().unwrap_or(false);
                    let expected = param["in"] == "path" || param["name"] == "q";
                    assert_eq!(required, expected, "{method} {path}: {}", param["name"]);
                }
            }
        }
        let body = &value["components"]["schemas"]["MatchRequest"];
        assert!(body.get("anyOf").is_none() && body.get("required").is_none(), "{body}");
        assert!(body["description"].as_str().is_some_and(|d| d.contains(MATCH_RULE)), "{body}");
    }
}
