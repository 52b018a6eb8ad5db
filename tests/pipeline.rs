//! End to end: fixture datasets + real model → index on disk → reload → ranked queries.

mod common;

use std::fs;

use boussole::catalog::{Lang, Taxonomy};
use boussole::index::{build_index, IndexError, VectorIndex, FORMAT_VERSION, MANIFEST_FILE, PASSAGES_FILE};
use boussole::search::{Engine, QueryLimits, RankedOccupation, Retrieval, SearchError, SearchRequest};

fn search(text: &str, lang: Lang, taxonomy: Option<Taxonomy>, limit: usize) -> Vec<RankedOccupation> {
    let req = SearchRequest { text: text.into(), lang, taxonomy, limit, filter: Default::default() };
    common::engine().search(&req).expect("search")
}

fn labels(results: &[RankedOccupation]) -> Vec<String> {
    results.iter().map(|r| format!("{} {}", r.id.code, r.label)).collect()
}

#[test]
fn build_writes_a_self_describing_index_that_reloads() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("idx");
    let catalogue = common::fixture_catalogue();
    let embedder = common::embedder();
    let summary = build_index(&catalogue, embedder.as_ref(), &common::quiet_options(), &out).unwrap();

    let m = &summary.manifest;
    assert!(m.recall_at_10 >= 0.98, "recall {}", m.recall_at_10);
    assert_eq!(m.model.fingerprint, embedder.manifest().fingerprint());
    assert_eq!(m.counts.occupations.values().sum::<usize>(), catalogue.occupations.len());
    assert!(m.counts.vectors > 0 && m.counts.vectors <= catalogue.forms.len());
    assert!(m.datasets.iter().any(|d| d.name.contains("esco")) && m.datasets.iter().any(|d| d.name.contains("rome")));
    let mut leftovers: Vec<_> = fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    leftovers.sort();
    assert_eq!(leftovers, ["idx", "idx.versions"], "the link and its versions, nothing else");
    let versions: Vec<_> =
        fs::read_dir(dir.path().join("idx.versions")).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(versions, [std::ffi::OsString::from(m.version_name())], "one published version, no staging");
    assert_eq!(fs::read_link(&out).unwrap(), std::path::Path::new("idx.versions").join(m.version_name()));

    let index = VectorIndex::open(&out).unwrap();
    assert_eq!(index.len(), m.counts.vectors);
    assert_eq!(index.catalogue().occupations.len(), catalogue.occupations.len());
    // Every stored vector is a unit vector.
    for row in 0..index.len() {
        let v = index.vector(row);
        let norm: f32 = v.iter().map(|x| x.to_f32() * x.to_f32()).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-3, "row {row} norm {norm}");
    }
}

#[test]
fn boulanger_ranks_the_bakery_fiche_and_esco_baker_first() {
    let rome = search("boulanger", Lang::Fr, Some(Taxonomy::Rome), 5);
    assert_eq!(rome[0].id.code, "D1102", "{:?}", labels(&rome));
    let esco = search("boulanger", Lang::En, Some(Taxonomy::Esco), 5);
    assert_eq!(esco[0].label, "Baker", "{:?}", labels(&esco));
    assert!(rome.iter().chain(&esco).all(|r| !r.matched.is_empty()));
}

#[test]
fn misspelt_web_developer_finds_web_developers_in_top_3() {
    let results = search("devloppeur web", Lang::Fr, None, 3);
    assert!(results.iter().any(|r| r.label.to_lowercase().contains("web")), "{:?}", labels(&results));
}

#[test]
fn animals_query_returns_animal_occupations() {
    let results = search("I want to work with animals", Lang::En, None, 5);
    let animal_words = ["animal", "veterinar", "vétérinaire", "pet", "zoo", "dog", "groom", "toilett", "soigneur"];
    let hits = results.iter().filter(|r| animal_words.iter().any(|w| r.label.to_lowercase().contains(w))).count();
    assert!(hits >= 2, "{:?}", labels(&results));
}

const ANIMAL_FICHES: [&str; 5] = ["A1501", "A1502", "A1503", "A1504", "A1506"];

fn kinds(r: &RankedOccupation) -> Vec<&'static str> {
    r.matched.iter().map(|m| m.kind.as_str()).collect()
}

