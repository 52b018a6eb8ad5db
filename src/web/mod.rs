//! Static web client (plain HTML/CSS/JS, no build step) embedded in the binary.
//!
//! [`router`] serves `GET /` (the page), the stylesheet, the favicon and the client's native
//! ES modules under `/static/js/` (see [`ASSETS`]). `api::router` merges it beside
//! the `/v1` and ops routes.
//!
//! **Dev mode.** When `BOUSSOLE_WEB_DIR` names a directory (normally `src/web/static`), every
//! file of the table is read from there at each request instead of the embedded copy, so the
//! page's HTML, CSS and JavaScript can be edited and reloaded without rebuilding. The same
//! content types, `nosniff` and CSP headers apply; only `Cache-Control` becomes `no-cache`
//! so the browser picks edits up at once. Unset (the default), the embedded copies are served.

use std::path::PathBuf;
use std::sync::Arc;

use axum::{
    http::{
        header::{self, HeaderValue},
        StatusCode,
    },
    response::{IntoResponse, Response},
    routing::get,
    Router,
};

/// Environment variable naming a directory to serve the client's files from (dev mode).
pub const WEB_DIR_ENV: &str = "BOUSSOLE_WEB_DIR";

/// The page itself must be revalidated so that a new deployment is picked up;
/// assets are small and also revalidated, but may be reused for an hour.
const CACHE_PAGE: &str = "no-cache";
const CACHE_ASSET: &str = "public, max-age=3600";

const HTML: &str = "text/html; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
const SVG: &str = "image/svg+xml";

/// The page's policy: everything is same-origin; no external CDN, font or script.
const CSP_PAGE: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; \
     script-src 'self'; connect-src 'self'; base-uri 'none'; \
     form-action 'self'; frame-ancestors 'none'";

/// One file of the client.
#[derive(Debug, Clone, Copy)]
pub struct Asset {
    /// Path it is served at.
    pub url: &'static str,
    /// Path relative to `src/web/static/` (and to `BOUSSOLE_WEB_DIR` in dev mode).
    pub file: &'static str,
    /// `Content-Type` of the answer.
    pub content_type: &'static str,
    /// `Cache-Control` of the answer (outside dev mode).
    pub cache: &'static str,
    /// The embedded copy.
    pub body: &'static [u8],
}

macro_rules! asset {
    ($url:expr, $file:literal, $ct:expr, $cache:expr) => {
        Asset {
            url: $url,
            file: $file,
            content_type: $ct,
            cache: $cache,
            body: include_bytes!(concat!("static/", $file)),
        }
    };
}

/// A JavaScript module of `static/js/`, served under `/static/js/`.
macro_rules! module {
    ($file:literal) => {
        asset!(concat!("/static/", $file), $file, JS, CACHE_ASSET)
    };
}

/// Modules the client imports that the API generates from its own tables (not files here):
/// `error-codes.js` is `api::ErrorCode` as a frozen object.
pub const GENERATED_MODULES: &[&str] = &["/static/js/error-codes.js"];

/// Every file the client is made of. `index.html` loads `js/main.js`, which imports the rest.
pub const ASSETS: &[Asset] = &[
    asset!("/", "index.html", HTML, CACHE_PAGE),
    asset!("/index.html", "index.html", HTML, CACHE_PAGE),
    asset!("/static/style.css", "style.css", CSS, CACHE_ASSET),
    asset!("/favicon.svg", "favicon.svg", SVG, CACHE_ASSET),
    module!("js/main.js"),
    module!("js/state.js"),
    module!("js/i18n.js"),
    module!("js/api.js"),
    module!("js/dom.js"),
    module!("js/cards.js"),
    module!("js/shortlist.js"),
    module!("js/refine.js"),
    module!("js/views/search.js"),
    module!("js/views/detail.js"),
    module!("js/views/profile.js"),
    module!("js/views/interests.js"),
    module!("js/views/selection.js"),
    module!("js/views/quiz.js"),
];

/// Weak validator of a file's content: the first 16 hex digits of its SHA-256. Weak, since the
/// compression layer may send the same content gzip- or brotli-encoded.
fn etag_of(body: &[u8]) -> HeaderValue {
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(body);
    HeaderValue::from_str(&format!("W/\"{}\"", &hex::encode(digest)[..16])).expect("hex is a valid header value")
}

