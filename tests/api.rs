//! HTTP API tests over the fixture index: in-process (`oneshot`) and against a real listening
//! server (reqwest), happy paths, the bad-input matrix, concurrency, overload and timeouts.

mod common;

use common::server::{engine, Server};

use std::time::Duration;

use axum::body::{to_bytes, Body};
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use axum::Router;
use boussole::api::{router, ServeConfig};
use boussole::search::LiveEngine;
use serde_json::{json, Value};
use tower::ServiceExt;

const ESCO_BAKER: &str = "http://data.europa.eu/esco/occupation/1aadb308-432a-4d01-b54b-b4f7f76dd419";
const BAKER_UUID: &str = "1aadb308-432a-4d01-b54b-b4f7f76dd419";
/// A ROME compétence only the boulangerie fiche (D1102) lists.
const KNEADING: &str = "Pétrir manuellement ou mécaniquement des pâtes";

async fn app(config: &ServeConfig) -> Router {
    router(LiveEngine::fixed(engine().await), config)
}

/// A response read whole.
#[derive(Debug)]
struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("body is not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    fn content_type(&self) -> &str {
        self.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("")
    }

    /// Asserts the API error shape, status and code.
    fn assert_error(&self, status: u16, code: &str, what: &str) {
        assert_eq!(self.status.as_u16(), status, "{what}: status (body {})", self.text());
        assert!(self.content_type().starts_with("application/json"), "{what}: content type {}", self.content_type());
        let v = self.json();
        assert_eq!(v["error"]["code"], code, "{what}: {v}");
        assert!(v["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{what}: message in {v}");
    }
}

/// One in-process request.
async fn call(app: &Router, method: Method, uri: &str, content_type: Option<&str>, body: Vec<u8>) -> Reply {
    let mut req = Request::builder().method(method).uri(uri);
    if let Some(ct) = content_type {
        req = req.header(header::CONTENT_TYPE, ct);
    }
    let req = req.body(Body::from(body)).expect("request builds");
    let res = app.clone().oneshot(req).await.expect("router is infallible");
    let status = res.status();
    let headers = res.headers().clone();
    let body = to_bytes(res.into_body(), 16 << 20).await.expect("body reads").to_vec();
    Reply { status, headers, body }
}

async fn get(app: &Router, uri: &str) -> Reply {
    call(app, Method::GET, uri, None, Vec::new()).await
}

async fn post_json(app: &Router, uri: &str, body: &Value) -> Reply {
    call(app, Method::POST, uri, Some("application/json"), body.to_string().into_bytes()).await
}

/// One request over the network.
async fn http(
    client: &reqwest::Client,
    method: Method,
    url: String,
    content_type: Option<&str>,
    body: Vec<u8>,
) -> Reply {
    let method = reqwest::Method::from_bytes(method.as_str().as_bytes()).expect("method");
    let mut req = client.request(method, url.as_str());
    if let Some(ct) = content_type {
        req = req.header("content-type", ct);
    }
    let res = req.body(body).send().await.unwrap_or_else(|e| panic!("{url}: {e}"));
    let status = StatusCode::from_u16(res.status().as_u16()).expect("status");
    let mut headers = HeaderMap::new();
    for (k, v) in res.headers() {
        if let (Ok(k), Ok(v)) =
            (header::HeaderName::from_bytes(k.as_str().as_bytes()), header::HeaderValue::from_bytes(v.as_bytes()))
        {
            headers.insert(k, v);
        }
    }
    let body = res.bytes().await.expect("body").to_vec();
    Reply { status, headers, body }
}

/// Sends `n` GETs to `url` all at once and returns every reply.
async fn parallel_gets(client: &reqwest::Client, url: &str, n: usize) -> Vec<Reply> {
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            let (client, url) = (client.clone(), url.to_owned());
            tokio::spawn(async move { http(&client, Method::GET, url, None, Vec::new()).await })
        })
        .collect();
    let mut replies = Vec::with_capacity(n);
    for task in tasks {
        replies.push(task.await.expect("request task"));
    }
    replies
}

/// Property `field` of component `schema` in an OpenAPI document: its own, or that of one of
/// its `allOf` parts (a flattened struct), following `$ref`s; `Null` when it has none.
fn schema_property(doc: &Value, schema: &str, field: &str) -> Value {
    fn find(doc: &Value, schema: &Value, field: &str) -> Option<Value> {
        if let Some(name) = schema["$ref"].as_str().and_then(|r| r.strip_prefix("#/components/schemas/")) {
            return find(doc, &doc["components"]["schemas"][name], field);
        }
        schema["properties"]
            .get(field)
            .cloned()
            .or_else(|| schema["allOf"].as_array()?.iter().find_map(|part| find(doc, part, field)))
    }
    find(doc, &doc["components"]["schemas"][schema], field).unwrap_or(Value::Null)
}

fn first_code(reply: &Reply) -> String {
    reply.json()["results"][0]["code"].as_str().unwrap_or_default().to_string()
}

// ---------------------------------------------------------------------------------------------
// Happy paths, in process.

#[tokio::test]
async fn search_boulanger_in_rome_ranks_d1102_first() {
    let app = app(&ServeConfig::default()).await;
    let r = get(&app, "/v1/search?q=boulanger&taxonomy=rome").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let v = r.json();
    assert_eq!(v["query"], "boulanger");
    assert_eq!(v["lang"], "fr");
    assert!(v["took_ms"].is_u64(), "{v}");
    let results = v["results"].as_array().expect("results");
    assert!(!results.is_empty() && results.len() <= 10, "{v}");
    let first = &results[0];
    assert_eq!(first["taxonomy"], "rome");
    assert_eq!(first["code"], "D1102");
    assert!(first["label"].as_str().is_some_and(|l| l.contains("Boulang")), "{first}");
    assert!(first["score"].as_f64().is_some_and(|s| s > 0.5), "{first}");
    assert!(first.get("id").is_none(), "id is flattened into taxonomy/code: {first}");
    let matched = first["matched"].as_array().expect("matched");
    assert!(!matched.is_empty());
    for key in ["text", "kind", "lang", "score"] {
        assert!(matched[0].get(key).is_some(), "matched lacks {key}: {first}");
    }
    assert!(first["skills"].is_array());
    assert!(results.iter().all(|r| r["taxonomy"] == "rome"), "taxonomy filter: {v}");
}

#[tokio::test]
async fn search_defaults_cover_both_taxonomies_and_honour_limit_and_lang() {
    let app = app(&ServeConfig::default()).await;
    let v = get(&app, "/v1/search?q=baker&lang=en").await.json();
    assert_eq!(v["lang"], "en");
    let results = v["results"].as_array().expect("results");
    assert!(results.iter().take(5).any(|r| r["code"] == ESCO_BAKER), "ESCO baker in top 5: {v}");
    assert!(results.iter().any(|r| r["taxonomy"] == "rome"), "both taxonomies by default: {v}");

    let v = get(&app, "/v1/search?q=boulanger&limit=1").await.json();
    assert_eq!(v["results"].as_array().map(Vec::len), Some(1), "{v}");

    let v = get(&app, "/v1/search?q=baker&taxonomy=esco&limit=3").await.json();
    let results = v["results"].as_array().expect("results");
    assert!(results.len() <= 3 && results.iter().all(|r| r["taxonomy"] == "esco"), "{v}");
    assert_eq!(results[0]["code"], ESCO_BAKER, "{v}");
}

#[tokio::test]
async fn match_ranks_profiles() {
    let app = app(&ServeConfig::default()).await;
    // Skill only: the kneading compétence belongs to the boulangerie fiche.
    let r = post_json(&app, "/v1/match", &json!({ "skills": [KNEADING], "taxonomy": "rome", "limit": 5 })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let v = r.json();
    assert_eq!(v["query"], "");
    assert_eq!(v["results"][0]["code"], "D1102", "{v}");
    assert!(v["results"].as_array().is_some_and(|r| r.len() <= 5));
    assert!(
        v["results"][0]["matched"].as_array().is_some_and(|m| m.iter().any(|m| m["kind"] == "skill")),
        "skill evidence: {v}"
    );

    // Text and interest about animals: an animal-care fiche (A14xx/A15xx) comes first.
    let body = json!({ "text": "j'aime m'occuper des animaux", "interests": ["J'aime m'occuper des animaux"], "lang": "fr", "taxonomy": "rome" });
    let v = post_json(&app, "/v1/match", &body).await.json();
    assert_eq!(v["query"], "j'aime m'occuper des animaux");
    let code = v["results"][0]["code"].as_str().unwrap_or_default();
    assert!(code.starts_with("A14") || code.starts_with("A15"), "{v}");

    // Unknown fields are ignored, nulls are absent values.
    let v = post_json(&app, "/v1/match", &json!({ "text": "boulanger", "taxonomy": null, "extra": 1 })).await;
    assert_eq!(v.status, StatusCode::OK, "{}", v.text());
}

#[tokio::test]
async fn occupation_detail_by_rome_code_esco_uri_and_uuid() {
    let app = app(&ServeConfig::default()).await;
    let r = get(&app, "/v1/occupations/rome/D1102").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let v = r.json();
    assert_eq!(v["taxonomy"], "rome");
    assert_eq!(v["code"], "D1102");
    assert!(v["label"].as_str().is_some_and(|l| l.contains("Boulang")), "{v}");
    assert!(v["labels"]["fr"].is_string(), "{v}");
    assert!(v["description"].as_str().is_some_and(|d| d.len() > 20), "{v}");
    assert!(v["skills"]["essential"].as_array().is_some_and(|s| !s.is_empty()), "{v}");
    assert!(v["skills"]["optional"].is_array());
    for key in ["access", "isco_group", "riasec", "interests", "links", "related"] {
        assert!(v.get(key).is_some(), "detail lacks {key}: {v}");
    }
    assert!(v["related"].as_array().is_some_and(|r| !r.is_empty()), "{v}");
    // ROME mobilités come first (D1104 is D1102's first mobilité), then embedding neighbours.
    let related = v["related"].as_array().expect("related");
    assert_eq!(related[0]["code"], "D1104", "{v}");
    assert_eq!(related[0]["relation"], "mobility", "{v}");
    assert!(related.iter().any(|r| r["relation"] == "similar"), "{v}");
    assert!(related.iter().all(|r| r["code"] != "D1102"), "an occupation is not related to itself");

    // Lower-case ROME codes are accepted; `lang` is honoured.
    let r = get(&app, "/v1/occupations/rome/d1102?lang=en").await;
    assert_eq!(r.json()["code"], "D1102");

    // ESCO: URL-encoded URI (what encodeURIComponent sends), raw URI, bare UUID.
    let encoded = ESCO_BAKER.replace(':', "%3A").replace('/', "%2F");
    for path in [
        format!("/v1/occupations/esco/{encoded}"),
        format!("/v1/occupations/esco/{ESCO_BAKER}"),
        format!("/v1/occupations/esco/{BAKER_UUID}?lang=en"),
    ] {
        let r = get(&app, &path).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.text());
        let v = r.json();
        assert_eq!(v["code"], ESCO_BAKER, "{path}");
        assert_eq!(v["taxonomy"], "esco", "{path}");
    }
    let v = get(&app, &format!("/v1/occupations/esco/{BAKER_UUID}?lang=en")).await.json();
    assert_eq!(v["label"], "Baker", "{v}");
}

