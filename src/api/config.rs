//! `boussole serve` settings: every one a command-line flag with a `BOUSSOLE_*` environment twin.

use std::net::SocketAddr;
use std::time::Duration;

use axum::http::HeaderValue;

use crate::search::QueryLimits;

/// Settings of the HTTP server.
#[derive(clap::Args, Debug, Clone, PartialEq, Eq)]
pub struct ServeConfig {
    /// Address to listen on.
    #[arg(long, env = "BOUSSOLE_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Largest accepted request body, in bytes (larger → 413).
    #[arg(long, env = "BOUSSOLE_MAX_BODY_BYTES", default_value_t = 16 * 1024, value_parser = positive)]
    pub max_body_bytes: usize,
    /// Longest accepted query text, in characters.
    #[arg(long, env = "BOUSSOLE_MAX_QUERY_CHARS", default_value_t = 500, value_parser = positive)]
    pub max_query_chars: usize,
    /// Most tokens accepted in a query (model prefix and special tokens included).
    #[arg(long, env = "BOUSSOLE_MAX_QUERY_TOKENS", default_value_t = 128, value_parser = positive)]
    pub max_query_tokens: usize,
    /// Most results one request may ask for (`limit`).
    #[arg(long, env = "BOUSSOLE_MAX_RESULTS", default_value_t = 50, value_parser = positive)]
    pub max_results: usize,
    /// Most `/v1` requests in flight, computing or waiting their turn; beyond, requests are
    /// refused at once with 503 `overloaded` and `Retry-After`.
    #[arg(long, env = "BOUSSOLE_MAX_CONCURRENCY", default_value_t = 64, value_parser = positive)]
    pub max_concurrency: usize,
    /// Requests computing at once; the others wait their turn in arrival order. 0: one per CPU
    /// core (more only shares the cores and stretches the slowest answers).
    #[arg(long, env = "BOUSSOLE_WORKERS", default_value_t = 0)]
    pub workers: usize,
    /// Longest wait for a turn, in milliseconds; past it the request is refused with 503
    /// `overloaded` and `Retry-After`.
    #[arg(long, env = "BOUSSOLE_QUEUE_WAIT_MS", default_value_t = 2_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub queue_wait_ms: u64,
    /// Time budget of one `/v1` request, in milliseconds (exceeded → 504 `timeout`).
    #[arg(long, env = "BOUSSOLE_REQUEST_TIMEOUT_MS", default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub request_timeout_ms: u64,
    /// Time a client has to send a request's line and headers, in milliseconds; past it the
    /// connection is closed without an answer. It also bounds how long an idle keep-alive
    /// connection stays open, so a reverse proxy's upstream keep-alive should be shorter.
    #[arg(long, env = "BOUSSOLE_HEADER_READ_TIMEOUT_MS", default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub header_read_timeout_ms: u64,
    /// Time a client has to send a `/v1` request's whole body, in milliseconds (exceeded → 408
    /// `request_timeout`). Bodies are read before a concurrency slot is taken.
    #[arg(long, env = "BOUSSOLE_BODY_READ_TIMEOUT_MS", default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub body_read_timeout_ms: u64,
    /// Origin allowed to call the API from a browser (repeatable; `*` for any). None: CORS off.
    #[arg(long = "cors-origin", env = "BOUSSOLE_CORS_ORIGIN", value_delimiter = ',', value_parser = origin)]
    pub cors_origins: Vec<String>,
    /// Address of the admin listener (`POST /admin/reload`, `GET /admin/index`); loopback
    /// addresses only, since it is unauthenticated. None: no admin listener (SIGHUP still
    /// reloads).
    #[arg(long, env = "BOUSSOLE_ADMIN_ADDR", value_parser = loopback)]
    pub admin_addr: Option<SocketAddr>,
}

impl Default for ServeConfig {
    fn default() -> Self {
        let limits = QueryLimits::default();
        ServeConfig {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            max_body_bytes: 16 * 1024,
            max_query_chars: limits.max_chars,
            max_query_tokens: limits.max_tokens,
            max_results: limits.max_results,
            max_concurrency: 64,
            workers: 0,
            queue_wait_ms: 2_000,
            request_timeout_ms: 10_000,
            header_read_timeout_ms: 10_000,
            body_read_timeout_ms: 10_000,
            cors_origins: Vec::new(),
            admin_addr: None,
        }
    }
}

impl ServeConfig {
    /// Requests computing at once: `workers`, or one per core when 0.
    pub fn worker_count(&self) -> usize {
        if self.workers == 0 {
            super::queue::default_workers()
        } else {
            self.workers
        }
    }

