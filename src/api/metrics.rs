//! Prometheus metrics and structured request logs, recorded by one middleware.
//!
//! Each router owns a *local* recorder instead of installing the process-global one: several
//! routers (in tests, for one) can live in one process without fighting over
//! the global slot, and `/metrics` shows exactly what this router served.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics::{counter, gauge, histogram, with_local_recorder};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle, PrometheusRecorder};

use super::error::echo;
use super::routes::AppState;
use crate::catalog::Taxonomy;
use crate::search::LiveEngine;

/// Requests served, by `method` (GET, POST, HEAD, OPTIONS, PUT, DELETE, PATCH or `other`),
/// `route` (path template, or `unmatched`) and `status`.
pub const REQUESTS_TOTAL: &str = "boussole_http_requests_total";
/// Request latency in seconds, by `method` and `route`.
pub const REQUEST_DURATION: &str = "boussole_http_request_duration_seconds";
/// Vectors in the loaded index.
pub const INDEX_VECTORS: &str = "boussole_index_vectors";
/// Occupations in the loaded index, by `taxonomy`.
pub const INDEX_OCCUPATIONS: &str = "boussole_index_occupations";
/// 1 for the served index, by `index_id`; 0 for the ones it replaced.
pub const INDEX_INFO: &str = "boussole_index_info";
/// Reloads that swapped in a new index.
pub const INDEX_RELOADS: &str = "boussole_index_reloads_total";
/// Reloads refused (the new index failed its checks; the previous one kept serving).
pub const INDEX_RELOADS_REFUSED: &str = "boussole_index_reloads_refused_total";
/// Query embeddings answered from the cache.
pub const QUERY_CACHE_HITS: &str = "boussole_query_cache_hits_total";
/// Query embeddings computed (cache misses).
pub const QUERY_CACHE_MISSES: &str = "boussole_query_cache_misses_total";
/// Query embeddings held by the cache.
pub const QUERY_CACHE_ENTRIES: &str = "boussole_query_cache_entries";
/// Time a `/v1` request waited for its turn at a worker (see `queue`).
pub const QUEUE_WAIT: &str = "boussole_queue_wait_seconds";
/// Resident memory of the process (the standard Prometheus process metric).
pub const RESIDENT_MEMORY: &str = "process_resident_memory_bytes";

/// Resident memory of this process in bytes (Linux; `None` elsewhere).
pub fn resident_memory_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    // SAFETY: sysconf has no preconditions.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    Some(pages * u64::try_from(page).ok()?)
}

/// Latency buckets (seconds): embedding takes tens of milliseconds, so resolution is finest there.
const LATENCY_BUCKETS: [f64; 12] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];

/// Label of requests that matched no route: raw paths would make label cardinality unbounded.
const UNMATCHED: &str = "unmatched";

/// The recorder of one router and a handle to render it.
#[derive(Clone)]
pub struct Metrics {
    recorder: Arc<PrometheusRecorder>,
    handle: PrometheusHandle,
    /// Id of the index last reported, so the series of a replaced one can be set to 0.
    index_id: Arc<Mutex<Option<String>>>,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    /// A fresh recorder; the index gauges are set at each scrape from the served engine.
    pub fn new() -> Metrics {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Full(REQUEST_DURATION.to_string()), &LATENCY_BUCKETS)
            .and_then(|b| b.set_buckets_for_metric(Matcher::Full(QUEUE_WAIT.to_string()), &LATENCY_BUCKETS))
            .map(PrometheusBuilder::build_recorder)
            // Only fails on an empty bucket list, which LATENCY_BUCKETS is not.
            .unwrap_or_else(|_| PrometheusBuilder::new().build_recorder());
        let handle = recorder.handle();
        let metrics = Metrics { recorder: Arc::new(recorder), handle, index_id: Arc::new(Mutex::new(None)) };
        metrics.record(|| {
            metrics::describe_counter!(REQUESTS_TOTAL, "HTTP requests served, by route template and status");
            metrics::describe_histogram!(REQUEST_DURATION, metrics::Unit::Seconds, "HTTP request latency");
            metrics::describe_histogram!(
                QUEUE_WAIT,
                metrics::Unit::Seconds,
                "Time /v1 requests waited for a worker before computing"
            );
            metrics::describe_gauge!(INDEX_VECTORS, "Vectors (distinct embedded texts) in the loaded index");
            metrics::describe_gauge!(INDEX_OCCUPATIONS, "Occupations in the loaded index");
            metrics::describe_counter!(QUERY_CACHE_HITS, "Query embeddings answered from the cache");
            metrics::describe_counter!(QUERY_CACHE_MISSES, "Query embeddings computed by the model");
            metrics::describe_gauge!(QUERY_CACHE_ENTRIES, "Query embeddings held by the cache");
            metrics::describe_gauge!(RESIDENT_MEMORY, metrics::Unit::Bytes, "Resident memory of the server process");
            metrics::describe_gauge!(
                INDEX_INFO,
                "1 for the served index (label index_id), 0 for indexes served before a reload"
            );
            metrics::describe_counter!(INDEX_RELOADS, "Reloads that swapped in a new index");
            metrics::describe_counter!(
                INDEX_RELOADS_REFUSED,
                "Reloads refused because the new index failed its checks"
            );
        });
        metrics
    }

    /// Sets the index gauges from the engine served now.
    pub(crate) fn record_index(&self, live: &LiveEngine) {
        let engine = live.current();
        let index = engine.index();
        let status = live.status();
        let mut last = self.index_id.lock().unwrap_or_else(|p| p.into_inner());
        let previous = last.replace(status.index_id.clone()).filter(|id| *id != status.index_id);
        self.record(|| {
            if let Some(previous) = previous {
                gauge!(INDEX_INFO, "index_id" => previous).set(0.0);
            }
            gauge!(INDEX_INFO, "index_id" => status.index_id.clone()).set(1.0);
            counter!(INDEX_RELOADS).absolute(status.reloads);
            counter!(INDEX_RELOADS_REFUSED).absolute(status.refused);
            gauge!(INDEX_VECTORS).set(index.len() as f64);
            // Counted at build time: a scrape reads the manifest instead of the whole catalogue.
            let counts = &index.manifest().counts.occupations;
            for taxonomy in Taxonomy::ALL {
                let n = counts.get(taxonomy.as_str()).copied().unwrap_or(0);
                gauge!(INDEX_OCCUPATIONS, "taxonomy" => taxonomy.as_str()).set(n as f64);
            }
        });
    }

    /// Runs `f` with this router's recorder as the metrics target.
    fn record(&self, f: impl FnOnce()) {
        with_local_recorder(self.recorder.as_ref(), f);
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        self.handle.render()
    }

    /// Folds pending histogram samples into their buckets; run it periodically so memory stays
    /// bounded between scrapes (rendering does it too).
    pub fn run_upkeep(&self) {
        self.handle.run_upkeep();
    }
}

