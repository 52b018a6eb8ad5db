//! HTTP API: a thin JSON layer over [`crate::search::Engine`].
//!
//! [`router`] wires every route with its limits (body size and read time, concurrency,
//! timeout, URI and header size), metrics, structured logs, security headers, CORS and the web
//! client; [`serve`] runs it over HTTP/1.1 with a header-read timeout and graceful shutdown.
//! Every error the application answers is `{"error": {"code", "message"}}` (see [`ApiError`]);
//! the only exceptions are the few requests hyper refuses before the application sees them
//! (see [`serve_on`]).

mod admin;
mod batch;
mod config;
mod dto;
mod error;
mod extract;
mod metrics;
mod openapi;
mod queue;
mod routes;

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, HttpBody};
use axum::error_handling::HandleErrorLayer;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::{middleware, Router};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::sync::{watch, Semaphore};
use tower::limit::GlobalConcurrencyLimitLayer;
use tower::{ServiceBuilder, ServiceExt};
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::cors::{AllowOrigin, Any, CorsLayer};

pub use admin::admin_router;
pub use config::ServeConfig;
pub use dto::SearchResponse;
pub use error::{error_codes_module, ApiError, ErrorBody, ErrorCode, ErrorDetail};
pub use extract::ESCO_OCCUPATION_PREFIX;
pub use extract::MAX_QUERY_PARAMS;
pub use metrics::resident_memory_bytes;
pub use metrics::Metrics;
pub use openapi::ApiDoc;

use crate::search::LiveEngine;
use openapi::Docs;
use routes::AppState;

/// The whole application: `/v1` API, ops routes (`/healthz`, `/readyz`, `/metrics`,
/// `/openapi.json`, `/docs`) and the web client at `/`.
///
/// Each call gets its own metrics registry, so several routers can coexist in one process.
pub fn router(engine: Arc<LiveEngine>, config: &ServeConfig) -> Router {
    build(engine, config).0
}

/// The router and its metrics registry.
fn build(engine: Arc<LiveEngine>, config: &ServeConfig) -> (Router, Metrics) {
    let metrics = Metrics::new();
    metrics.record_index(&engine);
    // tokio semaphores panic above MAX_PERMITS; no real limit is that high anyway.
    let max_concurrency = config.max_concurrency.min(Semaphore::MAX_PERMITS);
    let state = AppState {
        engine,
        metrics: metrics.clone(),
        docs: Arc::new(Docs::for_config(config)),
        work: Arc::new(queue::WorkQueue::new(config.worker_count(), config.queue_wait())),
    };

    // Requests in flight are bounded (past the bound, a fast 503 rather than a slow 200 the
    // client has given up on); within it they wait their turn for a worker (`queue`). The
    // limit is global so it holds across all `/v1` routes (Router::layer wraps each route
    // separately).
    // The body is read whole *before* a slot is taken, so a client trickling its body in holds
    // a connection but never a slot.
    let body = BodyLimits { max_bytes: config.max_body_bytes, timeout: config.body_read_timeout() };
    let guarded = routes::v1().layer(
        ServiceBuilder::new()
            .layer(middleware::from_fn(head_guard))
            .layer(middleware::from_fn_with_state(body, buffer_body))
            .layer(HandleErrorLayer::new(error::layer_error))
            .load_shed()
            .layer(GlobalConcurrencyLimitLayer::new(max_concurrency))
            .timeout(config.request_timeout()),
    );

    let app = Router::new()
        .merge(guarded)
        .merge(routes::ops())
        .route(crate::web::GENERATED_MODULES[0], axum::routing::get(error_codes_js))
        .merge(crate::web::router::<AppState>())
        .fallback(error::not_found)
        // Must come after every route: it only applies to the routes already added.
        .method_not_allowed_fallback(error::method_not_allowed)
        .layer(DefaultBodyLimit::max(config.max_body_bytes))
        .layer(middleware::from_fn(request_limits))
        .layer(middleware::from_fn(error::json_errors))
        // Outermost of the app layers, so counts and logs include shed and rejected requests.
        .layer(middleware::from_fn_with_state(metrics.clone(), metrics::observe));
    let app = match cors(&config.cors_origins) {
        Some(cors) => app.layer(cors),
        None => app,
    };
    // `Router::layer` wraps each handler; these wrap the whole router, so they see every
    // answer as it leaves (axum's own `Allow` included), CORS preflights and all.
    // Compression is outermost but for the security headers: it sees every answer as sent
    // (JSON, page, assets, errors), and `Vary: Accept-Encoding` reaches caches.
    let outer = ServiceBuilder::new()
        .layer(middleware::from_fn(security_headers))
        .layer(compression())
        .layer(middleware::from_fn(v1_allow_without_head))
        .service(app.with_state(state));
    (Router::new().fallback_service(outer), metrics)
}

