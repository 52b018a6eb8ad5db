//! End to end: fixture datasets + real model → index on disk → reload → ranked queries.

mod common;

use std::fs;

use boussole::catalog::{Lang, Taxonomy};
use boussole::index::{build_index, IndexError, VectorIndex, MANIFEST_FILE};
use boussole::search::{Engine, QueryLimits, RankedOccupation, SearchError, SearchRequest};

fn search(text: &str, lang: Lang, taxonomy: Option<Taxonomy>, limit: usize) -> Vec<RankedOccupation> {
    let req = SearchRequest { text: text.into(), lang, taxonomy, limit };
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
    let leftovers: Vec<_> = fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(leftovers.len(), 1, "no staging directory left behind: {leftovers:?}");

    let index = VectorIndex::open(&out).unwrap();
    assert_eq!(index.len(), m.counts.vectors);
    assert_eq!(index.catalogue().occupations.len(), catalogue.occupations.len());
    // Every stored vector is a unit vector.
    for row in 0..index.len() {
        let v = index.vector(row);
        let norm: f32 = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-3, "row {row} norm {norm}");
    }
}

#[test]
fn boulanger_ranks_the_bakery_fiche_and_esco_baker_first() {
    let rome = search("boulanger", Lang::Fr, Some(Taxonomy::Rome), 5);
    assert_eq!(rome[0].id.code, "D1102", "{:?}", labels(&rome));
    let esco = search("boulanger", Lang::En, Some(Taxonomy::Esco), 5);
    assert_eq!(esco[0].label, "baker", "{:?}", labels(&esco));
    assert!(rome.iter().chain(&esco).all(|r| !r.matched.is_empty()));
}

#[test]
fn misspelt_web_developer_finds_web_developers_in_top_3() {
    let results = search("devloppeur web", Lang::Fr, None, 3);
    assert!(
        results.iter().any(|r| r.label.to_lowercase().contains("web")),
        "{:?}",
        labels(&results)
    );
}

#[test]
fn animals_query_returns_animal_occupations() {
    let results = search("I want to work with animals", Lang::En, None, 5);
    let animal_words = ["animal", "veterinar", "vétérinaire", "pet", "zoo", "dog", "groom", "toilett", "soigneur"];
    let hits = results
        .iter()
        .filter(|r| animal_words.iter().any(|w| r.label.to_lowercase().contains(w)))
        .count();
    assert!(hits >= 2, "{:?}", labels(&results));
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
    let req = |text: &str, limit| SearchRequest { text: text.into(), lang: Lang::Fr, taxonomy: None, limit };
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

    let version = tmp.path().join("version");
    copy_dir(&good, &version);
    let manifest = fs::read_to_string(version.join(MANIFEST_FILE)).unwrap();
    fs::write(version.join(MANIFEST_FILE), manifest.replace("\"format_version\": 1", "\"format_version\": 999")).unwrap();
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
