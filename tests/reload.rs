//! Zero-downtime index reload: a rebuilt index is published by a link flip and swapped in by
//! the running server (admin endpoint or SIGHUP) without a failed request; a bad index is
//! refused and the previous one keeps serving.

mod common;

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::{to_bytes, Body};
use axum::http::{Method, Request, StatusCode};
use boussole::api::{admin_router, ServeConfig};
use boussole::catalog::{load_catalogue, Sources};
use boussole::fsutil::{publish_version, version_staging_dir};
use boussole::index::{build_index, VectorIndex};
use boussole::search::{EngineSource, LiveEngine, QueryLimits};
use common::server::Server;
use serde_json::Value;
use tower::ServiceExt;

/// Builds the fixture index of `sources` at `out` (publishing a new version there).
fn build(out: &Path, sources: Sources) -> String {
    let catalogue = load_catalogue(&common::fixture_data(), sources).expect("fixture catalogue");
    let summary = build_index(&catalogue, common::embedder().as_ref(), &common::quiet_options(), out).expect("build");
    summary.manifest.id()
}

fn source(out: &Path) -> EngineSource {
    EngineSource {
        index_dir: out.to_path_buf(),
        embedder: common::embedder(),
        limits: QueryLimits::default(),
        query_cache: 64,
    }
}

/// The fixture index (built once per test binary) published at `root/index`.
fn publish_fixture(root: &Path) -> PathBuf {
    let out = root.join("index");
    let staging = version_staging_dir(&out).unwrap();
    for entry in fs::read_dir(common::fixture_index_dir()).unwrap() {
        let entry = entry.unwrap();
        fs::copy(entry.path(), staging.join(entry.file_name())).unwrap();
    }
    let id = VectorIndex::open(&staging).unwrap().id().to_string();
    publish_version(&staging, &out, &id, 2).unwrap();
    out
}

async fn published_fixture(root: &Path) -> PathBuf {
    let root = root.to_path_buf();
    tokio::task::spawn_blocking(move || publish_fixture(&root)).await.unwrap()
}

/// A live engine loaded from `out`, off the async workers.
async fn live_engine(out: &Path) -> Arc<LiveEngine> {
    let source = source(out);
    tokio::task::spawn_blocking(move || LiveEngine::from_source(source).expect("first load")).await.unwrap()
}