/// gzip or brotli, as the client accepts, for every answer worth it (tower-http's default
/// predicate: 32 bytes or more, not images, not event streams). Brotli's quality 4 and gzip's
/// default level cost well under a millisecond on a search answer (~12 KB → ~3 KB).
fn compression() -> CompressionLayer {
    CompressionLayer::new().quality(CompressionLevel::Default)
}

/// `GET /static/js/error-codes.js`: the error codes as a JavaScript module for the web client.
async fn error_codes_js() -> Response {
    static MODULE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/javascript; charset=utf-8")),
            (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600")),
        ],
        // Built once: the table is fixed at compile time.
        MODULE.get_or_init(error_codes_module).as_str(),
    )
        .into_response()
}

/// Longest request target (path and query) the application answers; longer → 414
/// `uri_too_long`. Far above any real request (a 500-character query is at most ~6 KB
/// percent-encoded), and below hyper's own limit (65,534 bytes, `http::Uri`'s), past which
/// hyper answers a bare 414 itself: targets between the two get the JSON error.
pub const MAX_URI_BYTES: usize = 48 * 1024;
/// Most header fields a request may carry (→ 431 `headers_too_large`): hyper's former limit.
pub const MAX_HEADERS: usize = 100;
/// Largest header section (names, values and separators) a request may carry (→ 431
/// `headers_too_large`), in bytes.
pub const MAX_HEADER_BYTES: usize = 32 * 1024;
/// hyper's own header-count limit, above [`MAX_HEADERS`] so that requests just past it reach
/// the application and get a JSON 431; past this one hyper answers a bare 431 itself.
const HYPER_MAX_HEADERS: usize = 2 * MAX_HEADERS;

/// Refuses over-long targets and oversized header sections with JSON errors.
async fn request_limits(req: Request, next: Next) -> Response {
    let uri = req.uri();
    let target = uri.path().len() + uri.query().map_or(0, |q| q.len() + 1);
    if target > MAX_URI_BYTES {
        return ApiError::new(
            StatusCode::URI_TOO_LONG,
            ErrorCode::UriTooLong,
            format!("the request URI is {target} bytes long, at most {MAX_URI_BYTES} are accepted"),
        )
        .into_response();
    }
    let headers = req.headers();
    if headers.len() > MAX_HEADERS {
        return headers_too_large(format!("{} header fields sent, at most {MAX_HEADERS} are accepted", headers.len()));
    }
    let bytes = header_bytes(headers);
    if bytes > MAX_HEADER_BYTES {
        return headers_too_large(format!("{bytes} bytes of headers sent, at most {MAX_HEADER_BYTES} are accepted"));
    }
    next.run(req).await
}

/// Size of a header section as sent: `name: value\r\n` per field.
fn header_bytes(headers: &HeaderMap) -> usize {
    headers.iter().map(|(name, value)| name.as_str().len() + value.len() + 4).sum()
}

/// 431 `headers_too_large`, closing the connection.
fn headers_too_large(message: String) -> Response {
    closing(ApiError::new(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE, ErrorCode::HeadersTooLarge, message))
}

/// An error answer after which the connection is closed (the client may still be sending).
fn closing(err: ApiError) -> Response {
    let mut res = err.into_response();
    res.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
    res
}

/// Content-Security-Policy of every answer but HTML pages: nothing may be loaded or framed.
const CSP_NONE: &str = "default-src 'none'; frame-ancestors 'none'";
/// Content-Security-Policy of HTML pages that set none themselves (`/docs`): no script at all,
/// the page's own inline `<style>`, same-origin images; the web client at `/` sets its own.
const CSP_HTML: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; \
                        base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// Adds `X-Content-Type-Options`, `X-Frame-Options`, `Referrer-Policy` and (unless the
/// handler chose one) `Content-Security-Policy` to every answer.
async fn security_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let headers = res.headers_mut();
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        let html = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("text/html"));
        headers
            .insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(if html { CSP_HTML } else { CSP_NONE }));
    }
    res
}

/// How much of a `/v1` request body is read, and for how long.
#[derive(Debug, Clone, Copy)]
struct BodyLimits {
    max_bytes: usize,
    timeout: Duration,
}