#[test]
fn interest_phrasing_finds_the_interest_fiches_and_says_why() {
    // No job title in the query: the centre d'intérêt and the définitions carry it.
    let results = search("moi je kiffe trop m'occuper des bêtes", Lang::Fr, Some(Taxonomy::Rome), 5);
    let hits = results.iter().filter(|r| ANIMAL_FICHES.contains(&r.id.code.as_str())).count();
    assert!(hits >= 3, "{:?}", labels(&results));
    let first = &results[0];
    assert!(ANIMAL_FICHES.contains(&first.id.code.as_str()), "{:?}", labels(&results));
    assert!(
        first.matched.iter().any(|m| matches!(m.kind.as_str(), "interest" | "definition")),
        "a non-title reason is shown: {:?}",
        first.matched
    );
    // The previous title-only ranking finds fewer of them.
    let req = SearchRequest {
        text: "moi je kiffe trop m'occuper des bêtes".into(),
        lang: Lang::Fr,
        taxonomy: Some(Taxonomy::Rome),
        limit: 5,
        filter: Default::default(),
    };
    let titles = common::engine().search_with(&req, Retrieval::Hybrid).unwrap();
    let title_hits = titles.iter().filter(|r| ANIMAL_FICHES.contains(&r.id.code.as_str())).count();
    assert!(hits >= title_hits, "full {hits} < titles {title_hits}");
}

#[test]
fn slang_school_and_sms_queries_are_understood() {
    let first = |q: &str| search(q, Lang::Fr, Some(Taxonomy::Rome), 5).remove(0);
    let r = first("la boulange");
    assert_eq!(r.id.code, "D1102");
    let r = first("chui en cap boulangerie");
    assert_eq!(r.id.code, "D1102");
    assert!(kinds(&r).contains(&"school") || kinds(&r).iter().any(|k| *k != "school"), "{:?}", r.matched);
    let r = first("g envi d etre veto");
    assert_eq!(r.id.code, "A1504", "{:?}", r.matched);
    assert!(kinds(&r).contains(&"colloquial"), "{:?}", r.matched);
}

#[test]
fn negation_and_short_studies_demote_what_is_ruled_out() {
    let engine = common::engine();
    let results = |q: &str| {
        let req = SearchRequest {
            text: q.into(),
            lang: Lang::Fr,
            taxonomy: Some(Taxonomy::Rome),
            limit: 40,
            filter: Default::default(),
        };
        engine.search(&req).unwrap()
    };
    let rank_of = |q: &str, code: &str| results(q).iter().position(|r| r.id.code == code).unwrap_or(usize::MAX);
    // Relative to the best result, so that only the constraint moves the score.
    let share = |q: &str, code: &str| {
        let r = results(q);
        r.iter().find(|r| r.id.code == code).map_or(0.0, |x| x.score / r[0].score)
    };
    // A vet needs 6 years after the bac; an auxiliaire vétérinaire a CAP-level title.
    let (q, short) = ("soigner les animaux", "soigner les animaux sans faire de longues études");
    assert!(share(short, "A1504") < share(q, "A1504"), "the vet falls back");
    assert!(share(short, "A1501") > share(q, "A1501"), "the auxiliaire moves up");
    let u = engine.understand("soigner les animaux sans faire de longues études");
    assert!(u.short_studies && !u.positive.contains("études"), "{u:?}");
    // "pas vétérinaire" rules the vet out.
    let plain = rank_of("travailler avec les animaux", "A1504");
    let ruled_out = rank_of("travailler avec les animaux mais pas vétérinaire", "A1504");
    assert!(ruled_out > plain, "vet rank {plain} → {ruled_out}");
}

#[test]
fn results_are_distinct_occupations_within_the_requested_taxonomy() {
    let results = search("aide soignante en ehpad", Lang::Fr, Some(Taxonomy::Rome), 10);
    assert!(results.iter().all(|r| r.id.taxonomy == Taxonomy::Rome));
    let mut codes: Vec<_> = results.iter().map(|r| r.id.code.clone()).collect();
    codes.sort();
    codes.dedup();
    assert_eq!(codes.len(), results.len());
    assert!(results.windows(2).all(|w| w[0].score >= w[1].score));
}

#[test]
fn bad_queries_are_clear_errors() {
    let engine = common::engine();
    let req = |text: &str, limit| SearchRequest {
        text: text.into(),
        lang: Lang::Fr,
        taxonomy: None,
        limit,
        filter: Default::default(),
    };
    assert!(matches!(engine.search(&req("   ", 5)), Err(SearchError::EmptyQuery)));
    assert!(matches!(engine.search(&req(&"a".repeat(10_000), 5)), Err(SearchError::QueryTooLong { .. })));
    assert!(matches!(engine.search(&req("boulanger", 0)), Err(SearchError::InvalidLimit { .. })));
    assert!(matches!(engine.search(&req("boulanger", 1000)), Err(SearchError::InvalidLimit { .. })));
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}