async fn admin(live: &Arc<LiveEngine>, method: Method, path: &str) -> (StatusCode, Value) {
    let request = Request::builder().method(method).uri(path).body(Body::empty()).unwrap();
    let response = admin_router(live.clone()).oneshot(request).await.unwrap();
    let status = response.status();
    let body = to_bytes(response.into_body(), 1 << 20).await.unwrap();
    (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

async fn readyz(server: &Server) -> Value {
    reqwest::get(server.url("/readyz")).await.unwrap().json().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_reload_under_load_swaps_the_index_without_a_failed_request() {
    let tmp = tempfile::tempdir().unwrap();
    let out = published_fixture(tmp.path()).await;
    let live = live_engine(&out).await;
    let first = live.status().index_id;
    let server = Server::start_live(live.clone(), ServeConfig::default()).await;
    assert_eq!(readyz(&server).await["index_id"], first.as_str());

    // A rebuild with ROME alone publishes a different index; the server keeps the first one
    // until it is told to reload.
    let target = out.clone();
    let second = tokio::task::spawn_blocking(move || build(&target, Sources { esco: false, rome: true, onet: false }))
        .await
        .unwrap();
    assert_ne!(second, first);
    assert_eq!(readyz(&server).await["index_id"], first.as_str());

    let stop = Arc::new(AtomicBool::new(false));
    let mut clients = Vec::new();
    for i in 0..6 {
        let (stop, base) = (stop.clone(), server.url(""));
        clients.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            let mut answered_by: HashMap<String, usize> = HashMap::new();
            let mut failures = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                let request = match i % 3 {
                    0 => client.get(format!("{base}/v1/search?q=boulanger&limit=5")),
                    1 => client.get(format!("{base}/v1/occupations/rome/D1102")),
                    _ => client.post(format!("{base}/v1/match")).json(&serde_json::json!({"skills": ["pâtisserie"]})),
                };
                match request.send().await {
                    Ok(r) if r.status() == 200 => {
                        let id =
                            r.headers().get("x-index-id").and_then(|v| v.to_str().ok()).unwrap_or("none").to_string();
                        *answered_by.entry(id).or_default() += 1;
                    }
                    Ok(r) => failures.push(format!("{} {}", r.status(), r.text().await.unwrap_or_default())),
                    Err(e) => failures.push(e.to_string()),
                }
            }
            (answered_by, failures)
        }));
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (status, report) = admin(&live, Method::POST, "/admin/reload").await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["changed"], true);
    assert_eq!(report["previous"], first.as_str());
    assert_eq!(report["current"], second.as_str());
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.store(true, Ordering::Relaxed);

    let mut answered_by: HashMap<String, usize> = HashMap::new();
    for client in clients {
        let (seen, failures) = client.await.unwrap();
        assert!(failures.is_empty(), "failed requests during the swap: {failures:?}");
        for (id, n) in seen {
            *answered_by.entry(id).or_default() += n;
        }
    }
    assert!(answered_by.get(&first).copied().unwrap_or(0) > 0, "answers before the swap: {answered_by:?}");
    assert!(answered_by.get(&second).copied().unwrap_or(0) > 0, "answers after the swap: {answered_by:?}");
    assert_eq!(answered_by.len(), 2, "every answer names its index: {answered_by:?}");

    let ready = readyz(&server).await;
    assert_eq!(ready["index_id"], second.as_str());
    assert_eq!(ready["index_reloads"], 1);
    assert!(ready["occupations"].get("esco").is_none_or(|n| n == 0), "the ROME-only index is served: {ready}");
    let esco = reqwest::get(server.url("/v1/occupations/esco/1aadb308-432a-4d01-b54b-b4f7f76dd419")).await.unwrap();
    assert_eq!(esco.status(), 404, "ESCO occupations left with the old index");
    let metrics = reqwest::get(server.url("/metrics")).await.unwrap().text().await.unwrap();
    assert!(metrics.contains(&format!("boussole_index_info{{index_id=\"{second}\"}} 1")), "{metrics}");
    assert!(metrics.contains(&format!("boussole_index_info{{index_id=\"{first}\"}} 0")), "{metrics}");
    assert!(metrics.contains("boussole_index_reloads_total 1"), "{metrics}");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_damaged_index_is_refused_and_the_previous_one_keeps_serving() {
    let tmp = tempfile::tempdir().unwrap();
    let out = published_fixture(tmp.path()).await;
    let live = live_engine(&out).await;
    let first = live.status().index_id;

    // Nothing new published: a reload is a cheap no-op.
    let (status, report) = admin(&live, Method::POST, "/admin/reload").await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["changed"], false);

    // Publish a copy with a flipped byte in the graph (and a new id, so it is not skipped).
    let target = out.clone();
    tokio::task::spawn_blocking(move || {
        let staging = version_staging_dir(&target).unwrap();
        let current = fs::canonicalize(&target).unwrap();
        for entry in fs::read_dir(&current).unwrap() {
            let entry = entry.unwrap();
            fs::copy(entry.path(), staging.join(entry.file_name())).unwrap();
        }
        let data = staging.join("graph.hnsw.data");
        let mut bytes = fs::read(&data).unwrap();
        let mid = bytes.len() / 2;
        bytes[mid] ^= 0xFF;
        fs::write(&data, bytes).unwrap();
        let manifest = staging.join("manifest.json");
        let text = fs::read_to_string(&manifest).unwrap().replacen("\"created_at\": \"", "\"created_at\": \"1", 1);
        fs::write(&manifest, text).unwrap();
        publish_version(&staging, &target, "damaged", 2).unwrap();
    })
    .await
    .unwrap();

    let (status, error) = admin(&live, Method::POST, "/admin/reload").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{error}");
    assert_eq!(error["error"]["code"], "index_refused");
    let message = error["error"]["message"].as_str().unwrap();
    assert!(message.contains("graph.hnsw.data") && message.contains("previous one keeps serving"), "{message}");
    let (status, index) = admin(&live, Method::GET, "/admin/index").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(index["index_id"], first.as_str());
    assert_eq!(index["refused"], 1);
    assert_eq!(index["reloads"], 0);
    // Still answering from the first index.
    let server = Server::start_live(live.clone(), ServeConfig::default()).await;
    let search = reqwest::get(server.url("/v1/search?q=boulanger")).await.unwrap();
    assert_eq!(search.status(), 200);
    assert_eq!(search.headers()["x-index-id"].to_str().unwrap(), first);
    server.shutdown().await;

    // An engine given without a source cannot reload, and says so.
    let fixed = LiveEngine::fixed(live.current());
    let (status, error) = admin(&fixed, Method::POST, "/admin/reload").await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(error["error"]["code"], "no_index_source");
    let (status, _) = admin(&fixed, Method::GET, "/admin/nothing").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// The binary end to end: `boussole serve` picks up a rebuilt index on SIGHUP.
#[test]
fn the_server_reloads_a_rebuilt_index_on_sighup() {
    let tmp = tempfile::tempdir().unwrap();
    let out = publish_fixture(tmp.path());
    let boussole = env!("CARGO_BIN_EXE_boussole");
    let rebuild = |sources: &str| {
        let status = std::process::Command::new(boussole)
            .args(["build", "--no-progress", "--sources", sources, "--data-dir"])
            .arg(common::fixture_data())
            .arg("--model")
            .arg(common::model_dir())
            .arg("--out")
            .arg(&out)
            .env("BOUSSOLE_LOG", "error")
            .status()
            .expect("run boussole build");
        assert!(status.success());
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut server = std::process::Command::new(boussole)
        .args(["serve", "--addr", &format!("127.0.0.1:{port}"), "--index"])
        .arg(&out)
        .arg("--model")
        .arg(common::model_dir())
        .env("BOUSSOLE_LOG", "warn")
        .spawn()
        .expect("start boussole serve");
    let ready = |want_change_from: Option<&str>| -> Value {
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let reply =
                std::process::Command::new("curl").args(["-fsS", &format!("http://127.0.0.1:{port}/readyz")]).output();
            if let Ok(reply) = reply {
                if let Ok(v) = serde_json::from_slice::<Value>(&reply.stdout) {
                    if want_change_from.is_none_or(|id| v["index_id"] != id) {
                        return v;
                    }
                }
            }
            assert!(Instant::now() < deadline, "the server did not (re)load in time");
            std::thread::sleep(Duration::from_millis(200));
        }
    };
    let before = ready(None);
    rebuild("rome");
    // SAFETY: kill has no memory-safety preconditions; the pid is our own child's.
    let sent = unsafe { libc::kill(server.id() as libc::pid_t, libc::SIGHUP) };
    assert_eq!(sent, 0);
    let after = ready(before["index_id"].as_str());
    server.kill().ok();
    server.wait().ok();
    assert_eq!(after["index_reloads"], 1);
    assert!(before["occupations"]["esco"].as_u64().unwrap_or(0) > 0);
    assert!(after["occupations"].get("esco").is_none_or(|n| n == 0), "{after}");
}
