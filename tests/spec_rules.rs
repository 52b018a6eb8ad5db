//! Rules the OpenAPI document states in words rather than in schema constructs client generators
//! cannot read (`scripts/clients.sh` checks that they take the document): the server enforces
//! each with a 400 whose message names the rule, and the document quotes that message. Also:
//! what the document marks optional, the server answers without.

mod common;

use common::server::engine;

use axum::body::{to_bytes, Body};
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use boussole::api::{router, ServeConfig};
use boussole::search::LiveEngine;
use serde_json::{json, Value};
use tower::ServiceExt;

async fn app() -> Router {
    router(LiveEngine::fixed(engine().await), &ServeConfig::default())
}

/// Status and JSON body of one in-process request.
async fn call(app: &Router, method: Method, uri: &str, body: Option<&Value>) -> (StatusCode, Value) {
    let mut req = Request::builder().method(method).uri(uri);
    if body.is_some() {
        req = req.header(header::CONTENT_TYPE, "application/json");
    }
    let body = body.map(|b| Body::from(b.to_string())).unwrap_or_else(Body::empty);
    let res = app.clone().oneshot(req.body(body).expect("request")).await.expect("infallible");
    let status = res.status();
    let bytes = to_bytes(res.into_body(), 16 << 20).await.expect("body");
    let value = serde_json::from_slice(&bytes)
        .unwrap_or_else(|e| panic!("{uri}: not JSON ({e}): {}", String::from_utf8_lossy(&bytes)));
    (status, value)
}

/// The description of property `field` of `MatchRequest` (own or of an `allOf` part).
fn match_field_description(doc: &Value, field: &str) -> String {
    let schema = &doc["components"]["schemas"]["MatchRequest"];
    let parts = schema["allOf"].as_array().cloned().unwrap_or_default();
    std::iter::once(schema)
        .chain(parts.iter())
        .find_map(|p| p["properties"][field]["description"].as_str())
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn a_profile_must_say_something_and_the_document_quotes_the_refusal() {
    let app = app().await;
    let (_, doc) = call(&app, Method::GET, "/openapi.json", None).await;
    let body = &doc["components"]["schemas"]["MatchRequest"];
    assert!(body.get("anyOf").is_none(), "a rule in words, not an anyOf generators drop: {body}");
    let description = body["description"].as_str().expect("MatchRequest is described");

    let mut messages = Vec::new();
    for profile in [
        json!({}),
        json!({"text": "  \t"}),
        json!({"text": null, "skills": null, "interests": null, "riasec": null}),
        json!({"skills": [], "interests": []}),
        json!({"skills": [" "], "interests": [""], "lang": "en", "limit": 3}),
    ] {
        let (status, v) = call(&app, Method::POST, "/v1/match", Some(&profile)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{profile}: {v}");
        assert_eq!(v["error"]["code"], "empty_query", "{profile}: {v}");
        let message = v["error"]["message"].as_str().expect("message").to_string();
        for word in ["`text`", "`skills`", "`interests`", "`riasec`", "blank"] {
            assert!(message.contains(word), "{profile}: the message names the rule ({word}): {message}");
        }
        messages.push(message);
    }
    messages.dedup();
    assert_eq!(messages.len(), 1, "one message for one rule: {messages:?}");
    assert!(description.contains(&messages[0]), "the document quotes the refusal `{}`: {description}", messages[0]);

    // Any one of the four is enough.
    for profile in [
        json!({"text": "boulanger"}),
        json!({"skills": ["", "Pétrir manuellement ou mécaniquement des pâtes"]}),
        json!({"interests": ["J'ai le sens des affaires"]}),
        json!({"riasec": {"S": 1}}),
    ] {
        let (status, v) = call(&app, Method::POST, "/v1/match", Some(&profile)).await;
        assert_eq!(status, StatusCode::OK, "{profile}: {v}");
    }
}

#[tokio::test]
async fn a_riasec_profile_needs_a_score_above_zero() {
    let app = app().await;
    let (_, doc) = call(&app, Method::GET, "/openapi.json", None).await;
    let riasec = &match_field_description(&doc, "riasec");
    for profile in [
        json!({"riasec": {}}),
        json!({"riasec": {"R": 0, "I": 0.0, "A": null}}),
        json!({"text": "boulanger", "riasec": {"C": 0}}),
    ] {
        let (status, v) = call(&app, Method::POST, "/v1/match", Some(&profile)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{profile}: {v}");
        assert_eq!(v["error"]["code"], "invalid_parameter", "{profile}: {v}");
        let message = v["error"]["message"].as_str().expect("message");
        assert!(message.starts_with("riasec") && message.contains("above 0"), "{profile}: {message}");
        assert!(riasec.contains(message), "the document quotes `{message}`: {riasec}");
    }
}

#[tokio::test]
async fn optional_parameters_are_optional_in_the_document_and_on_the_server() {
    let app = app().await;
    let (_, doc) = call(&app, Method::GET, "/openapi.json", None).await;
    let params = |path: &str| doc["paths"][path]["get"]["parameters"].as_array().cloned().unwrap_or_default();
    for path in ["/v1/search", "/v1/skills/search", "/v1/interests", "/v1/occupations/{taxonomy}/{code}"] {
        for p in params(path) {
            let required = p["required"].as_bool().unwrap_or(false);
            let needed = p["in"] == "path" || p["name"] == "q";
            assert_eq!(required, needed, "{path}: {}", p["name"]);
        }
    }
    // The one that was wrongly required: an occupation page without `skill`.
    let skill = params("/v1/occupations/{taxonomy}/{code}").into_iter().find(|p| p["name"] == "skill").expect("skill");
    assert_eq!(skill["required"], false, "{skill}");
    let (status, v) = call(&app, Method::GET, "/v1/occupations/rome/D1102", None).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert!(v.get("skills_covered").is_none(), "no profile, no coverage: {v}");
    // And with only the required ones elsewhere.
    for uri in ["/v1/search?q=boulanger", "/v1/skills/search?q=p%C3%A2te", "/v1/interests", "/v1/facets"] {
        let (status, v) = call(&app, Method::GET, uri, None).await;
        assert_eq!(status, StatusCode::OK, "{uri}: {v}");
    }
}
