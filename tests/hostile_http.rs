//! Slow and strange clients: header and body read timeouts, slots not held by slow uploads,
//! JSON errors (and where hyper answers itself), security headers, bounded metric labels,
//! query-parameter cap, and `HEAD` without search work. Most tests talk raw HTTP/1.1 over TCP
//! to a server on 127.0.0.1:0, since the point is what a real connection sees.

mod common;

use common::server::{engine, Server};

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use axum::body::{to_bytes, Body};
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use boussole::api::{router, ServeConfig, MAX_HEADERS, MAX_HEADER_BYTES, MAX_URI_BYTES};
use boussole::search::LiveEngine;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tower::ServiceExt;

/// A response read off the wire.
struct Raw {
    status: u16,
    /// Header names lower-cased, in order.
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Raw {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// Asserts the API's JSON error shape with this status and code.
    fn assert_error(&self, status: u16, code: &str, what: &str) {
        assert_eq!(self.status, status, "{what}: headers {:?}, body {}", self.headers, self.text());
        assert!(
            self.header("content-type").is_some_and(|v| v.starts_with("application/json")),
            "{what}: {:?}",
            self.headers
        );
        let v: Value = serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("{what}: body is not JSON ({e}): {}", self.text()));
        assert_eq!(v["error"]["code"], code, "{what}: {v}");
        assert!(v["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{what}: {v}");
    }
}

/// Parses one HTTP/1.1 response (`Content-Length` or chunked body); `None` if incomplete.
fn parse_response(buf: &[u8]) -> Option<(Raw, usize)> {
    let head_end = buf.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let head = std::str::from_utf8(&buf[..head_end]).expect("ASCII head");
    let mut lines = head.split("\r\n");
    let status: u16 = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let headers: Vec<(String, String)> = lines
        .filter(|l| !l.is_empty())
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let get = |n: &str| headers.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
    let rest = &buf[head_end..];
    let (body, used) = if get("transfer-encoding").is_some_and(|v| v.contains("chunked")) {
        let mut body = Vec::new();
        let mut at = 0;
        loop {
            let line_end = rest[at..].windows(2).position(|w| w == b"\r\n")? + at;
            let size_text = std::str::from_utf8(&rest[at..line_end]).ok()?;
            let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
            let start = line_end + 2;
            if rest.len() < start + size + 2 {
                return None;
            }
            body.extend_from_slice(&rest[start..start + size]);
            at = start + size + 2;
            if size == 0 {
                break;
            }
        }
        (body, at)
    } else {
        let len: usize = get("content-length").map_or(0, |v| v.parse().unwrap_or(0));
        if rest.len() < len {
            return None;
        }
        (rest[..len].to_vec(), len)
    };
    Some((Raw { status, headers, body }, head_end + used))
}

/// Reads one response from `stream` (within `limit`).
async fn read_response(stream: &mut (impl AsyncReadExt + Unpin), limit: Duration) -> Raw {
    let mut buf = Vec::new();
    let deadline = Instant::now() + limit;
    loop {
        if let Some((raw, _)) = parse_response(&buf) {
            return raw;
        }
        let mut chunk = [0u8; 16 * 1024];
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, stream.read(&mut chunk)).await {
            Err(_) => panic!("no complete response within {limit:?}; got {:?}", String::from_utf8_lossy(&buf)),
            Ok(Ok(0)) | Ok(Err(_)) => {
                return parse_response(&buf).map(|(raw, _)| raw).unwrap_or_else(|| {
                    panic!("connection closed before a complete response: {:?}", String::from_utf8_lossy(&buf))
                })
            }
            Ok(Ok(n)) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

/// Sends `request` as is on a fresh connection and reads one response.
async fn exchange(addr: SocketAddr, request: &[u8]) -> Raw {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    stream.write_all(request).await.expect("send request");
    read_response(&mut stream, Duration::from_secs(10)).await
}

/// Waits until the server closes `stream` (EOF or reset), returning what it sent first.
async fn wait_closed(stream: &mut (impl AsyncReadExt + Unpin), limit: Duration) -> Vec<u8> {
    let mut got = Vec::new();
    let closed = tokio::time::timeout(limit, async {
        let mut chunk = [0u8; 4096];
        loop {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => got.extend_from_slice(&chunk[..n]),
            }
        }
    })
    .await;
    assert!(
        closed.is_ok(),
        "the server kept the connection open for {limit:?} (got {:?})",
        String::from_utf8_lossy(&got)
    );
    got
}

/// One in-process request.
async fn call(app: &Router, method: Method, uri: &str) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let req = Request::builder().method(method).uri(uri).body(Body::empty()).expect("request");
    let res = app.clone().oneshot(req).await.expect("infallible");
    let (parts, body) = res.into_parts();
    let body = to_bytes(body, 16 << 20).await.expect("body").to_vec();
    (parts.status, parts.headers, body)
}

/// The value of an unlabelled sample in a Prometheus exposition.
fn sample(text: &str, name: &str) -> f64 {
    text.lines()
        .find(|l| l.starts_with(name) && l[name.len()..].starts_with(' '))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0)
}

// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_or_silent_headers_are_cut_by_the_header_read_timeout() {
    let server = Server::start(ServeConfig { header_read_timeout_ms: 300, ..ServeConfig::default() }).await;

    // Headers trickled in, one byte every 50 ms, never finished.
    let stream = TcpStream::connect(server.addr).await.expect("connect");
    let (mut read, mut write) = stream.into_split();
    let started = Instant::now();
    let trickle = tokio::spawn(async move {
        let _ = write.write_all(b"GET /healthz HTTP/1.1\r\nHost: t\r\nX-Slow: ").await;
        loop {
            tokio::time::sleep(Duration::from_millis(50)).await;
            if write.write_all(b"a").await.is_err() {
                return;
            }
        }
    });
    let got = wait_closed(&mut read, Duration::from_secs(5)).await;
    let took = started.elapsed();
    trickle.abort();
    assert!(got.is_empty(), "no answer to a request never finished: {got:?}");
    assert!(
        took >= Duration::from_millis(250) && took < Duration::from_secs(3),
        "closed after {took:?}, expected about 300 ms"
    );

    // A connection that never sends anything.
    let mut silent = TcpStream::connect(server.addr).await.expect("connect");
    let started = Instant::now();
    wait_closed(&mut silent, Duration::from_secs(5)).await;
    assert!(started.elapsed() < Duration::from_secs(3));

    // A normal request is answered; the connection, left idle, is then closed too.
    let mut keep = TcpStream::connect(server.addr).await.expect("connect");
    keep.write_all(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n").await.expect("send");
    let reply = read_response(&mut keep, Duration::from_secs(5)).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let started = Instant::now();
    wait_closed(&mut keep, Duration::from_secs(5)).await;
    assert!(started.elapsed() < Duration::from_secs(3));

    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trickling_body_gets_json_408_and_holds_no_slot() {
    let server =
        Server::start(ServeConfig { max_concurrency: 1, body_read_timeout_ms: 2_000, ..ServeConfig::default() }).await;
    let client = reqwest::Client::new();

    // A body trickled in (one byte every 100 ms), then stalled, never complete.
    let stream = TcpStream::connect(server.addr).await.expect("connect");
    let (mut read, mut write) = stream.into_split();
    let started = Instant::now();
    write
        .write_all(
            b"POST /v1/match HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n\
              Content-Length: 64\r\n\r\n",
        )
        .await
        .expect("send head");
    let trickle = tokio::spawn(async move {
        for b in br#"{"te"#.iter() {
            tokio::time::sleep(Duration::from_millis(100)).await;
            if write.write_all(&[*b]).await.is_err() {
                return write;
            }
        }
        write
    });

    // While it trickles, the only slot is free: normal `/v1` requests are served, not shed.
    tokio::time::sleep(Duration::from_millis(150)).await;
    for _ in 0..3 {
        let res = client.get(server.url("/v1/interests")).send().await.expect("interests");
        assert_eq!(res.status().as_u16(), 200, "slot held by a slow body: {:?}", res.text().await);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let reply = read_response(&mut read, Duration::from_secs(5)).await;
    let took = started.elapsed();
    let _write = trickle.await.expect("trickle task");
    reply.assert_error(408, "request_timeout", "slow body");
    assert!(
        took >= Duration::from_millis(1_900) && took < Duration::from_secs(8),
        "408 after {took:?}, expected about 2 s"
    );
    assert_eq!(reply.header("connection"), Some("close"));

    // A declared body over the limit is refused at once, without waiting for it.
    let mut stream = TcpStream::connect(server.addr).await.expect("connect");
    let started = Instant::now();
    stream
        .write_all(
            b"POST /v1/match HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n\
              Content-Length: 100000000\r\n\r\n",
        )
        .await
        .expect("send head");
    let reply = read_response(&mut stream, Duration::from_secs(5)).await;
    reply.assert_error(413, "payload_too_large", "declared huge body");
    assert!(started.elapsed() < Duration::from_millis(1_500), "{:?}", started.elapsed());

    // A route that reads no body answers at once, without waiting for one.
    let mut stream = TcpStream::connect(server.addr).await.expect("connect");
    let started = Instant::now();
    stream.write_all(b"POST /healthz HTTP/1.1\r\nHost: t\r\nContent-Length: 64\r\n\r\n{").await.expect("send head");
    let reply = read_response(&mut stream, Duration::from_secs(5)).await;
    reply.assert_error(405, "method_not_allowed", "POST healthz, stalled body");
    assert!(started.elapsed() < Duration::from_millis(1_500), "{:?}", started.elapsed());

    // A complete body is still served.
    let res = client
        .post(server.url("/v1/match"))
        .header("content-type", "application/json")
        .body(r#"{"text": "boulanger", "limit": 1}"#)
        .send()
        .await
        .expect("match");
    assert_eq!(res.status().as_u16(), 200);

    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_and_malformed_requests_get_the_right_status_and_json_where_possible() {
    let server = Server::start(ServeConfig::default()).await;
    let addr = server.addr;
    let get = |target: String, extra: String| {
        format!("GET {target} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n{extra}\r\n").into_bytes()
    };

    // A long URI the application sees: JSON 414, with the security headers.
    let long = format!("/v1/interests?q={}", "a".repeat(MAX_URI_BYTES));
    let reply = exchange(addr, &get(long, String::new())).await;
    reply.assert_error(414, "uri_too_long", "URI over the application's limit");
    assert_eq!(reply.header("x-content-type-options"), Some("nosniff"));

    // Just under the limit is fine.
    let fine = format!("/v1/interests?q={}", "a".repeat(MAX_URI_BYTES - 1024));
    assert_eq!(exchange(addr, &get(fine, String::new())).await.status, 200);

    // Too many header fields, or too many header bytes: JSON 431.
    let many: String = (0..MAX_HEADERS + 20).map(|i| format!("X-H{i}: v\r\n")).collect();
    exchange(addr, &get("/healthz".into(), many)).await.assert_error(
        431,
        "headers_too_large",
        "too many header fields",
    );
    let big = format!("X-Big: {}\r\n", "b".repeat(MAX_HEADER_BYTES));
    exchange(addr, &get("/healthz".into(), big)).await.assert_error(
        431,
        "headers_too_large",
        "header section too large",
    );

    // What hyper refuses before the application sees the request: the status is right, the
    // body is hyper's (empty). A target over 65,534 bytes cannot be an `http::Uri`...
    let huge = format!("/v1/interests?q={}", "a".repeat(66 * 1024));
    assert_eq!(exchange(addr, &get(huge, String::new())).await.status, 414);
    // ...nor can one with a raw non-ASCII byte...
    let mut bad = b"GET /v1/search?q=".to_vec();
    bad.extend_from_slice(&[0xFF, 0xFE]);
    bad.extend_from_slice(b" HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    assert_eq!(exchange(addr, &bad).await.status, 400);
    // ...and past hyper's own header-field limit it answers 431 itself.
    let too_many: String = (0..MAX_HEADERS * 3).map(|i| format!("X-H{i}: v\r\n")).collect();
    assert_eq!(exchange(addr, &get("/healthz".into(), too_many)).await.status, 431);

    // The server is unharmed.
    assert_eq!(exchange(addr, &get("/healthz".into(), String::new())).await.status, 200);
    server.shutdown().await;
}

#[tokio::test]
async fn security_headers_on_every_kind_of_answer() {
    let app = router(LiveEngine::fixed(engine().await), &ServeConfig::default());
    const JSON_CSP: &str = "default-src 'none'; frame-ancestors 'none'";
    let cases = [
        ("/v1/search?q=boulanger", 200, Some(JSON_CSP)),
        ("/v1/search?q=", 400, Some(JSON_CSP)),
        ("/healthz", 200, Some(JSON_CSP)),
        ("/metrics", 200, Some(JSON_CSP)),
        ("/openapi.json", 200, Some(JSON_CSP)),
        ("/no/such/route", 404, Some(JSON_CSP)),
        ("/static/js/main.js", 200, Some(JSON_CSP)),
        ("/docs", 200, None),
        ("/", 200, None),
    ];
    for (uri, status, csp) in cases {
        let (got, headers, body) = call(&app, Method::GET, uri).await;
        assert_eq!(got.as_u16(), status, "{uri}");
        let h = |name: header::HeaderName| {
            headers
                .get(&name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_else(|| panic!("{uri}: no {name} in {headers:?}"))
                .to_string()
        };
        assert_eq!(h(header::X_CONTENT_TYPE_OPTIONS), "nosniff", "{uri}");
        assert_eq!(h(header::X_FRAME_OPTIONS), "DENY", "{uri}");
        assert_eq!(h(header::REFERRER_POLICY), "no-referrer", "{uri}");
        assert_eq!(headers.get_all(header::CONTENT_SECURITY_POLICY).iter().count(), 1, "{uri}");
        let policy = h(header::CONTENT_SECURITY_POLICY);
        assert!(policy.contains("frame-ancestors 'none'"), "{uri}: {policy}");
        match csp {
            Some(want) => assert_eq!(policy, want, "{uri}"),
            None => {
                // HTML pages: their policy must still let them work. They load nothing from
                // elsewhere; `/docs` has only an inline style, `/` same-origin files.
                let html = String::from_utf8_lossy(&body);
                assert!(!html.contains("http://") || uri == "/", "{uri}: absolute URL in page");
                if uri == "/docs" {
                    assert!(!html.contains("<script"), "{uri}: scripts would be blocked");
                    assert!(html.contains("<style>"));
                    assert!(policy.contains("style-src 'unsafe-inline'"), "{policy}");
                    assert!(!policy.contains("script-src"), "{policy}");
                } else {
                    assert!(html.contains(r#"<script type="module" src="/static/js/main.js">"#));
                    assert!(policy.contains("script-src 'self'"), "{policy}");
                    assert!(policy.contains("style-src 'self'"), "{policy}");
                }
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn made_up_methods_create_no_metric_series() {
    let server = Server::start(ServeConfig::default()).await;
    let client = reqwest::Client::new();
    for i in 0..20 {
        let method = reqwest::Method::from_bytes(format!("MADEUP{i}").as_bytes()).expect("token");
        for path in ["/v1/search?q=x", "/healthz", "/nowhere"] {
            let res = client.request(method.clone(), server.url(path)).send().await.expect("send");
            let status = res.status().as_u16();
            assert!(status == 405 || status == 404, "{method} {path}: {status}");
        }
    }
    let text = client.get(server.url("/metrics")).send().await.expect("metrics").text().await.expect("text");
    let methods: BTreeSet<String> = text
        .lines()
        .filter(|l| l.starts_with("boussole_http_"))
        .filter_map(|l| l.split("method=\"").nth(1))
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_string)
        .collect();
    let allowed = ["GET", "POST", "HEAD", "OPTIONS", "PUT", "DELETE", "PATCH", "other"];
    assert!(methods.iter().all(|m| allowed.contains(&m.as_str())), "method labels outside the closed set: {methods:?}");
    assert!(methods.contains("other"), "{methods:?}");
    assert!(!text.contains("MADEUP"), "{text}");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_query_parameters_get_a_fast_json_400() {
    let server = Server::start(ServeConfig::default()).await;
    // 10,000 distinct names, as short as possible (1-3 characters).
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let n = ALPHABET.len();
    let names = (0..10_000usize).map(|i| {
        let mut name = Vec::new();
        let mut rest = i;
        loop {
            name.push(ALPHABET[rest % n]);
            rest /= n;
            if rest == 0 {
                break;
            }
        }
        String::from_utf8(name).expect("ASCII")
    });
    let query = names.collect::<Vec<_>>().join("&");
    assert!(query.len() < MAX_URI_BYTES, "{}", query.len());
    let target = format!("/v1/interests?{query}");
    let request = format!("GET {target} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    for _ in 0..3 {
        let started = Instant::now();
        let reply = exchange(server.addr, request.as_bytes()).await;
        let took = started.elapsed();
        reply.assert_error(400, "invalid_parameter", "10,000 parameters");
        assert!(
            reply.text().contains(&boussole::api::MAX_QUERY_PARAMS.to_string()),
            "names the limit: {}",
            reply.text()
        );
        assert!(took < Duration::from_secs(1), "took {took:?}");
    }
    server.shutdown().await;
}

#[tokio::test]
async fn head_on_v1_does_no_search_work() {
    let app = router(LiveEngine::fixed(engine().await), &ServeConfig::default());
    let misses = |app: Router| async move {
        let (_, _, body) = call(&app, Method::GET, "/metrics").await;
        sample(&String::from_utf8_lossy(&body), "boussole_query_cache_misses_total")
    };
    // A text no other test sends, so a search would be a cache miss.
    let url = "/v1/search?q=head%20sans%20recherche%20apiculteur%20cordonnier";
    let before = misses(app.clone()).await;
    let (status, headers, body) = call(&app, Method::HEAD, url).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(headers.get(header::ALLOW).and_then(|v| v.to_str().ok()), Some("GET"));
    // The JSON error's headers; the body itself is dropped, as for any HEAD.
    assert!(headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json")));
    assert!(body.is_empty());
    assert_eq!(misses(app.clone()).await, before, "HEAD ran the search");

    // Other `/v1` routes too; a POST-only route keeps its own Allow.
    let (status, _, _) = call(&app, Method::HEAD, "/v1/occupations/rome/D1102").await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    let (status, headers, _) = call(&app, Method::HEAD, "/v1/match").await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(headers.get(header::ALLOW).and_then(|v| v.to_str().ok()), Some("POST"));
    // Other 405s on `/v1` no longer advertise HEAD.
    let (status, headers, _) = call(&app, Method::DELETE, url).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(headers.get(header::ALLOW).and_then(|v| v.to_str().ok()), Some("GET"));
    // HEAD on cheap, static routes still works.
    for path in ["/healthz", "/", "/docs"] {
        assert_eq!(call(&app, Method::HEAD, path).await.0, StatusCode::OK, "{path}");
    }

    // The same GET does run it (the counter is live).
    let (status, _, _) = call(&app, Method::GET, url).await;
    assert_eq!(status, StatusCode::OK);
    assert!(misses(app.clone()).await > before, "the miss counter is live");
}