#[tokio::test]
async fn skills_search_and_interests() {
    let app = app(&ServeConfig::default()).await;
    let v = get(&app, "/v1/skills/search?q=p%C3%A2te").await.json();
    let results = v["results"].as_array().expect("results");
    assert!(!results.is_empty() && results.len() <= 10, "{v}");
    for r in results {
        for key in ["taxonomy", "code", "label", "kind", "score"] {
            assert!(r.get(key).is_some(), "skill lacks {key}: {r}");
        }
    }
    assert!(results.iter().any(|r| r["label"] == KNEADING), "{v}");
    let v = get(&app, "/v1/skills/search?q=p%C3%A2te&limit=2&lang=en").await.json();
    assert!(v["results"].as_array().is_some_and(|r| !r.is_empty() && r.len() <= 2), "{v}");

    let v = get(&app, "/v1/interests?lang=fr").await.json();
    let results = v["results"].as_array().expect("results");
    assert!(results.iter().any(|i| i["label"] == "J'aime m'occuper des animaux"), "{v}");
    assert!(results.iter().all(|i| i["code"].is_string() && i["label"].is_string()));
}

#[tokio::test]
async fn health_ready_openapi_docs() {
    let app = app(&ServeConfig::default()).await;
    let r = get(&app, "/healthz").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json(), json!({ "status": "ok" }));

    let v = get(&app, "/readyz").await.json();
    assert_eq!(v["status"], "ready");
    assert!(v["model"].as_str().is_some_and(|m| !m.is_empty()), "{v}");
    assert!(v["vectors"].as_u64().is_some_and(|n| n > 0), "{v}");
    assert!(v["occupations"]["rome"].as_u64().is_some_and(|n| n > 0), "{v}");
    assert!(v["occupations"]["esco"].as_u64().is_some_and(|n| n > 0), "{v}");

    let r = get(&app, "/openapi.json").await;
    assert!(r.content_type().starts_with("application/json"));
    let v = r.json();
    assert!(v["openapi"].as_str().is_some_and(|s| s.starts_with("3.")), "{v}");
    for path in [
        "/v1/search",
        "/v1/match",
        "/v1/occupations/{taxonomy}/{code}",
        "/v1/skills/search",
        "/v1/interests",
        "/healthz",
        "/readyz",
    ] {
        assert!(v["paths"].get(path).is_some(), "openapi lacks {path}");
    }
    assert!(v["paths"]["/v1/match"]["post"]["requestBody"].is_object());
    assert!(v["components"]["schemas"]["SearchResponse"].is_object());

    // The contract says exactly what is accepted (what the audit found answered against it).
    let params = v["paths"]["/v1/search"]["get"]["parameters"].as_array().unwrap();
    let param = |name: &str| params.iter().find(|p| p["name"] == name).unwrap()["schema"].clone();
    assert_eq!(param("q")["minLength"], 1);
    let responses = |path: &str, method: &str| v["paths"][path][method]["responses"].clone();
    for status in ["400", "405", "414", "431", "503"] {
        assert!(responses("/v1/search", "get").get(status).is_some(), "search lacks {status}");
    }
    assert!(responses("/v1/match", "post").get("408").is_some() && responses("/v1/match", "post").get("413").is_some());
    assert_eq!(param("q")["pattern"], "\\S");
    assert!(param("lang")["enum"].as_array().unwrap().contains(&json!("")), "empty lang= means the default");
    let body = &v["components"]["schemas"]["MatchRequest"];
    // "At least one of text, skills, interests or riasec" is a rule generators cannot read as a
    // schema: the description states it (and the server's 400 quotes it), no `anyOf` trick.
    assert!(
        body.get("anyOf").is_none()
            && body["description"].as_str().is_some_and(|d| d.contains("blank texts and items do not count")),
        "{body}"
    );
    let skills = schema_property(&v, "MatchRequest", "skills");
    assert_eq!((skills["type"].clone(), skills["maxItems"].clone()), (json!(["array", "null"]), json!(50)));
    let limit = schema_property(&v, "BatchQuery", "limit");
    assert!(limit["anyOf"].as_array().is_some_and(|a| a.contains(&json!({"type": "null"}))), "shared: {limit}");
    // And the server agrees: `{}` and blank-only profiles are 400, nulls and `lang=` are fine.
    assert_eq!(post_json(&app, "/v1/match", &json!({})).await.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        post_json(&app, "/v1/match", &json!({"text": " ", "skills": [" "]})).await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        post_json(&app, "/v1/match", &json!({"text": "boulanger", "skills": null})).await.status,
        StatusCode::OK
    );
    assert_eq!(get(&app, "/v1/search?q=boulanger&lang=").await.status, StatusCode::OK);
    assert_eq!(get(&app, "/v1/search?q=").await.status, StatusCode::BAD_REQUEST);

    let r = get(&app, "/docs").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.content_type().starts_with("text/html"));
    assert!(r.text().contains("/v1/search") && r.text().contains("/openapi.json"));
}

#[tokio::test]
async fn web_client_is_served_at_root() {
    let app = app(&ServeConfig::default()).await;
    let r = get(&app, "/").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.content_type().starts_with("text/html"));
}

#[tokio::test]
async fn metrics_count_routes_by_template_and_are_per_router() {
    let config = ServeConfig::default();
    let other = app(&config).await;
    let app = app(&config).await;
    assert_eq!(get(&app, "/v1/search?q=boulanger").await.status, StatusCode::OK);
    assert_eq!(get(&app, "/v1/occupations/rome/D1102").await.status, StatusCode::OK);
    assert_eq!(get(&app, "/no/such/route/12345").await.status, StatusCode::NOT_FOUND);
    let r = get(&app, "/metrics").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.content_type().starts_with("text/plain"), "{}", r.content_type());
    let text = r.text();
    let line = |needle: &str| {
        text.lines().find(|l| l.starts_with("boussole_http_requests_total") && l.contains(needle)).map(str::to_string)
    };
    let search = line("route=\"/v1/search\"").unwrap_or_else(|| panic!("no search counter in\n{text}"));
    assert!(search.contains("status=\"200\"") && search.ends_with(" 1"), "{search}");
    assert!(line("route=\"/v1/occupations/{taxonomy}/{*code}\"").is_some(), "route template, not raw path:\n{text}");
    assert!(line("route=\"unmatched\"").is_some_and(|l| l.contains("status=\"404\"")), "{text}");
    assert!(!text.contains("12345") && !text.contains("D1102"), "raw paths leak into labels:\n{text}");
    assert!(text.contains("boussole_http_request_duration_seconds_bucket"), "{text}");
    assert!(text.lines().any(|l| l.starts_with("boussole_index_vectors ") && !l.ends_with(" 0")), "{text}");
    assert!(text.contains("boussole_index_occupations{taxonomy=\"rome\"}"), "{text}");

    // A second router in the same process has its own registry.
    let text = get(&other, "/metrics").await.text();
    assert!(!text.contains("route=\"/v1/search\""), "registries are shared:\n{text}");
    assert!(text.contains("boussole_index_vectors"), "{text}");
}

#[tokio::test]
async fn timeout_answers_504_json() {
    let config = ServeConfig { request_timeout_ms: 1, ..ServeConfig::default() };
    let app = app(&config).await;
    // Embedding a query takes milliseconds: well past a 1 ms budget.
    let r = get(&app, "/v1/search?q=boulanger%20p%C3%A2tissier%20traiteur").await;
    r.assert_error(504, "timeout", "1 ms budget");
    // Ops routes are outside the budget.
    assert_eq!(get(&app, "/healthz").await.status, StatusCode::OK);
}

#[tokio::test]
async fn cors_is_off_by_default_and_follows_configured_origins() {
    let preflight = |app: Router, origin: &'static str| async move {
        let req = Request::builder()
            .method(Method::OPTIONS)
            .uri("/v1/search?q=x")
            .header(header::ORIGIN, origin)
            .header(header::ACCESS_CONTROL_REQUEST_METHOD, "GET")
            .body(Body::empty())
            .expect("request");
        app.oneshot(req).await.expect("infallible")
    };
    let off = app(&ServeConfig::default()).await;
    let r = get(&off, "/healthz").await;
    assert!(r.headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none());

    let config = ServeConfig { cors_origins: vec!["https://boussole.example".into()], ..ServeConfig::default() };
    let on = app(&config).await;
    let res = preflight(on.clone(), "https://boussole.example").await;
    assert_eq!(
        res.headers().get(header::ACCESS_CONTROL_ALLOW_ORIGIN).map(|v| v.as_bytes()),
        Some(&b"https://boussole.example"[..])
    );
    let res = preflight(on, "https://evil.example").await;
    assert!(res.headers().get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none());

    let any = app(&ServeConfig { cors_origins: vec!["*".into()], ..ServeConfig::default() }).await;
    let res = preflight(any, "https://anyone.example").await;
    assert_eq!(res.headers().get(header::ACCESS_CONTROL_ALLOW_ORIGIN).map(|v| v.as_bytes()), Some(&b"*"[..]));
}

// ---------------------------------------------------------------------------------------------
// Bad input: every case answers the JSON error shape with the right status and code.

struct Case {
    what: &'static str,
    method: Method,
    uri: String,
    content_type: Option<&'static str>,
    body: Vec<u8>,
    status: u16,
    code: &'static str,
    /// A word the message must contain (the parameter or field named).
    mentions: Option<&'static str>,
}

fn case(what: &'static str, method: Method, uri: impl Into<String>, status: u16, code: &'static str) -> Case {
    Case { what, method, uri: uri.into(), content_type: None, body: Vec::new(), status, code, mentions: None }
}

impl Case {
    fn json(mut self, body: &str) -> Case {
        self.content_type = Some("application/json");
        self.body = body.as_bytes().to_vec();
        self
    }

    fn typed(mut self, content_type: &'static str, body: &str) -> Case {
        self.content_type = Some(content_type);
        self.body = body.as_bytes().to_vec();
        self
    }

    fn mentions(mut self, word: &'static str) -> Case {
        self.mentions = Some(word);
        self
    }

    fn check(&self, reply: &Reply) {
        reply.assert_error(self.status, self.code, self.what);
        if let Some(word) = self.mentions {
            let message = reply.json()["error"]["message"].as_str().unwrap_or_default().to_string();
            assert!(message.contains(word), "{}: message `{message}` should name `{word}`", self.what);
        }
    }
}

