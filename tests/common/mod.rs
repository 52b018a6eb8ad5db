//! Shared test setup: the real model and a small index built from the fixture datasets.
#![allow(dead_code)]

pub mod server;

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use boussole::catalog::{load_catalogue, Catalogue, Sources};
use boussole::embed::{BertEmbedder, Embedder};
use boussole::index::{build_index, read_manifest, BuildOptions, VectorIndex};
use boussole::search::{Engine, QueryLimits};

/// Repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The fixture datasets (same layout as the real ones, a few dozen occupations).
pub fn fixture_data() -> PathBuf {
    root().join("datasets/fixtures")
}

/// The imported base model; tests need it (CI imports it with scripts/setup.sh).
pub fn model_dir() -> PathBuf {
    model_in("models/multilingual-e5-small")
}

/// The boussole-tuned model that scripts/setup.sh merges from `models/boussole-tune`.
pub fn tuned_model_dir() -> PathBuf {
    model_in("models/multilingual-e5-small-boussole")
}

fn model_in(rel: &str) -> PathBuf {
    let dir = root().join(rel);
    assert!(dir.join("model.safetensors").exists(), "no model in {}: run scripts/setup.sh first", dir.display());
    dir
}

/// The real embedder, loaded once per test binary.
pub fn embedder() -> Arc<dyn Embedder> {
    static EMBEDDER: OnceLock<Arc<dyn Embedder>> = OnceLock::new();
    EMBEDDER.get_or_init(|| Arc::new(BertEmbedder::load(&model_dir()).expect("load the default model"))).clone()
}

/// The fixture catalogue, every source (O*NET's titles included, so that the API tests see them).
pub fn fixture_catalogue() -> Catalogue {
    load_catalogue(&fixture_data(), Sources { onet: true, ..Sources::default() }).expect("load fixture catalogue")
}

/// Options used for every fixture build: quiet, same recall bar as production.
pub fn quiet_options() -> BuildOptions {
    BuildOptions { progress: false, ..BuildOptions::default() }
}

/// Directory of the cached fixture index under target/, rebuilt when the fixtures or the model change.
pub fn fixture_index_dir() -> PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = root().join("target/test-fixture-index");
        let catalogue = fixture_catalogue();
        let embedder = embedder();
        if !is_current(&dir, &catalogue, embedder.as_ref()) {
            build_index(&catalogue, embedder.as_ref(), &quiet_options(), &dir).expect("build fixture index");
        }
        dir
    })
    .clone()
}

fn is_current(dir: &Path, catalogue: &Catalogue, embedder: &dyn Embedder) -> bool {
    match read_manifest(dir) {
        // The same datasets can give another catalogue when the loaders change (a field
        // added): the stored catalogue must be the one the code loads now.
        Ok(m) => {
            m.datasets == catalogue.datasets
                && m.format_version == boussole::index::FORMAT_VERSION
                && m.model.fingerprint == embedder.manifest().fingerprint()
                && std::fs::read(dir.join("catalogue.json"))
                    .ok()
                    .and_then(|b| serde_json::from_slice::<Catalogue>(&b).ok())
                    .is_some_and(|stored| stored == *catalogue)
        }
        Err(_) => false,
    }
}

/// A query engine over the fixture index, shared by the tests of one binary.
pub fn engine() -> Arc<Engine> {
    static ENGINE: OnceLock<Arc<Engine>> = OnceLock::new();
    ENGINE
        .get_or_init(|| {
            let index = VectorIndex::open(&fixture_index_dir()).expect("open fixture index");
            Arc::new(Engine::new(index, embedder(), QueryLimits::default()).expect("engine"))
        })
        .clone()
}