#[test]
fn damaged_indexes_are_refused_with_clear_errors() {
    let good = common::fixture_index_dir();
    let tmp = tempfile::tempdir().unwrap();

    let missing = tmp.path().join("missing");
    copy_dir(&good, &missing);
    fs::remove_file(missing.join("graph.hnsw.graph")).unwrap();
    let err = VectorIndex::open(&missing).err().unwrap();
    assert!(matches!(err, IndexError::MissingFile { .. }), "{err}");
    assert!(err.to_string().contains("graph.hnsw.graph"));

    let corrupt = tmp.path().join("corrupt");
    copy_dir(&good, &corrupt);
    let data = corrupt.join("graph.hnsw.data");
    let mut bytes = fs::read(&data).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0xFF;
    fs::write(&data, bytes).unwrap();
    let err = VectorIndex::open(&corrupt).err().unwrap();
    assert!(matches!(err, IndexError::Corrupt { .. }), "{err}");

    let truncated = tmp.path().join("truncated");
    copy_dir(&good, &truncated);
    let graph = truncated.join("graph.hnsw.graph");
    let bytes = fs::read(&graph).unwrap();
    fs::write(&graph, &bytes[..bytes.len() / 3]).unwrap();
    assert!(matches!(VectorIndex::open(&truncated), Err(IndexError::Corrupt { .. })));

    // Passage vectors are checked like every other file.
    let passages = tmp.path().join("passages");
    copy_dir(&good, &passages);
    let file = passages.join(PASSAGES_FILE);
    let bytes = fs::read(&file).unwrap();
    fs::write(&file, &bytes[..bytes.len() - 4]).unwrap();
    let err = VectorIndex::open(&passages).err().unwrap();
    assert!(matches!(err, IndexError::Corrupt { .. }) && err.to_string().contains(PASSAGES_FILE), "{err}");

    let version = tmp.path().join("version");
    copy_dir(&good, &version);
    let manifest = fs::read_to_string(version.join(MANIFEST_FILE)).unwrap();
    let current = format!("\"format_version\": {FORMAT_VERSION}");
    fs::write(version.join(MANIFEST_FILE), manifest.replace(&current, "\"format_version\": 999")).unwrap();
    let err = VectorIndex::open(&version).err().unwrap();
    assert!(err.to_string().contains("999"), "{err}");

    let other_model = tmp.path().join("other-model");
    copy_dir(&good, &other_model);
    let manifest = fs::read_to_string(other_model.join(MANIFEST_FILE)).unwrap();
    let fingerprint = common::embedder().manifest().fingerprint();
    fs::write(other_model.join(MANIFEST_FILE), manifest.replace(&fingerprint, "some-other-model")).unwrap();
    let index = VectorIndex::open(&other_model).unwrap();
    let err = Engine::new(index, common::embedder(), QueryLimits::default()).err().unwrap();
    assert!(err.to_string().contains("rebuild the index"), "{err}");
}

/// `kill -9` at any moment of a rebuild leaves a complete index in place: the new one is
/// written to a staging directory and published (a link flip) only when whole; the next build
/// clears what the killed ones left.
#[test]
fn a_killed_rebuild_leaves_a_complete_index() {
    let good = common::fixture_index_dir();
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("index");
    copy_dir(&good, &out);
    let original = fs::read(out.join(MANIFEST_FILE)).unwrap();
    // Kill points spread over loading, embedding and graph building.
    for delay_ms in [300u64, 1500, 3000] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_boussole"))
            .args(["build", "--no-progress", "--data-dir"])
            .arg(common::fixture_data())
            .arg("--model")
            .arg(common::model_dir())
            .arg("--out")
            .arg(&out)
            .env("BOUSSOLE_LOG", "error")
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("start boussole build");
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let finished = child.try_wait().unwrap().is_some();
        child.kill().ok(); // SIGKILL on Unix: no cleanup code runs.
        child.wait().unwrap();
        let index = VectorIndex::open(&out).unwrap_or_else(|e| panic!("after a kill at {delay_ms} ms: {e}"));
        assert!(!index.is_empty());
        if !finished {
            assert_eq!(
                fs::read(out.join(MANIFEST_FILE)).unwrap(),
                original,
                "killed at {delay_ms} ms: the old index stays"
            );
        }
    }
    let ours = boussole::fsutil::version_staging_dir(&out).unwrap();
    let leftovers: Vec<String> = fs::read_dir(boussole::fsutil::versions_dir(&out))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".tmp-"))
        .collect();
    assert_eq!(
        leftovers,
        [ours.file_name().unwrap().to_string_lossy().into_owned()],
        "killed builds' staging is cleared"
    );
}