/// `GET /metrics`.
pub(crate) async fn metrics_handler(State(app): State<AppState>) -> Response {
    let metrics = &app.metrics;
    metrics.record_index(&app.engine);
    let cache = app.engine.current().query_cache_stats();
    // The engine counts; the exposition copies its counters at each scrape.
    metrics.record(|| {
        counter!(QUERY_CACHE_HITS).absolute(cache.hits);
        counter!(QUERY_CACHE_MISSES).absolute(cache.misses);
        gauge!(QUERY_CACHE_ENTRIES).set(cache.entries as f64);
        if let Some(rss) = resident_memory_bytes() {
            gauge!(RESIDENT_MEMORY).set(rss as f64);
        }
    });
    ([(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"))], metrics.render())
        .into_response()
}

/// Label of request methods outside [`method_label`]'s closed set.
const OTHER_METHOD: &str = "other";

/// The `method` label: standard methods by name, anything else `other`, so made-up methods
/// (any token is a valid HTTP method) cannot create new series.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        _ => OTHER_METHOD,
    }
}

/// Header carrying the request id, in requests (kept when well-formed) and every response.
pub const REQUEST_ID: &str = "x-request-id";

/// The caller's request id when it is a short token, else a new process-unique one.
fn request_id(req: &Request) -> String {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    static PREFIX: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
    let given = req.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).filter(|v| {
        !v.is_empty() && v.len() <= 64 && v.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
    });
    match given {
        Some(id) => id.to_string(),
        None => {
            let prefix = *PREFIX.get_or_init(rand::random::<u32>);
            let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            format!("{prefix:08x}-{n:x}")
        }
    }
}

/// Records how long a request waited for its turn.
pub(crate) fn record_queue_wait(metrics: &Metrics, waited: Duration) {
    metrics.record(|| histogram!(QUEUE_WAIT).record(waited.as_secs_f64()));
}

/// Records the request count and latency, and logs one structured line per request, with
/// its request id (also sent back in `x-request-id`).
pub(crate) async fn observe(State(metrics): State<Metrics>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let request_id = request_id(&req);
    let label = method_label(req.method());
    // Logged as sent (shortened), but never used as a label.
    let method = echo(req.method().as_str());
    let route = req.extensions().get::<MatchedPath>().map_or(UNMATCHED, MatchedPath::as_str).to_string();
    let mut response = next.run(req).await;
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    let elapsed = started.elapsed();
    let status = response.status().as_u16();
    metrics.record(|| {
        counter!(REQUESTS_TOTAL, "method" => label, "route" => route.clone(), "status" => status.to_string())
            .increment(1);
        histogram!(REQUEST_DURATION, "method" => label, "route" => route.clone()).record(elapsed.as_secs_f64());
    });
    let latency_ms = millis(elapsed);
    if response.status().is_server_error() {
        tracing::warn!(%request_id, %method, %route, status, latency_ms, "request failed");
    } else {
        tracing::info!(%request_id, %method, %route, status, latency_ms, "request");
    }
    response
}

/// Milliseconds rounded to the microsecond, for logs.
fn millis(d: Duration) -> f64 {
    (d.as_secs_f64() * 1e6).round() / 1e3
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn method_labels_are_a_closed_set() {
        assert_eq!(method_label(&Method::GET), "GET");
        assert_eq!(method_label(&Method::PATCH), "PATCH");
        assert_eq!(method_label(&Method::CONNECT), OTHER_METHOD);
        assert_eq!(method_label(&Method::TRACE), OTHER_METHOD);
        let made_up = Method::from_bytes(b"BREW").expect("a valid token");
        assert_eq!(method_label(&made_up), OTHER_METHOD);
    }
}