fn bad_inputs() -> Vec<Case> {
    use Method as M;
    let long_q = "a".repeat(10_000);
    // 200 short words: under the character limit, over the token limit.
    let many_tokens = "1 ".repeat(200);
    let big_body = format!("{{\"text\": \"{}\"}}", "a".repeat(20_000));
    vec![
        case("empty q", M::GET, "/v1/search?q=", 400, "empty_query"),
        case("blank q", M::GET, "/v1/search?q=+++", 400, "empty_query"),
        case("missing q", M::GET, "/v1/search", 400, "empty_query"),
        case("10 kB q", M::GET, format!("/v1/search?q={long_q}"), 400, "query_too_long"),
        case(
            "too many tokens",
            M::GET,
            format!("/v1/search?q={}", many_tokens.replace(' ', "+")),
            400,
            "too_many_tokens",
        ),
        case("invalid UTF-8 q", M::GET, "/v1/search?q=%FF", 400, "invalid_parameter").mentions("q"),
        case("limit=0", M::GET, "/v1/search?q=boulanger&limit=0", 400, "invalid_parameter").mentions("limit"),
        case("limit=1000", M::GET, "/v1/search?q=boulanger&limit=1000", 400, "invalid_parameter").mentions("limit"),
        case("limit=abc", M::GET, "/v1/search?q=boulanger&limit=abc", 400, "invalid_parameter").mentions("limit"),
        case("limit=-1", M::GET, "/v1/search?q=boulanger&limit=-1", 400, "invalid_parameter").mentions("limit"),
        case("unknown taxonomy", M::GET, "/v1/search?q=boulanger&taxonomy=onet", 400, "invalid_parameter")
            .mentions("taxonomy"),
        case("unknown lang", M::GET, "/v1/search?q=boulanger&lang=de", 400, "invalid_parameter").mentions("lang"),
        case("repeated q", M::GET, "/v1/search?q=a&q=b", 400, "invalid_parameter").mentions("q"),
        case("skills: empty q", M::GET, "/v1/skills/search?q=", 400, "empty_query"),
        case("skills: 10 kB q", M::GET, format!("/v1/skills/search?q={long_q}"), 400, "query_too_long"),
        case("skills: limit=51", M::GET, "/v1/skills/search?q=pate&limit=51", 400, "invalid_parameter")
            .mentions("limit"),
        case("skills: invalid UTF-8", M::GET, "/v1/skills/search?q=%C3%28", 400, "invalid_parameter").mentions("q"),
        case("interests: unknown lang", M::GET, "/v1/interests?lang=xx", 400, "invalid_parameter").mentions("lang"),
        case("match: malformed JSON", M::POST, "/v1/match", 400, "invalid_json")
            .json("{\"text\": ")
            .mentions("malformed"),
        case("match: empty body", M::POST, "/v1/match", 400, "invalid_json").json(""),
        case("match: text is a number", M::POST, "/v1/match", 422, "invalid_json")
            .json("{\"text\": 5}")
            .mentions("text"),
        case("match: skills not a list", M::POST, "/v1/match", 422, "invalid_json")
            .json("{\"skills\": \"x\"}")
            .mentions("skills"),
        case("match: limit is a string", M::POST, "/v1/match", 422, "invalid_json")
            .json("{\"text\": \"x\", \"limit\": \"ten\"}")
            .mentions("limit"),
        case("match: body is an array", M::POST, "/v1/match", 422, "invalid_json").json("[]"),
        case("match: nothing to match", M::POST, "/v1/match", 400, "empty_query").json("{}"),
        case("match: blank fields", M::POST, "/v1/match", 400, "empty_query")
            .json("{\"text\": \" \", \"skills\": [\"\"]}"),
        case("match: limit=0", M::POST, "/v1/match", 400, "invalid_parameter")
            .json("{\"text\": \"x\", \"limit\": 0}")
            .mentions("limit"),
        case("match: limit=1000", M::POST, "/v1/match", 400, "invalid_parameter")
            .json("{\"text\": \"x\", \"limit\": 1000}")
            .mentions("limit"),
        case("match: unknown taxonomy", M::POST, "/v1/match", 400, "invalid_parameter")
            .json("{\"text\": \"x\", \"taxonomy\": \"onet\"}")
            .mentions("taxonomy"),
        case("match: 10 kB text", M::POST, "/v1/match", 400, "query_too_long")
            .json(&format!("{{\"text\": \"{}\"}}", "a".repeat(10_000))),
        case("match: text/plain", M::POST, "/v1/match", 415, "unsupported_media_type")
            .typed("text/plain", "{\"text\": \"x\"}"),
        case("match: form", M::POST, "/v1/match", 415, "unsupported_media_type")
            .typed("application/x-www-form-urlencoded", "text=x"),
        case("match: no content type", M::POST, "/v1/match", 415, "unsupported_media_type"),
        case("match: oversized body", M::POST, "/v1/match", 413, "payload_too_large").json(&big_body),
        case("unknown ROME code", M::GET, "/v1/occupations/rome/Z9999", 404, "not_found"),
        case(
            "unknown ESCO UUID",
            M::GET,
            "/v1/occupations/esco/00000000-0000-0000-0000-000000000000",
            404,
            "not_found",
        ),
        case("ROME code in ESCO", M::GET, "/v1/occupations/esco/D1102", 404, "not_found"),
        case("unknown taxonomy in path", M::GET, "/v1/occupations/onet/11-1011", 400, "invalid_parameter")
            .mentions("taxonomy"),
        case("detail: unknown lang", M::GET, "/v1/occupations/rome/D1102?lang=de", 400, "invalid_parameter")
            .mentions("lang"),
        case("unknown route", M::GET, "/v1/nope", 404, "not_found"),
        case("missing code", M::GET, "/v1/occupations/rome", 404, "not_found"),
        case("DELETE search", M::DELETE, "/v1/search?q=x", 405, "method_not_allowed"),
        case("GET match", M::GET, "/v1/match", 405, "method_not_allowed"),
        case("POST healthz", M::POST, "/healthz", 405, "method_not_allowed"),
    ]
}

#[tokio::test]
async fn bad_input_matrix_in_process() {
    let app = app(&ServeConfig::default()).await;
    for c in bad_inputs() {
        let reply = call(&app, c.method.clone(), &c.uri, c.content_type, c.body.clone()).await;
        c.check(&reply);
    }
    // 405 keeps the Allow header.
    let r = call(&app, Method::DELETE, "/v1/search", None, Vec::new()).await;
    assert!(r.headers.get(header::ALLOW).is_some(), "{:?}", r.headers);
}