/// Whether an `If-None-Match` header names `etag` (or is `*`): then the client's copy is current.
fn matches_etag(if_none_match: Option<&HeaderValue>, etag: &HeaderValue) -> bool {
    let Some(value) = if_none_match.and_then(|v| v.to_str().ok()) else { return false };
    let strip = |t: &str| t.trim().trim_start_matches("W/").to_string();
    let ours = strip(etag.to_str().unwrap_or_default());
    value.split(',').any(|t| t.trim() == "*" || strip(t) == ours)
}

/// Validators of the embedded copies, computed once.
fn embedded_etag(asset: &Asset) -> HeaderValue {
    static TAGS: std::sync::OnceLock<std::collections::HashMap<&'static str, HeaderValue>> = std::sync::OnceLock::new();
    let tags = TAGS.get_or_init(|| ASSETS.iter().map(|a| (a.file, etag_of(a.body))).collect());
    tags.get(asset.file).cloned().unwrap_or_else(|| etag_of(asset.body))
}

/// The answer for one asset, from the embedded copy or, in dev mode, from `dir`; `304 Not
/// Modified` when the client's `If-None-Match` names the current content.
async fn serve(asset: Asset, dir: Option<Arc<PathBuf>>, if_none_match: Option<HeaderValue>) -> Response {
    let (body, cache) = match &dir {
        None => (asset.body.to_vec(), asset.cache),
        Some(dir) => {
            let path = dir.join(asset.file);
            match tokio::fs::read(&path).await {
                Ok(bytes) => (bytes, CACHE_PAGE),
                Err(e) => {
                    tracing::warn!(path = %path.display(), error = %e, "{WEB_DIR_ENV}: cannot read");
                    return (StatusCode::NOT_FOUND, format!("{WEB_DIR_ENV}: cannot read {}", asset.file))
                        .into_response();
                }
            }
        }
    };
    let etag = if dir.is_none() { embedded_etag(&asset) } else { etag_of(&body) };
    let headers = [
        (header::CONTENT_TYPE, HeaderValue::from_static(asset.content_type)),
        (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
        (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
        (header::ETAG, etag.clone()),
    ];
    let mut res = if matches_etag(if_none_match.as_ref(), &etag) {
        (StatusCode::NOT_MODIFIED, headers).into_response()
    } else {
        (headers, body).into_response()
    };
    if asset.content_type == HTML {
        res.headers_mut().insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP_PAGE));
    }
    res
}

/// The dev-mode directory, when `BOUSSOLE_WEB_DIR` is set and not empty.
fn web_dir_from_env() -> Option<PathBuf> {
    let dir = std::env::var_os(WEB_DIR_ENV).filter(|v| !v.is_empty())?;
    let dir = PathBuf::from(dir);
    tracing::warn!(
        dir = %dir.display(),
        "{WEB_DIR_ENV} is set: serving the web client from this directory, not the embedded copy (dev mode)"
    );
    Some(dir)
}

/// Router serving the web client: the embedded copies, or the files of `BOUSSOLE_WEB_DIR`
/// when it is set (dev mode). Generic over the state so it can be merged into any
/// application router.
pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    router_with_dir(web_dir_from_env())
}