/// Runs `boussole build` on the fixtures into `out` through `wrap` (a shell prefix), returning
/// its exit code and stderr.
fn build_through(wrap: &[&str], out: &std::path::Path) -> (Option<i32>, String) {
    let output = std::process::Command::new(wrap[0])
        .args(&wrap[1..])
        .arg(env!("CARGO_BIN_EXE_boussole"))
        .args(["build", "--no-progress", "--data-dir"])
        .arg(common::fixture_data())
        .arg("--model")
        .arg(common::model_dir())
        .arg("--out")
        .arg(out)
        .env("BOUSSOLE_LOG", "error")
        .output()
        .expect("run boussole build");
    (output.status.code(), String::from_utf8_lossy(&output.stderr).into_owned())
}

/// A full disk (simulated by a file-size limit, so writes fail with EFBIG) fails the build with
/// an error naming the file; the published index stays and no staging is left behind.
#[test]
fn a_full_disk_fails_the_build_cleanly() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("index");
    let staging = boussole::fsutil::version_staging_dir(&out).unwrap();
    copy_dir(&common::fixture_index_dir(), &staging);
    boussole::fsutil::publish_version(&staging, &out, "good", 2).unwrap();
    let original = fs::read(out.join(MANIFEST_FILE)).unwrap();
    // SIGXFSZ ignored: past the limit, writes fail instead of killing the process.
    let (code, stderr) = build_through(&["bash", "-c", "trap '' XFSZ; ulimit -f 64; exec \"$0\" \"$@\""], &out);
    assert_eq!(code, Some(1), "a clean failure, not a crash: {stderr}");
    assert!(stderr.contains("File too large") && stderr.contains(".tmp-"), "names the file being written: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(fs::read(out.join(MANIFEST_FILE)).unwrap(), original, "the published index stays");
    VectorIndex::open(&out).expect("and still opens");
    let versions: Vec<String> = fs::read_dir(boussole::fsutil::versions_dir(&out))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(versions, ["good"], "no staging left behind");
}

/// A read-only output directory fails the build at once (before any embedding), naming it.
#[test]
fn a_read_only_output_fails_the_build_at_once() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    // The build may run as `nobody` (below), which must reach the directory.
    fs::set_permissions(tmp.path(), fs::Permissions::from_mode(0o755)).unwrap();
    let read_only = tmp.path().join("read-only");
    fs::create_dir(&read_only).unwrap();
    fs::set_permissions(&read_only, fs::Permissions::from_mode(0o555)).unwrap();
    // Root writes anywhere: run as nobody then.
    // SAFETY: geteuid has no preconditions.
    let wrap: &[&str] = if unsafe { libc::geteuid() } == 0 {
        &["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    } else {
        &["env"]
    };
    let started = std::time::Instant::now();
    let (code, stderr) = build_through(wrap, &read_only.join("index"));
    assert_eq!(code, Some(1), "a clean failure, not a crash: {stderr}");
    assert!(stderr.contains("Permission denied") && stderr.contains("read-only"), "names the directory: {stderr}");
    assert!(started.elapsed() < std::time::Duration::from_secs(30), "fails before embedding anything");
    assert_eq!(fs::read_dir(&read_only).unwrap().count(), 0);
}

/// Graph orphans recorded by the build are merged into searches exactly; a bad orphan id in
/// the manifest is refused at load.
#[test]
fn graph_orphans_are_searched_and_checked() {
    let good = common::fixture_index_dir();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("orphans");
    copy_dir(&good, &dir);
    let manifest_path = dir.join(MANIFEST_FILE);
    let mut manifest: serde_json::Value = serde_json::from_slice(&fs::read(&manifest_path).unwrap()).unwrap();
    let reference = VectorIndex::open(&good).unwrap();
    let n = reference.len();
    // Pretend the last rows were unreachable: a search for their own vector still finds them.
    let orphans: Vec<usize> = (n - 20..n).collect();
    manifest["graph_orphans"] = serde_json::json!(orphans);
    fs::write(&manifest_path, serde_json::to_vec_pretty(&manifest).unwrap()).unwrap();
    let index = VectorIndex::open(&dir).unwrap();
    for &row in &orphans {
        let query: Vec<f32> = index.vector(row).iter().map(|h| h.to_f32()).collect();
        let hits = index.search(&query, 5, None);
        assert!(hits.len() <= 5 && hits.windows(2).all(|w| w[0].score >= w[1].score), "{hits:?}");
        assert!(hits.iter().any(|h| h.row == row), "orphan {row} not found: {hits:?}");
        let mut rows: Vec<usize> = hits.iter().map(|h| h.row).collect();
        rows.dedup();
        assert_eq!(rows.len(), hits.len(), "no row twice");
    }
    manifest["graph_orphans"] = serde_json::json!([n + 7]);
    fs::write(&manifest_path, serde_json::to_vec_pretty(&manifest).unwrap()).unwrap();
    let err = VectorIndex::open(&dir).err().unwrap();
    assert!(matches!(err, IndexError::Corrupt { .. }) && err.to_string().contains("orphan"), "{err}");
}