// ---------------------------------------------------------------------------------------------
// A real listening server.

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn real_server_happy_paths_and_bad_inputs() {
    let server = Server::start(ServeConfig::default()).await;
    let client = reqwest::Client::new();
    let get = |path: &str| http(&client, Method::GET, server.url(path), None, Vec::new());

    let r = get("/v1/search?q=boulanger&taxonomy=rome").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(first_code(&r), "D1102");
    let r = http(
        &client,
        Method::POST,
        server.url("/v1/match"),
        Some("application/json"),
        json!({ "skills": [KNEADING] }).to_string().into_bytes(),
    )
    .await;
    assert_eq!(first_code(&r), "D1102", "{}", r.text());
    let r = get(&format!("/v1/occupations/esco/{}", ESCO_BAKER.replace(':', "%3A").replace('/', "%2F"))).await;
    assert_eq!(r.json()["code"], ESCO_BAKER);
    let r = get("/v1/occupations/rome/D1102").await;
    assert!(r.json()["skills"]["essential"].as_array().is_some_and(|s| !s.is_empty()));
    assert!(get("/v1/skills/search?q=p%C3%A2te").await.json()["results"].as_array().is_some_and(|r| !r.is_empty()));
    assert!(get("/v1/interests").await.json()["results"].as_array().is_some_and(|r| !r.is_empty()));
    assert_eq!(get("/healthz").await.json()["status"], "ok");
    assert_eq!(get("/readyz").await.json()["status"], "ready");
    assert!(get("/openapi.json").await.json()["paths"]["/v1/search"].is_object());
    assert!(get("/docs").await.text().contains("/v1/match"));
    assert_eq!(get("/").await.status, StatusCode::OK);

    for c in bad_inputs() {
        let reply = http(&client, c.method.clone(), server.url(&c.uri), c.content_type, c.body.clone()).await;
        c.check(&reply);
    }

    let metrics = get("/metrics").await.text();
    assert!(
        metrics.lines().any(|l| l.starts_with("boussole_http_requests_total")
            && l.contains("route=\"/v1/match\"")
            && l.contains("status=\"415\"")),
        "{metrics}"
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_parallel_searches_all_succeed() {
    // Room for all 200 at once; a generous budget since two CPU cores embed them all.
    let config = ServeConfig { max_concurrency: 256, request_timeout_ms: 120_000, ..ServeConfig::default() };
    let server = Server::start(config).await;
    let client = reqwest::Client::new();
    let url = server.url("/v1/search?q=boulanger&taxonomy=rome&limit=3");
    for r in parallel_gets(&client, &url, 200).await {
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(first_code(&r), "D1102");
    }
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn overload_sheds_with_503_and_never_500() {
    let config = ServeConfig { max_concurrency: 1, ..ServeConfig::default() };
    let server = Server::start(config).await;
    let client = reqwest::Client::new();
    let url = server.url("/v1/search?q=boulanger%20p%C3%A2tissier&limit=50");
    let (mut ok, mut shed) = (0, 0);
    for r in parallel_gets(&client, &url, 64).await {
        match r.status.as_u16() {
            200 => ok += 1,
            503 => {
                r.assert_error(503, "overloaded", "shed request");
                assert!(r.headers.get(header::RETRY_AFTER).is_some(), "Retry-After on 503");
                shed += 1;
            }
            other => panic!("unexpected status {other}: {}", r.text()),
        }
    }
    assert!(ok >= 1, "some requests are served");
    assert!(shed >= 1, "some requests are shed (ok = {ok})");
    // Probes bypass the limit.
    assert_eq!(http(&client, Method::GET, server.url("/healthz"), None, Vec::new()).await.status, StatusCode::OK);
    let metrics = http(&client, Method::GET, server.url("/metrics"), None, Vec::new()).await.text();
    assert!(metrics.lines().any(|l| l.contains("route=\"/v1/search\"") && l.contains("status=\"503\"")), "{metrics}");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn graceful_shutdown_lets_in_flight_requests_finish() {
    let server = Server::start(ServeConfig::default()).await;
    let client = reqwest::Client::new();
    let url = server.url("/v1/search?q=boulanger&taxonomy=rome&limit=50");
    // Connect first (healthz), so the searches below reuse open connections.
    assert_eq!(http(&client, Method::GET, server.url("/healthz"), None, Vec::new()).await.status, StatusCode::OK);
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (client, url) = (client.clone(), url.clone());
            tokio::spawn(async move { client.get(url).send().await })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(20)).await;
    server.shutdown().await;
    let mut finished = 0;
    for task in tasks {
        // A request that had not reached the server before shutdown may fail to connect;
        // one that had must complete normally.
        if let Ok(res) = task.await.expect("request task") {
            assert_eq!(res.status().as_u16(), 200);
            let v: Value = res.json().await.expect("complete JSON body");
            assert_eq!(v["results"][0]["code"], "D1102");
            finished += 1;
        }
    }
    assert!(finished >= 1, "in-flight requests complete during shutdown");
}

/// A repeated query is answered from the embedding cache, and `/metrics` shows it.
#[tokio::test]
async fn repeated_queries_hit_the_embedding_cache() {
    let app = app(&ServeConfig::default()).await;
    let counter = |text: &str, name: &str| -> f64 {
        text.lines()
            .find(|l| l.starts_with(name) && !l.starts_with('#'))
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0.0)
    };
    let before = get(&app, "/metrics").await.text();
    // A text no other test sends: its first search misses, the second hits.
    let url = "/v1/search?q=cache%20test%20horticulteur%20paysagiste";
    let first = get(&app, url).await;
    let second = get(&app, url).await;
    assert_eq!((first.status, second.status), (StatusCode::OK, StatusCode::OK));
    assert_eq!(first.json()["results"], second.json()["results"], "a hit returns the same ranking");
    let after = get(&app, "/metrics").await.text();
    for (name, delta) in [("boussole_query_cache_hits_total", 1.0), ("boussole_query_cache_misses_total", 1.0)] {
        assert!(counter(&after, name) >= counter(&before, name) + delta, "{name}: {after}");
    }
    assert!(counter(&after, "boussole_query_cache_entries") >= 1.0, "{after}");
    assert!(counter(&after, "process_resident_memory_bytes") > 1e6, "{after}");
}

/// Profile items are bounded: a longer item or list than any catalogue label is refused,
/// naming the item; the longest legal items still answer, with a bounded response.
#[tokio::test]
async fn match_refuses_unbounded_items_and_bounds_legal_ones() {
    let app = app(&ServeConfig::default()).await;
    let long = "tech ".repeat(61) + "zzzq";
    let r = post_json(&app, "/v1/match", &json!({ "skills": ["boulangerie", long] })).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
    let v = r.json();
    assert_eq!(v["error"]["code"], "invalid_parameter", "{v}");
    assert!(v["error"]["message"].as_str().unwrap_or_default().contains("skills[1]"), "{v}");

    let many_words: String = (0..41).map(|i| format!("m{i} ")).collect();
    let r = post_json(&app, "/v1/match", &json!({ "interests": [many_words] })).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
    assert!(r.json()["error"]["message"].as_str().unwrap_or_default().contains("interests[0]"));

    let r = post_json(&app, "/v1/match", &json!({ "skills": vec!["pâtisserie"; 51] })).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());

    // 50 items at the limits (40 words, ≤ 256 characters): answered, and no result carries
    // more than 12 pieces of profile evidence.
    let legal: Vec<String> = (0..50).map(|i| "tech ".repeat(39) + &format!("z{i}")).collect();
    let r = post_json(&app, "/v1/match", &json!({ "skills": legal, "text": "technicien", "limit": 50 })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(r.body.len() < 256 * 1024, "{} bytes", r.body.len());
    for result in r.json()["results"].as_array().unwrap() {
        let profile = result["matched"].as_array().unwrap().iter().filter(|m| m["kind"] == "skill").count();
        assert!(profile <= 12, "{result}");
    }
}

/// Every response carries a request id: the caller's when it is a short token, else a new one.
#[tokio::test]
async fn responses_carry_a_request_id() {
    let app = app(&ServeConfig::default()).await;
    let a = get(&app, "/healthz").await;
    let b = get(&app, "/v1/search?q=").await;
    let id = |r: &Reply| r.headers.get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    assert!(!id(&a).is_empty() && !id(&b).is_empty() && id(&a) != id(&b), "{} {}", id(&a), id(&b));
    let with_id = |value: String| {
        let app = app.clone();
        async move {
            let req = Request::get("/healthz").header("x-request-id", value).body(Body::empty()).unwrap();
            let res = app.oneshot(req).await.expect("router is infallible");
            res.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string()
        }
    };
    assert_eq!(with_id("abc-123".into()).await, "abc-123");
    let long = "x".repeat(200);
    assert_ne!(with_id(long.clone()).await, long, "an oversized id is replaced");
}

// ---------------------------------------------------------------------------------------------
// RIASEC profiles ("Je ne sais pas quoi chercher").

/// An Artistique–Social person (the example of the API documentation).
fn artistic_social() -> Value {
    json!({"R": 0.2, "I": 0.1, "A": 0.9, "S": 0.8, "E": 0.3, "C": 0.1})
}

/// The RIASEC evidence of a result, if any.
fn riasec_evidence(result: &Value) -> Option<Value> {
    result["matched"].as_array()?.iter().find(|m| m["kind"] == "riasec").cloned()
}

#[tokio::test]
async fn riasec_alone_ranks_rome_fiches_by_fit() {
    let app = app(&ServeConfig::default()).await;
    let r = post_json(&app, "/v1/match", &json!({ "riasec": artistic_social(), "limit": 9 })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let v = r.json();
    assert_eq!(v["query"], "");
    let results = v["results"].as_array().expect("results");
    assert_eq!(results.len(), 9, "{v}");
    let codes: Vec<&str> = results.iter().map(|r| r["code"].as_str().unwrap_or_default()).collect();
    // Fixture codes: L1202 is A–S (the person's own order), B1301 A–R, E1205 A–I and E1210
    // A–C (major A, a minor the person likes less), K1303 S–R, then the S–I/S–C fiches.
    assert_eq!(codes[0], "L1202", "{codes:?}");
    assert_eq!(codes[1], "B1301", "{codes:?}");
    let mut second: Vec<&str> = codes[2..4].to_vec();
    second.sort_unstable();
    assert_eq!(second, ["E1205", "E1210"], "{codes:?}");
    assert_eq!(codes[4], "K1303", "{codes:?}");
    for code in &codes[5..9] {
        assert!(["J1501", "J1506", "K1202", "K2111"].contains(code), "{codes:?}");
    }
    let scores: Vec<f64> = results.iter().map(|r| r["score"].as_f64().unwrap_or(-1.0)).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "scores fall: {scores:?}");
    assert!(scores.iter().all(|s| (0.0..=1.0).contains(s)), "{scores:?}");
    for result in results {
        assert_eq!(result["taxonomy"], "rome", "RIASEC alone ranks ROME fiches: {result}");
        let evidence = riasec_evidence(result).unwrap_or_else(|| panic!("every result says why: {result}"));
        assert!((evidence["score"].as_f64().unwrap_or(-1.0) - result["score"].as_f64().unwrap_or(0.0)).abs() < 1e-6);
    }
    // The explanation names the shared types, the fiche's major first.
    assert_eq!(riasec_evidence(&results[0]).expect("evidence")["text"], "Artistique – Social");
    assert_eq!(riasec_evidence(&results[4]).expect("evidence")["text"], "Social");
    let en =
        post_json(&app, "/v1/match", &json!({ "riasec": artistic_social(), "lang": "en", "limit": 1 })).await.json();
    assert_eq!(riasec_evidence(&en["results"][0]).expect("evidence")["text"], "Artistic – Social");

    // Another profile, another order: a Réaliste–Conventionnel person gets R–C fiches first.
    let v = post_json(&app, "/v1/match", &json!({ "riasec": {"R": 1, "C": 0.6}, "limit": 5 })).await.json();
    for result in v["results"].as_array().expect("results") {
        let code = result["code"].as_str().unwrap_or_default();
        let detail = get(&app, &format!("/v1/occupations/rome/{code}")).await.json();
        assert_eq!(detail["riasec"], json!(["R", "C"]), "{code}: {v}");
    }
    // Equal fits alternate between ROME domains rather than filling up with the A codes.
    let domains: std::collections::HashSet<char> = v["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter_map(|r| r["code"].as_str().and_then(|c| c.chars().next()))
        .collect();
    assert!(domains.len() >= 3, "{v}");

    // With `taxonomy: esco`, ESCO occupations are reached through their crosswalk links.
    let v = post_json(&app, "/v1/match", &json!({ "riasec": {"I": 1, "R": 0.5}, "taxonomy": "esco", "limit": 3 }))
        .await
        .json();
    let results = v["results"].as_array().expect("results");
    assert!(!results.is_empty(), "{v}");
    for result in results {
        assert_eq!(result["taxonomy"], "esco", "{result}");
        assert!(riasec_evidence(result).is_some(), "{result}");
    }
}

#[tokio::test]
async fn riasec_combines_with_text() {
    let app = app(&ServeConfig::default()).await;
    let rank = |v: &Value, code: &str| {
        v["results"].as_array().and_then(|r| r.iter().position(|r| r["code"] == code)).unwrap_or(usize::MAX)
    };
    let text = "soigner les animaux";
    let plain = post_json(&app, "/v1/match", &json!({ "text": text, "taxonomy": "rome", "limit": 20 })).await.json();
    // The vétérinaire fiche (A1504) is I–R; the toiletteur one (A1503) is R–C.
    let investigative = post_json(
        &app,
        "/v1/match",
        &json!({ "text": text, "taxonomy": "rome", "limit": 20, "riasec": {"I": 1, "R": 0.5} }),
    )
    .await;
    assert_eq!(investigative.status, StatusCode::OK, "{}", investigative.text());
    let investigative = investigative.json();
    let realistic = post_json(
        &app,
        "/v1/match",
        &json!({ "text": text, "taxonomy": "rome", "limit": 20, "riasec": {"R": 1, "C": 0.5} }),
    )
    .await
    .json();
    assert_eq!(investigative["query"], text);
    assert!(rank(&investigative, "A1504") < rank(&investigative, "A1503"), "{investigative}");
    assert!(rank(&realistic, "A1503") < rank(&realistic, "A1504"), "{realistic}");
    // The profile re-orders what the text found; it brings in nothing else: every result
    // still has evidence from the text.
    for v in [&investigative, &realistic] {
        for result in v["results"].as_array().expect("results") {
            assert!(result["matched"].as_array().is_some_and(|m| m.iter().any(|m| m["kind"] != "riasec")), "{result}");
        }
    }
    assert!(plain["results"].as_array().is_some_and(|r| r.iter().all(|r| riasec_evidence(r).is_none())), "{plain}");
    // Text evidence stays, and the fitting fiche also says it fits the profile.
    let vet = &investigative["results"][rank(&investigative, "A1504")];
    assert_eq!(riasec_evidence(vet).expect("riasec evidence")["text"], "Investigateur – Réaliste", "{vet}");
    assert!(vet["matched"].as_array().expect("matched").len() > 1, "{vet}");
}

#[tokio::test]
async fn bad_riasec_profiles_are_refused_naming_the_field() {
    let app = app(&ServeConfig::default()).await;
    let cases = [
        (json!({ "riasec": {"X": 0.5} }), 400, "invalid_parameter", "riasec"),
        (json!({ "riasec": {"a": 0.5} }), 400, "invalid_parameter", "riasec"),
        (json!({ "riasec": {"AS": 0.5} }), 400, "invalid_parameter", "riasec"),
        (json!({ "riasec": {"A": 1.5} }), 400, "invalid_parameter", "riasec.A"),
        (json!({ "riasec": {"S": -0.1} }), 400, "invalid_parameter", "riasec.S"),
        (json!({ "riasec": {"A": "beaucoup"} }), 400, "invalid_parameter", "riasec.A"),
        (json!({ "riasec": {"A": [1]} }), 400, "invalid_parameter", "riasec.A"),
        (json!({ "riasec": {"A": 0, "S": 0} }), 400, "invalid_parameter", "riasec"),
        (json!({ "riasec": {} }), 400, "invalid_parameter", "riasec"),
        (json!({ "riasec": {"A": null} }), 400, "invalid_parameter", "riasec"),
        // Even next to a valid text, a bad profile is an error, not ignored.
        (json!({ "text": "boulanger", "riasec": {"A": 2} }), 400, "invalid_parameter", "riasec.A"),
        // Not an object: a wrong type, like any field.
        (json!({ "riasec": "ASE" }), 422, "invalid_json", "riasec"),
        (json!({ "riasec": [0.1, 0.2, 0.3, 0.4, 0.5, 0.6] }), 422, "invalid_json", "riasec"),
        // Null is absent: nothing left to match.
        (json!({ "riasec": null }), 400, "empty_query", "riasec"),
    ];
    for (body, status, code, word) in cases {
        let r = post_json(&app, "/v1/match", &body).await;
        r.assert_error(status, code, &body.to_string());
        let message = r.json()["error"]["message"].as_str().unwrap_or_default().to_string();
        assert!(message.contains(word), "{body}: message `{message}` should name `{word}`");
    }
    // Absent and null letters score 0; integers are numbers.
    let r = post_json(&app, "/v1/match", &json!({ "riasec": {"S": 1, "A": null}, "limit": 1 })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());

    // The OpenAPI document states the field.
    let doc = get(&app, "/openapi.json").await.json();
    let body = &doc["components"]["schemas"]["MatchRequest"];
    assert!(schema_property(&doc, "MatchRequest", "riasec").is_object(), "{body}");
    assert!(body["description"].as_str().is_some_and(|d| d.contains("`riasec`")), "{body}");
    let scores = &doc["components"]["schemas"]["RiasecScores"];
    for letter in ["R", "I", "A", "S", "E", "C"] {
        assert_eq!(scores["properties"][letter]["maximum"], 1.0, "{scores}");
    }
    assert_eq!(scores["additionalProperties"], false, "{scores}");
}

/// Calibrated confidence on every result: a probability, never rising down a ranking, and
/// the same curve whatever the query (so comparable across queries).
#[tokio::test]
async fn results_carry_a_confidence_in_0_1_that_never_rises_down_the_ranking() {
    let app = app(&ServeConfig::default()).await;
    for uri in ["/v1/search?q=boulanger&limit=20", "/v1/search?q=j%27aime%20les%20animaux&limit=20"] {
        let reply = get(&app, uri).await;
        assert_eq!(reply.status, StatusCode::OK, "{uri}");
        let results = reply.json()["results"].as_array().unwrap().clone();
        assert!(!results.is_empty(), "{uri}");
        let confidence: Vec<f64> = results.iter().map(|r| r["confidence"].as_f64().expect("confidence")).collect();
        assert!(confidence.iter().all(|c| (0.0..=1.0).contains(c)), "{uri}: {confidence:?}");
        assert!(confidence.windows(2).all(|w| w[0] >= w[1]), "{uri}: {confidence:?}");
    }
    // An exact title is surer than a vague interest.
    let exact = get(&app, "/v1/search?q=boulanger").await.json()["results"][0]["confidence"].as_f64().unwrap();
    let vague = get(&app, "/v1/search?q=des%20trucs").await.json()["results"][0]["confidence"].as_f64().unwrap_or(0.0);
    assert!(exact > vague, "{exact} vs {vague}");
    let matched = post_json(&app, "/v1/match", &json!({"skills": [KNEADING]})).await;
    let c: Vec<f64> =
        matched.json()["results"].as_array().unwrap().iter().map(|r| r["confidence"].as_f64().unwrap()).collect();
    assert!(!c.is_empty() && c.iter().all(|x| (0.0..=1.0).contains(x)) && c.windows(2).all(|w| w[0] >= w[1]), "{c:?}");
}

/// `offset` pages through one ranking: page 2 continues page 1 exactly.
#[tokio::test]
async fn offset_pages_through_the_ranking() {
    let app = app(&ServeConfig::default()).await;
    let codes = |v: &Value| -> Vec<String> {
        v["results"].as_array().unwrap().iter().map(|r| r["code"].as_str().unwrap().to_string()).collect()
    };
    let all = get(&app, "/v1/search?q=cuisine&limit=10").await.json();
    let first = get(&app, "/v1/search?q=cuisine&limit=5").await.json();
    let second = get(&app, "/v1/search?q=cuisine&limit=5&offset=5").await.json();
    assert_eq!(second["offset"], 5);
    assert_eq!([codes(&first), codes(&second)].concat(), codes(&all));
    let whole = post_json(&app, "/v1/match", &json!({"text": "cuisine", "limit": 6})).await.json();
    let page = post_json(&app, "/v1/match", &json!({"text": "cuisine", "limit": 3, "offset": 3})).await.json();
    assert_eq!(codes(&page), codes(&whole)[3..].to_vec());
    // Pages cover the 50 best: the last one is shorter, and an offset past them is refused.
    let last = get(&app, "/v1/search?q=cuisine&limit=50").await.json();
    let tail = get(&app, "/v1/search?q=cuisine&limit=10&offset=45").await.json();
    let all50 = codes(&last);
    assert_eq!(codes(&tail), all50[all50.len().min(45)..].to_vec());
    get(&app, "/v1/search?q=cuisine&offset=50").await.assert_error(400, "invalid_parameter", "offset past the 50 best");
    get(&app, "/v1/search?q=cuisine&offset=-1").await.assert_error(400, "invalid_parameter", "negative offset");
    post_json(&app, "/v1/match", &json!({"text": "cuisine", "offset": "2"})).await.assert_error(
        422,
        "invalid_json",
        "offset as a string",
    );
}

#[tokio::test]
async fn batch_answers_each_search_and_isolates_bad_items() {
    let app = app(&ServeConfig::default()).await;
    let reply = post_json(
        &app,
        "/v1/search/batch",
        &json!({"queries": [
            {"q": "boulanger", "limit": 3},
            {"q": "   "},
            {"q": "baker", "lang": "en", "taxonomy": "esco", "limit": 2},
            {"q": "boulanger", "limit": 99},
            {"q": "boulanger", "lang": "de"},
            {"q": "boulanger", "limit": 3, "offset": 1},
            {"q": "boulanger", "min_confidence": 1.0},
            "not an object"
        ]}),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let body = reply.json();
    let items = body["results"].as_array().unwrap();
    assert_eq!(items.len(), 8);
    let codes = |i: usize| -> Vec<String> {
        items[i]["results"].as_array().unwrap().iter().map(|r| r["code"].as_str().unwrap().to_string()).collect()
    };
    assert_eq!(codes(0).len(), 3);
    assert_eq!(items[1]["error"]["code"], "empty_query");
    assert!(items[1]["error"]["message"].as_str().unwrap().contains("queries[1].q"));
    assert!(items[2]["results"].as_array().unwrap().iter().all(|r| r["taxonomy"] == "esco"));
    assert_eq!(items[3]["error"]["code"], "invalid_parameter");
    assert!(items[3]["error"]["message"].as_str().unwrap().contains("queries[3].limit"));
    assert!(items[4]["error"]["message"].as_str().unwrap().contains("queries[4].lang"));
    assert_eq!(
        codes(5),
        codes(0)[1..].to_vec().into_iter().chain(std::iter::once(codes(5)[2].clone())).collect::<Vec<_>>()
    );
    assert!(items[6]["results"].as_array().unwrap().iter().all(|r| r["confidence"].as_f64().unwrap() >= 1.0));
    assert!(items[7]["error"]["message"].as_str().unwrap().contains("queries[7]"));
    assert_eq!(body["index_id"].as_str().unwrap(), reply.headers["x-index-id"].to_str().unwrap());

    // 50 searches are one call; 51 are refused whole.
    let fifty: Vec<Value> =
        (0..50).map(|i| json!({"q": if i % 2 == 0 { "boulanger" } else { "cuisinier" }, "limit": 1})).collect();
    let reply = post_json(&app, "/v1/search/batch", &json!({"queries": fifty, "context": "alimentation"})).await;
    assert_eq!(reply.status, StatusCode::OK);
    let items = reply.json()["results"].as_array().unwrap().clone();
    assert_eq!(items.len(), 50);
    assert!(items.iter().all(|i| i["results"].as_array().is_some_and(|r| r.len() == 1)));
    let fifty_one: Vec<Value> = (0..51).map(|_| json!({"q": "boulanger"})).collect();
    post_json(&app, "/v1/search/batch", &json!({"queries": fifty_one})).await.assert_error(
        400,
        "invalid_parameter",
        "51 searches",
    );
    post_json(&app, "/v1/search/batch", &json!({"queries": []})).await.assert_error(
        400,
        "invalid_parameter",
        "no search",
    );
    post_json(&app, "/v1/search/batch", &json!({})).await.assert_error(400, "invalid_parameter", "no queries");
    post_json(&app, "/v1/search/batch", &json!({"queries": [{"q": "a"}], "min_confidence": 2})).await.assert_error(
        400,
        "invalid_parameter",
        "threshold over 1",
    );
    let long_context = "x".repeat(201);
    post_json(&app, "/v1/search/batch", &json!({"queries": [{"q": "a"}], "context": long_context})).await.assert_error(
        400,
        "invalid_parameter",
        "long context",
    );
}

/// A batch takes its turns like any request, a few searches per turn: a single search sent
/// while a long batch runs is answered before the batch ends, and the batch still succeeds.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_long_batch_does_not_starve_single_searches() {
    let app = app(&ServeConfig { workers: 1, ..ServeConfig::default() }).await;
    let fifty: Vec<Value> = (0..50).map(|i| json!({"q": format!("métier numéro {i} avec les animaux")})).collect();
    let body = json!({"queries": fifty});
    let batch = async {
        let reply = post_json(&app, "/v1/search/batch", &body).await;
        (reply, std::time::Instant::now())
    };
    let single = async {
        tokio::time::sleep(Duration::from_millis(30)).await; // the batch has begun
        let reply = get(&app, "/v1/search?q=boulanger").await;
        (reply, std::time::Instant::now())
    };
    let ((batch, batch_done), (single, single_done)) = tokio::join!(batch, single);
    assert_eq!(batch.status, StatusCode::OK, "{}", batch.text());
    assert_eq!(batch.json()["results"].as_array().map(Vec::len), Some(50));
    assert_eq!(single.status, StatusCode::OK, "{}", single.text());
    assert!(single_done < batch_done, "the single search waited for the whole batch");
}

/// A request that cannot get a turn within the queue's wait is refused with 503 and
/// `Retry-After`, not left waiting until its timeout.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_request_that_waits_too_long_for_its_turn_is_refused_with_retry_after() {
    let app = app(&ServeConfig { workers: 1, queue_wait_ms: 1, ..ServeConfig::default() }).await;
    let fifty: Vec<Value> = (0..50).map(|i| json!({"q": format!("métier numéro {i} avec les animaux")})).collect();
    let body = json!({"queries": fifty});
    let batch = post_json(&app, "/v1/search/batch", &body);
    // Three tries while the batch runs: one that lands in the instant between two of the
    // batch's turns may get the worker.
    let singles = async {
        let mut replies = Vec::new();
        for _ in 0..3 {
            tokio::time::sleep(Duration::from_millis(30)).await;
            replies.push(get(&app, "/v1/search?q=boulanger").await);
        }
        replies
    };
    let (batch, singles) = tokio::join!(batch, singles);
    assert_eq!(batch.status, StatusCode::OK, "a batch that has begun finishes: {}", batch.text());
    let refused: Vec<&Reply> = singles.iter().filter(|r| r.status.as_u16() == 503).collect();
    assert!(!refused.is_empty(), "no search was refused while the only worker was busy");
    for r in refused {
        r.assert_error(503, "overloaded", "no turn within 1 ms");
        assert!(r.headers.get(header::RETRY_AFTER).is_some(), "Retry-After on 503");
    }
    assert!(singles.iter().all(|r| matches!(r.status.as_u16(), 200 | 503)));
}

// One card per métier, skills covered / to learn, ONISEP links (issue 11).

/// Results of an answer as (taxonomy, code) pairs.
fn ids(v: &Value) -> Vec<(String, String)> {
    v["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            (r["taxonomy"].as_str().unwrap_or_default().to_string(), r["code"].as_str().unwrap_or_default().to_string())
        })
        .collect()
}

fn result<'a>(v: &'a Value, code: &str) -> Option<&'a Value> {
    v["results"].as_array().and_then(|r| r.iter().find(|r| r["code"] == code))
}

