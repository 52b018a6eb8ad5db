//! Throughput of the embedder and latency of a query on the fixture index.
//!
//! Run with `cargo bench --bench engine` after `scripts/setup.sh` (needs the real model).

// `criterion_group!` defines a public function it cannot document.
#![allow(missing_docs)]

use std::path::PathBuf;
use std::sync::Arc;

use boussole::catalog::{load_catalogue, Lang, Sources};
use boussole::embed::{BertEmbedder, Embedder, TextRole};
use boussole::index::{build_index, BuildOptions, VectorIndex};
use boussole::search::{Engine, QueryLimits, Retrieval, Scope, SearchRequest};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn bench(c: &mut Criterion) {
    let embedder: Arc<dyn Embedder> =
        Arc::new(BertEmbedder::load(&root().join("models/multilingual-e5-small")).expect("run scripts/setup.sh first"));
    let catalogue = load_catalogue(&root().join("datasets/fixtures"), Sources::default()).expect("fixtures");
    let labels: Vec<&str> = catalogue.forms.iter().take(256).map(|f| f.text.as_str()).collect();

    let mut group = c.benchmark_group("embed");
    group.sample_size(10);
    group.throughput(Throughput::Elements(labels.len() as u64));
    group.bench_function("256 occupation labels (passages)", |b| {
        b.iter(|| embedder.embed(&labels, TextRole::Passage).expect("embed"))
    });
    group.finish();

    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("idx");
    build_index(&catalogue, embedder.as_ref(), &BuildOptions { progress: false, ..BuildOptions::default() }, &out)
        .expect("build");
    let mut engine =
        Engine::new(VectorIndex::open(&out).expect("open"), embedder.clone(), QueryLimits::default()).expect("engine");
    // Criterion repeats one text: the query cache would turn every iteration into a hit.
    engine.set_query_cache(0);

    let scope = Scope { lang: Lang::Fr, taxonomy: None, limit: 10, filter: Default::default() };
    let mut group = c.benchmark_group("query");
    group.sample_size(30);
    for text in ["boulanger", "j'aime les animaux et la nature", "devloppeur web"] {
        let req =
            SearchRequest { text: text.into(), lang: Lang::Fr, taxonomy: None, limit: 10, filter: Default::default() };
        group.bench_function(text, |b| b.iter(|| engine.search(&req).expect("search")));
    }
    let query = engine.embed_query("boulanger").expect("embed");
    group.bench_function("title-only hybrid ranking (pre-embedded)", |b| {
        b.iter(|| engine.rank_hybrid("boulanger", Some(&*query), Retrieval::Hybrid, scope))
    });
    let text = "moi je kiffe m'occuper des bêtes mais pas de nuit";
    group.bench_function("understanding only", |b| b.iter(|| engine.understand(text)));
    let understood = engine.understand(text);
    let vector = engine.embed_query(&understood.positive).expect("embed");
    group.bench_function("full ranking only (understood, pre-embedded)", |b| {
        b.iter(|| engine.rank_full(&understood, &vector, scope))
    });
    group.finish();

    // The same stages on the full index, when one is built (indexes/default).
    let full = root().join("indexes/default");
    if let Ok(index) = VectorIndex::open(&full) {
        let mut engine = Engine::new(index, embedder.clone(), QueryLimits::default()).expect("engine");
        // Criterion repeats one text: the query cache would turn every iteration into a hit.
        engine.set_query_cache(0);
        let mut group = c.benchmark_group("full-index");
        group.sample_size(20);
        let query = engine.embed_query("boulanger").expect("embed");
        group.bench_function("title-only hybrid ranking (pre-embedded)", |b| {
            b.iter(|| engine.rank_hybrid("boulanger", Some(&*query), Retrieval::Hybrid, scope))
        });
        for text in
            ["boulanger", "moi je kiffe m'occuper des bêtes mais pas de nuit", "g envi de bosser ds l'aviassion"]
        {
            let understood = engine.understand(text);
            let vector = engine.embed_query(&understood.positive).expect("embed");
            group.bench_function(format!("understanding: {text}"), |b| b.iter(|| engine.understand(text)));
            group.bench_function(format!("full ranking (pre-embedded): {text}"), |b| {
                b.iter(|| engine.rank_full(&understood, &vector, scope))
            });
        }
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