/// Graph rows are stored with the index, not recomputed by the loader: a damaged row table is
/// refused by name, whatever the dedup rule of the build.
#[test]
fn form_rows_are_stored_and_checked() {
    let good = common::fixture_index_dir();
    let index = VectorIndex::open(&good).unwrap();
    let forms = index.catalogue().forms.len();
    assert_eq!(fs::read(good.join(boussole::index::FORM_ROWS_FILE)).unwrap().len(), forms * 4);
    let tmp = tempfile::tempdir().unwrap();
    let open_with = |name: &str, rows: Vec<u32>| {
        let dir = tmp.path().join(name);
        copy_dir(&good, &dir);
        let bytes: Vec<u8> = rows.iter().flat_map(|r| r.to_le_bytes()).collect();
        fs::write(dir.join(boussole::index::FORM_ROWS_FILE), &bytes).unwrap();
        // Keep the manifest's checksum true so the row checks themselves are exercised.
        let manifest_path = dir.join(MANIFEST_FILE);
        let mut manifest: serde_json::Value = serde_json::from_slice(&fs::read(&manifest_path).unwrap()).unwrap();
        for f in manifest["files"].as_array_mut().unwrap() {
            if f["name"] == boussole::index::FORM_ROWS_FILE {
                let entry = boussole::fsutil::FileEntry::of(&dir, boussole::index::FORM_ROWS_FILE).unwrap();
                f["sha256"] = entry.sha256.into();
                f["bytes"] = entry.bytes.into();
            }
        }
        fs::write(&manifest_path, serde_json::to_vec_pretty(&manifest).unwrap()).unwrap();
        VectorIndex::open(&dir).err().map(|e| e.to_string())
    };
    let rows = index.len() as u32;
    let stored: Vec<u32> = fs::read(good.join(boussole::index::FORM_ROWS_FILE))
        .unwrap()
        .chunks_exact(4)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    assert_eq!(open_with("same", stored.clone()), None);
    let mut outside = stored.clone();
    outside[0] = rows + 3;
    assert!(open_with("outside", outside).unwrap().contains("outside the"));
    let short = stored[..forms - 1].to_vec();
    assert!(open_with("short", short).unwrap().contains(boussole::index::FORM_ROWS_FILE));
    // Every form on row 0: the other rows carry nothing.
    assert!(open_with("empty-row", vec![0; forms]).unwrap().contains("carries no surface form"));
}

/// Logs written to a file or a pipe are plain text (no ANSI colour codes), progress bars stay
/// off, and each stage of the build says once that it ended.
#[test]
fn a_build_logged_to_a_pipe_has_no_escape_codes_and_a_line_per_stage() {
    let tmp = tempfile::tempdir().unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_boussole"))
        .args(["build", "--data-dir"])
        .arg(common::fixture_data())
        .arg("--model")
        .arg(common::model_dir())
        .arg("--out")
        .arg(tmp.path().join("index"))
        .env("BOUSSOLE_LOG", "info")
        .env_remove("NO_COLOR")
        .env_remove("BOUSSOLE_LOG_FORMAT")
        .output()
        .expect("run boussole build");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(!stderr.contains('\u{1b}'), "escape codes in piped logs:\n{stderr:?}");
    // Nor the carriage returns a redrawn progress bar writes.
    assert!(!stderr.contains('\r'), "a progress bar drawn to a pipe:\n{stderr:?}");
    for stage in ["embedded distinct texts", "embedded passages", "built the HNSW graph"] {
        assert_eq!(stderr.matches(stage).count(), 1, "one `{stage}` line:\n{stderr}");
    }
    assert!(String::from_utf8_lossy(&output.stdout).starts_with("built "), "the summary line on stdout");
}
