//! The OpenAPI document, generated from the handlers' annotations, and a static HTML rendering
//! of it (`/docs`) that needs no CDN or script.

use std::fmt::Write as _;
use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use utoipa::OpenApi;

use super::{dto, error, routes};

/// The API's OpenAPI description.
#[derive(OpenApi)]
#[openapi(
    info(title = "boussole", description = "Career-orientation recommender over ESCO and ROME: search occupations by free text or profile."),
    paths(
        routes::search,
        routes::match_profile,
        routes::occupation,
        routes::search_skills,
        routes::interests,
        routes::healthz,
        routes::readyz,
        metrics_doc,
    ),
    components(schemas(error::ErrorBody, dto::LangSchema, dto::TaxonomySchema, dto::SkillKindSchema)),
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

/// States in the document what the derive macros cannot: the exact inputs the handlers
/// accept, so that a request valid per the spec is answered 2xx and an invalid one 4xx.
///
/// - `q` needs a non-space character (blank text is `empty_query`);
/// - an empty `lang=`/`taxonomy=` means the default, so `""` is part of their enums;
/// - `POST /v1/match` needs at least one of: a `text` with a non-space character, a skill or
///   an interest with one; its optional fields may be `null` (= absent); lists hold at most
///   `MAX_PROFILE_ITEMS` items of at most `MAX_ITEM_CHARS` characters.
fn tighten(doc: &mut Value) {
    use crate::search::{MAX_ITEM_CHARS, MAX_ITEM_WORDS, MAX_PROFILE_ITEMS};
    use serde_json::json;
    let non_blank = json!("\\S");
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for item in paths.values_mut() {
            let Some(params) = item.pointer_mut("/get/parameters").and_then(Value::as_array_mut) else { continue };
            for p in params.iter_mut() {
                let name = p.get("name").and_then(Value::as_str).unwrap_or_default().to_string();
                let Some(schema) = p.get_mut("schema").and_then(Value::as_object_mut) else { continue };
                match name.as_str() {
                    "q" => {
                        schema.insert("minLength".into(), json!(1));
                        schema.insert("pattern".into(), non_blank.clone());
                    }
                    "lang" | "taxonomy" => {
                        // `$ref`ed enums: inline them with the empty value added.
                        let values = if name == "lang" { json!(["fr", "en", ""]) } else { json!(["rome", "esco", ""]) };
                        schema.clear();
                        schema.insert("type".into(), json!("string"));
                        schema.insert("enum".into(), values);
                    }
                    _ => {}
                }
            }
        }
    }
    // Answers every `/v1` operation may give besides its own (connection-level limits).
    let error = |what: &str| json!({"description": what, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}});
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for (_, item) in paths.iter_mut().filter(|(p, _)| p.starts_with("/v1")) {
            let Some(ops) = item.as_object_mut() else { continue };
            for (method, op) in ops.iter_mut() {
                let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else { continue };
                let mut add = |status: &str, what: &str| {
                    responses.entry(status.to_string()).or_insert_with(|| error(what));
                };
                add("405", "`method_not_allowed` (HEAD is 405 too: the search is not run to answer it)");
                if method == "post" {
                    add("408", "`request_timeout`: the body did not arrive in time");
                    add("413", "`payload_too_large`");
                    add("415", "`unsupported_media_type`");
                }
                add("414", "`uri_too_long`");
                add("431", "`headers_too_large`");
            }
        }
    }
    let Some(body) = doc.pointer_mut("/components/schemas/MatchRequest").and_then(Value::as_object_mut) else { return };
    let item = json!({"type": "string", "maxLength": MAX_ITEM_CHARS, "description": format!("at most {MAX_ITEM_WORDS} words")});
    if let Some(props) = body.get_mut("properties").and_then(Value::as_object_mut) {
        for list in ["skills", "interests"] {
            props.insert(list.into(), json!({"type": ["array", "null"], "maxItems": MAX_PROFILE_ITEMS, "items": item}));
        }
        for (name, prop) in props.iter_mut() {
            if name == "skills" || name == "interests" {
                continue;
            }
            // Optional fields may be null: wrap whatever schema the derive wrote.
            let inner = prop.take();
            *prop = json!({"oneOf": [inner, {"type": "null"}]});
        }
    }
    body.remove("required");
    let has = |list: &str| json!({"required": [list], "properties": {list: {"type": "array", "contains": {"type": "string", "pattern": "\\S"}}}});
    body.insert(
        "anyOf".into(),
        json!([
            {"required": ["text"], "properties": {"text": {"type": "string", "pattern": "\\S"}}},
            has("skills"),
            has("interests"),
        ]),
    );
}

/// The OpenAPI JSON and its HTML rendering, built once per router.
pub(crate) struct Docs {
    json: String,
    html: String,
}

impl Docs {
    /// Renders both documents; the version is the crate's.
    pub(crate) fn new() -> Docs {
        let mut doc = ApiDoc::openapi();
        doc.info.version = env!("CARGO_PKG_VERSION").to_string();
        let mut value = serde_json::to_value(&doc).unwrap_or(Value::Null);
        tighten(&mut value);
        let json = serde_json::to_string_pretty(&value).unwrap_or_else(|_| "{}".to_string());
        let html = render_html(&value);
        Docs { json, html }
    }
}

/// `GET /openapi.json`.
pub(crate) async fn openapi_json(State(docs): State<Arc<Docs>>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        docs.json.clone(),
    )
        .into_response()
}

/// `GET /docs`.
pub(crate) async fn docs_html(State(docs): State<Arc<Docs>>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        )],
        docs.html.clone(),
    )
        .into_response()
}

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// A plain HTML page listing every operation with its parameters and responses.
fn render_html(doc: &Value) -> String {
    let title = doc
        .pointer("/info/title")
        .and_then(Value::as_str)
        .unwrap_or("API");
    let description = doc
        .pointer("/info/description")
        .and_then(Value::as_str)
        .unwrap_or("");
    let version = doc
        .pointer("/info/version")
        .and_then(Value::as_str)
        .unwrap_or("");
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
    let paths = doc
        .get("paths")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
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
            if let Some(params) = op
                .get("parameters")
                .and_then(Value::as_array)
                .filter(|p| !p.is_empty())
            {
                out.push_str("<h3>Parameters</h3><table><tr><th>name</th><th>in</th><th>required</th><th>description</th></tr>");
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
            if let Some(body) = op
                .pointer("/requestBody/content/application~1json/schema/$ref")
                .and_then(Value::as_str)
            {
                let _ = write!(
                    out,
                    "<p>Body: <code>{}</code> (JSON)</p>",
                    escape(body.rsplit('/').next().unwrap_or(body))
                );
            }
            if let Some(responses) = op.get("responses").and_then(Value::as_object) {
                out.push_str("<h3>Responses</h3><table>");
                for (status, r) in responses {
                    let d = r.get("description").and_then(Value::as_str).unwrap_or("");
                    let _ = write!(
                        out,
                        "<tr><td><code>{}</code></td><td>{}</td></tr>",
                        escape(status),
                        escape(d)
                    );
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
        assert!(value["components"]["schemas"]
            .get("SearchResponse")
            .is_some());
        assert!(value["components"]["schemas"].get("ErrorBody").is_some());
        assert_eq!(escape("<a&\"b'>"), "&lt;a&amp;&quot;b&#39;&gt;");
    }
}