#[tokio::test]
async fn group_metier_merges_a_rome_fiche_and_its_esco_equivalents() {
    let app = app(&ServeConfig::default()).await;
    // The default shape is unchanged: separate ROME and ESCO results, no `equivalents`.
    let plain = get(&app, "/v1/search?q=boulanger&limit=10").await.json();
    let baker = result(&plain, ESCO_BAKER).expect("ESCO baker alone by default").clone();
    let fiche = result(&plain, "D1102").expect("D1102 by default").clone();
    assert!(plain["results"].as_array().unwrap().iter().all(|r| r.get("equivalents").is_none()), "{plain}");
    assert!(plain["results"].as_array().unwrap().iter().all(|r| r.get("skills_covered").is_none()), "{plain}");
    // Labels of both taxonomies are displayed by one rule.
    assert_eq!(baker["label"], "Boulanger / Boulangère", "{baker}");
    assert_eq!(fiche["label"], "Boulanger / Boulangère", "{fiche}");

    let r = get(&app, "/v1/search?q=boulanger&limit=10&group=metier").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let grouped = r.json();
    let merged = result(&grouped, "D1102").expect("D1102 heads the métier");
    assert_eq!(merged["taxonomy"], "rome");
    assert!(result(&grouped, ESCO_BAKER).is_none(), "no separate ESCO card: {grouped}");
    let equivalents = merged["equivalents"].as_array().expect("equivalents");
    let eq = equivalents.iter().find(|e| e["code"] == ESCO_BAKER).expect("ESCO baker is an equivalent");
    assert_eq!(eq["taxonomy"], "esco");
    assert_eq!(eq["relation"], "exact");
    assert_eq!(eq["label"], "Boulanger / Boulangère");
    assert!(
        equivalents.len() <= 6 && equivalents.iter().all(|e| e["relation"] == "exact" || e["relation"] == "close"),
        "{merged}"
    );
    // The merged result scores its best member's score.
    let best = baker["score"].as_f64().unwrap().max(fiche["score"].as_f64().unwrap());
    assert!((merged["score"].as_f64().unwrap() - best).abs() < 1e-5, "{merged} vs {best}");
    let first = ids(&grouped);
    let mut seen = std::collections::HashSet::new();
    assert!(first.iter().all(|id| seen.insert(id.clone())), "each result once: {first:?}");
    // Every result in grouped mode lists its equivalents, possibly none.
    assert!(grouped["results"].as_array().unwrap().iter().all(|r| r["equivalents"].is_array()), "{grouped}");
    assert_eq!(
        get(&app, "/v1/search?q=boulanger&group=occupation").await.json()["results"],
        get(&app, "/v1/search?q=boulanger").await.json()["results"]
    );

    // The taxonomy filter still holds; equivalents still name the other taxonomy.
    let esco = get(&app, "/v1/search?q=boulanger&group=metier&taxonomy=esco").await.json();
    assert!(ids(&esco).iter().all(|(t, _)| t == "esco"), "{esco}");
    let baker = result(&esco, ESCO_BAKER).expect("ESCO baker with taxonomy=esco");
    assert!(
        baker["equivalents"].as_array().unwrap().iter().any(|e| e["code"] == "D1102" && e["taxonomy"] == "rome"),
        "{baker}"
    );
    let rome = get(&app, "/v1/search?q=boulanger&group=metier&taxonomy=rome").await.json();
    assert!(ids(&rome).iter().all(|(t, _)| t == "rome"), "{rome}");
    assert_eq!(ids(&rome)[0].1, "D1102");

    // In English the ESCO occupation heads the métier.
    let en = get(&app, "/v1/search?q=baker&lang=en&group=metier").await.json();
    let baker = result(&en, ESCO_BAKER).expect("ESCO baker heads in English");
    assert!(result(&en, "D1102").is_none(), "{en}");
    assert!(baker["equivalents"].as_array().unwrap().iter().any(|e| e["code"] == "D1102"), "{baker}");

    // Profile matching groups the same way.
    let v = post_json(&app, "/v1/match", &json!({ "skills": [KNEADING], "limit": 5, "group": "metier" })).await.json();
    let merged = result(&v, "D1102").expect("D1102 in the match");
    assert!(merged["equivalents"].as_array().unwrap().iter().any(|e| e["code"] == ESCO_BAKER), "{merged}");
    assert!(result(&v, ESCO_BAKER).is_none(), "{v}");
    let v = post_json(&app, "/v1/match", &json!({ "skills": [KNEADING], "limit": 5, "group": "" })).await.json();
    assert!(
        v["results"].as_array().unwrap().iter().all(|r| r.get("equivalents").is_none()),
        "blank group: the default"
    );

    get(&app, "/v1/search?q=boulanger&group=metiers").await.assert_error(400, "invalid_parameter", "unknown group");
    post_json(&app, "/v1/match", &json!({ "text": "boulanger", "group": "Metier" })).await.assert_error(
        400,
        "invalid_parameter",
        "unknown group",
    );
    post_json(&app, "/v1/match", &json!({ "text": "boulanger", "group": 1 })).await.assert_error(
        422,
        "invalid_json",
        "group of the wrong type",
    );
}

