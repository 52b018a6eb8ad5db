//! The admin listener: index reload and status, on a loopback address of its own.
//!
//! A separate listener rather than routes on the public one: a reverse proxy on the same host
//! forwards public requests from 127.0.0.1, so "local only" cannot be decided per request.

use std::sync::Arc;

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};

use super::error::{ApiError, ErrorCode};
use crate::search::{LiveEngine, LiveStatus, ReloadError, ReloadReport};

/// `POST /admin/reload` and `GET /admin/index`.
pub fn admin_router(live: Arc<LiveEngine>) -> Router {
    Router::new()
        .route("/admin/reload", post(reload))
        .route("/admin/index", get(index))
        .fallback(super::error::not_found)
        .with_state(live)
}

/// Loads the index the server's `--index` points at now, checks it and swaps it in.
async fn reload(State(live): State<Arc<LiveEngine>>) -> Result<Json<ReloadReport>, ApiError> {
    let outcome = tokio::task::spawn_blocking(move || live.reload()).await.map_err(|e| ApiError::internal(&e))?;
    outcome.map(Json).map_err(reload_error)
}

/// The served index's id, load time and reload counts.
async fn index(State(live): State<Arc<LiveEngine>>) -> Json<LiveStatus> {
    Json(live.status())
}

fn reload_error(e: ReloadError) -> ApiError {
    let code = match e {
        ReloadError::NoSource => ErrorCode::NoIndexSource,
        ReloadError::InProgress => ErrorCode::ReloadInProgress,
        ReloadError::Refused { .. } => ErrorCode::IndexRefused,
    };
    ApiError::new(code.status(), code, e.to_string())
}

/// Reloads on every SIGHUP until the process ends, logging each outcome.
#[cfg(unix)]
pub(crate) async fn reload_on_hangup(live: Arc<LiveEngine>) {
    use tokio::signal::unix::{signal, SignalKind};
    let mut hangups = match signal(SignalKind::hangup()) {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(error = %e, "cannot listen for SIGHUP: reload with the admin listener");
            return;
        }
    };
    while hangups.recv().await.is_some() {
        tracing::info!("SIGHUP received, reloading the index");
        let live = live.clone();
        match tokio::task::spawn_blocking(move || live.reload()).await {
            Ok(Ok(report)) if !report.changed => {
                tracing::info!(index_id = %report.current, "index unchanged, nothing to reload")
            }
            // A swap is logged by the engine itself; refusals are logged there too.
            Ok(Ok(_)) | Ok(Err(ReloadError::Refused { .. })) => {}
            Ok(Err(e)) => tracing::warn!(error = %e, "index not reloaded"),
            Err(e) => tracing::error!(error = %e, "the reload task failed"),
        }
    }
}