/// [`router`] with an explicit dev-mode directory (`None`: the embedded copies).
pub fn router_with_dir<S: Clone + Send + Sync + 'static>(dir: Option<PathBuf>) -> Router<S> {
    let dir = dir.map(Arc::new);
    ASSETS.iter().fold(Router::new(), |r, &asset| {
        let dir = dir.clone();
        r.route(
            asset.url,
            get(move |headers: axum::http::HeaderMap| {
                serve(asset, dir.clone(), headers.get(header::IF_NONE_MATCH).cloned())
            }),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::{to_bytes, Body};
    use axum::http::Request;
    use tower::ServiceExt;

    async fn get_path(app: Router, path: &str) -> Response {
        app.oneshot(Request::get(path).body(Body::empty()).unwrap()).await.unwrap()
    }

    #[tokio::test]
    async fn serves_index_in_french() {
        let res = get_path(router_with_dir(None), "/").await;
        assert_eq!(res.status(), StatusCode::OK);
        let ct = res.headers()[header::CONTENT_TYPE].to_str().unwrap();
        assert!(ct.starts_with("text/html"), "content-type: {ct}");
        assert!(res.headers().contains_key(header::CACHE_CONTROL));
        let csp = res.headers()[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(csp.contains("script-src 'self'"), "{csp}");
        let body = to_bytes(res.into_body(), 1 << 20).await.unwrap();
        let html = std::str::from_utf8(&body).unwrap();
        assert!(html.contains(r#"lang="fr""#));
        assert!(html.contains(r#"<script type="module" src="/static/js/main.js">"#));
    }

    #[tokio::test]
    async fn serves_assets_with_content_types() {
        for (path, want) in [
            ("/static/js/main.js", "text/javascript; charset=utf-8"),
            ("/static/js/views/detail.js", "text/javascript; charset=utf-8"),
            ("/static/style.css", "text/css"),
            ("/favicon.svg", "image/svg+xml"),
        ] {
            let res = get_path(router_with_dir(None), path).await;
            assert_eq!(res.status(), StatusCode::OK, "{path}");
            let h = |name| res.headers()[name].to_str().unwrap().to_string();
            assert!(h(header::CONTENT_TYPE).starts_with(want), "{path}");
            assert_eq!(h(header::CACHE_CONTROL), CACHE_ASSET, "{path}");
            assert_eq!(h(header::X_CONTENT_TYPE_OPTIONS), "nosniff", "{path}");
        }
    }

    /// Assets carry a validator; a client that sends it back gets `304 Not Modified`, no body.
    #[tokio::test]
    async fn assets_revalidate_with_their_etag() {
        let res = get_path(router_with_dir(None), "/static/style.css").await;
        let etag = res.headers()[header::ETAG].clone();
        assert!(etag.to_str().unwrap().starts_with("W/\""), "{etag:?}");
        let again = |tag: &'static str| {
            Request::get("/static/style.css").header(header::IF_NONE_MATCH, tag).body(Body::empty()).unwrap()
        };
        let tag: &'static str = Box::leak(etag.to_str().unwrap().to_string().into_boxed_str());
        let res = router_with_dir::<()>(None).oneshot(again(tag)).await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_MODIFIED);
        assert_eq!(res.headers()[header::ETAG], etag);
        assert!(to_bytes(res.into_body(), 1 << 20).await.unwrap().is_empty());
        // Another file's validator (or a stale one) gets the file.
        let res = router_with_dir::<()>(None).oneshot(again("W/\"0123456789abcdef\"")).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        // Each file has its own validator.
        let other = get_path(router_with_dir(None), "/static/js/main.js").await;
        assert_ne!(other.headers()[header::ETAG], etag);
    }

    /// Every relative import of every module names a file of the table, so no module the
    /// page needs is missing from the binary.
    #[test]
    fn every_import_is_served() {
        let served: Vec<&str> = ASSETS.iter().map(|a| a.url).chain(GENERATED_MODULES.iter().copied()).collect();
        for a in ASSETS.iter().filter(|a| a.file.ends_with(".js")) {
            let src = std::str::from_utf8(a.body).unwrap();
            let base = &a.url[..a.url.rfind('/').unwrap() + 1];
            for spec in src.split(" from '").skip(1).filter_map(|s| s.split('\'').next()) {
                let mut parts: Vec<&str> = base.trim_end_matches('/').split('/').collect();
                for seg in spec.split('/') {
                    match seg {
                        "." => {}
                        ".." => {
                            parts.pop();
                        }
                        s => parts.push(s),
                    }
                }
                let url = parts.join("/");
                assert!(served.contains(&url.as_str()), "{}: import '{spec}' → {url} is not served", a.file);
            }
        }
    }

    #[tokio::test]
    async fn dev_mode_reads_files_from_the_directory() {
        let dir = std::env::temp_dir().join(format!("boussole-web-dev-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("js")).unwrap();
        std::fs::write(dir.join("js/main.js"), "console.log('dev');").unwrap();
        let res = get_path(router_with_dir(Some(dir.clone())), "/static/js/main.js").await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()[header::CACHE_CONTROL], CACHE_PAGE);
        assert_eq!(res.headers()[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert!(res.headers()[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/javascript"));
        let body = to_bytes(res.into_body(), 1 << 20).await.unwrap();
        assert_eq!(&body[..], b"console.log('dev');");
        // A file missing from the directory is a 404, not a silent fallback.
        let res = get_path(router_with_dir(Some(dir.clone())), "/static/style.css").await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