/// Reads the whole request body (at most `max_bytes`, within `timeout`) and hands it on
/// buffered: it sits outside the concurrency limit, so slow uploads never hold a slot.
/// Too slow → 408 `request_timeout`; too large → 413 `payload_too_large` (at once when
/// `Content-Length` says so).
async fn buffer_body(State(limits): State<BodyLimits>, req: Request, next: Next) -> Response {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > limits.max_bytes as u64) {
        return closing(error::payload_too_large(limits.max_bytes));
    }
    if req.body().size_hint().exact() == Some(0) {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let read = tokio::time::timeout(limits.timeout, Limited::new(body, limits.max_bytes).collect()).await;
    match read {
        Ok(Ok(collected)) => {
            let body = Body::from(collected.to_bytes());
            next.run(Request::from_parts(parts, body)).await
        }
        Ok(Err(e)) if e.is::<LengthLimitError>() => closing(error::payload_too_large(limits.max_bytes)),
        Ok(Err(e)) => {
            tracing::debug!(error = %e, "request body could not be read");
            closing(ApiError::new(
                StatusCode::BAD_REQUEST,
                ErrorCode::InvalidBody,
                "the request body could not be read",
            ))
        }
        Err(_) => closing(error::request_timeout(limits.timeout)),
    }
}

/// `HEAD` on a `/v1` route answers 405 instead of running it: axum would run the GET handler
/// (the whole search) and only drop the body. Every `/v1` answer is computed, so there is no
/// cheap way to know the status and headers a GET would get, which is what HEAD promises.
///
/// This layer wraps each `/v1` method handler (axum's `Router::layer` wraps handlers, not
/// routes), and axum hands a HEAD to a route's GET handler only (a route without GET answers
/// 405 itself), so the route here takes GET: that is what `Allow` says.
async fn head_guard(req: Request, next: Next) -> Response {
    if req.method() != Method::HEAD {
        return next.run(req).await;
    }
    let mut res = ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        ErrorCode::MethodNotAllowed,
        format!("HEAD is not allowed on {}: its answer is computed, use GET", error::echo(req.uri().path())),
    )
    .into_response();
    res.headers_mut().insert(header::ALLOW, HeaderValue::from_static("GET"));
    res
}

/// Drops `HEAD` from the `Allow` of `/v1` 405s (axum lists it for every GET route, but
/// [`head_guard`] refuses it). Wraps the whole router: axum adds `Allow` outside the route's
/// layers.
async fn v1_allow_without_head(req: Request, next: Next) -> Response {
    let v1 = req.uri().path().starts_with("/v1/");
    let mut res = next.run(req).await;
    if v1 && res.status() == StatusCode::METHOD_NOT_ALLOWED {
        drop_head_from_allow(res.headers_mut());
    }
    res
}

/// Removes `HEAD` from an `Allow` header (axum lists it for every GET route).
fn drop_head_from_allow(headers: &mut HeaderMap) {
    let Some(allow) = headers.get(header::ALLOW).and_then(|v| v.to_str().ok()) else {
        return;
    };
    let kept: Vec<&str> =
        allow.split(',').map(str::trim).filter(|m| !m.is_empty() && !m.eq_ignore_ascii_case("HEAD")).collect();
    if let Ok(v) = HeaderValue::from_str(&kept.join(",")) {
        headers.insert(header::ALLOW, v);
    }
}

/// The CORS layer for the configured origins; `None` when CORS is off.
fn cors(origins: &[String]) -> Option<CorsLayer> {
    if origins.is_empty() {
        return None;
    }
    let layer = CorsLayer::new()
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([header::CONTENT_TYPE, header::ACCEPT])
        .max_age(Duration::from_secs(3600));
    if origins.iter().any(|o| o == "*") {
        return Some(layer.allow_origin(Any));
    }
    let list: Vec<HeaderValue> = origins
        .iter()
        .filter_map(|o| match HeaderValue::from_str(o) {
            Ok(v) => Some(v),
            Err(_) => {
                tracing::warn!(origin = %o, "ignoring invalid CORS origin");
                None
            }
        })
        .collect();
    Some(layer.allow_origin(AllowOrigin::list(list)))
}

/// How often histogram samples are folded into buckets when nobody scrapes `/metrics`.
const METRICS_UPKEEP: Duration = Duration::from_secs(10);

/// Serves the API on `config.addr` until SIGINT or SIGTERM; in-flight requests then finish.
///
/// SIGHUP reloads the index (see [`LiveEngine::reload`]), and so does `POST /admin/reload` on
/// `config.admin_addr` when set.
pub async fn serve(engine: Arc<LiveEngine>, config: ServeConfig) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(config.addr).await?;
    let (stop_tx, stop_rx) = watch::channel(false);
    let stopped = move || {
        let mut rx = stop_rx.clone();
        async move {
            let _ = rx.wait_for(|stop| *stop).await;
        }
    };
    if let Some(addr) = config.admin_addr {
        let admin = tokio::net::TcpListener::bind(addr).await?;
        tracing::info!(%addr, "admin listener on http://{addr} (POST /admin/reload)");
        let app = admin_router(engine.clone());
        let stop = stopped();
        tokio::spawn(async move {
            if let Err(e) = axum::serve(admin, app).with_graceful_shutdown(stop).await {
                tracing::error!(error = %e, "the admin listener stopped");
            }
        });
    }
    #[cfg(unix)]
    let hangups = tokio::spawn(admin::reload_on_hangup(engine.clone()));
    let shutdown = async move {
        shutdown_signal().await;
        let _ = stop_tx.send(true);
    };
    let served = serve_on(listener, engine, config, shutdown).await;
    #[cfg(unix)]
    hangups.abort();
    served
}

