//! HTTP API: a thin JSON layer over [`crate::search::Engine`].
//!
//! [`router`] wires every route with its limits (body size, concurrency, timeout), metrics,
//! structured logs, CORS and the web client; [`serve`] runs it with graceful shutdown.
//! Every error is answered as `{"error": {"code", "message"}}` (see [`ApiError`]).

mod config;
mod dto;
mod error;
mod extract;
mod metrics;
mod openapi;
mod routes;

use std::sync::Arc;
use std::time::Duration;

use axum::error_handling::HandleErrorLayer;
use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue, Method};
use axum::{middleware, Router};
use tokio::sync::Semaphore;
use tower::limit::GlobalConcurrencyLimitLayer;
use tower::ServiceBuilder;
use tower_http::cors::{AllowOrigin, Any, CorsLayer};

pub use config::ServeConfig;
pub use error::{ApiError, ErrorBody, ErrorDetail};
pub use extract::ESCO_OCCUPATION_PREFIX;
pub use metrics::resident_memory_bytes;
pub use metrics::Metrics;
pub use openapi::ApiDoc;

use crate::search::Engine;
use openapi::Docs;
use routes::AppState;

/// The whole application: `/v1` API, ops routes (`/healthz`, `/readyz`, `/metrics`,
/// `/openapi.json`, `/docs`) and the web client at `/`.
///
/// Each call gets its own metrics registry, so several routers can coexist in one process.
pub fn router(engine: Arc<Engine>, config: &ServeConfig) -> Router {
    build(engine, config).0
}

/// The router and its metrics registry.
fn build(engine: Arc<Engine>, config: &ServeConfig) -> (Router, Metrics) {
    let metrics = Metrics::new(&engine);
    // tokio semaphores panic above MAX_PERMITS; no real limit is that high anyway.
    let max_concurrency = config.max_concurrency.min(Semaphore::MAX_PERMITS);
    let state = AppState {
        engine,
        metrics: metrics.clone(),
        docs: Arc::new(Docs::new()),
        work: Arc::new(Semaphore::new(max_concurrency)),
    };

    // Load shedding instead of queueing: a saturated CPU answers a fast 503 rather than a slow
    // 200 that the client has already given up on. The semaphore is global so the limit holds
    // across all `/v1` routes (Router::layer wraps each route separately).
    let guarded = routes::v1().layer(
        ServiceBuilder::new()
            .layer(HandleErrorLayer::new(error::layer_error))
            .load_shed()
            .layer(GlobalConcurrencyLimitLayer::new(max_concurrency))
            .timeout(config.request_timeout()),
    );

    let app = Router::new()
        .merge(guarded)
        .merge(routes::ops())
        .merge(crate::web::router::<AppState>())
        .fallback(error::not_found)
        // Must come after every route: it only applies to the routes already added.
        .method_not_allowed_fallback(error::method_not_allowed)
        .layer(DefaultBodyLimit::max(config.max_body_bytes))
        .layer(middleware::from_fn(error::json_errors))
        // Outermost of the app layers, so counts and logs include shed and rejected requests.
        .layer(middleware::from_fn_with_state(
            metrics.clone(),
            metrics::observe,
        ));
    let app = match cors(&config.cors_origins) {
        Some(cors) => app.layer(cors),
        None => app,
    };
    (app.with_state(state), metrics)
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
pub async fn serve(engine: Arc<Engine>, config: ServeConfig) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(config.addr).await?;
    serve_on(listener, engine, config, shutdown_signal()).await
}

/// Serves the API on an already bound listener until `shutdown` completes (tests bind port 0).
pub async fn serve_on(
    listener: tokio::net::TcpListener,
    engine: Arc<Engine>,
    config: ServeConfig,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
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
    tracing::info!(%addr, max_concurrency = config.max_concurrency, timeout_ms = config.request_timeout_ms, "boussole listening on http://{addr}");
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await;
    upkeep.abort();
    served?;
    tracing::info!("server stopped");
    Ok(())
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