    /// Longest wait for a turn.
    pub fn queue_wait(&self) -> Duration {
        Duration::from_millis(self.queue_wait_ms)
    }

    /// The engine's query limits these settings ask for; give them to `Engine::new`.
    pub fn query_limits(&self) -> QueryLimits {
        QueryLimits {
            max_chars: self.max_query_chars,
            max_tokens: self.max_query_tokens,
            max_results: self.max_results,
        }
    }

    /// The per-request time budget.
    pub fn request_timeout(&self) -> Duration {
        Duration::from_millis(self.request_timeout_ms)
    }

    /// The time allowed to receive a request's headers (and the keep-alive idle time).
    pub fn header_read_timeout(&self) -> Duration {
        Duration::from_millis(self.header_read_timeout_ms)
    }

    /// The time allowed to receive a `/v1` request's body.
    pub fn body_read_timeout(&self) -> Duration {
        Duration::from_millis(self.body_read_timeout_ms)
    }
}

/// Accepts integers ≥ 1: a zero limit would make the server refuse everything.
fn positive(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(0) => Err("must be at least 1".into()),
        Ok(n) => Ok(n),
        Err(e) => Err(e.to_string()),
    }
}

/// Accepts a socket address on a loopback interface only: the admin routes have no
/// authentication, so they must not be reachable from another machine.
fn loopback(s: &str) -> Result<SocketAddr, String> {
    let addr: SocketAddr = s.trim().parse().map_err(|e| format!("`{s}`: {e}"))?;
    if !addr.ip().is_loopback() {
        return Err(format!("`{s}` is not a loopback address (e.g. 127.0.0.1:9090): the admin listener is local only"));
    }
    Ok(addr)
}

/// Accepts `*` or an `http(s)://host[:port]` origin usable as a header value.
fn origin(s: &str) -> Result<String, String> {
    let s = s.trim();
    if s == "*" {
        return Ok(s.to_string());
    }
    if !(s.starts_with("http://") || s.starts_with("https://")) || s.ends_with('/') {
        return Err(format!("`{s}` is not an origin (expected `*` or `https://host[:port]`, no trailing slash)"));
    }
    HeaderValue::from_str(s).map(|_| s.to_string()).map_err(|e| format!("`{s}`: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        serve: ServeConfig,
    }

    #[test]
    fn defaults_match_default_impl() {
        let cli = Cli::try_parse_from(["x"]).expect("defaults parse");
        assert_eq!(cli.serve, ServeConfig::default());
    }

    #[test]
    fn flags_parse_and_validate() {
        let cli = Cli::try_parse_from([
            "x",
            "--addr",
            "0.0.0.0:9000",
            "--max-concurrency",
            "2",
            "--header-read-timeout-ms",
            "300",
            "--body-read-timeout-ms",
            "400",
            "--cors-origin",
            "https://a.example",
            "--cors-origin",
            "*",
        ])
        .expect("flags parse");
        assert_eq!(cli.serve.addr.port(), 9000);
        assert_eq!(cli.serve.max_concurrency, 2);
        assert_eq!(cli.serve.header_read_timeout(), Duration::from_millis(300));
        assert_eq!(cli.serve.body_read_timeout(), Duration::from_millis(400));
        assert_eq!(cli.serve.cors_origins, vec!["https://a.example".to_string(), "*".to_string()]);
        assert!(Cli::try_parse_from(["x", "--max-results", "0"]).is_err());
        assert!(Cli::try_parse_from(["x", "--cors-origin", "a.example"]).is_err());
        assert!(Cli::try_parse_from(["x", "--request-timeout-ms", "0"]).is_err());
        assert!(Cli::try_parse_from(["x", "--header-read-timeout-ms", "0"]).is_err());
        assert!(Cli::try_parse_from(["x", "--body-read-timeout-ms", "0"]).is_err());
        let admin = Cli::try_parse_from(["x", "--admin-addr", "127.0.0.1:9090"]).expect("loopback admin");
        assert_eq!(admin.serve.admin_addr, Some(SocketAddr::from(([127, 0, 0, 1], 9090))));
        assert!(Cli::try_parse_from(["x", "--admin-addr", "[::1]:9090"]).is_ok());
        assert!(Cli::try_parse_from(["x", "--admin-addr", "0.0.0.0:9090"]).is_err(), "admin is local only");
        assert!(Cli::try_parse_from(["x", "--admin-addr", "10.0.0.1:9090"]).is_err());
    }
}
