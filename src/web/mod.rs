//! Static web client (plain HTML/CSS/JS, no build step) embedded in the binary.
//!
//! [`router`] serves `GET /` (the page), `/static/app.js`, `/static/style.css`
//! and `/favicon.svg`. Merge it into the API router:
//! `Router::new().merge(web::router()).nest("/v1", api)`.

use axum::{
    http::header::{self, HeaderValue},
    response::{IntoResponse, Response},
    routing::get,
    Router,
};

const INDEX_HTML: &str = include_str!("static/index.html");
const APP_JS: &str = include_str!("static/app.js");
const STYLE_CSS: &str = include_str!("static/style.css");
const FAVICON_SVG: &[u8] = include_bytes!("static/favicon.svg");

/// The page itself must be revalidated so that a new deployment is picked up;
/// assets are small and also revalidated, but may be reused for an hour.
const CACHE_PAGE: &str = "no-cache";
const CACHE_ASSET: &str = "public, max-age=3600";

fn asset(body: &'static [u8], content_type: &'static str, cache: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
        ],
        body,
    )
        .into_response()
}

async fn index() -> Response {
    let mut res = asset(
        INDEX_HTML.as_bytes(),
        "text/html; charset=utf-8",
        CACHE_PAGE,
    );
    // Everything is same-origin; no external CDN, font or script.
    res.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; style-src 'self'; \
             script-src 'self'; connect-src 'self'; base-uri 'none'; \
             form-action 'self'; frame-ancestors 'none'",
        ),
    );
    res
}

async fn app_js() -> Response {
    asset(
        APP_JS.as_bytes(),
        "text/javascript; charset=utf-8",
        CACHE_ASSET,
    )
}

async fn style_css() -> Response {
    asset(STYLE_CSS.as_bytes(), "text/css; charset=utf-8", CACHE_ASSET)
}

async fn favicon() -> Response {
    asset(FAVICON_SVG, "image/svg+xml", CACHE_ASSET)
}

/// Router serving the embedded web client. Generic over the state so it can
/// be merged into any application router.
pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route("/", get(index))
        .route("/index.html", get(index))
        .route("/static/app.js", get(app_js))
        .route("/static/style.css", get(style_css))
        .route("/favicon.svg", get(favicon))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::{to_bytes, Body};
    use axum::http::{Request, StatusCode};
    use tower::ServiceExt;

    #[tokio::test]
    async fn serves_index_in_french() {
        let app: Router = router();
        let res = app
            .oneshot(Request::get("/").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let ct = res.headers()[header::CONTENT_TYPE].to_str().unwrap();
        assert!(ct.starts_with("text/html"), "content-type: {ct}");
        assert!(res.headers().contains_key(header::CACHE_CONTROL));
        let body = to_bytes(res.into_body(), 1 << 20).await.unwrap();
        let html = std::str::from_utf8(&body).unwrap();
        assert!(html.contains(r#"lang="fr""#));
    }

    #[tokio::test]
    async fn serves_assets_with_content_types() {
        for (path, want) in [
            ("/static/app.js", "text/javascript"),
            ("/static/style.css", "text/css"),
            ("/favicon.svg", "image/svg+xml"),
        ] {
            let res = router::<()>()
                .oneshot(Request::get(path).body(Body::empty()).unwrap())
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::OK, "{path}");
            let ct = res.headers()[header::CONTENT_TYPE].to_str().unwrap();
            assert!(ct.starts_with(want), "{path}: {ct}");
        }
    }
}