/// Serves the API on an already bound listener until `shutdown` completes (tests bind port 0);
/// connections then stop taking requests, and in-flight ones finish.
///
/// HTTP/1.1 only (HTTP/1.0 too), served by hyper directly rather than `axum::serve`, which
/// cannot set hyper's header-read timeout: a client has `header_read_timeout_ms` to send a
/// request's line and headers (an idle keep-alive connection as well), or the connection is
/// closed without an answer.
///
/// hyper answers a few malformed requests itself, before the application sees them, with an
/// empty body: a request line or header it cannot parse (400; e.g. a raw non-ASCII byte in the
/// target, which `http::Uri` cannot hold), a target over 65,534 bytes (414, `http::Uri`'s
/// limit), and a head over its buffer (~400 KiB) or with more than 200 header fields (431).
/// hyper 1 has no hook to shape those answers; the application's own, lower limits
/// ([`MAX_URI_BYTES`], [`MAX_HEADERS`], [`MAX_HEADER_BYTES`]) answer JSON below them.
pub async fn serve_on(
    listener: tokio::net::TcpListener,
    engine: Arc<LiveEngine>,
    config: ServeConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let addr = listener.local_addr()?;
    let (app, metrics) = build(engine, &config);
    let upkeep = tokio::spawn(async move {
        let mut tick = tokio::time::interval(METRICS_UPKEEP);
        loop {
            tick.tick().await;
            metrics.run_upkeep();
        }
    });
    tracing::info!(
        %addr,
        max_concurrency = config.max_concurrency,
        workers = config.worker_count(),
        queue_wait_ms = config.queue_wait_ms,
        timeout_ms = config.request_timeout_ms,
        header_read_timeout_ms = config.header_read_timeout_ms,
        body_read_timeout_ms = config.body_read_timeout_ms,
        "boussole listening on http://{addr}"
    );
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(config.header_read_timeout()).max_headers(HYPER_MAX_HEADERS);
    accept_loop(listener, app, &http, shutdown).await;
    upkeep.abort();
    tracing::info!("server stopped");
    Ok(())
}

/// Accepts connections until `shutdown`, then waits for the open ones to finish.
async fn accept_loop(
    listener: tokio::net::TcpListener,
    app: Router,
    http: &hyper::server::conn::http1::Builder,
    shutdown: impl Future<Output = ()>,
) {
    // `stop` tells connections to finish; every connection task holds a `done` receiver, and
    // the sender sees it closed once the last one has ended.
    let (stop_tx, stop_rx) = watch::channel(false);
    let (done_tx, done_rx) = watch::channel(());
    let mut shutdown = pin!(shutdown);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => stream,
                Err(e) => {
                    accept_error(e).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let app = app.clone();
        let service =
            hyper::service::service_fn(move |req: hyper::Request<Incoming>| app.clone().oneshot(req.map(Body::new)));
        let conn = http.serve_connection(TokioIo::new(stream), service);
        let mut stop = stop_rx.clone();
        let done = done_rx.clone();
        tokio::spawn(async move {
            let mut conn = pin!(conn);
            let stopped = async move {
                // An error means the sender is gone, which also means stop.
                let _ = stop.wait_for(|stop| *stop).await;
            };
            let result = tokio::select! {
                result = conn.as_mut() => result,
                () = stopped => {
                    // Finishes the request in flight, if any, then closes.
                    conn.as_mut().graceful_shutdown();
                    conn.await
                }
            };
            if let Err(e) = result {
                tracing::debug!(error = %e, "connection ended with an error");
            }
            drop(done);
        });
    }
    drop(listener);
    tracing::info!("not accepting connections any more, finishing open ones");
    let _ = stop_tx.send(true);
    drop(done_rx);
    done_tx.closed().await;
}

/// What to do when `accept` fails: per-connection errors are ignored; others (out of file
/// descriptors...) are logged and accepting pauses a moment, as `axum::serve` does.
async fn accept_error(e: std::io::Error) {
    use std::io::ErrorKind;
    if matches!(e.kind(), ErrorKind::ConnectionRefused | ErrorKind::ConnectionAborted | ErrorKind::ConnectionReset) {
        return;
    }
    tracing::error!(error = %e, "accept failed");
    tokio::time::sleep(Duration::from_secs(1)).await;
}

/// Completes on SIGINT (Ctrl-C) or, on Unix, SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutdown signal received, finishing in-flight requests");
}