#[tokio::test]
async fn match_and_detail_tell_skills_covered_and_to_learn() {
    let app = app(&ServeConfig::default()).await;
    let labels = |v: &Value| -> Vec<String> {
        v.as_array().expect("a list").iter().map(|s| s["label"].as_str().unwrap_or_default().to_string()).collect()
    };
    let v = post_json(&app, "/v1/match", &json!({ "skills": [KNEADING], "taxonomy": "rome", "limit": 5 })).await.json();
    let first = &v["results"][0];
    assert_eq!(first["code"], "D1102", "{v}");
    let covered = labels(&first["skills_covered"]);
    let to_learn = labels(&first["skills_to_learn"]);
    assert!(covered.contains(&KNEADING.to_string()), "{first}");
    assert!(!to_learn.contains(&KNEADING.to_string()) && !to_learn.is_empty(), "{first}");
    assert!(covered.len() <= 8 && to_learn.len() <= 8, "{first}");
    for item in first["skills_covered"].as_array().unwrap().iter().chain(first["skills_to_learn"].as_array().unwrap()) {
        for key in ["code", "label", "kind"] {
            assert!(item.get(key).is_some(), "skill lacks {key}: {item}");
        }
    }
    // Every match result says it, even when nothing is covered.
    assert!(
        v["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["skills_covered"].is_array() && r["skills_to_learn"].is_array()),
        "{v}"
    );
    // A typed item covers a skill whose label it matches word by word.
    let v =
        post_json(&app, "/v1/match", &json!({ "skills": ["pétrir"], "taxonomy": "rome", "limit": 10 })).await.json();
    let fiche = result(&v, "D1102").expect("D1102 for pétrir");
    assert!(labels(&fiche["skills_covered"]).contains(&KNEADING.to_string()), "{fiche}");

    // The detail page with a profile (repeated `skill`).
    let encoded: String = KNEADING.replace(' ', "+");
    let r = get(&app, &format!("/v1/occupations/rome/D1102?skill={encoded}&skill=zzzq")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let d = r.json();
    assert!(labels(&d["skills_covered"]).contains(&KNEADING.to_string()), "{d}");
    assert!(!labels(&d["skills_to_learn"]).contains(&KNEADING.to_string()), "{d}");
    let essential = labels(&d["skills"]["essential"]);
    assert!(
        labels(&d["skills_covered"]).iter().chain(&labels(&d["skills_to_learn"])).all(|l| essential.contains(l)),
        "{d}"
    );
    // Free text names skills too; without a profile the fields are absent.
    let d = get(&app, "/v1/occupations/rome/D1102?text=je+sais+p%C3%A9trir+des+p%C3%A2tes").await.json();
    assert!(d["skills_covered"].is_array() && d["skills_to_learn"].is_array(), "{d}");
    let d = get(&app, "/v1/occupations/rome/D1102").await.json();
    assert!(d.get("skills_covered").is_none() && d.get("skills_to_learn").is_none(), "{d}");
    let d = get(&app, "/v1/occupations/rome/D1102?skill=").await.json();
    assert!(d.get("skills_covered").is_none(), "an empty skill is no profile: {d}");

    // Bounded like /v1/match items.
    let many: String = (0..51).map(|i| format!("skill=s{i}")).collect::<Vec<_>>().join("&");
    get(&app, &format!("/v1/occupations/rome/D1102?{many}")).await.assert_error(400, "invalid_parameter", "51 skills");
    let fifty: String = (0..50).map(|i| format!("skill=s{i}")).collect::<Vec<_>>().join("&");
    assert_eq!(get(&app, &format!("/v1/occupations/rome/D1102?{fifty}")).await.status, StatusCode::OK);
    let long = "x".repeat(300);
    get(&app, &format!("/v1/occupations/rome/D1102?skill={long}")).await.assert_error(
        400,
        "invalid_parameter",
        "long skill",
    );
    let long = "x".repeat(501);
    get(&app, &format!("/v1/occupations/rome/D1102?text={long}")).await.assert_error(
        400,
        "query_too_long",
        "long text",
    );
    get(&app, "/v1/occupations/rome/D1102?lang=fr&lang=en").await.assert_error(
        400,
        "invalid_parameter",
        "other parameters stay single",
    );
}

#[tokio::test]
async fn detail_links_the_onisep_pages() {
    let app = app(&ServeConfig::default()).await;
    let d = get(&app, "/v1/occupations/rome/D1102").await.json();
    let onisep = d["onisep"].as_array().expect("onisep");
    let page = onisep
        .iter()
        .find(|o| o["url"] == "http://www.onisep.fr/http/redirection/metier/slug/MET.17")
        .unwrap_or_else(|| panic!("the boulanger page: {d}"));
    assert_eq!(page["title"], "Boulanger / Boulangère");
    assert!(onisep.iter().all(|o| o["url"].as_str().is_some_and(|u| u.starts_with("http://www.onisep.fr/"))), "{d}");
    let d = get(&app, &format!("/v1/occupations/esco/{BAKER_UUID}")).await.json();
    assert_eq!(d["onisep"], json!([]), "ESCO occupations have no ONISEP page");

    // The OpenAPI document describes the new parameters and fields.
    let doc = get(&app, "/openapi.json").await.json();
    let params = |path: &str| -> Vec<String> {
        doc["paths"][path]["get"]["parameters"]
            .as_array()
            .expect("parameters")
            .iter()
            .map(|p| p["name"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    assert!(params("/v1/search").contains(&"group".to_string()), "{}", doc["paths"]["/v1/search"]);
    let detail = params("/v1/occupations/{taxonomy}/{code}");
    assert!(detail.contains(&"skill".to_string()) && detail.contains(&"text".to_string()), "{detail:?}");
    let schema = |path: &str, name: &str| {
        doc["paths"][path]["get"]["parameters"].as_array().unwrap().iter().find(|p| p["name"] == name).unwrap()
            ["schema"]
            .clone()
    };
    assert_eq!(schema("/v1/search", "group")["enum"], json!(["occupation", "metier", ""]));
    let skill = schema("/v1/occupations/{taxonomy}/{code}", "skill");
    assert_eq!(
        (skill["type"].clone(), skill["maxItems"].clone(), skill["items"]["maxLength"].clone()),
        (json!("array"), json!(50), json!(256))
    );
    let schemas = &doc["components"]["schemas"];
    for (schema, field) in [
        ("OccupationHit", "equivalents"),
        ("OccupationHit", "skills_covered"),
        ("OccupationHit", "skills_to_learn"),
        ("OccupationBody", "onisep"),
        ("OccupationBody", "skills_covered"),
        ("OccupationBody", "skills_to_learn"),
        ("MatchRequest", "group"),
        ("OnisepItem", "url"),
    ] {
        assert!(schema_property(&doc, schema, field).is_object(), "{schema}.{field}: {}", schemas[schema]);
    }
}

/// A page (`limit`, `offset`) is read by one rule on every route that ranks: the same bad value
/// gets the same code and message from `/v1/search`, `/v1/match` and a batch item; a batch item
/// reads its fields as `/v1/match` reads its body (a wrong type is `invalid_json`, named).
#[tokio::test]
async fn paging_is_validated_once_the_same_way_on_every_route() {
    let app = app(&ServeConfig::default()).await;
    for (limit, offset, wrong) in
        [(0, 0, "limit"), (51, 0, "limit"), (-3, 0, "limit"), (5, 50, "offset"), (5, -1, "offset")]
    {
        let expected = if wrong == "limit" {
            format!("limit must be an integer between 1 and 50, got {limit}")
        } else {
            format!("offset must be an integer between 0 and 49, got {offset}")
        };
        let batch = post_json(
            &app,
            "/v1/search/batch",
            &json!({"queries": [{"q": "boulanger", "limit": limit, "offset": offset}]}),
        )
        .await;
        let item = &batch.json()["results"][0]["error"];
        assert_eq!(item["code"], "invalid_parameter", "{item}");
        assert_eq!(item["message"], format!("queries[0].{wrong}: {expected}"));
        let profile =
            post_json(&app, "/v1/match", &json!({"text": "boulanger", "limit": limit, "offset": offset})).await;
        profile.assert_error(400, "invalid_parameter", &expected);
        assert_eq!(profile.json()["error"]["message"], expected);
        if limit >= 0 && offset >= 0 {
            let search = get(&app, &format!("/v1/search?q=boulanger&limit={limit}&offset={offset}")).await;
            search.assert_error(400, "invalid_parameter", &expected);
            assert_eq!(search.json()["error"]["message"], expected);
        }
    }
    let batch =
        post_json(&app, "/v1/search/batch", &json!({"queries": [{"q": 5}, {"q": "boulanger", "lang": 1}]})).await;
    for (i, field) in [(0, "q"), (1, "lang")] {
        let error = &batch.json()["results"][i]["error"];
        assert_eq!(error["code"], "invalid_json", "{error}");
        assert!(
            error["message"].as_str().unwrap().starts_with(&format!("queries[{i}].{field}: wrong type")),
            "{error}"
        );
    }
    post_json(&app, "/v1/match", &json!({"text": "boulanger", "lang": 1})).await.assert_error(
        422,
        "invalid_json",
        "`lang`",
    );
}

/// A batch whose request timed out stops between searches and gives its worker back, instead of
/// computing answers nobody will read.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_abandoned_batch_stops_and_frees_its_slots() {
    let config = ServeConfig { workers: 1, request_timeout_ms: 60, ..ServeConfig::default() };
    let app = app(&config).await;
    // 50 distinct searches: several hundred ms of work, far past the 60 ms budget.
    let queries: Vec<Value> =
        (0..50).map(|i| json!({"q": format!("métier numéro {i} avec les animaux"), "limit": 50})).collect();
    post_json(&app, "/v1/search/batch", &json!({"queries": queries})).await.assert_error(
        504,
        "timeout",
        "the batch times out",
    );
    let gave_up = std::time::Instant::now();
    // The batch held the only worker; once its turn ends it stops, and a search gets the
    // worker again (before that, searches time out waiting: 504). The whole batch would run
    // for seconds.
    loop {
        let reply = get(&app, "/v1/search?q=boulanger").await;
        if reply.status == StatusCode::OK {
            break;
        }
        assert!(matches!(reply.status.as_u16(), 503 | 504), "{}", reply.text());
        assert!(gave_up.elapsed() < Duration::from_millis(600), "the abandoned batch kept running");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// `boussole query --json` prints the API's answer: same fields, same results, same numbers.
#[tokio::test]
async fn the_cli_prints_the_api_json_shape() {
    let app = app(&ServeConfig::default()).await;
    let api = get(&app, "/v1/search?q=boulanger&limit=3").await.json();
    let output = tokio::task::spawn_blocking(|| {
        std::process::Command::new(env!("CARGO_BIN_EXE_boussole"))
            .args(["query", "--json", "--limit", "3", "--index"])
            .arg(common::fixture_index_dir())
            .arg("--model")
            .arg(common::model_dir())
            .arg("boulanger")
            .env("BOUSSOLE_LOG", "error")
            .output()
            .expect("run boussole query")
    })
    .await
    .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let mut cli: Value = serde_json::from_slice(&output.stdout).expect("JSON on stdout");
    let mut api = api;
    for answer in [&mut cli, &mut api] {
        assert!(answer["took_ms"].is_u64(), "{answer}");
        answer["took_ms"] = json!(0);
    }
    assert_eq!(cli["results"].as_array().map(Vec::len), Some(3));
    assert_eq!(cli, api, "the command line prints what the API answers");
}

/// A RIASEC-only profile has no judged data to calibrate against: its confidence is null,
/// not a number that would look meaningful.
#[tokio::test]
async fn a_riasec_only_profile_has_no_confidence() {
    let app = app(&ServeConfig::default()).await;
    let reply = post_json(&app, "/v1/match", &json!({"riasec": {"R": 0.9, "C": 0.6}})).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let results = reply.json()["results"].as_array().unwrap().clone();
    assert!(!results.is_empty());
    assert!(results.iter().all(|r| r.get("confidence") == Some(&Value::Null)), "{results:?}");
    let with_text =
        post_json(&app, "/v1/match", &json!({"text": "réparer des moteurs", "riasec": {"R": 0.9}})).await.json();
    assert!(with_text["results"].as_array().unwrap().iter().all(|r| r["confidence"].is_number()));
}

/// One table of error codes: the OpenAPI enum, the web client's module and the table of
/// `docs/api.md` (section Errors) list exactly `ErrorCode::ALL`, with its statuses.
#[tokio::test]
async fn error_codes_are_one_table_for_the_spec_the_client_and_the_docs() {
    use boussole::api::ErrorCode;
    let all: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
    let app = app(&ServeConfig::default()).await;

    let spec = get(&app, "/openapi.json").await.json();
    let schema = &spec["components"]["schemas"]["ErrorCode"];
    let listed: Vec<&str> = schema["enum"]
        .as_array()
        .unwrap_or_else(|| panic!("ErrorCode enum: {schema}"))
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(listed, all);

    let js = get(&app, "/static/js/error-codes.js").await;
    assert_eq!(js.status, StatusCode::OK);
    assert!(js.content_type().starts_with("text/javascript"));
    let module = js.text();
    for code in ErrorCode::ALL {
        assert!(module.contains(&format!("{code:?}: '{}'", code.as_str())), "{module}");
    }

    let doc = std::fs::read_to_string(common::root().join("docs/api.md")).unwrap();
    let table = doc.split("| status | code | when |").nth(1).expect("the errors table");
    let mut rows: Vec<(String, String)> = Vec::new();
    for line in table.lines().skip(2).take_while(|l| l.starts_with('|')) {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        rows.push((cells[2].trim_matches('`').to_string(), cells[1].to_string()));
    }
    let codes: Vec<&str> = rows.iter().map(|(c, _)| c.as_str()).collect();
    let mut sorted_rows = codes.clone();
    sorted_rows.sort();
    let mut sorted_all = all.clone();
    sorted_all.sort();
    assert_eq!(sorted_rows, sorted_all, "docs/api.md lists every code once");
    for (code, status) in &rows {
        let c = ErrorCode::ALL.iter().find(|c| c.as_str() == code).unwrap();
        assert!(
            status.split(" / ").any(|s| s == c.status().as_str()),
            "{code}: docs/api.md says {status}, the code {}",
            c.status()
        );
    }
}

/// A batch item may ask for one card per métier, like `/v1/search`.
#[tokio::test]
async fn batch_items_may_group_by_metier() {
    let app = app(&ServeConfig::default()).await;
    let body = json!({"queries": [
        {"q": "boulanger", "limit": 5, "group": "metier"},
        {"q": "boulanger", "limit": 5},
        {"q": "boulanger", "group": "métier"}
    ]});
    let reply = post_json(&app, "/v1/search/batch", &body).await.json();
    let items = reply["results"].as_array().unwrap();
    let grouped = get(&app, "/v1/search?q=boulanger&limit=5&group=metier").await.json();
    assert_eq!(items[0]["results"], grouped["results"], "the same cards as the search");
    assert!(items[0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r.get("equivalents").is_some_and(|e| !e.as_array().unwrap().is_empty())));
    assert!(items[1]["results"].as_array().unwrap().iter().all(|r| r.get("equivalents").is_none()));
    assert!(items[2]["error"]["message"].as_str().unwrap().contains("queries[2].group"));
}

// ---------------------------------------------------------------------------------------------
// Facets, intent and filters.

/// ROME's "Travail les week-ends et jours fériés" and "Travail de nuit" (code_ogr 23376, 300803).
const WEEKENDS: &str = "ctx-23376";
const NIGHTS: &str = "ctx-300803";

#[tokio::test]
async fn facets_are_listed_with_french_and_english_labels() {
    let app = app(&ServeConfig::default()).await;
    let r = get(&app, "/v1/facets").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let v = r.json();
    let results = v["results"].as_array().expect("results");
    assert!(results.len() >= 170, "every ROME context and level: {}", results.len());
    let weekends = results.iter().find(|f| f["id"] == WEEKENDS).expect("weekends facet");
    assert_eq!(weekends["kind"], "context");
    assert!(weekends["label"]["fr"].as_str().is_some_and(|l| !l.is_empty()), "{weekends}");
    assert!(weekends["label"]["en"].as_str().is_some_and(|l| !l.is_empty()), "{weekends}");
    assert!(weekends["occupations"].as_u64().is_some_and(|n| n > 0), "fixture fiches carry it: {weekends}");
    let levels: Vec<&str> = results.iter().filter(|f| f["kind"] == "level").filter_map(|f| f["id"].as_str()).collect();
    assert_eq!(levels, ["level-none", "level-cap", "level-bac", "level-bac2", "level-bac3", "level-bac5"]);
    assert!(results.iter().all(|f| f["kind"] != "none" && f["kind"] != "intent"), "only filterable facets");
}

#[tokio::test]
async fn results_carry_facets_and_filters_require_exclude_and_cap_the_level() {
    let app = app(&ServeConfig::default()).await;
    let all = get(&app, "/v1/search?q=travailler%20avec%20des%20animaux&taxonomy=rome&limit=20").await.json();
    let results = all["results"].as_array().expect("results");
    assert!(results.iter().all(|r| r["facets"].is_array()), "facets on every result: {all}");
    assert!(results.iter().any(|r| r["facets"].as_array().is_some_and(|f| f.iter().any(|x| x == WEEKENDS))));
    let has = |r: &Value, id: &str| r["facets"].as_array().is_some_and(|f| f.iter().any(|x| x == id));

    let required =
        get(&app, &format!("/v1/search?q=travailler%20avec%20des%20animaux&taxonomy=rome&limit=20&require={WEEKENDS}"))
            .await;
    assert_eq!(required.status, StatusCode::OK, "{}", required.text());
    let required = required.json();
    let kept = required["results"].as_array().expect("results");
    assert!(!kept.is_empty() && kept.iter().all(|r| has(r, WEEKENDS)), "require keeps only weekend work: {required}");

    let excluded = get(
        &app,
        &format!("/v1/search?q=travailler%20avec%20des%20animaux&taxonomy=rome&limit=20&exclude={WEEKENDS},{NIGHTS}"),
    )
    .await
    .json();
    let kept = excluded["results"].as_array().expect("results");
    assert!(!kept.is_empty(), "{excluded}");
    assert!(kept.iter().all(|r| !has(r, WEEKENDS) && !has(r, NIGHTS)), "exclude drops them: {excluded}");

    let capped = get(&app, "/v1/search?q=soigner%20les%20gens&limit=20&max_level=cap").await.json();
    for r in capped["results"].as_array().expect("results") {
        assert!(
            r["entry_level"].is_null() || matches!(r["entry_level"].as_str(), Some("none" | "cap")),
            "max_level=cap keeps what a CAP reaches: {r}"
        );
    }

    // The same filters on /v1/match and batch items.
    let m =
        post_json(&app, "/v1/match", &json!({"text": "les animaux", "taxonomy": "rome", "exclude": [WEEKENDS]})).await;
    assert_eq!(m.status, StatusCode::OK, "{}", m.text());
    assert!(m.json()["results"].as_array().expect("results").iter().all(|r| !has(r, WEEKENDS)));
    let b = post_json(
        &app,
        "/v1/search/batch",
        &json!({"queries": [{"q": "les animaux", "taxonomy": "rome", "require": [WEEKENDS]}, {"q": "x", "require": ["nope"]}]}),
    )
    .await;
    assert_eq!(b.status, StatusCode::OK, "{}", b.text());
    let b = b.json();
    assert!(b["results"][0]["results"].as_array().expect("item results").iter().all(|r| has(r, WEEKENDS)), "{b}");
    assert_eq!(b["results"][1]["error"]["code"], "invalid_parameter", "{b}");
    assert!(b["results"][1]["error"]["message"]
        .as_str()
        .is_some_and(|m| m.contains("queries[1]") && m.contains("nope")));

    // Unknown ids and levels are named.
    let bad = get(&app, "/v1/search?q=chat&require=ctx-nope").await;
    bad.assert_error(400, "invalid_parameter", "unknown facet");
    assert!(bad.text().contains("ctx-nope") && bad.text().contains("require"), "{}", bad.text());
    get(&app, "/v1/search?q=chat&max_level=master").await.assert_error(400, "invalid_parameter", "unknown level");
    // An empty item means nothing (as `max_level=` does), and the spec says so.
    assert_eq!(get(&app, "/v1/search?q=chat&require=&exclude=").await.status, StatusCode::OK);
    let spec = get(&app, "/openapi.json").await.json();
    let require = spec["paths"]["/v1/search"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "require")
        .unwrap()["schema"]["items"]
        .clone();
    let ids = require["enum"].as_array().unwrap_or_else(|| panic!("{require}"));
    assert!(ids.contains(&json!("level-cap")) && ids.contains(&json!("")), "{require}");
    post_json(&app, "/v1/match", &json!({"text": "chat", "exclude": "ctx-23376"})).await.assert_error(
        422,
        "invalid_json",
        "exclude must be an array",
    );
}

#[tokio::test]
async fn the_intent_says_what_a_query_rules_out_in_french_and_english() {
    let app = app(&ServeConfig::default()).await;
    let fr = get(&app, "/v1/search?q=cuisinier%20mais%20pas%20le%20week-end&taxonomy=rome").await.json();
    assert!(fr["intent"]["avoided"].as_array().is_some_and(|a| a.iter().any(|x| x == WEEKENDS)), "{}", fr["intent"]);
    let en =
        get(&app, "/v1/search?q=I%20want%20to%20cook%20but%20I%20don%27t%20want%20to%20work%20weekends&taxonomy=rome")
            .await
            .json();
    assert!(en["intent"]["avoided"].as_array().is_some_and(|a| a.iter().any(|x| x == WEEKENDS)), "{}", en["intent"]);
    // A ruled-out facet demotes the fiches that have it, and a result says it lacks it.
    let plain = get(&app, "/v1/search?q=I%20want%20to%20cook&taxonomy=rome&limit=50").await.json();
    let negated = get(
        &app,
        "/v1/search?q=I%20want%20to%20cook%20but%20I%20don%27t%20want%20to%20work%20weekends&taxonomy=rome&limit=50",
    )
    .await
    .json();
    let weekend_ranks = |v: &Value| -> Vec<usize> {
        v["results"]
            .as_array()
            .expect("results")
            .iter()
            .enumerate()
            .filter(|(_, r)| r["facets"].as_array().is_some_and(|f| f.iter().any(|x| x == WEEKENDS)))
            .map(|(i, _)| i)
            .collect()
    };
    let mean = |r: &[usize]| r.iter().sum::<usize>() as f64 / r.len().max(1) as f64;
    assert!(
        mean(&weekend_ranks(&negated)) > mean(&weekend_ranks(&plain)),
        "weekend fiches move down: {:?} vs {:?}",
        weekend_ranks(&negated),
        weekend_ranks(&plain)
    );
    let lacks = negated["results"].as_array().expect("results").iter().find(|r| {
        !weekend_ranks(&negated).is_empty()
            && r["matched"].as_array().is_some_and(|m| m.iter().any(|e| e["kind"] == "avoided"))
    });
    assert!(lacks.is_some(), "a result explains it has no weekend work: {negated}");
    let blood =
        get(&app, "/v1/search?q=I%20like%20helping%20people%20but%20I%20can%27t%20stand%20blood&limit=20").await;
    assert_eq!(blood.status, StatusCode::OK, "{}", blood.text());
    let night = get(&app, "/v1/search?q=boulanger%20mais%20jamais%20de%20nuit&taxonomy=rome").await.json();
    assert!(
        night["intent"]["avoided"].as_array().is_some_and(|a| a.iter().any(|x| x == NIGHTS)),
        "{}",
        night["intent"]
    );
}

#[tokio::test]
async fn undecided_queries_are_flagged_and_answered_with_broad_ideas_not_word_matches() {
    let app = app(&ServeConfig::default()).await;
    for q in ["je sais pas quoi faire plus tard", "aucune idée de métier", "no idea what job I want"] {
        let v = get(&app, &format!("/v1/search?q={}", q.replace(' ', "%20"))).await.json();
        assert_eq!(v["intent"]["undecided"], true, "{q}: {}", v["intent"]);
        assert!(!v["results"].as_array().expect("results").is_empty(), "{q}: broad ideas are offered");
    }
    let v = get(&app, "/v1/search?q=boulanger").await.json();
    assert_eq!(v["intent"]["undecided"], false, "{}", v["intent"]);
}

/// Answers (JSON and the page's files) are compressed when the client accepts it, gzip or
/// brotli, and sent plain otherwise; caches are told the answer varies with the encoding.
#[tokio::test]
async fn answers_are_compressed_for_clients_that_accept_it() {
    use std::io::Read as _;
    let app = app(&ServeConfig::default()).await;
    let fetch = |uri: &'static str, accept: &'static str| {
        let app = app.clone();
        async move {
            let req = Request::get(uri).header(header::ACCEPT_ENCODING, accept).body(Body::empty()).unwrap();
            let res = app.oneshot(req).await.unwrap();
            let headers = res.headers().clone();
            (headers, to_bytes(res.into_body(), 1 << 22).await.unwrap().to_vec())
        }
    };
    for uri in ["/v1/search?q=boulanger&limit=20", "/static/style.css", "/openapi.json"] {
        let (plain_headers, plain) = fetch(uri, "identity").await;
        assert!(plain_headers.get(header::CONTENT_ENCODING).is_none(), "{uri}: identity asked");
        let (headers, gz) = fetch(uri, "gzip").await;
        assert_eq!(headers[header::CONTENT_ENCODING], "gzip", "{uri}");
        assert!(headers[header::VARY].to_str().unwrap().to_ascii_lowercase().contains("accept-encoding"), "{uri}");
        let mut unzipped = Vec::new();
        flate2::read::GzDecoder::new(gz.as_slice()).read_to_end(&mut unzipped).unwrap();
        assert!(gz.len() * 2 < plain.len(), "{uri}: {} bytes gzipped from {}", gz.len(), plain.len());
        if uri.starts_with("/v1/") {
            // Same answer, but for the time it took.
            let (mut a, mut b): (Value, Value) =
                (serde_json::from_slice(&unzipped).unwrap(), serde_json::from_slice(&plain).unwrap());
            a["took_ms"] = Value::Null;
            b["took_ms"] = Value::Null;
            assert_eq!(a, b, "{uri}");
        } else {
            assert_eq!(unzipped, plain, "{uri}");
        }
        let (headers, _) = fetch(uri, "br;q=1.0, gzip;q=0.5").await;
        assert_eq!(headers[header::CONTENT_ENCODING], "br", "{uri}");
    }
}

/// `/metrics` shows how long requests waited for a worker, so the queue's limits can be set
/// from what a deployment sees.
#[tokio::test]
async fn metrics_show_the_wait_for_a_worker() {
    let app = app(&ServeConfig::default()).await;
    assert_eq!(get(&app, "/v1/search?q=boulanger").await.status, StatusCode::OK);
    let text = get(&app, "/metrics").await.text();
    let count = text
        .lines()
        .find(|l| l.starts_with("boussole_queue_wait_seconds_count"))
        .and_then(|l| l.split_whitespace().last())
        .and_then(|v| v.parse::<f64>().ok());
    assert_eq!(count, Some(1.0), "{text}");
    assert!(text.contains("boussole_queue_wait_seconds_bucket{le=\"0.001\"}"), "{text}");
}

#[tokio::test]
async fn a_title_reported_by_us_workers_finds_its_esco_occupation_and_says_so() {
    let app = app(&ServeConfig::default()).await;
    let v = get(&app, "/v1/search?q=doctor%20of%20veterinary%20medicine&lang=en&taxonomy=esco").await.json();
    let first = &v["results"][0];
    assert!(first["label"].as_str().is_some_and(|l| l.to_lowercase().contains("veterinarian")), "{v}");
    let matched = first["matched"].as_array().expect("matched");
    assert!(
        matched.iter().any(|m| m["kind"] == "onet_reported" && m["text"] == "Doctor of Veterinary Medicine (DVM)"),
        "the explanation names the O*NET title and its kind: {first}"
    );
    // The kinds are documented in the spec's description of `kind`.
    let spec = get(&app, "/openapi.json").await.text();
    assert!(spec.contains("onet_reported") && spec.contains("onet_alternate"));
}
